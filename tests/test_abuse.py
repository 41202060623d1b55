"""Thermal abuse: the kinetics against a published oven-test model, an independent stiff solver,
cited DSC/ARC data and conservation; the aged cell; bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import cellsim
from cellsim.chemistry.paramfile import validate_abuse
from cellsim.engine.fast import abuse as K
from cellsim.engine.fast.abuse_model import AbuseModel, abuse_model, reaction_table
from cellsim.errors import InputError, ParameterFileError
from cellsim.studies.abuse import RUNAWAY_RATE_K_PER_S, simulate_arc, simulate_oven

LIQUID = ("ncm811", "ncm523", "lfp")
HALVED = {"dT_max_K": 0.5, "dc_max": 0.01, "dt_max_s": 30.0}

# Kim et al. 2007, doi:10.1016/j.jpowsour.2007.04.018, Table 1 (kinetics from Hatchard et al. 2001,
# doi:10.1149/1.1377592): an 18650 LiCoO2 cell, contents per jelly-roll volume, rho*cp = 2580*830,
# h = 7.17 W/m2K, emissivity 0.8. The papers were not opened; every rate constant, activation
# energy, enthalpy, content and initial value below, rho*cp (2.14e6 J/m3K) and h*A/V (1816 W/m3K
# = 7.17 W/m2K on an 18650) were matched (2026-11-30, find_string) against public
# reimplementations that cite "Kim et al. (2007), Table 1" (an R dMod2 benchmark of this oven
# model at 428 K; a MATLAB script also using emissivity 0.80; liiontr's hu2020.py for the SEI,
# negative and electrolyte rows).
_KIM_ARRHENIUS = ("frequency_factor_per_s", "activation_energy_J_per_mol", "enthalpy_J_per_g")
KIM_REACTIONS = [
    {"name": "sei", "form": "first_order", "reactant": "negative", "initial_fraction": 0.15,
     **dict(zip(_KIM_ARRHENIUS, (1.667e15, 1.3508e5, 257.0), strict=True))},
    {"name": "ne", "form": "sei_limited", "reactant": "negative", "initial_fraction": 0.75,
     "sei_thickness_reference": 0.033, "initial_sei_thickness": 0.033,
     **dict(zip(_KIM_ARRHENIUS, (2.5e13, 1.3508e5, 1714.0), strict=True))},
    {"name": "pe", "form": "autocatalytic", "reactant": "positive", "initial_conversion": 0.04,
     **dict(zip(_KIM_ARRHENIUS, (6.667e13, 1.396e5, 314.0), strict=True))},
    {"name": "e", "form": "first_order", "reactant": "electrolyte", "initial_fraction": 1.0,
     **dict(zip(_KIM_ARRHENIUS, (5.14e25, 2.74e5, 155.0), strict=True))},
]


def _kim_18650() -> AbuseModel:
    radius_m, height_m = 0.009, 0.065
    volume_m3 = np.pi * radius_m**2 * height_m
    area_m2 = 2 * np.pi * radius_m * height_m + 2 * np.pi * radius_m**2
    masses = {"negative": 610.4 * volume_m3, "positive": 1221.0 * volume_m3,
              "electrolyte": 406.9 * volume_m3}
    table, fractions = reaction_table(KIM_REACTIONS, masses)
    return AbuseModel(("sei", "ne", "pe", "e"), table, fractions, 2580.0 * 830.0 * volume_m3,
                      area_m2, 7.17, 0.8)


@pytest.fixture(scope="module")
def arcs(cells):
    return {c: cellsim.arc_test(cells[c]) for c in (*LIQUID, "solid_state")}


def test_kim_model_oven_threshold_within_5C_of_published_oven_models():
    """The oven temperature separating recovery from runaway of the Kim 2007 18650 LiCoO2 cell.

    References for the separating temperature:

    * Zhao et al. 2024, J. Energy Storage 84, 110901 (3-D Arrhenius thermal-runaway model of an
      18650 cell): critical ambient temperature 148 °C for LiCoO2. VERIFIED in this work from the
      paper's abstract (stored copy found with the ``search`` tool, pages corpus); the full text
      (kinetic parameters, h) was not readable, so their cell data may differ from Kim's.
    * Hatchard et al. 2001 (doi:10.1149/1.1377592): their 18650 LiCoO2 cell survives a 140 °C oven
      and runs away at 150 °C. NOT VERIFIED: recalled; searches of the stored corpora found neither
      the paper nor a reimplementation quoting its oven result.

    Bisection on the oven temperature to 0.25 °C (model: 145.5 °C)."""
    model = _kim_18650()
    low, high = 130.0, 170.0
    assert not simulate_oven(model, low).runaway and simulate_oven(model, high).runaway
    while high - low > 0.25:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if simulate_oven(model, mid).runaway else (mid, high)
    threshold_C = 0.5 * (low + high)
    assert abs(threshold_C - 148.0) <= 5.0  # Zhao et al. 2024 (verified abstract)
    assert 140.0 < threshold_C <= 150.0  # Hatchard et al. 2001 bracket (recalled, unverified)


def test_kim_model_time_to_runaway_matches_an_independent_stiff_solver():
    """SOLVER CHECK, not the paper comparison: the same ODEs through SciPy's Radau (implicit,
    rtol 1e-9) give the same time to 1 °C/s self-heating at 155 °C (model: 24.9 min).

    The issue asks for the time to runaway within 15 % of Hatchard 2001 / Kim 2007; their figure
    could NOT be verified in this work (papers not readable, no stored reimplementation quotes it),
    so that comparison is not made."""
    from scipy.integrate import solve_ivp

    model = _kim_18650()
    oven_K = 155.0 + 273.15
    thermal = model.thermal()
    work = np.empty(4)

    def rhs(_t, y):
        c = y[1:]
        K.rates(model.reactions, c, y[0], work)
        heat = float(np.dot(model.reactions[:, K.R_Q], work))
        dT = (heat - K.heat_loss_W(thermal, y[0], oven_K)) / model.heat_capacity_J_per_K
        return np.concatenate([[dT], -work])

    def rising_fast(_t, y):
        K.rates(model.reactions, y[1:], y[0], work)
        return float(np.dot(model.reactions[:, K.R_Q], work)) / model.heat_capacity_J_per_K - 1.0

    rising_fast.terminal = True
    y0 = np.concatenate([[298.15], model.initial_fractions])
    ref = solve_ivp(rhs, (0.0, 4 * 3600.0), y0, method="Radau", rtol=1e-9, atol=1e-12,
                    events=rising_fast)
    ours = simulate_oven(model, 155.0)
    assert ours.runaway
    assert ours.time_to_runaway_s == pytest.approx(ref.t_events[0][0], rel=1e-3)


def test_halving_the_step_changes_T2_and_time_to_runaway_by_less_than_1_percent(arcs, cells):
    """Oven: the Kim 2007 cell at 155 °C. ARC: every liquid cell, T2 and T3 (a cell without T2
    keeps none)."""
    oven = [simulate_oven(_kim_18650(), 155.0, step_control=s) for s in (None, HALVED)]
    assert oven[1].time_to_runaway_s == pytest.approx(oven[0].time_to_runaway_s, rel=0.01)
    for chemistry in LIQUID:
        halved = simulate_arc(abuse_model(cells[chemistry]), step_control=HALVED)
        assert halved.trigger_C == pytest.approx(arcs[chemistry].trigger_C, rel=0.01,
                                                 nan_ok=True), chemistry
        assert halved.max_C == pytest.approx(arcs[chemistry].max_C, rel=0.01), chemistry


def test_arc_trigger_is_well_conditioned(arcs):
    """T2 is only meaningful when the peak self-heating rate is well away from the 1 °C/s
    criterion: a peak near it makes T2 appear or vanish with a small change of any parameter or of
    the step (the LFP cell peaked at 1.01 °C/s with the top of its cited enthalpy range). Every
    cell's peak is at least twice the criterion or at most half of it."""
    for chemistry, result in arcs.items():
        ratio = result.data["self_heating_K_per_s"].max() / RUNAWAY_RATE_K_PER_S
        assert ratio >= 2.0 or ratio <= 0.5, (chemistry, ratio)
        assert np.isfinite(result.trigger_C) == (ratio >= 2.0), chemistry


