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

import functools
import math
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
#: Series resistance outside the electrochemical model (tabs, welds, can); a constant number in
#: the fast engine (PyBaMM allows a function of temperature).
CONTACT_RESISTANCE_KEY = "Contact resistance [Ohm]"


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
        2-D tables, shape ``(layout.N_X_TABLES, N_T_2D, L.XGRID_POINTS)``: for one temperature
        a table is contiguous in its first variable, so a run at slowly changing temperature
        reads two short rows per table (cache-resident) instead of strided columns.
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
        """A copy for one simulation: its own ``dims``, ``prm`` and ``xgeo`` (simulations
        change scalar parameters), the tables shared (read-only by convention: nothing writes
        them after they are built, and they are 30 MB)."""
        return KernelArrays(self.dims.copy(), self.prm.copy(), self.tab_sto, self.tab_xt,
                            self.xgeo.copy())

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
    global TABLE_BUILDS
    TABLE_BUILDS += 1
    param = lithium_ion_parameters(options)
    dims, prm = scalar_parameters(pv, options, thermal)
    half = bool(dims[L.D_HALF])
    tab_sto = np.zeros((L.N_S_TABLES, L.SGRID_POINTS))
    tab_xt = np.ones((L.N_X_TABLES, L.XGRID_POINTS, N_T_2D))
    _function_tables(pv, param, half, prm, tab_sto, tab_xt)
    if thermal == "lumped":
        tab_xt[L.X_RHOCP] = heat_capacity_row(pv, param)[None, :]

    for k in range(L.N_S_TABLES):
        _check_table(tab_sto[k], f"stoichiometry table {k}")
    t_valid = _fill_nonfinite(tab_xt, np.linspace(T_MIN_K, T_MAX_K, N_T_2D))
    prm[L.P_T_VALID_MIN], prm[L.P_T_VALID_MAX] = t_valid

    for k, table in enumerate(tab_xt):
        if np.all(np.ptp(table, axis=0) <= 1e-12 * np.abs(table).max(axis=0)):
            dims[L.D_XCONST] |= 1 << k
    return KernelArrays(dims=dims, prm=prm, tab_sto=tab_sto,
                        tab_xt=np.ascontiguousarray(tab_xt.transpose(0, 2, 1)),
                        xgeo=electrolyte_mesh(dims, prm))


def lithium_ion_parameters(options: dict):
    """PyBaMM's symbolic ``LithiumIonParameters`` for ``options`` (made once per options;
    making them takes tens of milliseconds)."""
    return _lithium_ion_parameters(tuple(sorted(options.items())))


@functools.cache
def _lithium_ion_parameters(options: tuple):
    return pybamm().LithiumIonParameters(dict(options))


#: How many times this process evaluated kernel tables with PyBaMM (:func:`build_kernel_arrays`).
TABLE_BUILDS = 0


