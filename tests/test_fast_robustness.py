"""Robustness of the fast engine's step solve at the cell's limits (no PyBaMM runs).

The rule: a demand the cell cannot meet ends the run with a stop reason and the time it happened
(``power_limited``, ``voltage_max``, ...), never with a Newton blow-up or NaN; a regen demand is
never met by discharging the cell, nor a traction demand by charging it.
"""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from cellsim.engine.fast import constants as C
from cellsim.engine.fast import kernel
from cellsim.engine.fast import layout as L
from cellsim.engine.fast.simulation import KELVIN, FastEngine


@pytest.fixture(scope="module")
def ncm811(cells):
    return cells["ncm811"]


def _capacity(cell) -> float:
    return float(cell.parameter_values["Nominal cell capacity [A.h]"])


def _finite(seg) -> bool:
    t = seg.trace
    return all(np.all(np.isfinite(a)) for a in (t.time_s, t.voltage_V, t.current_A, t.soc,
                                                 t.temperature_C))


# --- 1. power above what the cell can deliver ------------------------------------------------
def test_power_spike_then_regen_ends_power_limited(ncm811):
    """The undersized-pack US06 case: ~340 W per cell, then regen; no exception."""
    sim = FastEngine().start(ncm811, soc=1.0, ambient_C=25.0)
    power = np.array([20.0, 60.0, 120.0, 200.0, 341.0, -20.0, 500.0, 10.0])
    seg = sim.power(power)
    assert seg.stop_reason == "power_limited"
    assert _finite(seg)
    assert 0.0 <= seg.stop_time_s < power.size
    assert np.all(np.isfinite(sim.state))
    # the state is left where the run stopped and can continue
    assert _finite(sim.power(np.full(5, 5.0)))


@pytest.mark.parametrize(("soc", "ambient_C"), [(1.0, 25.0), (0.5, -10.0), (0.05, 0.0),
                                                (0.01, 25.0)])
def test_power_demand_above_maximum_is_power_limited(ncm811, soc, ambient_C):
    sim = FastEngine().start(ncm811, soc=soc, ambient_C=ambient_C)
    seg = sim.power(np.full(20, 2000.0))
    assert seg.stop_reason == "power_limited"
    assert seg.stop_time_s == 0.0
    assert _finite(seg)
    assert np.all(np.isfinite(sim.state))


def test_met_power_demands_are_exact_and_stop_before_the_limit(ncm811):
    """Demands below the maximum are met exactly (I V = P) with I >= 0; the run stops at the
    first step above it, not earlier."""
    sim = FastEngine().start(ncm811, soc=0.3, ambient_C=0.0)
    power = np.linspace(10.0, 600.0, 60)
    seg = sim.power(power)
    assert seg.stop_reason == "power_limited"
    t = seg.trace
    n = t.time_s.size - 1  # steps done
    assert n >= 1
    np.testing.assert_allclose(t.power_W[1:n + 1], power[:n], rtol=1e-8)
    assert np.all(t.current_A[1:] >= 0.0)
    assert np.all(t.voltage_V[1:] >= sim._a.prm[L.P_V_MIN] - 1e-9)


def test_long_discharge_ends_power_limited_at_the_empty_cell(ncm811):
    sim = FastEngine().start(ncm811, soc=0.05, ambient_C=-10.0)
    seg = sim.power(np.full(4000, 25.0))
    assert seg.stop_reason == "power_limited"
    assert 0 < seg.stop_time_s < 4000
    assert _finite(seg)


def test_undersized_pack_range_test(ncm811):
    pack = cellsim.Pack(ncm811, series=96, parallel=1)
    result = cellsim.range_test(pack, cellsim.Vehicle.default(), "us06")
    assert result.end_reason == "power_limited"
    assert 0 < result.power_limited_time_s < 600
    assert np.isfinite(result.data["voltage_V"]).all()


# --- 2. charging into a full particle surface ------------------------------------------------
@pytest.mark.parametrize("c_rate", [1.5, 2.0, 4.0])
def test_cold_fast_charge_stops_at_voltage_max_not_nan(ncm811, c_rate):
    sim = FastEngine().start(ncm811, soc=0.1, ambient_C=0.0)
    seg = sim.current(-c_rate * _capacity(ncm811), 3600.0)
    assert seg.stop_reason == "voltage_max"
    assert _finite(seg)
    assert np.all(np.isfinite(sim.state))
    assert seg.stop_time_s < 3600.0