def test_energy_released_equals_the_integrated_heat_of_every_reaction(arcs, cells):
    """Trapezoid integral of each reaction's heat rate over the trace (rates from the rate laws at
    the recorded states) against H_i·m_i·(reacted fraction) from the exact per-step updates."""
    for chemistry, result in arcs.items():
        model = abuse_model(cells[chemistry])
        data = result.data
        reacted = model.initial_fractions - np.array(
            [data[f"fraction_{n}"].iloc[-1] for n in model.names])
        expected = model.heat_per_fraction_J * reacted
        integrated = [np.trapezoid(data[f"heat_{n}_W"], data["time_s"]) for n in model.names]
        assert sum(integrated) == pytest.approx(result.energy_released_J, rel=0.01), chemistry
        big = expected > 0.05 * expected.sum()
        np.testing.assert_allclose(np.array(integrated)[big], expected[big], rtol=0.01,
                                   err_msg=chemistry)


@pytest.mark.parametrize("chemistry", [*LIQUID, "solid_state"])
def test_positive_kinetics_peak_at_the_cited_dsc_temperature(cells, chemistry):
    """A 10 K/min DSC of the positive reaction alone (tiny sample, heater ramp) peaks at the
    file's ``dsc_peak_C`` (the measured peak the frequency factor was fitted to)."""
    reaction = next(r for r in cells[chemistry].parameter_set.abuse["reactions"]
                    if r["reactant"] == "positive")
    table, fractions = reaction_table([reaction], {"positive": 1e-9})
    model = AbuseModel(("positive",), table, fractions, 1.0, 1.0, 0.0, 0.0)
    n = 100_000
    rec = (np.zeros(n), np.zeros(n), np.zeros((n, 1)), np.zeros((n, 1)))
    c = fractions.copy()
    ramp_K_per_s = 10.0 / 60.0
    control = np.array([5.0, 1e-9, 0.5, 0.01, 0.01])
    _, _, _, m = K.integrate(table, model.thermal(adiabatic=True), control, c, 323.15, 0.0,
                             (450.0 - 50.0) / ramp_K_per_s, 0.0, ramp_K_per_s, 1.0, K.STOP_TIME,
                             0.0, *rec, 0)
    peak_C = rec[1][np.argmax(rec[3][:m, 0])] - 273.15
    assert peak_C == pytest.approx(reaction["dsc_peak_C"], abs=2.0)


