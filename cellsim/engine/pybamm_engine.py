"""The reference engine: PyBaMM's SPM, SPMe and DFN solved with the IDAKLU solver.

Each call to a :class:`PybammSimulation` method runs one ``pybamm.Experiment`` step that starts
from the last state of the previous one, so a discharge, a drive-cycle profile and a rest can be
chained exactly as PyBaMM users chain experiment steps.
"""

from __future__ import annotations

import numpy as np

from .._pybamm import pybamm
from ..errors import InputError, SimulationError
from ..validation import check_number
from .base import Segment, StopReason, Trace

MODELS = ("SPM", "SPMe", "DFN")
THERMAL_MODELS = ("isothermal", "lumped")
KELVIN = 273.15
EVENT_MARGIN_V = 0.1


def check_choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise an InputError naming the field."""
    if value not in allowed:
        raise InputError(f"{field}={value!r} is not allowed; choose one of {', '.join(allowed)}")
    return value


class PybammEngine:
    """Factory of :class:`PybammSimulation` objects (``engine="pybamm"``)."""

    name = "pybamm"

    def start(
        self,
        cell,
        *,
        soc: float = 1.0,
        ambient_C: float = 25.0,
        model: str = "SPMe",
        thermal: str = "lumped",
        h_W_per_m2K: float | None = None,
    ) -> PybammSimulation:
        """Return a PyBaMM simulation of ``cell`` starting at ``soc`` and ambient temperature."""
        return PybammSimulation(
            cell, soc=soc, ambient_C=ambient_C, model=model, thermal=thermal, h_W_per_m2K=h_W_per_m2K
        )


class PybammSimulation:
    """A cell simulated by PyBaMM, advanced one experiment step per call."""

    def __init__(
        self,
        cell,
        *,
        soc: float,
        ambient_C: float,
        model: str,
        thermal: str,
        h_W_per_m2K: float | None,
    ) -> None:
        check_choice("model", model, MODELS)
        check_choice("thermal", thermal, THERMAL_MODELS)
        self.cell = cell
        self.model_name = model
        self.thermal = thermal
        self.ambient_C = check_number("ambient_C", ambient_C, low=-40, high=80)
        self.h_W_per_m2K = h_W_per_m2K
        self._start_soc = check_number("soc", soc, low=0, high=1)
        options = cell.pybamm_options(**({"thermal": "lumped"} if thermal == "lumped" else {}))
        self._model = getattr(pybamm().lithium_ion, model)(options)
        self._last = None  # last state of the previous step (a pybamm.Solution)
        self._soc = self._start_soc
        self._temperature_C = self.ambient_C

    @property
    def soc(self) -> float:
        """State of charge now, from the mean positive-electrode stoichiometry."""
        return self._soc

    @property
    def temperature_C(self) -> float:
        """Volume-averaged cell temperature now."""
        return self._temperature_C

    # --- steps -------------------------------------------------------------------------------
    def current(
        self,
        current_A: float,
        duration_s: float,
        *,
        v_min_V: float | None = None,
        v_max_V: float | None = None,
    ) -> Segment:
        """Constant current (positive = discharge) until ``duration_s`` or a voltage limit."""
        check_number("current_A", current_A)
        check_number("duration_s", duration_s, low=0, low_inclusive=False)
        v_min_V = self.cell.voltage_min_V if v_min_V is None else v_min_V
        v_max_V = self.cell.voltage_max_V if v_max_V is None else v_max_V
        termination = f"< {v_min_V} V" if current_A >= 0 else f"> {v_max_V} V"
        step = pybamm().step.current(
            current_A, duration=duration_s, termination=termination, period=_period_s(duration_s)
        )
        return self._run(step, f"{current_A:g} A current step")

    def power(self, power_W: np.ndarray, dt_s: float = 1.0) -> Segment:
        """Follow a per-cell power profile, piecewise constant over each ``dt_s`` interval.

        Ends with ``stop_reason="power_limited"`` when the voltage falls to the lower cut-off.
        """
        power_W = np.asarray(power_W, dtype=float)
        if power_W.ndim != 1 or len(power_W) == 0 or not np.all(np.isfinite(power_W)):
            raise InputError("power_W must be a non-empty 1-D array of finite numbers")
        check_number("dt_s", dt_s, low=0, low_inclusive=False)
        step = pybamm().step.power(
            _zero_order_hold(power_W, dt_s),
            termination=f"< {self.cell.voltage_min_V} V",
        )
        return self._run(step, f"power profile of {len(power_W) * dt_s:g} s")

    def rest(self, duration_s: float) -> Segment:
        """Zero current for ``duration_s``."""
        check_number("duration_s", duration_s, low=0, low_inclusive=False)
        step = pybamm().step.rest(duration=duration_s, period=_period_s(duration_s))
        return self._run(step, f"{duration_s:g} s rest")

    def cccv(self, current_A: float, v_max_V: float, i_cut_A: float) -> Segment:
        """Constant current charge to ``v_max_V``, then constant voltage until ``i_cut_A``."""
        check_number("current_A", current_A, low=0, low_inclusive=False)
        pb = pybamm()
        charge = self.current(-current_A, 10 * 3600 / max(current_A / self.cell.nominal_capacity_Ah, 1e-3))
        hold = self._run(
            pb.step.voltage(v_max_V, duration=24 * 3600, termination=f"{i_cut_A} A", period=30.0),
            f"{v_max_V:g} V hold",
        )
        return _join(charge, hold)

    # --- internals -----------------------------------------------------------------------------
    def _parameter_values(self):
        values = self.cell.parameter_values
        values.update(
            {
                "Ambient temperature [K]": self.ambient_C + KELVIN,
                "Initial temperature [K]": self.ambient_C + KELVIN,
                # The steps' own terminations enforce the cell's window; PyBaMM's built-in
                # cut-off events sit just outside it so that a step may start exactly on a limit
                # (e.g. a discharge right after a constant-voltage hold).
                "Lower voltage cut-off [V]": self.cell.voltage_min_V - EVENT_MARGIN_V,
                "Upper voltage cut-off [V]": self.cell.voltage_max_V + EVENT_MARGIN_V,
            }
        )
        if self.h_W_per_m2K is not None:
            values.update({"Total heat transfer coefficient [W.m-2.K-1]": self.h_W_per_m2K})
        return values

    def _run(self, step, label: str) -> Segment:
        pb = pybamm()
        sim = pb.Simulation(
            self._model,
            parameter_values=self._parameter_values(),
            experiment=pb.Experiment([step]),
            solver=pb.IDAKLUSolver(),
        )
        condition = (
            f"{self.cell.chemistry}, PyBaMM {self.model_name} ({self.thermal}), {label} "
            f"at {self.ambient_C:g} °C ambient, starting at SOC {self._soc:.3f}"
        )
        try:
            if self._last is None:
                solution = sim.solve(initial_soc=self._start_soc)
            else:
                solution = sim.solve(starting_solution=self._last)
        except Exception as err:  # PyBaMM raises SolverError, ModelError and others
            raise SimulationError(f"simulation failed: {condition}: {err}") from err
        expected_cycles = 1 if self._last is None else 2
        if solution is None or len(solution.cycles) < expected_cycles:
            # PyBaMM declares the step infeasible when a limit is already crossed at its
            # start (e.g. a power demand above what the cell can deliver): a stop at t = 0.
            if self._last is None:
                raise SimulationError(f"simulation failed: {condition}: the step cannot start")
            return self._stopped_at_start(step)
        segment_solution = solution.cycles[-1]
        self._last = solution.last_state
        trace = self._trace(segment_solution)
        self._soc = float(trace.soc[-1])
        self._temperature_C = float(trace.temperature_C[-1])
        reason = _stop_reason(segment_solution.termination, step)
        return Segment(
            trace=trace,
            stop_reason=reason,
            stop_time_s=float(trace.time_s[-1]),
            raw=segment_solution,
        )

    def _stopped_at_start(self, step) -> Segment:
        state = self._trace(self._last)
        point = Trace(**{k: v[-1:] for k, v in vars(state).items()})
        point.time_s = np.zeros(1)
        point.capacity_Ah = np.zeros(1)
        if isinstance(step, pybamm().step.Power):
            reason = "power_limited"
        else:
            reason = "voltage_min" if step.value >= 0 else "voltage_max"
        return Segment(trace=point, stop_reason=reason, stop_time_s=0.0)

    def _trace(self, solution) -> Trace:
        time_s = solution["Time [s]"].entries
        voltage_V = solution["Voltage [V]"].entries
        current_A = solution["Current [A]"].entries
        discharged_Ah = solution["Discharge capacity [A.h]"].entries
        x_p = solution["Average positive particle stoichiometry"].entries
        temperature_C = solution["Volume-averaged cell temperature [C]"].entries
        return Trace(
            time_s=time_s - time_s[0],
            voltage_V=voltage_V,
            current_A=current_A,
            power_W=voltage_V * current_A,
            capacity_Ah=discharged_Ah - discharged_Ah[0],
            soc=np.asarray(self.cell.stoichiometry_limits.soc_from_positive(x_p)),
            temperature_C=np.broadcast_to(temperature_C, time_s.shape).copy(),
        )


def _period_s(duration_s: float) -> float:
    """Output interval of a step: about 1000 points, between 1 s and 30 s apart."""
    return float(np.clip(duration_s / 1000, 1.0, 30.0))


def _zero_order_hold(values: np.ndarray, dt_s: float) -> np.ndarray:
    """(time, value) breakpoints that make PyBaMM's linear interpolant piecewise constant."""
    n = len(values)
    starts = np.arange(n) * dt_s
    ends = starts + dt_s * (1 - 1e-6)
    times = np.column_stack([starts, ends]).ravel()
    return np.column_stack([times, np.repeat(values, 2)])


