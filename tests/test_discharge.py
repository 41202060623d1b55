"""Discharge curves on the reference engine: bad input, model agreement, the BPX cell's data."""

from __future__ import annotations

import json
import re
import math

import numpy as np
import pytest

import cellsim
from cellsim.errors import InputError, SimulationError

LIQUID = ("ncm811", "ncm523", "lfp")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"c_rate": 0}, "c_rate"),
        ({"c_rate": -1}, "c_rate"),
        ({"c_rate": math.nan}, "c_rate"),
        ({"c_rate": 1, "temperature_C": 95}, "temperature_C"),
        ({"c_rate": 1, "temperature_C": -60}, "temperature_C"),
        ({"c_rate": 1, "model": "P2D"}, "model"),
        ({"c_rate": 1, "engine": "warp"}, "engine"),
    ],
)
def test_bad_input_names_the_field_and_range(cells, kwargs, field):
    with pytest.raises(InputError, match=field) as err:
        cellsim.discharge(cells["ncm811"], **kwargs)
    if field in ("c_rate", "temperature_C"):
        assert re.search(r"allowed: [\[(]", str(err.value))


def test_result_is_a_tidy_frame_with_the_solution(cells):
    result = cellsim.discharge(cells["ncm811"], 1.0, model="SPM")
    assert list(result.data.columns[:7]) == [
        "time_s", "voltage_V", "current_A", "power_W", "capacity_Ah", "soc", "temperature_C"
    ]
    assert result.stop_reason == "voltage_min"
    assert result.data["voltage_V"].iloc[-1] == pytest.approx(cells["ncm811"].voltage_min_V, abs=0.01)
    assert result.data["soc"].iloc[0] == pytest.approx(1.0, abs=1e-3)


def test_capacity_and_energy_match_pybamms_own_integrals(cells):
    """cellsim's capacity and energy (from its sampled frame) against the same 1C SPM discharge
    run by PyBaMM directly, which integrates the discharge energy as a state of the model."""
    import pybamm

    cell = cells["ncm811"]
    result = cellsim.discharge(cell, 1.0, model="SPM", thermal="isothermal")
    values = cell.parameter_values
    values.update({"Current function [A]": cell.nominal_capacity_Ah,
                   "Ambient temperature [K]": 298.15, "Initial temperature [K]": 298.15})
    model = pybamm.lithium_ion.SPM(cell.pybamm_options(**{"calculate discharge energy": "true"}))
    solution = pybamm.Simulation(model, parameter_values=values, solver=pybamm.IDAKLUSolver()
                                 ).solve([0, 4000], initial_soc=1.0)
    assert result.capacity_Ah == pytest.approx(
        solution["Discharge capacity [A.h]"].entries[-1], rel=2e-3)
    assert result.energy_Wh == pytest.approx(solution["Discharge energy [W.h]"].entries[-1], rel=2e-3)


def test_charge_takes_in_about_what_a_discharge_gives(cells):
    cell = cells["ncm811"]
    charged = cellsim.charge(cell, 0.2, model="SPMe")
    discharged = cellsim.discharge(cell, 0.2, model="SPMe")
    assert charged.stop_reason == "voltage_max"
    assert charged.capacity_Ah == pytest.approx(discharged.capacity_Ah, rel=0.05)
    assert charged.mean_voltage_V > discharged.mean_voltage_V


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", LIQUID)
def test_spme_agrees_with_dfn_at_c_over_2(cells, chemistry):
    cell = cells[chemistry]
    dfn = cellsim.discharge(cell, 0.5, model="DFN")
    spme = cellsim.discharge(cell, 0.5, model="SPMe")
    t_end = min(dfn.data["time_s"].iloc[-1], spme.data["time_s"].iloc[-1])
    t = np.linspace(0, t_end, 400)
    v_dfn = np.interp(t, dfn.data["time_s"], dfn.data["voltage_V"])
    v_spme = np.interp(t, spme.data["time_s"], spme.data["voltage_V"])
    rmse_V = float(np.sqrt(np.mean((v_dfn - v_spme) ** 2)))
    assert rmse_V < 0.020, f"{chemistry}: SPMe vs DFN RMSE {rmse_V * 1e3:.1f} mV"


def test_solver_failure_is_a_cellsim_error_naming_the_condition(cells, monkeypatch):
    import pybamm

    def fail(*args, **kwargs):
        raise pybamm.SolverError("IDA_CONV_FAIL: convergence test failed repeatedly")

    monkeypatch.setattr(pybamm.Simulation, "solve", fail)
    with pytest.raises(SimulationError) as err:
        cellsim.discharge(cells["ncm811"], 1.0, temperature_C=-10, model="SPMe")
    message = str(err.value)
    for expected in ("ncm811", "SPMe", "-10 °C", "IDA_CONV_FAIL"):
        assert expected in message


def _measured(bpx_file, name):
    data = json.loads(bpx_file.read_text())["Validation"][name]
    return np.asarray(data["Time [s]"]), np.asarray(data["Voltage [V]"]), data


@pytest.mark.slow
@pytest.mark.parametrize(("name", "c_rate", "bound_V"), [("1C discharge", 1.0, 0.050), ("C/20 discharge", 0.05, 0.050)])
def test_bpx_cell_reproduces_its_measured_discharge(bpx_file, name, c_rate, bound_V):
    """The third-party cell against its own Validation data (DFN, isothermal at the measured start)."""
    time_s, voltage_V, data = _measured(bpx_file, name)
    cell = cellsim.Cell.from_bpx(bpx_file)
    start_C = data["Temperature [K]"][0] - 273.15
    result = cellsim.discharge(cell, c_rate, temperature_C=start_C, model="DFN")
    inside = time_s <= result.data["time_s"].iloc[-1]
    simulated_V = np.interp(time_s[inside], result.data["time_s"], result.data["voltage_V"])
    rmse_V = float(np.sqrt(np.mean((simulated_V - voltage_V[inside]) ** 2)))
    print(f"BPX {name}: RMSE {rmse_V * 1e3:.1f} mV over {inside.sum()} points")
    assert inside.mean() > 0.9
    assert rmse_V < bound_V
