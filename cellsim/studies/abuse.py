"""Thermal abuse: oven test, accelerating-rate calorimetry and the margin to self-heating.

The decomposition kinetics of the cell's ``[abuse]`` parameters (SEI decomposition, negative
electrode–electrolyte reaction through the SEI, positive electrode decomposition, electrolyte
decomposition; for the solid-state cell the reactions of the sulfide electrolyte) heat the
lumped cell of the fast engine (:mod:`cellsim.engine.fast.abuse`).

* :func:`oven_test` — the cell, at 25 °C, is put in an oven (convection and radiation);
  it either recovers to the oven temperature or runs away.
* :func:`arc_test` — heat-wait-seek accelerating-rate calorimetry: the characteristic
  temperatures of Feng et al. 2018 (Energy Storage Mater. 10, 246, doi:10.1016/j.ensm.2017.05.013):
  ``T1`` onset of self-heating (0.02 °C/min, the usual ARC detection limit), ``T2`` trigger of
  runaway (self-heating 1 °C/s), ``T3`` maximum temperature.
* :func:`onset_margin` — the margin between a trace's cell temperature (fast charge, drive)
  and ``T1``; :func:`lifetime_margin` — the same over a lifetime, with ``T1`` of the aged cell.
* :func:`arc_summary` — ``T1/T2/T3`` as columns for the chemistry comparison.

Definitions. Runaway: the reactions heat the cell faster than :data:`RUNAWAY_RATE_K_PER_S`
(the T2 criterion, on the self-heating rate so that a hot oven's own heating never counts);
the time to runaway is when they first do. In the adiabatic calorimeter the self-heating rate is
the measured dT/dt, so T2 is the temperature where dT/dt reaches 1 °C/s — the convention of the
ARC literature (Feng et al. 2018) and of GB 38031-2020 (Annex C.5.3.7: dT/dt ≥ 1 °C/s for more
than 3 s, one of the conditions that confirm thermal runaway). UL's fact sheet on thermal runaway
uses a lower bar, more than 20 °C/min; a cell whose self-heating peaks between the two bars has a
T2 by UL's reading and none by this one. A T2 near the peak self-heating rate is ill-conditioned
(a small change of any parameter moves it a lot or removes it): compare the peak of
``data["self_heating_K_per_s"]`` with :data:`RUNAWAY_RATE_K_PER_S` before quoting T2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from ..engine.fast import abuse as K
from ..engine.fast.abuse_model import AbuseModel, abuse_model
from ..errors import InputError, SimulationError
from ..validation import check_number

# T1: ARC detection sensitivity 0.02 °C/min, Feng et al. 2018, Energy Storage Mater. 10, 246-267,
# doi:10.1016/j.ensm.2017.05.013 (title and DOI verified from a stored reference list; the value
# recalled, UNVERIFIED)
ONSET_RATE_K_PER_MIN = 0.02
# T2: dT/dt = 1 °C/s (= 60 °C/min). VERIFIED as the rate condition of GB 38031-2020 Annex C.5.3.7
# (">= 1 °C/s, lasting more than 3 s"; clause quoted verbatim on a stored public page, found with
# the search tool on 2026-11-30); Feng et al. 2018 (above) for ARC, recalled. UL's thermal-runaway
# fact sheet (ul.org, stored copy) says "> 20 °C per minute" instead (see the module docstring).
RUNAWAY_RATE_K_PER_S = 1.0
OVEN_RANGE_C = (20.0, 400.0)
START_C = 25.0
ARC_START_C = 40.0  # heat-wait-seek protocol (typical: 5 K steps, 30 min wait+seek), assumption
ARC_STEP_K = 5.0
ARC_RAMP_K_PER_MIN = 2.0  # heating between steps, assumption (a few K/min is usual)
ARC_WAIT_S = 1800.0
ARC_STOP_C = 400.0
ARC_MAX_TIME_S = 3.0e6
MAX_RECORDS = 200_000
#: step control: largest temperature change [K], largest relative change of a reactant fraction
#: (relative to max(fraction, dc_floor)) per step, longest step [s]
STEP_CONTROL = {"dT_max_K": 1.0, "dc_max": 0.02, "dc_floor": 0.01, "dt_max_s": 60.0}


class _Scalars:
    """Mixin: :meth:`summary` of a result dataclass (every field but ``data``)."""

    def summary(self) -> dict:
        """Scalars as a flat dict."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "data"}


