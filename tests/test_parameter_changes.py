"""Changed cells without table rebuilds (issue 11, item 4): ``Cell.with_parameters`` with numbers
and :class:`cellsim.Factor`, the fast engine's derived kernel arrays, the fast electrode-SOH
solve and the content-keyed disk cache of tables.

The honest checks: arrays derived from the base cell's (which share its tables and carry
factors the kernel applies at lookup) equal (to round-off, with the factors applied) the arrays
PyBaMM evaluates from scratch on the changed values, and the kernel gives the same discharge on
both; the derived cell's stoichiometry limits equal
PyBaMM's electrode-SOH solver's; its 1C discharge agrees with PyBaMM's SPMe; a second process
reads the tables from disk without evaluating PyBaMM.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import cellsim
from cellsim._pybamm import pybamm
from cellsim.engine.fast import layout as L
from cellsim.engine.fast import parameters, simulation, table_cache
from cellsim.errors import InputError

F = cellsim.Factor
FIELDS = ("dims", "prm", "tab_sto", "tab_xt", "xgeo")
GEOMETRY = {  # the dry-electrode design variables, plus a particle size and a series resistance
    "Negative electrode thickness [m]": F(1.3),
    "Contact resistance [Ohm]": 0.012,
    "Positive electrode porosity": 0.25,
    "Positive electrode active material volume fraction": F(1.05),
    "Negative particle radius [m]": F(0.5),
    "Contact resistance [Ohm]": 0.012,
}
FUNCTIONS = {  # factors on functions of (sto, T) and (c_e, T)
    "Positive particle diffusivity [m2.s-1]": F(3.0),
    "Negative particle diffusivity [m2.s-1]": F(0.3),
    "Negative electrode exchange-current density [A.m-2]": F(0.4),
    "Positive electrode exchange-current density [A.m-2]": F(2.5),
    "Electrolyte conductivity [S.m-1]": F(1.7),
    "Electrolyte diffusivity [m2.s-1]": F(0.8),
    "Positive electrode conductivity [S.m-1]": F(0.1),
    "Negative electrode conductivity [S.m-1]": F(0.01),
    "Thermodynamic factor": F(1.2),
    "Positive electrode OCP entropic change [V.K-1]": F(3.0),
}


def with_factors_applied(arrays: parameters.KernelArrays) -> parameters.KernelArrays:
    """The arrays with the table factors and the heat-capacity offset of ``prm`` applied to the
    tables (and reset to 1 and 0): what the kernel reads."""
    prm, tab_sto, tab_xt = arrays.prm.copy(), arrays.tab_sto.copy(), arrays.tab_xt.copy()
    tab_xt *= prm[L.P_SCALE_X : L.P_SCALE_X + L.N_X_TABLES, None, None]
    tab_xt[L.X_RHOCP] += prm[L.P_RHOCP_OFFSET]
    tab_sto *= prm[L.P_SCALE_S : L.P_SCALE_S + L.N_S_TABLES, None]
    prm[L.P_SCALE_X : L.P_SCALE_S + L.N_S_TABLES] = 1.0
    prm[L.P_RHOCP_OFFSET] = 0.0
    return parameters.KernelArrays(arrays.dims, prm, tab_sto, tab_xt, arrays.xgeo)


def discharge_voltage_V(arrays: parameters.KernelArrays, cell, c_rate: float) -> np.ndarray:
    """Voltage of a lumped-thermal discharge of ``arrays`` at ``c_rate`` from 100 % SOC."""
    limits = cell.stoichiometry_limits
    c_e0 = arrays.prm[L.P_CE_MAX] / parameters.CE_TABLE_FACTOR
    x_0 = np.nan if limits.x_n_0 is None else limits.x_n_0
    x_100 = np.nan if limits.x_n_100 is None else limits.x_n_100
    y0 = simulation.initial_state(arrays, 1.0, x_0, x_100, limits.x_p_100, limits.x_p_0, c_e0,
                                  298.15)
    sim = simulation.FastSimulation(arrays.copy(), y0, 25.0, cell.name)
    segment = sim.current(c_rate * cell.nominal_capacity_Ah, 3600.0 / c_rate, dt_s=5.0)
    return segment.trace.voltage_V


def max_relative_difference(a, b) -> float:
    """Largest |a - b| / |b| over every array of two KernelArrays (NaNs must coincide)."""
    worst = 0.0
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        assert x.shape == y.shape, field
        assert np.array_equal(np.isnan(x), np.isnan(y)), field
        ok = ~np.isnan(y)
        scale = np.maximum(np.abs(y[ok]), np.finfo(float).tiny)
        worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]) / scale, initial=0.0)))
    return worst


# --- Factor and with_parameters ----------------------------------------------------------------
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "2", True])
def test_factor_must_be_a_positive_finite_number(bad):
    with pytest.raises(InputError, match="Factor"):
        F(bad)


def test_factor_scales_numbers_functions_and_data(cells):
    cell = cells["ncm811"]
    key_d = "Negative particle diffusivity [m2.s-1]"
    changed = cell.with_parameters({key_d: F(2.0), "Positive electrode thickness [m]": F(1.1)})
    old, new = cell.parameter_values, changed.parameter_values
    assert new["Positive electrode thickness [m]"] == pytest.approx(
        1.1 * old["Positive electrode thickness [m]"], rel=1e-15)
    sto = pybamm().Scalar(0.5)
    temp = pybamm().Scalar(298.15)
    d_old = old.evaluate(pybamm().FunctionParameter(key_d, {"sto": sto, "T": temp}))
    d_new = new.evaluate(pybamm().FunctionParameter(key_d, {"sto": sto, "T": temp}))
    assert d_new == pytest.approx(2.0 * d_old, rel=1e-15, abs=0.0)


def test_factors_on_a_scaled_function_multiply(cells):
    # review defect: a Factor on a function that already carried one (a fitted file's
    # "{ scale = f }", or a second fit stage) was silently dropped: functools.update_wrapper
    # copied the inner ScaledFunction's factor over the new one, and a fit or sweep of a fitted
    # cell's diffusivities, exchange currents or conductivity saw no change at all
    key = "Positive particle diffusivity [m2.s-1]"
    cell = cells["ncm811"]
    once = cell.with_parameters({key: F(2.0)})
    twice = once.with_parameters({key: F(3.0)})
    arguments = {"sto": pybamm().Scalar(0.5), "T": pybamm().Scalar(298.15)}
    values = [c.parameter_values.evaluate(pybamm().FunctionParameter(key, arguments))
              for c in (cell, once, twice)]
    assert values[2] == pytest.approx(6.0 * values[0], rel=1e-12, abs=0.0)
    assert values[2] == pytest.approx(3.0 * values[1], rel=1e-12, abs=0.0)


@pytest.mark.slow
def test_faster_negative_diffusion_gives_more_capacity_at_2c(cells):
    """Physics trend through the derived arrays: less solid-diffusion limitation at 2C."""
    cell = cells["ncm811"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = cellsim.discharge(cell, 2.0, model="SPMe", engine="fast", thermal="lumped")
        fast = cellsim.discharge(
            cell.with_parameters({"Negative particle diffusivity [m2.s-1]": F(5.0)}), 2.0,
            model="SPMe", engine="fast", thermal="lumped")
    assert fast.capacity_Ah > base.capacity_Ah * 1.002


# --- derived arrays --------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("changes", [GEOMETRY, FUNCTIONS], ids=["geometry", "functions"])
def test_derived_arrays_equal_a_rebuild(cells, changes):
    cell = cells["ncm811"]
    base = simulation._shared_arrays(cell, "lumped", None)
    changed = cell.with_parameters(changes)
    builds = parameters.TABLE_BUILDS
    derived = simulation._shared_arrays(changed, "lumped", None)
    assert parameters.TABLE_BUILDS == builds  # no PyBaMM table evaluation
    assert derived.tab_xt is base.tab_xt and derived.tab_sto is base.tab_sto  # nothing copied
    rebuilt = parameters.build_kernel_arrays(changed.parameter_values, {}, "lumped")
    difference = max_relative_difference(with_factors_applied(derived), rebuilt)
    print(f"\n{sorted(changes)}: max relative difference {difference:.2e}")
    assert difference < 1e-13
    # the kernel applies the factors where it reads the tables: the same discharge
    v_derived = discharge_voltage_V(derived, changed, 2.0)
    v_rebuilt = discharge_voltage_V(rebuilt, changed, 2.0)
    assert v_derived.size == v_rebuilt.size > 100
    np.testing.assert_allclose(v_derived, v_rebuilt, rtol=0, atol=1e-9)
    v_base = discharge_voltage_V(base, changed, 2.0)  # the factors do change the discharge
    assert np.max(np.abs(v_base[:100] - v_rebuilt[:100])) > 1e-3


@pytest.mark.slow
def test_derived_half_cell_arrays_equal_a_rebuild(cells):
    cell = cells["solid_state"]
    options = dict(cell.model_options)
    changed = cell.with_parameters({"Positive electrode thickness [m]": F(1.5),
                                    "Positive particle radius [m]": F(0.7),
                                    "Positive particle diffusivity [m2.s-1]": F(2.0),
                                    "Negative electrode conductivity [S.m-1]": F(0.5),
                                    "Exchange-current density for lithium metal electrode "
                                    "[A.m-2]": F(1.5)})
    base = simulation._shared_arrays(cell, "lumped", None)
    builds = parameters.TABLE_BUILDS
    derived = simulation._shared_arrays(changed, "lumped", None)
    assert parameters.TABLE_BUILDS == builds
    rebuilt = parameters.build_kernel_arrays(changed.parameter_values, options, "lumped")
    assert max_relative_difference(with_factors_applied(derived), rebuilt) < 1e-13
    assert derived.tab_sto is base.tab_sto  # untouched tables are shared, not copied
    np.testing.assert_allclose(discharge_voltage_V(derived, changed, 1.0),
                               discharge_voltage_V(rebuilt, changed, 1.0), rtol=0, atol=1e-9)


def test_changes_that_move_the_tables_are_rebuilt(cells):
    cell = cells["ncm811"]
    base = simulation._base_tables(cell, "lumped", None)
    for key, value in [("Maximum concentration in negative electrode [mol.m-3]", F(1.1)),
                       ("Initial concentration in electrolyte [mol.m-3]", F(1.2)),
                       ("Positive electrode OCP [V]", lambda sto: 4.0 - sto)]:
        changed = cell.with_parameters({key: value})
        assert base.derive(changed.parameter_values, changed._changed) is None, key


def test_cooling_override_changes_only_the_cooling_slot(cells):
    cell = cells["ncm811"]
    own = simulation._shared_arrays(cell, "lumped", None)
    builds = parameters.TABLE_BUILDS
    cooled = simulation._shared_arrays(cell, "lumped", 25.0)
    assert parameters.TABLE_BUILDS == builds
    assert cooled.prm[parameters.L.P_H] == pytest.approx(25.0, rel=1e-15)
    other = np.flatnonzero(~np.isclose(cooled.prm, own.prm, rtol=1e-14, equal_nan=True))
    assert other.tolist() == [parameters.L.P_H]
    assert cooled.tab_xt is own.tab_xt


# --- electrode state of health ------------------------------------------------------------------
@pytest.mark.parametrize("chemistry, changes", [
    ("ncm811", {"Negative electrode thickness [m]": F(0.8),
                "Positive electrode active material volume fraction": F(1.1)}),
    ("lfp", {"Positive electrode thickness [m]": F(1.4), "Upper voltage cut-off [V]": 3.6,
             "Open-circuit voltage at 100% SOC [V]": 3.6}),
    ("solid_state", {"Open-circuit voltage at 100% SOC [V]": 4.2}),
])
def test_fast_stoichiometry_limits_equal_pybamm_solver(cells, chemistry, changes):
    changed = cells[chemistry].with_parameters(changes)
    limits = changed.stoichiometry_limits
    pv, lion = changed.parameter_values, pybamm().lithium_ion
    if changed.is_half_cell:
        ref = [lion.get_initial_stoichiometry_half_cell(s, pv, options=changed.model_options)["x"]
               for s in (0.0, 1.0)]
        got = [limits.x_p_0, limits.x_p_100]
    else:
        x_0, x_100, y_100, y_0 = lion.get_min_max_stoichiometries(pv)
        ref = [x_0, x_100, y_0, y_100]
        got = [limits.x_n_0, limits.x_n_100, limits.x_p_0, limits.x_p_100]
    np.testing.assert_allclose(got, np.asarray(ref, dtype=float), rtol=0, atol=1e-10)


# --- disk cache ------------------------------------------------------------------------------------
def test_content_key_follows_functions_and_numbers(cells):
    pv = cells["lfp"].parameter_values
    key = table_cache.content_key(pv, {}, "lumped")
    assert key == table_cache.content_key(pv.copy(), {}, "lumped")
    assert key != table_cache.content_key(pv, {}, "isothermal")
    variants = {
        "Electrolyte conductivity [S.m-1]": F(1.0000001),  # a scaled function
        "Negative particle diffusivity [m2.s-1]": lambda sto, T: 1e-14 + 0 * sto,  # new function
        "Positive electrode thickness [m]": F(1.0 + 1e-12),
    }
    for name, value in variants.items():
        other = cells["lfp"].with_parameters({name: value}).parameter_values
        assert table_cache.content_key(other, {}, "lumped") != key, name


def test_cache_keeps_the_most_recently_used_entries(tmp_path):
    for k in range(table_cache.MAX_ENTRIES + 4):
        entry = tmp_path / f"{k}.npz"
        entry.write_bytes(b"x")
        os.utime(entry, (1e9 + k, 1e9 + k))
    table_cache._prune(tmp_path)
    kept = sorted(int(p.stem) for p in tmp_path.glob("*.npz"))
    assert kept == list(range(4, table_cache.MAX_ENTRIES + 4))


def test_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv(table_cache.ENV, "off")
    assert table_cache.cache_dir() is None
    monkeypatch.setenv(table_cache.ENV, str(tmp_path))
    assert table_cache.cache_dir() == tmp_path / "tables"


SECOND_PROCESS = """
import json, numpy as np, cellsim
from cellsim.engine.fast import parameters, table_cache
cell = cellsim.Cell.from_chemistry("solid_state")
arrays = table_cache.cached_kernel_arrays(cell.parameter_values, cell.model_options, "isothermal")
print(json.dumps({"builds": parameters.TABLE_BUILDS, "sum": float(np.sum(arrays.tab_xt))}))
"""


@pytest.mark.slow
def test_second_process_reads_tables_from_disk(cells, monkeypatch, tmp_path):
    monkeypatch.setenv(table_cache.ENV, str(tmp_path))
    cell = cells["solid_state"]
    builds = parameters.TABLE_BUILDS
    arrays = table_cache.cached_kernel_arrays(cell.parameter_values, cell.model_options,
                                              "isothermal")
    assert parameters.TABLE_BUILDS == builds + 1
    (entry,) = (tmp_path / "tables").glob("*.npz")
    out = subprocess.run([sys.executable, "-c", SECOND_PROCESS], capture_output=True, text=True,
                         cwd=tmp_path,  # the installed cellsim, as in this process
                         check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["builds"] == 0  # loaded, PyBaMM not evaluated
    assert report["sum"] == float(np.sum(arrays.tab_xt))
    assert max_relative_difference(table_cache._load(entry), arrays) == 0.0
    entry.write_bytes(entry.read_bytes()[:1000])  # a truncated entry is ignored
    assert table_cache._load(entry) is None


# --- against PyBaMM --------------------------------------------------------------------------------
@pytest.mark.slow
def test_changed_cell_discharge_matches_pybamm_spme(cells):
    from test_engine_agreement import (
        RANGE_REL,
        V_RMSE_SPME_MV,
        compare_discharge,
        reference_discharge,
    )

    changed = cells["ncm811"].with_parameters({
        "Positive electrode thickness [m]": F(1.25), "Positive electrode porosity": 0.3,
        "Negative particle diffusivity [m2.s-1]": F(2.0),
        "Positive electrode exchange-current density [A.m-2]": F(0.5)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = cellsim.discharge(changed, 1.0, 25.0, model="SPMe", engine="fast",
                                 thermal="lumped")
    r = compare_discharge(fast, reference_discharge(changed, "SPMe"))
    print(f"\nchanged ncm811 1C vs PyBaMM SPMe: {r}")
    assert r["rmse_mV"] <= V_RMSE_SPME_MV
    assert abs(r["capacity_rel"]) <= RANGE_REL
