"""What a sweep case may contain, how it is checked, and how it becomes a study call.

A case is a dict of plain values. Its keys are read in this order:

``chemistry``
    A shipped chemistry id (:func:`cellsim.chemistries`) → ``Cell.from_chemistry``.
Design factors (applied to the chemistry's cell, then rescaled by ``Cell.with_parameters``)
    ``positive_thickness_factor``, ``negative_thickness_factor``
        Multiply ``"<Side> electrode thickness [m]"`` (> 0; e.g. 1.5 for a thick dry-process
        cathode).
    ``positive_porosity``, ``negative_porosity``
        Set ``"<Side> electrode porosity"`` in (0, 1). The dry-coating recipe is kept: the
        active-material volume fraction and the coating density ``"<Side> electrode density
        [kg.m-3]"`` (Σ volume fraction × true density) scale with the solid fraction
        ``(1 - ε_new) / (1 - ε_old)``.
PyBaMM parameters by their exact name
    Any key the chemistry's ``ParameterValues`` knows (e.g. ``"Positive electrode thickness
    [m]"``), a finite number: > 0 if the shipped value is > 0, in (0, 1) for a porosity or a
    volume fraction. A key with ``[`` that PyBaMM does not know is an error.
Pack size
    ``pack_kWh``, ``pack_voltage_V`` (> 0) → ``Pack.sized`` for studies taking a ``pack``.
``vehicle``
    ``"default"`` (``Vehicle.default()``, also used when absent) or a ``Vehicle`` object.
``cycle``
    A shipped drive-cycle name (``DriveCycle.standard``).
Study arguments
    Any other argument of the study, passed as is; ``c_rate`` (0, 20], ``temperature_C`` and
    ``ambient_C`` [-40, 80] °C, ``start_soc`` (0, 1], ``years`` and ``charger_kW`` > 0,
    ``engine`` and ``model`` are checked here, the rest by the study.

Whatever else is an error, raised by :func:`check_cases` before any case runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import import_module
from typing import Any

from ..errors import InputError
from ..validation import check_number

#: Study name → module defining the function of that name.
STUDIES = {
    "discharge": "cellsim.studies.discharge",
    "range_test": "cellsim.studies.range_test",
    "lifetime": "cellsim.studies.lifetime",
    "fast_charge": "cellsim.studies.fast_charge",
}
MODELS = ("SPM", "SPMe", "DFN")
PACK_KEYS = ("pack_kWh", "pack_voltage_V")
THICKNESS_FACTORS = {
    "positive_thickness_factor": "Positive",
    "negative_thickness_factor": "Negative",
}
POROSITIES = {"positive_porosity": "Positive", "negative_porosity": "Negative"}
TEMPERATURE_RANGE_C = (-40.0, 80.0)
# Case key → name of the study module's own range constant, which overrides the default.
_STUDY_RANGES = {"temperature_C": "TEMPERATURE_RANGE_C", "ambient_C": "AMBIENT_RANGE_C"}
_STUDY_ARGUMENT_LIMITS: dict[str, dict[str, Any]] = {
    "c_rate": {"low": 0.0, "high": 20.0, "low_inclusive": False},
    "start_soc": {"low": 0.0, "high": 1.0, "low_inclusive": False},
    "years": {"low": 0.0, "low_inclusive": False},
    "charger_kW": {"low": 0.0, "low_inclusive": False},
}
# Study arguments the sweep builds from case keys rather than taking from the case.
_BUILT = ("cell", "pack", "vehicle", "cycle")


# ------------------------------------------------------------------------------------ studies


def study_name(study: str | Callable[..., Any]) -> str:
    """The registered name of ``study`` (a study function or its name)."""
    if isinstance(study, str):
        if study not in STUDIES:
            raise InputError(f"study={study!r} is unknown; available: {', '.join(STUDIES)}")
        return study
    name = getattr(study, "__name__", None)
    if name in STUDIES and getattr(study, "__module__", None) == STUDIES[name]:
        return name
    raise InputError(
        f"study={study!r} is not a cellsim study; available: {', '.join(STUDIES)}"
    )


@cache
def study_function(name: str) -> Callable[..., Any]:
    """The study function called ``name`` (its module imported on first use)."""
    try:
        module = import_module(STUDIES[name])
    except ModuleNotFoundError as err:
        raise InputError(f"study={name!r} is not available in this cellsim ({err})") from None
    return getattr(module, name)


@cache
def _study_parameters(name: str) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(study_function(name)).parameters)


# ----------------------------------------------------------------------------------- checking


def check_cases(study: str, cases: Sequence[Mapping[str, Any]]) -> None:
    """Raise :class:`InputError` naming the case index and key of the first bad entry.

    Checks every case (keys known, values in physical range, required inputs present) without
    running anything.
    """
    if len(cases) == 0:
        raise InputError("the sweep has no cases (an empty list or an empty grid)")
    for index, case in enumerate(cases):
        if not isinstance(case, Mapping):
            raise InputError(f"case {index} is a {type(case).__name__}, not a dict of inputs")
        try:
            _check_case(study, case)
        except InputError as err:
            raise InputError(f"case {index}: {err}") from None


def _check_case(study: str, case: Mapping[str, Any]) -> None:
    params = _study_parameters(study)
    needs_cell = "cell" in params or "pack" in params
    for key in case:
        if not isinstance(key, str):
            raise InputError(f"key {key!r} is not a string")
    if needs_cell:
        _check_cell_keys(case)
    for key, value in case.items():
        if key == "chemistry" or key in THICKNESS_FACTORS or key in POROSITIES:
            if not needs_cell:
                raise InputError(f"{key!r}: study {study!r} takes no cell")
        elif key in PACK_KEYS:
            if "pack" not in params:
                raise InputError(f"{key!r}: study {study!r} takes no pack")
            check_number(key, value, low=0.0, low_inclusive=False)
        elif key == "vehicle" and "vehicle" in params:
            _check_vehicle(value)
        elif key == "cycle" and "cycle" in params:
            _check_cycle(value)
        elif key in params and key not in _BUILT:
            _check_study_argument(study, key, value)
        elif not (needs_cell and key in _base_parameter_keys(case["chemistry"])):
            if "[" in key:
                raise InputError(f"{key!r} is not a PyBaMM parameter of {case.get('chemistry')!r}")
            raise InputError(
                f"key {key!r} is unknown for study {study!r}; allowed: {_allowed_keys(study)}"
            )
    required = [p.name for p in params.values() if p.default is inspect.Parameter.empty]
    for name in required:
        if name == "pack":
            missing = [k for k in PACK_KEYS if k not in case]
            if missing:
                raise InputError(f"study {study!r} needs {missing[0]!r} to size the pack")
        elif name not in ("cell", "vehicle") and name not in case:
            raise InputError(f"study {study!r} needs {name!r}")


def _allowed_keys(study: str) -> list[str]:
    params = _study_parameters(study)
    allowed = [k for k in params if k not in ("cell", "pack")]
    if "cell" in params or "pack" in params:
        allowed += ["chemistry", *THICKNESS_FACTORS, *POROSITIES, "<PyBaMM parameter name>"]
    if "pack" in params:
        allowed += list(PACK_KEYS)
    return allowed


def _check_cell_keys(case: Mapping[str, Any]) -> None:
    from ..chemistry.cell import chemistries

    if "chemistry" not in case:
        raise InputError("'chemistry' is missing; allowed: " + ", ".join(chemistries()))
    chemistry = case["chemistry"]
    if not isinstance(chemistry, str) or chemistry not in chemistries():
        raise InputError(
            f"chemistry={chemistry!r} is unknown; available: {', '.join(chemistries())}"
        )
    base = _base_values(chemistry)
    updates = cell_updates(base, case)
    for key, value in updates.items():
        _check_parameter_value(key, value, base[key])
    for side in ("Negative", "Positive"):
        if f"{side} electrode porosity" not in base.keys():
            continue  # the Li-metal half cell has no porous negative electrode
        porosity = updates.get(f"{side} electrode porosity", base[f"{side} electrode porosity"])
        key = f"{side} electrode active material volume fraction"
        active = updates.get(key, base[key])
        if _is_number(porosity) and _is_number(active) and porosity + active > 1.0:
            raise InputError(
                f"{side.lower()} electrode porosity {porosity:g} + active material volume "
                f"fraction {active:g} = {porosity + active:g}; allowed: ≤ 1"
            )


def _check_parameter_value(key: str, value: Any, shipped: Any) -> None:
    if key.endswith("porosity") or key.endswith("volume fraction"):
        check_number(repr(key), value, low=0.0, high=1.0, low_inclusive=False,
                     high_inclusive=False)
    elif _is_number(shipped) and shipped > 0:
        check_number(repr(key), value, low=0.0, low_inclusive=False)
    else:
        check_number(repr(key), value)


def _check_vehicle(value: Any) -> None:
    from ..load.vehicle import Vehicle

    if not (value == "default" or isinstance(value, Vehicle)):
        raise InputError(f"vehicle={value!r} is unknown; allowed: 'default' or a Vehicle")


def _check_cycle(value: Any) -> None:
    from ..load.drive_cycle import DriveCycle

    if not isinstance(value, str):
        raise InputError(f"cycle={value!r} is not a drive-cycle name")
    if value.strip().lower() not in DriveCycle.standard_names():
        raise InputError(
            f"cycle={value!r} is unknown; available: {', '.join(DriveCycle.standard_names())}"
        )


def _check_study_argument(study: str, key: str, value: Any) -> None:
    from ..engine.registry import ENGINES

    if key in _STUDY_RANGES:
        module = import_module(STUDIES[study])
        low, high = getattr(module, _STUDY_RANGES[key], TEMPERATURE_RANGE_C)
        check_number(key, value, low=low, high=high)
    elif key in _STUDY_ARGUMENT_LIMITS:
        check_number(key, value, **_STUDY_ARGUMENT_LIMITS[key])
    elif key == "engine" and value not in ENGINES:
        raise InputError(f"engine={value!r} is unknown; allowed: {', '.join(ENGINES)}")
    elif key == "model" and value not in MODELS:
        raise InputError(f"model={value!r} is unknown; allowed: {', '.join(MODELS)}")


# ----------------------------------------------------------------------------------- building


def study_arguments(study: str, case: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``study`` for ``case`` (a case :func:`check_cases` accepted)."""
    from ..load.pack import Pack

    params = _study_parameters(study)
    arguments = {k: v for k, v in case.items() if k in params and k not in _BUILT}
    if "cell" in params or "pack" in params:
        cell = build_cell(case)
        if "cell" in params:
            arguments["cell"] = cell
        if "pack" in params:
            arguments["pack"] = Pack.sized(
                cell, energy_kWh=case["pack_kWh"], voltage_V=case["pack_voltage_V"]
            )
    if "vehicle" in params:
        arguments["vehicle"] = _vehicle(case.get("vehicle", "default"))
    if "cycle" in params:
        arguments["cycle"] = _cycle(case["cycle"])
    return arguments


