"""Read and validate a cellsim parameter-set file (TOML) into a :class:`ParameterSet`.

A parameter-set file names a PyBaMM base set, then overrides PyBaMM keys in blocks, each block
with its literature source. Values are numbers, strings, booleans or one of these tables:

``{ value = D, activation_energy_J_per_mol = Ea }``
    Arrhenius law ``D·exp(Ea/R·(1/T_ref − 1/T))`` for any PyBaMM function whose last argument is
    the temperature (diffusivities, conductivities, the Li-metal exchange current, ...).
``{ value = D, activation_energy_J_per_mol = Ea, stoichiometry = [x...], factor = [f...] }``
    A particle diffusivity that also depends on the stoichiometry (e.g. from GITT):
    ``D·f(x)·exp(Ea/R·(1/T_ref − 1/T))``, ``f`` tabulated (> 0, at the increasing ``x`` within
    0–1) and interpolated linearly in ``log10 f``, constant beyond the table's ends.
``{ rate_constant = k, activation_energy_J_per_mol = Ea }``
    Butler–Volmer exchange-current density ``k·arrh(T)·c_e^0.5·c_s^0.5·(c_s_max − c_s)^0.5``.
``{ from = "OKane2022" [, key = "..."] }``
    The value or function of that key in another PyBaMM parameter set.
``{ scale = f }``
    ``f`` times the value or function the key has before this block (a fitted factor on,
    e.g., a diffusivity or exchange-current function; see :func:`cellsim.fit`).
``{ stoichiometry = [x...], ocp_V = [U...] }``
    An open-circuit potential tabulated against stoichiometry (increasing, 0–1, at least two
    points), interpolated linearly (e.g. a potential derived from a measured pseudo-OCV).

The format is described with examples in ``parameter_sets/README.md``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .._pybamm import pybamm
from ..errors import ParameterFileError

GAS_CONSTANT_J_PER_MOL_K = 8.314462618  # CODATA 2018
REFERENCE_TEMPERATURE_K = 298.15

FAMILIES = ("NCM", "LFP", "solid-state")

_REQUIRED = {
    "schema": int,
    "id": str,
    "name": str,
    "family": str,
    "nickel_fraction": float,
    "format": str,
    "nominal_capacity_Ah": float,
    "voltage_min_V": float,
    "voltage_max_V": float,
}
_OPTIONAL = {"projection": bool, "description": str}
_TABLES = ("model", "stack", "housing", "reference_cell", "pack", "abuse")
_LIST_TABLES = ("blocks",)


@dataclass(frozen=True)
class ParameterSet:
    """A validated parameter-set file: metadata plus the recipe for PyBaMM parameter values.

    Build the actual ``pybamm.ParameterValues`` with :meth:`parameter_values` (a fresh object
    each call, so callers may change it freely).
    """

    path: Path
    id: str
    name: str
    family: str
    nickel_fraction: float
    format: str
    nominal_capacity_Ah: float
    voltage_min_V: float
    voltage_max_V: float
    projection: bool = False
    description: str = ""
    base: str | None = None
    model_options: dict[str, Any] = field(default_factory=dict)
    stack: dict[str, Any] = field(default_factory=dict)
    housing: dict[str, Any] = field(default_factory=dict)
    reference_cell: dict[str, Any] = field(default_factory=dict)
    pack: dict[str, Any] = field(default_factory=dict)
    abuse: dict[str, Any] = field(default_factory=dict)
    blocks: tuple[dict[str, Any], ...] = ()

    def parameter_values(self):
        """Return a new ``pybamm.ParameterValues``: the base set with every block applied."""
        pb = pybamm()
        values = pb.ParameterValues(self.base) if self.base else pb.ParameterValues({})
        for block in self.blocks:
            updates = {
                key: (_scaled(self.path, block["name"], key, values, raw["scale"])
                      if isinstance(raw, dict) and "scale" in raw
                      else _resolve(self.path, block["name"], key, raw))
                for key, raw in block["parameters"].items()
            }
            values.update(updates, check_already_exists=False)
        values.update(
            {
                "Lower voltage cut-off [V]": self.voltage_min_V,
                "Upper voltage cut-off [V]": self.voltage_max_V,
                "Nominal cell capacity [A.h]": self.nominal_capacity_Ah,
            },
            check_already_exists=False,
        )
        return values

    @property
    def sources(self) -> dict[str, str]:
        """Literature source of each block, by block name."""
        return {block["name"]: block["source"] for block in self.blocks}


def load_parameter_file(path: str | Path) -> ParameterSet:
    """Read, validate and return the parameter set in ``path``.

    Raises
    ------
    ParameterFileError
        Naming the file and the key, if the file cannot be read or a key is missing, unknown,
        of the wrong type or out of range.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterFileError(f"{path}: no such parameter file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ParameterFileError(f"{path}: not valid TOML ({err})") from None
    return _validate(path, data)


def _validate(path: Path, data: dict[str, Any]) -> ParameterSet:
    def fail(key: str, why: str) -> ParameterFileError:
        return ParameterFileError(f"{path}: key '{key}': {why}")

    allowed = set(_REQUIRED) | set(_OPTIONAL) | set(_TABLES) | set(_LIST_TABLES)
    for key in data:
        if key not in allowed:
            raise fail(key, f"unknown key; allowed: {', '.join(sorted(allowed))}")
    meta: dict[str, Any] = {}
    for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
        if key not in data:
            if key in _REQUIRED:
                raise fail(key, "missing")
            continue
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(key, f"expected {kind.__name__}, got {value!r}")
        meta[key] = value
    if meta.pop("schema") != 1:
        raise fail("schema", f"version {data['schema']} not supported; allowed: 1")
    if meta["family"] not in FAMILIES:
        raise fail("family", f"{meta['family']!r} not one of {FAMILIES}")
    if not 0.0 <= meta["nickel_fraction"] <= 1.0:
        raise fail("nickel_fraction", f"{meta['nickel_fraction']} outside [0, 1]")
    if not (math.isfinite(meta["nominal_capacity_Ah"]) and meta["nominal_capacity_Ah"] > 0):
        raise fail("nominal_capacity_Ah", f"{meta['nominal_capacity_Ah']} must be > 0")
    if not 0 < meta["voltage_min_V"] < meta["voltage_max_V"] <= 6:
        raise fail(
            "voltage_min_V",
            f"window {meta['voltage_min_V']}–{meta['voltage_max_V']} V must satisfy 0 < min < max ≤ 6",
        )
    tables = {}
    for key in _TABLES:
        table = data.get(key, {})
        if not isinstance(table, dict):
            raise fail(key, f"expected a table, got {table!r}")
        tables[key] = table
    for key, entry in tables["housing"].items():
        if key in ("mass_kg", "volume_L") and not (isinstance(entry, int | float) and entry >= 0):
            raise fail(f"housing.{key}", f"{entry!r} must be a number ≥ 0")
    ratios = {k: v for k, v in tables["pack"].items() if k.endswith("_ratio")}
    for key, entry in ratios.items():
        if not (isinstance(entry, int | float) and 0 < entry <= 1):
            raise fail(f"pack.{key}", f"{entry!r} must be in (0, 1]")
    if tables["abuse"]:
        validate_abuse(path, tables["abuse"])
    base = tables["model"].get("base")
    if base is not None:
        _check_pybamm_set(path, "model.base", base)
    options = tables["model"].get("options", {})
    if not isinstance(options, dict):
        raise fail("model.options", f"expected a table of PyBaMM model options, got {options!r}")
    blocks = data.get("blocks", [])
    if not isinstance(blocks, list):
        raise fail("blocks", "expected an array of tables ([[blocks]])")
    for i, block in enumerate(blocks):
        label = f"blocks[{i}]"
        for key in ("name", "source"):
            if not isinstance(block.get(key), str):
                raise fail(f"{label}.{key}", "missing or not a string")
        if not isinstance(block.get("parameters"), dict):
            raise fail(f"{label}.parameters", "missing or not a table")
        for key, raw in block["parameters"].items():
            _check_value(path, f"{block['name']}: '{key}'", raw, key)
    return ParameterSet(
        path=path,
        base=base,
        model_options=dict(options),
        stack=tables["stack"],
        housing=tables["housing"],
        reference_cell=tables["reference_cell"],
        pack=tables["pack"],
        abuse=tables["abuse"],
        blocks=tuple(blocks),
        **meta,
    )


ABUSE_FORMS = ("first_order", "autocatalytic", "sei_limited")
ABUSE_REACTANTS = ("negative", "positive", "electrolyte")
ABUSE_SCALINGS = ("none", "positive_delithiation")
_ABUSE_POSITIVE = ("frequency_factor_per_s", "activation_energy_J_per_mol", "enthalpy_J_per_g")


def validate_abuse(path: Path | str, table: dict[str, Any]) -> None:
    """Check an ``[abuse]`` table (decomposition kinetics, see ``parameter_sets/README.md``).

    Required: ``source``, ``emissivity`` (0–1) and ``[[abuse.reactions]]``, each with ``name``,
    ``form`` (one of :data:`ABUSE_FORMS`), ``reactant`` (one of :data:`ABUSE_REACTANTS`),
    ``frequency_factor_per_s``, ``activation_energy_J_per_mol``, ``enthalpy_J_per_g`` (all > 0)
    and ``source``; ``initial_fraction`` (0–1, or ``"negative_lithiation"`` for the negative
    electrode's lithium at the cell's state of charge) for ``first_order`` and ``sei_limited``,
    ``initial_conversion`` (0–1, exclusive) for ``autocatalytic``, ``sei_thickness_reference``
    and ``initial_sei_thickness`` (> 0) for ``sei_limited``; optional ``threshold_C`` and
    ``mass_scaling`` (one of :data:`ABUSE_SCALINGS`). Optional ``[abuse.arc_reference]`` (a
    measured ARC T2): ``trigger_C`` (a number), ``source`` and ``verified`` (true only when the
    value was read in the source itself, not recalled or quoted second-hand).

    Raises
    ------
    ParameterFileError
        Naming the file and the key.
    """

    def fail(key: str, why: str) -> ParameterFileError:
        return ParameterFileError(f"{path}: key 'abuse.{key}': {why}")

    def number(where: str, value: Any, low: float, high: float | None, low_open: bool = True):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ok = ok and (value > low if low_open else value >= low) and (high is None or value <= high)
        if not ok:
            bound = f"{'>' if low_open else '≥'} {low:g}" + ("" if high is None else f" and ≤ {high:g}")
            raise fail(where, f"{value!r} must be a number {bound}")

    if not isinstance(table.get("source"), str):
        raise fail("source", "missing or not a string")
    number("emissivity", table.get("emissivity"), 0.0, 1.0, low_open=False)
    reactions = table.get("reactions")
    if not isinstance(reactions, list) or not reactions:
        raise fail("reactions", "missing; expected an array of tables ([[abuse.reactions]])")
    names = set()
    for i, reaction in enumerate(reactions):
        label = f"reactions[{i}]"
        if not isinstance(reaction, dict):
            raise fail(label, f"expected a table, got {reaction!r}")
        for key in ("name", "source"):
            if not isinstance(reaction.get(key), str):
                raise fail(f"{label}.{key}", "missing or not a string")
        if reaction["name"] in names:
            raise fail(f"{label}.name", f"{reaction['name']!r} appears twice")
        names.add(reaction["name"])
        for key, allowed in (("form", ABUSE_FORMS), ("reactant", ABUSE_REACTANTS)):
            if reaction.get(key) not in allowed:
                raise fail(f"{label}.{key}", f"{reaction.get(key)!r} not one of {allowed}")
        if reaction.get("mass_scaling", "none") not in ABUSE_SCALINGS:
            raise fail(f"{label}.mass_scaling",
                       f"{reaction.get('mass_scaling')!r} not one of {ABUSE_SCALINGS}")
        for key in _ABUSE_POSITIVE:
            number(f"{label}.{key}", reaction.get(key), 0.0, None)
        if "threshold_C" in reaction:
            number(f"{label}.threshold_C", reaction["threshold_C"], -273.15, None)
        if reaction["form"] == "autocatalytic":
            value = reaction.get("initial_conversion")
            number(f"{label}.initial_conversion", value, 0.0, None)
            if value >= 1.0:
                raise fail(f"{label}.initial_conversion", f"{value!r} must be < 1")
        elif reaction.get("initial_fraction") != "negative_lithiation":
            number(f"{label}.initial_fraction", reaction.get("initial_fraction"), 0.0, 1.0,
                   low_open=False)
        if reaction["form"] == "sei_limited":
            for key in ("sei_thickness_reference", "initial_sei_thickness"):
                number(f"{label}.{key}", reaction.get(key), 0.0, None)
    reference = table.get("arc_reference")
    if reference is not None:
        if not isinstance(reference, dict):
            raise fail("arc_reference", f"expected a table, got {reference!r}")
        number("arc_reference.trigger_C", reference.get("trigger_C"), -273.15, None)
        if not isinstance(reference.get("source"), str):
            raise fail("arc_reference.source", "missing or not a string")
        if not isinstance(reference.get("verified"), bool):
            raise fail("arc_reference.verified",
                       f"{reference.get('verified')!r}: expected true or false (was the value read "
                       "in the source itself?)")


def _check_value(path: Path, where: str, raw: Any, key: str) -> None:
    if isinstance(raw, bool | str):
        return
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ParameterFileError(f"{path}: key {where}: value {raw!r} is not finite")
        return
    if not isinstance(raw, dict):
        raise ParameterFileError(f"{path}: key {where}: unsupported value {raw!r}")
    forms = (
        {"scale"},
        {"from"},
        {"from", "key"},
        {"value", "activation_energy_J_per_mol"},
        {"value", "activation_energy_J_per_mol", "reference_temperature_K"},
        {"value", "activation_energy_J_per_mol", "stoichiometry", "factor"},
        {"rate_constant", "activation_energy_J_per_mol"},
        {"rate_constant", "activation_energy_J_per_mol", "reference_temperature_K"},
        {"stoichiometry", "ocp_V"},
    )
    if set(raw) not in forms:
        raise ParameterFileError(
            f"{path}: key {where}: table {raw!r} must have the keys of one of "
            f"{[sorted(f) for f in forms]}"
        )
    if "from" in raw:
        _check_pybamm_set(path, where, raw["from"])
        return
    if "ocp_V" in raw:
        _check_table(path, where, raw["stoichiometry"], raw["ocp_V"], "ocp_V")
        return
    if "factor" in raw:
        if not key.endswith("particle diffusivity [m2.s-1]"):
            raise ParameterFileError(
                f"{path}: key {where}: a table with stoichiometry and factor is a particle "
                "diffusivity; allowed only for keys ending 'particle diffusivity [m2.s-1]'")
        _check_table(path, where, raw["stoichiometry"], raw["factor"], "factor")
        if min(raw["factor"]) <= 0.0:
            raise ParameterFileError(
                f"{path}: key {where}.factor: {min(raw['factor'])!r} must be > 0 (interpolated "
                "in log10)")
        raw = {k: raw[k] for k in ("value", "activation_energy_J_per_mol")}
    for field_name, number in raw.items():
        if not isinstance(number, int | float) or not math.isfinite(number):
            raise ParameterFileError(
                f"{path}: key {where}.{field_name}: {number!r} is not a number")


def _check_table(path: Path, where: str, stoichiometry: Any, column: Any, name: str) -> None:
    """A tabulated function of stoichiometry: equal-length lists of finite numbers,
    stoichiometry increasing within 0–1."""
    def numbers(values: Any) -> bool:
        return isinstance(values, list) and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values)

    if not (numbers(stoichiometry) and numbers(column) and len(stoichiometry) == len(column) >= 2
            and all(a < b for a, b in zip(stoichiometry, stoichiometry[1:], strict=False))
            and 0.0 <= stoichiometry[0] and stoichiometry[-1] <= 1.0):
        raise ParameterFileError(
            f"{path}: key {where}: stoichiometry and {name} must be lists of finite numbers of "
            "equal length (at least 2), stoichiometry increasing within 0-1")


