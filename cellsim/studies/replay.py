"""Replay a measured test on a model cell: the engine follows the measured current exactly.

Each sample's current is held over the interval that ends at it (intervals longer than
:data:`MAX_STEP_S` are sub-stepped); the model voltage and temperature are read at every
sample. The engine's voltage cut-offs are switched off, so a replay runs to the end of the data
unless the model cannot continue (a particle surface empties or fills); the result then
reports where it stopped and the error is taken over the samples before.

Start state: ``initial_soc`` if given; otherwise the voltage at the start inverted through the
cell's open-circuit voltage if the test starts at rest (``|I|`` ≤ 1 % of C; the mean over the
rest's last minute), or the first voltage inverted through the model at the first current if it
starts under load.

Temperature: the lumped thermal model has one (volume-averaged) cell temperature; it is
compared with the measured (surface / can) temperature as is, so a heat-transfer coefficient
fitted to it is an effective surface coefficient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..engine.fast import FastEngine
from ..errors import InputError
from ..load.measurement import Measurement
from ..validation import check_number

MAX_STEP_S = 2.0  # longest engine step inside a sample interval (implicit Euler: 10 s steps
#                   bias a 1C voltage by ~1 mV, enough to bias a fit to 1 mV-noise data)
MIN_STEP_S = 1e-6  # stands in for a zero-length interval (a step logged twice at one instant)
WINDOW_TOLERANCE_V = 0.1  # a measurement may exceed the cell's voltage window by this much
OCV_GRID_POINTS = 801
REST_MEAN_S = 60.0  # the start OCV is the mean rested voltage over the rest's last minute
THERMAL = ("lumped", "isothermal")


@dataclass
class ReplayResult:
    """A measured test and the model's response to its current.

    Attributes
    ----------
    data
        DataFrame with ``time_s, current_A, voltage_V`` (measured), ``model_voltage_V``,
        ``error_mV`` (model − measured), ``temperature_C`` (measured, NaN without) and
        ``model_temperature_C``; model columns are NaN after the model stopped.
    measurement, cell
        What was replayed.
    initial_soc
        Start state used.
    stop_reason, stopped_at_s
        Why and when the model stopped before the end of the data (None if it did not).
    """

    data: pd.DataFrame
    measurement: Measurement
    cell: object
    initial_soc: float
    stop_reason: str | None
    stopped_at_s: float | None

    @property
    def rmse_mV(self) -> float:
        """Root-mean-square voltage error over the samples the model reached [mV]."""
        err = self.data["error_mV"].dropna().to_numpy()
        return float(np.sqrt(np.mean(err**2))) if err.size else float("nan")

    @property
    def max_error_mV(self) -> float:
        """Largest absolute voltage error [mV]."""
        err = self.data["error_mV"].dropna().to_numpy()
        return float(np.max(np.abs(err))) if err.size else float("nan")

    @property
    def temperature_rmse_K(self) -> float:
        """Root-mean-square temperature error [K] (NaN without measured temperature)."""
        diff = (self.data["model_temperature_C"] - self.data["temperature_C"]).dropna()
        return float(np.sqrt(np.mean(diff**2))) if len(diff) else float("nan")

    @property
    def peak_temperature_error_K(self) -> float:
        """Model peak temperature minus measured peak temperature [K]."""
        return float(self.data["model_temperature_C"].max() - self.data["temperature_C"].max())

    def summary(self) -> dict:
        """Main figures as a flat dict."""
        return {"measurement": self.measurement.name, "rmse_mV": self.rmse_mV,
                "max_error_mV": self.max_error_mV, "initial_soc": self.initial_soc,
                "temperature_rmse_K": self.temperature_rmse_K,
                "stop_reason": self.stop_reason, "stopped_at_s": self.stopped_at_s}

    def plot(self, ax=None):
        """Measured and model voltage (and temperature) against time; returns the figure."""
        from ..presentation.fit_plots import plot_replay

        return plot_replay(self, ax=ax)


def replay(cell, measurement: Measurement, *, engine: str = "fast",
           initial_soc: float | None = None, thermal: str = "lumped") -> ReplayResult:
    """Run ``cell`` through the current of ``measurement`` and compare with its voltage.

    Parameters
    ----------
    cell
        A :class:`~cellsim.Cell`.
    measurement
        The measured test (:class:`~cellsim.Measurement`).
    engine
        ``"fast"`` (the numba SPMe).
    initial_soc
        Start state (0–1); by default from the first voltage (see the module notes).
    thermal
        ``"lumped"`` or ``"isothermal"``.

    Returns
    -------
    ReplayResult
    """
    if engine != "fast":
        raise InputError(f"engine={engine!r}: replay runs on engine='fast' only")
    if thermal not in THERMAL:
        raise InputError(f"thermal={thermal!r} is not allowed; allowed: {', '.join(THERMAL)}")
    if not isinstance(measurement, Measurement):
        raise InputError(f"measurement={measurement!r} is not a cellsim.Measurement")
    check_window(cell, measurement)
    if initial_soc is None:
        initial_soc = initial_soc_from_data(cell, measurement, thermal)
    initial_soc = check_number("initial_soc", initial_soc, low=0.0, high=1.0)
    model_v, model_t, stop, stop_index = run_measured_current(cell, measurement, initial_soc,
                                                              thermal)
    m = measurement
    measured_t = m.temperature_C if m.temperature_C is not None else np.full(m.time_s.size,
                                                                             np.nan)
    data = pd.DataFrame({
        "time_s": m.time_s, "current_A": m.current_A, "voltage_V": m.voltage_V,
        "model_voltage_V": model_v, "error_mV": (model_v - m.voltage_V) * 1e3,
        "temperature_C": measured_t, "model_temperature_C": model_t,
    })
    stopped_at = None if stop_index is None else float(m.time_s[stop_index])
    return ReplayResult(data, m, cell, float(initial_soc), stop, stopped_at)


def check_window(cell, measurement: Measurement) -> None:
    """Raise if the measured voltage leaves the cell's window by more than 0.1 V."""
    lo, hi = cell.voltage_min_V - WINDOW_TOLERANCE_V, cell.voltage_max_V + WINDOW_TOLERANCE_V
    v = measurement.voltage_V
    bad = np.flatnonzero((v < lo) | (v > hi))
    if bad.size:
        k = int(bad[0])
        raise InputError(
            f"{measurement.name}: voltage_V={v[k]:.4g} V at row {k} (time_s={measurement.time_s[k]:g})"
            f" is outside cell {cell.name!r}'s window {cell.voltage_min_V:g}–{cell.voltage_max_V:g}"
            f" V (± {WINDOW_TOLERANCE_V:g} V): wrong cell, units or columns?")


