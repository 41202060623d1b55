"""DC fast charging and the thermal scenarios: charger power vs cell limit, cold plating,
cooling, US06 heat, cold range, bad input."""

from __future__ import annotations

import math

import pytest

import cellsim
import numpy as np

from cellsim.engine.fast import FastEngine
from cellsim.errors import InputError
from cellsim.studies.fast_charge import fast_charge


@pytest.fixture(scope="module")
def packs(cells):
    return {c: cellsim.Pack.sized(cells[c], energy_kWh=75, voltage_V=400)
            for c in ("ncm811", "lfp")}


# --- plating-potential limit of the engine --------------------------------------------------
def _cold_charge(cell, limit_V):
    """3C-power charge from 10 % SOC at 0 °C in 5 s chunks: lowest plating potential at the
    separator after each chunk, and the SOC reached after 5 minutes."""
    sim = FastEngine().start(cell, soc=0.1, ambient_C=0.0)
    sim.plating_limit_V = limit_V
    power_W = -3.0 * cell.nominal_capacity_Ah * 3.8
    lowest = np.inf
    for _ in range(60):
        seg = sim.power(np.full(5, power_W))
        lowest = min(lowest, sim.plating_potential_V(float(seg.trace.current_A[-1])))
    return lowest, sim.soc


@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
def test_plating_limit_keeps_the_separator_potential_above_the_margin(cells, chemistry):
    free_lowest, free_soc = _cold_charge(cells[chemistry], None)
    held_lowest, held_soc = _cold_charge(cells[chemistry], 0.0)
    assert free_lowest < -0.005  # a cold 3C charge plates without the limit
    assert held_lowest >= -1e-6  # the limit holds it at 0 V vs Li/Li+
    assert held_soc < free_soc  # by charging more slowly


def test_plating_potential_at_rest_is_above_the_loaded_one(cells):
    sim = FastEngine().start(cells["ncm811"], soc=0.5)
    rest = sim.plating_potential_V(0.0)
    assert 0.05 < rest < 0.3  # graphite at half charge, V vs Li/Li+
    assert sim.plating_potential_V(-10.0) < rest < sim.plating_potential_V(10.0)


def test_plating_limit_is_refused_for_a_lithium_metal_negative(cells):
    sim = FastEngine().start(cells["solid_state"], soc=0.5)
    assert sim.lithium_metal_negative
    with pytest.raises(InputError, match="lithium-metal"):
        sim.plating_limit_V = 0.0


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"charger_kW": 0}, "charger_kW"),
        ({"charger_kW": -50}, "charger_kW"),
        ({"charger_kW": 150, "start_soc": 0.8, "end_soc": 0.5}, "end_soc"),
        ({"charger_kW": 150, "end_soc": 1.2}, "end_soc"),
        ({"charger_kW": 150, "start_soc": -0.1}, "start_soc"),
        ({"charger_kW": 150, "ambient_C": 70}, "ambient_C"),
        ({"charger_kW": 150, "coolant_C": -45}, "coolant_C"),
        ({"charger_kW": 150, "h_W_per_m2K": -1}, "h_W_per_m2K"),
        ({"charger_kW": 150, "plating_margin_V": 0.8}, "plating_margin_V"),
    ],
)
def test_bad_input_names_the_field(packs, kwargs, field):
    with pytest.raises(InputError, match=field):
        fast_charge(packs["ncm811"], **kwargs)


# --- physics ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
def test_time_shortens_with_charger_power_until_the_cell_limits(packs, chemistry):
    results = {kw: fast_charge(packs[chemistry], kw) for kw in (50, 100, 150, 300, 400)}
    times = [results[kw].time_min for kw in (50, 100, 150)]
    assert all(math.isfinite(t) for t in times)
    assert times[0] > times[1] > times[2]  # charger-limited: more power, shorter charge
    assert results[50].limited_by == "charger"
    # above the cell's limits (rated current, plating potential) the extra power is not used
    assert results[400].limited_by in ("cell current", "plating potential", "voltage")
    assert results[400].time_min == pytest.approx(results[300].time_min, rel=0.03)
    assert results[400].mean_power_kW < 0.8 * 400
    for r in results.values():
        assert r.reached and r.data["soc"].iloc[-1] >= 0.8 - 1e-3
        assert r.peak_temperature_C >= 25.0 - 1e-6


def test_fast_charging_at_0C_plates_more_lithium_than_at_25C(packs):
    cold = fast_charge(packs["ncm811"], 150, ambient_C=0.0)
    warm = fast_charge(packs["ncm811"], 150, ambient_C=25.0)
    assert cold.plated_Ah > warm.plated_Ah >= 0.0
    assert cold.time_min > warm.time_min  # the plating-potential limit slows the cold charge
    assert (cold.data["limit"] == "plating potential").any()


def test_cooling_lowers_the_peak_temperature(packs):
    natural = fast_charge(packs["ncm811"], 150)
    cooled = fast_charge(packs["ncm811"], 150, coolant_C=20.0, h_W_per_m2K=300.0)
    assert cooled.peak_temperature_C < natural.peak_temperature_C
    assert cooled.peak_temperature_C > 20.0


# --- thermal scenarios -------------------------------------------------------------------------
def test_us06_at_35C_heats_the_cell(packs):
    from cellsim.studies.thermal import us06_peak_temperature

    result = us06_peak_temperature(packs["ncm811"], cellsim.Vehicle.default(), 35.0)
    assert result["peak_temperature_C"] > 35.0
    assert result["range_km"] > 100


def test_cold_range_falls_with_temperature(packs):
    from cellsim.studies.thermal import cold_range

    table = cold_range(packs["ncm811"], cellsim.Vehicle.default())
    by_ambient = table.set_index("ambient_C")["range_km"]
    assert by_ambient[-20.0] < by_ambient[-7.0] < by_ambient[25.0]