@dataclass
class OvenResult(_Scalars):
    """Result of :func:`oven_test`.

    Attributes
    ----------
    runaway
        True if the cell ran away (the reactions heat it faster than 1 °C/s).
    time_to_runaway_s
        Time from entering the oven to runaway (NaN if it recovered).
    peak_C
        Highest cell temperature.
    data
        ``time_s, temperature_C, heat_W`` (all reactions), ``heat_<reaction>_W``,
        ``fraction_<reaction>`` (remaining reactant), ``self_heating_K_per_s`` (reaction heat /
        heat capacity) and ``dT_dt_K_per_s`` (net of the exchange with the oven).
    """

    chemistry: str
    oven_C: float
    soc: float
    h_W_per_m2K: float
    runaway: bool
    time_to_runaway_s: float
    peak_C: float
    data: pd.DataFrame = field(repr=False)


@dataclass
class ArcResult(_Scalars):
    """Result of :func:`arc_test` (heat-wait-seek accelerating-rate calorimetry).

    Attributes
    ----------
    onset_C
        T1: temperature at which the cell self-heats at 0.02 °C/min, resolved between the
        calorimeter's steps: the rate laws are solved for it at the reactant fractions of the
        moment of detection (NaN if never detected).
    detected_C
        Temperature at which the heat-wait-seek protocol detected self-heating (on its 5 K grid,
        plus the drift during the wait) — what an ARC report would list as T1.
    trigger_C
        T2: temperature at which self-heating reaches 1 °C/s (NaN if it never does).
    max_C
        T3: highest temperature (if nothing ran away, about the 400 °C where the protocol stops).
    energy_released_J
        Heat released by the reactions, ``Σ H_i·m_i·(c_i,0 − c_i,end)``.
    data
        ``time_s, temperature_C, heat_W, heat_<reaction>_W, fraction_<reaction>,
        self_heating_K_per_s`` (adiabatic: the cell's dT/dt between heater steps).
    """

    chemistry: str
    soc: float
    onset_C: float
    detected_C: float
    trigger_C: float
    max_C: float
    energy_released_J: float
    data: pd.DataFrame = field(repr=False)


def oven_test(cell, oven_C: float, *, soc: float = 1.0, h_W_per_m2K: float | None = None,
              duration_s: float = 4 * 3600.0, ageing: Mapping[str, float] | None = None,
              step_control: Mapping[str, float] | None = None) -> OvenResult:
    """Put the cell, at 25 °C and ``soc``, into an oven at ``oven_C`` for ``duration_s``.

    Parameters
    ----------
    cell
        A :class:`~cellsim.chemistry.cell.Cell` with abuse parameters.
    oven_C
        Oven temperature, 20–400 °C.
    soc
        State of charge, 0–1.
    h_W_per_m2K
        Heat-transfer coefficient to the oven air (> 0); default the parameter set's. Radiation
        to the oven walls (the ``[abuse]`` emissivity) adds to it.
    duration_s
        Length of the test (> 0).
    ageing
        Degradation of an aged cell (``lli_Ah``, ``lli_sei_Ah``; see
        :func:`~cellsim.engine.fast.abuse_model.abuse_model`); None for a fresh cell.
    step_control
        Override :data:`STEP_CONTROL` (for convergence studies).
    """
    oven_C = check_number("oven_C", oven_C, low=OVEN_RANGE_C[0], high=OVEN_RANGE_C[1])
    soc = check_number("soc", soc, low=0.0, high=1.0)
    duration_s = check_number("duration_s", duration_s, low=0.0, low_inclusive=False)
    if h_W_per_m2K is not None:
        h_W_per_m2K = check_number("h_W_per_m2K", h_W_per_m2K, low=0.0, low_inclusive=False)
    model = abuse_model(cell, soc=soc, h_W_per_m2K=h_W_per_m2K, ageing=ageing)
    return simulate_oven(model, oven_C, duration_s=duration_s, step_control=step_control,
                         chemistry=cell.chemistry, soc=soc)


def simulate_oven(model: AbuseModel, oven_C: float, *, start_C: float = START_C,
                  duration_s: float = 4 * 3600.0, step_control: Mapping[str, float] | None = None,
                  chemistry: str = "cell", soc: float = float("nan")) -> OvenResult:
    """Oven test of an :class:`AbuseModel` (any kinetics, e.g. a published model's)."""
    oven_K = oven_C + 273.15
    thermal = model.thermal()
    rec = _Records(model)
    c = model.initial_fractions.copy()
    rec.first(c, start_C + 273.15)
    _, _, _, n = K.integrate(model.reactions, thermal, _control(step_control), c,
                             start_C + 273.15, 0.0, duration_s, oven_K, 0.0, 1.0, K.STOP_TIME,
                             0.0, rec.t, rec.T, rec.c, rec.q, 1)
    data = rec.frame(n)
    loss = K.heat_loss_W(thermal, data["temperature_C"].to_numpy() + 273.15, oven_K)
    data["dT_dt_K_per_s"] = (data["heat_W"].to_numpy() - loss) / model.heat_capacity_J_per_K
    time_s, _ = _first_crossing(data, "self_heating_K_per_s", RUNAWAY_RATE_K_PER_S)
    return OvenResult(chemistry=chemistry, oven_C=float(oven_C), soc=soc,
                      h_W_per_m2K=model.h_W_per_m2K, runaway=bool(np.isfinite(time_s)),
                      time_to_runaway_s=time_s, peak_C=float(data["temperature_C"].max()),
                      data=data)


