"""Parameter identification: recovery from synthetic data, honest intervals, bad input.

The synthetic measurement is made by the fast engine's own constant-current segments from a
cell with known changes (diffusivity x 2, exchange current x 0.5), with 1 mV Gaussian noise
(fixed seed); the fit starts from the unchanged cell.
"""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from cellsim.engine.fast import FastEngine
from cellsim.errors import InputError

D_N = "Negative particle diffusivity [m2.s-1]"
J0_P = "Positive electrode exchange-current density [A.m-2]"
R_CONTACT = "Contact resistance [Ohm]"
SEI_EA = "SEI growth activation energy [J.mol-1]"  # no effect without ageing: not identifiable
TRUE = {D_N: 2.0, J0_P: 0.5}


def _measurement(cell, noise_V: float, seed: int) -> cellsim.Measurement:
    sim = FastEngine().start(cell, soc=1.0)
    # 2 s steps: the replay's own step, so the data differ from the model by the noise only
    segments = [sim.current(0.0, 60.0, dt_s=2.0),
                sim.current(cell.nominal_capacity_Ah, 3000.0, dt_s=2.0),
                sim.current(0.0, 1200.0, dt_s=2.0)]
    t, i, v = [], [], []
    for seg in segments:
        keep = slice(1, None) if t else slice(None)
        t.append(seg.trace.time_s[keep] + (t[-1][-1] if t else 0.0))
        i.append(seg.trace.current_A[keep])
        v.append(seg.trace.voltage_V[keep])
    t, i, v = (np.concatenate(a) for a in (t, i, v))
    # the 60 s start rest every 2 s (its mean gives the start state), then every 20 s: the
    # current steps fall on samples
    keep = np.concatenate([np.arange(30), np.arange(30, t.size, 10)])
    t, i, v = t[keep], i[keep], v[keep]
    rng = np.random.default_rng(seed)
    return cellsim.Measurement(t, i, v + rng.normal(0.0, noise_V, v.size), name="synthetic 1C")


@pytest.fixture(scope="module")
def synthetic_fit(cells):
    start = cells["ncm811"]
    truth = start.with_parameters({k: cellsim.Factor(f) for k, f in TRUE.items()})
    m = _measurement(truth, 1e-3, seed=7)
    bounds = {D_N: (0.1, 10.0), J0_P: (0.1, 10.0), SEI_EA: (1e4, 1e5)}
    return cellsim.fit(start, m, bounds, max_evaluations=40), m


@pytest.mark.slow
def test_fit_recovers_identifiable_parameters_within_their_intervals(synthetic_fit):
    result, _ = synthetic_fit
    assert result.success, result.message
    table = result.table.set_index("parameter")
    for name, true_factor in TRUE.items():
        row = table.loc[name]
        assert row["identifiable"]
        assert row["ci95_low"] <= true_factor <= row["ci95_high"], (name, row.to_dict())
        assert row["ci95_high"] / row["ci95_low"] < 1.5  # a real constraint, not the bounds
    # the residual is the noise: about 1 mV
    assert 0.8 < result.rmse_mV["synthetic 1C"] < 1.3


@pytest.mark.slow
def test_fit_reports_a_parameter_the_data_cannot_identify(synthetic_fit):
    result, _ = synthetic_fit
    row = result.table.set_index("parameter").loc[SEI_EA]
    assert not row["identifiable"]
    assert row["ci95_high"] / row["ci95_low"] > 1e5 / 1e4  # wider than its bounds


@pytest.mark.slow
def test_a_written_fit_loads_and_reproduces_it(synthetic_fit, tmp_path):
    result, m = synthetic_fit
    path = result.to_toml(tmp_path / "fitted.toml")
    text = path.read_text()
    assert "fitted to synthetic 1C" in text and "scale = " in text
    loaded = cellsim.Cell.from_file(path)
    assert cellsim.replay(loaded, m).rmse_mV == pytest.approx(result.rmse_mV["synthetic 1C"],
                                                              abs=0.01)


@pytest.mark.slow
def test_a_term_the_cell_lacks_is_fitted_from_the_middle_of_its_bounds(cells):
    """A contact resistance of 0 (no log-space start) starts at the geometric middle of its
    bounds; the 1C data of a cell with 15 mOhm give it back."""
    start = cells["ncm811"].with_parameters({R_CONTACT: 0.0})
    m = _measurement(start.with_parameters({R_CONTACT: 0.015}), 1e-3, seed=5)
    result = cellsim.fit(start, m, {R_CONTACT: (1e-3, 0.1)}, max_evaluations=20)
    row = result.table.set_index("parameter").loc[R_CONTACT]
    assert row["start"] == pytest.approx(0.01)
    assert row["ci95_low"] <= 0.015 <= row["ci95_high"]
    assert row["fitted"] == pytest.approx(0.015, rel=0.05)


def test_fit_bad_input(cells):
    cell = cells["ncm811"]
    m = cellsim.Measurement([0, 10, 20], [0, 1, 1], [4.1, 4.05, 4.04], name="short")
    with pytest.raises(InputError, match="'Negative particle diffusivity' is not a parameter"):
        cellsim.fit(cell, m, {"Negative particle diffusivity": (0.5, 2)})
    with pytest.raises(InputError, match=r"\(2, 0.5\).*0 < low < high"):
        cellsim.fit(cell, m, {D_N: (2, 0.5)})
    with pytest.raises(InputError, match=r"\(0, 2\).*0 < low < high"):
        cellsim.fit(cell, m, {D_N: (0, 2)})
    with pytest.raises(InputError, match="workers"):
        cellsim.fit(cell, m, {D_N: (0.5, 2)}, workers=0)
    with pytest.raises(InputError, match="starts=0"):
        cellsim.fit(cell, m, {D_N: (0.5, 2)}, starts=0)
    with pytest.raises(InputError, match="do not contain the cell's value"):
        cellsim.fit(cell, m, {"Total heat transfer coefficient [W.m-2.K-1]": (20, 50)})


@pytest.mark.slow
def test_a_fit_that_does_not_converge_is_a_result_with_the_reason(cells):
    cell = cells["ncm811"]
    truth = cell.with_parameters({D_N: cellsim.Factor(3.0)})
    m = _measurement(truth, 0.0, seed=1)
    result = cellsim.fit(cell, m, {D_N: (0.1, 10.0)}, max_evaluations=1)
    assert not result.success
    assert "did not converge" in result.message


@pytest.mark.slow
def test_workers_give_the_same_fit(cells):
    cell = cells["ncm811"]
    m = _measurement(cell.with_parameters({D_N: cellsim.Factor(2.0)}), 1e-3, seed=3)
    here = cellsim.fit(cell, m, {D_N: (0.1, 10.0)}, max_evaluations=4)
    spread = cellsim.fit(cell, m, {D_N: (0.1, 10.0)}, max_evaluations=4, workers=2)
    assert spread.table["fitted"].iloc[0] == pytest.approx(here.table["fitted"].iloc[0],
                                                           rel=1e-9)
