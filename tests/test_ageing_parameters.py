"""Ageing parameters in the parameter sets: sources present, calendar fade against the published
fits the sets are calibrated to, solid-state interphase growth and cathode wear against their data."""

from __future__ import annotations

import pytest

import cellsim
from cellsim.engine.fast import FastEngine
from tools.calendar_reference import REFERENCE
from tools.calibrate_solid_state_lam import KEY as LAM_KEY
from tools.calibrate_solid_state_lam import TARGET, loss_per_cycle

FIT_TEMPERATURES_C = (25.0, 45.0)

def _ageing_block(chemistry):
    ps = cellsim.Cell.from_chemistry(chemistry).parameter_set
    blocks = [b for b in ps.blocks if b.get("name", "").startswith("ageing")]
    assert blocks, f"{chemistry} has no ageing block"
    return blocks[0]


@pytest.mark.parametrize("chemistry", ["lfp", "ncm523", "solid_state"])
def test_ageing_block_has_source(chemistry):
    block = _ageing_block(chemistry)
    assert "doi:" in block["source"]


@pytest.mark.parametrize("ambient_C, hours", [(25.0, 400.0), (40.0, 120.0)])
def test_solid_state_interphase_binds_lithium_as_measured(ambient_C, hours):
    """Aktekin et al. 2023 (doi:10.1038/s41467-023-42512-y): the SEI on lithium at Li6PS5Cl binds
    about 60 uAh/cm2 after 400 h at 25 C and after 120 h at 40 C; the foil's lithium excess
    keeps the capacity."""
    c = cellsim.Cell.from_chemistry("solid_state")
    area_cm2 = 1e4 * c.parameter_values["Electrode width [m]"] \
        * c.parameter_values["Electrode height [m]"]
    sim = FastEngine().start(c, soc=0.5, ambient_C=ambient_C, thermal="isothermal", ageing=True)
    sim.rest(hours * 3600.0)
    assert 1e6 * sim.ageing["lli_sei_Ah"] / area_cm2 == pytest.approx(60.0, rel=0.05)
    assert sim.soh == pytest.approx(1.0, abs=1e-9)


def _calendar_loss(chemistry, days, ambient_C, soc):
    sim = FastEngine().start(cellsim.Cell.from_chemistry(chemistry), soc=soc,
                             ambient_C=ambient_C, ageing=True)
    sim.rest(days * 86400.0)
    return 1.0 - sim.soh


@pytest.mark.parametrize("chemistry", sorted(REFERENCE))
def test_calendar_fade_matches_the_published_fit_it_was_fitted_to(chemistry):
    """One year at 50 % SOC, 25 and 45 C: the two points tools/calibrate_calendar_ageing.py fits
    (the parameter files quote the result); fails if a parameter change moves them."""
    reference = REFERENCE[chemistry]
    for ambient_C in FIT_TEMPERATURES_C:
        assert _calendar_loss(chemistry, 365, ambient_C, 0.5) == pytest.approx(
            reference(365, ambient_C, 0.5), rel=0.02)


@pytest.mark.parametrize("chemistry", sorted(REFERENCE))
@pytest.mark.parametrize("days, ambient_C, soc", [(365, 25, 1.0), (365, 45, 1.0), (365, 10, 0.5),
                                                  (3650, 25, 0.5), (3650, 25, 1.0)])
def test_calendar_fade_follows_the_data_where_not_fitted(chemistry, days, ambient_C, soc):
    """SOC, temperature and time dependence the fit did not see: within 45 % of the data fit."""
    model = _calendar_loss(chemistry, days, ambient_C, soc)
    assert model == pytest.approx(REFERENCE[chemistry](days, ambient_C, soc), rel=0.45)


@pytest.mark.parametrize("ambient_C", [25.0, 45.0])
def test_lfp_calendar_fade_below_ncm811(ambient_C):
    """One year at 90 % SOC: LFP loses less than NCM811, as the calendar data the two sets are
    fitted to say (large-format LFP, doi:10.1016/j.est.2023.109042: 1.7 / 5.5 % at 25 / 45 C and
    100 % SOC; LG M50, Bui et al. 2021: 4.1 / 9.4 %)."""
    lfp = _calendar_loss("lfp", 365, ambient_C, 0.9)
    ncm = _calendar_loss("ncm811", 365, ambient_C, 0.9)
    assert 0.0 < lfp < 0.7 * ncm


def test_solid_state_cathode_loss_matches_its_calibration():
    """Cycling (not storage) wears the solid-state cathode at the fitted rate: 0.5C cycles at
    60 C lose 0.011 % each, i.e. 89 % after 1000 (Lee et al. 2020, doi:10.1038/s41560-020-0575-z)."""
    cycles, retention, c_rate, ambient_C = TARGET
    beta = cellsim.Cell.from_chemistry("solid_state").parameter_values[LAM_KEY]
    assert loss_per_cycle(beta, c_rate, ambient_C) == pytest.approx((1 - retention) / cycles,
                                                                    rel=0.03)
    # colder: slower solid diffusion, steeper concentration gradients, more stress
    assert loss_per_cycle(beta, c_rate, 25.0) > 1.2 * loss_per_cycle(beta, c_rate, ambient_C)
