"""Slot numbers of the fast engine's packed arrays (state vector, scalar parameters, tables).

The numba kernel receives plain float arrays; this module is the single place that says what
each slot holds, so the kernel and the code that fills the arrays cannot disagree. Add new
state (for example SEI thickness or plated lithium for ageing) by appending slots after
``T_K`` via :func:`state_size` and a new named offset; the kernel reads states only through
these offsets.

State vector ``y`` (float64, length :func:`state_size`)
------------------------------------------------------
``y[o_cn : o_cn + nr_n]``  negative particle concentration at the finite-volume nodes [mol.m-3]
``y[o_cp : o_cp + nr_p]``  positive particle concentration [mol.m-3]
``y[o_ce : o_ce + nx]``    electrolyte concentration over negative/separator/positive [mol.m-3]
``y[o_T]``                 volume-averaged cell temperature [K]

Dimension vector ``dims`` (int64)
---------------------------------
see the ``D_*`` constants below.

Scalar parameters ``prm`` (float64)
-----------------------------------
see the ``P_*`` constants below.
"""

from __future__ import annotations

# --- dims -----------------------------------------------------------------------------------
D_NR_N = 0  # negative particle cells (0 for a lithium-metal counter electrode)
D_NR_P = 1  # positive particle cells
D_NX_N = 2  # negative electrode electrolyte cells (0 for a lithium-metal counter electrode)
D_NX_S = 3  # separator cells
D_NX_P = 4  # positive electrode cells
D_HALF = 5  # 1 for a lithium-metal half cell, else 0
D_THERMAL = 6  # 1 for the lumped thermal model, 0 for isothermal
D_XCONST = 7  # bit k set: (x, T) table k does not depend on x (the kernel looks it up once)
N_DIMS = 8

# --- scalar parameters -------------------------------------------------------------------------
P_F = 0  # Faraday constant [C.mol-1]
P_R = 1  # gas constant [J.mol-1.K-1]
P_T_REF = 2  # reference temperature of the OCPs [K]
P_AREA = 3  # total current-collector area n_parallel * L_y * L_z [m2]
P_L_N = 4  # negative electrode (or lithium foil) thickness [m]
P_L_S = 5  # separator thickness [m]
P_L_P = 6  # positive electrode thickness [m]
P_L_CN = 7  # negative current collector thickness [m]
P_L_CP = 8  # positive current collector thickness [m]
P_R_N = 9  # negative particle radius [m]
P_R_P = 10  # positive particle radius [m]
P_A_N = 11  # negative surface area per volume 3 eps_s / R [m-1]
P_A_P = 12  # positive surface area per volume [m-1]
P_CMAX_N = 13  # negative maximum concentration [mol.m-3]
P_CMAX_P = 14  # positive maximum concentration [mol.m-3]
P_TOR_N = 15  # electrolyte transport efficiency eps^b, negative
P_TOR_S = 16  # separator
P_TOR_P = 17  # positive
P_TORS_N = 18  # electrode (solid) transport efficiency eps_s^b, negative
P_TORS_P = 19  # positive
P_EPS_N = 20  # porosity negative
P_EPS_S = 21  # porosity separator
P_EPS_P = 22  # porosity positive
P_TAB_T_MIN = 23  # temperature of the first column of the (x, T) tables [K]
P_SIGMA_CN = 24  # negative current collector conductivity [S.m-1]
P_SIGMA_CP = 25  # positive current collector conductivity [S.m-1]
P_H = 26  # total heat transfer coefficient [W.m-2.K-1]
P_A_COOL = 27  # cooling surface area [m2]
P_V_CELL = 28  # cell volume [m3]
P_L_TOTAL = 29  # thermal thickness L_cn + L_x + L_cp [m]
P_CE_MAX = 30  # upper end of the electrolyte-concentration table [mol.m-3]
P_T_VALID_MIN = 31  # lowest temperature where all parameter functions are finite [K]
P_T_VALID_MAX = 32  # highest such temperature [K]
P_C_LI = 33  # lithium metal concentration 1 / V_bar_Li [mol.m-3] (half cell)
P_SIGMA_LI = 34  # lithium foil conductivity [S.m-1] (half cell)
P_V_MIN = 35  # lower voltage cut-off [V]
P_V_MAX = 36  # upper voltage cut-off [V]
P_SOC_0 = 37  # positive stoichiometry at 0 % SOC
P_SOC_100 = 38  # positive stoichiometry at 100 % SOC
P_TAB_T_MAX = 39  # temperature of the last column of the (x, T) tables [K]
N_PRM = 40

