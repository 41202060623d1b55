"""Turn a ``pybamm.ParameterValues`` into the numeric arrays the numba kernel reads.

Nothing is retyped: every number and every function (OCPs, entropic changes, diffusivities,
conductivities, exchange-current densities, heat capacity) is evaluated by PyBaMM itself, through
the same :class:`pybamm.LithiumIonParameters` symbols the PyBaMM SPMe uses (so PyBaMM's clipping,
OCP asymptotes and square-root regularisation are included), on uniform grids that the kernel
interpolates linearly (1-D, in stoichiometry) or bilinearly (2-D, in stoichiometry or
concentration and temperature).

Exchange-current densities are stored as a product of a concentration factor and a
stoichiometry factor, ``j0(c_e, c_s, T) = A(c_e, T) * B(c_s / c_max, T)``; this holds for every
Butler-Volmer form ``k(T) f(c_e) g(c_s)`` and is checked on random points when the tables are
built (an :class:`~cellsim.errors.InputError` is raised for a set where it does not hold).

The finite-volume meshes are PyBaMM's defaults (20 uniform cells in each particle and in each of
the negative electrode, separator and positive electrode).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellsim._pybamm import pybamm
from cellsim.engine.fast import layout as L
from cellsim.errors import InputError

T_MIN_K = 223.15  # temperature range of the 2-D tables (-50 C ... 100 C)
T_MAX_K = 373.15
N_T_2D = 151  # 1 K spacing (25 C and -7 C fall on grid points)
CE_TABLE_FACTOR = 4.0  # electrolyte tables span 0 ... 4 * initial concentration
DEFAULT_CELLS = 20  # PyBaMM's default var_pts in every direction


@dataclass
class KernelArrays:
    """Everything the kernel needs about one cell, as plain numpy arrays.

    Attributes
    ----------
    dims
        Mesh sizes and flags, indexed by ``layout.D_*``.
    prm
        Scalar parameters, indexed by ``layout.P_*``.
    tab_sto
        1-D tables over stoichiometry, shape ``(layout.N_S_TABLES, L.SGRID_POINTS)``.
    tab_xt
        2-D tables, shape ``(layout.N_X_TABLES, L.XGRID_POINTS, N_T_2D)``.
    xgeo
        The electrolyte finite-volume mesh (separator and positive electrode only for a half
        cell), rows indexed by ``layout.XG_*``.
    """

    dims: np.ndarray
    prm: np.ndarray
    tab_sto: np.ndarray
    tab_xt: np.ndarray
    xgeo: np.ndarray

    def copy(self) -> KernelArrays:
        """A deep copy (simulations may change their scalar parameters)."""
        return KernelArrays(self.dims.copy(), self.prm.copy(), self.tab_sto.copy(),
                            self.tab_xt.copy(), self.xgeo.copy())

    @property
    def n_x(self) -> int:
        """Number of electrolyte cells."""
        return int(self.dims[L.D_NX_N] + self.dims[L.D_NX_S] + self.dims[L.D_NX_P])


def _evaluate(pv, symbol, what: str) -> np.ndarray:
    """Evaluate a state-independent PyBaMM symbol with ``pv``; name a missing parameter."""
    try:
        return np.asarray(pv.process_symbol(symbol).evaluate(), dtype=float).ravel()
    except KeyError as exc:
        raise InputError(
            f"parameter set lacks {exc.args[0]!r}, needed for the fast engine's {what}"
        ) from exc


def _evaluate_on_states(pv, make, arrays: list[np.ndarray], what: str) -> np.ndarray:
    """Evaluate ``make(*symbols)`` where each symbol is a PyBaMM state vector holding one array.

    Passing state vectors (not constants) makes PyBaMM process the functions exactly as inside
    a model, including the square-root regularisation it applies to state-dependent
    exchange-current densities.
    """
    pb = pybamm()
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])
    n = arrays[0].size
    symbols = [pb.StateVector(slice(k * n, (k + 1) * n)) for k in range(len(arrays))]
    y = np.concatenate([a.ravel() for a in arrays])[:, None]
    try:
        out = pv.process_symbol(make(*symbols)).evaluate(t=0.0, y=y)
    except KeyError as exc:
        raise InputError(
            f"parameter set lacks {exc.args[0]!r}, needed for the fast engine's {what}"
        ) from exc
    return np.broadcast_to(np.asarray(out, dtype=float).ravel(), (n,)).copy()


def _scalar(pv, symbol, what: str) -> float:
    return float(_evaluate(pv, symbol, what)[0])


def _value(pv, key: str) -> float:
    """Return a parameter that must be a number (a constant, not a function of x)."""
    try:
        value = pv[key]
    except KeyError as exc:
        raise InputError(f"parameter set lacks {key!r}, needed by the fast engine") from exc
    if callable(value):
        raise InputError(f"{key!r} must be a number for the fast engine, got a function")
    return float(value)


def unit_grid(n_edge: int, n_mid: int) -> np.ndarray:
    """A unit grid of three uniform segments (see :mod:`.layout`)."""
    e = L.GRID_EDGE
    return np.concatenate([
        np.linspace(0.0, e, n_edge + 1)[:-1],
        np.linspace(e, 1.0 - e, n_mid + 1)[:-1],
        np.linspace(1.0 - e, 1.0, n_edge + 1),
    ])


def _grid_xt() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the unit x grid, the T grid and their flattened meshgrid."""
    x = unit_grid(L.XGRID_N_EDGE, L.XGRID_N_MID)
    temp = np.linspace(T_MIN_K, T_MAX_K, N_T_2D)
    xx, tt = np.meshgrid(x, temp, indexing="ij")
    return x, temp, xx.ravel(), tt.ravel()


