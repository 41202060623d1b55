"""Transport in the fast engine: backward-Euler steps of particle diffusion (both electrodes) and
electrolyte diffusion-migration on PyBaMM's finite-volume grids, each solved by a tridiagonal
solver for two right-hand sides so the end-of-step concentrations are affine in the cell
current, ``c = c1 + I c2`` (rows of the workspace, see :mod:`.constants`)."""

from __future__ import annotations

from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import (
    AUX_CAV1,
    AUX_CAV2,
    FASTMATH,
    W_A,
    W_AUX,
    W_B,
    W_C,
    W_CE1,
    W_CE2,
    W_CN1,
    W_CN2,
    W_CP1,
    W_CP2,
    W_F1,
    W_F2,
    W_SCR,
)
from cellsim.engine.fast.tables import lookup2, t_interpolated, x_position


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _particle_prepare(y, o, n, radius, c_max, flux_per_A, flux0, k_tab, d_factor, const, tab_xt,
                      it, wt, dt, ws, r1, r2, theta, c_0):
    """Backward-Euler particle step: fill rows r1, r2 with c_new = c1 + I c2.

    ``flux_per_A`` is the outward surface flux j/F per ampere of cell current [mol.m-2.s-1.A-1];
    ``flux0`` an outward flux independent of the current (side reactions) [mol.m-2.s-1].
    ``d_factor`` multiplies the diffusivity table ``k_tab`` (its ``P_SCALE_X`` factor).
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
        d_const = d_factor * lookup2(tab_xt, k_tab, 0.5, it, wt)
        for i in range(n):
            d_node[i] = d_const
    else:
        for i in range(n):
            d_node[i] = d_factor * lookup2(tab_xt, k_tab, y[o + i] / c_max, it, wt)
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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
    de_factor = prm[L.P_SCALE_X + L.X_DE]
    de = lookup2(tab_xt, L.X_DE, 0.5, it, wt)
    tp = lookup2(tab_xt, L.X_TPLUS, 0.5, it, wt)
    n_last = tab_xt.shape[2] - 2
    for k in range(nx):
        if not (de_const and tp_const):
            # one grid position for both tables
            f = x_position(y[o + k] / ce_scale, L.XGRID_N_EDGE, L.XGRID_N_MID)
            i = min(int(f), n_last)
            w = f - i
            if not de_const:
                lo, hi = t_interpolated(tab_xt, L.X_DE, i, it, wt)
                de = lo + w * (hi - lo)
            if not tp_const:
                lo, hi = t_interpolated(tab_xt, L.X_TPLUS, i, it, wt)
                tp = lo + w * (hi - lo)
        td[k] = xgeo[L.XG_TOR, k] * (de_factor * de)
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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
                          prm[L.P_SCALE_X + L.X_D_N], (dims[L.D_XCONST] >> L.X_D_N) & 1, tab_xt,
                          it, wt, dt_s, ws, W_CN1, W_CN2, theta_n, prm[L.P_C0_N])
    flux_p = -1.0 / (area * prm[L.P_A_P] * prm[L.P_L_P] * f)
    _particle_prepare(y, o_cp, nr_p, prm[L.P_R_P], prm[L.P_CMAX_P], flux_p, 0.0, L.X_D_P,
                      prm[L.P_SCALE_X + L.X_D_P], (dims[L.D_XCONST] >> L.X_D_P) & 1, tab_xt, it,
                      wt, dt_s, ws, W_CP1, W_CP2, theta_p, prm[L.P_C0_P])
    _electrolyte_prepare(y, o_ce, nx, dims[L.D_HALF], dims[L.D_XCONST], prm, xgeo, tab_xt, it,
                         wt, dt_s, ws)