# --- grids -----------------------------------------------------------------------------------
# Tables over a unit coordinate (stoichiometry, or c_e / P_CE_MAX) use a grid of three uniform
# segments, fine near 0 and 1 where OCP asymptotes, square roots (exchange-current densities) and
# steep diffusivities need it: [0, GRID_EDGE] and [1 - GRID_EDGE, 1] with N_EDGE intervals each,
# [GRID_EDGE, 1 - GRID_EDGE] with N_MID intervals.
GRID_EDGE = 1.0 / 64.0
SGRID_N_EDGE = 2048  # 1-D stoichiometry tables
SGRID_N_MID = 8192
SGRID_POINTS = 2 * SGRID_N_EDGE + SGRID_N_MID + 1
XGRID_N_EDGE = 256  # 2-D (x, T) tables
XGRID_N_MID = 1024
XGRID_POINTS = 2 * XGRID_N_EDGE + XGRID_N_MID + 1

# --- 1-D tables in stoichiometry -----------------------------------------------------------------
S_U_N = 0  # negative OCP at T_ref, including PyBaMM's asymptotes [V]
S_U_P = 1  # positive OCP at T_ref [V]
S_DUDT_N = 2  # negative entropic change [V.K-1]
S_DUDT_P = 3  # positive entropic change [V.K-1]
N_S_TABLES = 4

# --- 2-D tables in (x, T), x on [0, 1] (stoichiometry or c_e / P_CE_MAX) -----------------------
X_D_N = 0  # negative particle diffusivity D(sto, T) [m2.s-1]
X_D_P = 1  # positive particle diffusivity [m2.s-1]
X_J0S_N = 2  # j0 factor in stoichiometry, negative: j0(c_e0, sto, T) / sqrt(j0 norm) [A.m-2]
X_J0S_P = 3  # positive
X_J0E_N = 4  # j0 factor in electrolyte concentration, negative: j0(c_e, sto0, T) / j0(c_e0, sto0, T)
X_J0E_P = 5  # positive
X_SIG_N = 6  # negative electrode conductivity sigma(sto, T) [S.m-1]
X_SIG_P = 7  # positive electrode conductivity [S.m-1]
X_DE = 8  # electrolyte diffusivity D_e(c_e, T) [m2.s-1]
X_KAPPA = 9  # electrolyte conductivity kappa(c_e, T) [S.m-1]
X_CHI = 10  # 2 (1 - t+) times the thermodynamic factor, chi(c_e, T)
X_J0_LI = 11  # lithium-metal exchange-current density j0(c_e, T) [A.m-2] (half cell)
X_RHOCP = 12  # effective volumetric heat capacity rho_c_p_eff(T), constant in x [J.K-1.m-3]
X_TPLUS = 13  # cation transference number t+(c_e, T)
N_X_TABLES = 14

# --- rows of the electrolyte mesh array ``xgeo`` (float64, shape (N_XGEO, nx + 1)) ------------
XG_W = 0  # cell widths [m] (nx)
XG_DN = 1  # node spacing at edge k, between nodes k-1 and k [m] (edges 1 .. nx-1)
XG_CL = 2  # weight of node k-1 in the node-to-edge mean at edge k (edges 1 .. nx-1)
XG_CR = 3  # weight of node k at edge k
XG_IE = 4  # electrolyte current density at node k per unit applied current density
XG_EPS = 5  # porosity at node k
XG_TOR = 6  # electrolyte transport efficiency at node k
XG_SRC = 7  # reaction source a j / F at node k per ampere of cell current [mol.m-3.s-1.A-1]
N_XGEO = 8


def state_size(nr_n: int, nr_p: int, nx: int) -> int:
    """Return the length of the state vector for the given mesh sizes."""
    return nr_n + nr_p + nx + 1


def state_offsets(nr_n: int, nr_p: int, nx: int) -> tuple[int, int, int, int]:
    """Return the offsets ``(o_cn, o_cp, o_ce, o_T)`` of the state blocks."""
    return 0, nr_n, nr_n + nr_p, nr_n + nr_p + nx
