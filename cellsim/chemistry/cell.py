"""The :class:`Cell`: a parameter set made into a cell with capacity, energy, mass and volume.

Mass and volume come from the electrode stack (component densities × thicknesses × electrode
area) plus the housing allowance the parameter file states; a BPX cell carries its own
cell-level density and volume. Energy is the nominal capacity times the mean open-circuit voltage
between the voltage limits, integrated over the electrodes' stoichiometry ranges.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._pybamm import pybamm
from ..errors import InputError, ParameterFileError
from . import electrode_soh
from .factor import Factor, apply_factor
from .paramfile import ParameterSet, load_parameter_file

FARADAY_C_PER_MOL = 96485.33212  # CODATA 2018
HALF_CELL_OPTIONS = {"working electrode": "positive"}


def parameter_set_dir() -> Path:
    """Folder holding the shipped parameter-set files.

    Installed, they are the package data ``cellsim/parameter_sets``; in a source checkout they
    are the top-level ``parameter_sets/`` folder next to the package.
    """
    installed = resources.files("cellsim") / "parameter_sets"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "parameter_sets"


def chemistries() -> list[str]:
    """Return the ids of the shipped chemistries (e.g. ``['lfp', 'ncm523', ...]``)."""
    return sorted(p.stem for p in parameter_set_dir().glob("*.toml"))


@dataclass(frozen=True)
class StoichiometryLimits:
    """Electrode stoichiometries at 0 % and 100 % SOC (negative ones are None for half cells)."""

    x_n_0: float | None
    x_n_100: float | None
    x_p_0: float
    x_p_100: float

    def positive(self, soc: float | np.ndarray) -> float | np.ndarray:
        """Positive-electrode stoichiometry at ``soc`` (linear between the limits)."""
        return self.x_p_0 + soc * (self.x_p_100 - self.x_p_0)

    def negative(self, soc: float | np.ndarray) -> float | np.ndarray:
        """Negative-electrode stoichiometry at ``soc``; raises for a Li-metal half cell."""
        if self.x_n_0 is None:
            raise InputError("a Li-metal half cell has no negative-electrode stoichiometry")
        return self.x_n_0 + soc * (self.x_n_100 - self.x_n_0)

    def soc_from_positive(self, x_p: float | np.ndarray) -> float | np.ndarray:
        """SOC from the mean positive-electrode stoichiometry (inverse of :meth:`positive`)."""
        return (self.x_p_0 - x_p) / (self.x_p_0 - self.x_p_100)


@dataclass(frozen=True, eq=False)
class Cell:
    """A battery cell: PyBaMM parameter values plus what a cell engineer needs to compare it.

    Make one with :meth:`from_chemistry`, :meth:`from_file` or :meth:`from_bpx`.

    Attributes
    ----------
    name
        Human-readable name, e.g. ``"LG M50 (INR21700-M50): NCM811 | graphite-SiOx"``.
    chemistry
        The chemistry id (``"ncm811"``) or, for a user file, the file stem.
    family
        ``"NCM"``, ``"LFP"``, ``"solid-state"`` or ``"unknown"`` (BPX cells).
    nominal_capacity_Ah, voltage_min_V, voltage_max_V
        Rated capacity and voltage window.
    model_options
        PyBaMM model options the cell needs (the Li-metal half cell of ``solid_state``).
    parameter_set
        The validated parameter file (None for BPX cells).
    """

    name: str
    chemistry: str
    family: str
    nominal_capacity_Ah: float
    voltage_min_V: float
    voltage_max_V: float
    model_options: dict[str, Any]
    _values: Any = field(repr=False)
    parameter_set: ParameterSet | None = field(default=None, repr=False)
    _mass_model: str = field(default="stack", repr=False)
    #: The cell this one was made from by :meth:`with_parameters` (the first of the chain) and
    #: the PyBaMM keys changed since; engines use them to reuse the base cell's work.
    _base: Cell | None = field(default=None, repr=False)
    _changed: frozenset[str] = field(default=frozenset(), repr=False)

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_chemistry(cls, chemistry: str) -> Cell:
        """Return the shipped cell of ``chemistry`` (one of :func:`chemistries`)."""
        available = chemistries()
        if chemistry not in available:
            raise InputError(
                f"chemistry={chemistry!r} is unknown; available: {', '.join(available)}"
            )
        return cls.from_file(parameter_set_dir() / f"{chemistry}.toml")

    @classmethod
    def from_file(cls, path: str | Path) -> Cell:
        """Return the cell described by a cellsim parameter file (TOML, see ``parameter_sets/``)."""
        pset = load_parameter_file(path)
        return cls(
            name=pset.name,
            chemistry=pset.id,
            family=pset.family,
            nominal_capacity_Ah=pset.nominal_capacity_Ah,
            voltage_min_V=pset.voltage_min_V,
            voltage_max_V=pset.voltage_max_V,
            model_options=dict(pset.model_options),
            _values=pset.parameter_values(),
            parameter_set=pset,
        )

    @classmethod
    def from_bpx(cls, path: str | Path) -> Cell:
        """Return the cell of a BPX (Battery Parameter eXchange) JSON file, through PyBaMM.

        Mass and volume are the BPX cell-level density × volume and volume.
        """
        path = Path(path)
        try:
            header = json.loads(path.read_text(encoding="utf-8")).get("Header", {})
        except FileNotFoundError:
            raise ParameterFileError(f"{path}: no such BPX file") from None
        except json.JSONDecodeError as err:
            raise ParameterFileError(f"{path}: not valid JSON ({err})") from None
        try:
            values = pybamm().ParameterValues.create_from_bpx(str(path))
        except Exception as err:  # PyBaMM/pydantic raise many types; the message names the key
            raise ParameterFileError(f"{path}: not a valid BPX file: {err}") from None
        return cls(
            name=str(header.get("Title", path.stem)),
            chemistry=path.stem,
            family="unknown",
            nominal_capacity_Ah=float(values["Nominal cell capacity [A.h]"]),
            voltage_min_V=float(values["Lower voltage cut-off [V]"]),
            voltage_max_V=float(values["Upper voltage cut-off [V]"]),
            model_options={},
            _values=values,
            _mass_model="bpx",
        )

    @classmethod
    def from_parameter_values(
        cls,
        values,
        *,
        name: str,
        model_options: dict[str, Any] | None = None,
    ) -> Cell:
        """Return a cell made of bare ``pybamm.ParameterValues`` (e.g. a PyBaMM set by name).

        Capacity and voltage window come from the values' own keys; mass and volume are unknown
        (they need a parameter file's housing and electrolyte data) and raise if asked for.
        """
        pb = pybamm()
        values = pb.ParameterValues(values) if isinstance(values, str) else values.copy()
        return cls(
            name=name,
            chemistry=name,
            family="unknown",
            nominal_capacity_Ah=float(values["Nominal cell capacity [A.h]"]),
            voltage_min_V=float(values["Lower voltage cut-off [V]"]),
            voltage_max_V=float(values["Upper voltage cut-off [V]"]),
            model_options=dict(model_options or {}),
            _values=values,
            _mass_model="unknown",
        )

    def with_parameters(self, updates: dict[str, Any], name: str | None = None) -> Cell:
        """Return a copy with PyBaMM parameters changed (e.g. a thicker dry-process electrode).

        The nominal capacity scales with the electrodes' cyclable capacity, so a 20 % thicker
        limiting electrode gives a cell rated about 20 % higher. Unknown keys raise.

        The fast engine reuses this cell's tables for the new one when only numbers
        (geometry, porosity, particle radius, ...) and factors on tabulated functions changed
        (see :mod:`cellsim.engine.fast.derive`), so a changed cell costs milliseconds.

        Parameters
        ----------
        updates
            PyBaMM parameter name → new value, or → :class:`~cellsim.Factor` to multiply the
            present value: a number, or a function such as a diffusivity or an
            exchange-current density (``Factor(2.0)`` gives ``2 * f(...)``).
        name
            Name of the new cell (default: this one's with " (modified)").
        """
        values = self.parameter_values
        unknown = [key for key in updates if key not in values.keys()]
        if unknown:
            raise InputError(f"unknown PyBaMM parameter(s) {unknown} for cell {self.chemistry!r}")
        resolved = {key: apply_factor(key, values[key], value) if isinstance(value, Factor)
                    else value for key, value in updates.items()}
        values.update(resolved)
        changed = replace(self, _values=values, name=name or f"{self.name} (modified)",
                          _base=self._base or self, _changed=self._changed | set(resolved))
        scale = changed.theoretical_capacity_Ah / self.theoretical_capacity_Ah
        result = replace(changed, nominal_capacity_Ah=self.nominal_capacity_Ah * scale)
        for cached in ("stoichiometry_limits", "theoretical_capacity_Ah"):  # keep, not recompute
            result.__dict__[cached] = changed.__dict__[cached]
        return result

    # --- electrochemistry ----------------------------------------------------------------
    @property
    def parameter_values(self):
        """A fresh ``pybamm.ParameterValues`` of this cell (safe to modify)."""
        return self._values.copy()

    def pybamm_options(self, **extra: str) -> dict[str, Any]:
        """PyBaMM model options for this cell: :attr:`model_options`, PyBaMM's
        ``"contact resistance": "true"`` when the cell has a non-zero ``"Contact resistance
        [Ohm]"`` (PyBaMM ignores the parameter without it), and ``extra`` (e.g. ``thermal``)."""
        options = dict(self.model_options)
        if float(self._values.get("Contact resistance [Ohm]", 0.0) or 0.0) != 0.0:
            options["contact resistance"] = "true"
        options.update(extra)
        return options

    @property
    def is_half_cell(self) -> bool:
        """True for a Li-metal negative electrode (PyBaMM's half-cell model)."""
        return self.model_options.get("working electrode") == "positive"

    @cached_property
    def stoichiometry_limits(self) -> StoichiometryLimits:
        """Electrode stoichiometries at 0 % and 100 % SOC, from PyBaMM's electrode-SOH solver.

        A cell from :meth:`with_parameters` that kept its base cell's open-circuit potentials
        (and has no OCP hysteresis or MSMR option) solves the same equations with the base
        cell's processed OCPs (:mod:`cellsim.chemistry.electrode_soh`, ~1 ms instead of ~1 s).
        """
        single_ocp = self.model_options.get("open-circuit potential", "single") == "single"
        if self._base is not None and single_ocp and not any(map(_affects_ocp, self._changed)):
            x_n_0, x_n_100, x_p_0, x_p_100 = electrode_soh.stoichiometry_limits(
                self._base._open_circuit_potentials, self._values)
            return StoichiometryLimits(x_n_0, x_n_100, x_p_0, x_p_100)
        lion = pybamm().lithium_ion
        values = self._values
        if self.is_half_cell:
            x_0 = lion.get_initial_stoichiometry_half_cell(0.0, values, options=self.model_options)
            x_100 = lion.get_initial_stoichiometry_half_cell(1.0, values, options=self.model_options)
            return StoichiometryLimits(None, None, float(x_0["x"]), float(x_100["x"]))
        x_n_0, x_n_100, x_p_100, x_p_0 = lion.get_min_max_stoichiometries(values)
        return StoichiometryLimits(float(x_n_0), float(x_n_100), float(x_p_0), float(x_p_100))

    @cached_property
    def _open_circuit_potentials(self) -> electrode_soh.OpenCircuitPotentials:
        return electrode_soh.OpenCircuitPotentials(self._values, self.model_options)

    @cached_property
    def theoretical_capacity_Ah(self) -> float:
        """Cyclable capacity between the voltage limits from the electrodes' lithium inventory."""
        v = self._values
        limits = self.stoichiometry_limits
        area_m2 = electrode_area_m2(v)
        pos_Ah = (
            area_m2
            * v["Positive electrode thickness [m]"]
            * v["Positive electrode active material volume fraction"]
            * v["Maximum concentration in positive electrode [mol.m-3]"]
            * FARADAY_C_PER_MOL
            / 3600
        )
        return float(pos_Ah * (limits.x_p_0 - limits.x_p_100))

    def open_circuit_voltage_V(self, soc: float | np.ndarray, temperature_C: float = 25.0) -> np.ndarray:
        """Equilibrium cell voltage at ``soc`` (0–1) and temperature, from the electrode OCPs."""
        pb = pybamm()
        soc_array = np.atleast_1d(np.asarray(soc, dtype=float))
        param = pb.LithiumIonParameters(self.model_options)
        T = pb.Scalar(temperature_C + 273.15)
        limits = self.stoichiometry_limits
        u_p = param.p.prim.U(pb.Vector(limits.positive(soc_array)), T)
        ocv = self._values.process_symbol(u_p).evaluate().ravel()
        if not self.is_half_cell:
            u_n = param.n.prim.U(pb.Vector(limits.negative(soc_array)), T)
            ocv = ocv - self._values.process_symbol(u_n).evaluate().ravel()
        return ocv

    @cached_property
    def nominal_voltage_V(self) -> float:
        """Mean open-circuit voltage over 0–100 % SOC at 25 °C."""
        soc = np.linspace(0.0, 1.0, 201)
        return float(np.trapezoid(self.open_circuit_voltage_V(soc), soc))

    @property
    def nominal_energy_Wh(self) -> float:
        """Nominal capacity × nominal (mean open-circuit) voltage."""
        return self.nominal_capacity_Ah * self.nominal_voltage_V

    # --- mass and volume -----------------------------------------------------------------
    @cached_property
    def _mass_volume(self) -> dict[str, float]:
        if self._mass_model == "unknown":
            raise InputError(
                f"cell {self.name!r} was built from bare parameter values: its mass and volume "
                "are unknown (use a parameter file or a BPX file)"
            )
        if self._mass_model == "bpx":
            volume_m3 = float(self._values["Cell volume [m3]"])
            mass_kg = float(self._values["Density [kg.m-3]"]) * volume_m3
            return {"stack_mass_kg": mass_kg, "stack_volume_L": volume_m3 * 1e3,
                    "mass_kg": mass_kg, "volume_L": volume_m3 * 1e3}
        return stack_mass_volume(self._values, self.parameter_set, self.is_half_cell)

    @property
    def stack_mass_kg(self) -> float:
        """Mass of electrodes, separator, electrolyte and current collectors."""
        return self._mass_volume["stack_mass_kg"]

    @property
    def stack_volume_L(self) -> float:
        """Volume of the electrode stack."""
        return self._mass_volume["stack_volume_L"]

    @property
    def mass_kg(self) -> float:
        """Cell mass: stack plus housing allowance."""
        return self._mass_volume["mass_kg"]

    @property
    def volume_L(self) -> float:
        """Cell volume: stack plus housing allowance."""
        return self._mass_volume["volume_L"]

    @property
    def specific_energy_Wh_per_kg(self) -> float:
        """Nominal energy per cell mass."""
        return self.nominal_energy_Wh / self.mass_kg

    @property
    def energy_density_Wh_per_L(self) -> float:
        """Nominal energy per cell volume."""
        return self.nominal_energy_Wh / self.volume_L

    # --- pack design data ------------------------------------------------------------------
    @property
    def cell_to_pack_mass_ratio(self) -> float | None:
        """Cells' share of pack mass from the parameter file (None if it gives none)."""
        return self._pack_value("cell_to_pack_mass_ratio")

    @property
    def cell_to_pack_volume_ratio(self) -> float | None:
        """Cells' share of pack volume from the parameter file (None if it gives none)."""
        return self._pack_value("cell_to_pack_volume_ratio")

    def _pack_value(self, key: str) -> float | None:
        if self.parameter_set is None:
            return None
        value = self.parameter_set.pack.get(key)
        return None if value is None else float(value)

    def summary(self) -> dict[str, Any]:
        """Main figures as a flat dict (id, capacity, energy, mass, volume, Wh/kg, Wh/L)."""
        return {
            "chemistry": self.chemistry,
            "name": self.name,
            "family": self.family,
            "nominal_capacity_Ah": self.nominal_capacity_Ah,
            "nominal_voltage_V": self.nominal_voltage_V,
            "nominal_energy_Wh": self.nominal_energy_Wh,
            "mass_kg": self.mass_kg,
            "volume_L": self.volume_L,
            "specific_energy_Wh_per_kg": self.specific_energy_Wh_per_kg,
            "energy_density_Wh_per_L": self.energy_density_Wh_per_L,
            "projection": bool(self.parameter_set and self.parameter_set.projection),
        }


def _affects_ocp(key: str) -> bool:
    """True if PyBaMM parameter ``key`` may change an open-circuit potential at the reference
    temperature (an OCP, its entropic change or hysteresis branch, the reference temperature)."""
    return "OCP" in key or key == "Reference temperature [K]"


def electrode_area_m2(values) -> float:
    """Total electrode area: height × width × electrodes connected in parallel."""
    parallel = values.get("Number of electrodes connected in parallel to make a cell", 1)
    return float(values["Electrode height [m]"] * values["Electrode width [m]"] * parallel)


def stack_mass_volume(values, pset: ParameterSet | None, half_cell: bool) -> dict[str, float]:
    """Mass and volume of an electrode stack and the cell around it.

    ``m = A·[Σ ρᵢLᵢ + ρ_electrolyte·Σ εᵢLᵢ + ½·Σ ρ_cc·L_cc] + housing`` and
    ``V = A·(L_n + L_s + L_p + ½L_cc,n + ½L_cc,p) + housing``, with ``A`` the electrode area
    counting both coated faces of each double-sided electrode (so each collector is shared by
    two faces). For a Li-metal half cell the negative electrode is the lithium foil of the file's
    ``[stack]`` table.
    """
    stack = pset.stack if pset else {}
    housing = pset.housing if pset else {}
    where = pset.path if pset else "parameter values"
    try:
        rho_electrolyte = float(stack["electrolyte_density_kg_per_m3"])
    except KeyError:
        raise ParameterFileError(f"{where}: key 'stack.electrolyte_density_kg_per_m3' missing") from None
    v = values
    area_m2 = electrode_area_m2(v)
    per_area_kg = 0.0
    thickness_m = 0.0
    domains = ["Separator", "Positive electrode"]
    if half_cell:
        try:
            li_thickness_m = float(stack["lithium_metal_thickness_m"])
            li_density = float(stack["lithium_metal_density_kg_per_m3"])
        except KeyError as err:
            raise ParameterFileError(f"{where}: key 'stack.{err.args[0]}' missing (half cell)") from None
        per_area_kg += li_density * li_thickness_m
        thickness_m += li_thickness_m
    else:
        domains.insert(0, "Negative electrode")
    for domain in domains:
        length_m = v[f"{domain} thickness [m]"]
        per_area_kg += v[f"{domain} density [kg.m-3]"] * length_m
        per_area_kg += rho_electrolyte * v[f"{domain} porosity"] * length_m
        thickness_m += length_m
    for side in ("Negative", "Positive"):
        length_m = v[f"{side} current collector thickness [m]"]
        per_area_kg += 0.5 * v[f"{side} current collector density [kg.m-3]"] * length_m
        thickness_m += 0.5 * length_m
    stack_mass_kg = float(area_m2 * per_area_kg)
    stack_volume_L = float(area_m2 * thickness_m * 1e3)
    return {
        "stack_mass_kg": stack_mass_kg,
        "stack_volume_L": stack_volume_L,
        "mass_kg": stack_mass_kg + float(housing.get("mass_kg", 0.0)),
        "volume_L": stack_volume_L + float(housing.get("volume_L", 0.0)),
    }
