"""Numba kernel: PyBaMM's SPMe (default options) with lumped thermal, stepped implicitly.

Spatial discretisation is PyBaMM's default finite-volume one (uniform cells; diffusivities
moved to cell edges by PyBaMM's width-weighted harmonic mean, other node quantities by its
weighted arithmetic mean; linear extrapolation of the particle surface
concentration). Each time step is backward Euler with the nonlinear coefficients (diffusivities,
transference number) and the temperature taken at the start of the step. With those frozen, every
concentration at the end of the step is affine in the cell current, ``c = c1 + I * c2``; the
step therefore reduces to a scalar equation for the current (given current, power, or voltage)
that a bracketed Newton method solves with a handful of cheap voltage evaluations, inside the
interval of currents that keeps every concentration physical (:func:`current_bounds`); a demand
outside it, or above the step's maximum power, ends the run with a stop code. The temperature is then
advanced implicitly in the cooling term with the step's heat.

All arrays come from :mod:`cellsim.engine.fast.parameters`; slot meanings from
:mod:`cellsim.engine.fast.layout`. Everything is ``@njit(cache=True, error_model="numpy", fastmath=_FM)`` and the whole run over a
profile is one call of :func:`run`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L

MODE_CURRENT = 0  # target = current [A], positive discharge
MODE_POWER = 1  # target = power [W], positive discharge
MODE_VOLTAGE = 2  # target = terminal voltage [V]

STOP_NONE = 0
STOP_V_MIN = 1
STOP_V_MAX = 2
STOP_I_MIN = 3
STOP_POWER = 4
STOP_NONFINITE = 5

# Workspace rows (float64, shape (N_WS, max(nr, nx) + 1))
W_CN1, W_CN2, W_CP1, W_CP2, W_CE1, W_CE2, W_A, W_B, W_C, W_SCR, W_F1, W_F2, W_AUX = range(13)
N_WS = 13
# slots of row W_AUX: width-weighted mean electrolyte concentration c_av = c1 + I c2
AUX_CAV1 = 0
AUX_CAV2 = 1
N_OUT = 13  # size of voltage()'s ``out`` (slot 12: the returned dV/dI)
PROD_MAX = 1e290  # products of per-node factors above this (or below 1 / PROD_MAX) fall back

NEWTON_MAX_IT = 40
# power modes: a Newton step is taken without evaluating the voltage again once the error it
# leaves, |g''| dx^2 / (2 g') with g'' ~ 2 dV/dI for g(I) = I V(I) - P, is below NEWTON_REL_ERR
# of the current, and the step itself below NEWTON_MAX_STEP of it (V is corrected linearly)
NEWTON_REL_ERR = 1e-8
NEWTON_MAX_STEP = 1e-2
DOMAIN_EPS = 1e-9  # relative margin of the physical domain of concentrations (see current_bounds)
BOUND_INF = 1e12  # [A] stands for "no bound" in current_bounds (keeps bisection finite)
MACINNES_TOL = 1e-15

# fast-math flags that keep NaN/inf semantics (the solvers test np.isfinite)
_FM = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _lookup1(tab, k, x):
    """Linear interpolation of stoichiometry table ``k`` at ``x``; value and slope."""
    f = _x_position(x, L.SGRID_N_EDGE, L.SGRID_N_MID)
    i = min(int(f), tab.shape[1] - 2)
    w = f - i
    lo = tab[k, i]
    hi = tab[k, i + 1]
    return lo + w * (hi - lo), (hi - lo) / _grid_step(f, L.SGRID_N_EDGE, L.SGRID_N_MID)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _t_weights(prm, tab, temp_K):
    """Column index and weight of ``temp_K`` in the (x, T) tables."""
    n = tab.shape[1]
    t0 = prm[L.P_TAB_T_MIN]
    t1 = prm[L.P_TAB_T_MAX]
    f = (min(max(temp_K, t0), t1) - t0) / (t1 - t0) * (n - 1)
    i = min(int(f), n - 2)
    return i, f - i


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _x_position(x, n_edge, n_mid):
    """Fractional index of unit coordinate ``x`` on a three-segment grid (see :mod:`.layout`)."""
    x = min(max(x, 0.0), 1.0)
    e = L.GRID_EDGE
    if x < e:
        return x * (n_edge / e)
    if x < 1.0 - e:
        return n_edge + (x - e) * (n_mid / (1.0 - 2.0 * e))
    return n_edge + n_mid + (x - 1.0 + e) * (n_edge / e)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _grid_step(f, n_edge, n_mid):
    """Spacing, in unit coordinate, of the grid segment holding fractional index ``f``."""
    if f < n_edge or f >= n_edge + n_mid:
        return L.GRID_EDGE / n_edge
    return (1.0 - 2.0 * L.GRID_EDGE) / n_mid


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _t_interpolated(tab, k, i, it, wt):
    """Values of (x, T) table ``k`` at grid points ``i`` and ``i + 1``, interpolated to the
    temperature given by column ``it`` and weight ``wt``."""
    a = tab[k, it, i] + wt * (tab[k, it + 1, i] - tab[k, it, i])
    b = tab[k, it, i + 1] + wt * (tab[k, it + 1, i + 1] - tab[k, it, i + 1])
    return a, b


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _lookup2d(tab, k, x, it, wt):
    """Bilinear interpolation of (x, T) table ``k`` at unit coordinate ``x``, and its slope
    in ``x`` (``x`` inside [0, 1])."""
    f = _x_position(x, L.XGRID_N_EDGE, L.XGRID_N_MID)
    i = min(int(f), tab.shape[2] - 2)
    w = f - i
    a, b = _t_interpolated(tab, k, i, it, wt)
    return a + w * (b - a), (b - a) / _grid_step(f, L.XGRID_N_EDGE, L.XGRID_N_MID)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _lookup2(tab, k, x, it, wt):
    """Bilinear interpolation of (x, T) table ``k`` at unit coordinate ``x``."""
    return _lookup2d(tab, k, x, it, wt)[0]


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _harmonic(d_left, d_right, beta):
    """PyBaMM's width-weighted harmonic mean of a diffusivity at an interior edge.

    ``beta`` is the left cell's share of the two cells' widths.
    """
    return 1.0 / (beta / d_left + (1.0 - beta) / d_right)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _solve_tridiag2(ws, n):
    """Solve ``tridiag(A, B, C) x = F`` for the two right-hand sides in rows W_F1, W_F2 (in place).

    Rows W_A (sub-diagonal, index i couples i to i-1), W_B (diagonal), W_C (super-diagonal).
    Twisted (two-sided) elimination: rows 0 .. m-1 are eliminated downwards and rows n-1 .. m+1
    upwards in the same loop (two independent dependency chains), then row m joins them.
    """
    a = ws[W_A]
    b = ws[W_B]
    c = ws[W_C]
    f1 = ws[W_F1]
    f2 = ws[W_F2]
    cp = ws[W_SCR]  # forward: x_i + cp_i x_{i+1} = f_i (i < m); backward: x_i + cp_i x_{i-1} = f_i
    if n == 1:
        f1[0] /= b[0]
        f2[0] /= b[0]
        return
    m = n // 2
    n_up = n - 1 - m
    for t in range(m):
        i = t
        if i == 0:
            inv = 1.0 / b[0]
            cp[0] = c[0] * inv
            f1[0] = f1[0] * inv
            f2[0] = f2[0] * inv
        else:
            inv = 1.0 / (b[i] - a[i] * cp[i - 1])
            cp[i] = c[i] * inv
            f1[i] = (f1[i] - a[i] * f1[i - 1]) * inv
            f2[i] = (f2[i] - a[i] * f2[i - 1]) * inv
        if t < n_up:
            j = n - 1 - t
            if t == 0:
                inv = 1.0 / b[j]
                cp[j] = a[j] * inv
                f1[j] = f1[j] * inv
                f2[j] = f2[j] * inv
            else:
                inv = 1.0 / (b[j] - c[j] * cp[j + 1])
                cp[j] = a[j] * inv
                f1[j] = (f1[j] - c[j] * f1[j + 1]) * inv
                f2[j] = (f2[j] - c[j] * f2[j + 1]) * inv
    den = b[m] - a[m] * cp[m - 1]
    r1 = f1[m] - a[m] * f1[m - 1]
    r2 = f2[m] - a[m] * f2[m - 1]
    if n_up > 0:
        den -= c[m] * cp[m + 1]
        r1 -= c[m] * f1[m + 1]
        r2 -= c[m] * f2[m + 1]
    inv = 1.0 / den
    f1[m] = r1 * inv
    f2[m] = r2 * inv
    for t in range(1, max(m, n_up) + 1):
        i = m - t
        if i >= 0:
            f1[i] -= cp[i] * f1[i + 1]
            f2[i] -= cp[i] * f2[i + 1]
        j = m + t
        if j < n:
            f1[j] -= cp[j] * f1[j - 1]
            f2[j] -= cp[j] * f2[j - 1]


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _particle_prepare(y, o, n, radius, c_max, flux_per_A, flux0, k_tab, const, tab_xt, it, wt,
                      dt, ws, r1, r2, theta, c_0):
    """Backward-Euler particle step: fill rows r1, r2 with c_new = c1 + I c2.

    ``flux_per_A`` is the outward surface flux j/F per ampere of cell current [mol.m-2.s-1.A-1];
    ``flux0`` an outward flux independent of the current (side reactions) [mol.m-2.s-1].
    ``theta`` > 0 multiplies the diffusivity by PyBaMM's stress factor 1 + theta (c - c_0)
    (stress-induced diffusion, with the stress-driven LAM options only).

    Shell i spans radii (i h, (i + 1) h), volume 4/3 pi h^3 (3 i^2 + 3 i + 1); the edge at
    radius (i + 1) h carries D_edge (i + 1)^2 h^2 / h, D_edge the harmonic mean of the nodes.
    """
    h = radius / n
    a = ws[W_A]
    b = ws[W_B]
    c = ws[W_C]
    f1 = ws[W_F1]
    f2 = ws[W_F2]
    d_node = ws[W_SCR]
    uniform = const and theta == 0.0
    d_const = 0.0
    if const:
        d_const = _lookup2(tab_xt, k_tab, 0.5, it, wt)
        for i in range(n):
            d_node[i] = d_const
    else:
        for i in range(n):
            d_node[i] = _lookup2(tab_xt, k_tab, y[o + i] / c_max, it, wt)
    if theta != 0.0:
        for i in range(n):
            d_node[i] *= 1.0 + theta * (y[o + i] - c_0)
    k0 = 3.0 * dt / (h * h)
    g_prev = 0.0  # D_edge i^2 at the inner edge of shell i
    for i in range(n):
        fi = float(i)
        q = k0 / (3.0 * fi * fi + 3.0 * fi + 1.0)
        g_next = 0.0
        if i < n - 1:
            if uniform:
                d_edge = d_const
            else:
                dl = d_node[i]
                dr = d_node[i + 1]
                d_edge = 2.0 * dl * dr / (dl + dr)
            g_next = d_edge * (fi + 1.0) * (fi + 1.0)
        a[i] = -q * g_prev
        c[i] = -q * g_next
        b[i] = 1.0 - a[i] - c[i]
        f1[i] = y[o + i]
        f2[i] = 0.0
        g_prev = g_next
    fn = float(n)
    coef = 3.0 * dt * fn * fn / (h * (3.0 * fn * fn - 3.0 * fn + 1.0))
    f2[n - 1] = -coef * flux_per_A
    f1[n - 1] -= coef * flux0
    _solve_tridiag2(ws, n)
    for i in range(n):
        ws[r1, i] = f1[i]
        ws[r2, i] = f2[i]


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _electrolyte_prepare(y, o, nx, half, xconst, prm, xgeo, tab_xt, it, wt, dt, ws):
    """Backward-Euler electrolyte step: fill rows W_CE1, W_CE2 with c_new = c1 + I c2."""
    area = prm[L.P_AREA]
    faraday = prm[L.P_F]
    ce_scale = prm[L.P_CE_MAX]
    a = ws[W_A]
    b = ws[W_B]
    c = ws[W_C]
    f1 = ws[W_F1]
    f2 = ws[W_F2]
    td = ws[W_SCR]
    mig = ws[W_CE1]  # node values of t+ i_e per unit current density (scratch)
    tplus = ws[W_CE2]  # scratch
    de_const = (xconst >> L.X_DE) & 1
    tp_const = (xconst >> L.X_TPLUS) & 1
    de = _lookup2(tab_xt, L.X_DE, 0.5, it, wt)
    tp = _lookup2(tab_xt, L.X_TPLUS, 0.5, it, wt)
    n_last = tab_xt.shape[2] - 2
    for k in range(nx):
        if not (de_const and tp_const):
            # one grid position for both tables
            f = _x_position(y[o + k] / ce_scale, L.XGRID_N_EDGE, L.XGRID_N_MID)
            i = min(int(f), n_last)
            w = f - i
            if not de_const:
                lo, hi = _t_interpolated(tab_xt, L.X_DE, i, it, wt)
                de = lo + w * (hi - lo)
            if not tp_const:
                lo, hi = _t_interpolated(tab_xt, L.X_TPLUS, i, it, wt)
                tp = lo + w * (hi - lo)
        td[k] = xgeo[L.XG_TOR, k] * de
        tplus[k] = tp
        mig[k] = tp * xgeo[L.XG_IE, k]
    # explicit (per ampere) flux at the edges: migration, plus the lithium-foil inflow
    # at the left of a half cell
    lw = 0.5 * xgeo[L.XG_W, 0] / xgeo[L.XG_DN, 1]
    rw = 0.5 * xgeo[L.XG_W, nx - 1] / xgeo[L.XG_DN, nx - 1]
    g_left = (1.0 + lw) * mig[0] - lw * mig[1]
    if half == 1:
        tp_left = (1.0 + lw) * tplus[0] - lw * tplus[1]
        g_left += 1.0 - tp_left
    inv_fa = 1.0 / (faraday * area)
    g_prev = g_left
    d_prev = 0.0  # diffusive conductance of the left edge of node k
    for k in range(nx):
        w = xgeo[L.XG_W, k]
        eps = xgeo[L.XG_EPS, k]
        if k < nx - 1:
            g_next = xgeo[L.XG_CL, k + 1] * mig[k] + xgeo[L.XG_CR, k + 1] * mig[k + 1]
            # PyBaMM's width-weighted harmonic mean over the node spacing
            beta = xgeo[L.XG_CR, k + 1]
            dl = td[k]
            dr = td[k + 1]
            d_next = dl * dr / ((beta * dr + (1.0 - beta) * dl) * xgeo[L.XG_DN, k + 1])
        else:
            g_next = (1.0 + rw) * mig[nx - 1] - rw * mig[nx - 2]
            d_next = 0.0
        s = dt / (w * eps)
        f2[k] = s * (xgeo[L.XG_SRC, k] * w - (g_next - g_prev) * inv_fa)
        a[k] = -s * d_prev
        c[k] = -s * d_next
        b[k] = 1.0 - a[k] - c[k]
        f1[k] = y[o + k]
        g_prev = g_next
        d_prev = d_next
    _solve_tridiag2(ws, nx)
    s1 = 0.0
    s2 = 0.0
    l_x = 0.0
    for k in range(nx):
        ws[W_CE1, k] = f1[k]
        ws[W_CE2, k] = f2[k]
        w = xgeo[L.XG_W, k]
        s1 += w * f1[k]
        s2 += w * f2[k]
        l_x += w
    ws[W_AUX, AUX_CAV1] = s1 / l_x
    ws[W_AUX, AUX_CAV2] = s2 / l_x


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _surface(ws, r, n, current_A):
    """Linearly extrapolated particle surface concentration and its derivative in current."""
    c_surf = 1.5 * (ws[r, n - 1] + current_A * ws[r + 1, n - 1]) - 0.5 * (
        ws[r, n - 2] + current_A * ws[r + 1, n - 2]
    )
    return c_surf, 1.5 * ws[r + 1, n - 1] - 0.5 * ws[r + 1, n - 2]


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _electrode_nodes(j, j0_sto, ws, k0, k1, current_A, ce_scale, inv_cav, tab_xt, k_j0e, it,
                     wt):
    """Per-electrode sums over the electrolyte nodes k0..k1-1 at the step end for ``current_A``.

    ``j`` is the interfacial current density (same at every node), ``j0_sto`` the stoichiometry
    factor of the exchange-current density. Returns, with ``u_k = j / (2 j0_k)`` and
    ``s_k = sqrt(1 + u_k^2)``:

    * ``sum asinh(u_k)`` (the inverse Butler-Volmer overpotential over 2 RT/F, summed),
    * ``sum 1 / (2 j0_k s_k)`` (its derivative in ``j`` at fixed j0),
    * ``sum u_k / s_k * d ln j0e_k / dI`` (the part of its derivative through c_e),
    * ``sum log(c_e_k / c_av)`` (PyBaMM's MacInnes function, summed),
    * ``sum c2_k / c_e_k`` (its derivative in I, without the c_av part).

    The logarithms are taken of products (one log per electrode, not per node); a product
    outside (1 / PROD_MAX, PROD_MAX) falls back to the per-node sums.
    """
    p_eta = 1.0
    p_mac = 1.0
    d_eta = 0.0
    d_j0 = 0.0
    d_mac = 0.0
    inv_scale = 1.0 / ce_scale
    half_inv_j0s = 0.5 / j0_sto
    for k in range(k0, k1):
        c2 = ws[W_CE2, k]
        c_e = ws[W_CE1, k] + current_A * c2
        j0e, dj0e = _lookup2d(tab_xt, k_j0e, c_e * inv_scale, it, wt)
        inv_j0e = 1.0 / j0e
        inv_2j0 = half_inv_j0s * inv_j0e
        u = j * inv_2j0
        s = np.sqrt(1.0 + u * u)
        inv_s = 1.0 / s
        p_eta *= abs(u) + s
        d_eta += inv_2j0 * inv_s
        d_j0 += u * inv_s * dj0e * inv_j0e * (c2 * inv_scale)
        p_mac *= max(c_e * inv_cav, MACINNES_TOL)
        d_mac += c2 / c_e
    if 1.0 / PROD_MAX < p_eta < PROD_MAX:
        eta = np.log(p_eta)
    else:
        eta = 0.0
        for k in range(k0, k1):
            c_e = ws[W_CE1, k] + current_A * ws[W_CE2, k]
            j0 = _lookup2(tab_xt, k_j0e, c_e / ce_scale, it, wt) * j0_sto
            eta += np.arcsinh(abs(j) / (2.0 * j0))
    if j < 0.0:
        eta = -eta
    if 1.0 / PROD_MAX < p_mac < PROD_MAX:
        mac = np.log(p_mac)
    else:
        mac = 0.0
        for k in range(k0, k1):
            c_e = ws[W_CE1, k] + current_A * ws[W_CE2, k]
            mac += np.log(max(c_e * inv_cav, MACINNES_TOL))
    return eta, d_eta, d_j0, mac, d_mac


@njit(cache=True, error_model="numpy", fastmath=_FM)
def voltage(current_A, dims, prm, tab_sto, tab_xt, xgeo, ws, temp_K, it, wt, out):
    """Terminal voltage at the end of the prepared step for a cell current ``current_A``.

    Returns ``(V, dV/dI)``; ``out`` receives the quantities the heat source needs:
    ``[eta_n, eta_p, U_n, U_p, dUdT_n, dUdT_p, sto_n_surf, sto_p_surf, kappa_av, chi_av,
    sigma_n, sigma_p, dV/dI]``. dV/dI is the exact derivative of the tabulated model (OCPs,
    entropic terms, exchange-current densities, MacInnes term, kappa, chi and sigma through
    the concentrations), so Newton's method on it converges quadratically.
    """
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    nx_n = dims[L.D_NX_N]
    nx_s = dims[L.D_NX_S]
    nx_p = dims[L.D_NX_P]
    nx = nx_n + nx_s + nx_p
    half = dims[L.D_HALF]
    area = prm[L.P_AREA]
    i_density = current_A / area
    rt_f = prm[L.P_R] * temp_K / prm[L.P_F]
    d_t = temp_K - prm[L.P_T_REF]
    ce_scale = prm[L.P_CE_MAX]
    l_n = prm[L.P_L_N]
    l_s = prm[L.P_L_S]
    l_p = prm[L.P_L_P]

    # electrolyte average over the whole cell (width-weighted), affine in I (see prepare)
    dc_av = ws[W_AUX, AUX_CAV2]
    c_av = ws[W_AUX, AUX_CAV1] + current_A * dc_av
    inv_cav = 1.0 / c_av
    kappa, dkappa = _lookup2d(tab_xt, L.X_KAPPA, c_av / ce_scale, it, wt)
    chi, dchi = _lookup2d(tab_xt, L.X_CHI, c_av / ce_scale, it, wt)
    dkappa *= dc_av / ce_scale  # d kappa / dI
    dchi *= dc_av / ce_scale

    # positive electrode
    cs_p, dcs_p = _surface(ws, W_CP1, nr_p, current_A)
    c_max_p = prm[L.P_CMAX_P]
    sto_p = cs_p / c_max_p
    u_p, du_p = _lookup1(tab_sto, L.S_U_P, sto_p)
    dudt_p, ddudt_p = _lookup1(tab_sto, L.S_DUDT_P, sto_p)
    u_p += d_t * dudt_p
    du_p += d_t * ddudt_p
    j0s_p, dj0s_p = _lookup2d(tab_xt, L.X_J0S_P, sto_p, it, wt)
    dlnj0s_p = dj0s_p / j0s_p * dcs_p / c_max_p
    j_per_i_p = -1.0 / (prm[L.P_A_P] * l_p)
    j_p = i_density * j_per_i_p
    s_eta, s_d, s_dj0, s_mac, s_dmac = _electrode_nodes(
        j_p, j0s_p, ws, nx_n + nx_s, nx, current_A, ce_scale, inv_cav, tab_xt, L.X_J0E_P, it, wt)
    inv_n = 1.0 / nx_p
    eta_p = 2.0 * rt_f * s_eta * inv_n
    # d asinh(u)/dI = (dj/dI / (2 j0) - u d ln j0 / dI) / s, d ln j0 = d ln j0e + d ln j0s

    deta_p = 2.0 * rt_f * inv_n * (j_per_i_p / area * s_d - s_dj0)
    mac_p = s_mac * inv_n
    dmac_p = s_dmac * inv_n - dc_av * inv_cav
    sigma_p, dsigma_p = _lookup2d(tab_xt, L.X_SIG_P, sto_p, it, wt)
    r_solid = l_p / (3.0 * sigma_p * prm[L.P_TORS_P])
    dr_solid = -r_solid * dsigma_p / sigma_p * dcs_p / c_max_p  # d r_solid / dI
    sigma_p *= prm[L.P_TORS_P]
    r_elec = l_s / (kappa * prm[L.P_TOR_S]) + l_p / (3.0 * kappa * prm[L.P_TOR_P])
    # j0s part: sum_k u_k / s_k * d ln j0s / dI; u_k / s_k = 2 j0_k u_k * (1 / (2 j0_k s_k)),
    # u_k = j / (2 j0_k): u_k / s_k = j * (1 / (2 j0_k s_k)) summed = j * s_d
    deta_p -= 2.0 * rt_f * inv_n * j_p * s_d * dlnj0s_p


    if half == 1:
        # lithium foil: linear extrapolation of the separator concentration to the interface
        c_left = 1.5 * (ws[W_CE1, 0] + current_A * ws[W_CE2, 0]) - 0.5 * (
            ws[W_CE1, 1] + current_A * ws[W_CE2, 1]
        )
        dc_left = 1.5 * ws[W_CE2, 0] - 0.5 * ws[W_CE2, 1]
        mac_n = np.log(max(c_left * inv_cav, MACINNES_TOL))
        dmac_n = dc_left / c_left - dc_av * inv_cav
        j0_li, dj0_li = _lookup2d(tab_xt, L.X_J0_LI, c_left / ce_scale, it, wt)
        u = i_density / (2.0 * j0_li)
        s = np.sqrt(1.0 + u * u)
        eta_n = 2.0 * rt_f * np.arcsinh(u)
        deta_n = 2.0 * rt_f / s * (1.0 / (2.0 * j0_li) / area
                                   - u * dj0_li / j0_li * dc_left / ce_scale)
        sigma_n = _lookup2(tab_xt, L.X_SIG_N, 0.5, it, wt)
        r_solid += l_n / sigma_n
        u_n = 0.0
        du_dI_n = 0.0
        dudt_n = 0.0
        sto_n = 0.0
    else:
        cs_n, dcs_n = _surface(ws, W_CN1, nr_n, current_A)
        c_max_n = prm[L.P_CMAX_N]
        sto_n = cs_n / c_max_n
        u_n, du_n = _lookup1(tab_sto, L.S_U_N, sto_n)
        dudt_n, ddudt_n = _lookup1(tab_sto, L.S_DUDT_N, sto_n)
        u_n += d_t * dudt_n
        du_n += d_t * ddudt_n
        du_dI_n = du_n * dcs_n / c_max_n
        j0s_n, dj0s_n = _lookup2d(tab_xt, L.X_J0S_N, sto_n, it, wt)
        dlnj0s_n = dj0s_n / j0s_n * dcs_n / c_max_n
        j_per_i_n = 1.0 / (prm[L.P_A_N] * l_n)
        j_n = i_density * j_per_i_n
        s_eta, s_d, s_dj0, s_mac, s_dmac = _electrode_nodes(
            j_n, j0s_n, ws, 0, nx_n, current_A, ce_scale, inv_cav, tab_xt, L.X_J0E_N, it, wt)
        inv_n = 1.0 / nx_n
        eta_n = 2.0 * rt_f * s_eta * inv_n
        deta_n = 2.0 * rt_f * inv_n * (j_per_i_n / area * s_d - s_dj0 - j_n * s_d * dlnj0s_n)
        mac_n = s_mac * inv_n
        dmac_n = s_dmac * inv_n - dc_av * inv_cav
        sigma_n, dsigma_n = _lookup2d(tab_xt, L.X_SIG_N, sto_n, it, wt)
        r_n = l_n / (3.0 * sigma_n * prm[L.P_TORS_N])
        r_solid += r_n
        dr_solid -= r_n * dsigma_n / sigma_n * dcs_n / c_max_n
        sigma_n *= prm[L.P_TORS_N]
        r_elec += l_n / (3.0 * kappa * prm[L.P_TOR_N])

    # film (SEI / interphase) resistance per current-collector area, 0 without ageing
    r_solid += prm[L.P_R_FILM]
    v = u_p - u_n + eta_p - eta_n + chi * rt_f * (mac_p - mac_n) - i_density * (r_solid + r_elec)
    dv = (du_p * dcs_p / c_max_p - du_dI_n + deta_p - deta_n + chi * rt_f * (dmac_p - dmac_n)
          + dchi * rt_f * (mac_p - mac_n) - (r_solid + r_elec) / area
          + i_density * (r_elec * dkappa / kappa - dr_solid))
    out[0] = eta_n
    out[1] = eta_p
    out[2] = u_n
    out[3] = u_p
    out[4] = dudt_n
    out[5] = dudt_p
    out[6] = sto_n
    out[7] = sto_p
    out[8] = kappa
    out[9] = chi
    out[10] = sigma_n
    out[11] = sigma_p
    out[12] = dv
    return v, dv


@njit(cache=True, error_model="numpy", fastmath=_FM)
def prepare(y, dims, prm, tab_xt, xgeo, ws, dt_s, it, wt, side_flux_n):
    """Build the affine-in-current end-of-step concentrations for a step of ``dt_s``.

    ``side_flux_n`` is the outward lithium flux at the negative particle surface carried by side
    reactions (SEI, plating) [mol.m-2.s-1]: PyBaMM's main reaction is ``j = j_tot - j_sei - j_pl``.
    """
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    o_cp = nr_n
    o_ce = nr_n + nr_p
    area = prm[L.P_AREA]
    f = prm[L.P_F]
    theta_n = 0.0
    theta_p = 0.0
    if dims[L.D_AGEING] == 1 and (dims[L.D_LAM] == L.LAM_STRESS
                                  or dims[L.D_LAM] == L.LAM_STRESS_REACTION):
        temp = y[nr_n + nr_p + nx]
        theta_n = prm[L.P_THETA_N] / temp
        theta_p = prm[L.P_THETA_P] / temp
    if dims[L.D_HALF] == 0:
        flux_n = 1.0 / (area * prm[L.P_A_N] * prm[L.P_L_N] * f)
        _particle_prepare(y, 0, nr_n, prm[L.P_R_N], prm[L.P_CMAX_N], flux_n, side_flux_n, L.X_D_N,
                          (dims[L.D_XCONST] >> L.X_D_N) & 1, tab_xt, it, wt, dt_s, ws, W_CN1,
                          W_CN2, theta_n, prm[L.P_C0_N])
    flux_p = -1.0 / (area * prm[L.P_A_P] * prm[L.P_L_P] * f)
    _particle_prepare(y, o_cp, nr_p, prm[L.P_R_P], prm[L.P_CMAX_P], flux_p, 0.0, L.X_D_P,
                      (dims[L.D_XCONST] >> L.X_D_P) & 1, tab_xt, it, wt, dt_s, ws, W_CP1, W_CP2,
                      theta_p, prm[L.P_C0_P])
    _electrolyte_prepare(y, o_ce, nx, dims[L.D_HALF], dims[L.D_XCONST], prm, xgeo, tab_xt, it,
                         wt, dt_s, ws)


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _particle_bounds(ws, r, n, c_max, i_lo, i_hi):
    lo = DOMAIN_EPS * c_max
    hi = (1.0 - DOMAIN_EPS) * c_max
    for i in range(n):
        i_lo, i_hi = _affine_bounds(ws[r, i], ws[r + 1, i], lo, hi, i_lo, i_hi)
    c1 = 1.5 * ws[r, n - 1] - 0.5 * ws[r, n - 2]
    c2 = 1.5 * ws[r + 1, n - 1] - 0.5 * ws[r + 1, n - 2]
    return _affine_bounds(c1, c2, lo, hi, i_lo, i_hi)


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
def plating_potential(current_A, dims, prm, xgeo, ws, temp_K, out):
    """Plating potential at the negative/separator interface [V vs Li/Li+] for ``current_A``,
    from the quantities :func:`voltage` left in ``out`` for the same current.

    PyBaMM's plating overpotential is ``U_n + eta_r`` (phi_s - phi_e without the SEI film drop;
    lithium deposits when it is negative). The SPMe gives its x-average (``out[2] + out[0]``);
    at the separator, where plating starts on charge, it differs by the solid and electrolyte
    potential differences between the x-average and x = L_n for the SPMe's uniform reaction
    (i_s = i (1 - x / L_n), i_e = i x / L_n)::

        dphi(L_n) - mean(dphi) = -i L_n / (6 sigma_eff) + i L_n / (3 kappa_eff)
                                 - chi RT/F (ln c_e(L_n) - mean ln c_e)

    (charge: i < 0, so the electrolyte terms lower it). The kinetic overpotential is taken at
    its x-average.
    """
    nx_n = dims[L.D_NX_N]
    i_density = current_A / prm[L.P_AREA]
    l_n = prm[L.P_L_N]
    kappa_eff = out[8] * prm[L.P_TOR_N]
    shift = -i_density * l_n / (6.0 * out[10]) + i_density * l_n / (3.0 * kappa_eff)
    mean_log = 0.0
    for k in range(nx_n):
        mean_log += np.log(ws[W_CE1, k] + current_A * ws[W_CE2, k])
    mean_log /= nx_n
    c_left = ws[W_CE1, nx_n - 1] + current_A * ws[W_CE2, nx_n - 1]
    c_right = ws[W_CE1, nx_n] + current_A * ws[W_CE2, nx_n]
    c_interface = xgeo[L.XG_CL, nx_n] * c_left + xgeo[L.XG_CR, nx_n] * c_right
    rt_f = prm[L.P_R] * temp_K / prm[L.P_F]
    shift -= out[9] * rt_f * (np.log(c_interface) - mean_log)
    return out[2] + out[0] + shift


@njit(cache=True, error_model="numpy", fastmath=_FM)
def plating_potential_now(y, current_A, dims, prm, tab_sto, tab_xt, xgeo):
    """:func:`plating_potential` of state ``y`` carrying ``current_A`` (no time step)."""
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    ws = np.zeros((N_WS, max(max(dims[L.D_NR_N], dims[L.D_NR_P]), nx) + 1))
    out = np.zeros(N_OUT)
    temp = y[dims[L.D_NR_N] + dims[L.D_NR_P] + nx]
    it, wt = _t_weights(prm, tab_xt, temp)
    prepare(y, dims, prm, tab_xt, xgeo, ws, 0.0, it, wt, 0.0)
    voltage(current_A, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
    return plating_potential(current_A, dims, prm, xgeo, ws, temp, out)


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
def heat_W(current_A, dims, prm, xgeo, ws, temp_K, out):
    """Total heat of the cell [W] (irreversible, reversible, ohmic) at the solved step.

    Follows PyBaMM's lumped "Total heating": per unit electrode-pair area, ohmic heat in the
    current collectors, solid phases and electrolyte (including the concentration term),
    reaction heat a j eta and reversible heat a j T dU/dT, times the electrode area.
    """
    eta_n, eta_p, dudt_n, dudt_p = out[0], out[1], out[4], out[5]
    kappa, chi, sigma_n, sigma_p = out[8], out[9], out[10], out[11]
    i = current_A / prm[L.P_AREA]
    l_n = prm[L.P_L_N]
    l_s = prm[L.P_L_S]
    l_p = prm[L.P_L_P]
    q = i * i * (prm[L.P_L_CN] / prm[L.P_SIGMA_CN] + prm[L.P_L_CP] / prm[L.P_SIGMA_CP])
    q += i * i * (l_s / (kappa * prm[L.P_TOR_S]) + l_p / (3.0 * kappa * prm[L.P_TOR_P]))
    q += i * i * (l_p / (3.0 * sigma_p) + prm[L.P_R_FILM])
    if dims[L.D_HALF] == 1:
        q += i * i * l_n / sigma_n
    else:
        q += i * i * (l_n / (3.0 * kappa * prm[L.P_TOR_N]) + l_n / (3.0 * sigma_n))
    # concentration part of the electrolyte ohmic heat: -chi RT/F int i_e d(ln c_e)/dx dx
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    # log(c_k / c_{k-1}) = 2 atanh(z), z = (c_k - c_{k-1}) / (c_k + c_{k-1}): a series for the
    # small jumps between neighbouring nodes (truncation below 1e-21), logarithms otherwise
    ce1 = ws[W_CE1]
    ce2 = ws[W_CE2]
    cl = xgeo[L.XG_CL]
    cr = xgeo[L.XG_CR]
    ie = xgeo[L.XG_IE]
    s = 0.0
    z_max = 0.0
    for k in range(1, nx):
        c_k = ce1[k] + current_A * ce2[k]
        c_prev = ce1[k - 1] + current_A * ce2[k - 1]
        z = (c_k - c_prev) / (c_k + c_prev)
        z_max = max(z_max, abs(z))
        z2 = z * z
        d_log = 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (0.2 + z2 * (1.0 / 7.0
                                                                   + z2 * (1.0 / 9.0)))))
        s += (cl[k] * ie[k - 1] + cr[k] * ie[k]) * d_log
    if not z_max < 0.01:
        s = 0.0
        for k in range(1, nx):
            c_k = ce1[k] + current_A * ce2[k]
            c_prev = ce1[k - 1] + current_A * ce2[k - 1]
            s += (cl[k] * ie[k - 1] + cr[k] * ie[k]) * (np.log(c_k) - np.log(c_prev))
    q -= chi * prm[L.P_R] * temp_K / prm[L.P_F] * i * s
    q += i * (eta_n - eta_p) + i * temp_K * (dudt_n - dudt_p)
    return q * prm[L.P_AREA]


@njit(cache=True, error_model="numpy", fastmath=_FM)
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
        t_old = y[o_t]
        it, wt = _t_weights(prm, tab_xt, t_old)
        rho_cp = _lookup2(tab_xt, L.X_RHOCP, 0.5, it, wt)
        v_cell = prm[L.P_V_CELL]
        ha = prm[L.P_H] * prm[L.P_A_COOL]
        y[o_t] = (t_old + dt_s * (heat + ha * temp_amb_K) / (v_cell * rho_cp)) / (
            1.0 + dt_s * ha / (v_cell * rho_cp)
        )
    else:
        y[o_t] = temp_amb_K


@njit(cache=True, error_model="numpy", fastmath=_FM)
def ageing_sync(y, o_a, dims, prm):
    """Copy the ageing states into the parameters they change: surface areas per volume
    ``a = 3 eps_s / R`` (loss of active material) and the film resistance ``P_R_FILM``."""
    eps_p = y[o_a + L.A_EPS_P]
    prm[L.P_A_P] = 3.0 * eps_p / prm[L.P_R_P]
    if dims[L.D_HALF] == 1:
        prm[L.P_R_FILM] = y[o_a + L.A_C_SEI] if dims[L.D_SEI] == L.SEI_INTERPHASE else 0.0
        return
    a_n = 3.0 * y[o_a + L.A_EPS_N] / prm[L.P_R_N]
    prm[L.P_A_N] = a_n
    if dims[L.D_SEI] != L.SEI_NONE:
        # film drop j_tot L_sei rho with j_tot = i / (a_n L_n): resistance per cc area
        l_sei = y[o_a + L.A_C_SEI] * prm[L.P_SEI_VBAR] / a_n
        prm[L.P_R_FILM] = l_sei * prm[L.P_SEI_RHO] / (a_n * prm[L.P_L_N])
    else:
        prm[L.P_R_FILM] = 0.0


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _r_average_and_surface(y, o, n):
    """PyBaMM's r-average and linearly extrapolated surface value of a particle."""
    s = 0.0
    for i in range(n):
        s += y[o + i] * ((i + 1) ** 3 - i**3)
    return s / n**3, 1.5 * y[o + n - 1] - 0.5 * y[o + n - 2]


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _stress_lam(y, o, n, k_stress, beta, m, dt):
    """Stress-driven LAM increment over ``dt`` (PyBaMM "swelling only" surface stresses):
    sigma_h = 2/3 sigma_t, sigma_t = Omega E (c_av - c_surf) / (3 (1 - nu));
    d eps / dt = -beta (max(sigma_h, 0) / sigma_crit)^m. Returns (d eps, c_av)."""
    c_av, c_surf = _r_average_and_surface(y, o, n)
    s = 2.0 / 3.0 * k_stress * (c_av - c_surf)
    if s <= 0.0:
        return 0.0, c_av
    return -beta * s**m * dt, c_av


