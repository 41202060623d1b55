"""DC fast charging of a pack: time, peak cell temperature and plated lithium.

Protocol (one cell stands for the pack; every cell carries ``1 / n_cells`` of the power)::

    P_cell  = charger power / n_cells                   constant power at the charger limit
    I       ≤ I_rated = max C-rate · Q_nom               the cell's rated peak charge current
    φ_pl(L_n) ≥ plating margin (0 V vs Li/Li+)           plating-safe: enforced every 1 s step
    V_cell  ≤ V_max                                     the engine clamps a charge at the
                                                        upper cut-off: constant voltage (CV)

until the cell SOC reaches ``end_soc`` (or the CV current falls below C/20).

Plating-safe limit (graphite negatives): lithium deposits on graphite when the plating
potential ``φ_pl = φ_s − φ_e − (SEI film drop)`` — PyBaMM's plating overpotential, the
negative's surface OCP plus its kinetic overpotential — falls below 0 V vs Li/Li+. It is lowest
at the separator side of the negative, so the limit is applied there: the fast engine evaluates
φ_pl at x = L_n from the SPMe (x-averaged value corrected by the solid and electrolyte potential
drops to the separator, :func:`cellsim.engine.fast.voltage.plating_potential`) and, in every 1 s
charge step, takes the largest current that keeps it at or above ``plating_margin_V``: the
anode-potential criterion of model-based fast charging, with the plating overpotential and its
sign as in the plating kinetics of O'Kane et al. 2022 (doi:10.1039/D2CP00417H) that PyBaMM and
the fast engine's ageing model use. The SPMe's uniform
reaction underestimates the separator-side current density of a thick electrode, so the margin
is a user choice (default 0 V; raise it for safety). A cold cell reaches the limit at a lower
current: the charge slows until the cell warms. The ageing model still computes ``plated_Ah``:
plating kinetics deposit some lithium even at φ_pl ≥ 0 (and strip it again later).

For a lithium-metal negative (``solid_state``) lithium deposition is the electrode reaction and
there is no plating potential; its limit is the critical current density of the Li | solid
electrolyte interface (the parameter set's, ``FastSimulation.critical_charge_current_A``; above
it lithium filaments grow through the electrolyte) when it is below the rated current:
``limited_by`` then says ``"critical current density"``.

Rated peak charge current (:data:`MAX_CHARGE_C_RATE`, by cell family, at any temperature):
3C for NCM | graphite EV cells (Tesla/LG 2170-class cells reach ~3C at the start of a 250 kW
session), 2C for LFP | graphite (EV LFP packs peak at ~2C), 1C for the solid-state projection.
Engineering assumptions, not fits; pass ``max_c_rate`` to use your own.

Cooling model: the fast engine's lumped thermal balance
``ρc_p V dT/dt = Q − h·A·(T − T_coolant)`` with ``A`` the parameter set's cooling surface
area; ``coolant_C`` replaces the ambient in the cooling term (default: the ambient) and
``h_W_per_m2K`` the parameter set's heat-transfer coefficient. The cell starts soaked at the
ambient temperature.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.registry import get_engine
from ..errors import InputError
from ..validation import check_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KELVIN = 273.15
MAX_CHARGE_C_RATE = {"NCM": 3.0, "LFP": 2.0, "solid-state": 1.0}
DEFAULT_MAX_CHARGE_C_RATE = 2.0  # unknown families (BPX cells)
PLATING_MARGIN_V = 0.0  # lowest plating potential at the separator, V vs Li/Li+ (module doc)
CV_CUTOFF_C_RATE = 0.05  # stop when the CV current falls below C/20
TEMPERATURE_RANGE_C = (-40.0, 60.0)
MAX_DURATION_S = 6 * 3600.0


def max_charge_c_rate(cell) -> float:
    """Rated peak charge C-rate assumed for the cell's family (see module doc)."""
    return MAX_CHARGE_C_RATE.get(getattr(cell, "family", ""), DEFAULT_MAX_CHARGE_C_RATE)


def rated_charge_current_A(cell, max_c_rate: float | None = None) -> float:
    """Rated peak charge current of one cell (``max_c_rate`` or the family's), A."""
    c_rate = max_charge_c_rate(cell) if max_c_rate is None else max_c_rate
    return c_rate * cell.nominal_capacity_Ah


@dataclass
class ChargeLog:
    """What one charge did: durations, charge, temperatures and why it ended."""

    duration_s: float = 0.0
    charge_Ah: float = 0.0
    energy_Wh: float = 0.0
    peak_temperature_C: float = -math.inf
    end_reason: str = "target"
    frames: list = field(default_factory=list, repr=False)


def ah_per_soc(cell) -> float:
    """Charge per unit SOC of the fresh cell, Ah (the positive electrode's span, as the engine's
    SOC is defined from the mean positive stoichiometry)."""
    return float(cell.theoretical_capacity_Ah)