def scalar_parameters(pv, options: dict, thermal: str) -> tuple[np.ndarray, np.ndarray]:
    """``dims`` and ``prm`` of :class:`KernelArrays` (all but the tables' flags and validity
    range); cheap: plain values and a few scalar PyBaMM expressions."""
    half = options.get("working electrode") == "positive"
    param = lithium_ion_parameters(options)
    nr = DEFAULT_CELLS
    nx_n = 0 if half else DEFAULT_CELLS
    dims = np.array(
        [0 if half else nr, nr, nx_n, DEFAULT_CELLS, DEFAULT_CELLS, int(half),
         int(thermal == "lumped"), 0, 0, 0, 0, 0],
        dtype=np.int64,
    )
    prm = np.zeros(L.N_PRM)
    prm[L.P_PLATING_MIN_V] = np.nan  # no plating-potential charge limit unless a study sets one
    prm[L.P_SCALE_X : L.P_SCALE_X + L.N_X_TABLES] = 1.0  # the tables as they are
    prm[L.P_SCALE_S : L.P_SCALE_S + L.N_S_TABLES] = 1.0
    prm[L.P_F] = _scalar(pv, param.F, "constants")
    prm[L.P_R] = _scalar(pv, param.R, "constants")
    prm[L.P_T_REF] = _scalar(pv, param.T_ref, "OCP temperature dependence")
    prm[L.P_AREA] = _scalar(pv, _expression(_area, param), "geometry")
    prm[L.P_L_N] = _value(pv, "Negative electrode thickness [m]")
    prm[L.P_L_S] = _value(pv, "Separator thickness [m]")
    prm[L.P_L_P] = _value(pv, "Positive electrode thickness [m]")
    prm[L.P_V_MIN] = _value(pv, "Lower voltage cut-off [V]")
    prm[L.P_V_MAX] = _value(pv, "Upper voltage cut-off [V]")
    prm[L.P_CE_MAX] = CE_TABLE_FACTOR * _value(pv, "Initial concentration in electrolyte [mol.m-3]")
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
    electrodes = [("P", param.p, "Positive")] if half else [("N", param.n, "Negative"),
                                                            ("P", param.p, "Positive")]
    for d, dparam, name in electrodes:
        radius = _value(pv, f"{name} particle radius [m]")
        eps_s = _value(pv, f"{name} electrode active material volume fraction")
        prm[getattr(L, f"P_CMAX_{d}")] = _scalar(pv, dparam.prim.c_max,
                                                 f"{name} maximum concentration")
        prm[getattr(L, f"P_R_{d}")] = radius
        prm[getattr(L, f"P_A_{d}")] = 3.0 * eps_s / radius
    if half:
        prm[L.P_C_LI] = 1.0 / _value(pv, "Lithium metal partial molar volume [m3.mol-1]")
    if thermal == "lumped":
        prm[L.P_H] = _scalar(pv, param.h_total, "cooling")
        prm[L.P_A_COOL] = _scalar(pv, param.A_cooling, "cooling")
        prm[L.P_V_CELL] = _scalar(pv, param.V_cell, "cooling")
        prm[L.P_L_CN] = _scalar(pv, param.n.L_cc, "current-collector heating")
        prm[L.P_L_CP] = _scalar(pv, param.p.L_cc, "current-collector heating")
        prm[L.P_L_TOTAL] = _scalar(pv, param.L, "heat capacity")
        prm[L.P_SIGMA_CN] = _scalar(pv, param.n.sigma_cc, "current-collector heating")
        prm[L.P_SIGMA_CP] = _scalar(pv, param.p.sigma_cc, "current-collector heating")
    prm[L.P_R_CONTACT] = _opt_value(pv, CONTACT_RESISTANCE_KEY)
    _ageing_parameters(pv, param, half, prm)
    return dims, prm


def heat_capacity_row(pv, param) -> np.ndarray:
    """Effective volumetric heat capacity ``rho_c_p_eff(T)`` on the table temperatures
    (depends on the thicknesses, densities and heat capacities of the layers)."""
    temps = np.linspace(T_MIN_K, T_MAX_K, N_T_2D)
    symbol = _expression(_heat_capacity, param)
    try:
        out = pv.process_symbol(symbol).evaluate(t=0.0, y=temps[:, None])
    except KeyError as exc:
        raise InputError(f"parameter set lacks {exc.args[0]!r}, needed for the fast engine's "
                         "effective heat capacity") from exc
    return np.broadcast_to(np.asarray(out, dtype=float).ravel(), (N_T_2D,)).copy()


@functools.cache
def _expression(build, *args):
    """``build(*args)`` with numbers as PyBaMM scalars, made once per arguments (the same
    symbol object each time, so a processed copy can be looked up by its id)."""
    pb = pybamm()
    return build(*[pb.Scalar(a) if isinstance(a, float) else a for a in args])


def _area(param):
    return param.n_electrodes_parallel * param.L_y * param.L_z


def _heat_capacity(param):
    return param.rho_c_p_eff(pybamm().StateVector(slice(0, N_T_2D)))


def _function_tables(pv, param, half: bool, prm: np.ndarray, tab_sto: np.ndarray,
                     tab_xt: np.ndarray) -> None:
    """Fill the tables of the set's functions (OCPs, diffusivities, conductivities,
    exchange-current densities, electrolyte properties, plating), ``tab_xt`` in (x, T) order."""
    c_e0 = prm[L.P_CE_MAX] / CE_TABLE_FACTOR
    sto_1d = unit_grid(L.SGRID_N_EDGE, L.SGRID_N_MID)
    electrodes = [("p", param.p, "Positive")] if half else [("n", param.n, "Negative"),
                                                            ("p", param.p, "Positive")]
    for d, dparam, name in electrodes:
        D = d.upper()
        phase = dparam.prim
        c_max = prm[getattr(L, f"P_CMAX_{D}")]
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
    if not half and _has(pv, _PLATING_KEYS):
        _plating_tables(pv, param, prm, tab_xt, c_e0)


