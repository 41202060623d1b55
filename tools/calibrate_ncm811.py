"""Fit the values of ``parameter_sets/ncm811.toml`` that come from the LG M50 measurements.

Two fits, each a ``scipy.optimize.least_squares`` over a residual function of the measured data
(written so it can move onto the general fitting API later: one residual per data set):

1. **Electrode balance** from the 25 °C pseudo-OCV (``tests/data/measured/lgm50/LGM50_5Ah_OCV.mat``):
   the four stoichiometry limits of a linear map from discharged charge to electrode
   stoichiometries, with the set's own OCP functions (Chen2020 / ORegan2022). The SOC axis is
   scaled to the capacity the cells deliver at 0.1C. Target: the mean of the charge and discharge
   branches (the model has no hysteresis). Prints the negative and positive capacities, the
   effective positive maximum concentration and the initial concentrations at the lab's full
   charge (the negative one on the set's own negative maximum concentration).
2. **Chamber cooling** ``h`` (W/m²/K on the set's cooling area) from the can surface temperature
   of the 1C discharge, with the fast engine (lumped thermal) and the set's heat
   capacity: least squares between the measured surface temperature and the model's surface
   estimate (:func:`tools.validate.surface_temperature_C`).

Run from the repository root: ``python -m tools.calibrate_ncm811 [balance|cooling]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import least_squares

import cellsim
from cellsim._pybamm import pybamm
from cellsim.chemistry.cell import electrode_area_m2
from cellsim.engine.fast import FastEngine

from . import measured
from .validate import CYLINDER_HEIGHT_M, soc_at_voltage, surface_temperature_C

FARADAY_AH_PER_MOL = 96485.33212 / 3600.0
# 1C only: at 2C the fast engine lacks the cell's ~20 mOhm series (tab/collector/contact) resistance
# and its ~2 W of heat (see parameter_sets/README.md), which would bias h low.
COOLING_C_RATES = (1.0,)


def _ocp(values, key: str, stoichiometry: np.ndarray) -> np.ndarray:
    pb = pybamm()
    return np.asarray(values.evaluate(values[key](pb.Vector(stoichiometry)))).ravel()


def fit_balance(cell: cellsim.Cell) -> dict[str, float]:
    """Stoichiometry limits and electrode capacities from the 25 °C pseudo-OCV (mean branch)."""
    values = cell.parameter_values
    ocv = measured.lgm50_ocv()
    capacity_Ah = measured.lgm50_discharge(0.1).capacity_Ah[-1]
    discharged_Ah = (1.0 - ocv["soc"].to_numpy()) * capacity_Ah
    target_V = ocv["ocv_V"].to_numpy()

    def residual_V(p: np.ndarray) -> np.ndarray:
        x_100, per_Ah_n, y_100, per_Ah_p = p
        x = x_100 - per_Ah_n * discharged_Ah
        y = y_100 + per_Ah_p * discharged_Ah
        return (_ocp(values, "Positive electrode OCP [V]", y)
                - _ocp(values, "Negative electrode OCP [V]", x) - target_V)

    fit = least_squares(residual_V, [0.9, 0.17, 0.27, 0.13],
                        bounds=([0.5, 0.1, 0.1, 0.05], [1.0, 0.3, 0.5, 0.2]))
    x_100, per_Ah_n, y_100, per_Ah_p = fit.x
    area_m2 = electrode_area_m2(values)
    volume_p_m3 = (area_m2 * values["Positive electrode thickness [m]"]
                   * values["Positive electrode active material volume fraction"])
    capacity_p_Ah = 1.0 / per_Ah_p
    c_max_p = capacity_p_Ah / (volume_p_m3 * FARADAY_AH_PER_MOL)
    return {
        "rms_mV": float(1e3 * np.sqrt(np.mean(fit.fun ** 2))),
        "max_mV": float(1e3 * np.max(np.abs(fit.fun))),
        "negative_capacity_Ah": float(1.0 / per_Ah_n),
        "positive_capacity_Ah": float(capacity_p_Ah),
        "Maximum concentration in positive electrode [mol.m-3]": float(c_max_p),
        "Initial concentration in positive electrode [mol.m-3]": float(y_100 * c_max_p),
        "Initial concentration in negative electrode [mol.m-3]": float(
            x_100 * values["Maximum concentration in negative electrode [mol.m-3]"]),
    }


def temperature_rise_residual_K(cell: cellsim.Cell, h_W_per_m2K: float) -> np.ndarray:
    """Model (surface estimate) minus measured surface temperature along the discharges of
    :data:`COOLING_C_RATES`."""
    residuals = []
    for c_rate in COOLING_C_RATES:
        test = measured.lgm50_discharge(c_rate)
        sim = FastEngine().start(cell, soc=soc_at_voltage(cell, test.rest_voltage_V, 25.0),
                                 ambient_C=test.ambient_C, thermal="lumped",
                                 h_W_per_m2K=h_W_per_m2K)
        trace = sim.current(test.current_mean_A, test.time_s[-1]).trace
        # past the model's cut-off its last temperature stands in (fixed residual length)
        surface_C = surface_temperature_C(cell, trace, CYLINDER_HEIGHT_M["ncm811"])
        model_C = np.interp(test.time_s, trace.time_s, surface_C)
        residuals.append((model_C - test.temperature_C)[::10])
    return np.concatenate(residuals)


def fit_cooling(cell: cellsim.Cell) -> float:
    """Heat-transfer coefficient that best follows the measured surface temperature."""
    fit = least_squares(lambda p: temperature_rise_residual_K(cell, float(p[0])), [17.0],
                        bounds=([2.0], [100.0]), diff_step=0.05, max_nfev=8)
    print(f"cooling fit: RMS {np.sqrt(np.mean(fit.fun ** 2)):.2f} K")
    return float(fit.x[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("balance", "cooling"), nargs="?", default="balance")
    args = parser.parse_args()
    cell = cellsim.Cell.from_chemistry("ncm811")
    if args.what == "balance":
        for key, value in fit_balance(cell).items():
            print(f'"{key}" = {value:.5g}')
    else:
        print(f'"Total heat transfer coefficient [W.m-2.K-1]" = {fit_cooling(cell):.3g}')


if __name__ == "__main__":
    main()