def _table_xt(pv, make, x_scale: float, what: str) -> np.ndarray:
    """Tabulate ``make(x * x_scale, T)`` on the (x, T) grid."""
    _, _, xf, tf = _grid_xt()
    values = _evaluate_on_states(pv, make, [xf * x_scale, tf], what)
    return values.reshape(L.XGRID_POINTS, N_T_2D)


def _check_table(table: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(table)):
        raise InputError(f"{what} is not finite somewhere on the fast engine's table grid")


def _fill_nonfinite(tab_xt: np.ndarray, temps_K: np.ndarray) -> tuple[float, float]:
    """Replace non-finite (x, T) entries by the value at the nearest finite temperature, in place.

    Some published fits (e.g. Valoen-Reimers-type electrolyte diffusivities) are singular at low
    temperature. Returns the temperature range over which every table is finite, which the
    engine uses as its validity range (it warns outside it).
    """
    finite_T = np.all(np.isfinite(tab_xt), axis=(0, 1))
    lo = hi = int(np.argmin(np.abs(temps_K - 298.15)))
    if not finite_T[lo]:
        raise InputError("the parameter set's functions are not finite at 25 C")
    while lo > 0 and finite_T[lo - 1]:
        lo -= 1
    while hi < temps_K.size - 1 and finite_T[hi + 1]:
        hi += 1
    for table in tab_xt:
        for row in table:
            ok = np.flatnonzero(np.isfinite(row))
            if ok.size < row.size:
                nearest = ok[np.abs(np.arange(row.size)[:, None] - ok[None, :]).argmin(axis=1)]
                row[:] = row[nearest]
    return float(temps_K[lo]), float(temps_K[hi])


def _exchange_current_tables(pv, phase, c_e0: float, c_max: float, what: str):
    """Return the factors ``A(c_e, T)`` and ``B(sto, T)`` of ``j0 = A * B`` and check them."""
    ce_max = CE_TABLE_FACTOR * c_e0
    sto0 = 0.5

    def j0(c_e, sto, temp):
        return phase.j0(c_e, sto * c_max, temp)

    _, _, xf, tf = _grid_xt()
    shape = (L.XGRID_POINTS, N_T_2D)
    ref = _evaluate_on_states(pv, j0, [c_e0, sto0, tf], what)
    a_tab = (_evaluate_on_states(pv, j0, [xf * ce_max, sto0, tf], what) / ref).reshape(shape)
    b_tab = _evaluate_on_states(pv, j0, [c_e0, xf, tf], what).reshape(shape)
    rng = np.random.default_rng(0)
    ce = rng.uniform(0.05, 3.0, 64) * c_e0
    sto = rng.uniform(0.02, 0.98, 64)
    temp = rng.uniform(250.0, 330.0, 64)
    exact = _evaluate_on_states(pv, j0, [ce, sto, temp], what)
    product = (_evaluate_on_states(pv, j0, [ce, sto0, temp], what)
               * _evaluate_on_states(pv, j0, [c_e0, sto, temp], what)
               / _evaluate_on_states(pv, j0, [c_e0, sto0, temp], what))
    if np.max(np.abs(product / exact - 1.0)) > 1e-9:
        raise InputError(
            f"{what} is not of the form k(T) f(c_e) g(c_s); the fast engine cannot tabulate it"
        )
    return a_tab, b_tab


