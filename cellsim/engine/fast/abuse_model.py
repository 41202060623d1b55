"""A cell's abuse model: the ``[abuse]`` kinetics of its parameter file, sized to the cell.

Reactant masses come from the electrode stack (the same data as :attr:`Cell.mass_kg`):

* ``negative``: active material of the negative electrode, ``A·L_n·ρ_n·ε_s,n/(1 − ε_n)`` (the
  active share of the dry coating's solid volume); for a Li-metal half cell, the lithium foil
  ``A·L_Li·ρ_Li`` minus the lithium bound in the interphase by ageing;
* ``positive``: the same for the positive electrode;
* ``electrolyte``: ``ρ_e·A·Σ ε_k·L_k`` over the porous layers (the liquid electrolyte, or the
  solid electrolyte of a solid-state cell).

The heat capacity, cooling area and heat-transfer coefficient are those of the fast engine's
lumped thermal model (PyBaMM's ``ρc_p,eff`` at 25 °C × cell volume, ``Cell cooling surface
area``, ``Total heat transfer coefficient``). Assumption: ``ρc_p`` is held at its 25 °C value up
to runaway temperatures, and the housing allowance of the parameter file adds no heat capacity
(the lumped model's convention).

State of charge and ageing enter through the initial amounts:

* ``initial_fraction = "negative_lithiation"``: the negative electrode's stoichiometry at the
  SOC (Kim et al. 2007's ``c_ne,0 = 0.75`` for a charged LiCoO2 cell is that quantity), less the
  lithium inventory lost to ageing (``lli_Ah`` / negative-electrode capacity);
* ``mass_scaling = "positive_delithiation"``: the positive reactant mass is scaled by
  ``(1 − x_p(SOC)) / (1 − x_p(100 %))``, the share of the charged electrode's delithiation
  present (the oxygen a layered oxide can release grows with its delithiation);
* ageing thickens the SEI: in Hatchard et al. 2001 the dimensionless SEI thickness ``z`` of a
  ``sei_limited`` reaction counts the lithium bound in the SEI in units of the negative
  electrode's lithium capacity (``dz/dt`` equals the rate at which its lithium fraction falls),
  so the lithium the fast engine's ageing put into SEI (``lli_sei_Ah``) adds
  ``lli_sei_Ah / Q_n`` to ``z_0`` (``Q_n`` the negative electrode's capacity). This is the mapping
  between the fast engine's ageing state and the Hatchard/Kim thickness ``z``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...chemistry.cell import electrode_area_m2
from ...errors import InputError
from . import abuse as K

FARADAY_C_PER_MOL = 96485.33212  # CODATA 2018
_FORMS = {"first_order": K.FORM_FIRST_ORDER, "autocatalytic": K.FORM_AUTOCATALYTIC,
          "sei_limited": K.FORM_SEI_LIMITED}


@dataclass(frozen=True)
class AbuseModel:
    """Reaction table, initial fractions and thermal data of one cell in one state.

    Attributes
    ----------
    names
        Reaction names, in the order of the table's rows.
    reactions
        The kernel's reaction table (see :mod:`cellsim.engine.fast.abuse`).
    initial_fractions
        Remaining reactant fraction of each reaction at the start.
    heat_capacity_J_per_K, area_m2, h_W_per_m2K, emissivity
        Lumped thermal data.
    """

    names: tuple[str, ...]
    reactions: np.ndarray
    initial_fractions: np.ndarray
    heat_capacity_J_per_K: float
    area_m2: float
    h_W_per_m2K: float
    emissivity: float

    def thermal(self, *, adiabatic: bool = False) -> np.ndarray:
        """The kernel's thermal vector (no exchange with the surroundings if ``adiabatic``)."""
        out = np.zeros(K.N_H)
        out[K.H_C] = self.heat_capacity_J_per_K
        if not adiabatic:
            out[K.H_HA] = self.h_W_per_m2K * self.area_m2
            out[K.H_EPSA] = self.emissivity * K.STEFAN_BOLTZMANN_W_PER_M2K4 * self.area_m2
        return out

    @property
    def heat_per_fraction_J(self) -> np.ndarray:
        """``H_i·m_i`` of each reaction [J per unit of reactant fraction]."""
        return self.reactions[:, K.R_Q].copy()


