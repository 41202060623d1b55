"""Tests of the fast (numba SPMe + lumped thermal) engine against PyBaMM's SPMe.

The comparisons against PyBaMM (IDAKLU) are marked ``slow``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from cellsim._pybamm import pybamm
from cellsim.engine.fast import FastEngine
from cellsim.chemistry.cell import Cell
from cellsim.load.drive_cycle import DriveCycle
from cellsim.errors import InputError, SimulationError

BPX_FILE = Path(__file__).resolve().parents[2] / "shared" / "bpx" / "nmc_pouch_cell_BPX.json"
HALF = {"working electrode": "positive"}
# Prada2013 and Xu2019 have no thermal data; plausible values for a small cell
THERMAL_EXTRA = {
    "Total heat transfer coefficient [W.m-2.K-1]": 10.0,
    "Negative current collector thickness [m]": 1.2e-5,
    "Positive current collector thickness [m]": 1.6e-5,
    "Negative current collector conductivity [S.m-1]": 5.8e7,
    "Positive current collector conductivity [S.m-1]": 3.6e7,
    "Negative current collector density [kg.m-3]": 8960.0,
    "Positive current collector density [kg.m-3]": 2700.0,
    "Negative current collector specific heat capacity [J.kg-1.K-1]": 385.0,
    "Positive current collector specific heat capacity [J.kg-1.K-1]": 897.0,
    "Negative electrode density [kg.m-3]": 1657.0,
    "Separator density [kg.m-3]": 397.0,
    "Positive electrode density [kg.m-3]": 3262.0,
    "Negative electrode specific heat capacity [J.kg-1.K-1]": 700.0,
    "Separator specific heat capacity [J.kg-1.K-1]": 700.0,
    "Positive electrode specific heat capacity [J.kg-1.K-1]": 700.0,
    "Negative electrode thermal conductivity [W.m-1.K-1]": 1.7,
    "Separator thermal conductivity [W.m-1.K-1]": 0.16,
    "Positive electrode thermal conductivity [W.m-1.K-1]": 2.1,
    "Negative current collector thermal conductivity [W.m-1.K-1]": 401.0,
    "Positive current collector thermal conductivity [W.m-1.K-1]": 237.0,
    "Cell cooling surface area [m2]": 0.0053,
    "Cell volume [m3]": 2.42e-5,
}


def StandInCell(name: str, options: dict | None = None, extra: dict | None = None) -> Cell:
    """A cell made of a PyBaMM parameter set (or the BPX file) plus a few extra values."""
    pb = pybamm()
    if name == "BPX":
        if not BPX_FILE.exists():
            pytest.skip(f"{BPX_FILE} not found (../shared is not beside the checkout)")
        pv = pb.ParameterValues.create_from_bpx(str(BPX_FILE))
    else:
        pv = pb.ParameterValues(name)
    pv.update(extra or {}, check_already_exists=False)
    return Cell.from_parameter_values(pv, name=name, model_options=options)


_RECIPES = {
    "Chen2020": (None, None),
    "ORegan2022": (None, None),
    "Mohtat2020": (None, None),
    "Prada2013": (None, THERMAL_EXTRA),
    "Xu2019": (HALF, THERMAL_EXTRA),
    "BPX": (None, {"Total heat transfer coefficient [W.m-2.K-1]": 10.0}),
}


@functools.cache
def _cell(name: str) -> Cell:
    options, extra = _RECIPES[name]
    return StandInCell(name, options, extra)


def capacity_Ah(cell) -> float:
    return float(cell.parameter_values["Nominal cell capacity [A.h]"])


def wltc_power_W(cell) -> np.ndarray:
    """Per-cell power from the WLTC speed trace: peaks 2C-power, regen at 60 % of braking."""
    speed = DriveCycle.standard("wltc_class3b").speed_kmh / 3.6
    accel = np.gradient(speed)
    mass, cda, crr = 1800.0, 0.65, 0.01
    wheel = mass * accel * speed + 0.5 * 1.2 * cda * speed**3 + crr * mass * 9.81 * speed
    wheel = np.where(wheel < 0, 0.6 * wheel, wheel / 0.9)
    peak_W = 2.0 * capacity_Ah(cell) * 3.7
    return wheel / wheel.max() * peak_W


def reference_parameters(cell, soc: float, ambient_C: float):
    """The cell's parameters with the same initial state as the fast engine gives it."""
    pv = cell.parameter_values
    limits = cell.stoichiometry_limits
    x_0, x_100, y_100, y_0 = limits.x_n_0, limits.x_n_100, limits.x_p_100, limits.x_p_0
    if cell.model_options.get("working electrode") != "positive":
        c_n = pv["Maximum concentration in negative electrode [mol.m-3]"]
        pv["Initial concentration in negative electrode [mol.m-3]"] = (
            x_0 + soc * (x_100 - x_0)) * c_n
    c_p = pv["Maximum concentration in positive electrode [mol.m-3]"]
    pv["Initial concentration in positive electrode [mol.m-3]"] = (y_0 + soc * (y_100 - y_0)) * c_p
    pv["Ambient temperature [K]"] = ambient_C + 273.15
    pv["Initial temperature [K]"] = ambient_C + 273.15
    return pv


