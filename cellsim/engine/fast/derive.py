"""Kernel arrays of a changed cell from its base cell's, without re-evaluating PyBaMM tables.

A cell made by :meth:`cellsim.Cell.with_parameters` differs from its base cell in a few PyBaMM
keys. The scalar slots (``prm``, ``dims``) and the electrolyte mesh are rebuilt from the new
values (:func:`.parameters.scalar_parameters`, with PyBaMM expressions processed once per base
cell with the table-free numbers as input parameters, so a changed cell costs milliseconds);
the tables are shared with the base cell, not copied:

* keys in :data:`TABLE_FREE_KEYS` (geometry, porosities, particle radii, active-material
  fractions, Bruggeman exponents, voltage limits, initial electrode concentrations, cooling,
  current collectors, layer densities and heat capacities, contact resistance, ageing
  constants) reach no table
  except the effective heat capacity ``rho_c_p_eff(T)``, which is re-evaluated (one row): a
  row that is ``a * base row + b`` (true when only layers with temperature-independent heat
  capacities change) becomes a factor and an offset, any other row a copy of the (x, T)
  tables with that row;
* a :class:`~cellsim.chemistry.factor.ScaledFunction` of the base's function (or a number
  times the base's number) for a key in :data:`SCALED_TABLES` multiplies the factors
  (``prm`` slots ``P_SCALE_X`` / ``P_SCALE_S`` of :mod:`.layout`, applied by the kernel to the
  looked-up value and slope) of the tables that are linear in it: particle diffusivities,
  electrode conductivities, exchange-current densities (their stoichiometry factor; the
  electrolyte factor is a ratio and does not change), the lithium-metal exchange-current
  density, OCP entropic changes, electrolyte diffusivity, conductivity and thermodynamic
  factor.

Any other change (an OCP, a maximum or initial electrolyte concentration, the reference
temperature, a new function) returns None, and the caller builds the arrays from scratch.
Arrays derived here, with their factors applied to the tables, equal those of
:func:`.parameters.build_kernel_arrays` on the changed values to round-off
(``tests/test_parameter_changes.py`` checks this for each kind).
"""

from __future__ import annotations

import json

import numpy as np

from cellsim._pybamm import pybamm
from cellsim.chemistry.factor import scale_chain
from cellsim.engine.fast import layout as L
from cellsim.engine.fast.parameters import (
    KernelArrays,
    electrolyte_mesh,
    heat_capacity_row,
    lithium_ion_parameters,
    scalar_parameters,
)
from cellsim.engine.fast.table_cache import Unfingerprintable, fingerprint

RECENT = 2  # derived arrays kept per base cell (one may hold its own 30 MB of (x, T) tables)
AFFINE_RTOL = 1e-14  # a heat-capacity row within this of a * base row + b is taken as such

_SIDES = ("Negative", "Positive")
_LAYERS = ("Negative electrode", "Separator", "Positive electrode")
_AGEING_SCALARS = (
    "SEI partial molar volume [m3.mol-1]", "Ratio of lithium moles to SEI moles",
    "SEI resistivity [Ohm.m]", "SEI growth activation energy [J.mol-1]",
    "Initial SEI thickness [m]", "SEI solvent diffusivity [m2.s-1]",
    "Bulk solvent concentration [mol.m-3]", "SEI reaction exchange current density [A.m-2]",
    "SEI open-circuit potential [V]", "SEI kinetic rate constant [m.s-1]",
    "EC diffusivity [m2.s-1]", "EC initial concentration in electrolyte [mol.m-3]",
    "SEI lithium interstitial diffusivity [m2.s-1]",
    "Lithium interstitial reference concentration [mol.m-3]",
    "Lithium plating transfer coefficient", "Dead lithium decay rate [s-1]",
    "Dead lithium decay constant [s-1]",
    "Li/SE interphase thickness growth coefficient [m.s-0.5]",
)

