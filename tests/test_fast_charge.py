"""DC fast charging and the thermal scenarios: charger power vs cell limit, cold plating,
cooling, US06 heat, cold range, bad input."""

from __future__ import annotations

import math

import pytest

import cellsim
from cellsim.engine.fast import FastSimulation
from cellsim.errors import InputError
from cellsim.studies.fast_charge import fast_charge, plating_safe_current_A

needs_ageing = pytest.mark.skipif(
    not (hasattr(FastSimulation, "ageing_state") and hasattr(FastSimulation, "capacity_Ah")),
    reason="the fast engine's ageing interface has not landed yet",
)


@pytest.fixture(scope="module")
def packs(cells):
    return {c: cellsim.Pack.sized(cells[c], energy_kWh=75, voltage_V=400)
            for c in ("ncm811", "lfp")}


# --- plating-safe limit (no engine) -------------------------------------------------------
def test_plating_safe_current_falls_in_the_cold(cells):
    cell = cells["ncm811"]
    warm = plating_safe_current_A(cell, 25.0)
    assert plating_safe_current_A(cell, 40.0) == pytest.approx(warm)  # capped at 25 °C value
    assert plating_safe_current_A(cell, 0.0) < 0.4 * warm
    assert plating_safe_current_A(cell, -10.0) < plating_safe_current_A(cell, 0.0)
    assert warm == pytest.approx(3.0 * cell.nominal_capacity_Ah)


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
    ],
)
def test_bad_input_names_the_field(packs, kwargs, field):
    with pytest.raises(InputError, match=field):
        fast_charge(packs["ncm811"], **kwargs)


# --- physics ---------------------------------------------------------------------------------
@needs_ageing
@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
def test_time_shortens_with_charger_power_until_the_cell_limits(packs, chemistry):
    results = {kw: fast_charge(packs[chemistry], kw) for kw in (50, 100, 150, 300, 400)}
    times = [results[kw].time_min for kw in (50, 100, 150)]
    assert all(math.isfinite(t) for t in times)
    assert times[0] > times[1] > times[2]  # charger-limited: more power, shorter charge
    assert results[50].limited_by == "charger"
    # above the cell's plating-safe current the charger's extra power is not used
    assert results[400].limited_by in ("cell current", "voltage")
    assert results[400].time_min == pytest.approx(results[300].time_min, rel=0.03)
    assert results[400].mean_power_kW < 0.8 * 400
    for r in results.values():
        assert r.reached and r.data["soc"].iloc[-1] >= 0.8 - 1e-3
        assert r.peak_temperature_C >= 25.0 - 1e-6


@needs_ageing
def test_fast_charging_at_0C_plates_more_lithium_than_at_25C(packs):
    cold = fast_charge(packs["ncm811"], 150, ambient_C=0.0)
    warm = fast_charge(packs["ncm811"], 150, ambient_C=25.0)
    assert cold.plated_Ah > warm.plated_Ah >= 0.0
    assert cold.time_min > warm.time_min  # the plating-safe limit derates the cold charge


@needs_ageing
def test_cooling_lowers_the_peak_temperature(packs):
    natural = fast_charge(packs["ncm811"], 150)
    cooled = fast_charge(packs["ncm811"], 150, coolant_C=20.0, h_W_per_m2K=300.0)
    assert cooled.peak_temperature_C < natural.peak_temperature_C
    assert cooled.peak_temperature_C > 20.0


# --- thermal scenarios (no ageing needed) ---------------------------------------------------------
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
    assert table["range_share_of_25C"].max() == pytest.approx(1.0)
