"""Ageing in the fast engine (SEI, lithium plating, loss of active material, Li/SE interphase).

The comparisons against PyBaMM's SPMe with the same degradation submodels are marked ``slow``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from cellsim._pybamm import pybamm
from cellsim.chemistry.cell import Cell
from cellsim.engine.fast import FastEngine
from cellsim.engine.fast import layout as L
from cellsim.errors import InputError

DAY = 86400.0
YEAR = 365.0 * DAY
# OKane2022's choices for the SEI and plating submodels (the shipped sets' defaults)
OPTIONS = {"SEI": "solvent-diffusion limited", "lithium plating": "partially reversible"}
SEI_SCALE = 1000.0  # test-only: SEI solvent diffusivity x 1000 in both engines (measurable fade)


@functools.cache
def cell(chemistry: str) -> Cell:
    return Cell.from_chemistry(chemistry)


@functools.cache
def scaled_cell(chemistry: str) -> Cell:
    """The shipped cell with a 1000x faster SEI (same change given to PyBaMM and the fast engine)."""
    base = cell(chemistry)
    pv = base.parameter_values
    key = "SEI solvent diffusivity [m2.s-1]"
    pv.update({key: pv[key] * SEI_SCALE})
    return Cell.from_parameter_values(pv, name=f"{chemistry} (SEI x{SEI_SCALE:g})",
                                      model_options=dict(base.model_options))


def capacity(c: Cell) -> float:
    return float(c.parameter_values["Nominal cell capacity [A.h]"])


def limits(c: Cell) -> tuple[float, float]:
    pv = c.parameter_values
    return float(pv["Lower voltage cut-off [V]"]), float(pv["Upper voltage cut-off [V]"])


def lithium_in_particles_mol(sim) -> float:
    """Cyclable lithium in the particles of a full cell (PyBaMM's r- and x-average)."""
    a, y = sim._a, sim._y
    nr = int(a.dims[L.D_NR_N])
    w = (np.arange(1, nr + 1) ** 3 - np.arange(nr) ** 3) / nr**3
    st = sim.ageing_state
    n_n = (w @ y[:nr]) * st[L.A_EPS_N] * a.prm[L.P_L_N]
    n_p = (w @ y[nr:2 * nr]) * st[L.A_EPS_P] * a.prm[L.P_L_P]
    return float((n_n + n_p) * a.prm[L.P_AREA])


# --- agreement with PyBaMM -----------------------------------------------------------------
N_CYCLES = 20


@functools.cache
def pybamm_cycling(chemistry: str):
    c = scaled_cell(chemistry)
    v_min, v_max = limits(c)
    model = pybamm().lithium_ion.SPMe(c.pybamm_options(**OPTIONS))  # with its contact resistance
    exp = pybamm().Experiment(
        [(f"Discharge at 1C until {v_min} V", f"Charge at 1C until {v_max} V",
          f"Hold at {v_max} V until C/20")] * N_CYCLES, period="120 s")
    sim = pybamm().Simulation(model, parameter_values=c.parameter_values, experiment=exp,
                              solver=pybamm().IDAKLUSolver())
    sol = sim.solve(initial_soc=1.0)
    q = [float(cy.steps[0]["Discharge capacity [A.h]"].entries[-1]
               - cy.steps[0]["Discharge capacity [A.h]"].entries[0]) for cy in sol.cycles]
    lli = float(sol["Loss of capacity to negative SEI [A.h]"].entries[-1]
                + sol["Loss of capacity to negative lithium plating [A.h]"].entries[-1])
    return np.array(q), lli


def fast_cycling(chemistry: str):
    c = scaled_cell(chemistry)
    _, v_max = limits(c)
    cap = capacity(c)
    sim = FastEngine().start(c, soc=1.0, thermal="isothermal", ageing=True,
                             ageing_options=OPTIONS, record_every=60)
    q = []
    for _ in range(N_CYCLES):
        q.append(sim.current(cap, 4 * 3600.0).trace.capacity_Ah[-1])
        sim.cccv(cap, v_max, cap / 20)
    return np.array(q), sim


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", ["ncm811", "ncm523", "lfp"])
def test_capacity_fade_matches_pybamm_spme(chemistry):
    """20 cycles 1C / 1C CC-CV with solvent-diffusion SEI and partially reversible plating:
    discharge-capacity fade and lithium lost within 10 % of PyBaMM's SPMe (measured < 2 %)."""
    q_ref, lli_ref = pybamm_cycling(chemistry)
    q, sim = fast_cycling(chemistry)
    fade_ref = q_ref[0] - q_ref[-1]
    fade = q[0] - q[-1]
    assert fade_ref > 0.01 * q_ref[0]  # the scaled SEI makes the loss measurable
    assert fade == pytest.approx(fade_ref, rel=0.10)
    assert sim.ageing["lli_Ah"] == pytest.approx(lli_ref, rel=0.10)


CALENDAR_DAYS = 30


@functools.cache
def _electrode_soh_solver(chemistry: str):
    return pybamm().lithium_ion.ElectrodeSOHSolver(cell(chemistry).parameter_values,
                                                   param=pybamm().LithiumIonParameters())


def _pybamm_calendar_loss_Ah(chemistry: str, soc: float, ambient_C: float) -> float:
    """Capacity lost by PyBaMM's SPMe (the set's SEI and plating submodels) over a rest of
    CALENDAR_DAYS at ``ambient_C``: PyBaMM's electrode SOH capacity for the lithium left in the
    particles, before and after, with the electrode capacities fixed (no LAM at rest)."""
    pv = cell(chemistry).parameter_values.copy()
    pv.update({"Ambient temperature [K]": ambient_C + 273.15,
               "Initial temperature [K]": ambient_C + 273.15})
    exp = pybamm().Experiment([f"Rest for {24 * CALENDAR_DAYS} hours"], period="1 hour")
    sol = pybamm().Simulation(pybamm().lithium_ion.SPMe(dict(OPTIONS)), parameter_values=pv,
                              experiment=exp, solver=pybamm().IDAKLUSolver()).solve(
        initial_soc=soc)
    q_li = sol["Total lithium capacity in particles [A.h]"].entries
    q_n = float(sol["Negative electrode capacity [A.h]"].entries[-1])
    q_p = float(sol["Positive electrode capacity [A.h]"].entries[-1])
    solver = _electrode_soh_solver(chemistry)
    q = [float(solver.solve({"Q_Li": float(x), "Q_n": q_n, "Q_p": q_p})["Q"])
         for x in (q_li[0], q_li[-1])]
    return q[0] - q[1]


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
@pytest.mark.parametrize("soc", [0.5, 1.0])
@pytest.mark.parametrize("ambient_C", [25.0, 45.0])
def test_calendar_path_matches_pybamm_spme(chemistry, soc, ambient_C):
    """The lifetime's calendar path (rest steps of up to 1 h, SEI thickness integrated in closed
    form, plated lithium by the exact solution of its linear ODE) against PyBaMM's SPMe with the
    same SEI and plating submodels, the shipped (calendar-fitted) values, 30 days of rest:
    capacity lost within 1 % (issue #13 asks 5 %; measured < 0.03 % for ncm811, ncm523, lfp at
    50/100 % SOC and 25/45 C)."""
    ref = _pybamm_calendar_loss_Ah(chemistry, soc, ambient_C)
    sim = FastEngine().start(cell(chemistry), soc=soc, ambient_C=ambient_C,
                             thermal="isothermal", ageing=True, ageing_options=OPTIONS)
    q0 = sim.capacity_Ah()
    sim.rest(CALENDAR_DAYS * DAY)
    assert ref > 1e-3 * q0  # a measurable loss
    assert q0 - sim.capacity_Ah() == pytest.approx(ref, rel=0.01)


# --- trends ----------------------------------------------------------------------------------
def test_fade_is_monotonic_and_lithium_is_conserved():
    c = scaled_cell("ncm811")
    cap = capacity(c)
    _, v_max = limits(c)
    sim = FastEngine().start(c, soc=1.0, ageing=True, record_every=100)
    n0 = lithium_in_particles_mol(sim)
    q0 = sim.capacity_Ah()
    caps, irreversible = [], [0.0]
    for _ in range(5):
        sim.current(cap, 4 * 3600.0)
        caps.append(sim.capacity_Ah())
        sim.cccv(cap, v_max, cap / 20)
        irreversible.append(sim.ageing["lli_sei_Ah"] + sim.ageing["dead_lithium_Ah"])
        sim.rest(2 * DAY)
        irreversible.append(sim.ageing["lli_sei_Ah"] + sim.ageing["dead_lithium_Ah"])
    # capacity at the same point of each cycle falls; the irreversible loss grows at every
    # sample (reversibly plated lithium returns when it is stripped on discharge)
    assert caps[0] < q0
    assert np.all(np.diff(caps) < 0)
    assert np.all(np.diff(irreversible) > 0)
    lost_mol = sim.ageing["lli_Ah"] * 3600.0 / 96485.33212
    assert lithium_in_particles_mol(sim) + lost_mol == pytest.approx(n0, rel=1e-9)


def _calendar(chemistry: str, soc: float, ambient_C: float, days: float, options=None) -> dict:
    sim = FastEngine().start(cell(chemistry), soc=soc, ambient_C=ambient_C, ageing=True,
                             ageing_options=options)
    sim.rest(days * DAY)
    return sim.ageing


@pytest.mark.parametrize("chemistry", ["ncm811", "ncm523", "lfp"])
def test_hotter_storage_grows_more_sei(chemistry):
    cool = _calendar(chemistry, 0.8, 25.0, 90)
    hot = _calendar(chemistry, 0.8, 45.0, 90)
    assert hot["lli_sei_Ah"] > 1.5 * cool["lli_sei_Ah"] > 0
    assert hot["film_resistance_ohm"] > cool["film_resistance_ohm"]


@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
def test_higher_storage_soc_ages_more(chemistry):
    """Calendar loss rises with storage SOC: through the negative OCP in the reaction-limited SEI
    and, with the default options, through plating/dead lithium at low negative potential (the
    solvent-diffusion limited SEI alone does not depend on SOC, as in PyBaMM)."""
    lo = _calendar(chemistry, 0.3, 25.0, 180)
    hi = _calendar(chemistry, 1.0, 25.0, 180)
    assert hi["lli_Ah"] > lo["lli_Ah"]
    assert hi["lli_sei_Ah"] == pytest.approx(lo["lli_sei_Ah"], rel=0.02)
    rl = {"SEI": "reaction limited", "lithium plating": "none"}
    lo = _calendar(chemistry, 0.3, 25.0, 180, rl)
    hi = _calendar(chemistry, 1.0, 25.0, 180, rl)
    assert hi["lli_sei_Ah"] > 1.2 * lo["lli_sei_Ah"] > 0


@pytest.mark.parametrize("chemistry", ["ncm811", "ncm523", "lfp"])
def test_cold_fast_charge_plates_more(chemistry):
    """A 1C CC-CV charge from 10 % SOC at 0 C leaves more dead (irreversibly plated) lithium
    than at 25 C. (Reversibly plated lithium also forms at 25 C near full charge, where the
    negative OCP is below ~0.1 V, and is stripped again on discharge.)"""
    c = cell(chemistry)
    cap = capacity(c)
    _, v_max = limits(c)
    dead = {}
    for temp in (0.0, 25.0):
        sim = FastEngine().start(c, soc=0.1, ambient_C=temp, ageing=True, record_every=100)
        sim.cccv(cap, v_max, cap / 20, max_duration_s=3 * 3600.0)
        dead[temp] = sim.ageing["dead_lithium_Ah"]
    # ncm811's graphite exchange current is fitted to the LG M50 pulses (issue 12): 20x
    # Chen2020's at 25 C, 9x at 0 C, so its cold plating excess is smaller (1.6x, was > 2x)
    assert dead[0.0] > (1.3 if chemistry == "ncm811" else 2.0) * dead[25.0] > 0


def test_ten_years_of_rest_is_finite():
    for chemistry in ("ncm811", "ncm523", "lfp", "solid_state"):
        sim = FastEngine().start(cell(chemistry), soc=0.9, ambient_C=35.0, ageing=True)
        for _ in range(10):
            seg = sim.rest(YEAR)
            assert np.all(np.isfinite(seg.trace.voltage_V))
        assert np.all(np.isfinite(sim.state))
        assert np.all(np.isfinite(list(sim.ageing.values())))
        assert 0.0 < sim.soh <= 1.0
        if chemistry != "solid_state":
            assert sim.soh < 0.99


def test_calendar_sei_follows_sqrt_time():
    """Solvent-diffusion limited SEI: L^2 - L0^2 grows linearly in time (long steps are exact)."""
    th = []
    for days in (100, 400):
        a = _calendar("ncm523", 0.5, 25.0, days, {"lithium plating": "none"})
        th.append(a["sei_thickness_m"])
    l0 = float(cell("ncm523").parameter_values["Initial SEI thickness [m]"])
    assert (th[1] ** 2 - l0**2) / (th[0] ** 2 - l0**2) == pytest.approx(4.0, rel=1e-3)


# --- API, cycle jumping, ageing off ---------------------------------------------------------
def test_ageing_off_freezes_state_and_matches_fast_engine():
    c = cell("ncm811")
    cap = capacity(c)
    off = FastEngine().start(c, soc=1.0)
    ref = off.current(cap, 1800.0)
    assert off.ageing["lli_Ah"] == 0.0 and off.ageing["film_resistance_ohm"] == 0.0
    assert off.soh == pytest.approx(1.0)
    st0 = off.ageing_state
    off.rest(DAY)
    assert np.array_equal(off.ageing_state[:L.A_Q_THROUGHPUT], st0[:L.A_Q_THROUGHPUT])
    on = FastEngine().start(c, soc=1.0, ageing=True)
    r_film = on.ageing["film_resistance_ohm"]  # PyBaMM's initial 5 nm SEI film
    seg = on.current(cap, 1800.0)
    dv = ref.trace.voltage_V - seg.trace.voltage_V
    assert dv[0] == pytest.approx(cap * r_film, abs=5e-5)
    assert np.max(np.abs(dv)) < 2e-3


def test_cycle_jumping_extrapolates_the_ageing_state():
    c = cell("ncm811")
    cap = capacity(c)
    _, v_max = limits(c)

    def day(sim):
        sim.current(cap / 2, 3600.0)
        sim.cccv(cap / 2, v_max, cap / 20)
        sim.rest(20 * 3600.0)

    def start():
        # a month in storage first: past the fast start of the sqrt(t) SEI, which the lifetime
        # study covers with short blocks
        sim = FastEngine().start(c, soc=1.0, ageing=True, record_every=100)
        sim.rest(30 * DAY)
        return sim

    exact = start()
    lli_0 = exact.ageing["lli_Ah"]
    for _ in range(6):
        day(exact)
    jump = start()
    day(jump)
    s1 = jump.ageing_state
    day(jump)
    s2 = jump.ageing_state
    jump.set_ageing_state(s2 + 4 * (s2 - s1))  # days 3..6 extrapolated
    # the day-2 rate over-predicts the decelerating (sqrt t) SEI a little
    assert jump.ageing["lli_Ah"] - lli_0 == pytest.approx(exact.ageing["lli_Ah"] - lli_0, rel=0.10)
    assert jump.soh == pytest.approx(exact.soh, abs=5e-4)
    # a new simulation started from the aged state has the aged capacity
    again = FastEngine().start(c, soc=1.0, ageing=True, ageing_state=jump.ageing_state)
    assert again.soh == pytest.approx(jump.soh, rel=1e-9)
    q = again.current(cap / 10, 12 * 3600.0).trace.capacity_Ah[-1]
    assert q == pytest.approx(again.capacity_Ah(), rel=0.03)


def test_ageing_dict_and_bad_input():
    sim = FastEngine().start(cell("lfp"), soc=0.5, ageing=True)
    keys = {"lli_Ah", "lli_sei_Ah", "plated_Ah", "lam_n_fraction", "lam_p_fraction",
            "film_resistance_ohm"}
    assert keys <= set(sim.ageing)
    assert sim.ageing_state.shape == (L.N_AGE,)
    with pytest.raises(InputError, match="ageing state"):
        sim.set_ageing_state(np.zeros(3))
    with pytest.raises(InputError, match="NaN"):
        sim.set_ageing_state(np.full(L.N_AGE, np.nan))
    with pytest.raises(InputError, match="SEI"):
        FastEngine().start(cell("lfp"), ageing=True, ageing_options={"SEI": "magic"})
    with pytest.raises(InputError, match="unknown ageing option"):
        FastEngine().start(cell("lfp"), ageing=True, ageing_options={"colour": "red"})
    with pytest.raises(InputError, match="half cell"):
        FastEngine().start(cell("solid_state"), ageing=True,
                           ageing_options={"SEI": "solvent-diffusion limited"})


def test_solid_state_interphase_resistance_grows_as_sqrt_time():
    c = cell("solid_state")
    sim = FastEngine().start(c, soc=0.5, ageing=True)
    assert sim.ageing["film_resistance_ohm"] == 0.0
    sim.rest(30 * DAY)
    r1 = sim.ageing["film_resistance_ohm"]
    sim.rest(90 * DAY)
    r4 = sim.ageing["film_resistance_ohm"]
    assert r4 / r1 == pytest.approx(2.0, rel=1e-3)
    assert sim.ageing["lli_Ah"] > 0 and sim.soh == 1.0  # interphase lithium: from the foil excess
    # the grown interface lowers the loaded voltage by about I * dR
    fresh = FastEngine().start(c, soc=0.5)
    aged = FastEngine().start(c, soc=0.5, ageing_state=sim.ageing_state)
    i = capacity(c)
    dv = fresh.current(i, 10.0).trace.voltage_V[-1] - aged.current(i, 10.0).trace.voltage_V[-1]
    assert dv == pytest.approx(i * r4, rel=0.02)


@pytest.mark.slow
def test_solid_state_cathode_lam_matches_pybamm_half_cell():
    """Stress-driven loss of positive active material in the lithium-metal half cell: after 3
    cycles at 1C with the LAM rate x 100 (both engines), within 10 % of PyBaMM's half-cell SPMe."""
    base = cell("solid_state")
    key = "Positive electrode LAM constant proportional term [s-1]"
    c = base.with_parameters({key: 100.0 * base.parameter_values[key]})
    pv = c.parameter_values
    cap = capacity(c)
    v_min, v_max = limits(c)
    exp = pybamm().Experiment(
        [(f"Discharge at 1C until {v_min} V", f"Charge at 1C until {v_max} V",
          f"Hold at {v_max} V until C/20")] * 3, period="120 s")
    model = pybamm().lithium_ion.SPMe({**base.model_options,
                                       "loss of active material": "stress-driven"})
    sol = pybamm().Simulation(model, parameter_values=pv, experiment=exp,
                              solver=pybamm().IDAKLUSolver()).solve(initial_soc=1.0)
    ref = 1.0 - sol["X-averaged positive electrode active material volume fraction"].entries[-1] \
        / pv["Positive electrode active material volume fraction"]
    sim = FastEngine().start(c, soc=1.0, thermal="isothermal", ageing=True, record_every=60,
                             ageing_options={"SEI": "none"})
    for _ in range(3):
        sim.current(cap, 4 * 3600.0)
        sim.cccv(cap, v_max, cap / 20)
    assert ref > 1e-3
    assert sim.ageing["lam_p_fraction"] == pytest.approx(ref, rel=0.10)


@pytest.mark.slow
def test_stress_driven_lam_matches_pybamm_spme():
    """Stress-driven LAM with PyBaMM's stress-induced diffusion on ncm811 (fitted Arrhenius LAM
    rates, at 25 C = their reference temperature): loss of active material in both electrodes
    after 3 cycles within 10 % of PyBaMM (measured < 5 %)."""
    c = cell("ncm811")
    cap = capacity(c)
    v_min, v_max = limits(c)
    pv = c.parameter_values
    opts = {"loss of active material": "stress-driven", "stress-induced diffusion": "true"}
    exp = pybamm().Experiment(
        [(f"Discharge at 1C until {v_min} V", f"Charge at 1C until {v_max} V",
          f"Hold at {v_max} V until C/20")] * 3, period="120 s")
    model = pybamm().lithium_ion.SPMe(c.pybamm_options(**opts))  # with its contact resistance
    sol = pybamm().Simulation(model, parameter_values=pv,
                              experiment=exp, solver=pybamm().IDAKLUSolver()).solve(initial_soc=1.0)
    ref = {d: 1.0 - sol[f"X-averaged {d} electrode active material volume fraction"].entries[-1]
           / pv[f"{d.capitalize()} electrode active material volume fraction"]
           for d in ("negative", "positive")}
    sim = FastEngine().start(c, soc=1.0, thermal="isothermal", ageing=True, record_every=60,
                             ageing_options={**opts, "SEI": "none", "lithium plating": "none"})
    for _ in range(3):
        sim.current(cap, 4 * 3600.0)
        sim.cccv(cap, v_max, cap / 20)
    assert sim.ageing["lam_n_fraction"] == pytest.approx(ref["negative"], rel=0.10)
    assert sim.ageing["lam_p_fraction"] == pytest.approx(ref["positive"], rel=0.10)


@pytest.mark.slow
def test_negative_only_arrhenius_lam_matches_pybamm_spme():
    """lfp's default LAM: PyBaMM's per-electrode option ("stress-driven", "none") without
    stress-induced diffusion, its fitted Arrhenius rate (x 100 here, both engines) at 35 C, ten
    degrees off its reference: negative active material lost after 3 cycles at 1C within 10 %
    of PyBaMM's SPMe."""
    base = cell("lfp")
    key = "Negative electrode LAM constant proportional term [s-1]"
    rate = base.parameter_values[key]
    c = base.with_parameters({key: lambda T: 100.0 * rate(T)})
    pv = c.parameter_values.copy()
    pv.update({"Ambient temperature [K]": 308.15, "Initial temperature [K]": 308.15})
    cap = capacity(c)
    v_min, v_max = limits(c)
    opts = {"loss of active material": ("stress-driven", "none"),
            "stress-induced diffusion": "false"}
    exp = pybamm().Experiment(
        [(f"Discharge at 1C until {v_min} V", f"Charge at 1C until {v_max} V",
          f"Hold at {v_max} V until C/20")] * 3, period="120 s")
    sol = pybamm().Simulation(pybamm().lithium_ion.SPMe(dict(opts)), parameter_values=pv,
                              experiment=exp, solver=pybamm().IDAKLUSolver()).solve(initial_soc=1.0)
    ref = 1.0 - sol["X-averaged negative electrode active material volume fraction"].entries[-1] \
        / pv["Negative electrode active material volume fraction"]
    sim = FastEngine().start(c, soc=1.0, ambient_C=35.0, thermal="isothermal", ageing=True,
                             record_every=60, ageing_options={"SEI": "none",
                                                              "lithium plating": "none"})
    for _ in range(3):
        sim.current(cap, 4 * 3600.0)
        sim.cccv(cap, v_max, cap / 20)
    assert ref > 1e-3
    assert sim.ageing["lam_p_fraction"] == 0.0
    assert sim.ageing["lam_n_fraction"] == pytest.approx(ref, rel=0.10)
