"""The shipped chemistries against measured cells (issue 12), through ``tools.validate``.

Data: ``tests/data/measured`` (copies of ``../shared/measured`` with their licences). Every run starts at
the SOC whose model open-circuit voltage is the measured rest voltage.
"""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from tools import measured, validate
from cellsim._pybamm import pybamm
from tools.calibrate_ncm811 import electrode_capacity_Ah, fit_balance


# issue 12 acceptance: voltage RMSE [mV] per C-rate of the 25 °C LG M50 discharges
RMSE_LIMIT_MV = {0.1: 20.0, 0.5: 20.0, 1.0: 20.0, 2.0: 30.0}


@pytest.fixture(scope="module")
def ncm811_discharges(cells):
    """ncm811 (fast engine, lumped) against each LG M50 discharge at 25 °C, by C-rate."""
    return {c: validate.compare_discharge(cells["ncm811"], measured.lgm50_discharge(c))
            for c in measured.LGM50_C_RATES}


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
    """The set's OCP functions (Chen2020/ORegan2022) follow the LG M50 pseudo-OCV (discharge
    branch) within 10 mV RMS once the electrode capacities and the lithium inventory are fitted
    (graphite at most at Chen2020's x = 0.9014 at full charge), and the fitted negative capacity
    agrees with the electrode Chen2020 measured in a teardown of the same cell type within 2 %."""
    fit = fit_balance(cells["ncm811"])
    chen = pybamm().ParameterValues("Chen2020")
    assert fit["rms_mV"] < 10.0
    assert fit["negative_capacity_Ah"] == pytest.approx(
        electrode_capacity_Ah(chen, "Negative"), rel=0.02)


# Not met yet (issue 12): the model lacks the cell's end-of-discharge polarisation (0.37 V at
# 0.1C: 2.87 V rested after a 2.5 V cut-off) and its 2C voltage sags early and recovers too
# little as it warms; see the ncm811 note in parameter_sets/README.md.
_RMSE_NOT_MET = pytest.mark.xfail(strict=True, reason="ncm811 RMSE above the issue-12 limit")


@pytest.mark.slow
@pytest.mark.parametrize("c_rate", [pytest.param(0.1, marks=_RMSE_NOT_MET),
                                    pytest.param(0.5, marks=_RMSE_NOT_MET), 1.0,
                                    pytest.param(2.0, marks=_RMSE_NOT_MET)])
def test_ncm811_voltage_follows_the_lgm50_discharges(ncm811_discharges, c_rate):
    """Voltage RMSE within 20 mV (30 mV at 2C) of the measured cell. Before issue 12:
    98 / 142 / 112 / 162 mV at 0.1 / 0.5 / 1 / 2C."""
    assert ncm811_discharges[c_rate].rmse_mV <= RMSE_LIMIT_MV[c_rate]


@pytest.mark.slow
@pytest.mark.parametrize("c_rate", measured.LGM50_C_RATES)
def test_ncm811_capacity_within_2_percent_of_the_lgm50(ncm811_discharges, c_rate):
    """Capacity to 2.5 V within 2 % of the measured cell. Before issue 12: +2.6 / +3.8 / +4.3 /
    +2.0 % at 0.1 / 0.5 / 1 / 2C."""
    assert abs(ncm811_discharges[c_rate].capacity_error_pct) <= 2.0


@pytest.mark.slow
@pytest.mark.parametrize("c_rate", [1.0, 2.0])
def test_ncm811_surface_temperature_peak_within_3K(ncm811_discharges, c_rate):
    """Surface estimate of the lumped model (fitted chamber cooling, literature heat capacity) vs
    the can thermocouple. Before issue 12 the model rose 16.5 K at 1C where the cell rose 9.0 K,
    and (without the series resistance) 18 K at 2C where it rose 33 K."""
    assert abs(ncm811_discharges[c_rate].temperature_error_K) <= 3.0


# Rest voltage after each discharge: the model must come back to the cell's relaxed voltage. The OCV
# fit's largest error is 22 mV (8.5 mV RMS); 30 mV allows that plus a little unfinished relaxation.
REST_VOLTAGE_TOLERANCE_V = 0.030


@pytest.mark.slow
@pytest.mark.parametrize("c_rate", measured.LGM50_C_RATES)
def test_ncm811_relaxes_to_the_measured_rest_voltage_after_each_discharge(cells, c_rate):
    """After each 25 °C discharge to 2.5 V the LG M50 rests 0.4–0.5 V higher (2.88 V after 0.1C).
    Replayed through the measured current, rest included, the model must end that rest within
    30 mV of the cell: an independent check of the electrode balance (the relaxed voltage is an
    equilibrium point the fits never see). A balance moved to match the discharge curves instead -
    tried for issue 12: the positive capacity and the lithium inventory refitted on the rate tests,
    which cut the 0.1C discharge RMSE from 50 to 13 mV - ends those rests 45-210 mV low: the cell's
    end of discharge is polarisation that relaxes, not the end of its lithium."""
    path = measured.DATA_DIR / "lgm50" / f"lgm50_discharge_{c_rate:g}C_25degC.csv"
    data = cellsim.replay(cells["ncm811"], cellsim.Measurement.from_csv(
        path, temperature="surface_temperature_C")).data
    resting = np.abs(data["current_A"].to_numpy()) < 1e-3
    assert resting[-1] and not resting.all()
    assert data["model_voltage_V"].iloc[-1] == pytest.approx(data["voltage_V"].iloc[-1],
                                                              abs=REST_VOLTAGE_TOLERANCE_V)


@pytest.mark.slow
def test_ncm811_pulse_resistance_within_15_percent_at_each_temperature(cells):
    """10 s pulse resistance against the six-cell mean at 20–90 % SOC, at 0, 10, 25 and 45 °C
    (each SOC point). Before issue 12 the model was +18 / −11 / −23 / −42 % off on average."""
    table = validate.pulse_resistances(cells["ncm811"])
    judged = table[table["soc"].between(*validate.PULSE_SOC_RANGE)]
    assert set(judged["temperature_C"]) == set(measured.LGM50_PULSE_TEMPERATURES_C)
    worst = judged.groupby("temperature_C")["error_pct"].agg(lambda e: e.abs().max())
    assert (worst <= 15.0).all(), worst.to_dict()


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
