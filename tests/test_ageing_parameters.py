"""Ageing parameters in the parameter sets: sources present, LFP calibration trend, solid-state
interphase growth key."""

from __future__ import annotations

import pytest

import cellsim
from cellsim.engine.fast import FastEngine

YEAR_S = 365 * 86400.0


def _ageing_block(chemistry):
    ps = cellsim.Cell.from_chemistry(chemistry).parameter_set
    blocks = [b for b in ps.blocks if b.get("name", "").startswith("ageing")]
    assert blocks, f"{chemistry} has no ageing block"
    return blocks[0]


@pytest.mark.parametrize("chemistry", ["lfp", "ncm523", "solid_state"])
def test_ageing_block_has_source(chemistry):
    block = _ageing_block(chemistry)
    assert "doi:" in block["source"]


def test_lfp_ageing_values_are_calibrated_not_copied():
    pv = cellsim.Cell.from_chemistry("lfp").parameter_values
    assert pv["SEI solvent diffusivity [m2.s-1]"] == pytest.approx(6.25e-23)
    assert pv["Dead lithium decay constant [s-1]"] == pytest.approx(2.5e-7)
    assert "Preger" in _ageing_block("lfp")["source"]


def test_solid_state_interphase_growth_coefficient():
    pv = cellsim.Cell.from_chemistry("solid_state").parameter_values
    assert pv["Li/SE interphase resistance growth coefficient [Ohm.m2.s-0.5]"] == \
        pytest.approx(0.2e-4 / 60.0, rel=1e-2)


def _calendar_soh(chemistry, years=1.0, soc=0.9, ambient_C=25.0):
    sim = FastEngine().start(cellsim.Cell.from_chemistry(chemistry), soc=soc,
                             ambient_C=ambient_C, ageing=True)
    sim.rest(years * YEAR_S)
    return sim.soh


def test_lfp_calendar_fade_below_ncm811():
    """Calibration check (lfp.toml): one year at 25 C and 90 % SOC, LFP loses less than the
    OKane2022 NCM811 (trend of Preger et al. 2020, doi:10.1149/1945-7111/abae37)."""
    lfp, ncm = _calendar_soh("lfp"), _calendar_soh("ncm811")
    assert 0.97 < lfp < 1.0 and 0.97 < ncm < 1.0
    assert (1 - lfp) < 0.85 * (1 - ncm)


def test_lfp_calendar_fade_grows_with_temperature():
    assert _calendar_soh("lfp", ambient_C=40.0) < _calendar_soh("lfp", ambient_C=25.0)
