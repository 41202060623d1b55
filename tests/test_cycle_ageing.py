"""Cycle ageing: the lab cycling study (cycle jumping against every cycle, bad input) and the
cycle fade of the liquid sets against the published fits they are calibrated to
(tools/calibrate_cycle_ageing.py, targets in tools/cycle_reference.py: NREL BLAST-Lite's fits of
the LG M50, of a large-format LFP cell and of the DENSO 50 Ah NMC622 cell), calendar trends."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cellsim
from cellsim.engine.fast import FastEngine
from cellsim.errors import InputError
from cellsim.studies.cycle_ageing import cycle_ageing
from tools.calibrate_cycle_ageing import CHARGE_C_RATE, CONFIG
from tools.cycle_reference import REFERENCE

CYCLES = 1000


def _loss_and_target(chemistry: str, ambient_C: float, c_rate: float = 1.0, dod: float = 1.0):
    result = cycle_ageing(cellsim.Cell.from_chemistry(chemistry), CYCLES,
                          discharge_c_rate=c_rate, charge_c_rate=CHARGE_C_RATE,
                          ambient_C=ambient_C, depth_of_discharge=dod)
    last = result.iloc[-1]
    assert int(last["cycle"]) == CYCLES
    target = REFERENCE[chemistry](CYCLES, ambient_C, c_rate, CHARGE_C_RATE, dod,
                                  float(last["cycle_time_h"]))
    return 1.0 - float(last["soh"]), target, last


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", sorted(REFERENCE))
def test_cycle_fade_at_25C_matches_the_fit_it_is_calibrated_to(chemistry):
    """CALIBRATION PIN: 1000 cycles at 25 C, 1C discharge, C/2 CC-CV charge, 100 % DoD is a fit
    point of tools/calibrate_cycle_ageing.py (measured +18 % for ncm811, whose fit compromises
    between C/2 and C/5 charging, -8 % for lfp, -6 % for ncm523); the issue asks for 30 %;
    fails if a parameter change moves it. Loss of active material is part of the loss."""
    assert (25.0, 1.0, 1.0, CHARGE_C_RATE) in CONFIG[chemistry]["fit"]
    loss, target, last = _loss_and_target(chemistry, 25.0)
    assert loss == pytest.approx(target, rel=0.30)
    assert last["lam_n_fraction"] > 0.0


@pytest.mark.slow
@pytest.mark.parametrize("chemistry", sorted(REFERENCE))
def test_cycle_fade_at_45C_is_predicted(chemistry):
    """PREDICTION: 45 C is in no fit (the temperature dependence comes from the fits at 10-25 C,
    ncm811 and ncm523, or 15-25 C, lfp); measured -3 % (ncm811), -19 % (lfp), tolerance 30 %,
    and -31 % (ncm523), tolerance the issue's 40 %: the DENSO cell fades least near 35-45 C
    (its cycle term falls with temperature, its calendar term rises), the single Arrhenius
    LAM rate fitted at 10-25 C cannot follow that turn. For the LG M50 the target itself
    extrapolates its data (cycled at 0-25 C); the large LFP and the DENSO cells were cycled at
    45 C."""
    assert all(p[0] != 45.0 for p in CONFIG[chemistry]["fit"])
    loss, target, _ = _loss_and_target(chemistry, 45.0)
    assert loss == pytest.approx(target, rel=0.40 if chemistry == "ncm523" else 0.30)


@pytest.mark.slow
def test_lfp_fades_less_than_ncm811_per_cycle():
    """Same protocol (1000 cycles, 25 C, 1C / C/2, 100 % DoD): the LFP set loses less than the
    NCM811 set, as the two cells' data say (BLAST-Lite fits: ~8 % against ~20 %) and as Preger
    et al. 2020 (doi:10.1149/1945-7111/abae37) measured on commercial LFP and NMC cells."""
    lfp, _, lfp_last = _loss_and_target("lfp", 25.0)
    ncm, _, ncm_last = _loss_and_target("ncm811", 25.0)
    assert lfp / lfp_last["equivalent_full_cycles"] < ncm / ncm_last["equivalent_full_cycles"]


@pytest.mark.parametrize("chemistry", ["ncm811", "ncm523", "lfp"])
def test_calendar_fade_ordered_by_soc_and_temperature(chemistry):
    """Three months of storage: more loss at 100 % than at 50 % SOC (25 C) and at 45 > 25 > 10 C
    (50 % SOC), as every calendar data set the liquid sets are fitted to shows."""
    def loss(ambient_C, soc):
        sim = FastEngine().start(cellsim.Cell.from_chemistry(chemistry), soc=soc,
                                 ambient_C=ambient_C, ageing=True)
        sim.rest(90 * 86400.0)
        return 1.0 - sim.soh

    assert loss(25.0, 1.0) > loss(25.0, 0.5)
    assert loss(45.0, 0.5) > loss(25.0, 0.5) > loss(10.0, 0.5) > 0.0


@pytest.mark.slow
def test_cycle_jumping_agrees_with_every_cycle():
    """Accelerated (cycle jumping) against every cycle simulated: 300 cycles of ncm811 at 25 C,
    state of health within 0.3 points at the end."""
    cell = cellsim.Cell.from_chemistry("ncm811")
    exact = cycle_ageing(cell, 300, mode="exact")
    fast = cycle_ageing(cell, 300)
    assert len(fast) < 0.1 * len(exact)
    assert fast["soh"].iloc[-1] == pytest.approx(exact["soh"].iloc[-1], abs=0.003)
    assert fast["lam_n_fraction"].iloc[-1] == pytest.approx(exact["lam_n_fraction"].iloc[-1],
                                                            rel=0.05)


@pytest.mark.parametrize("kwargs, field", [
    ({"cycles": 0}, "cycles"), ({"cycles": 2.5}, "cycles"),
    ({"discharge_c_rate": -1.0}, "discharge_c_rate"), ({"charge_c_rate": 0.0}, "charge_c_rate"),
    ({"ambient_C": float("nan")}, "ambient_C"), ({"depth_of_discharge": 1.5},
                                                 "depth_of_discharge"),
    ({"mode": "fast"}, "mode"), ({"jump_cycles": 0}, "jump_cycles")])
def test_bad_cycling_input_names_the_field(kwargs, field):
    args = {"cycles": 10, **kwargs}
    with pytest.raises(InputError, match=field):
        cycle_ageing(cellsim.Cell.from_chemistry("ncm811"), args.pop("cycles"), **args)


@pytest.mark.parametrize("options, match", [
    ({"loss of active material": "stress-driven"}, "Positive electrode Young's modulus"),
    ({"loss of active material": ("stress-driven", "reaction-driven")}, "loss of active material"),
    ({"loss of active material": ("stress-driven",)}, "loss of active material"),
    ({"stress-induced diffusion": "maybe"}, "stress-induced diffusion"),
])
def test_ageing_options_the_set_lacks_name_the_field(options, match):
    """lfp documents graphite mechanics only: stress-driven LAM of its positive is refused."""
    with pytest.raises(InputError, match=match):
        FastEngine().start(cellsim.Cell.from_chemistry("lfp"), ageing=True,
                           ageing_options=options)


@pytest.mark.parametrize("value", [-1e-7, float("nan")])
def test_bad_lam_rate_names_the_field(value):
    key = "Negative electrode LAM constant proportional term [s-1]"
    cell = cellsim.Cell.from_chemistry("ncm811").with_parameters({key: value})
    with pytest.raises(InputError, match=re.escape(key)):
        FastEngine().start(cell, ageing=True)


def _fade_per_cycle(result, first: int, last: int) -> float:
    soh = np.interp([first, last], result["cycle"], result["soh"])
    return float(soh[0] - soh[1]) / (last - first)


@pytest.mark.slow
def test_fade_bends_down_from_stress_driven_loss_of_active_material():
    """KNEE, a model result (nothing about it is fitted; the fits stop at 1000 cycles, and the
    BLAST-Lite target, a power law, has none): ncm811 cycled at 25 C (1C / C/2, 100 % DoD).
    The fade per cycle first slows (SEI, sqrt(t)), then from ~1000 cycles speeds up (measured:
    11.3 % over cycles 514-1005, 16.8 % over 1005-1511, SOH 0.5 at ~1690): the stress-driven
    LAM feeds itself - less active material carries the same current, so the particle surface
    flux, the stress and the LAM rate ((sigma / sigma_c)^m, m = 2) rise, and the lithium of the
    lost material is lost with it. With the LAM rates at zero the fade only slows down."""
    cell = cellsim.Cell.from_chemistry("ncm811")
    aged = cycle_ageing(cell, 1650)
    assert _fade_per_cycle(aged, 1350, 1650) > 1.5 * _fade_per_cycle(aged, 500, 1000)
    lam_n = np.interp([0, 500, 1350, 1650], aged["cycle"], aged["lam_n_fraction"])
    assert (lam_n[3] - lam_n[2]) / 300 > 1.3 * (lam_n[1] - lam_n[0]) / 500
    no_lam = cycle_ageing(cell.with_parameters(
        {f"{d} electrode LAM constant proportional term [s-1]": 0.0
         for d in ("Negative", "Positive")}), 1650)
    assert no_lam["lam_n_fraction"].iloc[-1] == 0.0
    assert _fade_per_cycle(no_lam, 1350, 1650) < _fade_per_cycle(no_lam, 500, 1000)