@njit(cache=True, error_model="numpy", fastmath=_FM)
def ageing_step(y, o_a, current_A, dt, dims, prm, tab_xt, out, inc):
    """Ageing increments over a step of ``dt`` into ``inc`` (indexed by ``layout.A_*``).

    Rates use the state at the start of the step and the potentials of the last solved step
    (``out`` of :func:`voltage`: ``out[0]`` = x-averaged kinetic overpotential, ``out[2]`` =
    surface OCP of the negative). Thickness-limited SEI laws (L dL/dt = g, and the ec reaction
    limited (1 + s L) dL/dt = g) are integrated analytically over the step, plated lithium with
    the exact solution of its linear ODE, so long steps (rests of hours) stay accurate and
    stable. Returns the outward side-reaction lithium flux at the negative particle surface over
    the step [mol.m-2.s-1], which :func:`prepare` removes from the particles (conservative: the
    same amount enters SEI and plated lithium).
    """
    for q in range(L.N_AGE):
        inc[q] = 0.0
    if dt <= 0.0:
        return 0.0
    temp = y[o_a - 1]
    faraday = prm[L.P_F]
    r_gas = prm[L.P_R]
    sei = dims[L.D_SEI]
    arr = np.exp(prm[L.P_SEI_EA] / r_gas * (1.0 / prm[L.P_T_REF] - 1.0 / temp))
    if dims[L.D_HALF] == 1:
        if sei == L.SEI_INTERPHASE:
            dr = y[o_a + L.A_C_SEI]
            k = prm[L.P_SS_K]
            inc[L.A_C_SEI] = np.sqrt(dr * dr + k * k * arr * dt) - dr
        if dims[L.D_LAM] == L.LAM_STRESS:  # the positive particle is first in a half cell
            de, c_av_p = _stress_lam(y, 0, dims[L.D_NR_P], prm[L.P_STRESS_P], prm[L.P_LAM_K_P],
                                     prm[L.P_LAM_M_P], dt)
            inc[L.A_EPS_P] = de
            inc[L.A_LLI_LAM_P] = -prm[L.P_L_P] * prm[L.P_AREA] * c_av_p * de
        return 0.0
    nr_n = dims[L.D_NR_N]
    nr_p = dims[L.D_NR_P]
    a_n = prm[L.P_A_N]
    l_n = prm[L.P_L_N]
    area = prm[L.P_AREA]
    vbar = prm[L.P_SEI_VBAR]
    z = prm[L.P_SEI_Z]
    f_rt = faraday / (r_gas * temp)
    eta_st = out[2] + out[0]  # U_n + eta_r: delta_phi without the film drop
    l_sei = y[o_a + L.A_C_SEI] * vbar / a_n
    dl = 0.0
    if sei == L.SEI_SOLVENT or sei == L.SEI_INTERSTITIAL:
        if sei == L.SEI_SOLVENT:
            g = vbar * prm[L.P_SEI_DC] * arr / z
        else:
            j_tot = current_A / (area * a_n * l_n)
            delta_phi = eta_st + j_tot * l_sei * prm[L.P_SEI_RHO]
            g = vbar * prm[L.P_SEI_DLI] * np.exp(-f_rt * delta_phi) * arr / z
        dl = 2.0 * g * dt / (l_sei + np.sqrt(l_sei * l_sei + 2.0 * g * dt))
    elif sei == L.SEI_REACTION:
        eta = eta_st - prm[L.P_SEI_U]
        dl = prm[L.P_SEI_J0] * np.exp(-prm[L.P_SEI_ALPHA] * f_rt * eta) * arr * vbar / (
            faraday * z) * dt
    elif sei == L.SEI_EC:
        eta = eta_st - prm[L.P_SEI_U]
        k_exp = prm[L.P_SEI_K] * np.exp(-prm[L.P_SEI_ALPHA] * f_rt * eta)
        s = k_exp / prm[L.P_SEI_DEC]
        q = vbar * prm[L.P_SEI_CEC] * k_exp * arr / z * dt
        b = 1.0 + s * l_sei
        dl = 2.0 * q / (b + np.sqrt(b * b + 2.0 * s * q))
    d_sei = dl * a_n / vbar
    inc[L.A_C_SEI] = d_sei

    plating = dims[L.D_PLATING]
    if plating != L.PLATING_NONE:
        nx_n = dims[L.D_NX_N]
        o_ce = nr_n + nr_p
        c_e = 0.0
        for k in range(nx_n):
            c_e += y[o_ce + k]
        c_e /= nx_n
        it, wt = _t_weights(prm, tab_xt, temp)
        j0_pl = _lookup2(tab_xt, L.X_J0_PL, c_e / prm[L.P_CE_MAX], it, wt)
        alpha = prm[L.P_PL_ALPHA]
        rate_pl = a_n * j0_pl * np.exp(-f_rt * alpha * eta_st) / faraday  # mol.m-3.s-1
        if plating == L.PLATING_IRREVERSIBLE:
            inc[L.A_C_DEAD] = rate_pl * dt
        else:
            c_pl = y[o_a + L.A_C_PL]
            j0_st = _lookup2(tab_xt, L.X_J0_ST, 0.5, it, wt) / prm[L.P_PL_CTYP]
            r_s = a_n * j0_st * np.exp(f_rt * (1.0 - alpha) * eta_st) / faraday  # s-1
            gamma = 0.0
            if plating == L.PLATING_PARTIAL:
                gamma = prm[L.P_PL_GAMMA0] * (l_sei / prm[L.P_SEI_L0]) ** prm[L.P_PL_GAMMA_EXP]
            k = r_s + gamma
            if k * dt < 1e-9:
                integ = c_pl * dt + 0.5 * rate_pl * dt * dt
                c_new = c_pl + rate_pl * dt - k * integ
            else:
                c_inf = rate_pl / k
                e = -np.expm1(-k * dt)
                c_new = c_pl + (c_inf - c_pl) * e
                integ = c_inf * dt + (c_pl - c_inf) * e / k
            inc[L.A_C_PL] = c_new - c_pl
            inc[L.A_C_DEAD] = gamma * integ

    lam = dims[L.D_LAM]
    if lam == L.LAM_REACTION or lam == L.LAM_STRESS_REACTION:
        # d eps / dt = beta a j_sei / F, and a j_sei dt / F = -z d c_sei (no SEI on the positive)
        inc[L.A_EPS_N] -= prm[L.P_LAM_BETA_N] * z * d_sei
    if lam == L.LAM_STRESS or lam == L.LAM_STRESS_REACTION:
        de, c_av = _stress_lam(y, 0, nr_n, prm[L.P_STRESS_N], prm[L.P_LAM_K_N],
                               prm[L.P_LAM_M_N], dt)
        inc[L.A_EPS_N] += de
        de, c_av_p = _stress_lam(y, nr_n, nr_p, prm[L.P_STRESS_P], prm[L.P_LAM_K_P],
                                 prm[L.P_LAM_M_P], dt)
        inc[L.A_EPS_P] += de
    if lam != L.LAM_NONE:
        c_av, _ = _r_average_and_surface(y, 0, nr_n)
        inc[L.A_LLI_LAM_N] = -l_n * area * c_av * inc[L.A_EPS_N]
        c_av, _ = _r_average_and_surface(y, nr_n, nr_p)
        inc[L.A_LLI_LAM_P] = -prm[L.P_L_P] * area * c_av * inc[L.A_EPS_P]
    return (z * d_sei + inc[L.A_C_PL] + inc[L.A_C_DEAD]) / (a_n * dt)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def ageing_apply(y, o_a, inc, current_A, dt, dims, prm):
    """Add the step's ageing increments to the state and refresh the parameters they change."""
    for q in range(L.A_Q_THROUGHPUT):
        y[o_a + q] += inc[q]
    y[o_a + L.A_EPS_N] = max(y[o_a + L.A_EPS_N], 1e-6)
    y[o_a + L.A_EPS_P] = max(y[o_a + L.A_EPS_P], 1e-6)
    y[o_a + L.A_Q_THROUGHPUT] += abs(current_A) * dt / 3600.0
    ageing_sync(y, o_a, dims, prm)