def initial_soc_from_data(cell, measurement: Measurement, thermal: str = "lumped", *,
                          clamp: bool = False) -> float:
    """Start SOC from the first voltage: OCV inversion at rest (of the mean voltage over the
    last :data:`REST_MEAN_S` of the initial rest), model inversion under load.

    ``clamp=True`` returns 0 or 1 for a loaded start voltage the cell cannot reach (a fit's
    trial cell may not), instead of raising."""
    m = measurement
    rest = m.first_rest_index(cell.nominal_capacity_Ah)
    if rest is not None:
        window = (m.time_s[:rest + 1] >= m.time_s[rest] - REST_MEAN_S)
        voltage = float(np.mean(m.voltage_V[:rest + 1][window]))
        return soc_from_ocv(cell, voltage, m.ambient_C, m.name)
    engine = FastEngine()
    current = float(m.current_A[0])

    def gap(soc: float) -> float:
        sim = engine.start(cell, soc=soc, ambient_C=m.ambient_C, thermal=thermal)
        seg = sim.current_profile(np.array([current]), np.array([MIN_STEP_S]), v_min_V=0.0,
                                  v_max_V=10.0)
        return float(seg.trace.voltage_V[0]) - float(m.voltage_V[0])

    lo, hi = 1e-3, 1.0 - 1e-3
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo > 0 or g_hi < 0:
        if clamp:
            return 1.0 if g_hi < 0 else 0.0
        raise InputError(
            f"{m.name}: first voltage {m.voltage_V[0]:.4f} V at {current:+.3f} A is not reached "
            f"by cell {cell.name!r} between 0 and 100 % SOC ({g_lo + m.voltage_V[0]:.3f}–"
            f"{g_hi + m.voltage_V[0]:.3f} V); give initial_soc")
    return float(brentq(gap, lo, hi, xtol=1e-5))