def pybamm_run(cell, *, current_A=None, power_W=None, duration_s=None, soc=1.0, ambient_C=25.0,
               thermal="lumped"):
    """Solve PyBaMM's SPMe (IDAKLU) at constant current or piecewise-constant power."""
    pb = pybamm()
    pv = reference_parameters(cell, soc, ambient_C)
    options = cell.pybamm_options(thermal=thermal)
    if power_W is not None:
        # piecewise constant, with 10 ms ramps between values (IDA cannot step over jumps)
        t = np.arange(power_W.size, dtype=float)
        knots = np.column_stack([t, t + 1.0 - 0.01]).ravel()
        pv["Power function [W]"] = pb.Interpolant(
            knots, np.repeat(power_W, 2), pb.t, interpolator="linear")
        options["operating mode"] = "power"
        duration_s = float(power_W.size)
    else:
        pv["Current function [A]"] = current_A
    model = pb.lithium_ion.SPMe(options)
    # 1e-8 at constant current; for a power profile 1e-6 (its 10 ms ramps make IDA step finely,
    # and on Chen2020's WLTC window 1e-6 and 1e-8 differ by 0.01 mV at two thirds of the cost)
    tolerance = 1e-8 if power_W is None else 1e-6
    sim = pb.Simulation(model, parameter_values=pv,
                        solver=pb.IDAKLUSolver(rtol=tolerance, atol=tolerance))
    if power_W is None:
        sol = sim.solve([0, duration_s], t_interp=np.arange(0.0, duration_s + 0.5))
        shift = 0.0
    else:
        # sample each power step at its end (just before the ramp to the next value), where
        # the fast engine's implicit step reports it
        shift = 0.02
        sol = sim.solve([0, duration_s], t_interp=np.arange(1.0, duration_s + 0.5) - shift)
    return (sol["Time [s]"].entries + shift, sol["Voltage [V]"].entries,
            sol["Volume-averaged cell temperature [C]"].entries,
            sol["Discharge capacity [A.h]"].entries)


def compare(seg, ref) -> dict:
    """RMSE/max voltage error, max temperature error and end capacities."""
    t, v, temp, cap = ref
    tr = seg.trace
    m = (tr.time_s <= t[-1]) & (tr.time_s > 0)
    dv = tr.voltage_V[m] - np.interp(tr.time_s[m], t, v)
    dT = tr.temperature_C[m] - np.interp(tr.time_s[m], t, temp)
    return {"rmse_mV": 1e3 * np.sqrt(np.mean(dv**2)), "max_mV": 1e3 * np.abs(dv).max(),
            "dT_K": np.abs(dT).max(), "cap": tr.capacity_Ah[-1], "cap_ref": cap[-1],
            "t_end": tr.time_s[-1], "t_end_ref": t[-1]}