def test_arc_trigger_temperatures_are_ordered_lfp_ncm523_ncm811(arcs):
    """LFP last: VERIFIED from the abstract of Ohneseit et al. 2023 (Batteries 9, 237,
    doi:10.3390/batteries9050237, heat-wait-seek ARC of commercial 21700 NMC, NCA and LFP cells):
    "LFP cells reacted, as expected, more slowly and at significantly higher temperatures". NCM523
    above NCM811 (T2 falls as the nickel content rises): Feng et al. 2018,
    doi:10.1016/j.ensm.2017.05.013, recalled, UNVERIFIED. The LFP cell's decomposition kinetics
    never reach 1 °C/s (no T2, counted as the most stable; Ohneseit's full LFP cells did run away,
    at a temperature the abstract does not give). The solid-state cell runs away once its lithium
    melts (180.5 °C)."""
    t2 = {c: np.nan_to_num(arcs[c].trigger_C, nan=np.inf) for c in arcs}
    assert t2["lfp"] > t2["ncm523"] > t2["ncm811"]
    assert 180.0 < t2["solid_state"] < 190.0
    for result in arcs.values():
        assert result.onset_C < result.max_C
        assert not result.trigger_C <= result.onset_C


def test_ncm811_arc_trigger_within_20C_of_the_cited_measurement(arcs, cells):
    """NCM811: T2 (self-heating 1 °C/s) within 20 °C of the file's ``arc_reference`` (model
    217.8 °C against 210 °C; that reference value is recalled, not verified: ``verified = false``,
    see its source; the must-show proper is the strict xfail below).
    The lumped kinetics have no internal short; that NCM cells run away without one (oxygen from
    the charged cathode reacting with the anode / electrolyte) is shown by Liu et al. 2018,
    doi:10.1016/j.joule.2018.06.015, and for NCM811 by Li et al. 2021, Nano Energy 85, 105878
    (both verified in this work from the papers' abstracts / highlights)."""
    reference = cells["ncm811"].parameter_set.abuse["arc_reference"]["trigger_C"]
    assert arcs["ncm811"].trigger_C == pytest.approx(reference, abs=20.0)