def tabulated_potential(name: str, stoichiometry: list[float], ocp_V: list[float]):
    """Return a PyBaMM OCP function ``U(sto, *rest)``: ``ocp_V`` interpolated linearly in
    ``stoichiometry``."""
    x, y = np.asarray(stoichiometry, dtype=float), np.asarray(ocp_V, dtype=float)

    def potential(sto, *rest):
        return pybamm().Interpolant(x, y, sto, name=name, interpolator="linear")

    return potential


@cache
def _pybamm_set(name: str):
    return pybamm().ParameterValues(name)


def _check_pybamm_set(path: Path, where: str, name: Any) -> None:
    available = sorted(pybamm().parameter_sets.keys())
    if name not in available:
        raise ParameterFileError(
            f"{path}: key {where}: unknown PyBaMM parameter set {name!r}; available: "
            f"{', '.join(available)}"
        )


def _scaled(path: Path, block: str, key: str, values, factor: float) -> Any:
    """``factor`` times the value (or function) ``key`` has in ``values``."""
    from .factor import Factor, apply_factor

    if key not in values.keys():
        raise ParameterFileError(f"{path}: block {block!r}, key '{key}': 'scale' needs a value "
                                 "from the base set or an earlier block")
    return apply_factor(key, values[key], Factor(factor))


