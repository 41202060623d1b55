"""Numba kernel: decomposition kinetics of an abused cell coupled to its lumped energy balance.

The model is the lumped form of Hatchard et al. 2001 (doi:10.1149/1.1377592) with the reaction
set of Kim et al. 2007 (doi:10.1016/j.jpowsour.2007.04.018). Each reaction ``i`` has a remaining
reactant fraction ``c_i`` and a rate ``r_i = k_i(T)·f_i(c_i)`` [1/s] with
``k_i = A_i·exp(−Ea_i/(R·T))`` (zero below the reaction's threshold temperature, e.g. a melting
point). The rate laws (``FORM_*``):

``FORM_FIRST_ORDER``   ``f = c`` (SEI decomposition, electrolyte decomposition, ...).
``FORM_AUTOCATALYTIC`` ``f = c·(1 − c)``: the positive electrode's conversion ``α = 1 − c`` obeys
                       ``dα/dt = k·α·(1 − α)`` (Kim 2007, exponents 1 and 1).
``FORM_SEI_LIMITED``   ``f = c·exp(−z/z_ref)``, ``z = z_0 + (c_0 − c)``: lithium in the negative
                       electrode reacting with electrolyte through an SEI whose dimensionless
                       thickness ``z`` grows with the lithium consumed (Hatchard 2001).

The heat of reaction ``i`` is ``Q_i·r_i`` [W] with ``Q_i = H_i·m_i`` [J], enthalpy per mass of
reactant times the reactant's mass. The energy balance of the cell (heat capacity ``C``) is

``C·dT/dt = Σ Q_i·r_i − hA·(T − T_amb) − εσA·(T⁴ − T_amb⁴) + P_heater``.

Integration (:func:`integrate`): each step advances every fraction with the exact solution of its
rate law at a frozen temperature (first order: exponential decay, autocatalytic: the logistic
curve, SEI-limited: exponential decay at a frozen tunnelling factor), so no reaction can overshoot
or go negative however stiff it is. The temperature is advanced by the heat actually released by
the fractions' change. A predictor (rates at the step's start) and a corrector (rates at the
mid-step temperature and fractions) make the step second-order accurate. The step is accepted only
if the temperature changes by less than ``dT_max`` and no fraction by more than ``dc_max`` of
itself (of a floor, once nearly used up, so a reaction's tail is resolved without endless steps);
otherwise it is halved. Steps grow again when the changes are small, so a slow oven soak takes
long steps and a runaway takes sub-millisecond ones. A step that crosses a reaction's threshold
temperature is shortened until it changes the temperature by at most ``THRESHOLD_K``, so a
reaction switched on by melting starts at the melting point.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

GAS_CONSTANT_J_PER_MOL_K = 8.314462618  # CODATA 2018
STEFAN_BOLTZMANN_W_PER_M2K4 = 5.670374419e-8  # CODATA 2018

FORM_FIRST_ORDER = 0
FORM_AUTOCATALYTIC = 1
FORM_SEI_LIMITED = 2

# columns of the reaction table (one row per reaction)
R_A = 0  # frequency factor [1/s]
R_EA = 1  # activation energy [J/mol]
R_Q = 2  # heat per unit of fraction: enthalpy [J/kg] x reactant mass [kg] -> [J]
R_FORM = 3  # FORM_*
R_T_MIN = 4  # threshold temperature [K]; rate 0 below
R_ZREF = 5  # SEI_LIMITED: reference dimensionless SEI thickness z_ref
R_Z0 = 6  # SEI_LIMITED: initial dimensionless SEI thickness z_0
R_C0 = 7  # SEI_LIMITED: initial fraction c_0 (z = z_0 + c_0 - c)
N_R_COLS = 8

# thermal vector
H_C = 0  # heat capacity [J/K]
H_HA = 1  # convective conductance h*A [W/K]
H_EPSA = 2  # emissivity * Stefan-Boltzmann * area [W/K4]
N_H = 3

# step control vector
S_DT_MAX = 0  # longest step [s]
S_DT_MIN = 1  # shortest step [s] (accepted regardless, a safeguard)
S_DTEMP_MAX = 2  # largest temperature change per step [K]
S_DC_MAX = 3  # largest relative change of any fraction per step ...
S_DC_FLOOR = 4  # ... relative to max(fraction, this floor)
N_S = 5

THRESHOLD_K = 0.01  # a step crossing a reaction's threshold temperature changes T by at most this

STOP_TIME = 0  # integrate to t_end
STOP_QUIET = 1  # ... or until the self-heating rate falls below a threshold (ARC tracking)
STOP_ACTIVE = 2  # ... or until it reaches the threshold (ARC waiting)


@njit(cache=True)
def rate_constant(rx, i, temp_K):
    """``A·exp(−Ea/RT)`` of reaction ``i`` [1/s], zero below its threshold temperature."""
    if temp_K < rx[i, R_T_MIN]:
        return 0.0
    return rx[i, R_A] * math.exp(-rx[i, R_EA] / (GAS_CONSTANT_J_PER_MOL_K * temp_K))


@njit(cache=True)
def rates(rx, c, temp_K, out):
    """Reaction rates ``r_i = −dc_i/dt`` [1/s] at ``(T, c)`` into ``out``."""
    for i in range(rx.shape[0]):
        k = rate_constant(rx, i, temp_K)
        form = int(rx[i, R_FORM])
        if form == FORM_FIRST_ORDER:
            out[i] = k * c[i]
        elif form == FORM_AUTOCATALYTIC:
            out[i] = k * c[i] * (1.0 - c[i])
        else:
            z = rx[i, R_Z0] + rx[i, R_C0] - c[i]
            out[i] = k * c[i] * math.exp(-z / rx[i, R_ZREF])


@njit(cache=True)
def reaction_heat_W(rx, c, temp_K, work):
    """Total heat of the reactions [W] at ``(T, c)``."""
    rates(rx, c, temp_K, work)
    total = 0.0
    for i in range(rx.shape[0]):
        total += rx[i, R_Q] * work[i]
    return total


@njit(cache=True)
def heat_loss_W(thermal, temp_K, ambient_K):
    """Convection plus radiation from the cell to the surroundings [W]."""
    return thermal[H_HA] * (temp_K - ambient_K) + thermal[H_EPSA] * (temp_K**4 - ambient_K**4)


@njit(cache=True)
def _advance(rx, c, c_ref, dt, temp_K, out):
    """Exact update of every fraction over ``dt`` at a frozen temperature; returns the heat [J].

    The SEI-limited tunnelling factor is frozen at the fractions ``c_ref``.
    """
    heat = 0.0
    for i in range(rx.shape[0]):
        k = rate_constant(rx, i, temp_K)
        form = int(rx[i, R_FORM])
        if form == FORM_AUTOCATALYTIC:
            alpha = 1.0 - c[i]
            decay = math.exp(-k * dt)
            out[i] = 1.0 - alpha / (alpha + (1.0 - alpha) * decay) if alpha > 0.0 else c[i]
        elif form == FORM_SEI_LIMITED:
            z = rx[i, R_Z0] + rx[i, R_C0] - c_ref[i]
            out[i] = c[i] * math.exp(-k * math.exp(-z / rx[i, R_ZREF]) * dt)
        else:
            out[i] = c[i] * math.exp(-k * dt)
        heat += rx[i, R_Q] * (c[i] - out[i])
    return heat


@njit(cache=True)
def step(rx, thermal, c, temp_K, ambient_K, heater_W, dt, c_pred, c_mid, c_new):
    """One predictor–corrector step of length ``dt``; returns the new temperature [K].

    The new fractions are written to ``c_new`` (``c_pred`` and ``c_mid`` are work arrays).
    """
    cap = thermal[H_C]
    q_pred = _advance(rx, c, c, dt, temp_K, c_pred)
    t_pred = temp_K + (q_pred + dt * (heater_W - heat_loss_W(thermal, temp_K, ambient_K))) / cap
    t_mid = 0.5 * (temp_K + t_pred)
    for i in range(c.size):
        c_mid[i] = 0.5 * (c[i] + c_pred[i])
    q = _advance(rx, c, c_mid, dt, t_mid, c_new)
    return temp_K + (q + dt * (heater_W - heat_loss_W(thermal, t_mid, ambient_K))) / cap


@njit(cache=True)
def integrate(rx, thermal, control, c, temp_K, time_s, t_end_s, ambient_K, heater_W, dt_s,
              stop_mode, quiet_K_per_s, rec_t, rec_T, rec_c, rec_q, n_rec):
    """Integrate from ``time_s`` until ``t_end_s`` (or quiet, see ``stop_mode``), recording.

    ``c`` is updated in place. Every accepted step appends time [s], temperature [K], fractions
    and heat per reaction [W] (evaluated from the rate laws at the recorded state) to the
    ``rec_*`` arrays from index ``n_rec``; recording stops silently when they are full.
    With ``stop_mode == STOP_QUIET`` the integration also stops once the reactions' self-heating
    rate (heat / heat capacity) is below ``quiet_K_per_s``; with ``STOP_ACTIVE`` once it is at
    least that.

    Returns ``(time_s, temp_K, dt_s, n_rec)`` at the end.
    """
    n_rx = rx.shape[0]
    c_pred = np.empty(n_rx)
    c_mid = np.empty(n_rx)
    c_new = np.empty(n_rx)
    work = np.empty(n_rx)
    dt_max = control[S_DT_MAX]
    dt_min = control[S_DT_MIN]
    cap = thermal[H_C]
    while time_s < t_end_s * (1.0 - 1e-14):
        dt = min(dt_s, dt_max, t_end_s - time_s)
        new_T = step(rx, thermal, c, temp_K, ambient_K, heater_W, dt, c_pred, c_mid, c_new)
        d_temp = abs(new_T - temp_K)
        d_c = 0.0
        for i in range(n_rx):
            d_c = max(d_c, abs(c_new[i] - c[i]) / max(c[i], control[S_DC_FLOOR]))
        ratio = max(d_temp / control[S_DTEMP_MAX], d_c / control[S_DC_MAX])
        for i in range(n_rx):  # land on a threshold (e.g. a melting point) within THRESHOLD_K
            if min(temp_K, new_T) < rx[i, R_T_MIN] <= max(temp_K, new_T):
                ratio = max(ratio, d_temp / THRESHOLD_K)
        if (ratio > 1.0 or not math.isfinite(new_T)) and dt > dt_min:
            dt_s = max(dt_min, 0.5 * dt)
            continue
        time_s += dt
        temp_K = new_T
        for i in range(n_rx):
            c[i] = c_new[i]
        if n_rec < rec_t.size:
            rec_t[n_rec] = time_s
            rec_T[n_rec] = temp_K
            rates(rx, c, temp_K, work)
            for i in range(n_rx):
                rec_c[n_rec, i] = c[i]
                rec_q[n_rec, i] = rx[i, R_Q] * work[i]
            n_rec += 1
        grow = 2.0 if ratio < 0.25 else (1.0 if ratio > 0.7 else 1.25)
        dt_s = min(dt_max, dt * grow) if dt >= dt_s * (1.0 - 1e-12) else dt_s
        if stop_mode != STOP_TIME:
            active = reaction_heat_W(rx, c, temp_K, work) / cap >= quiet_K_per_s
            if active == (stop_mode == STOP_ACTIVE):
                break
    return time_s, temp_K, dt_s, n_rec


@njit(cache=True)
def heat_wait_seek(rx, thermal, control, c, start_K, stop_K, step_K, ramp_K_per_s, wait_s,
                   detect_K_per_s, max_time_s, c_onset, rec_t, rec_T, rec_c, rec_q):
    """Heat-wait-seek accelerating-rate calorimetry of an adiabatic cell.

    From ``start_K`` the calorimeter waits ``wait_s`` (adiabatic: no exchange with the
    surroundings) and seeks: once the self-heating rate is at least ``detect_K_per_s`` (checked
    after every step of the wait; the model has no thermal transient to wait out) it tracks the
    exotherm adiabatically until the rate falls below it again; otherwise it heats the cell by
    ``step_K`` at ``ramp_K_per_s`` (a heater power of heat capacity × ramp; the reactions go on
    meanwhile, and heating stops early if they reach the detection rate) and waits again, up to
    ``stop_K``.

    Returns ``(onset_K, n_rec)``: the temperature at which self-heating was first detected (NaN
    if never) and the number of recorded points; ``c_onset`` receives the fractions then.
    """
    time_s = 0.0
    temp_K = start_K
    dt = 1.0
    onset_K = np.nan
    n_rec = 0
    work = np.empty(rx.shape[0])
    cap = thermal[H_C]
    if n_rec < rec_t.size:
        rec_t[0] = 0.0
        rec_T[0] = temp_K
        rates(rx, c, temp_K, work)
        for i in range(rx.shape[0]):
            rec_c[0, i] = c[i]
            rec_q[0, i] = rx[i, R_Q] * work[i]
        n_rec = 1
    while temp_K < stop_K and time_s < max_time_s:
        time_s, temp_K, dt, n_rec = integrate(
            rx, thermal, control, c, temp_K, time_s, time_s + wait_s, temp_K, 0.0, dt,
            STOP_ACTIVE, detect_K_per_s, rec_t, rec_T, rec_c, rec_q, n_rec)
        if reaction_heat_W(rx, c, temp_K, work) / cap >= detect_K_per_s:
            if math.isnan(onset_K):
                onset_K = temp_K
                for i in range(c.size):
                    c_onset[i] = c[i]
            time_s, temp_K, dt, n_rec = integrate(
                rx, thermal, control, c, temp_K, time_s, max_time_s, temp_K, 0.0, dt,
                STOP_QUIET, detect_K_per_s, rec_t, rec_T, rec_c, rec_q, n_rec)
        else:
            time_s, temp_K, dt, n_rec = integrate(
                rx, thermal, control, c, temp_K, time_s, time_s + step_K / ramp_K_per_s, temp_K,
                cap * ramp_K_per_s, dt, STOP_ACTIVE, detect_K_per_s, rec_t, rec_T, rec_c, rec_q,
                n_rec)
    return onset_K, n_rec
