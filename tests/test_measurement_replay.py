"""Measurement loading and replay: the engine follows a measured current exactly.

Synthetic "measurements" are made by the fast engine's own constant-current and rest segments
(an independent code path from the replay's per-sample stepping), then sampled unevenly.
"""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from cellsim.engine.fast import FastEngine
from cellsim.errors import InputError

NCM = "ncm811"


def _synthetic(cell, soc0: float, c_rate: float) -> cellsim.Measurement:
    """Rest 60 s, discharge 20 min at ``c_rate``, rest 20 min: engine segments at 1 s steps,
    then sampled every 1 to 97 s (uneven), with the step edges kept."""
    sim = FastEngine().start(cell, soc=soc0)
    current = c_rate * cell.nominal_capacity_Ah
    parts = [sim.current(0.0, 60.0), sim.current(current, 1200.0), sim.current(0.0, 1200.0)]
    t, i, v, temp = [], [], [], []
    t0 = 0.0
    for seg in parts:
        tr = seg.trace
        keep = slice(1, None) if t else slice(None)
        t.append(tr.time_s[keep] + t0)
        i.append(tr.current_A[keep])
        v.append(tr.voltage_V[keep])
        temp.append(tr.temperature_C[keep])
        t0 = t[-1][-1]
    t, i, v, temp = (np.concatenate(a) for a in (t, i, v, temp))
    rng = np.random.default_rng(3)
    pick = np.unique(np.concatenate([[0, 60, 61, 1260, t.size - 1],
                                     np.cumsum(rng.integers(1, 97, 200))]))
    pick = pick[pick < t.size]
    return cellsim.Measurement(t[pick], i[pick], v[pick], temp[pick], name="synthetic")


@pytest.fixture(scope="module")
def ncm(cells):
    return cells[NCM]


def test_replay_follows_an_uneven_current_record(ncm):
    m = _synthetic(ncm, 0.8, 1.0)
    result = cellsim.replay(ncm, m)
    # start state from the first rested voltage (OCV inversion), current held per interval
    assert result.initial_soc == pytest.approx(0.8, abs=2e-3)
    assert result.stop_reason is None
    assert result.rmse_mV < 1.0
    assert result.temperature_rmse_K < 0.05
    # the rest after the discharge relaxes upward in both
    tail = result.data[result.data["time_s"] > 1300]
    assert np.all(np.diff(tail["model_voltage_V"]) > -1e-4)


def test_replay_from_a_loaded_start(ncm):
    m = _synthetic(ncm, 0.6, 1.0)
    loaded = cellsim.Measurement(m.time_s[m.time_s >= 61] - 61, m.current_A[m.time_s >= 61],
                                 m.voltage_V[m.time_s >= 61], name="loaded start")
    result = cellsim.replay(ncm, loaded)
    # inverted through the model at the first current (instantaneous, no diffusion
    # polarisation yet): within 1 % of the true start state after 1 s under load
    assert result.initial_soc == pytest.approx(0.6, abs=1e-2)
    assert result.rmse_mV < 8.0  # 0.5 % SOC offset on the OCV slope


def test_replay_runs_past_the_cut_off_and_reports_a_stop(ncm):
    sim = FastEngine().start(ncm, soc=0.05)
    seg = sim.current(2 * ncm.nominal_capacity_Ah, 3600.0)
    tr = seg.trace
    m = cellsim.Measurement(tr.time_s, tr.current_A, tr.voltage_V, name="to empty")
    longer = cellsim.Measurement(np.append(m.time_s, m.time_s[-1] + [600, 1200]),
                                 np.append(m.current_A, [2 * ncm.nominal_capacity_Ah] * 2),
                                 np.append(m.voltage_V, [ncm.voltage_min_V] * 2), name="longer")
    result = cellsim.replay(ncm, longer, initial_soc=0.05)
    assert result.stop_reason is not None
    assert result.stopped_at_s is not None and result.stopped_at_s <= longer.time_s[-1]
    assert np.isfinite(result.rmse_mV)


def test_measurement_from_csv(tmp_path):
    path = tmp_path / "test.csv"
    path.write_text("t,I,V\n0,0,4.1\n10,-1,4.0\n10,-1,3.99\n30,-1,3.95\n")
    m = cellsim.Measurement.from_csv(path, time="t", current="I", voltage="V",
                                     discharge_positive=False)
    assert m.current_A[1] == 1.0  # negated: discharge positive
    assert m.name == "test"
    assert m.discharged_Ah[-1] == pytest.approx(30 / 3600)


@pytest.mark.parametrize("text, match", [
    ("time_s,current_A,voltage_V\n0,1,4.0\n5,1,3.9\n4,1,3.8\n", "time_s must not decrease"),
    ("time_s,current_A,voltage_V\n0,1,4.0\n5,,3.9\n10,1,3.8\n", "current_A.*NaN"),
    ("time_s,current,voltage_V\n0,1,4.0\n5,1,3.9\n", "column 'current_A'"),
    ("time_s,current_A,voltage_V\n0,1,3.0\n5,1,3.5\n10,1,4.0\n", "sign looks inverted"),
])
def test_measurement_bad_input(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=match):
        cellsim.Measurement.from_csv(path)


def test_replay_rejects_a_measurement_outside_the_window(ncm):
    m = cellsim.Measurement([0, 10, 20], [0, 1, 1], [4.5, 4.45, 4.4], name="high")
    with pytest.raises(InputError, match="voltage_V=4.5 V at row 0.*outside"):
        cellsim.replay(ncm, m)