def electrolyte_mesh(dims: np.ndarray, prm: np.ndarray) -> np.ndarray:
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


# --- ageing -------------------------------------------------------------------------------------
#: Parabolic growth coefficient k_L of the Li/solid-electrolyte interphase thickness,
#: L(t) = k_L sqrt(t) at the reference temperature (Arrhenius on k_L^2 with the SEI growth
#: activation energy). The interface resistance grows by rho_SEI L and the interphase binds
#: ``Ratio of lithium moles to SEI moles`` / ``SEI partial molar volume`` lithium per volume.
SS_GROWTH_KEY = "Li/SE interphase thickness growth coefficient [m.s-0.5]"
# lithium-metal negative (half cell): plating/stripping efficiency and the charge-current limit
LI_CE_KEY = "Lithium metal plating/stripping coulombic efficiency"
CCD_KEY = "Critical current density of the lithium metal interface [A.m-2]"
_SS_KEYS = (SS_GROWTH_KEY, "SEI resistivity [Ohm.m]", "SEI partial molar volume [m3.mol-1]",
            "Ratio of lithium moles to SEI moles", "SEI growth activation energy [J.mol-1]")

SEI_CODES = {
    "none": L.SEI_NONE,
    "solvent-diffusion limited": L.SEI_SOLVENT,
    "reaction limited": L.SEI_REACTION,
    "ec reaction limited": L.SEI_EC,
    "interstitial-diffusion limited": L.SEI_INTERSTITIAL,
    "interphase growth": L.SEI_INTERPHASE,
}
PLATING_CODES = {
    "none": L.PLATING_NONE,
    "irreversible": L.PLATING_IRREVERSIBLE,
    "reversible": L.PLATING_REVERSIBLE,
    "partially reversible": L.PLATING_PARTIAL,
}
LAM_CODES = {
    "none": L.LAM_NONE,
    "reaction-driven": L.LAM_REACTION,
    "stress-driven": L.LAM_STRESS,
    "stress and reaction-driven": L.LAM_STRESS_REACTION,
}
_SEI_KEYS = {
    L.SEI_SOLVENT: ("SEI solvent diffusivity [m2.s-1]", "Bulk solvent concentration [mol.m-3]"),
    L.SEI_REACTION: ("SEI reaction exchange current density [A.m-2]",
                     "SEI open-circuit potential [V]"),
    L.SEI_EC: ("SEI kinetic rate constant [m.s-1]", "EC diffusivity [m2.s-1]",
               "EC initial concentration in electrolyte [mol.m-3]", "SEI open-circuit potential [V]"),
    L.SEI_INTERSTITIAL: ("SEI lithium interstitial diffusivity [m2.s-1]",
                         "Lithium interstitial reference concentration [mol.m-3]"),
}
_SEI_COMMON = ("SEI partial molar volume [m3.mol-1]", "Ratio of lithium moles to SEI moles",
               "SEI resistivity [Ohm.m]", "SEI growth activation energy [J.mol-1]",
               "Initial SEI thickness [m]")
_PLATING_KEYS = ("Exchange-current density for plating [A.m-2]",
                 "Lithium plating transfer coefficient")
def _stress_keys(domains: tuple[str, ...]) -> tuple[str, ...]:
    """The mechanics keys of the stress-driven LAM option for ``domains`` ("Negative", "Positive")."""
    return tuple(
        f"{d} electrode {k}" for d in domains for k in (
            "partial molar volume [m3.mol-1]", "Young's modulus [Pa]", "Poisson's ratio",
            "critical stress [Pa]", "LAM constant proportional term [s-1]",
            "LAM constant exponential term",
            "reference concentration for free of deformation [mol.m-3]"))


def _lam_domains(half: bool) -> tuple[str, ...]:
    """Electrodes with active-material loss: the working (positive) one only in a half cell."""
    return ("Positive",) if half else ("Negative", "Positive")


def _has(pv, keys) -> bool:
    return all(k in pv.keys() for k in keys)


