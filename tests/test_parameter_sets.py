"""Physics checks of the four shipped parameter sets (parameter_sets/*.toml).

Each chemistry, PyBaMM DFN through cellsim's reference engine:
- C/5 at 25 °C discharges within 5 % of the nominal capacity, with a plausible mean voltage;
- 2C capacity < C/5 capacity; 1C at 0 °C < 1C at 25 °C (Arrhenius terms present);
- computed specific energy / energy density inside the band of the file's [reference_cell];
- the electrode capacity (A·L·ε_s·c_max·F·Δsto at the voltage window) matches the nominal capacity;
- a lumped-thermal run works; solid_state beats ncm811 on Wh/kg and is marked as a projection.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pytest

os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"

import cellsim  # noqa: E402
from cellsim import Cell  # noqa: E402

PARAMETER_SETS = Path(__file__).resolve().parents[1] / "parameter_sets"
CHEMISTRIES = ("ncm811", "ncm523", "lfp", "solid_state")
MEAN_VOLTAGE_C5_V = {  # plausible mean discharge voltage at C/5, 25 °C
    "ncm811": (3.55, 3.80),
    "ncm523": (3.55, 3.80),
    "lfp": (3.10, 3.30),
    "solid_state": (3.60, 3.90),  # NCM811 vs Li metal: no graphite offset
}


def _toml(chemistry: str) -> dict:
    with open(PARAMETER_SETS / f"{chemistry}.toml", "rb") as f:
        return tomllib.load(f)


@cache
def _cell(chemistry: str) -> Cell:
    return Cell.from_chemistry(chemistry)


@cache
def _discharge(chemistry: str, c_rate: float, temperature_C: float = 25):
    return cellsim.discharge(_cell(chemistry), c_rate, temperature_C=temperature_C, model="DFN")


def test_all_four_chemistries_listed():
    assert set(CHEMISTRIES) <= set(cellsim.chemistries())


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_file_metadata_and_sources(chemistry):
    data = _toml(chemistry)
    assert data["id"] == chemistry
    assert data["family"] in ("NCM", "LFP", "solid-state")
    assert data["voltage_min_V"] < data["voltage_max_V"]
    for table in ("housing", "reference_cell", "pack"):
        assert data[table]["source"].strip()
    assert data["stack"]["electrolyte_density_source"].strip()
    for block in data["blocks"]:
        assert block["source"].strip(), block["name"]
        assert "doi" in block["source"].lower() or "datasheet" in block["source"].lower(), block["name"]
    assert data.get("projection", False) is (chemistry == "solid_state")


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_c5_capacity_within_5_percent_of_nominal(chemistry):
    cell = _cell(chemistry)
    result = _discharge(chemistry, 0.2)
    assert result.capacity_Ah == pytest.approx(cell.nominal_capacity_Ah, rel=0.05)


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_c5_mean_voltage_plausible(chemistry):
    data = _discharge(chemistry, 0.2).data
    q = data["capacity_Ah"].abs().to_numpy()
    v = data["voltage_V"].to_numpy()
    mean_v = np.trapezoid(v, q) / q[-1]
    low, high = MEAN_VOLTAGE_C5_V[chemistry]
    assert low <= mean_v <= high, f"{chemistry}: mean voltage {mean_v:.3f} V"
    # the curve runs between the file's voltage limits
    limits = _toml(chemistry)
    assert v.max() <= limits["voltage_max_V"] + 0.01
    assert v.min() >= limits["voltage_min_V"] - 0.01


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_rate_capability(chemistry):
    assert _discharge(chemistry, 2.0).capacity_Ah < _discharge(chemistry, 0.2).capacity_Ah


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_cold_capacity_lower(chemistry):
    assert _discharge(chemistry, 1.0, 0).capacity_Ah < _discharge(chemistry, 1.0, 25).capacity_Ah


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_energy_density_inside_reference_band(chemistry):
    cell = _cell(chemistry)
    ref = _toml(chemistry)["reference_cell"]
    lo, hi = ref["specific_energy_Wh_per_kg"]
    assert lo <= cell.specific_energy_Wh_per_kg <= hi, cell.specific_energy_Wh_per_kg
    lo, hi = ref["energy_density_Wh_per_L"]
    assert lo <= cell.energy_density_Wh_per_L <= hi, cell.energy_density_Wh_per_L


def test_ncm811_matches_lg_m50():
    cell = _cell("ncm811")
    assert cell.specific_energy_Wh_per_kg == pytest.approx(263, rel=0.10)
    assert cell.energy_density_Wh_per_L == pytest.approx(750, rel=0.10)
    assert cell.mass_kg == pytest.approx(0.069, rel=0.05)
    assert cell.volume_L == pytest.approx(0.0242, rel=0.05)


def test_solid_state_beats_ncm811_and_is_projection():
    assert _cell("solid_state").specific_energy_Wh_per_kg > _cell("ncm811").specific_energy_Wh_per_kg
    assert _toml("solid_state")["projection"] is True
    assert _toml("solid_state")["model"]["options"] == {"working electrode": "positive"}


@pytest.mark.parametrize("chemistry", ("ncm811", "ncm523", "lfp"))
def test_electrode_capacity_matches_nominal(chemistry):
    """A·L·ε_s·c_max·F·Δsto of the positive electrode between 100 % and 0 % SOC."""
    cell = _cell(chemistry)
    pv = cell.parameter_values
    pybamm = cellsim._pybamm.pybamm() if hasattr(cellsim, "_pybamm") else __import__("pybamm")
    param = pybamm.LithiumIonParameters()
    x0, x100, y100, y0 = pybamm.lithium_ion.get_min_max_stoichiometries(pv, param)
    area = pv["Electrode height [m]"] * pv["Electrode width [m]"]
    q_pos = (
        area
        * pv["Positive electrode thickness [m]"]
        * pv["Positive electrode active material volume fraction"]
        * pv["Maximum concentration in positive electrode [mol.m-3]"]
        * 96485.33212
        * (y0 - y100)
        / 3600
    )
    assert q_pos == pytest.approx(cell.nominal_capacity_Ah, rel=0.05)


@pytest.mark.parametrize("chemistry", ("ncm811", "lfp"))
def test_densities_are_dry_coating_values(chemistry):
    """Dry-coating density must not exceed the solid's true density times its solid fraction."""
    pv = _cell(chemistry).parameter_values
    for electrode, solid_max in (("Negative", 2400.0), ("Positive", 5000.0)):
        solid_fraction = 1 - pv[f"{electrode} electrode porosity"]
        assert pv[f"{electrode} electrode density [kg.m-3]"] <= solid_max * solid_fraction


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_lumped_thermal_runs_and_heats(chemistry):
    """Every set carries the thermal keys a lumped model needs (Prada2013 alone does not)."""
    pybamm = __import__("pybamm")
    cell = _cell(chemistry)
    options = dict(_toml(chemistry)["model"].get("options", {}))
    options["thermal"] = "lumped"
    model = pybamm.lithium_ion.DFN(options)
    pv = cell.parameter_values
    pv.set_initial_state(1.0, options=model.options)
    pv["Current function [A]"] = cell.nominal_capacity_Ah
    sim = pybamm.Simulation(model, parameter_values=pv, solver=pybamm.IDAKLUSolver())
    sol = sim.solve([0, 3600])
    temperature = sol["Volume-averaged cell temperature [K]"].entries
    assert temperature[-1] > temperature[0]
    assert sol["Discharge capacity [A.h]"].entries[-1] > 0.8 * cell.nominal_capacity_Ah
