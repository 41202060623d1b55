"""Terminal voltage of the fast engine's SPMe for a prepared step (OCPs, Butler-Volmer
overpotentials, electrolyte concentration and ohmic drops, film and contact resistance) with its exact
derivative in current, and the plating potential at the negative/separator interface."""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import (
    AUX_CAV1,
    AUX_CAV2,
    FASTMATH,
    MACINNES_TOL,
    N_OUT,
    N_WS,
    PROD_MAX,
    W_AUX,
    W_CE1,
    W_CE2,
    W_CN1,
    W_CP1,
)
from cellsim.engine.fast.tables import (
    lookup1,
    lookup2,
    lookup2d,
    scaled1,
    scaled2,
    scaled2d,
    t_weights,
)
from cellsim.engine.fast.transport import prepare


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _surface(ws, r, n, current_A):
    """Linearly extrapolated particle surface concentration and its derivative in current."""
    c_surf = 1.5 * (ws[r, n - 1] + current_A * ws[r + 1, n - 1]) - 0.5 * (
        ws[r, n - 2] + current_A * ws[r + 1, n - 2]
    )
    return c_surf, 1.5 * ws[r + 1, n - 1] - 0.5 * ws[r + 1, n - 2]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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
        j0e, dj0e = lookup2d(tab_xt, k_j0e, c_e * inv_scale, it, wt)
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
            j0 = lookup2(tab_xt, k_j0e, c_e / ce_scale, it, wt) * j0_sto
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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
    kappa, dkappa = scaled2d(prm, tab_xt, L.X_KAPPA, c_av / ce_scale, it, wt)
    chi, dchi = scaled2d(prm, tab_xt, L.X_CHI, c_av / ce_scale, it, wt)
    dkappa *= dc_av / ce_scale  # d kappa / dI
    dchi *= dc_av / ce_scale

    # positive electrode
    cs_p, dcs_p = _surface(ws, W_CP1, nr_p, current_A)
    c_max_p = prm[L.P_CMAX_P]
    sto_p = cs_p / c_max_p
    u_p, du_p = lookup1(tab_sto, L.S_U_P, sto_p)
    dudt_p, ddudt_p = scaled1(prm, tab_sto, L.S_DUDT_P, sto_p)
    u_p += d_t * dudt_p
    du_p += d_t * ddudt_p
    j0s_p, dj0s_p = scaled2d(prm, tab_xt, L.X_J0S_P, sto_p, it, wt)
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
    sigma_p, dsigma_p = scaled2d(prm, tab_xt, L.X_SIG_P, sto_p, it, wt)
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
        j0_li, dj0_li = scaled2d(prm, tab_xt, L.X_J0_LI, c_left / ce_scale, it, wt)
        u = i_density / (2.0 * j0_li)
        s = np.sqrt(1.0 + u * u)
        eta_n = 2.0 * rt_f * np.arcsinh(u)
        deta_n = 2.0 * rt_f / s * (1.0 / (2.0 * j0_li) / area
                                   - u * dj0_li / j0_li * dc_left / ce_scale)
        sigma_n = scaled2(prm, tab_xt, L.X_SIG_N, 0.5, it, wt)
        r_solid += l_n / sigma_n
        u_n = 0.0
        du_dI_n = 0.0
        dudt_n = 0.0
        sto_n = 0.0
    else:
        cs_n, dcs_n = _surface(ws, W_CN1, nr_n, current_A)
        c_max_n = prm[L.P_CMAX_N]
        sto_n = cs_n / c_max_n
        u_n, du_n = lookup1(tab_sto, L.S_U_N, sto_n)
        dudt_n, ddudt_n = scaled1(prm, tab_sto, L.S_DUDT_N, sto_n)
        u_n += d_t * dudt_n
        du_n += d_t * ddudt_n
        du_dI_n = du_n * dcs_n / c_max_n
        j0s_n, dj0s_n = scaled2d(prm, tab_xt, L.X_J0S_N, sto_n, it, wt)
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
        sigma_n, dsigma_n = scaled2d(prm, tab_xt, L.X_SIG_N, sto_n, it, wt)
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
    # contact resistance of the whole cell (PyBaMM: V = phi_s_cp - phi_s_cn - I R_contact)
    v -= current_A * prm[L.P_R_CONTACT]
    dv -= prm[L.P_R_CONTACT]
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
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


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def plating_potential_now(y, current_A, dims, prm, tab_sto, tab_xt, xgeo):
    """:func:`plating_potential` of state ``y`` carrying ``current_A`` (no time step)."""
    nx = dims[L.D_NX_N] + dims[L.D_NX_S] + dims[L.D_NX_P]
    ws = np.zeros((N_WS, max(max(dims[L.D_NR_N], dims[L.D_NR_P]), nx) + 1))
    out = np.zeros(N_OUT)
    temp = y[dims[L.D_NR_N] + dims[L.D_NR_P] + nx]
    it, wt = t_weights(prm, tab_xt, temp)
    prepare(y, dims, prm, tab_xt, xgeo, ws, 0.0, it, wt, 0.0)
    voltage(current_A, dims, prm, tab_sto, tab_xt, xgeo, ws, temp, it, wt, out)
    return plating_potential(current_A, dims, prm, xgeo, ws, temp, out)

