"""Heat of the fast engine's cell (PyBaMM's lumped "Total heating": ohmic, reaction and
reversible terms) and the lumped temperature update, implicit in the cooling term."""

from __future__ import annotations

import numpy as np
from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import FASTMATH, W_CE1, W_CE2
from cellsim.engine.fast.tables import scaled2, t_weights


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def heat_W(current_A, dims, prm, xgeo, ws, temp_K, out):
    """Total heat of the cell [W] (irreversible, reversible, ohmic, contact) at the solved step.

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
    # contact resistance heat I^2 R_contact (PyBaMM's "Lumped contact resistance heating [W]")
    return q * prm[L.P_AREA] + current_A * current_A * prm[L.P_R_CONTACT]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lumped_temperature(t_old, prm, tab_xt, dt_s, temp_amb_K, heat):
    """Cell temperature [K] after a step of ``dt_s`` from ``t_old`` with ``heat`` [W]: the lumped
    energy balance, backward Euler in the cooling term."""
    it, wt = t_weights(prm, tab_xt, t_old)
    rho_cp = scaled2(prm, tab_xt, L.X_RHOCP, 0.5, it, wt) + prm[L.P_RHOCP_OFFSET]
    v_cell = prm[L.P_V_CELL]
    ha = prm[L.P_H] * prm[L.P_A_COOL]
    return (t_old + dt_s * (heat + ha * temp_amb_K) / (v_cell * rho_cp)) / (
        1.0 + dt_s * ha / (v_cell * rho_cp)
    )