def default_ageing_options(pv, half: bool) -> dict:
    """PyBaMM-style ageing options the parameter set supports.

    Full cell: ``"SEI": "solvent-diffusion limited"`` (OKane2022's choice) if its keys are there;
    ``"lithium plating": "partially reversible"`` (OKane2022's choice) if the plating, stripping
    and dead-lithium keys are there, else ``"irreversible"`` if the plating keys are there
    (with OKane2022's plating rate constant, irreversible plating also runs at rest near full
    charge, where the negative OCP is below 0.1 V: 0.03 Ah per hour for the LG M50); ``"loss of active
    material"``: ``"stress-driven"`` in the electrodes whose mechanics keys the set gives with a
    non-zero LAM proportional term (fitted to cycle-ageing data, tools/calibrate_cycle_ageing.py;
    a (negative, positive) pair if only one electrode has them), else ``"reaction-driven"`` if a
    reaction-driven LAM factor is non-zero, else ``"none"``; ``"stress-induced diffusion":
    "false"`` (PyBaMM's option; the sets' electrochemistry is fitted without it, and with
    OKane2022's mechanics it moves the LG M50's 1C voltage by up to 90 mV).
    Half cell: ``"SEI": "interphase growth"`` (cellsim's Li/SE interphase, thickness growing as
    sqrt(t)) if the set gives its keys, no plating, ``"stress-driven"`` loss of positive active
    material if the set has the positive mechanics keys, with stress-induced diffusion (the
    solid-state cathode's LAM rate is calibrated with it).
    """
    if half:
        return {"SEI": "interphase growth" if _has(pv, _SS_KEYS) else "none",
                "lithium plating": "none",
                "loss of active material":
                    "stress-driven" if _has(pv, _stress_keys(("Positive",))) else "none",
                "stress-induced diffusion": "true"}
    opts = {"SEI": "none", "lithium plating": "none", "loss of active material": "none",
            "stress-induced diffusion": "false"}
    if _has(pv, _SEI_COMMON + _SEI_KEYS[L.SEI_SOLVENT]):
        opts["SEI"] = "solvent-diffusion limited"
    if _has(pv, _PLATING_KEYS + ("Exchange-current density for stripping [A.m-2]",
                                 "Dead lithium decay rate [s-1]")):
        opts["lithium plating"] = "partially reversible"
    elif _has(pv, _PLATING_KEYS):
        opts["lithium plating"] = "irreversible"
    stress = [d for d in _stress_domains(pv, half)
              if pv[f"{d} electrode LAM constant proportional term [s-1]"] != 0]
    if len(stress) == 2:
        opts["loss of active material"] = "stress-driven"
    elif stress:
        opts["loss of active material"] = tuple(
            "stress-driven" if d in stress else "none" for d in ("Negative", "Positive"))
    elif any(_opt_value(pv, f"{d} electrode reaction-driven LAM factor [m3.mol-1]") != 0.0
             for d in ("Negative", "Positive")):
        opts["loss of active material"] = "reaction-driven"
    return opts


def _opt_value(pv, key: str, default: float = 0.0) -> float:
    """A number of the set (``default`` if absent); a NaN, infinite or negative one is refused."""
    try:
        value = pv[key]
    except KeyError:
        return default
    if callable(value):
        raise InputError(f"{key!r} must be a number for the fast engine, got a function")
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0):
        raise InputError(f"{key!r}={value!r} is not allowed; allowed: a finite number >= 0")
    return value