def build_kernel_arrays(pv, options: dict, thermal: str) -> KernelArrays:
    """Evaluate ``pv`` (with PyBaMM model ``options``) into :class:`KernelArrays`.

    Parameters
    ----------
    pv
        The cell's ``pybamm.ParameterValues``.
    options
        PyBaMM model options; ``{}`` for a full cell or ``{"working electrode": "positive"}``
        for a lithium-metal half cell.
    thermal
        ``"lumped"`` or ``"isothermal"``; only the lumped model needs the thermal parameters.
    """
    pb = pybamm()
    half = options.get("working electrode") == "positive"
    param = pb.LithiumIonParameters(options)
    nr = DEFAULT_CELLS
    nx_n = 0 if half else DEFAULT_CELLS
    dims = np.array(
        [0 if half else nr, nr, nx_n, DEFAULT_CELLS, DEFAULT_CELLS, int(half),
         int(thermal == "lumped"), 0],
        dtype=np.int64,
    )
    prm = np.zeros(L.N_PRM)
    prm[L.P_F] = _scalar(pv, param.F, "constants")
    prm[L.P_R] = _scalar(pv, param.R, "constants")
    prm[L.P_T_REF] = _scalar(pv, param.T_ref, "OCP temperature dependence")
    prm[L.P_AREA] = _scalar(pv, param.n_electrodes_parallel * param.L_y * param.L_z, "geometry")
    prm[L.P_L_N] = _value(pv, "Negative electrode thickness [m]")
    prm[L.P_L_S] = _value(pv, "Separator thickness [m]")
    prm[L.P_L_P] = _value(pv, "Positive electrode thickness [m]")
    prm[L.P_V_MIN] = _value(pv, "Lower voltage cut-off [V]")
    prm[L.P_V_MAX] = _value(pv, "Upper voltage cut-off [V]")
    c_e0 = _value(pv, "Initial concentration in electrolyte [mol.m-3]")
    prm[L.P_CE_MAX] = CE_TABLE_FACTOR * c_e0
    prm[L.P_TAB_T_MIN] = T_MIN_K
    prm[L.P_TAB_T_MAX] = T_MAX_K
    for d, dom in (("S", "Separator"), ("P", "Positive electrode"), ("N", "Negative electrode")):
        if half and d == "N":
            continue
        eps = _value(pv, f"{dom} porosity")
        b_e = _value(pv, f"{dom} Bruggeman coefficient (electrolyte)")
        prm[getattr(L, f"P_EPS_{d}")] = eps
        prm[getattr(L, f"P_TOR_{d}")] = eps**b_e
        if d != "S":
            b_s = _value(pv, f"{dom} Bruggeman coefficient (electrode)")
            prm[getattr(L, f"P_TORS_{d}")] = (1.0 - eps) ** b_s

    tab_sto = np.zeros((L.N_S_TABLES, L.SGRID_POINTS))
    tab_xt = np.ones((L.N_X_TABLES, L.XGRID_POINTS, N_T_2D))
    sto_1d = unit_grid(L.SGRID_N_EDGE, L.SGRID_N_MID)
    electrodes = [("p", param.p, "Positive")] if half else [("n", param.n, "Negative"),
                                                            ("p", param.p, "Positive")]
    for d, dparam, name in electrodes:
        D = d.upper()
        phase = dparam.prim
        c_max = _scalar(pv, phase.c_max, f"{name} maximum concentration")
        radius = _value(pv, f"{name} particle radius [m]")
        eps_s = _value(pv, f"{name} electrode active material volume fraction")
        prm[getattr(L, f"P_CMAX_{D}")] = c_max
        prm[getattr(L, f"P_R_{D}")] = radius
        prm[getattr(L, f"P_A_{D}")] = 3.0 * eps_s / radius
        tab_sto[getattr(L, f"S_U_{D}")] = _evaluate_on_states(
            pv, lambda s, t, ph=phase: ph.U(s, t), [sto_1d, prm[L.P_T_REF]], f"{name} OCP")
        tab_sto[getattr(L, f"S_DUDT_{D}")] = _evaluate_on_states(
            pv, phase.dUdT, [sto_1d], f"{name} entropic change")
        tab_xt[getattr(L, f"X_D_{D}")] = _table_xt(
            pv, lambda s, t, ph=phase, cm=c_max: ph.D(s * cm, t), 1.0, f"{name} diffusivity")
        tab_xt[getattr(L, f"X_SIG_{D}")] = _table_xt(
            pv, lambda s, t, dp=dparam: dp.sigma(s, t), 1.0, f"{name} conductivity")
        a_tab, b_tab = _exchange_current_tables(
            pv, phase, c_e0, c_max, f"{name} exchange-current density")
        tab_xt[getattr(L, f"X_J0E_{D}")] = a_tab
        tab_xt[getattr(L, f"X_J0S_{D}")] = b_tab
    if half:
        prm[L.P_C_LI] = 1.0 / _value(pv, "Lithium metal partial molar volume [m3.mol-1]")
        tab_xt[L.X_J0_LI] = _table_xt(
            pv, lambda c, t: param.j0_Li_metal(c, 1.0 / param.V_bar_Li, t),
            prm[L.P_CE_MAX], "lithium-metal exchange-current density")
        temps = np.linspace(T_MIN_K, T_MAX_K, N_T_2D)
        sigma_li = _evaluate_on_states(pv, lambda t: param.n.sigma(None, t), [temps],
                                       "lithium-metal conductivity")
        tab_xt[L.X_SIG_N] = np.broadcast_to(sigma_li, (L.XGRID_POINTS, N_T_2D))

    ce_scale = prm[L.P_CE_MAX]
    tab_xt[L.X_DE] = _table_xt(pv, param.D_e, ce_scale, "electrolyte diffusivity")
    tab_xt[L.X_KAPPA] = _table_xt(pv, param.kappa_e, ce_scale, "electrolyte conductivity")
    tab_xt[L.X_CHI] = _table_xt(pv, param.chi, ce_scale, "electrolyte thermodynamic factor")
    tab_xt[L.X_TPLUS] = _table_xt(pv, param.t_plus, ce_scale, "cation transference number")

    if thermal == "lumped":
        prm[L.P_H] = _scalar(pv, param.h_total, "cooling")
        prm[L.P_A_COOL] = _scalar(pv, param.A_cooling, "cooling")
        prm[L.P_V_CELL] = _scalar(pv, param.V_cell, "cooling")
        prm[L.P_L_CN] = _scalar(pv, param.n.L_cc, "current-collector heating")
        prm[L.P_L_CP] = _scalar(pv, param.p.L_cc, "current-collector heating")
        prm[L.P_L_TOTAL] = _scalar(pv, param.L, "heat capacity")
        prm[L.P_SIGMA_CN] = _scalar(pv, param.n.sigma_cc, "current-collector heating")
        prm[L.P_SIGMA_CP] = _scalar(pv, param.p.sigma_cc, "current-collector heating")
        temps = np.linspace(T_MIN_K, T_MAX_K, N_T_2D)
        rho_cp = _evaluate_on_states(pv, param.rho_c_p_eff, [temps], "effective heat capacity")
        tab_xt[L.X_RHOCP] = np.broadcast_to(rho_cp, (L.XGRID_POINTS, N_T_2D))

    for k in range(L.N_S_TABLES):
        _check_table(tab_sto[k], f"stoichiometry table {k}")
    t_valid = _fill_nonfinite(tab_xt, np.linspace(T_MIN_K, T_MAX_K, N_T_2D))
    prm[L.P_T_VALID_MIN], prm[L.P_T_VALID_MAX] = t_valid

    for k, table in enumerate(tab_xt):
        if np.all(np.ptp(table, axis=0) <= 1e-12 * np.abs(table).max(axis=0)):
            dims[L.D_XCONST] |= 1 << k
    return KernelArrays(dims=dims, prm=prm, tab_sto=tab_sto, tab_xt=np.ascontiguousarray(tab_xt),
                        xgeo=_electrolyte_mesh(dims, prm))


