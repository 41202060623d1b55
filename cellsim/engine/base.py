"""The interface every engine implements, and the time series it returns.

An engine turns a :class:`~cellsim.chemistry.cell.Cell` and a load into time series. Two engines
sit behind this interface: ``"pybamm"`` (the reference, PyBaMM models solved with IDAKLU) and
``"fast"`` (the numba SPMe + lumped thermal loop). Studies only talk to this interface.

Sign convention (as PyBaMM): current and power are positive on discharge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

StopReason = Literal["voltage_min", "voltage_max", "current_min", "power_limited", "soc_limit"]

TRACE_COLUMNS = (
    "time_s",
    "voltage_V",
    "current_A",
    "power_W",
    "capacity_Ah",
    "soc",
    "temperature_C",
)


@dataclass
class Trace:
    """Time series of one cell over a run or part of it.

    ``capacity_Ah`` is the charge discharged since the start of the segment (negative while
    charging); ``soc`` is the state of charge from the electrodes' lithium content (0 to 1 between
    the parameter set's voltage limits at equilibrium).
    """

    time_s: np.ndarray
    voltage_V: np.ndarray
    current_A: np.ndarray
    power_W: np.ndarray
    capacity_Ah: np.ndarray
    soc: np.ndarray
    temperature_C: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return the trace as a tidy DataFrame with the columns of :data:`TRACE_COLUMNS`."""
        return pd.DataFrame({name: np.asarray(getattr(self, name)) for name in TRACE_COLUMNS})


@dataclass
class Segment:
    """Result of one step of a run (a discharge, a drive-cycle profile, a rest, ...).

    Attributes
    ----------
    trace
        The time series of the step; time restarts at 0 for each segment.
    stop_reason
        ``None`` if the step ran to its end, otherwise why it stopped early.
    stop_time_s
        Time within the segment at which it stopped (the last time of the trace if it did not).
    raw
        Engine-specific object for users who want more (the ``pybamm.Solution`` for PyBaMM).
    """

    trace: Trace
    stop_reason: StopReason | None = None
    stop_time_s: float | None = None
    raw: object | None = field(default=None, repr=False)


class Simulation(Protocol):
    """A cell in a given state, advanced step by step. Each call continues from the last state."""

    def current(
        self,
        current_A: float,
        duration_s: float,
        *,
        v_min_V: float | None = None,
        v_max_V: float | None = None,
    ) -> Segment:
        """Hold a constant current (positive = discharge) until the duration or a voltage limit."""
        ...

    def power(self, power_W: np.ndarray, dt_s: float = 1.0) -> Segment:
        """Follow a per-cell power profile (piecewise constant, one value per ``dt_s``).

        Stops with ``"power_limited"`` at the first step whose demand the cell cannot deliver
        above its minimum voltage; that is a result, not an error.
        """
        ...

    def rest(self, duration_s: float) -> Segment:
        """Zero current for ``duration_s``."""
        ...

    def cccv(self, current_A: float, v_max_V: float, i_cut_A: float) -> Segment:
        """Charge at ``current_A`` (a positive number) to ``v_max_V``, then hold the voltage
        until the current falls below ``i_cut_A``."""
        ...

    @property
    def soc(self) -> float:
        """State of charge now (0 to 1)."""
        ...

    @property
    def temperature_C(self) -> float:
        """Cell temperature now."""
        ...


class Engine(Protocol):
    """Factory of :class:`Simulation` objects; one per engine (``"pybamm"``, ``"fast"``)."""

    name: str

    def start(
        self,
        cell: object,
        *,
        soc: float = 1.0,
        ambient_C: float = 25.0,
        model: str = "SPMe",
        thermal: str = "lumped",
        h_W_per_m2K: float | None = None,
    ) -> Simulation:
        """Return a simulation of ``cell`` at ``soc`` and at ambient temperature."""
        ...