def _ageing_parameters(pv, param, half: bool, prm: np.ndarray) -> None:
    """Fill the ageing slots of ``prm`` with whatever the set provides.

    Missing keys leave zeros; :func:`ageing_codes` checks that the options chosen have their keys.
    """
    prm[L.P_EPS_S_P0] = _opt_value(pv, "Positive electrode active material volume fraction")
    prm[L.P_SEI_VBAR] = _opt_value(pv, "SEI partial molar volume [m3.mol-1]")
    prm[L.P_SEI_Z] = _opt_value(pv, "Ratio of lithium moles to SEI moles", 1.0)
    prm[L.P_SEI_RHO] = _opt_value(pv, "SEI resistivity [Ohm.m]")
    prm[L.P_SEI_EA] = _opt_value(pv, "SEI growth activation energy [J.mol-1]")
    prm[L.P_SEI_L0] = _opt_value(pv, "Initial SEI thickness [m]")
    prm[L.P_SEI_ALPHA] = 0.5
    prm[L.P_CCD] = _opt_value(pv, CCD_KEY, math.nan) if half else math.nan
    if half:
        # resistance growth coefficient [Ohm.m2.s-0.5] = rho_SEI k_L
        prm[L.P_SS_K] = _opt_value(pv, SS_GROWTH_KEY) * prm[L.P_SEI_RHO]
        efficiency = _opt_value(pv, LI_CE_KEY, 1.0)
        if efficiency > 1.0:
            raise InputError(f"{LI_CE_KEY!r}={efficiency!r} is not allowed; allowed: 0 to 1")
        prm[L.P_LI_DEAD_FRACTION] = 1.0 - efficiency
        _mechanics_parameters(pv, param, half, prm)
        return
    prm[L.P_EPS_S_N0] = _opt_value(pv, "Negative electrode active material volume fraction")
    prm[L.P_SEI_DC] = (_opt_value(pv, "SEI solvent diffusivity [m2.s-1]")
                       * _opt_value(pv, "Bulk solvent concentration [mol.m-3]"))
    prm[L.P_SEI_J0] = _opt_value(pv, "SEI reaction exchange current density [A.m-2]")
    prm[L.P_SEI_U] = _opt_value(pv, "SEI open-circuit potential [V]")
    prm[L.P_SEI_K] = _opt_value(pv, "SEI kinetic rate constant [m.s-1]")
    prm[L.P_SEI_DEC] = _opt_value(pv, "EC diffusivity [m2.s-1]")
    prm[L.P_SEI_CEC] = _opt_value(pv, "EC initial concentration in electrolyte [mol.m-3]")
    prm[L.P_SEI_DLI] = (_opt_value(pv, "SEI lithium interstitial diffusivity [m2.s-1]")
                        * _opt_value(pv, "Lithium interstitial reference concentration [mol.m-3]"))
    prm[L.P_LAM_BETA_N] = _opt_value(pv, "Negative electrode reaction-driven LAM factor [m3.mol-1]")
    prm[L.P_LAM_BETA_P] = _opt_value(pv, "Positive electrode reaction-driven LAM factor [m3.mol-1]")
    if _has(pv, _PLATING_KEYS):
        prm[L.P_PL_ALPHA] = _opt_value(pv, "Lithium plating transfer coefficient")
        prm[L.P_PL_CTYP] = _opt_value(pv, "Typical plated lithium concentration [mol.m-3]", 1000.0)
        if "Dead lithium decay rate [s-1]" in pv.keys() and prm[L.P_SEI_L0] > 0:
            phase = param.n.prim
            l0 = prm[L.P_SEI_L0]
            g = [_scalar(pv, _expression(phase.dead_lithium_decay_rate, l0 * f), "dead lithium")
                 for f in (1.0, 2.0, 8.0)]
            prm[L.P_PL_GAMMA0] = g[0]
            if g[0] > 0 and g[1] > 0:
                p = np.log(g[1] / g[0]) / np.log(2.0)
                if abs(g[0] * 8.0**p / g[2] - 1.0) > 1e-6:
                    raise InputError("'Dead lithium decay rate [s-1]' must be a power law of the "
                                     "SEI thickness for the fast engine")
                prm[L.P_PL_GAMMA_EXP] = p
    _mechanics_parameters(pv, param, half, prm)


def _plating_tables(pv, param, prm: np.ndarray, tab_xt: np.ndarray, c_e0: float) -> None:
    """The plating and stripping exchange-current tables (full cell with plating keys)."""
    c_typ = prm[L.P_PL_CTYP]
    phase = param.n.prim
    tab_xt[L.X_J0_PL] = _table_xt(pv, lambda c, t: phase.j0_plating(c, c_typ, t),
                                  prm[L.P_CE_MAX], "plating exchange-current density")
    if "Exchange-current density for stripping [A.m-2]" in pv.keys():
        temps = np.linspace(T_MIN_K, T_MAX_K, N_T_2D)
        j0_st = _evaluate_on_states(pv, lambda t: phase.j0_stripping(c_e0, c_typ, t), [temps],
                                    "stripping exchange-current density")
        tab_xt[L.X_J0_ST] = np.broadcast_to(j0_st, (L.XGRID_POINTS, N_T_2D))