def _electrolyte_mesh(dims: np.ndarray, prm: np.ndarray) -> np.ndarray:
    """Return the ``layout.XG_*`` rows describing PyBaMM's electrolyte finite-volume mesh."""
    parts = [(dims[L.D_NX_N], prm[L.P_L_N], "N"), (dims[L.D_NX_S], prm[L.P_L_S], "S"),
             (dims[L.D_NX_P], prm[L.P_L_P], "P")]
    nx = int(sum(n for n, _, _ in parts))
    xgeo = np.zeros((L.N_XGEO, nx + 1))
    k = 0
    for n_cells, length, d in parts:
        width = length / n_cells if n_cells else 0.0
        for j in range(n_cells):
            frac = (j + 0.5) / n_cells  # node position within the domain
            xgeo[L.XG_W, k] = width
            xgeo[L.XG_EPS, k] = prm[getattr(L, f"P_EPS_{d}")]
            xgeo[L.XG_TOR, k] = prm[getattr(L, f"P_TOR_{d}")]
            if d == "N":
                xgeo[L.XG_IE, k] = frac
                xgeo[L.XG_SRC, k] = 1.0 / (prm[L.P_F] * length * prm[L.P_AREA])
            elif d == "S":
                xgeo[L.XG_IE, k] = 1.0
            else:
                xgeo[L.XG_IE, k] = 1.0 - frac
                xgeo[L.XG_SRC, k] = -1.0 / (prm[L.P_F] * length * prm[L.P_AREA])
            k += 1
    w = xgeo[L.XG_W, :nx]
    xgeo[L.XG_DN, 1:nx] = 0.5 * (w[:-1] + w[1:])
    xgeo[L.XG_CL, 1:nx] = w[1:] / (w[:-1] + w[1:])
    xgeo[L.XG_CR, 1:nx] = w[:-1] / (w[:-1] + w[1:])
    return xgeo
