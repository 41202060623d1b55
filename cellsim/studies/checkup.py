"""Check-up test of an aged cell: a slow constant-current discharge at a chosen ageing state,
with the differential voltage (dV/dQ) and incremental capacity (dQ/dV) curves a lab compares
against its reference performance tests.

The cell starts fully charged on its aged electrode window (the fast engine's
``start(..., ageing_state=...)``, at equilibrium, ageing frozen) and is discharged at ``c_rate``
of its nominal capacity to the lower cut-off, isothermal at ``temperature_C``. The trace is put
on a uniform grid of the charge still in the cell, ``Q`` (0 at the lower cut-off), on which both
derivatives are positive: ``dV/dQ`` by central differences and ``dQ/dV`` as its inverse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.registry import get_engine
from ..errors import InputError
from ..validation import check_number

GRID_POINTS = 400  # points of the uniform charge grid of the curves
CHECKUP_C_RATE = 0.05  # C/20: close to equilibrium, as in a lab's pseudo-OCV test
STEP_S = 10.0  # time step of the discharge [s] (implicit steps; C/20 lasts 20 h)
RECORD_EVERY = 3  # trace resolution: every third step (30 s)


def checkup_curves(cell, ageing_state: np.ndarray | None, *, c_rate: float = CHECKUP_C_RATE,
                   temperature_C: float = 25.0, engine: str | object = "fast") -> pd.DataFrame:
    """Slow discharge of ``cell`` at ``ageing_state`` (``None``: fresh) and its differential curves.

    Parameters
    ----------
    cell
        A :class:`~cellsim.Cell`.
    ageing_state
        Ageing slots of the fast engine (:attr:`FastSimulation.ageing_state`, a row of
        :attr:`~cellsim.LifetimeResult.ageing_states`), or ``None`` for the fresh cell.
    c_rate
        Discharge current over the nominal capacity, (0, 1].
    temperature_C
        Isothermal cell and ambient temperature [°C].
    engine
        ``"fast"`` or an engine whose ``start`` accepts ``ageing_state=``.

    Returns
    -------
    pandas.DataFrame
        ``discharged_Ah, charge_Ah`` (still in the cell), ``voltage_V``, ``dVdQ_V_per_Ah``,
        ``dQdV_Ah_per_V`` on a uniform grid of :data:`GRID_POINTS` points.
    """
    c_rate = check_number("c_rate", c_rate, low=0, high=1, low_inclusive=False)
    temperature_C = check_number("temperature_C", temperature_C, low=-40, high=80)
    q_nom = float(cell.nominal_capacity_Ah)
    sim = get_engine(engine).start(cell, soc=1.0, ambient_C=temperature_C, thermal="isothermal",
                                   record_every=RECORD_EVERY, ageing_state=ageing_state)
    current_A = c_rate * q_nom
    trace = sim.current(current_A, 1.5 * 3600.0 / c_rate, dt_s=STEP_S).trace
    discharged = np.asarray(trace.capacity_Ah, dtype=float)
    voltage = np.asarray(trace.voltage_V, dtype=float)
    if discharged.size < 10 or discharged[-1] <= 0.0:
        raise InputError(f"the check-up discharge at c_rate={c_rate!r} delivered no charge")
    grid = np.linspace(0.0, discharged[-1], GRID_POINTS)
    v_grid = np.interp(grid, discharged, voltage)
    charge = discharged[-1] - grid
    dvdq = -np.gradient(v_grid, grid)  # d V / d (charge in the cell)
    with np.errstate(divide="ignore"):
        dqdv = np.where(dvdq > 0.0, 1.0 / dvdq, np.nan)
    return pd.DataFrame({"discharged_Ah": grid, "charge_Ah": charge, "voltage_V": v_grid,
                         "dVdQ_V_per_Ah": dvdq, "dQdV_Ah_per_V": dqdv})