def _stress_domains(pv, half: bool) -> tuple[str, ...]:
    """The electrodes of :func:`_lam_domains` whose mechanics keys the set gives."""
    return tuple(d for d in _lam_domains(half) if _has(pv, _stress_keys((d,))))


def _mechanics_parameters(pv, param, half: bool, prm: np.ndarray) -> None:
    """Stress-driven LAM slots (PyBaMM "swelling only" particle stresses) for the electrodes
    :func:`_stress_domains` names. A temperature-dependent LAM proportional term must be
    Arrhenius, beta(T) = beta(T_ref) exp(E/R (1/T_ref - 1/T)) (its energy goes to
    ``P_LAM_EA_*``)."""
    temp = prm[L.P_T_REF]
    for dom in _stress_domains(pv, half):
        d, dp = dom[0], param.p if dom == "Positive" else param.n
        ph = dp.prim
        omega = _scalar(pv, _expression(ph.Omega, 0.5, temp), "mechanics")
        young = _scalar(pv, _expression(ph.E, 0.5, temp), "mechanics")
        nu = _opt_value(pv, f"{dom} electrode Poisson's ratio")
        sig_c = _opt_value(pv, f"{dom} electrode critical stress [Pa]")
        prm[getattr(L, f"P_STRESS_{d}")] = omega * young / (3.0 * (1.0 - nu)) / sig_c
        prm[getattr(L, f"P_THETA_{d}")] = (2.0 * omega**2 * young
                                           / (9.0 * prm[L.P_R] * (1.0 - nu)))
        prm[getattr(L, f"P_C0_{d}")] = _opt_value(
            pv, f"{dom} electrode reference concentration for free of deformation [mol.m-3]")
        prm[getattr(L, f"P_LAM_M_{d}")] = _opt_value(pv, f"{dom} electrode LAM constant "
                                                     "exponential term")
        key = f"{dom} electrode LAM constant proportional term [s-1]"
        if not callable(pv[key]):
            _opt_value(pv, key)  # a NaN or negative number is refused here, naming the key
        beta = [_scalar(pv, _expression(ph.beta_LAM, t), "LAM constant")
                for t in (temp, temp + 20.0, temp - 20.0)]
        for b in beta:
            if not (math.isfinite(b) and b >= 0.0):
                raise InputError(f"{key!r}={b!r} is not allowed; allowed: a finite number >= 0")
        prm[getattr(L, f"P_LAM_K_{d}")] = beta[0]
        if beta[0] > 0.0 and beta[1] != beta[0]:
            energy = prm[L.P_R] * np.log(beta[1] / beta[0]) / (1.0 / temp - 1.0 / (temp + 20.0))
            predicted = beta[0] * np.exp(energy / prm[L.P_R] * (1.0 / temp - 1.0 / (temp - 20.0)))
            if abs(predicted / beta[2] - 1.0) > 1e-6:
                raise InputError(f"{key!r} must be a constant or an Arrhenius function of the "
                                 "temperature for the fast engine")
            prm[getattr(L, f"P_LAM_EA_{d}")] = energy


def _lam_option(value, half: bool) -> tuple[str, tuple[str, ...]]:
    """A "loss of active material" option -> (the model, the electrodes it acts in).

    PyBaMM's forms: one model for both electrodes, or a (negative, positive) pair in which one
    electrode may be ``"none"`` (e.g. ``("stress-driven", "none")``)."""
    domains = _lam_domains(half)
    if isinstance(value, str):
        return value, (() if value == "none" else domains)
    pair = tuple(value) if isinstance(value, (tuple, list)) else ()
    models = {v for v in pair if v != "none"}
    if half or len(pair) != 2 or len(models) > 1:
        raise InputError(f"'loss of active material'={value!r} is not allowed; allowed: one of "
                         f"{', '.join(LAM_CODES)} or, for a full cell, a (negative, positive) "
                         "pair of one of them and 'none'")
    model = models.pop() if models else "none"
    return model, tuple(d for d, v in zip(("Negative", "Positive"), pair) if v != "none")


