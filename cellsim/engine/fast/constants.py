"""Constants shared by the fast engine's numba modules: operating modes, stop codes, the rows of
the step workspace, solver tolerances and the fast-math flags of every ``@njit``."""

from __future__ import annotations

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
# halvings of the step length that locate a voltage limit inside the last step of a run
# (PyBaMM's cut-off event): within 2**-10 ~ 1e-3 of the step
PART_BISECTIONS = 10

# fast-math flags that keep NaN/inf semantics (the solvers test np.isfinite)
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