# --- quick tests ----------------------------------------------------------------------------------
def test_rejects_unknown_model_and_thermal():
    with pytest.raises(InputError, match="model='DFN'.*SPMe"):
        FastEngine().start(_cell("Chen2020"), model="DFN")
    with pytest.raises(InputError, match="thermal='x1d'.*isothermal"):
        FastEngine().start(_cell("Chen2020"), thermal="x1d")


def test_power_above_maximum_is_power_limited_not_an_error():
    sim = FastEngine().start(_cell("Chen2020"), soc=0.5)
    seg = sim.power(np.full(10, 5000.0))
    assert seg.stop_reason == "power_limited"
    assert seg.stop_time_s == 0.0
    assert np.all(np.isfinite(seg.trace.voltage_V))
    assert np.isfinite(sim.soc)


def test_power_limited_at_end_of_discharge():
    cell = _cell("Chen2020")
    sim = FastEngine().start(cell, soc=0.1)
    seg = sim.power(np.full(20000, 20.0))
    assert seg.stop_reason == "power_limited"
    assert seg.trace.voltage_V[-1] >= 2.5 - 1e-9
    assert 0 < seg.stop_time_s < 20000


def test_regen_clamped_at_upper_cut_off():
    sim = FastEngine().start(_cell("Chen2020"), soc=1.0)
    seg = sim.power(np.full(30, -60.0))
    assert seg.stop_reason is None
    assert seg.trace.voltage_V.max() <= 4.2 + 1e-6
    assert np.all(seg.trace.power_W[1:] > -60.0 - 1e-9)


def test_power_profile_energy_balance_and_record_every():
    cell = _cell("Chen2020")
    power = wltc_power_W(cell)
    sim = FastEngine().start(cell, soc=0.9)
    seg = sim.power(power)
    tr = seg.trace
    e_vi = np.sum(tr.voltage_V[1:] * tr.current_A[1:])
    assert abs(e_vi / power.sum() - 1) < 5e-3
    sim2 = FastEngine().start(cell, soc=0.9, record_every=10)
    seg2 = sim2.power(power)
    assert seg2.trace.time_s.size == power.size // 10 + 1 + (power.size % 10 > 0)
    assert seg2.trace.soc[-1] == pytest.approx(seg.trace.soc[-1], abs=1e-12)


def test_halving_dt_changes_capacity_to_cut_off_little():
    cell = _cell("Chen2020")
    caps = []
    for dt in (1.0, 0.5):
        sim = FastEngine().start(cell, soc=1.0)
        seg = sim.current(capacity_Ah(cell), 4000, dt_s=dt)
        assert seg.stop_reason == "voltage_min"
        caps.append(seg.trace.capacity_Ah[-1])
    assert abs(caps[1] / caps[0] - 1) < 2e-3


def test_rest_cccv_soc_and_ambient_change():
    cell = _cell("Chen2020")
    sim = FastEngine().start(cell, soc=0.5, ambient_C=25.0)
    sim.current(5.0, 600)
    rest = sim.rest(3600)
    assert rest.trace.time_s[-1] == pytest.approx(3600)
    assert rest.trace.time_s.size < 200
    assert np.all(np.diff(rest.trace.voltage_V) > -1e-9)  # relaxation after discharge
    soc_before = sim.soc
    sim.ambient_C = -7.0
    seg = sim.cccv(5.0, 4.2, 0.25)
    assert seg.stop_reason == "current_min"
    assert seg.trace.voltage_V.max() <= 4.2 + 1e-6
    assert sim.soc > soc_before
    assert sim.temperature_C < 25.0


