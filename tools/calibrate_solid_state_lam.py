"""Fit the cathode active-material loss rate of ``parameter_sets/solid_state.toml`` to a measured
capacity retention.

The solid-state cell keeps PyBaMM's stress-driven LAM model with OKane2022's NCM811 mechanics
(doi:10.1039/D2CP00417H); only 'Positive electrode LAM constant proportional term [s-1]' is
fitted. The loss per cycle is proportional to it (d eps / dt = -beta (sigma_h / sigma_c)^m), so
the fit is one scaling: cycle the cell :data:`CYCLES_SIMULATED` times at the data's C-rate and
temperature with OKane2022's value, extrapolate the loss per cycle linearly and scale beta to the
measured retention.

Run from the repository root: ``python -m tools.calibrate_solid_state_lam``.
"""

from __future__ import annotations

import cellsim
from cellsim.engine.fast import FastEngine

KEY = "Positive electrode LAM constant proportional term [s-1]"
OKANE_BETA = 2.7778e-7  # 1/s, OKane2022 (NCM811 of the LG M50)
# Measured: (cycles, capacity retention, C-rate, temperature_C); see solid_state.toml
TARGET = (1000, 0.89, 0.5, 60.0)
CYCLES_SIMULATED = 20


def loss_per_cycle(beta: float, c_rate: float, temperature_C: float) -> float:
    """Fractional capacity loss per full cycle (CC discharge, CC-CV charge) with LAM rate beta."""
    cell = cellsim.Cell.from_chemistry("solid_state").with_parameters({KEY: beta})
    pv = cell.parameter_values
    cap = float(pv["Nominal cell capacity [A.h]"])
    v_max = float(pv["Upper voltage cut-off [V]"])
    sim = FastEngine().start(cell, soc=1.0, ambient_C=temperature_C, thermal="isothermal",
                             ageing=True, ageing_options={"SEI": "none"}, record_every=600)
    for _ in range(CYCLES_SIMULATED):
        sim.current(c_rate * cap, 2 * 3600.0 / c_rate)
        sim.cccv(c_rate * cap, v_max, cap / 20)
    return sim.ageing["lam_p_fraction"] / CYCLES_SIMULATED


def main() -> None:
    cycles, retention, c_rate, temperature_C = TARGET
    per_cycle = loss_per_cycle(OKANE_BETA, c_rate, temperature_C)
    target = (1.0 - retention) / cycles
    beta = OKANE_BETA * target / per_cycle
    print(f"OKane2022 beta: {100 * per_cycle:.3g} % per cycle; target {100 * target:.3g} %")
    print(f'"{KEY}" = {beta:.4g}   # x {beta / OKANE_BETA:.4g}')
    check = loss_per_cycle(beta, c_rate, temperature_C)
    print(f"check: {100 * check:.3g} % per cycle -> retention after {cycles} cycles "
          f"{1 - check * cycles:.3f}")


if __name__ == "__main__":
    main()
