"""Ageing parameters in the parameter sets: sources present, LFP calibration trend, solid-state
interphase growth against its measurement."""

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