def build_cell(case: Mapping[str, Any]):
    """The case's cell: its chemistry with the design factors and PyBaMM parameters applied."""
    base = _base_cell(case["chemistry"])
    updates = cell_updates(_base_values(case["chemistry"]), case)
    return base.with_parameters(updates) if updates else base


def cell_updates(base: Any, case: Mapping[str, Any]) -> dict[str, Any]:
    """PyBaMM parameter updates of ``case`` against the shipped values ``base``.

    Raises :class:`InputError` if a factor and the parameter it sets are both given.
    """
    keys = set(base.keys())
    updates = {k: v for k, v in case.items() if k in keys}
    for factor, side in THICKNESS_FACTORS.items():
        if factor in case:
            name = f"{side} electrode thickness [m]"
            _exclusive(factor, name, updates)
            scale = check_number(factor, case[factor], low=0.0, low_inclusive=False)
            updates[name] = base[name] * scale
    for factor, side in POROSITIES.items():
        if factor in case:
            porosity = check_number(factor, case[factor], low=0.0, high=1.0,
                                    low_inclusive=False, high_inclusive=False)
            names = [f"{side} electrode porosity",
                     f"{side} electrode active material volume fraction",
                     f"{side} electrode density [kg.m-3]"]
            for name in names:
                _exclusive(factor, name, updates)
            solid_scale = (1.0 - porosity) / (1.0 - base[names[0]])
            updates[names[0]] = porosity
            updates[names[1]] = base[names[1]] * solid_scale
            updates[names[2]] = base[names[2]] * solid_scale
    return updates


def _exclusive(factor: str, name: str, updates: Mapping[str, Any]) -> None:
    if name in updates:
        raise InputError(f"{factor!r} and {name!r} both set it; allowed: one of them")


@cache
def _base_cell(chemistry: str):
    """The shipped cell of ``chemistry``, built once per process."""
    from ..chemistry.cell import Cell

    return Cell.from_chemistry(chemistry)


@cache
def _base_values(chemistry: str):
    """The shipped cell's parameter values, copied once per process (read, never modified)."""
    return _base_cell(chemistry).parameter_values


@cache
def _base_parameter_keys(chemistry: str) -> frozenset[str]:
    return frozenset(_base_values(chemistry).keys())


@cache
def _cycle(name: str):
    """A shipped drive cycle, read once per process."""
    from ..load.drive_cycle import DriveCycle

    return DriveCycle.standard(name)


@cache
def _default_vehicle():
    from ..load.vehicle import Vehicle

    return Vehicle.default()


def _vehicle(value: Any):
    return _default_vehicle() if value == "default" else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
