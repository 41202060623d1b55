"""Cycle-ageing test of one cell, as a lab runs it: constant-current discharge, CC-CV charge,
repeated at a constant chamber temperature, with the capacity read after each block of cycles.

Each cycle starts at full charge: discharge at ``discharge_c_rate`` (of the nominal capacity)
until ``depth_of_discharge`` of the nominal capacity has left the cell or the lower cut-off,
then charge at ``charge_c_rate`` to the upper cut-off and hold it until the current falls to
C/20. The cell is isothermal at the chamber temperature by default (a cell in a temperature
chamber; ``thermal="lumped"`` lets it heat). The capacity is the fast engine's equilibrium
capacity between the voltage limits (:meth:`FastSimulation.capacity_Ah`, a slow check-up).

Modes: ``"exact"`` simulates every cycle; ``"accelerated"`` (cycle jumping) simulates one cycle
per block and advances the ageing state linearly over the block (the reversibly plated lithium,
which plates and strips within a cycle, is held), with blocks 1, 1, 2, 4, … cycles long (about
the number of cycles already done: SEI growth slows as sqrt(t)), at most ``jump_cycles`` and
short enough that neither electrode loses more than :data:`MAX_BLOCK_LAM` of its remaining
active material in one block (loss of active material can accelerate: a knee).

The test stops early, like a lab's, once the state of health falls below :data:`END_SOH`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.fast import layout as L
from ..engine.registry import get_engine
from ..errors import InputError
from ..validation import check_number
from .fast_charge import CV_CUTOFF_C_RATE

MODES = ("accelerated", "exact")
STEP_S = 5.0  # time step of the cycling [s]
RECORD_EVERY = 60  # trace resolution (the trace is not returned; only its end is read)
PERIODIC_SLOTS = [L.A_C_PL]  # reversibly plated lithium: not extrapolated over a block
LAM_SLOTS = [L.A_EPS_N, L.A_EPS_P]
MAX_BLOCK_LAM = 0.02  # largest fraction of an electrode's active material lost in one block
END_SOH = 0.5


def cycle_ageing(cell, cycles: int, *, discharge_c_rate: float = 1.0,
                 charge_c_rate: float = 0.5, ambient_C: float = 25.0,
                 depth_of_discharge: float = 1.0, mode: str = "accelerated",
                 jump_cycles: int = 50, thermal: str = "isothermal",
                 engine: str | object = "fast") -> pd.DataFrame:
    """Cycle ``cell`` ``cycles`` times (module docstring) and report its fade.

    Parameters
    ----------
    cell
        A :class:`~cellsim.Cell`.
    cycles
        Number of cycles, 1 … 100 000.
    discharge_c_rate, charge_c_rate
        Discharge and CC charge currents over the nominal capacity, (0, 10].
    ambient_C
        Chamber temperature [°C], -40 … 80.
    depth_of_discharge
        Charge taken out per cycle over the nominal capacity, (0, 1] (the lower cut-off may
        end the discharge first).
    mode
        ``"accelerated"`` (cycle jumping, default) or ``"exact"``.
    jump_cycles
        Longest block of the accelerated mode, 1 … 500.
    thermal
        ``"isothermal"`` (default) or ``"lumped"``.
    engine
        ``"fast"`` or an engine whose ``start`` accepts ``ageing=`` (the fast engine's ageing
        interface).

    Returns
    -------
    pandas.DataFrame
        One row at the start and after each block (until ``cycles`` or :data:`END_SOH`):
        ``cycle``, ``equivalent_full_cycles``
        (charge throughput / 2 / fresh capacity), ``days`` (test time), ``cycle_time_h`` (of
        the last simulated cycle), ``soh``, ``capacity_Ah``, ``lli_fraction`` (lithium lost
        over the fresh cyclable lithium), ``lam_n_fraction``, ``lam_p_fraction``.
    """
    if isinstance(cycles, bool) or not isinstance(cycles, (int, np.integer)) or not (
            1 <= cycles <= 100_000):
        raise InputError(f"cycles={cycles!r} is not allowed; allowed: an integer in [1, 100000]")
    discharge_c_rate = check_number("discharge_c_rate", discharge_c_rate, low=0, high=10,
                                    low_inclusive=False)
    charge_c_rate = check_number("charge_c_rate", charge_c_rate, low=0, high=10,
                                 low_inclusive=False)
    ambient_C = check_number("ambient_C", ambient_C, low=-40, high=80)
    depth_of_discharge = check_number("depth_of_discharge", depth_of_discharge, low=0, high=1,
                                      low_inclusive=False)
    if mode not in MODES:
        raise InputError(f"mode={mode!r} is not allowed; allowed: {', '.join(MODES)}")
    if isinstance(jump_cycles, bool) or not isinstance(jump_cycles, (int, np.integer)) or not (
            1 <= jump_cycles <= 500):
        raise InputError(f"jump_cycles={jump_cycles!r} is not allowed; allowed: an integer in "
                         "[1, 500]")
    q_nom = float(cell.nominal_capacity_Ah)
    sim = get_engine(engine).start(cell, soc=1.0, ambient_C=ambient_C, thermal=thermal,
                                   ageing=True, record_every=RECORD_EVERY)
    v_min, v_max = sim_limits(cell)
    i_dis, i_chg = discharge_c_rate * q_nom, charge_c_rate * q_nom
    discharge_s = 3600.0 * depth_of_discharge / discharge_c_rate
    charge_max_s = 3600.0 * max(6.0, 1.5 / charge_c_rate)  # each of the CC and CV phases

    def one_cycle() -> float:
        """One cycle; returns its duration [s]."""
        dis = sim.current(i_dis, discharge_s, v_min_V=v_min, dt_s=STEP_S)
        chg = sim.cccv(i_chg, v_max, CV_CUTOFF_C_RATE * q_nom, dt_s=STEP_S,
                       max_duration_s=charge_max_s)
        return dis.stop_time_s + chg.stop_time_s

    fresh_li = sim.fresh_lithium_inventory_Ah
    rows = [_row(sim, 0, 0.0, np.nan, fresh_li)]
    done, time_s = 0, 0.0
    while done < cycles and rows[-1]["soh"] >= END_SOH:
        n = 1 if mode == "exact" else min(jump_cycles, max(1, done), cycles - done)
        before = sim.ageing_state
        cycle_s = one_cycle()
        after = sim.ageing_state
        lost = np.maximum(before[LAM_SLOTS] - after[LAM_SLOTS], 0.0)
        n = min(n, max(1, int(np.min(MAX_BLOCK_LAM * after[LAM_SLOTS] / np.maximum(lost, 1e-300)))))
        if n > 1:
            end = before + n * (after - before)
            end[PERIODIC_SLOTS] = after[PERIODIC_SLOTS]
            sim.set_ageing_state(end)
        done += n
        time_s += n * cycle_s
        rows.append(_row(sim, done, time_s, cycle_s, fresh_li))
    return pd.DataFrame(rows)


def sim_limits(cell) -> tuple[float, float]:
    """(lower, upper) voltage cut-off of ``cell`` [V]."""
    pv = cell.parameter_values
    return float(pv["Lower voltage cut-off [V]"]), float(pv["Upper voltage cut-off [V]"])


def _row(sim, cycle: int, time_s: float, cycle_s: float, fresh_li_Ah: float) -> dict:
    ageing = sim.ageing
    return {"cycle": cycle, "equivalent_full_cycles": ageing["equivalent_full_cycles"],
            "days": time_s / 86_400.0, "cycle_time_h": cycle_s / 3600.0, "soh": sim.soh,
            "capacity_Ah": sim.capacity_Ah(), "lli_fraction": ageing["lli_Ah"] / fresh_li_Ah,
            "lam_n_fraction": ageing["lam_n_fraction"],
            "lam_p_fraction": ageing["lam_p_fraction"]}
