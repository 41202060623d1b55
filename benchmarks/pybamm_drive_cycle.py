"""PyBaMM used well on a drive cycle: one ``pybamm.Simulation`` for the whole power profile.

The per-cell power profile becomes PyBaMM's ``"Power function [W]"``, a ``pybamm.Interpolant`` of
time, in the model's ``"operating mode": "power"``; SPMe with lumped thermal, solved once by the
IDAKLU solver with its default tolerances until the end of the profile or the lower cut-off
(PyBaMM's own voltage event). This is how PyBaMM's documentation runs a drive cycle, and the
fair speed baseline for the fast engine: cellsim's reference engine instead runs one experiment
step per profile (``engine="pybamm"``), which costs a model set-up per call.

The profile is piecewise constant over each second (as the fast engine and the reference engine
apply it); the interpolant joins the mid-points of those seconds linearly, which keeps the
energy of each second to second order without a discontinuity for the solver to step over.
"""

from __future__ import annotations

import numpy as np

KELVIN = 273.15


def drive_cycle_simulation(cell, power_W: np.ndarray, *, ambient_C: float = 25.0):
    """Return a ``pybamm.Simulation`` of ``cell`` following ``power_W`` (one value per second,
    positive on discharge), SPMe with lumped thermal, IDAKLU with default tolerances."""
    import pybamm

    power_W = np.asarray(power_W, dtype=float)
    n = power_W.size
    time_s = np.concatenate([[0.0], np.arange(n) + 0.5, [float(n)]])
    values_W = np.concatenate([power_W[:1], power_W, power_W[-1:]])
    parameter_values = cell.parameter_values
    parameter_values.update({
        "Ambient temperature [K]": ambient_C + KELVIN,
        "Initial temperature [K]": ambient_C + KELVIN,
    })
    parameter_values.update(
        {"Power function [W]": pybamm.Interpolant(time_s, values_W, pybamm.t)},
        check_already_exists=False,
    )
    options = cell.pybamm_options(thermal="lumped", **{"operating mode": "power"})
    return pybamm.Simulation(pybamm.lithium_ion.SPMe(options), parameter_values=parameter_values,
                             solver=pybamm.IDAKLUSolver())


def solve_drive_cycle(cell, power_W: np.ndarray, *, soc: float, ambient_C: float = 25.0):
    """Build and solve :func:`drive_cycle_simulation` from ``soc``; the ``pybamm.Solution``
    (its last time is where the profile ended or the cell reached its lower cut-off)."""
    simulation = drive_cycle_simulation(cell, power_W, ambient_C=ambient_C)
    n = len(power_W)
    return simulation.solve([0.0, float(n)], initial_soc=soc, t_interp=np.arange(n + 1.0))
