"""cellsim: cell-level electrochemical simulation of EV battery chemistries.

Public names are imported lazily, so ``import cellsim`` is quick and PyBaMM, numba and
matplotlib load only when a function that needs them is first used.

>>> import cellsim
>>> cell = cellsim.Cell.from_chemistry("lfp")            # doctest: +SKIP
>>> cellsim.discharge(cell, c_rate=1).capacity_Ah          # doctest: +SKIP
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"

__version__ = "0.1.0"

_PUBLIC = {
    "Cell": "cellsim.chemistry.cell",
    "chemistries": "cellsim.chemistry.cell",
    "Factor": "cellsim.chemistry.factor",
    "discharge": "cellsim.studies.discharge",
    "charge": "cellsim.studies.discharge",
    "DischargeResult": "cellsim.studies.discharge",
    "plot_discharge": "cellsim.presentation.plots",
    "plot_degradation_modes": "cellsim.presentation.ageing_plots",
    "plot_voltage_curves": "cellsim.presentation.ageing_plots",
    "plot_range": "cellsim.presentation.plots",
    "plot_soh": "cellsim.presentation.plots",
    "plot_fast_charge": "cellsim.presentation.plots",
    "plot_sweep": "cellsim.presentation.plots",
    "color_for": "cellsim.presentation.palette",
    "compare": "cellsim.studies.compare",
    "Comparison": "cellsim.studies.compare",
    "CellsimError": "cellsim.errors",
    "InputError": "cellsim.errors",
    "ParameterFileError": "cellsim.errors",
    "DriveCycleError": "cellsim.errors",
    "SimulationError": "cellsim.errors",
    "DriveCycle": "cellsim.load.drive_cycle",
    "Vehicle": "cellsim.load.vehicle",
    "Pack": "cellsim.load.pack",
    "range_test": "cellsim.studies.range_test",
    "epa_combined_range": "cellsim.studies.range_test",
    "RangeResult": "cellsim.studies.range_test",
    "sweep": "cellsim.studies.sweep",
    "grid": "cellsim.studies.cases",
    "latin_hypercube": "cellsim.studies.cases",
    "Usage": "cellsim.load.usage",
    "Climate": "cellsim.load.climate",
    "lifetime": "cellsim.studies.lifetime",
    "LifetimeResult": "cellsim.studies.lifetime",
    "fast_charge": "cellsim.studies.fast_charge",
    "Measurement": "cellsim.load.measurement",
    "replay": "cellsim.studies.replay",
    "ReplayResult": "cellsim.studies.replay",
    "fit": "cellsim.studies.fit",
    "FitResult": "cellsim.studies.fit",
    "oven_test": "cellsim.studies.abuse",
    "arc_test": "cellsim.studies.abuse",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'cellsim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
