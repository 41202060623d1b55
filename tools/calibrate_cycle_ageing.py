"""Fit the cycle-ageing values of a liquid-electrolyte parameter set to a published cycle-ageing
fit of a cell of the same family (:mod:`tools.cycle_reference`, NREL BLAST-Lite).

Cycle-driven mechanism: PyBaMM's stress-driven loss of active material (OKane2022's mechanics,
doi:10.1039/D2CP00417H) in the electrodes the set gives mechanics for (``ncm811``: both,
OKane2022's own LG M50; ``lfp``: the graphite negative, OKane2022's graphite values borrowed;
``ncm523``: both, OKane2022's graphite and NMC811 values borrowed, Mohtat2020 has none).
Fitted: a factor on OKane2022's LAM proportional term of each such electrode and one Arrhenius
activation energy (the proportional term becomes ``{ value, activation_energy }``;
PyBaMM reads it as a function of temperature). The target is the capacity loss (calendar +
cycle terms of the fit) after :data:`CYCLES` cycles of the lab protocol of
:func:`cellsim.studies.cycle_ageing.cycle_ageing` (CC discharge, CC-CV charge) at the
:data:`CONFIG` fit points; the check points are predictions (conditions not fitted).

The calendar values (SEI, dead lithium) are those in the file: run
``python -m tools.calibrate_calendar_ageing CHEMISTRY --write`` first after any change of the
electrode balance, kinetics or SEI, then this tool.

Run from the repository root: ``python -m tools.calibrate_cycle_ageing ncm811`` (or ``lfp``,
``ncm523``);
``--write`` writes the fitted values into ``parameter_sets/CHEMISTRY.toml``; ``--check`` skips
the fit and prints the table for the values in the file.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import least_squares

import cellsim
from cellsim.chemistry.paramfile import arrhenius
from cellsim.errors import SimulationError
from cellsim.studies.cycle_ageing import cycle_ageing
from tools.cycle_reference import REFERENCE
from tools.toml_values import set_values, toml_number

OKANE_LAM = 2.7778e-7  # 1/s, OKane2022's LAM constant proportional term (both electrodes)
CYCLES = 1000
RUNAWAY_RESIDUAL = 5.0  # log(model / target) given to parameters whose simulation fails
CHARGE_C_RATE = 0.5  # the test protocol; the LG M50 data were charged at <= C/3
#: Per set: the electrodes with fitted LAM, the fit points and the check points, each point
#: (chamber temperature [C], discharge C-rate, depth of discharge, charge C-rate). Fit points
#: lie in the data range of the reference (LG M50 cycled at 0-25 C, charged at <= C/3 - the C/2
#: points extrapolate the charge rate, which its fit does not depend on; large LFP at 10-45 C,
#: DoD 0.8-1, charge <= 0.65C; DENSO NMC622 at 10-60 C, DoD 0.1-1, charge <= 1C, discharge 1C).
CONFIG = {
    "ncm811": {"domains": ("Negative", "Positive"),
               "fit": ((25.0, 1.0, 1.0, 0.5), (10.0, 1.0, 1.0, 0.5), (25.0, 1.0, 1.0, 0.2),
                       (25.0, 0.5, 1.0, 0.2), (10.0, 0.5, 1.0, 0.2)),
               "check": ((45.0, 1.0, 1.0, 0.5), (35.0, 1.0, 1.0, 0.5), (0.0, 1.0, 1.0, 0.5),
                         (25.0, 0.5, 1.0, 0.5), (10.0, 0.5, 1.0, 0.5), (25.0, 2.0, 1.0, 0.5),
                         (45.0, 1.0, 1.0, 0.2))},
    "lfp": {"domains": ("Negative",),
            "fit": ((25.0, 1.0, 1.0, 0.5), (25.0, 1.0, 0.8, 0.5), (15.0, 1.0, 1.0, 0.5)),
            "check": ((45.0, 1.0, 1.0, 0.5), (35.0, 1.0, 1.0, 0.5), (10.0, 1.0, 1.0, 0.5),
                      (45.0, 1.0, 0.8, 0.5))},
    "ncm523": {"domains": ("Negative", "Positive"),
               "fit": ((25.0, 1.0, 1.0, 0.5), (10.0, 1.0, 1.0, 0.5), (25.0, 1.0, 0.8, 0.5)),
               "check": ((45.0, 1.0, 1.0, 0.5), (35.0, 1.0, 1.0, 0.5), (45.0, 1.0, 0.8, 0.5),
                         (25.0, 1.0, 0.5, 0.5), (25.0, 1.0, 1.0, 0.2), (25.0, 1.0, 1.0, 1.0))},
}


def lam_key(domain: str) -> str:
    return f"{domain} electrode LAM constant proportional term [s-1]"


def fitted_cell(chemistry: str, factors: dict[str, float],
                activation_energy_J_per_mol: float) -> cellsim.Cell:
    """The shipped cell with OKane2022's LAM proportional term times ``factors[domain]`` and
    the given activation energy (reference 25 C)."""
    return cellsim.Cell.from_chemistry(chemistry).with_parameters({
        lam_key(d): arrhenius(f * OKANE_LAM, activation_energy_J_per_mol)
        for d, f in factors.items()})


def test_loss(cell: cellsim.Cell, chemistry: str, point: tuple[float, float, float, float],
              cycles: int = CYCLES) -> tuple[float, float]:
    """(model, reference) capacity loss after ``cycles`` cycles at ``point``."""
    ambient_C, c_rate, dod, charge_c_rate = point
    result = cycle_ageing(cell, cycles, discharge_c_rate=c_rate, charge_c_rate=charge_c_rate,
                          ambient_C=ambient_C, depth_of_discharge=dod)
    last = result.iloc[-1]
    done = int(last["cycle"])
    reference = REFERENCE[chemistry](done, ambient_C, c_rate, charge_c_rate, dod,
                                     float(last["cycle_time_h"]))
    return 1.0 - float(last["soh"]), reference


def shipped_start(chemistry: str) -> np.ndarray:
    """Fit start: the shipped factors and activation energy (log factors, energy / 1e4)."""
    domains = CONFIG[chemistry]["domains"]
    pv = cellsim.Cell.from_chemistry(chemistry).parameter_values
    z, energy = [], 0.0
    for d in domains:
        value = pv[lam_key(d)]
        if callable(value):  # Arrhenius: its value at 25 C and 45 C give the energy
            b25, b45 = (float(value(t).evaluate()) for t in (298.15, 318.15))
            energy = 8.314462618 * np.log(b45 / b25) / (1 / 298.15 - 1 / 318.15)
            value = b25
        z.append(np.log(max(float(value), 1e-4 * OKANE_LAM) / OKANE_LAM))
    return np.array(z + [energy / 1e4])


def fit(chemistry: str) -> tuple[dict[str, float], float]:
    """(factor per electrode, activation energy [J/mol]) best matching the fit points
    (least squares on log(model / reference), from the values in the file)."""
    config = CONFIG[chemistry]
    domains = config["domains"]

    def residual(z: np.ndarray) -> np.ndarray:
        cell = fitted_cell(chemistry, dict(zip(domains, np.exp(z[:-1]))), 1e4 * z[-1])
        try:
            pairs = [test_loss(cell, chemistry, p) for p in config["fit"]]
        except SimulationError:  # a runaway loss of active material: far off the target
            return np.full(len(config["fit"]), RUNAWAY_RESIDUAL)
        return np.array([np.log(max(m, 1e-6) / r) for m, r in pairs])

    lower = [np.log(1e-5)] * len(domains) + [-5.0]
    upper = [np.log(1e3)] * len(domains) + [15.0]
    z0 = np.clip(shipped_start(chemistry), lower, upper)
    solution = least_squares(residual, z0, bounds=(lower, upper), diff_step=1e-2, xtol=1e-4,
                             ftol=1e-4)
    z = solution.x
    return dict(zip(domains, (float(f) for f in np.exp(z[:-1])))), float(1e4 * z[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chemistry", choices=sorted(CONFIG))
    parser.add_argument("--write", action="store_true",
                        help="write the fitted values into parameter_sets/CHEMISTRY.toml")
    parser.add_argument("--check", action="store_true",
                        help="no fit: print the table for the values in the file")
    args = parser.parse_args()
    chemistry = args.chemistry
    if args.check:
        z = shipped_start(chemistry)
        factors = dict(zip(CONFIG[chemistry]["domains"], (float(f) for f in np.exp(z[:-1]))))
        energy = float(1e4 * z[-1])
    else:
        factors, energy = fit(chemistry)
    values = {lam_key(d): f"{{ value = {toml_number(f * OKANE_LAM)}, "
                          f"activation_energy_J_per_mol = {toml_number(energy)} }}"
              for d, f in factors.items()}
    for key, value in values.items():
        print(f'"{key}" = {value}   # OKane2022 x {factors[key.split()[0]]:.4g}')
    if args.write and not args.check:
        print(f"written to {set_values(chemistry, values)}")
    cell = fitted_cell(chemistry, factors, energy)
    print(f"\n{CYCLES} cycles; capacity loss, cellsim / reference")
    print("| condition | T [C] | discharge | DoD | charge | cellsim % | reference % | error % |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in ("fit", "check"):
        for point in CONFIG[chemistry][kind]:
            model, ref = test_loss(cell, chemistry, point)
            print(f"| {'fitted' if kind == 'fit' else 'predicted'} | {point[0]:g} | "
                  f"{point[1]:g}C | {point[2]:g} | {point[3]:g}C | {100 * model:.2f} | "
                  f"{100 * ref:.2f} | "
                  f"{100 * (model / ref - 1):+.0f} |")


if __name__ == "__main__":
    main()
