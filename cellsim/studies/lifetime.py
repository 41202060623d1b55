"""Lifetime: years of daily use of an EV pack in a climate, with the fast engine's ageing model.

One cell stands for the pack (identical, evenly loaded cells). A **day** starts at
``usage.departure_hour``:

1. **drive** ``usage.daily_km``: the cycle repeated, the last repetition truncated at the daily
   distance, 1 s steps, at the climate's temperature at departure (it also sets the HVAC load);
2. **park** until ``usage.arrival_hour`` (rest at the hourly ambient, long implicit steps);
3. **charge** on arrival to ``usage.charge_to_soc``: on AC days constant current at the charger
   power (``charger_kW / (n_cells · V_nom,cell)`` per cell) then constant voltage at the upper
   cut-off (until the target SOC or C/20); on DC fast-charge days
   (``usage.dc_fast_per_week``, spread evenly over the week) the protocol of
   :mod:`cellsim.studies.fast_charge` (constant power at ``dc_fast_kW`` under the rated
   current, the plating-potential limit and CV);
4. **park** overnight until the next departure.

Rests: the first :data:`REST_SETTLE_S` seconds with the engine's rest (steps growing from 1 s),
then steps of :data:`REST_STEP_S` at the hourly ambient temperature of the climate (backward
Euler — the engine's steps are implicit — so long steps are stable).

Loss attribution: the growth of irreversibly lost lithium inventory (``lli_Ah`` less the
reversibly plated lithium, which strips back while parked) during parks counts as **calendar**
ageing, during driving and charging as **cycle** ageing.

Modes
-----
``"exact"``
    every day simulated.
``"accelerated"`` (cycle jumping)
    the horizon is cut into blocks, at most ``jump_days`` long (shorter at the start, where SEI
    grows fast: 1, 1, 2, 4, 8, … days; and never straddling a reporting day). For each block one
    representative day is simulated at the climate of the block's middle day (two when the
    block has both AC and DC-charging days), and the ageing state is advanced linearly to the
    block's end with ``set_ageing_state``: ``s_end = s_0 + n_AC·Δ_AC + n_DC·Δ_DC``, except the
    quasi-periodic reversibly plated lithium (it plates while charging and strips while parked,
    so it does not accumulate): the block ends with the representative day's value.

Results per reporting day (every ``report_every_days``) in :attr:`LifetimeResult.data`; the
range at 25 °C (WLTC-like, :func:`~cellsim.range_test` from 100 % SOC with the aged cell) every
``range_every_days``.

A numerical failure (a :class:`~cellsim.errors.SimulationError` or non-finite ageing values)
stops the run; the result keeps the rows up to it and says where and why
(:attr:`LifetimeResult.stopped_reason`, :attr:`LifetimeResult.stopped_at_day`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine.fast import layout as L
from ..engine.registry import get_engine
from ..errors import CellsimError, InputError
from ..load.climate import Climate
from ..load.usage import Usage
from ..validation import check_number
from .checkup import CHECKUP_C_RATE, checkup_curves
from .fast_charge import CV_CUTOFF_C_RATE, ah_per_soc, charge_constant_power

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MODES = ("accelerated", "exact")
# Ageing-state slots that follow the daily load and do not accumulate (reversibly plated lithium
# plates while charging and strips while parked): held, not extrapolated, by cycle jumping.
PERIODIC_SLOTS = [L.A_C_PL]
DAYS_PER_YEAR = 365
DAY_S = 86_400.0
REST_SETTLE_S = 900.0  # rest with the engine's growing steps first (relaxation after a load)
REST_STEP_S = 600.0  # then uniform implicit steps at the hourly ambient
SECOND_LIFE_SOH = 0.7
END_OF_LIFE_SOH = 0.8
RANGE_CYCLE = "wltc_class3b"
RANGE_AMBIENT_C = 25.0
PULSE_SOC = 0.5
PULSE_S = 10.0
AGEING_KEYS = ("lli_Ah", "lli_sei_Ah", "plated_Ah", "lam_n_fraction", "lam_p_fraction",
               "film_resistance_ohm")
# Degradation modes (name -> column of LifetimeResult.data), as fractions of the fresh value:
# loss of lithium inventory, loss of active material of each electrode, resistance growth.
DEGRADATION_MODES = {"lli": "lli_fraction", "lam_n": "lam_n_fraction",
                     "lam_p": "lam_p_fraction", "resistance": "resistance_growth_fraction"}

# Climate presets of the CLI and the notebooks: seasonal sinusoids with rounded climate normals
# (annual mean, half the January-July difference of monthly means, daily max-min), orders of
# magnitude from the WMO 1991-2020 climate normals of the cities named.
CLIMATE_PRESETS: dict[str, tuple[float, float, float]] = {
    "temperate": (10.5, 9.0, 8.0),  # Frankfurt am Main: mean ~10.6 °C, Jan ~1.5, Jul ~20
    "hot": (24.0, 10.0, 13.0),  # Phoenix AZ: mean ~24 °C, Jan ~13, Jul ~35
    "cold": (5.0, 15.0, 9.0),  # Minneapolis MN: mean ~8 °C, Jan ~-9, Jul ~23 (a little colder)
    "mild": (17.0, 5.0, 7.0),  # Lisbon: mean ~17.5 °C, Jan ~11.5, Jul ~23
}


def climate_from_text(text: str) -> Climate:
    """A climate from a short text: a preset (``temperate``, ``hot``, ``cold``, ``mild``),
    ``constant:25``, ``seasonal:MEAN,AMPLITUDE[,SWING]`` or the path of an hourly CSV."""
    text = text.strip()
    if text in CLIMATE_PRESETS:
        mean, amplitude, swing = CLIMATE_PRESETS[text]
        climate = Climate.seasonal(mean, amplitude, daily_swing_C=swing)
        return Climate(climate.hourly_C, f"{text} ({climate.name})")
    kind, _, rest = text.partition(":")
    if kind in ("constant", "seasonal") and rest:
        try:
            values = [float(x) for x in rest.split(",")]
        except ValueError:
            raise InputError(f"climate={text!r}: {rest!r} must be numbers separated by "
                             "commas") from None
        if kind == "constant" and len(values) == 1:
            return Climate.constant(values[0])
        if kind == "seasonal" and len(values) in (2, 3):
            return Climate.seasonal(*values)
        raise InputError(f"climate={text!r}: constant:T or seasonal:MEAN,AMPLITUDE[,SWING]")
    if text.lower().endswith(".csv"):
        return Climate.from_csv(text)
    raise InputError(f"climate={text!r} is not allowed; allowed: {', '.join(CLIMATE_PRESETS)}, "
                     "constant:T, seasonal:MEAN,AMPLITUDE[,SWING] or a .csv file")


@dataclass
class LifetimeResult:
    """Result of :func:`lifetime`.

    Attributes
    ----------
    data
        One row per reporting day: ``day, year, soh, capacity_Ah, resistance_ohm`` (per cell:
        fresh 10 s pulse resistance at 50 % SOC + SEI film resistance),
        ``film_resistance_ohm, km, equivalent_full_cycles`` (throughput / 2 / nominal capacity),
        ``lli_Ah, lli_sei_Ah, plated_Ah, lam_n_fraction, lam_p_fraction,
        calendar_lli_Ah, cycle_lli_Ah, calendar_share`` (of the LLI growth),
        ``range_25C_km`` (NaN between evaluations), ``simulated_days``, and the degradation
        modes as fractions of the fresh values: ``lli_fraction`` (lost over the fresh
        cyclable lithium, :attr:`FastSimulation.fresh_lithium_inventory_Ah`),
        ``lam_n_fraction``, ``lam_p_fraction``, ``resistance_growth_fraction``
        (see :meth:`degradation_modes`).
    days
        One row per simulated day (every day in exact mode, the representative days in
        accelerated mode): ambient, km, charge type, charge time, peak temperature, and the
        day's LLI growth while parked and while driving/charging.
    stopped_reason, stopped_at_day
        ``None`` if the run reached its horizon; otherwise why and on which day it stopped.
    cell
        The simulated cell (one cell stands for the pack).
    ageing_states
        The fast engine's ageing state (:attr:`FastSimulation.ageing_state`) at each row of
        ``data``, shape ``(len(data), n)``: the aged cell for :meth:`voltage_curves`.
    """

    chemistry: str
    climate: str
    mode: str
    years: float
    usage: Usage
    pack_kWh: float
    fresh_capacity_Ah: float
    base_resistance_ohm: float
    elapsed_s: float
    stopped_reason: str | None
    stopped_at_day: int | None
    data: pd.DataFrame = field(repr=False)
    days: pd.DataFrame = field(repr=False)
    cell: Any = field(default=None, repr=False)
    ageing_states: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    @property
    def has_negative_electrode(self) -> bool:
        """False for a lithium-metal negative (no negative active material to lose)."""
        return self.cell is None or self.cell.stoichiometry_limits.x_n_0 is not None

    def degradation_modes(self, modes: Sequence[str] | None = None) -> pd.DataFrame:
        """Degradation modes over time, as fractions of the fresh values.

        Parameters
        ----------
        modes
            Names from :data:`DEGRADATION_MODES`: ``"lli"`` (loss of lithium inventory),
            ``"lam_n"``, ``"lam_p"`` (loss of negative / positive active material),
            ``"resistance"`` (growth of the 10 s pulse resistance); default all the cell has
            (no ``"lam_n"`` for a lithium-metal negative).

        Returns
        -------
        pandas.DataFrame
            ``year`` and one column per mode (``lli_fraction``, ...).
        """
        available = [m for m in DEGRADATION_MODES if m != "lam_n" or self.has_negative_electrode]
        if modes is None:
            modes = available
        if isinstance(modes, str):
            modes = [modes]
        for mode in modes:
            if mode not in available:
                why = (" (lithium-metal negative electrode)" if mode == "lam_n" else "")
                raise InputError(f"modes: {mode!r} is not a degradation mode of "
                                 f"{self.chemistry}{why}; allowed: {', '.join(available)}")
        return self.data[["year"] + [DEGRADATION_MODES[m] for m in modes]].copy()

    def voltage_curves(self, years: Sequence[float], *, c_rate: float = CHECKUP_C_RATE,
                       temperature_C: float = 25.0) -> pd.DataFrame:
        """Check-up discharge of the aged cell at chosen years with its differential voltage
        and incremental capacity curves (:func:`cellsim.studies.checkup.checkup_curves`; the
        ageing state of the reporting day nearest each year).

        Returns
        -------
        pandas.DataFrame
            ``year`` (of the state used) and the columns of :func:`checkup_curves`.
        """
        if self.cell is None or len(self.ageing_states) != len(self.data):
            raise InputError("this LifetimeResult holds no ageing states (made by an engine "
                             "without them)")
        if isinstance(years, (int, float)):
            years = [years]
        report_years = self.data["year"].to_numpy()
        frames = []
        for year in years:
            year = check_number("years", year, low=0, high=float(report_years[-1]) + 1e-9)
            row = int(np.argmin(np.abs(report_years - year)))
            curves = checkup_curves(self.cell, self.ageing_states[row], c_rate=c_rate,
                                    temperature_C=temperature_C)
            curves.insert(0, "year", float(report_years[row]))
            frames.append(curves)
        return pd.concat(frames, ignore_index=True)

    def plot(self) -> Figure:
        """State of health and resistance increase against years (delegates to
        :func:`cellsim.presentation.plots.plot_soh`, imported here so the plotting code lives
        in the presentation layer)."""
        from ..presentation.plots import plot_soh

        return plot_soh([self])

    @property
    def completed(self) -> bool:
        """True if the run reached its horizon."""
        return self.stopped_reason is None

    def soh_at(self, years: float) -> float:
        """SOH after ``years`` (linear between reporting days)."""
        years = check_number("years", years, low=0)
        last = float(self.data["year"].iloc[-1])
        if years > last + 1e-9:
            raise InputError(f"years={years!r} is beyond the simulated {last:.3g} years"
                             + ("" if self.completed else f" (stopped: {self.stopped_reason})"))
        return float(np.interp(years, self.data["year"], self.data["soh"]))

    def year_at_soh(self, soh: float) -> float | None:
        """First time (years) the SOH falls to ``soh``; ``None`` if it does not in the run."""
        soh = check_number("soh", soh, low=0, high=1, low_inclusive=False)
        values = self.data["soh"].to_numpy()
        years = self.data["year"].to_numpy()
        below = np.flatnonzero(values <= soh)
        if below.size == 0:
            return None
        i = int(below[0])
        if i == 0:
            return float(years[0])
        s0, s1 = values[i - 1], values[i]
        return float(years[i - 1] + (years[i] - years[i - 1]) * (s0 - soh) / (s0 - s1))

    def summary(self) -> dict[str, Any]:
        """Scalars for sweeps, comparisons and the CLI."""
        d = self.data
        last = d.iloc[-1]
        ranges = d["range_25C_km"].dropna()

        def soh_or_nan(y: float) -> float:
            return self.soh_at(y) if y <= float(last["year"]) + 1e-9 else math.nan

        return {
            "chemistry": self.chemistry,
            "climate": self.climate,
            "mode": self.mode,
            "years": float(last["year"]),
            "daily_km": self.usage.daily_km,
            "charge_to_soc": self.usage.charge_to_soc,
            "soh_end": float(last["soh"]),
            "soh_8y": soh_or_nan(8.0),
            "soh_10y": soh_or_nan(10.0),
            "year_80": self.year_at_soh(END_OF_LIFE_SOH),
            "year_70": self.year_at_soh(SECOND_LIFE_SOH),
            "capacity_end_Ah": float(last["capacity_Ah"]),
            "resistance_increase_pct": 100.0 * (float(last["resistance_ohm"])
                                                / float(d["resistance_ohm"].iloc[0]) - 1.0),
            "km": float(last["km"]),
            "equivalent_full_cycles": float(last["equivalent_full_cycles"]),
            "calendar_share": float(last["calendar_share"]),
            "plated_Ah": float(last["plated_Ah"]),
            "range_25C_start_km": float(ranges.iloc[0]) if len(ranges) else math.nan,
            "range_25C_end_km": float(ranges.iloc[-1]) if len(ranges) else math.nan,
            "simulated_days": int(last["simulated_days"]),
            "elapsed_s": self.elapsed_s,
            "stopped_reason": self.stopped_reason,
            "stopped_at_day": self.stopped_at_day,
        }


def lifetime(pack, vehicle, usage: Usage, climate: Climate, years: float = 10.0, *,
             mode: str = "accelerated", engine: str | object = "fast",
             range_every_days: int | None = 365, report_every_days: int = 30,
             jump_days: int = 30, h_W_per_m2K: float | None = None) -> LifetimeResult:
    """Simulate ``years`` of daily use (module docstring).

    Parameters
    ----------
    pack, vehicle
        A :class:`~cellsim.Pack` and a :class:`~cellsim.Vehicle`.
    usage
        A :class:`~cellsim.Usage` (daily km, cycle, charge target, chargers, hours).
    climate
        A :class:`~cellsim.Climate`.
    years
        Horizon in years of 365 days, (0, 50].
    mode
        ``"accelerated"`` (cycle jumping, default) or ``"exact"`` (every day).
    engine
        ``"fast"`` or an engine object whose ``start`` accepts ``ageing=`` and
        ``ageing_state=`` (the fast engine's ageing interface).
    range_every_days
        Re-evaluate the 25 °C range with the aged cell every so many days (and at the start
        and the end); ``None`` skips it (faster).
    report_every_days
        Days between rows of :attr:`LifetimeResult.data` (30: monthly).
    jump_days
        Longest block of the accelerated mode (1…60 days).
    h_W_per_m2K
        Cell heat-transfer coefficient (default: the parameter set's).
    """
    if not isinstance(usage, Usage):
        raise InputError(f"usage={usage!r} must be a cellsim.Usage")
    if not isinstance(climate, Climate):
        raise InputError(f"climate={climate!r} must be a cellsim.Climate "
                         "(Climate.constant, Climate.seasonal or Climate.from_csv)")
    years = check_number("years", years, low=0, high=50, low_inclusive=False)
    if mode not in MODES:
        raise InputError(f"mode={mode!r} is not allowed; allowed: {', '.join(MODES)}")
    report_every_days = _count("report_every_days", report_every_days, 1, 3650)
    jump_days = _count("jump_days", jump_days, 1, 60)
    if range_every_days is not None:
        range_every_days = _count("range_every_days", range_every_days, 1, 100_000)
    if h_W_per_m2K is not None:
        h_W_per_m2K = check_number("h_W_per_m2K", h_W_per_m2K, low=0, high=1e5)

    t_start = time.perf_counter()
    runner = get_engine(engine)
    n_days = max(1, int(round(years * DAYS_PER_YEAR)))
    run = _Run(pack, vehicle, usage, climate, runner, h_W_per_m2K)
    range_days = set() if range_every_days is None else (
        set(range(0, n_days, range_every_days)) | {n_days})
    report_days = sorted(set(range(0, n_days, report_every_days)) | {n_days} | range_days)

    rows: list[dict[str, Any]] = []
    acc = _Totals()
    day = 0
    stopped_reason: str | None = None
    stopped_at: int | None = None
    rows.append(run.report(0, acc, 0 in range_days))
    next_report = 1
    try:
        while day < n_days:
            target = report_days[next_report]
            if mode == "exact":
                run.remember(day, acc)
                run.day(day, day, acc, weight_ac=1, weight_dc=1)
                day += 1
            else:
                length = min(jump_days, _startup_length(day, jump_days), target - day)
                end = day + length
                n_dc = run.dc_days_between(day, end)
                n_ac = length - n_dc
                middle = day + length // 2
                run.block(day, middle, n_ac, n_dc, acc)
                day = end
            if day == target:
                rows.append(run.report(day, acc, day in range_days))
                next_report += 1
    except (CellsimError, ArithmeticError, _NonFinite) as err:
        # inputs were checked above: an error here comes from the simulation itself
        stopped_at = run.current_day
        stopped_reason = (f"day {stopped_at} (year {stopped_at / DAYS_PER_YEAR:.2f}), "
                          f"{run.phase}: {err}")
        # keep a last row at the last good state if the failing block left one
        if run.last_good_state is not None and rows[-1]["day"] < run.last_good_day:
            try:
                run.sim.set_ageing_state(run.last_good_state)
                rows.append(run.report(run.last_good_day, run.last_good_totals, False))
            except (CellsimError, ArithmeticError, _NonFinite):
                pass
    data = pd.DataFrame(rows)
    days = pd.DataFrame(run.day_rows)
    return LifetimeResult(
        chemistry=getattr(pack.cell, "chemistry", "cell"),
        climate=climate.name,
        mode=mode,
        years=years,
        usage=usage,
        pack_kWh=pack.energy_kWh,
        fresh_capacity_Ah=run.fresh_capacity_Ah,
        base_resistance_ohm=run.base_resistance_ohm,
        elapsed_s=time.perf_counter() - t_start,
        stopped_reason=stopped_reason,
        stopped_at_day=stopped_at,
        data=data,
        days=days,
        cell=pack.cell,
        ageing_states=np.array(run.report_states[:len(data)]),
    )


def lifetime_columns(pack, vehicle, *, years: float = 8.0, climate: Climate | None = None,
                     usage: Usage | None = None, charger_kW: float = 150.0) -> dict[str, float]:
    """Columns for ``cellsim compare``: SOH after 8 years (accelerated mode, temperate climate,
    50 km a day, AC charging to 90 %), DC fast-charge 10→80 % time and peak temperature at
    ``charger_kW`` and 25 °C, and the peak cell temperature on US06 at 35 °C.

    Takes a few seconds per chemistry (no range re-evaluation).
    """
    from .fast_charge import fast_charge
    from .thermal import us06_peak_temperature

    climate = climate or climate_from_text("temperate")
    usage = usage or Usage(daily_km=50.0, charge_to_soc=0.9)
    result = lifetime(pack, vehicle, usage, climate, years, mode="accelerated",
                      range_every_days=None, report_every_days=DAYS_PER_YEAR)
    summary = result.summary()
    charge = fast_charge(pack, charger_kW)
    us06 = us06_peak_temperature(pack, vehicle, ambient_C=35.0)
    return {
        f"soh_{years:g}y": summary["soh_end"] if result.completed else math.nan,
        "year_80": summary["year_80"] if summary["year_80"] is not None else math.nan,
        f"fast_charge_10_80_{charger_kW:g}kW_min": charge.time_min,
        "fast_charge_peak_temperature_C": charge.peak_temperature_C,
        "peak_temperature_us06_35C_C": us06["peak_temperature_C"],
    }


# --------------------------------------------------------------------------------- internals


class _NonFinite(Exception):
    """Ageing values became NaN or infinite."""


@dataclass
class _Totals:
    km: float = 0.0
    throughput_Ah: float = 0.0
    calendar_lli_Ah: float = 0.0
    cycle_lli_Ah: float = 0.0
    simulated_days: int = 0

    def copy(self) -> _Totals:
        return _Totals(**self.__dict__)


def _count(field_name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            low <= value <= high):
        raise InputError(f"{field_name}={value!r} is not allowed; allowed: an integer in "
                         f"[{low}, {high}]")
    return int(value)


def _startup_length(day: int, jump_days: int) -> int:
    """Block length at ``day``: 1 on the first two days, then about the age of the cell (SEI
    grows like √t, so its rate changes little over a block as long as the block is no longer
    than the time already elapsed), at most ``jump_days``."""
    return max(1, min(jump_days, day))


class _Run:
    """State of one lifetime run: the simulation, the daily load and the bookkeeping."""

    def __init__(self, pack, vehicle, usage: Usage, climate: Climate, runner, h) -> None:
        self.pack, self.vehicle, self.usage, self.climate = pack, vehicle, usage, climate
        self.runner, self.h = runner, h
        self.cell = pack.cell
        self.q_nom = float(self.cell.nominal_capacity_Ah)
        self.q_soc = ah_per_soc(self.cell)
        self.i_cut = CV_CUTOFF_C_RATE * self.q_nom
        self.i_ac = usage.charger_kW * 1e3 / (pack.n_cells * self.cell.nominal_voltage_V)
        self.p_dc = usage.dc_fast_kW * 1e3 / pack.n_cells
        self.current_day = 0
        self.phase = "start"
        self.day_rows: list[dict[str, Any]] = []
        self.last_good_state: np.ndarray | None = None
        self.last_good_day = 0
        self.last_good_totals = _Totals()
        self._profiles: dict[float, tuple[np.ndarray, float]] = {}
        ambient0 = self.ambient(0, usage.departure_hour)
        self.sim = runner.start(self.cell, soc=usage.charge_to_soc, ambient_C=ambient0,
                                thermal="lumped", h_W_per_m2K=h, ageing=True)
        self.fresh_capacity_Ah = float(self.sim.capacity_Ah())
        # a lithium-metal negative charges no faster than its critical current density allows
        self.i_ac = min(self.i_ac, getattr(self.sim, "critical_charge_current_A", math.inf))
        self.lithium_inventory_Ah = float(getattr(self.sim, "fresh_lithium_inventory_Ah",
                                                  math.nan))
        self.base_resistance_ohm = self._pulse_resistance()
        # the fresh cell's resistance with its initial film (the reference of the growth)
        self.fresh_resistance_ohm = self.base_resistance_ohm + float(
            self.sim.ageing.get("film_resistance_ohm", 0.0))
        self.report_states: list[np.ndarray] = []

    # --- climate and load ----------------------------------------------------------------
    def ambient(self, day: int, hour: float) -> float:
        return float(self.climate.temperature_C((day % DAYS_PER_YEAR) * 24.0 + hour))

    def dc_days_between(self, start: int, end: int) -> int:
        """DC fast-charge days in ``[start, end)``: ``dc_fast_per_week`` spread evenly."""
        f = self.usage.dc_fast_per_week / 7.0
        return int(math.floor(end * f + 1e-9) - math.floor(start * f + 1e-9))

    def is_dc_day(self, day: int) -> bool:
        return self.dc_days_between(day, day + 1) == 1

    def drive_profile(self, ambient_C: float) -> tuple[np.ndarray, float]:
        """Per-cell power (1 s) of the daily distance at an ambient, and its km."""
        key = round(ambient_C, 1)
        if key not in self._profiles:
            cycle = self.usage.cycle.resample(1.0)
            demand = self.vehicle.power_demand(cycle, battery_mass_kg=self.pack.mass_kg,
                                               ambient_C=key)
            power = np.asarray(self.pack.per_cell_power_W(demand.battery_power_W))
            km = np.concatenate([[0.0], np.cumsum(demand.speed_kmh * demand.duration_s / 3600)])
            cycle_km = float(km[-1])
            target = self.usage.daily_km
            if target <= 0 or cycle_km <= 0:
                self._profiles[key] = (np.zeros(0), 0.0)
            else:
                n_full = int(target // cycle_km)
                rest_km = target - n_full * cycle_km
                cut = int(np.searchsorted(km, rest_km, side="left"))
                profile = np.concatenate([np.tile(power, n_full), power[:cut]])
                self._profiles[key] = (profile, n_full * cycle_km + float(km[cut]))
        return self._profiles[key]

    # --- one day ------------------------------------------------------------------------
    def day(self, day: int, climate_day: int, acc: _Totals, weight_ac: int, weight_dc: int,
            dc: bool | None = None) -> None:
        """Simulate one day (climate of ``climate_day``); add it to ``acc`` with its weight."""
        u, sim = self.usage, self.sim
        self.current_day = day
        dc = self.is_dc_day(day) if dc is None else dc
        weight = weight_dc if dc else weight_ac
        # SOC on the aged electrode window (what a BMS shows), and its Ah per unit SOC
        sim.rebase_soc()
        self.q_soc = float(sim.capacity_Ah())
        lli0 = self._lli()
        calendar = cycle = 0.0
        km = throughput = 0.0
        peak_T = sim.temperature_C
        # drive
        self.phase = "driving"
        t_dep = self.ambient(climate_day, u.departure_hour)
        sim.ambient_C = t_dep
        profile, profile_km = self.drive_profile(t_dep)
        drive_s = 0.0
        short = False
        if profile.size:
            seg = sim.power(profile, dt_s=1.0)
            tr = seg.trace
            drive_s = float(tr.time_s[-1])
            throughput += float(np.sum(np.abs(tr.current_A[1:]) * np.diff(tr.time_s))) / 3600
            peak_T = max(peak_T, float(tr.temperature_C.max()))
            if seg.stop_reason is None:
                km = profile_km
            else:
                short = True
                km = profile_km * drive_s / profile.size
        lli1 = self._lli()
        cycle += lli1 - lli0
        # park until arrival
        self.phase = "parked (day)"
        park_s = (u.arrival_hour - u.departure_hour) * 3600.0 - drive_s
        self._park(climate_day, u.departure_hour + drive_s / 3600.0, park_s)
        lli2 = self._lli()
        calendar += lli2 - lli1
        # charge
        self.phase = "DC fast charging" if dc else "AC charging"
        sim.ambient_C = self.ambient(climate_day, u.arrival_hour)
        soc_before = sim.soc
        if dc:
            log = charge_constant_power(sim, self.cell, self.p_dc, u.charge_to_soc, chunk_s=30,
                                        q_per_soc_Ah=self.q_soc)
            charge_s, charge_Ah = log.duration_s, log.charge_Ah
            peak_T = max(peak_T, log.peak_temperature_C)
        else:
            charge_s, charge_Ah, t_max = self._charge_ac(u.charge_to_soc)
            peak_T = max(peak_T, t_max)
        throughput += charge_Ah
        lli3 = self._lli()
        cycle += lli3 - lli2
        # park overnight
        self.phase = "parked (night)"
        night_s = DAY_S - (u.arrival_hour - u.departure_hour) * 3600.0 - charge_s
        if night_s > 0:
            self._park(climate_day, u.arrival_hour + charge_s / 3600.0, night_s)
        else:
            short = True
        lli4 = self._lli()
        calendar += lli4 - lli3
        self.phase = "bookkeeping"
        acc.km += weight * km
        acc.throughput_Ah += weight * throughput
        acc.calendar_lli_Ah += weight * calendar
        acc.cycle_lli_Ah += weight * cycle
        acc.simulated_days += 1
        self.day_rows.append({
            "day": day, "climate_day": climate_day % DAYS_PER_YEAR, "weight": weight,
            "ambient_departure_C": t_dep, "km": km, "charge": "DC" if dc else "AC",
            "soc_before_charge": soc_before, "soc_after_charge": float(sim.soc),
            "charge_time_min": charge_s / 60.0, "peak_temperature_C": peak_T,
            "calendar_lli_Ah": calendar, "cycle_lli_Ah": cycle, "short_of_time": short,
        })

    def block(self, start: int, middle: int, n_ac: int, n_dc: int, acc: _Totals) -> None:
        """Accelerated mode: representative day(s) for ``n_ac + n_dc`` days, then jump."""
        state0 = self.remember(start, acc)
        delta = np.zeros_like(state0)
        state = state0
        for dc, n in ((False, n_ac), (True, n_dc)):
            if n == 0:
                continue
            self.day(start, middle, acc, weight_ac=n, weight_dc=n, dc=dc)
            after = np.array(self.sim.ageing_state, dtype=float)
            delta += n * (after - state)
            state = after
        self.phase = "cycle jump"
        end = state0 + delta
        # quasi-periodic states are not extrapolated: they end the block where the
        # representative day left them
        end[PERIODIC_SLOTS] = state[PERIODIC_SLOTS]
        if not np.all(np.isfinite(end)):
            raise _NonFinite("non-finite ageing state after extrapolation")
        try:
            self.sim.set_ageing_state(end)
        except InputError as err:
            raise _NonFinite(f"the ageing state extrapolated over {n_ac + n_dc} days is not "
                             f"valid ({err})") from None

    def remember(self, day: int, acc: _Totals) -> np.ndarray:
        """Keep the ageing state and totals at the start of ``day`` (to report after a
        failure); return the state."""
        state = np.array(self.sim.ageing_state, dtype=float)
        self.last_good_state = state
        self.last_good_day = day
        self.last_good_totals = acc.copy()
        return state.copy()

    # --- pieces ---------------------------------------------------------------------------
    def _lli(self) -> float:
        """Irreversibly lost lithium [Ah]: ``lli_Ah`` without the reversibly plated lithium
        (which strips back during rests) when the engine reports ``dead_lithium_Ah``."""
        ageing = self.sim.ageing
        value = float(ageing["lli_Ah"])
        if "dead_lithium_Ah" in ageing:
            value -= float(ageing["plated_Ah"]) - float(ageing["dead_lithium_Ah"])
        if not math.isfinite(value):
            raise _NonFinite(f"lli_Ah={value!r}")
        return value

    def _park(self, climate_day: int, hour: float, duration_s: float) -> None:
        sim = self.sim
        if duration_s <= 0:
            return
        sim.ambient_C = self.ambient(climate_day, hour)
        settle = min(REST_SETTLE_S, duration_s)
        sim.rest(settle)
        rest = duration_s - settle
        if rest < 1.0:
            return
        n = max(1, int(math.ceil(rest / REST_STEP_S)))
        dt = rest / n
        hours = hour + (settle + (np.arange(n) + 0.5) * dt) / 3600.0
        ambient = self.climate.temperature_C((climate_day % DAYS_PER_YEAR) * 24.0 + hours)
        sim.power(np.zeros(n), dt_s=dt, ambient_C=ambient)

    def _charge_ac(self, target: float) -> tuple[float, float, float]:
        """CC at the charger's per-cell current, then CV at the upper cut-off; returns
        (duration s, charge Ah, peak temperature °C)."""
        sim, cell = self.sim, self.cell
        v_max = cell.voltage_max_V
        total_s = charged = 0.0
        peak = sim.temperature_C
        need = target - sim.soc
        if need <= 1e-4:
            return 0.0, 0.0, peak
        seg = sim.current(-self.i_ac, need * self.q_soc * 3600.0 / self.i_ac, v_max_V=v_max)
        total_s += float(seg.trace.time_s[-1])
        charged += -float(seg.trace.capacity_Ah[-1])
        peak = max(peak, float(seg.trace.temperature_C.max()))
        current = self.i_ac
        if seg.stop_reason != "voltage_max":
            return total_s, charged, peak
        while sim.soc < target - 1e-4 and total_s < 12 * 3600.0:
            need = target - sim.soc
            chunk = max(60.0, min(1800.0, need * self.q_soc * 3600.0 / max(current, 1e-9)))
            seg = sim.cccv(self.i_ac, v_max, self.i_cut, max_duration_s=chunk)
            total_s += float(seg.trace.time_s[-1])
            charged += -float(seg.trace.capacity_Ah[-1])
            peak = max(peak, float(seg.trace.temperature_C.max()))
            current = abs(float(seg.trace.current_A[-1]))
            if seg.stop_reason == "current_min":
                break
        return total_s, charged, peak

    def _pulse_resistance(self) -> float:
        """DC resistance of the fresh cell: 10 s 1C discharge pulse at 50 % SOC and 25 °C."""
        sim = self.runner.start(self.cell, soc=PULSE_SOC, ambient_C=25.0, thermal="lumped",
                                h_W_per_m2K=self.h)
        seg = sim.current(self.q_nom, PULSE_S)
        ocv = float(np.ravel(self.cell.open_circuit_voltage_V(PULSE_SOC, 25.0))[0])
        return (ocv - float(seg.trace.voltage_V[-1])) / self.q_nom

    # --- reporting ----------------------------------------------------------------------
    def report(self, day: int, acc: _Totals, with_range: bool) -> dict[str, Any]:
        self.phase = "reporting"
        sim = self.sim
        ageing = {k: float(v) for k, v in sim.ageing.items() if k in AGEING_KEYS}
        capacity = float(sim.capacity_Ah())
        if not (math.isfinite(capacity) and all(math.isfinite(v) for v in ageing.values())):
            raise _NonFinite(f"capacity_Ah={capacity!r}, ageing={ageing}")
        if capacity <= 0 or capacity > 1.05 * self.fresh_capacity_Ah:
            raise _NonFinite(f"unphysical capacity_Ah={capacity:.4g} "
                             f"(fresh {self.fresh_capacity_Ah:.4g} Ah)")
        lli_growth = acc.calendar_lli_Ah + acc.cycle_lli_Ah
        resistance = self.base_resistance_ohm + ageing.get("film_resistance_ohm", 0.0)
        row = {
            "day": day,
            "year": day / DAYS_PER_YEAR,
            "soh": capacity / self.fresh_capacity_Ah,
            "capacity_Ah": capacity,
            "resistance_ohm": resistance,
            **ageing,
            "lli_fraction": ageing.get("lli_Ah", math.nan) / self.lithium_inventory_Ah,
            "resistance_growth_fraction": resistance / self.fresh_resistance_ohm - 1.0,
            "km": acc.km,
            "equivalent_full_cycles": acc.throughput_Ah / (2.0 * self.q_nom),
            "calendar_lli_Ah": acc.calendar_lli_Ah,
            "cycle_lli_Ah": acc.cycle_lli_Ah,
            "calendar_share": acc.calendar_lli_Ah / lli_growth if lli_growth > 0 else math.nan,
            "range_25C_km": self._range() if with_range else math.nan,
            "simulated_days": acc.simulated_days,
        }
        self.report_states.append(np.array(sim.ageing_state, dtype=float))
        return row

    def _range(self) -> float:
        from .range_test import range_test

        self.phase = "range test at 25 °C"
        aged = _AgedEngine(self.runner, np.array(self.sim.ageing_state, dtype=float))
        result = range_test(self.pack, self.vehicle, RANGE_CYCLE, ambient_C=RANGE_AMBIENT_C,
                            start_soc=1.0, engine=aged, h_W_per_m2K=self.h)
        return float(result.range_km)


class _AgedEngine:
    """An engine that starts every simulation from a given ageing state (for range tests)."""

    def __init__(self, base, state: np.ndarray) -> None:
        self._base = base
        self._state = state
        self.name = getattr(base, "name", "fast")

    def start(self, cell, **options):
        return self._base.start(cell, ageing=True, ageing_state=self._state.copy(), **options)