def _stop_reason(termination: str, step) -> StopReason | None:
    """Map PyBaMM's termination message (e.g. ``"event: Voltage < 2.5 [V] [experiment]"``)."""
    if "Voltage" in termination:
        if isinstance(step, pybamm().step.Power):
            return "power_limited"
        return "voltage_max" if ">" in termination else "voltage_min"
    if "Current" in termination:
        return "current_min"
    return None


def _join(first: Segment, second: Segment) -> Segment:
    """Concatenate two consecutive segments into one (times and capacities continue)."""
    a, b = first.trace, second.trace
    trace = Trace(
        time_s=np.concatenate([a.time_s, b.time_s + a.time_s[-1]]),
        voltage_V=np.concatenate([a.voltage_V, b.voltage_V]),
        current_A=np.concatenate([a.current_A, b.current_A]),
        power_W=np.concatenate([a.power_W, b.power_W]),
        capacity_Ah=np.concatenate([a.capacity_Ah, b.capacity_Ah + a.capacity_Ah[-1]]),
        soc=np.concatenate([a.soc, b.soc]),
        temperature_C=np.concatenate([a.temperature_C, b.temperature_C]),
    )
    return Segment(trace=trace, stop_reason=second.stop_reason, stop_time_s=float(trace.time_s[-1]))
