"""Operating-mode control of a prepared step: the physical interval of cell currents, and the
bracketed Newton / regula-falsi solves for the current that meets a current, power or voltage
demand (with the charge limits: maximum voltage and the plating-potential floor)."""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import (
    BOUND_INF,
    DOMAIN_EPS,
    FASTMATH,
    MODE_CURRENT,
    MODE_VOLTAGE,
    NEWTON_MAX_IT,
    NEWTON_MAX_STEP,
    NEWTON_REL_ERR,
    STOP_NONE,
    STOP_POWER,
    STOP_V_MAX,
    STOP_V_MIN,
    W_CE1,
    W_CE2,
    W_CN1,
    W_CP1,
)
from cellsim.engine.fast.voltage import plating_potential, voltage


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _affine_bounds(c1, c2, lo, hi, i_lo, i_hi):
    """Narrow ``(i_lo, i_hi)`` to the currents for which ``lo < c1 + I c2 < hi``."""
    if c2 > 0.0:
        inv = 1.0 / c2
        i_lo = max(i_lo, (lo - c1) * inv)
        i_hi = min(i_hi, (hi - c1) * inv)
    elif c2 < 0.0:
        inv = 1.0 / c2
        i_lo = max(i_lo, (hi - c1) * inv)
        i_hi = min(i_hi, (lo - c1) * inv)
    elif not (lo < c1 < hi):
        i_lo = np.inf
        i_hi = -np.inf
    return i_lo, i_hi


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _particle_bounds(ws, r, n, c_max, i_lo, i_hi):
    lo = DOMAIN_EPS * c_max
    hi = (1.0 - DOMAIN_EPS) * c_max
    for i in range(n):
        i_lo, i_hi = _affine_bounds(ws[r, i], ws[r + 1, i], lo, hi, i_lo, i_hi)
    c1 = 1.5 * ws[r, n - 1] - 0.5 * ws[r, n - 2]
    c2 = 1.5 * ws[r + 1, n - 1] - 0.5 * ws[r + 1, n - 2]
    return _affine_bounds(c1, c2, lo, hi, i_lo, i_hi)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def current_bounds(dims, prm, ws):
    """Open interval ``(i_lo, i_hi)`` of cell currents [A] for which the prepared step stays in
    the physical domain: every particle concentration (nodes and extrapolated surface) inside
    ``(DOMAIN_EPS, 1 - DOMAIN_EPS) c_max`` and every electrolyte concentration above
    ``DOMAIN_EPS P_CE_MAX``. Outside it the OCPs, exchange-current densities and logarithms are
    undefined; at its ends the voltage diverges (to +inf on the charge side, -inf on the
    discharge side), so a step that would leave it has crossed a voltage limit. ``i_lo > i_hi``
    if even zero current leaves the domain."""
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    i_lo = -BOUND_INF
    i_hi = BOUND_INF
    if dims[L.D_HALF] == 0:
        i_lo, i_hi = _particle_bounds(ws, W_CN1, nr_n, prm[L.P_CMAX_N], i_lo, i_hi)
    i_lo, i_hi = _particle_bounds(ws, W_CP1, nr_p, prm[L.P_CMAX_P], i_lo, i_hi)
    lo = DOMAIN_EPS * prm[L.P_CE_MAX]
    for k in range(nx):  # _affine_bounds with no upper limit
        c1 = ws[W_CE1, k]
        c2 = ws[W_CE2, k]
        if c2 > 0.0:
            i_lo = max(i_lo, (lo - c1) / c2)
        elif c2 < 0.0:
            i_hi = min(i_hi, (lo - c1) / c2)
        elif not lo < c1:
            i_lo = np.inf
            i_hi = -np.inf
    if dims[L.D_HALF] == 1:  # extrapolated concentration at the lithium foil
        c1 = 1.5 * ws[W_CE1, 0] - 0.5 * ws[W_CE1, 1]
        c2 = 1.5 * ws[W_CE2, 0] - 0.5 * ws[W_CE2, 1]
        i_lo, i_hi = _affine_bounds(c1, c2, lo, np.inf, i_lo, i_hi)
    return i_lo, i_hi


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _newton_converged(g, dg, dv, x, lo, hi):
    """True if one more Newton step on ``g(I) = I V(I) - P`` from ``x`` stays inside the bracket
    ``(lo, hi)`` and lands within ``NEWTON_REL_ERR |x|`` of the root (see the constants), so it
    needs no new evaluation."""
    if not dg > 0.0:
        return False
    dx = g / dg
    if not lo < x - dx < hi:
        return False
    dx = abs(dx)
    return dx <= NEWTON_MAX_STEP * abs(x) and abs(dv) * dx * dx <= NEWTON_REL_ERR * dg * abs(x)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def solve_current(mode, target, v_min, v_max, i_guess, dims, prm, tab_sto, tab_xt, xgeo, ws,
                  temp_K, it, wt, out):
    """Solve the prepared step for the cell current.

    Returns ``(current_A, voltage_V, status)``. The current is kept inside
    :func:`current_bounds` (the physical domain of the step), so the voltage is always finite.

    * ``MODE_CURRENT``: a current outside the domain (the step would empty or fill a particle
      surface, or empty the electrolyte) returns ``STOP_V_MIN`` (discharge) or ``STOP_V_MAX``
      (charge): the voltage diverges at the domain's ends, so the limit was crossed in the step.
    * ``MODE_POWER``, discharge: ``STOP_POWER`` if the demand exceeds the maximum power the
      step can deliver or needs a voltage below ``v_min``. The current is never negative.
    * ``MODE_POWER``, charge: the current that absorbs the power, clamped to the one that gives
      ``v_max`` and never positive: ``I = min(max(I_demand, I(v_max)), 0)`` (the rest is for
      the friction brakes).
    * ``MODE_VOLTAGE``: bracketed Newton on ``V(I) = target`` inside the domain.
    """
    i_lo, i_hi = current_bounds(dims, prm, ws)
    if mode == MODE_CURRENT:
        if target > 0.0 and not target < i_hi:
            return target, np.nan, STOP_V_MIN
        if target < 0.0 and not target > i_lo:
            return target, np.nan, STOP_V_MAX
        v, _ = voltage(target, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        return target, v, STOP_NONE
    if mode == MODE_VOLTAGE:
        return _solve_voltage(target, i_guess, i_lo, i_hi, dims, prm, tab_sto, tab_xt, xgeo, ws,
                              temp_K, it, wt, out)
    p = target
    if not (i_lo < 0.0 < i_hi):
        return 0.0, np.nan, STOP_POWER
    if p == 0.0:
        v, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        return 0.0, v, STOP_NONE
    if p > 0.0:
        return _solve_discharge_power(p, v_min, i_guess, i_hi, dims, prm, tab_sto, tab_xt, xgeo,
                                      ws, temp_K, it, wt, out)
    # charge: g(I) = I V(I) - P increases with I (dV/dI < 0, I < 0), g(0) = -P > 0 and
    # g -> -inf at the domain's lower end: one root, bracketed in (lo, hi)
    lo = i_lo
    hi = 0.0
    x = i_guess if i_lo < i_guess < 0.0 else 0.0
    tol = 1e-10 * abs(p) + 1e-14
    v = np.nan
    for _ in range(2 * NEWTON_MAX_IT):
        v, dv = voltage(x, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        g = x * v - p
        dg = v + x * dv
        if not np.isfinite(g):
            lo = x
            x = 0.5 * (lo + hi)
            continue
        if abs(g) <= tol or hi - lo <= 1e-13 * (1.0 + abs(x)):
            break
        if _newton_converged(g, dg, dv, x, lo, hi):
            # converged: take the (exact-derivative) Newton step without another evaluation
            dx = -g / dg
            v += dv * dx
            x += dx
            break
        if g > 0.0:
            hi = x
        else:
            lo = x
        xn = x - g / dg if dg > 0.0 else np.nan
        if not (lo < xn < hi):
            xn = 0.5 * (lo + hi)
        x = xn
    if v > v_max:
        v0, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        if v0 >= v_max:
            return 0.0, v0, STOP_NONE
        x, v, _ = _solve_voltage(v_max, 0.5 * x, x, 0.0, dims, prm, tab_sto, tab_xt, xgeo, ws,
                                 temp_K, it, wt, out)
    if dims[L.D_HALF] == 0 and np.isfinite(prm[L.P_PLATING_MIN_V]):
        return _limit_plating(x, prm[L.P_PLATING_MIN_V], dims, prm, tab_sto, tab_xt, xgeo, ws,
                              temp_K, it, wt, out)
    return x, v, STOP_NONE


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _limit_plating(x, phi_min, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out):
    """Reduce a charge current ``x`` < 0 until the plating potential (:func:`plating_potential`)
    is at least ``phi_min``: the root of phi(I) = phi_min in (x, 0) by the Illinois variant of
    regula falsi (phi rises monotonically towards I = 0). Zero current if even a rest step is
    below ``phi_min``. Returns ``(current, voltage, STOP_NONE)``."""
    v, _ = voltage(x, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
    f_lo = plating_potential(x, dims, prm, xgeo, ws, temp_K, out) - phi_min
    if x >= 0.0 or f_lo >= 0.0:
        return x, v, STOP_NONE
    v0, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
    f_hi = plating_potential(0.0, dims, prm, xgeo, ws, temp_K, out) - phi_min
    if f_hi <= 0.0:
        return 0.0, v0, STOP_NONE
    lo = x
    hi = 0.0
    side = 0
    xm = hi
    vm = v0
    fm = f_hi
    for _ in range(2 * NEWTON_MAX_IT):
        xm = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        vm, _ = voltage(xm, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        fm = plating_potential(xm, dims, prm, xgeo, ws, temp_K, out) - phi_min
        if abs(fm) < 1e-9 or hi - lo <= 1e-12 * (1.0 + abs(xm)):
            break
        if fm < 0.0:
            lo, f_lo = xm, fm
            if side == -1:
                f_hi *= 0.5
            side = -1
        else:
            hi, f_hi = xm, fm
            if side == 1:
                f_lo *= 0.5
            side = 1
    if fm < -1e-9:  # iterations spent: end on the safe side of the limit
        xm = hi
        vm, _ = voltage(xm, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
    return xm, vm, STOP_NONE


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _solve_discharge_power(p, v_min, i_guess, i_hi, dims, prm, tab_sto, tab_xt, xgeo, ws,
                           temp_K, it, wt, out):
    """Safeguarded Newton for the high-voltage root of g(I) = I V(I) - p > 0 on [0, i_hi).

    g is (close to) concave: g(0) = -p < 0, it rises to the maximum-power point and falls to
    -inf at the domain's end. From below, Newton increases monotonically to the root. Points
    left of the maximum with g < 0 raise ``lo``; points with g > 0 (a bracket) or right of the
    maximum lower ``hi``; the search then steps to the crossing of the tangents at ``lo`` and
    ``hi`` (or bisects). If the interval collapses or the iterations run out without a root,
    the demand is above the maximum power: ``STOP_POWER``."""
    tol = 1e-10 * p + 1e-14
    lo, g_lo, dg_lo = 0.0, -p, 0.0
    hi, g_hi, dg_hi = i_hi, -np.inf, -np.inf
    have_lo = False  # tangent at lo known
    right = False  # hi is a point right of the maximum with g < 0 (tangent known)
    x = i_guess if 0.0 < i_guess < i_hi else 0.0
    v = np.nan
    for _ in range(2 * NEWTON_MAX_IT):
        v, dv = voltage(x, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        g = x * v - p
        dg = v + x * dv
        if not np.isfinite(g):
            hi, right = x, False
            x = 0.5 * (lo + hi)
            continue
        if abs(g) <= tol:
            if v < v_min:
                return x, v, STOP_POWER
            return x, v, STOP_NONE
        if _newton_converged(g, dg, dv, x, lo, hi):
            # converged: take the (exact-derivative) Newton step without another evaluation
            dx = -g / dg
            v += dv * dx
            x += dx
            if v < v_min:
                return x, v, STOP_POWER
            return x, v, STOP_NONE
        if g > 0.0:
            hi, right = x, False
        elif dg > 0.0 and x < hi:
            if v < v_min:  # the root lies further right, at an even lower voltage
                return x, v, STOP_POWER
            lo, g_lo, dg_lo, have_lo = x, g, dg, True
        else:  # right of the maximum, g < 0: a root, if any, lies in (lo, x)
            hi, g_hi, dg_hi, right = x, g, dg, True
        xn = np.nan
        if dg > 0.0:
            xn = x - g / dg
        if right and have_lo:
            # concave: g <= min of the tangents at lo and hi; their crossing bounds max g
            den = dg_lo - dg_hi
            if den > 0.0:
                t = (g_hi - g_lo + dg_lo * lo - dg_hi * hi) / den
                if not (lo < xn < hi):
                    xn = t
        if not (lo < xn < hi):
            xn = 0.5 * (lo + hi)
        if hi - lo <= 1e-12 * (1.0 + hi):
            return x, v, STOP_POWER
        x = xn
    return x, v, STOP_POWER


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _solve_voltage(v_target, i_guess, lo, hi, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it,
                   wt, out):
    """Newton on V(I) = v_target, bracketed in (lo, hi) (V decreases with I), bisecting when a
    step leaves the bracket.

    If the bracket collapses before the residual is met, the root lies within round-off of
    ``x`` and ``v_target`` is returned as the voltage. That includes a root at the end of the
    physical domain: there the continuous model's voltage diverges only logarithmically (the
    exchange-current density vanishes at a full or empty surface), so a step that fills the
    particle surface just inside the domain is the diffusion-limited current at ``v_target``.
    """
    x = i_guess if lo < i_guess < hi else 0.5 * (lo + hi)
    v = v_target
    x_old = np.nan
    r_old = np.nan
    x_finite = np.nan  # last current with a finite voltage
    for _ in range(2 * NEWTON_MAX_IT):
        v, dv = voltage(x, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
        r = v - v_target
        if abs(r) < 1e-10:
            break
        if np.isfinite(r):
            x_finite = x
        if r > 0.0:
            lo = x
        elif r < 0.0:
            hi = x
        else:  # NaN: step back towards the middle of the domain
            if x < 0.0:
                lo = x
            else:
                hi = x
        # secant slope once two points are known (a safeguard: dV/dI from voltage() neglects
        # the small concentration dependence of kappa, chi and sigma)
        if x != x_old and np.isfinite(r_old):
            sec = (r - r_old) / (x - x_old)
            if sec < 0.0:
                dv = sec
        x_old = x
        r_old = r
        xn = x - r / dv if dv < 0.0 else np.nan
        if not (lo < xn < hi):
            xn = 0.5 * (lo + hi)
        if hi - lo <= 1e-13 * (1.0 + abs(x)):
            if not np.isfinite(v) and np.isfinite(x_finite):
                # ``out`` (heat, ageing) must describe a finite point within round-off of x
                x = x_finite
                voltage(x, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out)
            return x, v_target, STOP_NONE
        x = xn
    return x, v, STOP_NONE

