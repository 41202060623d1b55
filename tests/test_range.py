"""Range tests: energy balance, consumption, cold weather, pack mass, regen, power limits."""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from cellsim.errors import InputError

CHEMISTRIES = ("ncm811", "ncm523", "lfp", "solid_state")


@pytest.fixture(scope="module")
def vehicle():
    return cellsim.Vehicle.default()


@pytest.fixture(scope="module")
def packs(cells):
    return {c: cellsim.Pack.sized(cells[c], energy_kWh=75, voltage_V=400) for c in CHEMISTRIES}


@pytest.fixture(scope="module")
def wltc(packs, vehicle):
    return {
        (c, ambient_C): cellsim.range_test(packs[c], vehicle, "wltc_class3b", ambient_C=ambient_C)
        for c in CHEMISTRIES
        for ambient_C in (25.0, -7.0)
    }


@pytest.mark.parametrize("ambient_C", [25.0, -7.0])
@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_energy_balance_at_the_pack(packs, vehicle, chemistry, ambient_C):
    """∫V·I dt over the run equals the energy the vehicle demanded. Starts at 90 % SOC: from a
    full charge a cold cell's open-circuit voltage sits above its upper cut-off and the engine
    (rightly) refuses regenerative charge, which the car then sheds in its friction brakes."""
    result = cellsim.range_test(packs[chemistry], vehicle, "wltc_class3b", ambient_C=ambient_C,
                                start_soc=0.9)
    data = result.data
    v_times_i_kWh = np.trapezoid(data["voltage_V"] * data["current_A"], data["time_s"])
    pack = packs[chemistry]
    assert v_times_i_kWh * pack.n_cells / 3.6e6 == pytest.approx(result.energy_delivered_kWh, rel=1e-3)
    assert result.energy_delivered_kWh == pytest.approx(result.demanded_energy_kWh, rel=0.005)


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_wltc_consumption_is_that_of_an_ev(wltc, chemistry):
    result = wltc[(chemistry, 25.0)]
    assert 120 <= result.consumption_Wh_per_km <= 220
    assert result.end_reason == "empty"
    assert not result.power_limited
    assert result.range_km > 300


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_cold_weather_shortens_range(wltc, chemistry):
    assert wltc[(chemistry, -7.0)].range_km < wltc[(chemistry, 25.0)].range_km


def test_heavier_pack_consumes_more_per_km(wltc, packs):
    by_mass = sorted(CHEMISTRIES, key=lambda c: packs[c].mass_kg)
    consumption = [wltc[(c, 25.0)].consumption_Wh_per_km for c in by_mass]
    specific = [packs[c].specific_energy_Wh_per_kg for c in by_mass]
    assert specific == sorted(specific, reverse=True)
    assert consumption == sorted(consumption)


def test_holding_vehicle_mass_fixed_removes_the_pack_mass_penalty(packs, vehicle):
    lfp = packs["lfp"]
    with_mass = cellsim.range_test(lfp, vehicle, "wltc_class3b")
    fixed = cellsim.range_test(lfp, vehicle, "wltc_class3b", include_pack_mass=False)
    assert fixed.consumption_Wh_per_km < with_mass.consumption_Wh_per_km


def test_udds_regenerates_within_the_cap(packs, vehicle):
    result = cellsim.range_test(packs["ncm811"], vehicle, "udds")
    assert result.regen_energy_kWh > 0
    assert result.data["power_demand_W"].min() >= -vehicle.regen_power_cap_W
    charging = result.data["power_W"] < 0
    assert charging.any()
    assert result.data.loc[charging, "power_W"].min() >= -vehicle.regen_power_cap_W * 1.001


def test_undersized_pack_ends_power_limited_not_with_an_exception(cells, vehicle):
    small = cellsim.Pack(cells["ncm811"], series=96, parallel=1)  # 1.8 kWh: cannot climb US06
    result = cellsim.range_test(small, vehicle, "us06")
    assert result.power_limited
    assert result.end_reason == "power_limited"
    assert 0 < result.power_limited_time_s < 600
    assert result.range_km < 13
    assert np.isfinite(result.data["voltage_V"]).all()


def test_cycle_table_follows_the_driven_trace(wltc):
    """Each complete cycle covers the WLTC class 3b distance (23.27 km, UNECE GTR No. 15,
    Annex 1) and the trace's odometer ends where the cycle table does."""
    result = wltc[("ncm811", 25.0)]
    complete = result.cycles[result.cycles["complete"]]
    assert complete["distance_km"].to_numpy() == pytest.approx(23.27, rel=2e-3)
    assert result.cycles["complete"].iloc[:-1].all()
    assert not result.cycles["complete"].iloc[-1]
    assert result.data["distance_km"].iloc[-1] == pytest.approx(result.range_km, abs=0.05)


def test_demand_of_the_last_cycle_counts_the_part_of_the_last_second(packs, vehicle):
    """A cold range test from 8 % SOC ends inside a second (the engine stops where the cell
    reaches its cut-off); the energy the vehicle demanded up to then, part of that last second
    included, is what the cell delivered (the fast engine holds each step's power exactly)."""
    result = cellsim.range_test(packs["ncm811"], vehicle, "wltc_class3b", ambient_C=-7.0,
                                start_soc=0.08)
    last = result.cycles.iloc[-1]
    assert result.end_reason == "empty"
    assert 0.0 < last["duration_s"] % 1.0 < 1.0
    data = result.data.drop_duplicates("time_s", keep="first")
    t = data["time_s"].to_numpy()
    delivered_Wh = float(np.sum(data["power_W"].to_numpy()[1:] * np.diff(t))) / 3600
    assert delivered_Wh == pytest.approx(result.cycles["energy_demanded_Wh"].sum(), rel=1e-6)


def test_epa_combined_lies_between_city_and_highway(packs, vehicle):
    result = cellsim.epa_combined_range(packs["ncm811"], vehicle)
    assert (result.city.cycle_name, result.highway.cycle_name) == ("udds", "hwfet")
    ranges = sorted([result.city.range_km, result.highway.range_km])
    assert ranges[0] < result.range_km < ranges[1]
    consumptions = sorted([result.city.consumption_Wh_per_km, result.highway.consumption_Wh_per_km])
    assert consumptions[0] < result.consumption_Wh_per_km < consumptions[1]
    label = cellsim.epa_combined_range(packs["ncm811"], vehicle, label_adjustment=True)
    assert label.range_km < result.range_km
    assert label.consumption_Wh_per_km > result.consumption_Wh_per_km


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"ambient_C": 60}, "ambient_C"), ({"ambient_C": np.nan}, "ambient_C"),
     ({"start_soc": 0}, "start_soc"), ({"start_soc": 1.2}, "start_soc"),
     ({"engine": "warp"}, "engine"), ({"cycle": "artemis"}, "artemis")],
)
def test_bad_range_input_names_the_field(packs, vehicle, kwargs, field):
    args = {"cycle": "wltc_class3b", **kwargs}
    with pytest.raises(InputError, match=field):
        cellsim.range_test(packs["ncm811"], vehicle, **args)
