"""Constant-current discharge and charge curves of a cell at a C-rate and temperature."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.registry import get_engine
from ..validation import check_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TEMPERATURE_RANGE_C = (-40.0, 80.0)
MAX_C_RATE = 20.0


@dataclass
class DischargeResult:
    """A constant-current discharge (or charge) of one cell.

    Attributes
    ----------
    data
        Tidy DataFrame: ``time_s, voltage_V, current_A, power_W, capacity_Ah, soc,
        temperature_C`` (capacity is the charge moved since the start, positive on discharge).
    cell, c_rate, temperature_C, model, engine
        What was run.
    stop_reason
        Why the run ended (``"voltage_min"`` at the lower cut-off for a discharge).
    solution
        The ``pybamm.Solution`` (reference engine) for users who want every PyBaMM variable.
    """

    data: pd.DataFrame
    cell: object
    c_rate: float
    temperature_C: float
    model: str
    engine: str
    stop_reason: str | None
    solution: object | None = field(default=None, repr=False)

    @property
    def capacity_Ah(self) -> float:
        """Charge moved over the run (Ah, positive for a discharge and for a charge)."""
        return float(abs(self.data["capacity_Ah"].iloc[-1]))

    @property
    def energy_Wh(self) -> float:
        """Energy delivered (or taken on charge), ∫|V·I| dt."""
        return float(abs(np.trapezoid(self.data["power_W"], self.data["time_s"])) / 3600)

    @property
    def mean_voltage_V(self) -> float:
        """Energy over capacity."""
        return self.energy_Wh / self.capacity_Ah

    @property
    def specific_capacity_Ah_per_kg(self) -> np.ndarray:
        """Discharged capacity per cell mass along the curve."""
        return self.data["capacity_Ah"].to_numpy() / self.cell.mass_kg

    def summary(self) -> dict[str, float | str]:
        """Scalar results as a flat dict (what a sweep stores per case)."""
        capacity_Ah, energy_Wh = self.capacity_Ah, self.energy_Wh
        return {
            "capacity_Ah": capacity_Ah,
            "energy_Wh": energy_Wh,
            "mean_voltage_V": energy_Wh / capacity_Ah,
            "specific_energy_Wh_per_kg": energy_Wh / self.cell.mass_kg,
            "peak_temperature_C": float(self.data["temperature_C"].max()),
        }

    def plot(self) -> Figure:
        """Voltage against discharged capacity (delegates to
        :func:`cellsim.presentation.plots.plot_discharge`, imported here so the plotting code
        lives in the presentation layer; pass several results to that function to overlay
        them)."""
        from ..presentation.plots import plot_discharge

        return plot_discharge([self])

    @property
    def label(self) -> str:
        """Short legend label, e.g. ``"ncm811 1C 25 °C"``."""
        return f"{self.cell.chemistry} {self.c_rate:g}C {self.temperature_C:g} °C"


def discharge(
    cell,
    c_rate: float,
    temperature_C: float = 25.0,
    model: str = "DFN",
    engine: str = "pybamm",
    thermal: str = "isothermal",
) -> DischargeResult:
    """Discharge ``cell`` from 100 % SOC at ``c_rate`` to its lower cut-off voltage.

    Parameters
    ----------
    cell
        A :class:`~cellsim.Cell`.
    c_rate
        Current as a multiple of the nominal capacity (1 = one-hour rate); > 0.
    temperature_C
        Ambient (and initial) temperature, −40 to 80 °C.
    model
        ``"SPM"``, ``"SPMe"`` or ``"DFN"`` (the fast engine runs ``"SPMe"`` only).
    engine
        ``"pybamm"`` (reference) or ``"fast"``.
    thermal
        ``"isothermal"`` (cell held at ``temperature_C``) or ``"lumped"``.
    """
    return _constant_current(cell, c_rate, temperature_C, model, engine, thermal, discharge=True)


def charge(
    cell,
    c_rate: float,
    temperature_C: float = 25.0,
    model: str = "DFN",
    engine: str = "pybamm",
    thermal: str = "isothermal",
) -> DischargeResult:
    """Charge ``cell`` from 0 % SOC at ``c_rate`` to its upper cut-off voltage (constant current).

    Parameters are those of :func:`discharge`.
    """
    return _constant_current(cell, c_rate, temperature_C, model, engine, thermal, discharge=False)


def _constant_current(cell, c_rate, temperature_C, model, engine, thermal, *, discharge: bool):
    c_rate = check_number("c_rate", c_rate, low=0, high=MAX_C_RATE, low_inclusive=False)
    temperature_C = check_number("temperature_C", temperature_C, low=TEMPERATURE_RANGE_C[0],
                                 high=TEMPERATURE_RANGE_C[1])
    runner = get_engine(engine)
    sim = runner.start(
        cell, soc=1.0 if discharge else 0.0, ambient_C=temperature_C, model=model, thermal=thermal
    )
    current_A = c_rate * cell.nominal_capacity_Ah
    # Long enough to reach the cut-off even for a cell above its nominal capacity.
    duration_s = 1.5 * 3600 / c_rate + 3600
    segment = sim.current(current_A if discharge else -current_A, duration_s)
    data = segment.trace.to_frame()
    if not discharge:
        data["capacity_Ah"] = -data["capacity_Ah"]
        data["power_W"] = -data["power_W"]
    return DischargeResult(
        data=data,
        cell=cell,
        c_rate=c_rate,
        temperature_C=temperature_C,
        model=model,
        engine=runner.name,
        stop_reason=segment.stop_reason,
        solution=segment.raw,
    )