def reaction_table(reactions: list[dict], masses_kg: Mapping[str, float], *,
                   negative_lithiation: float = 1.0, delithiation_share: float = 1.0,
                   added_sei_thickness: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Kernel reaction table and initial fractions from ``[[abuse.reactions]]`` entries.

    ``masses_kg`` gives the mass of each reactant kind; the keyword arguments carry the cell's
    state (see the module docstring).
    """
    table = np.zeros((len(reactions), K.N_R_COLS))
    fractions = np.zeros(len(reactions))
    for i, r in enumerate(reactions):
        mass_kg = masses_kg[r["reactant"]]
        if r.get("mass_scaling", "none") == "positive_delithiation":
            mass_kg *= delithiation_share
        table[i, K.R_A] = r["frequency_factor_per_s"]
        table[i, K.R_EA] = r["activation_energy_J_per_mol"]
        table[i, K.R_Q] = r["enthalpy_J_per_g"] * 1e3 * mass_kg
        table[i, K.R_FORM] = _FORMS[r["form"]]
        table[i, K.R_T_MIN] = r.get("threshold_C", -273.15) + 273.15
        if r["form"] == "autocatalytic":
            fractions[i] = 1.0 - r["initial_conversion"]
        elif r["initial_fraction"] == "negative_lithiation":
            fractions[i] = negative_lithiation
        else:
            fractions[i] = r["initial_fraction"]
        if r["form"] == "sei_limited":
            table[i, K.R_ZREF] = r["sei_thickness_reference"]
            table[i, K.R_Z0] = r["initial_sei_thickness"] + added_sei_thickness
            table[i, K.R_C0] = fractions[i]
    return table, fractions


def abuse_model(cell, *, soc: float = 1.0, h_W_per_m2K: float | None = None,
                ageing: Mapping[str, float] | None = None) -> AbuseModel:
    """The abuse model of ``cell`` at ``soc``, fresh or aged.

    Parameters
    ----------
    cell
        A :class:`~cellsim.chemistry.cell.Cell` whose parameter file has an ``[abuse]`` block.
    soc
        State of charge, 0–1.
    h_W_per_m2K
        Heat-transfer coefficient; default the parameter set's.
    ageing
        The cell's degradation: a mapping with ``lli_Ah`` and ``lli_sei_Ah`` (e.g.
        ``FastSimulation.ageing`` or a row of ``LifetimeResult.data``); ``None`` for a fresh cell.

    Raises
    ------
    InputError
        If the cell has no abuse parameters, naming what is missing.
    """
    pset = getattr(cell, "parameter_set", None)
    abuse = pset.abuse if pset is not None else {}
    if not abuse:
        raise InputError(
            f"cell {getattr(cell, 'chemistry', cell)!r} has no abuse parameters: its parameter file "
            "needs an [abuse] block with 'source', 'emissivity' and [[abuse.reactions]] (name, form, "
            "reactant, frequency_factor_per_s, activation_energy_J_per_mol, enthalpy_J_per_g, "
            "initial_fraction or initial_conversion, source); see parameter_sets/README.md")
    from ..._pybamm import pybamm
    from .parameters import _evaluate_on_states

    pv = cell.parameter_values
    area_m2 = electrode_area_m2(pv)
    lost_Ah = float(ageing.get("lli_Ah", 0.0)) if ageing is not None else 0.0
    lost_sei_Ah = float(ageing.get("lli_sei_Ah", 0.0)) if ageing is not None else 0.0
    limits = cell.stoichiometry_limits
    rho_e = float(pset.stack["electrolyte_density_kg_per_m3"])
    layers = ["Separator", "Positive electrode"]
    masses = {"positive": _active_mass_kg(pv, "Positive", area_m2)}
    added_z = 0.0
    if cell.is_half_cell:
        li_kg = area_m2 * float(pset.stack["lithium_metal_thickness_m"]) \
            * float(pset.stack["lithium_metal_density_kg_per_m3"])
        li_kg_per_Ah = 3600.0 / FARADAY_C_PER_MOL * 6.94e-3  # Li molar mass 6.94 g/mol (IUPAC)
        masses["negative"] = max(li_kg - lost_sei_Ah * li_kg_per_Ah, 0.0)
        lithiation = 1.0
    else:
        layers.insert(0, "Negative electrode")
        masses["negative"] = _active_mass_kg(pv, "Negative", area_m2)
        capacity_n_Ah = (area_m2 * pv["Negative electrode thickness [m]"]
                         * pv["Negative electrode active material volume fraction"]
                         * pv["Maximum concentration in negative electrode [mol.m-3]"]
                         * FARADAY_C_PER_MOL / 3600.0)
        lithiation = max(float(limits.negative(soc)) - lost_Ah / capacity_n_Ah, 0.0)
        added_z = lost_sei_Ah / capacity_n_Ah
    masses["electrolyte"] = rho_e * area_m2 * sum(
        float(pv[f"{layer} thickness [m]"]) * float(pv[f"{layer} porosity"]) for layer in layers)
    delithiation = (1.0 - float(limits.positive(soc))) / (1.0 - limits.x_p_100)
    table, fractions = reaction_table(abuse["reactions"], masses, negative_lithiation=lithiation,
                                      delithiation_share=delithiation,
                                      added_sei_thickness=added_z)
    param = pybamm().LithiumIonParameters(cell.model_options)
    rho_cp = _evaluate_on_states(pv, param.rho_c_p_eff, [np.array([298.15])],
                                 "effective heat capacity")[0]
    volume_m3 = float(pv["Cell volume [m3]"])
    return AbuseModel(
        names=tuple(r["name"] for r in abuse["reactions"]),
        reactions=table,
        initial_fractions=fractions,
        heat_capacity_J_per_K=float(rho_cp * volume_m3),
        area_m2=float(pv["Cell cooling surface area [m2]"]),
        h_W_per_m2K=float(pv["Total heat transfer coefficient [W.m-2.K-1]"])
        if h_W_per_m2K is None else float(h_W_per_m2K),
        emissivity=float(abuse["emissivity"]),
    )


def _active_mass_kg(pv, side: str, area_m2: float) -> float:
    domain = f"{side} electrode"
    solid_share = float(pv[f"{domain} active material volume fraction"]) \
        / (1.0 - float(pv[f"{domain} porosity"]))
    return area_m2 * float(pv[f"{domain} thickness [m]"]) * float(pv[f"{domain} density [kg.m-3]"]) \
        * solid_share