def soc_from_ocv(cell, voltage_V: float, temperature_C: float, name: str = "measurement") -> float:
    """SOC (0–1) whose open-circuit voltage is ``voltage_V``, clipped to [0, 1] within 20 mV.

    The electrode OCPs are evaluated by PyBaMM once per pair of OCP functions and temperature
    (cells made by ``with_parameters`` share them) and interpolated at the cell's
    stoichiometry window, so a fit that moves the window does not re-evaluate them."""
    soc = np.linspace(0.0, 1.0, OCV_GRID_POINTS)
    limits = cell.stoichiometry_limits
    sto, u_n, u_p = _ocp_grid(cell, float(temperature_C))
    ocv = np.interp(limits.positive(soc), sto, u_p)
    if not cell.is_half_cell:
        ocv = ocv - np.interp(limits.negative(soc), sto, u_n)
    order = np.argsort(ocv)
    lo, hi = ocv[order[0]], ocv[order[-1]]
    if voltage_V < lo - 0.02 or voltage_V > hi + 0.02:
        raise InputError(f"{name}: rested voltage {voltage_V:.4f} V is outside cell "
                         f"{cell.name!r}'s open-circuit range {lo:.3f}–{hi:.3f} V")
    return float(np.clip(np.interp(voltage_V, ocv[order], soc[order]), 0.0, 1.0))


_OCP_CACHE: dict = {}
OCP_KEYS = ("Negative electrode OCP [V]", "Positive electrode OCP [V]",
            "Negative electrode OCP entropic change [V.K-1]",
            "Positive electrode OCP entropic change [V.K-1]")


def _ocp_grid(cell, temperature_C: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stoichiometry grid and the negative and positive OCPs on it [V] at ``temperature_C``."""
    from .._pybamm import pybamm

    values = cell.parameter_values
    functions = tuple(values.get(k) for k in OCP_KEYS)
    key = (tuple(id(f) for f in functions), cell.is_half_cell, temperature_C)
    if key not in _OCP_CACHE:
        pb = pybamm()
        sto = np.linspace(1e-4, 1.0 - 1e-4, 4001)
        param = pb.LithiumIonParameters(cell.model_options)
        temp = pb.Scalar(temperature_C + 273.15)
        u_p = values.process_symbol(param.p.prim.U(pb.Vector(sto), temp)).evaluate().ravel()
        u_n = np.zeros_like(sto) if cell.is_half_cell else \
            values.process_symbol(param.n.prim.U(pb.Vector(sto), temp)).evaluate().ravel()
        if len(_OCP_CACHE) > 64:
            _OCP_CACHE.clear()
        _OCP_CACHE[key] = (sto, u_n, u_p, functions)  # functions kept alive: ids stay unique
    return _OCP_CACHE[key][:3]


def measurement_steps(measurement: Measurement) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Engine steps of a measurement: ``(current_A, dt_s, sample_end)`` where ``sample_end[k]``
    is the index of the step that ends at sample ``k + 1``. The first step (a
    :data:`MIN_STEP_S` step at the first sample's current) places sample 0."""
    m = measurement
    intervals = np.diff(m.time_s)
    n_sub = np.maximum(np.ceil(intervals / MAX_STEP_S - 1e-9), 1).astype(np.int64)
    dts = np.repeat(np.maximum(intervals, MIN_STEP_S) / n_sub, n_sub)
    currents = np.repeat(m.current_A[1:], n_sub)
    currents = np.concatenate([[m.current_A[0]], currents])
    dts = np.concatenate([[MIN_STEP_S], dts])
    return currents, dts, np.cumsum(n_sub)


def run_measured_current(cell, measurement: Measurement, initial_soc: float,
                         thermal: str) -> tuple[np.ndarray, np.ndarray, str | None, int | None]:
    """Model voltage and temperature at every sample, the stop reason and the first sample the
    model did not reach (None if it reached all)."""
    m = measurement
    currents, dts, ends = measurement_steps(m)
    sim = FastEngine().start(cell, soc=initial_soc, ambient_C=m.ambient_C, thermal=thermal)
    seg = sim.current_profile(currents, dts, v_min_V=0.0, v_max_V=10.0)
    trace = seg.trace
    n = m.time_s.size
    model_v = np.full(n, np.nan)
    model_t = np.full(n, np.nan)
    # record j (j ≥ 1) follows step j - 1; sample 0 is the record after the placing step
    index = np.concatenate([[1], ends + 1])
    reached = index < trace.voltage_V.size
    model_v[reached] = trace.voltage_V[index[reached]]
    model_t[reached] = trace.temperature_C[index[reached]]
    stop_index = None if reached.all() else int(np.flatnonzero(~reached)[0])
    return model_v, model_t, (seg.stop_reason if stop_index is not None else None), stop_index
