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
``y[o_A + A_*]``           ageing states (``o_A = o_T + 1``, :data:`N_AGE` slots, see ``A_*`` below);
                           present in every state vector, only advanced when ``dims[D_AGEING]`` is 1

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
D_AGEING = 8  # 1: advance the ageing states (SEI, plating, LAM) and couple them; 0: frozen
D_SEI = 9  # SEI model, one of the SEI_* codes below
D_PLATING = 10  # lithium plating model, one of the PLATING_* codes
D_LAM = 11  # loss-of-active-material model, one of the LAM_* codes
N_DIMS = 12

# --- ageing model codes (PyBaMM option names in comments) --------------------------------------
SEI_NONE = 0  # "none"
SEI_SOLVENT = 1  # "solvent-diffusion limited"
SEI_REACTION = 2  # "reaction limited"
SEI_EC = 3  # "ec reaction limited"
SEI_INTERSTITIAL = 4  # "interstitial-diffusion limited"
SEI_INTERPHASE = 5  # half cell: Li/SE interphase, thickness ~ sqrt(t) (cellsim, not PyBaMM)
PLATING_NONE = 0  # "none"
PLATING_IRREVERSIBLE = 1  # "irreversible"
PLATING_REVERSIBLE = 2  # "reversible"
PLATING_PARTIAL = 3  # "partially reversible"
LAM_NONE = 0  # "none"
LAM_REACTION = 1  # "reaction-driven"
LAM_STRESS = 2  # "stress-driven" (with PyBaMM's "swelling only" particle stresses)
LAM_STRESS_REACTION = 3  # ("stress and reaction-driven")

