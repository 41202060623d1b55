"""Ageing in the fast engine: SEI growth, lithium plating (irreversible, reversible, partially
reversible) and loss of active material (reaction- and stress-driven), stepped with the cell;
the ageing states change the surface areas and the film resistance (:func:`ageing_sync`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import FASTMATH
from cellsim.engine.fast.tables import lookup2, t_weights


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _r_average_and_surface(y, o, n):
    """PyBaMM's r-average and linearly extrapolated surface value of a particle."""
    s = 0.0
    for i in range(n):
        s += y[o + i] * ((i + 1) ** 3 - i**3)
    return s / n**3, 1.5 * y[o + n - 1] - 0.5 * y[o + n - 2]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _stress_lam(y, o, n, k_stress, beta, m, dt, arr):
    """Stress-driven LAM increment over ``dt`` (PyBaMM "swelling only" surface stresses):
    sigma_h = 2/3 sigma_t, sigma_t = Omega E (c_av - c_surf) / (3 (1 - nu));
    d eps / dt = -beta(T) (max(sigma_h, 0) / sigma_crit)^m with beta(T) = beta arr (``arr``:
    the Arrhenius factor of the proportional term at the cell temperature). Returns
    (d eps, c_av)."""
    c_av, c_surf = _r_average_and_surface(y, o, n)
    s = 2.0 / 3.0 * k_stress * (c_av - c_surf)
    if s <= 0.0:
        return 0.0, c_av
    return -beta * arr * s**m * dt, c_av


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _lam_arrhenius(prm, slot, temp):
    """Arrhenius factor of a LAM proportional term at ``temp`` [K] (1 at the reference)."""
    return np.exp(prm[slot] / prm[L.P_R] * (1.0 / prm[L.P_T_REF] - 1.0 / temp))


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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
        if current_A < 0.0:  # charge plates lithium on the foil: a fraction of it is lost
            inc[L.A_C_DEAD] = prm[L.P_LI_DEAD_FRACTION] * -current_A * dt / (faraday
                                                                          * prm[L.P_AREA])
        if dims[L.D_LAM] == L.LAM_STRESS:  # the positive particle is first in a half cell
            de, _ = _stress_lam(y, 0, dims[L.D_NR_P], prm[L.P_STRESS_P], prm[L.P_LAM_K_P],
                                prm[L.P_LAM_M_P], dt, _lam_arrhenius(prm, L.P_LAM_EA_P, temp))
            inc[L.A_EPS_P] = de
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
        it, wt = t_weights(prm, tab_xt, temp)
        j0_pl = lookup2(tab_xt, L.X_J0_PL, c_e / prm[L.P_CE_MAX], it, wt)
        alpha = prm[L.P_PL_ALPHA]
        rate_pl = a_n * j0_pl * np.exp(-f_rt * alpha * eta_st) / faraday  # mol.m-3.s-1
        if plating == L.PLATING_IRREVERSIBLE:
            inc[L.A_C_DEAD] = rate_pl * dt
        else:
            c_pl = y[o_a + L.A_C_PL]
            j0_st = lookup2(tab_xt, L.X_J0_ST, 0.5, it, wt) / prm[L.P_PL_CTYP]
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
        de, _ = _stress_lam(y, 0, nr_n, prm[L.P_STRESS_N], prm[L.P_LAM_K_N],
                            prm[L.P_LAM_M_N], dt, _lam_arrhenius(prm, L.P_LAM_EA_N, temp))
        inc[L.A_EPS_N] += de
        de, _ = _stress_lam(y, nr_n, nr_p, prm[L.P_STRESS_P], prm[L.P_LAM_K_P],
                            prm[L.P_LAM_M_P], dt, _lam_arrhenius(prm, L.P_LAM_EA_P, temp))
        inc[L.A_EPS_P] += de
    return (z * d_sei + inc[L.A_C_PL] + inc[L.A_C_DEAD]) / (a_n * dt)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def ageing_apply(y, o_a, inc, current_A, dt, dims, prm):
    """Add the step's ageing increments to the state and refresh the parameters they change.

    The lithium in the active material lost over the step is taken at the particles' average
    concentration after the step (the transport step conserved c eps with the old eps, so the
    lithium of the remaining particles is exactly the new c times the new eps)."""
    if dims[L.D_LAM] != L.LAM_NONE:
        area = prm[L.P_AREA]
        nr_p = dims[L.D_NR_P]
        nr_n = 0 if dims[L.D_HALF] == 1 else dims[L.D_NR_N]
        if nr_n > 0:
            c_av, _ = _r_average_and_surface(y, 0, nr_n)
            inc[L.A_LLI_LAM_N] = -prm[L.P_L_N] * area * c_av * inc[L.A_EPS_N]
        c_av, _ = _r_average_and_surface(y, nr_n, nr_p)
        inc[L.A_LLI_LAM_P] = -prm[L.P_L_P] * area * c_av * inc[L.A_EPS_P]
    for q in range(L.A_Q_THROUGHPUT):
        y[o_a + q] += inc[q]
    y[o_a + L.A_EPS_N] = max(y[o_a + L.A_EPS_N], 1e-6)
    y[o_a + L.A_EPS_P] = max(y[o_a + L.A_EPS_P], 1e-6)
    y[o_a + L.A_Q_THROUGHPUT] += abs(current_A) * dt / 3600.0
    ageing_sync(y, o_a, dims, prm)