#: PyBaMM keys that no kernel table reads, except ``rho_c_p_eff`` (re-evaluated).
TABLE_FREE_KEYS = frozenset(
    [f"{layer} thickness [m]" for layer in _LAYERS]
    + [f"{layer} porosity" for layer in _LAYERS]
    + [f"{layer} Bruggeman coefficient (electrolyte)" for layer in _LAYERS]
    + [f"{layer} density [kg.m-3]" for layer in _LAYERS]
    + [f"{layer} specific heat capacity [J.kg-1.K-1]" for layer in _LAYERS]
    + [f"{layer} thermal conductivity [W.m-1.K-1]" for layer in _LAYERS]
    + [f"{side} electrode Bruggeman coefficient (electrode)" for side in _SIDES]
    + [f"{side} particle radius [m]" for side in _SIDES]
    + [f"{side} electrode active material volume fraction" for side in _SIDES]
    + [f"Initial concentration in {side.lower()} electrode [mol.m-3]" for side in _SIDES]
    + [f"{side} current collector {q}" for side in _SIDES
       for q in ("thickness [m]", "conductivity [S.m-1]", "density [kg.m-3]",
                 "specific heat capacity [J.kg-1.K-1]", "thermal conductivity [W.m-1.K-1]")]
    + [f"{side} electrode {k}" for side in _SIDES for k in (
        "partial molar volume [m3.mol-1]", "Young's modulus [Pa]", "Poisson's ratio",
        "critical stress [Pa]", "LAM constant proportional term [s-1]",
        "LAM constant exponential term", "reaction-driven LAM factor [m3.mol-1]",
        "reference concentration for free of deformation [mol.m-3]")]
    + ["Electrode height [m]", "Electrode width [m]",
       "Number of electrodes connected in parallel to make a cell",
       "Lower voltage cut-off [V]", "Upper voltage cut-off [V]",
       "Open-circuit voltage at 0% SOC [V]", "Open-circuit voltage at 100% SOC [V]",
       "Nominal cell capacity [A.h]", "Current function [A]",
       "Total heat transfer coefficient [W.m-2.K-1]", "Cell cooling surface area [m2]",
       "Cell volume [m3]", "Ambient temperature [K]", "Initial temperature [K]",
       "Contact resistance [Ohm]"]
    + list(_AGEING_SCALARS)
)

#: Function-valued keys whose tables are linear in them: key -> [(tab_sto?, table slot)].
SCALED_TABLES: dict[str, list[tuple[bool, int]]] = {
    "Electrolyte diffusivity [m2.s-1]": [(False, L.X_DE)],
    "Electrolyte conductivity [S.m-1]": [(False, L.X_KAPPA)],
    "Thermodynamic factor": [(False, L.X_CHI)],  # chi = 2 (1 - t+) * thermodynamic factor
    "Exchange-current density for lithium metal electrode [A.m-2]": [(False, L.X_J0_LI)],
}
for _side, _d in (("Negative", "N"), ("Positive", "P")):
    SCALED_TABLES[f"{_side} particle diffusivity [m2.s-1]"] = [(False, getattr(L, f"X_D_{_d}"))]
    SCALED_TABLES[f"{_side} electrode conductivity [S.m-1]"] = [(False, getattr(L, f"X_SIG_{_d}"))]
    SCALED_TABLES[f"{_side} electrode exchange-current density [A.m-2]"] = [
        (False, getattr(L, f"X_J0S_{_d}"))]
    SCALED_TABLES[f"{_side} electrode OCP entropic change [V.K-1]"] = [
        (True, getattr(L, f"S_DUDT_{_d}"))]
#: Tables a full cell does not have, and negative-particle tables a lithium-metal half cell does
#: not have (its X_SIG_N is the foil's conductivity, from the same key, so it scales).
_NOT_IN = {False: {(False, L.X_J0_LI)},
           True: {(False, L.X_D_N), (False, L.X_J0S_N), (True, L.S_DUDT_N)}}


def _signature(values, changed) -> str | None:
    """The content of the changed values (None if one cannot be fingerprinted)."""
    try:
        return json.dumps([[key, fingerprint(values[key])] for key in sorted(changed)])
    except Unfingerprintable:
        return None


def _same(new, old) -> bool:
    if new is old:
        return True
    try:
        return bool(new == old)
    except (TypeError, ValueError):  # arrays or symbols
        return False


def _scale(new, old) -> float | None:
    """The factor that makes ``new`` from ``old`` (a scaled function, or numbers), else None."""
    if callable(old):
        return scale_chain(new, old)
    if _is_number(new) and _is_number(old) and old != 0:
        return float(new) / float(old)
    return None


def _affine(row: np.ndarray, base_row: np.ndarray) -> tuple[float, float] | None:
    """``(a, b)`` with ``row = a * base_row + b`` to :data:`AFFINE_RTOL`, else None."""
    span = base_row[-1] - base_row[0]
    if span == 0.0:
        a, b = row[0] / base_row[0], 0.0
    else:
        a = (row[-1] - row[0]) / span
        b = row[0] - a * base_row[0]
    if np.all(np.abs(a * base_row + b - row) <= AFFINE_RTOL * np.abs(row)):
        return float(a), float(b)
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _ChangedValues:
    """A changed cell's parameter values as :func:`.parameters.scalar_parameters` reads them:
    keys from its own values; PyBaMM symbols processed once with the base cell's values (its
    table-free numbers as PyBaMM input parameters) and evaluated with the changed numbers."""

    def __init__(self, base: BaseTables, values) -> None:
        self._base = base
        self._values = values
        self._inputs = {key: float(values[key]) for key in base.input_keys}

    def __getitem__(self, key: str):
        return self._values[key]

    def keys(self):
        return self._values.keys()

    def process_symbol(self, symbol) -> _Bound:
        return _Bound(self._base.processed(symbol), self._inputs)


