"""Lithium-metal negative of the solid-state cell: dead lithium from plating/stripping, the foil's
lithium excess, and the critical current density as a limit on charge current."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import cellsim
from cellsim.engine.fast import FastEngine
from cellsim.engine.fast.parameters import CCD_KEY, LI_CE_KEY
from cellsim.errors import InputError


@functools.cache
def solid_state() -> cellsim.Cell:
    return cellsim.Cell.from_chemistry("solid_state")


def _cycle(sim, cell, c_rate: float) -> float:
    """One CC charge to V_max and CC discharge to V_min at ``c_rate``; returns the Ah charged."""
    q = cell.nominal_capacity_Ah
    seg = sim.current(-c_rate * q, 1.2 * 3600.0 / c_rate, v_max_V=cell.voltage_max_V, dt_s=10.0)
    sim.current(c_rate * q, 1.2 * 3600.0 / c_rate, dt_s=10.0)
    return -float(seg.trace.capacity_Ah[-1])


def test_lithium_lost_per_cycle_matches_the_coulombic_efficiency():
    """Dead lithium per Ah plated on the foil is 1 - CE (the set's 99.99 %); while the foil's
    excess lasts, the lost lithium comes out of it and the capacity holds."""
    cell = solid_state()
    efficiency = float(cell.parameter_values[LI_CE_KEY])
    sim = FastEngine().start(cell, soc=0.0, ambient_C=25.0, thermal="isothermal", ageing=True,
                             ageing_options={"loss of active material": "none"},
                             record_every=60)
    q0 = sim.capacity_Ah()
    reserve0 = sim.ageing["lithium_reserve_Ah"]
    charged = sum(_cycle(sim, cell, 0.1) for _ in range(2))
    a = sim.ageing
    assert a["dead_lithium_Ah"] == pytest.approx((1.0 - efficiency) * charged, rel=1e-6)
    assert reserve0 - a["lithium_reserve_Ah"] == pytest.approx(
        a["dead_lithium_Ah"] + a["lli_sei_Ah"], rel=1e-9)
    assert a["lithium_reserve_Ah"] > 0
    assert sim.capacity_Ah() == pytest.approx(q0, rel=1e-12)


def test_capacity_falls_by_the_deficit_once_the_lithium_excess_is_used_up():
    """A 1 um foil (excess ~0.8 Ah) at 90 % plating/stripping efficiency: after one cycle the
    lithium lost exceeds the excess and the capacity falls by the difference."""
    cell = solid_state().with_parameters({"Negative electrode thickness [m]": 1e-6,
                                          LI_CE_KEY: 0.9})
    sim = FastEngine().start(cell, soc=0.0, ambient_C=25.0, thermal="isothermal", ageing=True,
                             ageing_options={"loss of active material": "none"},
                             record_every=60)
    q0 = sim.capacity_Ah()
    reserve0 = sim.ageing["lithium_reserve_Ah"]
    _cycle(sim, cell, 0.1)
    a = sim.ageing
    deficit = -a["lithium_reserve_Ah"]
    assert deficit > 0.5 * reserve0 > 0
    assert q0 - sim.capacity_Ah() == pytest.approx(deficit, rel=1e-6)


@pytest.mark.slow
def test_solid_state_fast_charge_is_limited_by_the_critical_current_density():
    """150 kW asks several C of the pack; the Li | Li6PS5Cl interface takes 1 mA/cm2 (0.2C):
    the charge is held at that current and the result says so."""
    cell = solid_state()
    pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
    result = cellsim.fast_charge(pack, charger_kW=150)
    sim = FastEngine().start(cell)
    limit_A = sim.critical_charge_current_A
    assert limit_A < cell.nominal_capacity_Ah  # below the 1C rated for the family
    assert result.limited_by == "critical current density"
    assert result.reached
    assert np.max(np.abs(result.data["current_A"])) <= limit_A * (1 + 1e-6)


@pytest.mark.parametrize(("chemistry", "key", "value"), [
    ("ncm811", "SEI solvent diffusivity [m2.s-1]", -1e-21),
    ("ncm811", "SEI growth activation energy [J.mol-1]", float("nan")),
    ("solid_state", LI_CE_KEY, 1.2),
    ("solid_state", CCD_KEY, -10.0),
])
def test_bad_ageing_parameters_name_the_field(chemistry, key, value):
    cell = cellsim.Cell.from_chemistry(chemistry).with_parameters({key: value})
    with pytest.raises(InputError, match=re.escape(key)):
        FastEngine().start(cell, ageing=True)