@njit(cache=True, error_model="numpy", fastmath=_FM)
def mean_positive_stoichiometry(y, dims, prm):
    """Volume-averaged positive-particle stoichiometry (PyBaMM's r-average)."""
    n = dims[L.D_NR_P]
    o = dims[L.D_NR_N]
    s = 0.0
    for i in range(n):
        s += y[o + i] * ((i + 1) ** 3 - i**3)
    return s / n**3 / prm[L.P_CMAX_P]


@njit(cache=True, error_model="numpy", fastmath=_FM)
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


@njit(cache=True, error_model="numpy", fastmath=_FM)
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
        Voltage limits [V]; a current step crossing one stops the run before the step.
    i_cut
        For ``MODE_VOLTAGE``: stop once ``|I| < i_cut`` [A] (0 disables).
    record_every
        Record every n-th step (the initial state and the last step are always recorded).
    rec
        Output array ``(7, n_records)``: time, voltage, current, power, capacity, soc, temperature.

    Returns
    -------
    (n_recorded, stop_code, bad_step, steps_done)
        ``bad_step`` is the step index at which a non-finite value appeared (-1 if none).
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
    if ageing:
        ageing_sync(y, o_a, dims, prm)

    # initial point: the first target applied to the initial state (no time elapsed)
    temp = y[o_t]
    it, wt = _t_weights(prm, tab_xt, temp)
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
        it, wt = _t_weights(prm, tab_xt, temp)
        side_n = 0.0
        if ageing:
            side_n = ageing_step(y, o_a, current, dt, dims, prm, tab_xt, out, inc)
        prepare(y, dims, prm, tab_xt, xgeo, ws, dt, it, wt, side_n)
        if mode == MODE_POWER:
            if i_guess == 0.0:
                v0, _ = voltage(0.0, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
                i_guess = target[k] / v0
            else:
                # first-order prediction from the last step: d(I V)/dI = V + I dV/dI
                den = v_acc + i_acc * out[12]
                if den > 0.0 and np.isfinite(den):
                    i_guess = i_acc + (target[k] - v_acc * i_acc) / den
        current, v, status = solve_current(mode, target[k], v_min, v_max, i_guess, dims, prm,
                                           tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
        if status != STOP_NONE:
            stop = status
            break
        if not (np.isfinite(v) and np.isfinite(current)):
            stop = STOP_NONFINITE
            bad = k
            break
        if mode == MODE_CURRENT:
            if v < v_min and current > 0.0:
                stop = STOP_V_MIN
                break
            if v > v_max and current < 0.0:
                stop = STOP_V_MAX
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
        if (k + 1) % record_every == 0 or last or cut:
            _record(rec, n_rec, time_s, v, current, charge_As, y, dims, prm, o_t)
            n_rec += 1
        if cut:
            stop = STOP_I_MIN
            break
    if stop != STOP_NONE and stop != STOP_NONFINITE and (n_rec == 1 or rec[0, n_rec - 1] != time_s):
        # record the last accepted state so the trace ends where the run stopped
        _record(rec, n_rec, time_s, v_acc, i_acc, charge_As, y, dims, prm, o_t)
        n_rec += 1
    return n_rec, stop, bad, done


@njit(cache=True, error_model="numpy", fastmath=_FM)
def _ocv_root(v_target, n_li, q_n, q_p, tab_sto, half):
    """Stoichiometries (x_n, y_p) at equilibrium voltage ``v_target`` for lithium inventory
    ``n_li`` [mol] and electrode capacities ``q_n``, ``q_p`` [mol] (bisection on the T_ref OCPs)."""
    if half == 1:
        lo, hi = 0.0, 1.0  # U_p decreases with y
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            u, _ = _lookup1(tab_sto, L.S_U_P, mid)
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
        u_p, _ = _lookup1(tab_sto, L.S_U_P, y)
        u_n, _ = _lookup1(tab_sto, L.S_U_N, mid)
        if u_p - u_n < v_target:
            lo = mid
        else:
            hi = mid
    x = 0.5 * (lo + hi)
    return x, (n_li - q_n * x) / q_p


@njit(cache=True, error_model="numpy", fastmath=_FM)
def electrode_soh(n_li, q_n, q_p, v_min, v_max, tab_sto, half):
    """PyBaMM-style electrode state of health at the reference temperature.

    Returns ``(x_0, x_100, y_100, y_0)`` (0 % and 100 % SOC stoichiometries between the voltage
    limits); the usable capacity is ``q_p (y_0 - y_100)`` [mol].
    """
    x_0, y_0 = _ocv_root(v_min, n_li, q_n, q_p, tab_sto, half)
    x_100, y_100 = _ocv_root(v_max, n_li, q_n, q_p, tab_sto, half)
    return x_0, x_100, y_100, y_0