def ageing_codes(pv, half: bool,
                 options: dict | None) -> tuple[int, int, int, bool, tuple[str, ...], bool]:
    """Validate PyBaMM-style ageing ``options``; return the kernel codes, the film flag, the
    electrodes ("Negative", "Positive") that lose active material and the stress-induced
    diffusion flag.

    Keys: ``"SEI"``, ``"lithium plating"``, ``"loss of active material"``, ``"stress-induced
    diffusion"`` (missing keys take :func:`default_ageing_options`; the LAM option may be a
    (negative, positive) pair, see :func:`_lam_option`). ``"SEI film resistance"`` may be given
    as ``"distributed"`` or ``"average"`` (identical in the x-averaged SPMe) or ``"none"``.
    """
    opts = default_ageing_options(pv, half)
    unknown = set(options or {}) - set(opts) - {"SEI film resistance"}
    if unknown:
        raise InputError(f"unknown ageing option(s) {sorted(unknown)}; allowed: "
                         f"{sorted(opts) + ['SEI film resistance']}")
    opts.update(options or {})
    film = (options or {}).get("SEI film resistance", "distributed")
    if film not in ("distributed", "average", "none"):
        raise InputError(f"'SEI film resistance'={film!r}; allowed: distributed, average, none")
    if opts["stress-induced diffusion"] not in ("true", "false"):
        raise InputError(f"'stress-induced diffusion'={opts['stress-induced diffusion']!r}; "
                         "allowed: true, false")
    lam_model, lam_domains = _lam_option(opts["loss of active material"], half)
    for name, value, table in (("SEI", opts["SEI"], SEI_CODES),
                               ("lithium plating", opts["lithium plating"], PLATING_CODES),
                               ("loss of active material", lam_model, LAM_CODES)):
        if value not in table:
            raise InputError(f"{name!r}={value!r} is not available in the fast engine; "
                             f"allowed: {', '.join(table)}")
    sei, plating, lam = (SEI_CODES[opts["SEI"]], PLATING_CODES[opts["lithium plating"]],
                         LAM_CODES[lam_model])
    if half and (sei not in (L.SEI_NONE, L.SEI_INTERPHASE) or plating
                 or lam not in (L.LAM_NONE, L.LAM_STRESS)):
        raise InputError("a lithium-metal half cell supports only 'SEI': 'interphase growth' or "
                         "'none', no lithium plating and 'loss of active material': "
                         "'stress-driven' (positive electrode) or 'none' in the fast engine")
    if not half and sei == L.SEI_INTERPHASE:
        raise InputError("'interphase growth' is for lithium-metal half cells only")
    need = list(_SS_KEYS) if sei == L.SEI_INTERPHASE else []
    if sei in _SEI_KEYS:
        need += list(_SEI_COMMON + _SEI_KEYS[sei])
    if plating:
        need += list(_PLATING_KEYS)
    if plating >= L.PLATING_REVERSIBLE:
        need += ["Exchange-current density for stripping [A.m-2]"]
    if plating == L.PLATING_PARTIAL:
        need += ["Dead lithium decay rate [s-1]"]
    if lam in (L.LAM_STRESS, L.LAM_STRESS_REACTION):
        need += list(_stress_keys(lam_domains))
    if lam in (L.LAM_REACTION, L.LAM_STRESS_REACTION):
        need += [f"{d} electrode reaction-driven LAM factor [m3.mol-1]" for d in lam_domains]
    missing = [k for k in need if k not in pv.keys()]
    if missing:
        raise InputError(f"ageing options {opts} need parameter(s) the set lacks: {missing}")
    return (sei, plating, lam, film != "none", lam_domains,
            opts["stress-induced diffusion"] == "true")


def restrict_lam(prm: np.ndarray, lam_domains: tuple[str, ...], stress_diffusion: bool) -> None:
    """Zero the LAM rates and the stress-induced diffusion of the electrodes not in
    ``lam_domains`` (a (negative, positive) option with ``"none"`` on one side), and the
    stress-induced diffusion of all if ``stress_diffusion`` is False."""
    for dom in ("Negative", "Positive"):
        d = dom[0]
        if dom not in lam_domains:
            prm[getattr(L, f"P_LAM_K_{d}")] = 0.0
            prm[getattr(L, f"P_LAM_BETA_{d}")] = 0.0
        if dom not in lam_domains or not stress_diffusion:
            prm[getattr(L, f"P_THETA_{d}")] = 0.0