@pytest.mark.xfail(strict=True, reason=(
    "issue #14 must-show NOT MET: no ARC T2 of these chemistries could be read in a source (every "
    "arc_reference has verified = false); against the recalled values NCM523 is 33 °C late and the "
    "LFP cell has no T2"))
@pytest.mark.parametrize("chemistry", LIQUID)
def test_arc_trigger_within_20C_of_a_verified_measurement(arcs, cells, chemistry):
    """The issue's must-show: T2 within 20 °C of a measured T2 of that chemistry, read in its source
    (``arc_reference.verified``). Flip to a plain test once a verified value is matched."""
    reference = cells[chemistry].parameter_set.abuse["arc_reference"]
    assert reference["verified"], f"{chemistry}: the cited T2 was not read in its source"
    assert arcs[chemistry].trigger_C == pytest.approx(reference["trigger_C"], abs=20.0)


@pytest.mark.parametrize("chemistry", ["ncm523", "lfp"])
def test_arc_no_trigger_more_than_20C_below_the_cited_measurement(arcs, cells, chemistry):
    """What holds for NCM523 and LFP: the cell self-heats below 1 °C/s up to 20 °C under the cited
    T2, so the model does not run away early.

    What does NOT hold (see the report of issue #14): the ±20 °C match. NCM523's T2 is 283 °C
    against 250 °C cited (33 °C late; no parameter was found wrong against a source, see
    ``arc_reference.source`` in ncm523.toml). The LFP cell's kinetics never reach 1 °C/s (peak
    ~0.26 °C/s): no T2 against ~300 °C cited. Cells whose separator collapses trigger at the
    internal short (Feng et al. 2018, doi:10.1016/j.ensm.2017.05.013), which the lumped kinetics
    do not model; a collapse temperature picked to match the cited T2 would restate the
    reference, so none is added. Both cited values are recalled, not verified."""
    reference = cells[chemistry].parameter_set.abuse["arc_reference"]["trigger_C"]
    data = arcs[chemistry].data
    early = data["temperature_C"] < reference - 20.0
    assert early.any()
    assert data.loc[early, "self_heating_K_per_s"].max() < 1.0


def test_higher_soc_runs_away_earlier(cells):
    """Higher SOC: earlier runaway in the oven, hotter peak, lower ARC T2. The T2 direction is
    reported for NMC111 pouch cells in ARC (higher SOC, lower T2): J. Electrochem. Energy Convers.
    Storage 18(3), 031001 (ASME), VERIFIED from its abstract (found with the search tool); and in
    ARC of 21700 cells no runaway up to 350 °C at SOC 0 (all chemistries) and SOC 30 (LFP) while the
    full cells ran away: Ohneseit et al. 2023, doi:10.3390/batteries9050237, VERIFIED from its
    abstract."""
    cell = cells["ncm811"]
    full, half = (cellsim.oven_test(cell, 180.0, soc=s) for s in (1.0, 0.5))
    assert full.runaway and half.runaway
    assert full.time_to_runaway_s < half.time_to_runaway_s
    assert full.peak_C > half.peak_C
    assert cellsim.arc_test(cell, soc=1.0).trigger_C < cellsim.arc_test(cell, soc=0.5).trigger_C