def test_nonfinite_state_raises_simulation_error():
    sim = FastEngine().start(_cell("Chen2020"))
    sim._y[45] = np.nan  # slots 40..99: electrolyte (see cellsim.engine.fast.layout)
    with pytest.raises(SimulationError, match="electrolyte concentration"):
        sim.current(1.0, 10)


def test_unit_transference_number_keeps_electrolyte_uniform():
    cell = StandInCell("Xu2019", HALF, extra={"Cation transference number": 1.0})
    sim = FastEngine().start(cell, soc=1.0, thermal="isothermal")
    seg = sim.current(capacity_Ah(cell), 1800)
    c_e = sim.state[20:60]
    # PyBaMM's discretisation of the migration flux at the separator/electrode interface leaves
    # a tiny step there (the fast engine reproduces it); otherwise c_e stays uniform
    assert np.ptp(c_e) < 1e-4 * c_e.mean()
    assert np.all(np.isfinite(seg.trace.voltage_V))


def test_recording_every_minute_leaves_the_drive_cycle_unchanged():
    """Three WLTCs kept one point a minute end where the run kept every second does (the
    speed of this loop is measured in ``benchmarks/``, not here)."""
    cell = _cell("Chen2020")
    power = np.tile(wltc_power_W(cell) * 0.3, 3)
    every_s = FastEngine().start(cell, soc=1.0).power(power)
    sparse = FastEngine().start(cell, soc=1.0, record_every=60).power(power)
    assert every_s.stop_reason is None and sparse.stop_reason is None
    assert len(sparse.trace.time_s) < len(every_s.trace.time_s) / 30
    assert sparse.trace.voltage_V[-1] == pytest.approx(every_s.trace.voltage_V[-1], abs=1e-9)
    assert sparse.trace.capacity_Ah[-1] == pytest.approx(every_s.trace.capacity_Ah[-1], rel=1e-9)


# --- the run ends inside the step where the cut-off is reached -----------------------------------
CUT_OFF_CELLS = ("ncm811", "lfp", "ncm523")
LONG_STEPS_S = (10.0, 30.0)


@pytest.mark.parametrize("charge", [False, True], ids=["discharge", "charge"])
@pytest.mark.parametrize("chemistry", CUT_OFF_CELLS)
def test_current_run_ends_inside_a_long_step_where_the_voltage_reaches_its_limit(
        cells, chemistry, charge):
    """1C to the lower (from 100 % SOC) or upper (from 0 %) cut-off with 10 s and 30 s steps
    ends within a tenth of a step of the same run at 0.1 s steps (it ended up to a whole step
    early when the run stopped at the start of the step that crossed the limit), on the limit."""
    cell = cells[chemistry]
    current_A = -cell.nominal_capacity_Ah if charge else cell.nominal_capacity_Ah
    limit_V = cell.voltage_max_V if charge else cell.voltage_min_V

    def run(dt_s):
        sim = FastEngine().start(cell, soc=0.0 if charge else 1.0, record_every=10_000)
        return sim.current(current_A, 3 * 3600.0, dt_s=dt_s)

    fine = run(0.1)
    for dt_s in LONG_STEPS_S:
        seg = run(dt_s)
        assert seg.stop_reason == fine.stop_reason == ("voltage_max" if charge else "voltage_min")
        assert abs(seg.stop_time_s - fine.stop_time_s) < 0.1 * dt_s
        v_end = seg.trace.voltage_V[-1]
        assert abs(v_end - limit_V) < 2e-3
        assert (v_end <= limit_V) if charge else (v_end >= limit_V)