def test_discharge_that_empties_a_surface_stops_at_voltage_min(ncm811):
    sim = FastEngine().start(ncm811, soc=0.1, ambient_C=-20.0)
    seg = sim.current(20.0 * _capacity(ncm811), 600.0)
    assert seg.stop_reason == "voltage_min"
    assert _finite(seg)


def test_cold_cccv_is_finite(ncm811):
    sim = FastEngine().start(ncm811, soc=0.1, ambient_C=0.0)
    seg = sim.cccv(2.0 * _capacity(ncm811), 4.2, 0.05 * _capacity(ncm811),
                   max_duration_s=1800.0)
    assert _finite(seg)
    assert np.all(seg.trace.voltage_V <= 4.2 + 1e-6)


def test_cold_pack_fast_charge_runs(ncm811):
    pack = cellsim.Pack(ncm811, series=96, parallel=3)
    result = cellsim.fast_charge(pack, 150, ambient_C=0)
    assert np.isfinite(result.time_min)


# --- 3. regen clamp: never discharge to absorb a charge demand, never charge for traction ------
def test_regen_at_full_cold_cell_is_clamped_to_vmax_without_discharge(ncm811):
    sim = FastEngine().start(ncm811, soc=1.0, ambient_C=-7.0)
    seg = sim.power(np.array([5.0, 5.0, -30.0, -30.0, 10.0]))
    assert seg.stop_reason is None
    t = seg.trace
    regen = t.time_s >= 2.5
    regen &= t.time_s <= 4.5
    assert np.all(t.current_A[regen] <= 0.0)
    assert np.all(t.voltage_V[regen] <= 4.2 + 1e-8)
    assert np.all(t.power_W[regen] >= -30.0 - 1e-9)  # at most the demand is absorbed
    assert np.all(t.current_A[1:3] > 0.0) and t.current_A[-1] > 0.0


def _run_kernel(sim, mode, target, v_min, v_max):
    a = sim._a
    rec = np.empty((7, target.size + 3))
    n, stop, bad, done = kernel.run(sim._y, mode, target, np.ones(target.size),
                                    np.full(target.size, sim.ambient_C + KELVIN), v_min, v_max,
                                    0.0, 1, a.dims, a.prm, a.tab_sto, a.tab_xt, a.xgeo, rec)
    return rec[:, :n], stop, bad


def test_regen_current_is_zero_when_open_circuit_is_above_vmax(ncm811):
    """With V(0) > V_max the clamp gives I = 0 (friction brakes), not a discharge."""
    sim = FastEngine().start(ncm811, soc=1.0, ambient_C=-7.0)
    rec, stop, bad = _run_kernel(sim, C.MODE_POWER, np.array([-30.0, -30.0, -5.0]),
                                 2.5, 4.0)
    assert stop == C.STOP_NONE and bad == -1
    np.testing.assert_array_equal(rec[2, 1:], 0.0)
    assert np.all(np.isfinite(rec))


def test_traction_demand_never_charges(ncm811):
    sim = FastEngine().start(ncm811, soc=0.5, ambient_C=25.0)
    seg = sim.power(np.array([-40.0, 0.5, 1.0, -10.0, 2.0]))
    t = seg.trace
    assert np.all(t.current_A[[2, 3, 5]] > 0.0)
    assert np.all(t.current_A[[1, 4]] < 0.0)
    np.testing.assert_allclose(t.power_W[1:], [-40.0, 0.5, 1.0, -10.0, 2.0], rtol=1e-8)


def test_current_bounds_keep_the_domain(ncm811):
    """The solved step never leaves (0, 1) stoichiometry or positive electrolyte."""
    sim = FastEngine().start(ncm811, soc=0.1, ambient_C=0.0)
    sim.current(-2.0 * _capacity(ncm811), 3600.0)
    a = sim._a
    nr_n, nr_p = int(a.dims[L.D_NR_N]), int(a.dims[L.D_NR_P])
    y = sim.state
    assert np.all((y[:nr_n] > 0) & (y[:nr_n] < a.prm[L.P_CMAX_N]))
    assert np.all((y[nr_n:nr_n + nr_p] > 0) & (y[nr_n:nr_n + nr_p] < a.prm[L.P_CMAX_P]))
    assert np.all(y[nr_n + nr_p:nr_n + nr_p + a.n_x] > 0)
