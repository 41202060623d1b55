"""The shipped chemistries against measured cells (issue 12), through ``tools.validate``.

Data: ``tests/data/measured`` (copies of ``../shared/measured`` with their licences). Every run starts at
the SOC whose model open-circuit voltage is the measured rest voltage.
"""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from tools import measured, validate
from tools.calibrate_ncm811 import fit_balance


@pytest.fixture(scope="module")
def ncm811_1c(cells):
    """ncm811 (fast engine, lumped) against the LG M50 1C discharge at 25 °C."""
    return validate.compare_discharge(cells["ncm811"], measured.lgm50_discharge(1.0))


def test_measured_pulse_resistance_falls_with_temperature():
    """The loader reads the pulse campaign as physics expects: 6 cells per point, resistance
    (six-cell mean, 50 % SOC) falls from 0 °C to 45 °C."""
    pulses = measured.lgm50_pulses()
    assert len(pulses) == 6 * 9 * 4
    at_half = {t: np.mean([p.resistance_ohm for p in pulses
                           if p.temperature_C == t and p.soc == 0.5])
               for t in measured.LGM50_PULSE_TEMPERATURES_C}
    values = [at_half[t] for t in measured.LGM50_PULSE_TEMPERATURES_C]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))


def test_ncm811_ocps_reproduce_the_measured_ocv_with_a_fitted_balance(cells):
    """The set's OCP functions (Chen2020/ORegan2022) follow the LG M50 pseudo-OCV within 10 mV RMS
    once the four stoichiometry limits are fitted, and the fitted negative capacity agrees with
    ORegan2022's measured c_max (5.20 Ah) within 2 %."""
    fit = fit_balance(cells["ncm811"])
    assert fit["rms_mV"] < 10.0
    assert fit["negative_capacity_Ah"] == pytest.approx(5.20, rel=0.02)


@pytest.mark.slow
def test_ncm811_surface_temperature_peak_within_3K_at_1C(ncm811_1c):
    """Surface estimate of the lumped model (fitted chamber cooling, literature heat capacity) vs
    the can thermocouple. Before issue 12 the model rose 16.5 K where the cell rose 9.0 K."""
    assert abs(ncm811_1c.temperature_error_K) <= 3.0


@pytest.mark.slow
def test_ncm811_self_heating_2c_discharge_at_0C_runs_to_cutoff(cells):
    """A real LG M50 delivers a 2C discharge from 0 °C, heating itself. PyBaMM's DFN with lumped
    thermal must run to the lower cut-off (no stop at the start), deliver most of the capacity and
    warm the cell. (The SPMe of both engines depletes the electrolyte within ~50 s here.)"""
    cell = cells["ncm811"]
    result = cellsim.discharge(cell, 2.0, temperature_C=0.0, model="DFN", thermal="lumped")
    assert result.stop_reason == "voltage_min"
    assert result.capacity_Ah > 0.5 * cell.nominal_capacity_Ah
    assert result.data["temperature_C"].max() > 15.0