def charge_constant_power(sim, cell, power_W: float, target_soc: float, *,
                          max_c_rate: float | None = None,
                          plating_margin_V: float | None = PLATING_MARGIN_V,
                          chunk_s: int = 10, q_per_soc_Ah: float | None = None,
                          keep_trace: bool = False, max_duration_s: float = MAX_DURATION_S,
                          ) -> ChargeLog:
    """Charge ``sim`` (one cell) at constant power ``power_W`` under the rated current, the
    plating-potential limit (``plating_margin_V``; ``None``: none) and the upper voltage, to
    ``target_soc``. Steps of 1 s; the rated-current cap is re-evaluated every ``chunk_s``
    seconds, the plating and voltage limits every step. Returns a :class:`ChargeLog` (with the
    traces if ``keep_trace``; their ``limit`` column names the binding limit each second)."""
    log = ChargeLog()
    q_soc = ah_per_soc(cell) if q_per_soc_Ah is None else q_per_soc_Ah
    i_cut = CV_CUTOFF_C_RATE * cell.nominal_capacity_Ah
    i_rated = rated_charge_current_A(cell, max_c_rate)
    i_ccd = getattr(sim, "critical_charge_current_A", math.inf)
    current_limit = "critical current density" if i_ccd < i_rated else "cell current"
    i_rated = min(i_rated, i_ccd)
    v_max = cell.voltage_max_V
    voltage = float(np.ravel(cell.open_circuit_voltage_V(min(max(sim.soc, 0.0), 1.0)))[0])
    current = math.inf
    log.peak_temperature_C = sim.temperature_C
    limit_before = sim.plating_limit_V if not sim.lithium_metal_negative else None
    if not sim.lithium_metal_negative:
        sim.plating_limit_V = plating_margin_V
    try:
        while sim.soc < target_soc - 1e-6:
            if log.duration_s >= max_duration_s:
                log.end_reason = "max_duration"
                break
            p = min(power_W, i_rated * voltage)
            i_est = p / max(voltage, 1e-3)
            need_s = (target_soc - sim.soc) * q_soc * 3600.0 / max(min(i_est, abs(current)),
                                                                   1e-9)
            n = int(max(1, min(chunk_s, math.ceil(need_s - 1e-9))))
            seg = sim.power(np.full(n, -p), dt_s=1.0)
            tr = seg.trace
            dt = np.diff(tr.time_s)
            log.duration_s += float(tr.time_s[-1])
            log.charge_Ah += -float(tr.capacity_Ah[-1])
            log.energy_Wh += -float(np.sum(tr.power_W[1:] * dt)) / 3600.0
            log.peak_temperature_C = max(log.peak_temperature_C, float(tr.temperature_C.max()))
            if keep_trace:
                frame = tr.to_frame().iloc[1:]
                frame["time_s"] += log.duration_s - float(tr.time_s[-1])
                at_vmax = frame["voltage_V"] >= v_max - 2e-3
                short = -frame["power_W"] < p * (1 - 1e-6)
                frame["limit"] = np.where(at_vmax, "voltage", np.where(
                    short, "plating potential", current_limit if p < power_W else "charger"))
                log.frames.append(frame)
            voltage = float(tr.voltage_V[-1])
            current = abs(float(tr.current_A[-1]))
            if current < i_cut and voltage >= v_max - 1e-3:
                log.end_reason = "cv_cutoff"
                break
            if seg.stop_reason is not None and tr.time_s[-1] == 0:
                log.end_reason = seg.stop_reason
                break
    finally:
        if not sim.lithium_metal_negative:
            sim.plating_limit_V = limit_before
    return log


@dataclass
class FastChargeResult:
    """Result of :func:`fast_charge`.

    Attributes
    ----------
    time_min
        Time from ``start_soc`` to ``end_soc`` (``nan`` if the charge ended before).
    peak_temperature_C
        Highest cell temperature during the charge.
    plated_Ah
        Lithium plated in one cell during the charge (from the engine's ageing model).
    energy_kWh, mean_power_kW
        DC energy into the pack and its mean power.
    limited_by
        What set the power most of the time: ``"charger"``, ``"cell current"`` (the rated
        peak current), ``"critical current density"`` (lithium-metal negative),
        ``"plating potential"`` or ``"voltage"`` (CV).
    data
        Time series: ``time_s, soc, voltage_V, current_A, c_rate, power_kW`` (pack),
        ``temperature_C``, ``limit`` (the binding limit at each second).
    """

    chemistry: str
    charger_kW: float
    start_soc: float
    end_soc: float
    ambient_C: float
    coolant_C: float
    time_min: float
    peak_temperature_C: float
    plated_Ah: float
    energy_kWh: float
    mean_power_kW: float
    limited_by: str
    reached: bool
    end_reason: str
    elapsed_s: float
    data: pd.DataFrame = field(repr=False)

    def summary(self) -> dict[str, float | str | bool]:
        """Scalar results as a flat dict (the CLI's ``--json`` fields)."""
        names = ("chemistry", "charger_kW", "start_soc", "end_soc", "ambient_C", "coolant_C",
                 "time_min", "peak_temperature_C", "plated_Ah", "energy_kWh", "mean_power_kW",
                 "limited_by", "reached", "end_reason")
        return {name: getattr(self, name) for name in names}

    def plot(self) -> Figure:
        """SOC, pack power and cell temperature against time (delegates to
        :func:`cellsim.presentation.plots.plot_fast_charge`, imported here so the plotting
        code lives in the presentation layer)."""
        from ..presentation.plots import plot_fast_charge

        return plot_fast_charge([self])