def test_a_cool_oven_does_not_trigger_runaway(cells):
    result = cellsim.oven_test(cells["ncm811"], 120.0, duration_s=3 * 3600.0)
    assert not result.runaway and np.isnan(result.time_to_runaway_s)
    assert result.peak_C < 140.0
    assert result.data["temperature_C"].iloc[-1] == pytest.approx(120.0, abs=5.0)


@pytest.mark.parametrize("chemistry", ["ncm811", "lfp"])
def test_aged_cell_self_heats_later(cells, chemistry):
    """Cells aged by SEI growth (thicker SEI, less cyclable lithium) start self-heating at a higher
    temperature (Börner et al. 2017, doi:10.1016/j.jpowsour.2016.12.041; Feng et al. 2018,
    doi:10.1016/j.ensm.2017.05.013; recalled; Börner's DOI and finding were searched for in the
    stored corpora, not found: UNVERIFIED): a 10 % lithium loss to SEI raises T1. What was verified
    (abstract of Gerosa et al. 2025, J. Electrochem. Soc., doi:10.1149/1945-7111/adb804; the
    introduction of Batteries 2023, 9(8), 427, doi:10.3390/batteries9080427) is the other ageing
    path: cells aged with lithium plating show a significantly lower onset of self-heating in ARC.
    Plating is not in this model's mapping, so that direction is not tested here."""
    cell = cells[chemistry]
    lost_Ah = 0.1 * cell.nominal_capacity_Ah
    aged = cellsim.arc_test(cell, ageing={"lli_Ah": lost_Ah, "lli_sei_Ah": lost_Ah})
    fresh = cellsim.arc_test(cell)
    assert aged.onset_C > fresh.onset_C + 0.5


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"oven_C": 10.0}, "oven_C"), ({"oven_C": 450.0}, "oven_C"), ({"soc": 1.2}, "soc"),
    ({"soc": -0.1}, "soc"), ({"h_W_per_m2K": 0.0}, "h_W_per_m2K"),
    ({"h_W_per_m2K": -5.0}, "h_W_per_m2K"), ({"duration_s": 0.0}, "duration_s"),
])
def test_bad_oven_input_names_the_field(cells, kwargs, field):
    args = {"oven_C": 150.0, **kwargs}
    with pytest.raises(InputError, match=field):
        cellsim.oven_test(cells["ncm811"], args.pop("oven_C"), **args)


def test_bad_arc_soc_is_refused(cells):
    with pytest.raises(InputError, match="soc"):
        cellsim.arc_test(cells["lfp"], soc=1.5)


def test_a_chemistry_without_abuse_parameters_names_what_is_missing(cells):
    cell = cells["ncm811"]
    bare = dataclasses.replace(cell, parameter_set=dataclasses.replace(cell.parameter_set, abuse={}))
    with pytest.raises(InputError, match=r"no abuse parameters.*\[abuse\].*frequency_factor_per_s"):
        cellsim.arc_test(bare)


@pytest.mark.parametrize(("change", "key"), [
    (lambda t: t["reactions"][0].pop("enthalpy_J_per_g"), "reactions\\[0\\].enthalpy_J_per_g"),
    (lambda t: t["reactions"][1].update(form="zeroth"), "reactions\\[1\\].form"),
    (lambda t: t["reactions"][3].update(initial_conversion=1.0), "reactions\\[3\\].initial_conversion"),
    (lambda t: t.update(emissivity=1.5), "emissivity"),
    (lambda t: t.pop("reactions"), "reactions"),
    (lambda t: t["arc_reference"].pop("verified"), "arc_reference.verified"),
    (lambda t: t["arc_reference"].update(trigger_C="hot"), "arc_reference.trigger_C"),
])
def test_bad_abuse_block_names_file_and_key(cells, change, key):
    import copy

    table = copy.deepcopy(cells["ncm811"].parameter_set.abuse)
    change(table)
    with pytest.raises(ParameterFileError, match=f"abuse.{key}"):
        validate_abuse("ncm811.toml", table)


