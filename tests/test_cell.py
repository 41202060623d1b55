"""Cells from parameter files and BPX: ids, errors, mass/volume bookkeeping, copies."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import cellsim
from cellsim.chemistry.cell import parameter_set_dir
from cellsim.errors import InputError, ParameterFileError


def test_four_chemistries_ship():
    assert cellsim.chemistries() == ["lfp", "ncm523", "ncm811", "solid_state"]


def test_unknown_chemistry_lists_the_available_ids():
    with pytest.raises(InputError) as err:
        cellsim.Cell.from_chemistry("nca")
    for chemistry in cellsim.chemistries():
        assert chemistry in str(err.value)


def test_parameter_values_are_fresh_copies(cells):
    cell = cells["ncm811"]
    values = cell.parameter_values
    values["Positive electrode thickness [m]"] = 1.0
    assert cell.parameter_values["Positive electrode thickness [m]"] != 1.0


def test_mass_is_stack_plus_housing(cells):
    for cell in cells.values():
        housing = cell.parameter_set.housing
        assert cell.mass_kg == pytest.approx(cell.stack_mass_kg + housing["mass_kg"])
        assert cell.volume_L == pytest.approx(cell.stack_volume_L + housing["volume_L"])
        assert cell.stack_mass_kg > 0.5 * cell.mass_kg


def test_electrode_capacity_matches_nominal(cells):
    for cell in cells.values():
        assert cell.theoretical_capacity_Ah == pytest.approx(cell.nominal_capacity_Ah, rel=0.06)


def test_thicker_electrodes_raise_capacity_and_mass(cells):
    cell = cells["ncm811"]
    values = cell.parameter_values
    thicker = cell.with_parameters(
        {
            "Positive electrode thickness [m]": 1.3 * values["Positive electrode thickness [m]"],
            "Negative electrode thickness [m]": 1.3 * values["Negative electrode thickness [m]"],
        }
    )
    assert thicker.nominal_capacity_Ah == pytest.approx(1.3 * cell.nominal_capacity_Ah, rel=0.02)
    assert thicker.mass_kg > cell.mass_kg
    assert thicker.specific_energy_Wh_per_kg > cell.specific_energy_Wh_per_kg


def test_with_parameters_rejects_unknown_keys(cells):
    with pytest.raises(InputError, match="Positive electrode thicknes"):
        cells["lfp"].with_parameters({"Positive electrode thicknes [m]": 1e-4})


def test_open_circuit_voltage_falls_with_soc(cells):
    for cell in cells.values():
        ocv = cell.open_circuit_voltage_V(np.linspace(0, 1, 21))
        assert ocv[0] == pytest.approx(cell.voltage_min_V, abs=0.15)
        assert ocv[-1] == pytest.approx(cell.voltage_max_V, abs=0.15)
        assert ocv[-1] > ocv[0]


def test_user_file_in_the_same_format_loads(tmp_path):
    path = tmp_path / "my_cell.toml"
    shutil.copy(parameter_set_dir() / "lfp.toml", path)
    cell = cellsim.Cell.from_file(path)
    assert cell.chemistry == "lfp"
    assert cell.nominal_capacity_Ah > 0


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda text: text.replace("nominal_capacity_Ah =", "nominal_capacity_A ="), "nominal_capacity_A"),
        (lambda text: re.sub(r"nominal_capacity_Ah = [0-9.]+", "nominal_capacity_Ah = -5.0", text), "nominal_capacity_Ah"),
        (lambda text: re.sub(r'family = "[^"]+"', 'family = "NCA"', text), "family"),
        (lambda text: text.replace('base = "', 'base = "NoSuchSet', 1), "model.base"),
        (lambda text: text + '\n[[blocks]]\nname = "x"\nsource = "y"\n[blocks.parameters]\n"Separator porosity" = { value = 1 }\n', "Separator porosity"),
        (lambda text: text + '\n[[blocks]]\nname = "x"\nsource = "y"\n[blocks.parameters]\n"Positive electrode OCP [V]" = { stoichiometry = [0.5, 0.1], ocp_V = [3.0, 4.0] }\n', "Positive electrode OCP"),
        (lambda text: text + '\n[[blocks]]\nname = "x"\nsource = "y"\n[blocks.parameters]\n"Positive particle diffusivity [m2.s-1]" = { value = 4e-15, activation_energy_J_per_mol = 25000, stoichiometry = [0.5, 1.0], factor = [1.0, 0.0] }\n', "Positive particle diffusivity [m2.s-1]'.factor"),
        (lambda text: text + '\n[[blocks]]\nname = "x"\nsource = "y"\n[blocks.parameters]\n"Positive particle diffusivity [m2.s-1]" = { value = 4e-15, activation_energy_J_per_mol = 25000, stoichiometry = [0.5, 0.9, 1.0], factor = [1.0, 0.1] }\n', "stoichiometry and factor"),
        (lambda text: text + '\n[[blocks]]\nname = "x"\nsource = "y"\n[blocks.parameters]\n"Electrolyte conductivity [S.m-1]" = { value = 1.0, activation_energy_J_per_mol = 17000, stoichiometry = [0.5, 1.0], factor = [1.0, 0.1] }\n', "particle diffusivity"),
        (lambda text: text + "\nthis is not toml", "not valid TOML"),
    ],
)
def test_malformed_parameter_file_names_file_and_key(tmp_path, edit, key):
    path = tmp_path / "broken.toml"
    path.write_text(edit((parameter_set_dir() / "ncm811.toml").read_text()))
    with pytest.raises(ParameterFileError) as err:
        cellsim.Cell.from_file(path)
    assert str(path) in str(err.value)
    assert key in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterFileError, match="no such"):
        cellsim.Cell.from_file(tmp_path / "nope.toml")


def test_bpx_cell_loads_with_cell_level_mass(bpx_file):
    cell = cellsim.Cell.from_bpx(bpx_file)
    assert cell.nominal_capacity_Ah == pytest.approx(12.5)
    assert cell.theoretical_capacity_Ah == pytest.approx(12.5, rel=0.1)
    assert cell.mass_kg == pytest.approx(1847 * 0.000128)


def test_malformed_bpx_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"Header": {}, "Parameterisation": {}}')
    with pytest.raises(ParameterFileError, match="bad.json"):
        cellsim.Cell.from_bpx(path)
