"""The fast engine's loop: PyBaMM's SPMe (default options) with lumped thermal, stepped implicitly.

Spatial discretisation is PyBaMM's default finite-volume one (uniform cells; diffusivities
moved to cell edges by PyBaMM's width-weighted harmonic mean, other node quantities by its
weighted arithmetic mean; linear extrapolation of the particle surface
concentration). Each time step is backward Euler with the nonlinear coefficients (diffusivities,
transference number) and the temperature taken at the start of the step. With those frozen, every
concentration at the end of the step is affine in the cell current, ``c = c1 + I * c2``
(:mod:`.transport`); the step therefore reduces to a scalar equation for the current (given
current, power, or voltage) that a bracketed Newton method solves with a handful of cheap voltage
evaluations (:mod:`.voltage`), inside the interval of currents that keeps every concentration
physical (:mod:`.control`); a demand outside it, or above the step's maximum power, ends the run
with a stop code, inside the step where the voltage limit is reached (a bisection on the step
length, as PyBaMM's cut-off event ends its solve at the event time). The temperature is then
advanced implicitly in the cooling term with the step's heat (:mod:`.heat`), and the ageing
states with their side reactions (:mod:`.ageing`).

This module holds the loop over a profile (:func:`run`, one call per profile), the end-of-step
commit and the electrode state of health. All arrays come from
:mod:`cellsim.engine.fast.parameters`; slot meanings from :mod:`cellsim.engine.fast.layout`,
modes, stop codes and workspace rows from :mod:`cellsim.engine.fast.constants`. Everything is
``@njit(cache=True, error_model="numpy", fastmath=FASTMATH)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.ageing import ageing_apply, ageing_step, ageing_sync
from cellsim.engine.fast.constants import (
    FASTMATH,
    MODE_CURRENT,
    MODE_POWER,
    MODE_VOLTAGE,
    N_OUT,
    N_WS,
    PART_BISECTIONS,
    STOP_I_MIN,
    STOP_NONE,
    STOP_NONFINITE,
    STOP_V_MAX,
    STOP_V_MIN,
    W_CE1,
    W_CE2,
    W_CN1,
    W_CN2,
    W_CP1,
    W_CP2,
)
from cellsim.engine.fast.control import solve_current
from cellsim.engine.fast.heat import heat_W, lumped_temperature
from cellsim.engine.fast.tables import lookup1, t_weights
from cellsim.engine.fast.transport import prepare
from cellsim.engine.fast.voltage import voltage


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def mean_positive_stoichiometry(y, dims, prm):
    """Volume-averaged positive-particle stoichiometry (PyBaMM's r-average)."""
    n = dims[L.D_NR_P]
    o = dims[L.D_NR_N]
    s = 0.0
    for i in range(n):
        s += y[o + i] * ((i + 1) ** 3 - i**3)
    return s / n**3 / prm[L.P_CMAX_P]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def commit(y, current_A, dims, prm, tab_xt, ws, dt_s, temp_amb_K, heat):
    """Write the end-of-step state for ``current_A`` into ``y`` (temperature implicit in cooling)."""
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    for i in range(nr_n):
        y[i] = ws[W_CN1, i] + current_A * ws[W_CN2, i]
    for i in range(nr_p):
        y[nr_n + i] = ws[W_CP1, i] + current_A * ws[W_CP2, i]
    o_ce = nr_n + nr_p
    for k in range(nx):
        y[o_ce + k] = ws[W_CE1, k] + current_A * ws[W_CE2, k]
    o_t = o_ce + nx
    if dims[L.D_THERMAL] == 1:
        y[o_t] = lumped_temperature(y[o_t], prm, tab_xt, dt_s, temp_amb_K, heat)
    else:
        y[o_t] = temp_amb_K


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _record(rec, n, time_s, v, current, charge_As, y, dims, prm, o_t):
    """Write trace point ``n`` of ``rec`` (see :func:`run`) for the state ``y`` now."""
    soc_0 = prm[L.P_SOC_0]
    rec[0, n] = time_s
    rec[1, n] = v
    rec[2, n] = current
    rec[3, n] = v * current
    rec[4, n] = charge_As / 3600.0
    rec[5, n] = (soc_0 - mean_positive_stoichiometry(y, dims, prm)) / (soc_0 - prm[L.P_SOC_100])
    rec[6, n] = y[o_t]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _solve_step(mode, demand, v_min, v_max, i_guess, i_prev, dt, y, o_a, dims, prm, tab_sto,
                tab_xt, xgeo, ws, temp, it, wt, out, out_prev, inc):
    """Prepare a step of ``dt`` from ``y`` and solve it for ``demand`` (see :func:`run`).

    The ageing increments (into ``inc``) come from the rates of the last accepted step, whose
    current is ``i_prev`` and whose :func:`voltage` output is ``out_prev``. Returns ``(current,
    voltage, status)``: ``STOP_NONE`` if the step holds the demand within the voltage limits,
    the stop code of the limit otherwise (``STOP_NONFINITE`` for a non-finite solution).
    """
    side_n = 0.0
    if dims[L.D_AGEING] == 1:
        side_n = ageing_step(y, o_a, i_prev, dt, dims, prm, tab_xt, out_prev, inc)
    prepare(y, dims, prm, tab_xt, xgeo, ws, dt, it, wt, side_n)
    if mode == MODE_POWER and i_guess == 0.0:
        v0, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
        i_guess = demand / v0
    current, v, status = solve_current(mode, demand, v_min, v_max, i_guess, dims, prm, tab_sto,
                                       tab_xt, xgeo, ws, temp, it, wt, out)
    if status != STOP_NONE:
        return current, v, status
    if not (np.isfinite(v) and np.isfinite(current)):
        return current, v, STOP_NONFINITE
    if mode == MODE_CURRENT:
        if v < v_min and current > 0.0:
            return current, v, STOP_V_MIN
        if v > v_max and current < 0.0:
            return current, v, STOP_V_MAX
    return current, v, STOP_NONE


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _held_part(mode, demand, v_min, v_max, i_guess, i_prev, dt, y, o_a, dims, prm, tab_sto,
               tab_xt, xgeo, ws, temp, it, wt, out, out_prev, inc):
    """Longest part of a step of ``dt`` that holds ``demand`` within the voltage limits, for a
    step that does not hold it to its end (PyBaMM's cut-off event inside the step).

    Bisection on the step length (within ``dt / 2**PART_BISECTIONS``); the workspace, ``out``
    and ``inc`` are left prepared and solved for the part found. Returns ``(dt_part, current,
    voltage)``; ``dt_part = 0`` if no part of the step holds the demand.
    """
    lo = 0.0
    hi = 1.0
    for _ in range(PART_BISECTIONS):
        mid = 0.5 * (lo + hi)
        _, _, status = _solve_step(mode, demand, v_min, v_max, i_guess, i_prev, mid * dt, y, o_a,
                                   dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out,
                                   out_prev, inc)
        if status == STOP_NONE:
            lo = mid
        else:
            hi = mid
    if lo == 0.0:
        return 0.0, np.nan, np.nan
    current, v, _ = _solve_step(mode, demand, v_min, v_max, i_guess, i_prev, lo * dt, y, o_a,
                                dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out, out_prev,
                                inc)
    return lo * dt, current, v


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def run(y, mode, target, dt_s, temp_amb_K, v_min, v_max, i_cut, record_every, dims, prm,
        tab_sto, tab_xt, xgeo, rec):
    """Advance ``y`` in place over ``target.size`` steps; record into ``rec``.

    Parameters
    ----------
    y
        State vector (see :mod:`layout`), updated in place.
    mode
        ``MODE_CURRENT``, ``MODE_POWER`` or ``MODE_VOLTAGE``.
    target, dt_s, temp_amb_K
        Per-step target (A, W or V), step length [s] and ambient temperature [K].
    v_min, v_max
        Voltage limits [V]. A step that cannot hold its demand within them (a current step
        crossing one, a power step needing a voltage below ``v_min`` or more than the cell
        can deliver) ends the run where the limit is reached inside it: the longest part of
        the step that holds the demand (:func:`_held_part`) is taken as the last, recorded
        step, as PyBaMM's cut-off event ends its solve; at the step's start if no part does.
    i_cut
        For ``MODE_VOLTAGE``: stop once ``|I| < i_cut`` [A] (0 disables).
    record_every
        Record every n-th step (the initial state and the last step are always recorded).
    rec
        Output array ``(7, n_records)``: time, voltage, current, power, capacity, soc, temperature.

    Returns
    -------
    (n_recorded, stop_code, bad_step, steps_done)
        ``bad_step`` is the step index at which a non-finite value appeared (-1 if none);
        ``steps_done`` counts the steps advanced, a last one taken in part included.
    """
    n_steps = target.shape[0]
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    o_t = nr_n + nr_p + nx
    width = max(max(nr_n, nr_p), nx) + 1
    ws = np.zeros((N_WS, width))
    out = np.zeros(N_OUT)
    ageing = dims[L.D_AGEING] == 1
    o_a = o_t + 1
    inc = np.zeros(L.N_AGE)
    out_acc = np.zeros(N_OUT)
    if ageing:
        ageing_sync(y, o_a, dims, prm)

    # initial point: the first target applied to the initial state (no time elapsed)
    temp = y[o_t]
    it, wt = t_weights(prm, tab_xt, temp)
    prepare(y, dims, prm, tab_xt, xgeo, ws, 0.0, it, wt, 0.0)
    i_guess = 0.0
    if mode == MODE_POWER:
        v0, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
        i_guess = target[0] / v0
    current, v, status = solve_current(mode, target[0], v_min, v_max, i_guess, dims, prm,
                                       tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
    if status != STOP_NONE:
        current = 0.0
        v, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
    time_s = 0.0
    charge_As = 0.0
    _record(rec, 0, time_s, v, current, charge_As, y, dims, prm, o_t)
    n_rec = 1
    i_guess = current
    v_acc = v
    i_acc = current
    stop = STOP_NONE
    bad = -1
    done = 0
    for k in range(n_steps):
        dt = dt_s[k]
        temp = y[o_t]
        it, wt = t_weights(prm, tab_xt, temp)
        if mode == MODE_POWER and i_guess != 0.0:
            # first-order prediction from the last step: d(I V)/dI = V + I dV/dI
            den = v_acc + i_acc * out[12]
            if den > 0.0 and np.isfinite(den):
                i_guess = i_acc + (target[k] - v_acc * i_acc) / den
        if ageing:  # a part of this step (below) ages at the rates of the last one
            for q in range(N_OUT):
                out_acc[q] = out[q]
        current, v, status = _solve_step(mode, target[k], v_min, v_max, i_guess, i_acc, dt, y,
                                         o_a, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt,
                                         out, out, inc)
        if status == STOP_NONFINITE:
            stop = status
            bad = k
            break
        if status != STOP_NONE:
            # a voltage limit is reached inside the step: end the run where it is reached
            stop = status
            dt, current, v = _held_part(mode, target[k], v_min, v_max, i_guess, i_acc, dt, y,
                                        o_a, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt,
                                        out, out_acc, inc)
            if dt == 0.0:
                break
        heat = 0.0
        if dims[L.D_THERMAL] == 1:
            heat = heat_W(current, dims, prm, xgeo, ws, temp, out)
        commit(y, current, dims, prm, tab_xt, ws, dt, temp_amb_K[k], heat)
        if ageing:
            ageing_apply(y, o_a, inc, current, dt, dims, prm)
        if not np.isfinite(y[o_t]):
            stop = STOP_NONFINITE
            bad = k
            break
        time_s += dt
        charge_As += current * dt
        i_guess = current
        v_acc = v
        i_acc = current
        done = k + 1
        last = k == n_steps - 1
        cut = mode == MODE_VOLTAGE and abs(current) < i_cut
        if (k + 1) % record_every == 0 or last or cut or stop != STOP_NONE:
            _record(rec, n_rec, time_s, v, current, charge_As, y, dims, prm, o_t)
            n_rec += 1
        if stop != STOP_NONE:
            break
        if cut:
            stop = STOP_I_MIN
            break
    if stop != STOP_NONE and stop != STOP_NONFINITE and (n_rec == 1 or rec[0, n_rec - 1] != time_s):
        # record the last accepted state so the trace ends where the run stopped
        _record(rec, n_rec, time_s, v_acc, i_acc, charge_As, y, dims, prm, o_t)
        n_rec += 1
    return n_rec, stop, bad, done


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _ocv_root(v_target, n_li, q_n, q_p, tab_sto, half):
    """Stoichiometries (x_n, y_p) at equilibrium voltage ``v_target`` for lithium inventory
    ``n_li`` [mol] and electrode capacities ``q_n``, ``q_p`` [mol] (bisection on the T_ref OCPs)."""
    if half == 1:
        lo, hi = 0.0, 1.0  # U_p decreases with y
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            u, _ = lookup1(tab_sto, L.S_U_P, mid)
            if u > v_target:
                lo = mid
            else:
                hi = mid
        return 0.0, 0.5 * (lo + hi)
    lo = max(0.0, (n_li - q_p) / q_n)
    hi = min(1.0, n_li / q_n)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        y = (n_li - q_n * mid) / q_p
        u_p, _ = lookup1(tab_sto, L.S_U_P, y)
        u_n, _ = lookup1(tab_sto, L.S_U_N, mid)
        if u_p - u_n < v_target:
            lo = mid
        else:
            hi = mid
    x = 0.5 * (lo + hi)
    return x, (n_li - q_n * x) / q_p


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def electrode_soh(n_li, q_n, q_p, v_min, v_max, tab_sto, half):
    """PyBaMM-style electrode state of health at the reference temperature.

    Returns ``(x_0, x_100, y_100, y_0)`` (0 % and 100 % SOC stoichiometries between the voltage
    limits); the usable capacity is ``q_p (y_0 - y_100)`` [mol].
    """
    x_0, y_0 = _ocv_root(v_min, n_li, q_n, q_p, tab_sto, half)
    x_100, y_100 = _ocv_root(v_max, n_li, q_n, q_p, tab_sto, half)
    return x_0, x_100, y_100, y_0