@pytest.mark.slow
def test_a_hot_3c_charge_stays_below_the_self_heating_onset(cells):
    """A 3C charge from 10 % SOC at 35 °C heats the ncm811 cell, but stays far below T1: the
    margin trace is T1 minus the cell temperature at every point."""
    from cellsim.engine.fast import FastEngine
    from cellsim.studies.abuse import onset_margin

    cell = cells["ncm811"]
    onset_C = cellsim.arc_test(cell).onset_C
    sim = FastEngine().start(cell, soc=0.1, ambient_C=35.0)
    trace = sim.current(-3.0 * cell.nominal_capacity_Ah, 900.0,
                        v_max_V=cell.voltage_max_V).trace.to_frame()
    _margin, minimum_K = onset_margin(trace, onset_C)
    assert trace["temperature_C"].max() > 40.0
    assert 0.0 < minimum_K < onset_C - 40.0
    assert minimum_K == pytest.approx(onset_C - trace["temperature_C"].max(), abs=1e-9)


def test_onset_margin_refuses_a_result_without_temperatures():
    from cellsim.studies.abuse import onset_margin

    with pytest.raises(InputError, match="temperature_C"):
        onset_margin(object(), 80.0)


def test_arc_summary_is_nan_for_a_cell_without_abuse_parameters(cells):
    from cellsim.studies.abuse import arc_summary

    cell = cells["lfp"]
    bare = dataclasses.replace(cell, parameter_set=dataclasses.replace(cell.parameter_set, abuse={}))
    assert all(np.isnan(v) for v in arc_summary(bare).values())


@pytest.mark.slow
def test_cli_abuse_prints_json_and_saves_the_figure(tmp_path, capsys):
    import json

    from cellsim.presentation.cli import main

    out = tmp_path / "arc.png"
    assert main(["abuse", "--chemistry", "ncm811", "--soc", "1,0.5", "--json", "--out",
                 str(out)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["soc"] for r in rows] == [1.0, 0.5]
    assert rows[0]["trigger_C"] < rows[1]["trigger_C"]
    assert out.stat().st_size > 0


def test_cli_abuse_bad_oven_is_one_line(capsys):
    from cellsim.presentation.cli import main

    assert main(["abuse", "--test", "oven", "--chemistry", "lfp", "--oven", "500"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "oven_C" in err


def test_lifetime_margin_follows_the_onset_of_the_aged_cell(cells):
    """Margin over a lifetime: each day's peak temperature against T1 of the cell as aged that day
    (a lifetime result's reporting rows carry the lithium lost; here a linear 10 % loss to SEI)."""
    from types import SimpleNamespace

    from cellsim.studies.abuse import lifetime_margin

    cell = cells["ncm811"]
    lost_Ah = np.linspace(0.0, 0.1 * cell.nominal_capacity_Ah, 5)
    result = SimpleNamespace(
        data=pd.DataFrame({"day": np.linspace(0, 3650, 5), "lli_Ah": lost_Ah, "lli_sei_Ah": lost_Ah}),
        days=pd.DataFrame({"day": np.arange(0, 3651, 365), "peak_temperature_C": 40.0}))
    days, minimum_K = lifetime_margin(cell, result, points=3)
    assert days["onset_C"].is_monotonic_increasing
    assert days["onset_C"].iloc[-1] > days["onset_C"].iloc[0] + 0.5
    assert minimum_K == pytest.approx(days["onset_C"].iloc[0] - 40.0)