def fast_charge(pack, charger_kW: float, start_soc: float = 0.1, end_soc: float = 0.8,
                ambient_C: float = 25.0, *, coolant_C: float | None = None,
                h_W_per_m2K: float | None = None, max_c_rate: float | None = None,
                plating_limit: bool = True, plating_margin_V: float = PLATING_MARGIN_V,
                engine: str | object = "fast") -> FastChargeResult:
    """DC fast charge of ``pack`` from ``start_soc`` to ``end_soc`` (module docstring).

    Parameters
    ----------
    pack
        A :class:`~cellsim.Pack`.
    charger_kW
        Charger power limit at the pack, kW (> 0).
    start_soc, end_soc
        SOC window, ``0 ≤ start_soc < end_soc ≤ 1``.
    ambient_C
        Ambient temperature, −40…60 °C; the cells start at it.
    coolant_C
        Coolant temperature of the cooling model (default: the ambient), −40…60 °C.
    h_W_per_m2K
        Heat-transfer coefficient between cell and coolant (default: the parameter set's).
    max_c_rate
        Rated peak charge C-rate (default: by family, see module doc).
    plating_limit
        Keep the plating potential at the separator at or above ``plating_margin_V`` (default;
        graphite negatives); ``False`` charges with only the rated current and voltage limits.
    plating_margin_V
        Lowest plating potential allowed, V vs Li/Li+ (default 0), −0.5…0.5.
    engine
        An engine with the ageing interface (default ``"fast"``).
    """
    charger_kW = check_number("charger_kW", charger_kW, low=0, high=2000, low_inclusive=False)
    start_soc = check_number("start_soc", start_soc, low=0, high=1, high_inclusive=False)
    end_soc = check_number("end_soc", end_soc, low=0, high=1, low_inclusive=False)
    if end_soc <= start_soc:
        raise InputError(f"end_soc={end_soc!r} must be above start_soc={start_soc!r}")
    ambient_C = check_number("ambient_C", ambient_C, low=TEMPERATURE_RANGE_C[0],
                             high=TEMPERATURE_RANGE_C[1])
    coolant_C = ambient_C if coolant_C is None else check_number(
        "coolant_C", coolant_C, low=TEMPERATURE_RANGE_C[0], high=TEMPERATURE_RANGE_C[1])
    if h_W_per_m2K is not None:
        h_W_per_m2K = check_number("h_W_per_m2K", h_W_per_m2K, low=0, high=1e5)
    if max_c_rate is not None:
        max_c_rate = check_number("max_c_rate", max_c_rate, low=0, high=20, low_inclusive=False)
    plating_margin_V = check_number("plating_margin_V", plating_margin_V, low=-0.5, high=0.5)
    cell = pack.cell
    t0 = time.perf_counter()
    runner = get_engine(engine)
    sim = runner.start(cell, soc=start_soc, ambient_C=ambient_C, thermal="lumped",
                       h_W_per_m2K=h_W_per_m2K, ageing=True)
    sim.ambient_C = coolant_C
    plated_0 = float(sim.ageing["plated_Ah"])
    power_W = charger_kW * 1e3 / pack.n_cells
    log = charge_constant_power(sim, cell, power_W, end_soc, max_c_rate=max_c_rate,
                                plating_margin_V=plating_margin_V if plating_limit else None,
                                keep_trace=True)
    data = pd.concat(log.frames, ignore_index=True) if log.frames else pd.DataFrame()
    reached = sim.soc >= end_soc - 1e-4
    if not data.empty:
        data["power_kW"] = -data["power_W"] * pack.n_cells / 1e3
        data["c_rate"] = -data["current_A"] / cell.nominal_capacity_Ah
        limited_by = str(data["limit"].value_counts().idxmax())
        data = data[["time_s", "soc", "voltage_V", "current_A", "c_rate", "power_kW",
                     "temperature_C", "limit"]]
    else:
        limited_by = "none"
    return FastChargeResult(
        chemistry=getattr(cell, "chemistry", "cell"),
        charger_kW=charger_kW,
        start_soc=start_soc,
        end_soc=end_soc,
        ambient_C=ambient_C,
        coolant_C=coolant_C,
        time_min=log.duration_s / 60.0 if reached else math.nan,
        peak_temperature_C=log.peak_temperature_C,
        plated_Ah=float(sim.ageing["plated_Ah"]) - plated_0,
        energy_kWh=log.energy_Wh * pack.n_cells / 1e3,
        mean_power_kW=(log.energy_Wh * pack.n_cells / 1e3) / (log.duration_s / 3600.0)
        if log.duration_s > 0 else 0.0,
        limited_by=limited_by,
        reached=bool(reached),
        end_reason="target" if reached else log.end_reason,
        elapsed_s=time.perf_counter() - t0,
        data=data,
    )