def arc_test(cell, *, soc: float = 1.0, ageing: Mapping[str, float] | None = None,
             step_control: Mapping[str, float] | None = None) -> ArcResult:
    """Heat-wait-seek accelerating-rate calorimetry of the cell at ``soc``.

    From 40 °C the calorimeter heats in 5 K steps (at 2 K/min), waits and seeks for 30 min; once
    the cell self-heats at ≥ 0.02 °C/min it follows adiabatically (assumption: an ideal calorimeter,
    thermal inertia factor 1). Stops at 400 °C if nothing runs away.

    Parameters
    ----------
    cell
        A :class:`~cellsim.chemistry.cell.Cell` with abuse parameters.
    soc
        State of charge, 0–1.
    ageing
        Degradation of an aged cell (see :func:`oven_test`).
    step_control
        Override :data:`STEP_CONTROL`.
    """
    soc = check_number("soc", soc, low=0.0, high=1.0)
    model = abuse_model(cell, soc=soc, ageing=ageing)
    return simulate_arc(model, step_control=step_control, chemistry=cell.chemistry, soc=soc)


def simulate_arc(model: AbuseModel, *, step_control: Mapping[str, float] | None = None,
                 chemistry: str = "cell", soc: float = float("nan")) -> ArcResult:
    """Heat-wait-seek ARC of an :class:`AbuseModel`."""
    rec = _Records(model)
    c = model.initial_fractions.copy()
    c_onset = np.full(c.size, np.nan)
    detected_K, n = K.heat_wait_seek(
        model.reactions, model.thermal(adiabatic=True), _control(step_control), c,
        ARC_START_C + 273.15, ARC_STOP_C + 273.15, ARC_STEP_K, ARC_RAMP_K_PER_MIN / 60.0,
        ARC_WAIT_S, ONSET_RATE_K_PER_MIN / 60.0, ARC_MAX_TIME_S, c_onset, rec.t, rec.T, rec.c, rec.q)
    data = rec.frame(n)
    _, trigger_C = _first_crossing(data, "self_heating_K_per_s", RUNAWAY_RATE_K_PER_S)
    released = float(np.dot(model.heat_per_fraction_J, model.initial_fractions - c))
    return ArcResult(chemistry=chemistry, soc=soc,
                     onset_C=_resolved_onset_C(model, c_onset, detected_K),
                     detected_C=float(detected_K - 273.15), trigger_C=trigger_C,
                     max_C=float(data["temperature_C"].max()), energy_released_J=released,
                     data=data)


def arc_summary(cell, *, soc: float = 1.0) -> dict[str, float]:
    """ARC ``T1/T2/T3`` of the cell as comparison-table columns (NaN without abuse parameters)."""
    try:
        result = arc_test(cell, soc=soc)
    except InputError:
        if getattr(getattr(cell, "parameter_set", None), "abuse", None):
            raise
        return {"arc_T1_onset_C": np.nan, "arc_T2_trigger_C": np.nan, "arc_T3_max_C": np.nan}
    return {"arc_T1_onset_C": result.onset_C, "arc_T2_trigger_C": result.trigger_C,
            "arc_T3_max_C": result.max_C}


def onset_margin(result, onset_C: float) -> tuple[pd.DataFrame, float]:
    """Margin between the cell temperature of ``result`` and the self-heating onset ``T1``.

    Parameters
    ----------
    result
        Any result with a ``data`` table holding ``temperature_C`` (and ``time_s``), e.g. of
        :func:`~cellsim.fast_charge` or :func:`~cellsim.range_test`.
    onset_C
        ``T1`` of the cell, e.g. ``arc_test(cell).onset_C``.

    Returns
    -------
    (trace, minimum margin [K])
        ``trace`` has ``time_s``, ``temperature_C`` and ``margin_K = T1 − T``.
    """
    onset_C = check_number("onset_C", onset_C)
    data = getattr(result, "data", result)
    if not isinstance(data, pd.DataFrame) or "temperature_C" not in data:
        raise InputError("result must have a data table with a 'temperature_C' column")
    trace = data[[c for c in ("time_s", "temperature_C") if c in data]].copy()
    trace["margin_K"] = onset_C - trace["temperature_C"]
    return trace, float(trace["margin_K"].min())