def _resolve(path: Path, block: str, key: str, raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    if "from" in raw:
        source_key = raw.get("key", key)
        source = _pybamm_set(raw["from"])
        if source_key not in source.keys():
            raise ParameterFileError(
                f"{path}: block {block!r}, key '{key}': {raw['from']} has no key '{source_key}'"
            )
        return source[source_key]
    if "ocp_V" in raw:
        return tabulated_potential(key, raw["stoichiometry"], raw["ocp_V"])
    t_ref = raw.get("reference_temperature_K", REFERENCE_TEMPERATURE_K)
    energy = raw["activation_energy_J_per_mol"]
    if "factor" in raw:
        return stoichiometry_arrhenius(key, raw["value"], energy, raw["stoichiometry"],
                                       raw["factor"])
    if "value" in raw:
        return arrhenius(raw["value"], energy, t_ref)
    return butler_volmer_exchange_current(raw["rate_constant"], energy, t_ref)


def _arrhenius_factor(temperature_K, activation_energy_J_per_mol: float, reference_K: float):
    pb = pybamm()
    return pb.exp(activation_energy_J_per_mol / GAS_CONSTANT_J_PER_MOL_K * (1 / reference_K - 1 / temperature_K))


def arrhenius(value: float, activation_energy_J_per_mol: float, reference_K: float = REFERENCE_TEMPERATURE_K):
    """Return a PyBaMM function ``f(*args, T) = value·exp(Ea/R·(1/T_ref − 1/T))``.

    The temperature is the last argument, as in every PyBaMM property function.
    """

    def function(*args):
        return value * _arrhenius_factor(args[-1], activation_energy_J_per_mol, reference_K)

    return function


def stoichiometry_arrhenius(name: str, value: float, activation_energy_J_per_mol: float,
                            stoichiometry: list[float], factor: list[float]):
    """Return a PyBaMM diffusivity ``D(sto, T) = value·f(sto)·exp(Ea/R·(1/T_ref − 1/T))``.

    ``f`` is ``factor`` at ``stoichiometry``, interpolated linearly in ``log10 f`` and constant
    beyond the ends (a diffusivity varies over decades, e.g. NMC near full lithiation).
    """
    x = np.asarray(stoichiometry, dtype=float)
    log_f = np.log10(np.asarray(factor, dtype=float))

    def diffusivity(sto, T):
        pb = pybamm()
        inside = pb.maximum(pb.minimum(sto, float(x[-1])), float(x[0]))
        shape = 10.0 ** pb.Interpolant(x, log_f, inside, name=f"{name} factor",
                                       interpolator="linear")
        return value * shape * _arrhenius_factor(T, activation_energy_J_per_mol,
                                                 REFERENCE_TEMPERATURE_K)

    return diffusivity


def butler_volmer_exchange_current(
    rate_constant: float, activation_energy_J_per_mol: float, reference_K: float = REFERENCE_TEMPERATURE_K
):
    """Return PyBaMM's usual exchange-current density ``j0(c_e, c_s_surf, c_s_max, T)`` [A.m-2]."""

    def exchange_current_density(c_e, c_s_surf, c_s_max, T):
        factor = _arrhenius_factor(T, activation_energy_J_per_mol, reference_K)
        return rate_constant * factor * c_e**0.5 * c_s_surf**0.5 * (c_s_max - c_s_surf) ** 0.5

    return exchange_current_density
