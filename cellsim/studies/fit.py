"""Fit a cell's parameters to measured tests: bounded least squares in log space.

Every fitted quantity is a PyBaMM parameter of the cell. A number is fitted as its value; a
function (a diffusivity, an exchange-current density, a conductivity) as a factor on the
function, so its dependence on concentration and temperature (its activation energy) is kept.
The optimiser works on ``log(value)`` (scipy's trust-region reflective method within the log
bounds) on voltage residuals, each measurement weighted by ``1/sqrt(samples)`` so a long
drive cycle does not drown a short rate test; when a heat-transfer or heat-capacity parameter is
fitted, measured temperatures enter too at :data:`KELVIN_IN_MV` mV per K.

Confidence intervals (95 %) come from the Jacobian at the optimum: ``cov = (J^T W J)^-1`` in
log space with ``W`` the inverse residual variance of each measurement (and channel) at the
optimum, i.e. the standard linearised least-squares interval under independent errors. With a
model that is exact up to measurement noise (e.g. synthetic data) it is a true 95 % interval;
against real data the model error is correlated in time and the interval is optimistic. A
parameter whose interval is wider than its bounds is reported as not identifiable from the data.

Typical stages of a real parameterisation (each one ``fit`` call on the previous result's
``.cell``): electrode balance from a C/20 or OCV curve (active-material fractions, lithium
inventory via the initial concentrations); kinetics and transport from rate and dynamic data
(diffusivity and exchange-current factors, electrolyte conductivity); heat transfer and heat
capacity from the measured temperature; activation energies from data at several temperatures.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import time
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ..chemistry.factor import Factor
from ..errors import CellsimError, InputError
from ..load.measurement import Measurement
from .replay import (
    ReplayResult,
    check_window,
    initial_soc_from_data,
    replay,
    run_measured_current,
)
from .sweep_backends import check_workers

KELVIN_IN_MV = 10.0  # assumption: 1 K of temperature error weighs as much as 10 mV of voltage
UNREACHED_PENALTY_V = 0.5  # residual where the model has no value at all (stopped at once)
FD_STEP = 5e-3  # forward-difference step in log(parameter)
Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
THERMAL_KEYS = ("heat transfer coefficient", "specific heat capacity", "density [kg")

# fitted cell -> parameter-file blocks of the fits that made it (for FitResult.to_toml)
_HISTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class FitParameter:
    """One fitted PyBaMM parameter: its value (or factor, for a function) and bounds."""

    name: str
    start: float
    low: float
    high: float
    is_factor: bool


@dataclass
class FitResult:
    """The outcome of :func:`fit`.

    Attributes
    ----------
    cell
        The fitted :class:`~cellsim.Cell`.
    table
        One row per parameter: ``parameter, kind`` ("value" or "factor"), ``start, fitted,
        low, high`` (bounds), ``ci95_low, ci95_high`` and ``identifiable``.
    rmse_mV
        Voltage RMSE of the fitted cell on each measurement, by measurement name.
    replays
        The fitted cell replayed on each measurement (:class:`ReplayResult`).
    success, message
        Whether the optimiser converged, and its reason (a fit that fails is a result, not an
        exception).
    n_evaluations, elapsed_s
        Model evaluations (one = every measurement once) and wall time.
    """

    cell: object
    table: pd.DataFrame
    rmse_mV: dict[str, float]
    replays: list[ReplayResult]
    success: bool
    message: str
    n_evaluations: int
    elapsed_s: float
    start_cell: object = field(repr=False, default=None)
    measurements: list[Measurement] = field(repr=False, default_factory=list)

    def plot(self):
        """Measured and fitted voltage of every measurement; returns the figure."""
        from ..presentation.fit_plots import plot_fit

        return plot_fit(self)

    def stage(self) -> dict:
        """This fit as a named stage of parameter changes: ``name, source, keys``."""
        names = ", ".join(m.name for m in self.measurements)
        rmse = ", ".join(f"{k} {v:.1f} mV" for k, v in self.rmse_mV.items())
        return {"name": f"fitted to {names}",
                "source": f"cellsim.fit on the measurements {names} (voltage RMSE {rmse})",
                "keys": list(self.table["parameter"])}

    def to_toml(self, path: str | Path, *, name: str | None = None,
                cell_id: str | None = None) -> Path:
        """Write the fitted cell as a parameter file (``parameter_sets/`` format).

        The file is the start cell's base parameter file with blocks appended: changes made to
        the cell before fitting, then one block per fit stage that made it (this one last),
        each naming the measurements it was fitted to; numbers as values, functions as
        ``{ scale = factor }``. ``Cell.from_file`` of the written file gives the fitted cell.
        """
        from ..chemistry.paramwrite import write_parameter_file

        return write_parameter_file(path, self.cell, _HISTORY.get(self.cell, ()),
                                    name=name, cell_id=cell_id)


def record_stage(cell, stage: dict) -> None:
    """Name ``stage`` (``name, source, keys``) as the block that made ``cell``'s changed
    parameters, for the parameter file :meth:`FitResult.to_toml` writes of a fit of it."""
    _HISTORY[cell] = tuple(_HISTORY.get(cell, ())) + (stage,)


def fit(cell, measurements: Measurement | Sequence[Measurement],
        parameters: Mapping[str, Sequence[float]], *, engine: str = "fast",
        workers: int | None = None, max_evaluations: int = 60,
        thermal: str = "lumped", starts: int = 1, seed: int = 0) -> FitResult:
    """Fit PyBaMM parameters of ``cell`` to measured tests.

    Parameters
    ----------
    cell
        The start :class:`~cellsim.Cell`.
    measurements
        One or more :class:`~cellsim.Measurement`.
    parameters
        PyBaMM parameter name -> ``(low, high)`` bounds (both > 0). For a name whose value is
        a function, the bounds are on a factor multiplying the function (start 1). A number
        whose value is 0 (a term the cell lacks, e.g. ``"Contact resistance [Ohm]"``) starts
        from the geometric middle of its bounds.
    engine
        ``"fast"``.
    workers
        Processes evaluating the finite-difference Jacobian columns in parallel (None or 1: in
        this process). Each worker rebuilds the start cell from its parameter file once (a few
        seconds), so workers pay off when one evaluation of all measurements takes more than
        about 0.1 s (long drive cycles, many parameters).
    max_evaluations
        Most Jacobian evaluations (optimiser iterations); a fit that reaches it returns with
        ``success=False`` and the reason.
    thermal
        Thermal model of the replays (``"lumped"`` or ``"isothermal"``).
    starts, seed
        Multi-start: besides the cell's values, ``starts - 1`` starts drawn log-uniformly
        within the bounds (random generator seeded with ``seed``); the best optimum is kept.

    Returns
    -------
    FitResult
    """
    started = time.perf_counter()
    if engine != "fast":
        raise InputError(f"engine={engine!r}: fit runs on engine='fast' only")
    if isinstance(measurements, Measurement):
        measurements = [measurements]
    measurements = list(measurements)
    if not measurements or not all(isinstance(m, Measurement) for m in measurements):
        raise InputError("measurements must be one or a list of cellsim.Measurement")
    if not (isinstance(max_evaluations, int) and max_evaluations >= 1):
        raise InputError(f"max_evaluations={max_evaluations!r} must be an integer ≥ 1")
    for m in measurements:
        check_window(cell, m)
    params = parse_parameters(cell, parameters)
    problem = _Problem(cell, measurements, params, thermal)
    x0 = np.log([p.start for p in params])
    lo = np.log([p.low for p in params])
    hi = np.log([p.high for p in params])
    if not (isinstance(starts, int) and starts >= 1):
        raise InputError(f"starts={starts!r} must be an integer ≥ 1")
    rng = np.random.default_rng(seed)
    points = [x0] + [lo + (hi - lo) * rng.uniform(size=x0.size) for _ in range(starts - 1)]
    pool = _pool(cell, measurements, params, thermal, workers)
    try:
        jac = problem.jacobian if pool is None else (lambda x: problem.jacobian(x, pool))
        sol = None
        for point in points:
            try:
                trial = least_squares(problem.residuals, point, jac=jac, bounds=(lo, hi),
                                      method="trf", x_scale=1.0, max_nfev=max_evaluations,
                                      xtol=1e-4, ftol=1e-5, gtol=1e-8)
            except CellsimError as err:
                if point is x0:
                    return _failed(cell, measurements, params,
                                   f"model evaluation failed: {err}", problem.n_evaluations,
                                   started)
                continue  # a random start the model cannot run: skip it
            if sol is None or trial.cost < sol.cost:
                sol = trial
    finally:
        if pool is not None:
            pool.shutdown()
    fitted = problem.cell_at(sol.x)
    replays = [replay(fitted, m, thermal=thermal,
                      initial_soc=initial_soc_from_data(fitted, m, thermal, clamp=True))
               for m in measurements]
    table = _table(params, sol.x, problem.covariance(sol.x), lo, hi)
    success = bool(sol.status > 0)
    message = sol.message if success else (
        f"did not converge: {sol.message} (after {problem.n_evaluations} model evaluations)")
    result = FitResult(fitted, table, {r.measurement.name: r.rmse_mV for r in replays}, replays,
                       success, message, problem.n_evaluations,
                       time.perf_counter() - started, cell, measurements)
    _HISTORY[fitted] = tuple(_HISTORY.get(cell, ())) + (result.stage(),)
    return result


def parse_parameters(cell, parameters: Mapping[str, Sequence[float]]) -> list[FitParameter]:
    """Check names and bounds; return the parameters with their start values."""
    if not isinstance(parameters, Mapping) or not parameters:
        raise InputError("parameters must be a non-empty mapping: PyBaMM name -> (low, high)")
    values = cell.parameter_values
    keys = list(values.keys())
    out = []
    for name, bounds in parameters.items():
        if name not in keys:
            close = difflib.get_close_matches(str(name), keys, n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise InputError(f"parameters: {name!r} is not a parameter of cell "
                             f"{cell.name!r}{hint}")
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise InputError(f"parameters[{name!r}]={bounds!r}: bounds must be two numbers "
                             "(low, high)") from None
        if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
            raise InputError(f"parameters[{name!r}]=({low:g}, {high:g}): bounds must be finite "
                             "with 0 < low < high (the fit works in log space)")
        value = values[name]
        is_factor = callable(value)
        start = 1.0 if is_factor else float(value)
        if start == 0.0:  # a term the cell lacks (e.g. no contact resistance): start from the
            start = float(np.sqrt(low * high))  # middle of the bounds in log space
        if not start > 0:
            raise InputError(f"parameters[{name!r}]: the cell's value {start!r} is not positive; "
                             "a log-space fit needs a positive start")
        if not low <= start <= high:
            what = "factor 1 (on the function)" if is_factor else f"value {start:g}"
            raise InputError(f"parameters[{name!r}]=({low:g}, {high:g}): the bounds do not "
                             f"contain the cell's {what}; bounds are on the value for a number "
                             "and on a factor for a function")
        out.append(FitParameter(name, start, low, high, is_factor))
    return out


def updates_for(params: list[FitParameter], x: np.ndarray) -> dict:
    """PyBaMM updates setting each parameter to ``exp(x)`` (value or factor on the function)."""
    return {p.name: (Factor(float(np.exp(xi))) if p.is_factor else float(np.exp(xi)))
            for p, xi in zip(params, x, strict=True)}


class _Problem:
    """Residuals and Jacobian of one fit (caches the last residuals for the Jacobian)."""

    def __init__(self, cell, measurements: list[Measurement], params: list[FitParameter],
                 thermal: str) -> None:
        self.cell = cell
        self.measurements = measurements
        self.params = params
        self.thermal = thermal
        self.thermal_fit = any(k in p.name for p in params for k in THERMAL_KEYS) \
            and thermal == "lumped"
        self.n_evaluations = 0
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        self._jac_x: np.ndarray | None = None

    def cell_at(self, x: np.ndarray):
        return self.cell.with_parameters(updates_for(self.params, x),
                                         name=self.cell.name)

    def blocks(self) -> list[tuple[str, int]]:
        """(measurement name + channel, samples) of each residual block."""
        out = []
        for m in self.measurements:
            out.append((f"{m.name} voltage", m.time_s.size))
            if self.thermal_fit and m.temperature_C is not None:
                out.append((f"{m.name} temperature", m.time_s.size))
        return out

    def raw_residuals(self, x: np.ndarray) -> np.ndarray:
        """Unweighted residuals: voltage [V], temperature [K] * KELVIN_IN_MV mV (in V)."""
        self.n_evaluations += 1
        return raw_residuals(self.cell_at(x), self.measurements, self.thermal, self.thermal_fit)

    def weights(self) -> np.ndarray:
        return np.concatenate([np.full(n, 1.0 / np.sqrt(n)) for _, n in self.blocks()])

    def residuals(self, x: np.ndarray) -> np.ndarray:
        raw = self.raw_residuals(x)
        self._last = (x.copy(), raw)
        return raw * self.weights()

    def jacobian(self, x: np.ndarray, pool: ProcessPoolExecutor | None = None) -> np.ndarray:
        if self._last is not None and np.array_equal(self._last[0], x):
            base = self._last[1]
        else:
            base = self.raw_residuals(x)
        steps = [x + FD_STEP * np.eye(x.size)[k] for k in range(x.size)]
        if pool is None:
            columns = [self.raw_residuals(s) for s in steps]
        else:
            columns = list(pool.map(_worker_residuals, steps))
            self.n_evaluations += len(steps)
        jac_raw = np.column_stack([(c - base) / FD_STEP for c in columns])
        self._jac_raw, self._base_raw, self._jac_x = jac_raw, base, x.copy()
        return jac_raw * self.weights()[:, None]

    def covariance(self, x: np.ndarray) -> np.ndarray:
        """Covariance of log(parameters): (J^T W J)^-1 with W the inverse residual variance of
        each block at the optimum (dof-corrected)."""
        if self._jac_x is None or not np.array_equal(self._jac_x, x):
            self.jacobian(x)  # the optimum's own Jacobian (not a later start's)
        jac, base = self._jac_raw, self._base_raw
        n_total, p = base.size, x.size
        dof = max(n_total - p, 1)
        rows = []
        o = 0
        for _, n in self.blocks():
            r = base[o:o + n]
            var = max(float(np.sum(r**2)) / n * n_total / dof, 1e-12)
            rows.append(jac[o:o + n] / np.sqrt(var))
            o += n
        jw = np.vstack(rows)
        info = jw.T @ jw
        try:
            return np.linalg.inv(info) if np.linalg.cond(info) < 1e14 else np.linalg.pinv(info) \
                + np.diag(np.where(np.diag(info) < 1e-300, np.inf, 0.0))
        except np.linalg.LinAlgError:
            return np.full((p, p), np.inf)


def raw_residuals(cell, measurements: list[Measurement], thermal: str,
                  thermal_fit: bool) -> np.ndarray:
    """Model minus measured voltage [V] (and temperature in mV-equivalent V) of each test."""
    out = []
    for m in measurements:
        check_window(cell, m)
        soc0 = initial_soc_from_data(cell, m, thermal, clamp=True)
        model_v, model_t, _, _ = run_measured_current(cell, m, soc0, thermal)
        # samples after a stop keep the model's last values (continuous in the stop time)
        err = _forward_filled(model_v) - m.voltage_V
        out.append(np.where(np.isfinite(err), err, UNREACHED_PENALTY_V))
        if thermal_fit and m.temperature_C is not None:
            diff = (_forward_filled(model_t) - m.temperature_C) * KELVIN_IN_MV / 1e3
            out.append(np.where(np.isfinite(diff), diff, UNREACHED_PENALTY_V))
    return np.concatenate(out)


def _forward_filled(values: np.ndarray) -> np.ndarray:
    """``values`` with each NaN replaced by the last finite value before it (leading NaNs
    stay)."""
    index = np.where(np.isfinite(values), np.arange(values.size), 0)
    return values[np.maximum.accumulate(index)]


def _table(params: list[FitParameter], x: np.ndarray, cov: np.ndarray, lo: np.ndarray,
           hi: np.ndarray) -> pd.DataFrame:
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, np.inf))
    ci_lo, ci_hi = x - Z_95 * sd, x + Z_95 * sd
    identifiable = (ci_hi - ci_lo) < (hi - lo)
    return pd.DataFrame({
        "parameter": [p.name for p in params],
        "kind": ["factor" if p.is_factor else "value" for p in params],
        "start": [p.start for p in params],
        "fitted": np.exp(x),
        "low": [p.low for p in params],
        "high": [p.high for p in params],
        "ci95_low": np.exp(ci_lo),
        "ci95_high": np.exp(ci_hi),
        "identifiable": identifiable,
    })


def _failed(cell, measurements, params, reason: str, n_eval: int, started: float) -> FitResult:
    table = pd.DataFrame({"parameter": [p.name for p in params],
                          "kind": ["factor" if p.is_factor else "value" for p in params],
                          "start": [p.start for p in params], "fitted": np.nan,
                          "low": [p.low for p in params], "high": [p.high for p in params],
                          "ci95_low": np.nan, "ci95_high": np.nan, "identifiable": False})
    return FitResult(cell, table, {m.name: float("nan") for m in measurements}, [], False,
                     reason, n_eval, time.perf_counter() - started, cell, measurements)


# ----------------------------------------------------------------------------- worker processes

_WORKER: dict = {}


def _pool(cell, measurements, params, thermal: str, workers: int | None):
    """A process pool whose workers hold the start cell (rebuilt from its parameter file)."""
    if check_workers(workers) is None or workers == 1:
        return None
    from ..chemistry.paramwrite import parameter_file_text

    try:
        text = parameter_file_text(cell, _HISTORY.get(cell, ()))
    except InputError:  # a cell without a parameter file cannot be sent: evaluate here
        return None
    ctx = (multiprocessing.get_context("forkserver")
           if "forkserver" in multiprocessing.get_all_start_methods()
           else multiprocessing.get_context("spawn"))
    return ProcessPoolExecutor(min(workers, len(params), os.cpu_count() or 1), mp_context=ctx,
                               initializer=_worker_init,
                               initargs=(text, measurements, params, thermal))


def _worker_init(text: str, measurements, params, thermal: str) -> None:
    import tempfile

    from ..chemistry.cell import Cell

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "start.toml"
        path.write_text(text, encoding="utf-8")
        cell = Cell.from_file(path)
    _WORKER["problem"] = _Problem(cell, measurements, params, thermal)


def _worker_residuals(x: np.ndarray) -> np.ndarray:
    return _WORKER["problem"].raw_residuals(x)