def lifetime_margin(cell, result, *, soc: float = 1.0, points: int = 4) -> tuple[pd.DataFrame, float]:
    """Margin between each day's peak cell temperature and ``T1`` of the cell as aged that day.

    ``T1`` is computed by :func:`arc_test` at ``points`` reporting days of the
    :class:`~cellsim.studies.lifetime.LifetimeResult` (first and last included) and
    interpolated linearly in between.

    Returns
    -------
    (table, minimum margin [K])
        ``table`` has ``day, peak_temperature_C, onset_C, margin_K``.
    """
    points = int(check_number("points", points, low=2, high=50))
    rows = result.data.iloc[np.unique(np.linspace(0, len(result.data) - 1, points).round().astype(int))]
    onsets = [arc_test(cell, soc=soc, ageing=row).onset_C for _, row in rows.iterrows()]
    days = result.days[["day", "peak_temperature_C"]].copy()
    days["onset_C"] = np.interp(days["day"], rows["day"], onsets)
    days["margin_K"] = days["onset_C"] - days["peak_temperature_C"]
    return days, float(days["margin_K"].min())


def _control(overrides: Mapping[str, float] | None) -> np.ndarray:
    settings = {**STEP_CONTROL, **(overrides or {})}
    out = np.zeros(K.N_S)
    out[K.S_DT_MAX] = settings["dt_max_s"]
    out[K.S_DT_MIN] = 1e-9
    out[K.S_DTEMP_MAX] = settings["dT_max_K"]
    out[K.S_DC_MAX] = settings["dc_max"]
    out[K.S_DC_FLOOR] = settings["dc_floor"]
    return out


class _Records:
    """Preallocated trace arrays for the kernel, made into a DataFrame."""

    def __init__(self, model: AbuseModel):
        n_rx = len(model.names)
        self.model = model
        self.t = np.zeros(MAX_RECORDS)
        self.T = np.zeros(MAX_RECORDS)
        self.c = np.zeros((MAX_RECORDS, n_rx))
        self.q = np.zeros((MAX_RECORDS, n_rx))

    def first(self, c: np.ndarray, temp_K: float) -> None:
        work = np.empty(c.size)
        K.rates(self.model.reactions, c, temp_K, work)
        self.T[0] = temp_K
        self.c[0] = c
        self.q[0] = self.model.reactions[:, K.R_Q] * work

    def frame(self, n: int) -> pd.DataFrame:
        if n >= MAX_RECORDS:
            raise SimulationError(f"{self.model.names}: the abuse trace exceeded {MAX_RECORDS} "
                                  "steps; loosen step_control")
        columns = {"time_s": self.t[:n], "temperature_C": self.T[:n] - 273.15,
                   "heat_W": self.q[:n].sum(axis=1)}
        for i, name in enumerate(self.model.names):
            columns[f"heat_{name}_W"] = self.q[:n, i]
        for i, name in enumerate(self.model.names):
            columns[f"fraction_{name}"] = self.c[:n, i]
        columns["self_heating_K_per_s"] = columns["heat_W"] / self.model.heat_capacity_J_per_K
        return pd.DataFrame(columns)


def _resolved_onset_C(model: AbuseModel, c: np.ndarray, detected_K: float) -> float:
    """Temperature [°C] at which the reactions at fractions ``c`` heat the cell at the onset rate
    (bisection below the detection temperature, where the rate is at least the onset rate)."""
    if not np.isfinite(detected_K):
        return float("nan")
    work = np.empty(c.size)
    target_W = ONSET_RATE_K_PER_MIN / 60.0 * model.heat_capacity_J_per_K
    low, high = detected_K - 2.0 * ARC_STEP_K, detected_K
    if K.reaction_heat_W(model.reactions, c, low, work) >= target_W:
        return float(low - 273.15)
    for _ in range(50):
        mid = 0.5 * (low + high)
        if K.reaction_heat_W(model.reactions, c, mid, work) >= target_W:
            high = mid
        else:
            low = mid
    return float(0.5 * (low + high) - 273.15)


def _first_crossing(data: pd.DataFrame, column: str, level: float) -> tuple[float, float]:
    """Time [s] and temperature [°C] where ``column`` first reaches ``level`` (NaN if never),
    interpolated linearly in the logarithm of the rate."""
    rate = data[column].to_numpy()
    above = np.flatnonzero(rate >= level)
    if above.size == 0:
        return float("nan"), float("nan")
    i = int(above[0])
    if i == 0 or rate[i - 1] <= 0:
        return float(data["time_s"].iloc[i]), float(data["temperature_C"].iloc[i])
    w = (np.log(level) - np.log(rate[i - 1])) / (np.log(rate[i]) - np.log(rate[i - 1]))
    t = data["time_s"].to_numpy()
    T = data["temperature_C"].to_numpy()
    return float(t[i - 1] + w * (t[i] - t[i - 1])), float(T[i - 1] + w * (T[i] - T[i - 1]))