@pytest.mark.parametrize("chemistry", CUT_OFF_CELLS)
def test_power_run_ends_inside_a_long_step_where_the_demand_is_lost(cells, chemistry):
    """Constant power (3.6 W per A.h of capacity) with 10 s and 30 s steps ends where the same
    state, stepped on at 0.1 s from the start of the step that cannot be met, ends (within 5 %
    of a step; the stop was the start of that step), at the lower cut-off."""
    cell = cells[chemistry]
    power_W = 3.6 * cell.nominal_capacity_Ah
    for dt_s in LONG_STEPS_S:
        coarse = FastEngine().start(cell, soc=1.0).power(np.full(round(8000 / dt_s), power_W),
                                                         dt_s=dt_s)
        assert coarse.stop_reason == "power_limited"
        steps_met = int(coarse.stop_time_s // dt_s)
        sim = FastEngine().start(cell, soc=1.0)
        assert sim.power(np.full(steps_met, power_W), dt_s=dt_s).stop_reason is None
        fine = sim.power(np.full(round(dt_s / 0.1), power_W), dt_s=0.1)
        assert fine.stop_reason == "power_limited"
        fine_stop_s = steps_met * dt_s + fine.stop_time_s
        assert abs(coarse.stop_time_s - fine_stop_s) < 0.05 * dt_s
        assert 0.0 <= coarse.trace.voltage_V[-1] - cell.voltage_min_V < 2e-3


# --- comparisons with PyBaMM ------------------------------------------------------------------------
WLTC_WINDOW_S = 330  # the extra-high phase (1477-1800 s) with the end of the high phase
ONE_C = [("Chen2020", 1.0), ("ORegan2022", 1.0), ("Mohtat2020", 1.0), ("Prada2013", 1.0),
         ("Xu2019", 1.0), ("BPX", 1.0)]


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, _ in ONE_C])
def test_one_c_discharge_matches_pybamm(name):
    cell = _cell(name)
    current = capacity_Ah(cell)
    sim = FastEngine().start(cell, soc=1.0, ambient_C=25.0)
    seg = sim.current(current, 8000)
    r = compare(seg, pybamm_run(cell, current_A=current, duration_s=8000.0))
    print(name, "1C", r)
    assert seg.stop_reason == "voltage_min"
    assert r["rmse_mV"] < 5.0
    assert r["dT_K"] < 0.3
    assert abs(r["cap"] / r["cap_ref"] - 1) < 5e-3


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "ambient_C"),
    # PyBaMM needs 1-3 min per full WLTC, so CI runs three representative cases on the last
    # 330 s (the extra-high phase: the peak powers and the regen pulses); the shipped
    # chemistries are compared over whole range tests in test_engine_agreement.py.
    [("Chen2020", 25.0), ("Mohtat2020", -7.0), ("Xu2019", 25.0)],
)
def test_drive_cycle_matches_pybamm(name, ambient_C):
    cell = _cell(name)
    power = wltc_power_W(cell)[-WLTC_WINDOW_S:]
    sim = FastEngine().start(cell, soc=0.9, ambient_C=ambient_C)
    seg = sim.power(power)
    r = compare(seg, pybamm_run(cell, power_W=power, soc=0.9, ambient_C=ambient_C))
    print(name, ambient_C, "WLTC", r)
    assert r["rmse_mV"] < 5.0
    assert r["dT_K"] < 0.3


@pytest.mark.slow
def test_contact_resistance_matches_pybamm():
    """A 20 mOhm contact resistance (PyBaMM's "contact resistance" option: V - I R, heat I^2 R)
    at 2C with lumped thermal: voltage, temperature and capacity as PyBaMM's SPMe."""
    cell = StandInCell("Chen2020", None, {"Contact resistance [Ohm]": 0.02})
    current = 2.0 * capacity_Ah(cell)
    seg = FastEngine().start(cell, soc=1.0, ambient_C=25.0).current(current, 4000)
    r = compare(seg, pybamm_run(cell, current_A=current, duration_s=4000.0))
    print("Chen2020 + 20 mOhm contact, 2C", r)
    assert seg.stop_reason == "voltage_min"
    assert r["rmse_mV"] < 5.0
    assert r["dT_K"] < 0.3
    assert abs(r["cap"] / r["cap_ref"] - 1) < 5e-3