# --- ageing states, y[o_A + A_*] ---------------------------------------------------------------
A_C_SEI = 0  # x-averaged negative SEI concentration c_sei [mol.m-3 of electrode] (PyBaMM's state;
#              thickness L_sei = c_sei V_bar_sei / a_n). Half cell: interphase resistance growth
#              dR [Ohm.m2] of the Li/SE interface instead.
A_C_PL = 1  # x-averaged reversibly plated lithium concentration [mol.m-3 of electrode]
A_C_DEAD = 2  # x-averaged dead (irreversibly plated) lithium concentration [mol.m-3]. Half cell:
#              dead lithium left by plating/stripping on the foil [mol.m-2 of electrode]
A_EPS_N = 3  # negative active material volume fraction (x-averaged)
A_EPS_P = 4  # positive active material volume fraction
A_LLI_LAM_N = 5  # lithium lost with negative active material [mol]
A_LLI_LAM_P = 6  # lithium lost with positive active material [mol]
A_Q_THROUGHPUT = 7  # charge throughput |I| dt [A.h] (bookkeeping for equivalent full cycles)
N_AGE = 8

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
# ageing (zero when the set lacks the keys; read by the kernel only when dims[D_AGEING] == 1)
P_R_FILM = 40  # film resistance now, per current-collector area [Ohm.m2]; kept by the kernel
P_SEI_VBAR = 41  # SEI partial molar volume [m3.mol-1]
P_SEI_Z = 42  # ratio of lithium moles to SEI moles
P_SEI_RHO = 43  # SEI resistivity [Ohm.m]
P_SEI_EA = 44  # SEI growth activation energy [J.mol-1]
P_SEI_L0 = 45  # initial SEI thickness [m]
P_SEI_DC = 46  # solvent-diffusion: D_sol * c_sol [mol.m-1.s-1]
P_SEI_J0 = 47  # reaction limited: SEI reaction exchange current density [A.m-2]
P_SEI_U = 48  # SEI open-circuit potential [V]
P_SEI_K = 49  # ec reaction limited: SEI kinetic rate constant [m.s-1]
P_SEI_DEC = 50  # ec reaction limited: EC diffusivity [m2.s-1]
P_SEI_CEC = 51  # ec reaction limited: EC initial concentration [mol.m-3]
P_SEI_DLI = 52  # interstitial: D_li * c_li0 [mol.m-1.s-1]
P_SEI_ALPHA = 53  # SEI transfer coefficient (0.5, PyBaMM's symmetric forms)
P_PL_ALPHA = 54  # lithium plating transfer coefficient (stripping: 1 - alpha)
P_PL_CTYP = 55  # typical plated lithium concentration [mol.m-3] (stripping j0 scale)
P_PL_GAMMA0 = 56  # dead-lithium decay rate at the initial SEI thickness [s-1]
P_PL_GAMMA_EXP = 57  # exponent p of gamma(L) = gamma0 (L / L0)^p (OKane2022: p = -1)
P_LAM_BETA_N = 58  # reaction-driven LAM factor, negative [m3.mol-1]
P_LAM_BETA_P = 59  # positive
P_EPS_S_N0 = 60  # initial active material volume fractions
P_EPS_S_P0 = 61
P_STRESS_N = 62  # Omega E / (3 (1 - nu)) / sigma_critical, negative [m3.mol-1]
P_STRESS_P = 63  # positive
P_LAM_M_N = 64  # LAM exponential term m, negative
P_LAM_M_P = 65
P_LAM_K_N = 66  # LAM proportional term beta [s-1], negative
P_LAM_K_P = 67
P_SS_K = 68  # half cell: interphase resistance growth coefficient k [Ohm.m2.s-0.5]
P_THETA_N = 69  # stress-induced diffusion: theta_M T = 2 Omega^2 E / (9 R (1 - nu)), negative
P_THETA_P = 70  # [m3.mol-1.K]; used with the stress-driven LAM options only
P_C0_N = 71  # reference concentration for free of deformation, negative [mol.m-3]
P_C0_P = 72
P_PLATING_MIN_V = 73  # charge limit: lowest plating potential at the negative/separator interface
#                       [V vs Li/Li+] (voltage.plating_potential); NaN = no limit
P_LI_DEAD_FRACTION = 74  # half cell: lithium lost as dead lithium per lithium plated on the foil
#                          (1 - coulombic efficiency of plating/stripping); 0 = none
P_CCD = 75  # half cell: critical current density of the Li/SE interface on charge [A.m-2]; NaN = none
P_R_CONTACT = 76  # contact (tab, weld, collector-to-terminal) resistance of the whole cell [Ohm];
#                   PyBaMM's "Contact resistance [Ohm]" with the option "contact resistance": "true"
P_LAM_EA_N = 77  # Arrhenius activation energy of the LAM proportional term, negative [J.mol-1]
P_LAM_EA_P = 78  # positive (0: the term does not depend on temperature)
# factors on tabulated functions, applied at lookup to the value and its slope (1 for a cell's own
# tables; a cell derived with a Factor on a function shares its base cell's tables and sets its
# factor here): prm[P_SCALE_X + k] on (x, T) table k, prm[P_SCALE_S + k] on stoichiometry table
# k, for the tables in SCALED_X_TABLES and SCALED_S_TABLES below (1 in every other slot)
P_SCALE_X = 79  # N_X_TABLES slots
P_SCALE_S = 95  # N_S_TABLES slots
P_RHOCP_OFFSET = 99  # added to the scaled effective heat capacity X_RHOCP [J.K-1.m-3] (0 for a
#                      cell's own tables: a derived cell's row is a * base row + offset)
N_PRM = 100

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
X_J0_PL = 14  # plating exchange-current density j0_plating(c_e, c_Li_typ, T) [A.m-2]
X_J0_ST = 15  # stripping exchange-current density at c_e0 and c_Li_typ, constant in x [A.m-2]
N_X_TABLES = 16
#: Tables the kernel reads through the P_SCALE_X / P_SCALE_S factors (tables.scaled2d, ...).
SCALED_X_TABLES = (X_D_N, X_D_P, X_J0S_N, X_J0S_P, X_SIG_N, X_SIG_P, X_DE, X_KAPPA, X_CHI,
                   X_J0_LI, X_RHOCP)
SCALED_S_TABLES = (S_DUDT_N, S_DUDT_P)

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
    return nr_n + nr_p + nx + 1 + N_AGE


def state_offsets(nr_n: int, nr_p: int, nx: int) -> tuple[int, int, int, int]:
    """Return the offsets ``(o_cn, o_cp, o_ce, o_T)`` of the state blocks."""
    return 0, nr_n, nr_n + nr_p, nr_n + nr_p + nx


def ageing_offset(nr_n: int, nr_p: int, nx: int) -> int:
    """Return the offset ``o_A`` of the ageing states (right after the temperature)."""
    return nr_n + nr_p + nx + 1
