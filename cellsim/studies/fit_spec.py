"""A fit spec (TOML): start cell, measurement files and the fit stages, run in one call.

::

    cell = "ncm811"                    # a shipped chemistry id or a parameter file (relative
                                       # paths are relative to the spec)
    id = "lgm50"                       # id and name of the fitted cell
    name = "LG M50, fitted to WMG 25 C discharges"
    output = "parameter_sets/fitted/lgm50.toml"

    voltage_min_V = 2.5                # optional: the measured cell's voltage window
    voltage_max_V = 4.2

    changes_source = "datasheet ..."   # optional: where the [changes] come from (the source of
                                       # their block in the fitted file)
    format = "cylindrical 21700"       # optional: the measured cell's format, description and
    description = "..."                # [housing] (replace the start cell's; the housing is
    [housing]                          # mass and volume outside the electrode stack)
    mass_kg = 0.0125
    volume_L = 0.0050
    source = "..."

    [changes]                          # optional, before fitting: value or { factor = f }
    "Electrode width [m]" = { factor = 0.58 }

    [[measurements]]
    name = "1C"
    file = "../shared/measured/lgm50/lgm50_discharge_1C_25degC.csv"
    temperature = "surface_temperature_C"   # optional; also time, current, voltage,
    ambient_C = 25.0                        # discharge_positive as in Measurement.from_csv
    resample_s = 5.0                        # optional: mean current over 5 s windows
    end_s = 80000.0                         # optional: use the samples up to this time

    [[stages]]                         # each stage fits the previous stage's cell
    measurements = ["1C"]
    parameters = { "Negative particle diffusivity [m2.s-1]" = [0.1, 10] }
    max_evaluations = 40               # optional
    starts = 4                         # optional: multi-start (3 random starts in the bounds)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..chemistry.cell import Cell, chemistries
from ..chemistry.factor import Factor
from ..errors import InputError
from ..load.measurement import Measurement
from ..validation import check_number
from .fit import FitResult, fit, record_stage
from .spec_file import read_spec

_MEASUREMENT_KEYS = {"name", "file", "time", "current", "voltage", "temperature", "ambient_C",
                     "discharge_positive", "resample_s", "end_s"}


@dataclass
class FitSpec:
    """A parsed fit spec (see the module notes)."""

    path: Path
    cell: Cell
    cell_id: str
    name: str
    output: Path
    measurements: dict[str, Measurement]
    stages: list[dict[str, Any]]


def load_fit_spec(path: str | Path) -> FitSpec:
    """Read and check a fit spec; load its cell and measurements."""
    path = Path(path)
    data = read_spec(path, "fit")
    where = path.parent
    for key in ("cell", "id", "name", "output", "measurements", "stages"):
        if key not in data:
            raise InputError(f"{path}: key {key!r} missing")
    if not isinstance(data.get("changes_source", ""), str):
        raise InputError(f"{path}: changes_source={data['changes_source']!r} must be a string "
                         "(the source of the [changes])")
    cell_ref = data["cell"]
    cell = (Cell.from_chemistry(cell_ref) if cell_ref in chemistries()
            else Cell.from_file(where / cell_ref))
    cell = _with_format_and_housing(cell, data, path)
    changes = {key: (Factor(value["factor"]) if isinstance(value, dict) else value)
               for key, value in data.get("changes", {}).items()}
    window = {}
    for key, pybamm_key in (("voltage_min_V", "Lower voltage cut-off [V]"),
                            ("voltage_max_V", "Upper voltage cut-off [V]")):
        if key in data:
            window[key] = check_number(f"{path}: {key}", data[key], low=0.0, high=6.0)
            changes[pybamm_key] = window[key]
    if changes:
        cell = replace(cell.with_parameters(changes, name=data["name"]), **window)
        if "changes_source" in data:
            record_stage(cell, {"name": "changes before fitting", "keys": sorted(changes),
                                "source": f"fit spec {path.parent.name}/{path.name}: "
                                          f"{data['changes_source']}"})
    measurements = {}
    for entry in data["measurements"]:
        unknown = set(entry) - _MEASUREMENT_KEYS
        if unknown or "file" not in entry or "name" not in entry:
            raise InputError(f"{path}: measurement {entry!r} needs 'name' and 'file' and takes "
                             f"only {sorted(_MEASUREMENT_KEYS)}")
        options = {k: entry[k] for k in ("time", "current", "voltage", "temperature",
                                         "ambient_C", "discharge_positive") if k in entry}
        m = Measurement.from_csv(where / entry["file"], name=entry["name"], **options)
        if "end_s" in entry:
            m = m.until(entry["end_s"])
        measurements[entry["name"]] = m.resampled(entry["resample_s"]) \
            if "resample_s" in entry else m
    for k, stage in enumerate(data["stages"]):
        missing = [n for n in stage.get("measurements", []) if n not in measurements]
        if missing or not stage.get("measurements") or not stage.get("parameters"):
            raise InputError(f"{path}: stages[{k}] needs 'measurements' (names of "
                             f"[[measurements]], unknown: {missing}) and 'parameters'")
    return FitSpec(path, cell, data["id"], data["name"], where / data["output"], measurements,
                   list(data["stages"]))


def _with_format_and_housing(cell: Cell, data: dict[str, Any], path: Path) -> Cell:
    """``cell`` with the spec's ``format``, ``description`` and ``[housing]`` in place of its
    parameter file's."""
    pset = cell.parameter_set
    for key in ("format", "description"):
        if key in data:
            if not isinstance(data[key], str):
                raise InputError(f"{path}: {key}={data[key]!r} must be a string")
            pset = replace(pset, **{key: data[key]})
    if "housing" in data:
        housing = data["housing"]
        if not isinstance(housing, dict) or not isinstance(housing.get("source"), str):
            raise InputError(f"{path}: [housing] needs mass_kg, volume_L and source (a string), "
                             f"not {housing!r}")
        for key in ("mass_kg", "volume_L"):
            check_number(f"{path}: housing.{key}", housing.get(key), low=0.0)
        pset = replace(pset, housing=dict(housing))
    return cell if pset is cell.parameter_set else replace(cell, parameter_set=pset)


def run_fit_spec(spec: FitSpec, *, workers: int | None = None) -> list[FitResult]:
    """Run every stage of ``spec`` in order (each from the previous stage's fitted cell)."""
    cell = spec.cell
    results = []
    for stage in spec.stages:
        result = fit(cell, [spec.measurements[n] for n in stage["measurements"]],
                     {k: tuple(v) for k, v in stage["parameters"].items()}, workers=workers,
                     max_evaluations=int(stage.get("max_evaluations", 60)),
                     starts=int(stage.get("starts", 1)))
        results.append(result)
        cell = result.cell
    return results