class _Bound:
    """A processed symbol with its input values, evaluated like a processed symbol."""

    def __init__(self, symbol, inputs: dict[str, float]) -> None:
        self._symbol = symbol
        self._inputs = inputs

    def evaluate(self, t=None, y=None):
        return self._symbol.evaluate(t=t, y=y, inputs=self._inputs)


class BaseTables:
    """A base cell's kernel arrays and what deriving its changed cells' arrays needs.

    Parameters
    ----------
    arrays
        The base cell's :class:`KernelArrays` (from PyBaMM or the disk cache).
    values
        The base cell's ``pybamm.ParameterValues`` (not modified).
    options, thermal
        As for :func:`.parameters.build_kernel_arrays`.
    """

    def __init__(self, arrays: KernelArrays, values, options: dict, thermal: str) -> None:
        self.arrays = arrays
        self.values = values
        self.options = dict(options)
        self.thermal = thermal
        self.half = bool(arrays.dims[L.D_HALF])
        self.input_keys = sorted(k for k in TABLE_FREE_KEYS & set(values.keys())
                                 if _is_number(values[k]))
        self._template = None
        self._processed: dict = {}
        self._recent: dict[str, KernelArrays] = {}

    def processed(self, symbol):
        """``symbol`` processed with the base values, table-free numbers as inputs (memoised)."""
        if symbol.id not in self._processed:
            if self._template is None:
                pb = pybamm()
                self._template = self.values.copy()
                self._template.update({k: pb.InputParameter(k) for k in self.input_keys})
            self._processed[symbol.id] = self._template.process_symbol(symbol)
        return self._processed[symbol.id]

    def derive(self, values, changed) -> KernelArrays | None:
        """:class:`KernelArrays` of ``values``, or None if a key in ``changed`` (the keys where
        ``values`` may differ from the base values) needs a rebuild.

        Tables that do not change are shared with the base arrays, not copied (the kernel only
        reads them). The last :data:`RECENT` results are kept by the content of the changed
        values: a sweep's consecutive cases of one design (other C-rates, temperatures) are
        different cells with the same values.
        """
        signature = _signature(values, changed)
        if signature is not None and signature in self._recent:
            return self._recent[signature]
        arrays = self._derive(values, changed)
        if signature is not None and arrays is not None:
            self._recent[signature] = arrays
            while len(self._recent) > RECENT:
                del self._recent[next(iter(self._recent))]
        return arrays

    def _derive(self, values, changed) -> KernelArrays | None:
        base = self.arrays
        factors: dict[int, float] = {}  # prm slot -> factor on its table
        inputs_ok = True
        for key in changed:
            new, old = values[key], self.values[key]
            if _same(new, old):
                continue
            if key in TABLE_FREE_KEYS:
                inputs_ok = inputs_ok and _is_number(new) and key in self.input_keys
                continue
            factor = _scale(new, old) if key in SCALED_TABLES else None
            if factor is None:
                return None
            for is_sto, table in SCALED_TABLES[key]:
                if (is_sto, table) not in _NOT_IN[self.half]:
                    slot = (L.P_SCALE_S if is_sto else L.P_SCALE_X) + table
                    factors[slot] = factors.get(slot, 1.0) * factor
        reader = _ChangedValues(self, values) if inputs_ok else values
        dims, prm = scalar_parameters(reader, self.options, self.thermal)
        dims[L.D_XCONST] = base.dims[L.D_XCONST]
        prm[L.P_T_VALID_MIN] = base.prm[L.P_T_VALID_MIN]
        prm[L.P_T_VALID_MAX] = base.prm[L.P_T_VALID_MAX]
        for slot, factor in factors.items():
            prm[slot] = base.prm[slot] * factor
        tab_xt = base.tab_xt
        if self.thermal == "lumped":
            rho_cp = heat_capacity_row(reader, lithium_ion_parameters(self.options))
            if not np.all(np.isfinite(rho_cp)):
                return None
            affine = _affine(rho_cp, tab_xt[L.X_RHOCP, :, 0])
            if affine is None:
                tab_xt = tab_xt.copy()
                tab_xt[L.X_RHOCP] = rho_cp[:, None]
            else:
                prm[L.P_SCALE_X + L.X_RHOCP], prm[L.P_RHOCP_OFFSET] = affine
        return KernelArrays(dims=dims, prm=prm, tab_sto=base.tab_sto, tab_xt=tab_xt,
                            xgeo=electrolyte_mesh(dims, prm))
