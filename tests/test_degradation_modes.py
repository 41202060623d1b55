"""Degradation modes of lifetime results (loss of lithium inventory, loss of active material of
each electrode, resistance growth) and the aged cell's check-up curves (dV/dQ, dQ/dV)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import cellsim
from cellsim._pybamm import pybamm
from cellsim.errors import InputError
from cellsim.studies.checkup import checkup_curves
from cellsim.studies.lifetime import climate_from_text

YEARS = 3.0


@functools.cache
def life(chemistry: str, years: float = YEARS) -> cellsim.LifetimeResult:
    cell = cellsim.Cell.from_chemistry(chemistry)
    pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
    return cellsim.lifetime(pack, cellsim.Vehicle.default(),
                            cellsim.Usage(daily_km=50, charge_to_soc=0.9),
                            climate_from_text("constant:25"), years, range_every_days=None,
                            report_every_days=365)


def _pybamm_capacity_Ah(cell, lli_Ah: float, lam_n: float, lam_p: float) -> float:
    """Capacity of a cell that lost ``lli_Ah`` of lithium and the fractions ``lam_n``, ``lam_p``
    of its electrodes, by PyBaMM's electrode-SOH solver (PyBaMM's own OCPs and equations)."""
    pb = pybamm()
    pv = cell.parameter_values
    param = pb.LithiumIonParameters()
    q_li = pv.evaluate(param.Q_Li_particles_init) - lli_Ah
    q_n = pv.evaluate(param.n.Q_init) * (1.0 - lam_n)
    q_p = pv.evaluate(param.p.Q_init) * (1.0 - lam_p)
    solver = pb.lithium_ion.ElectrodeSOHSolver(pv, param=param)
    return float(solver.solve({"Q_Li": q_li, "Q_n": q_n, "Q_p": q_p})["Q"])


@pytest.mark.slow
def test_lli_and_lam_account_for_the_capacity_loss():
    """Lithium bookkeeping: at every reported year, the capacity PyBaMM's electrode-SOH solver
    gives for the reported LLI and LAM of each electrode matches the lifetime's capacity within
    1 % of the initial capacity, and the losses are real (the fade is several percent)."""
    result = life("ncm811")
    cell = result.cell
    q0 = result.fresh_capacity_Ah
    d = result.data
    assert d["soh"].iloc[-1] < 0.97
    inventory_Ah = d["lli_Ah"].iloc[-1] / d["lli_fraction"].iloc[-1]
    for _, row in d.iterrows():
        q = _pybamm_capacity_Ah(cell, row["lli_fraction"] * inventory_Ah, row["lam_n_fraction"],
                                row["lam_p_fraction"])
        assert abs(q - row["capacity_Ah"]) < 0.01 * q0


@pytest.mark.slow
def test_checkup_discharge_of_the_aged_cell():
    """The C/20 check-up of the aged cell delivers the lifetime's capacity (within 1 % of the
    initial capacity: C/20 is near equilibrium) and less charge than the fresh cell's."""
    result = life("ncm811")
    curves = result.voltage_curves([0.0, YEARS])
    years = sorted(curves["year"].unique())
    assert years == [0.0, YEARS]
    q0 = result.fresh_capacity_Ah
    for year in years:
        group = curves[curves["year"] == year]
        expected = float(np.interp(year, result.data["year"], result.data["capacity_Ah"]))
        assert abs(group["discharged_Ah"].max() - expected) < 0.01 * q0
        assert np.all(np.diff(group["voltage_V"]) <= 1e-9)  # a discharge: V falls
    fresh = curves[curves["year"] == 0.0]
    aged = curves[curves["year"] == YEARS]
    assert aged["charge_Ah"].max() < fresh["charge_Ah"].max()


def test_degradation_modes_of_a_lithium_metal_cell_have_no_negative_lam():
    result = life("solid_state", 0.1)
    modes = result.degradation_modes()
    assert list(modes.columns) == ["year", "lli_fraction", "lam_p_fraction",
                                   "resistance_growth_fraction"]
    with pytest.raises(InputError, match="modes.*'lam_n'.*lithium-metal"):
        result.degradation_modes(["lli", "lam_n"])
    with pytest.raises(InputError, match="modes.*'sei'"):
        result.degradation_modes("sei")


@pytest.mark.parametrize(("kwargs", "field"), [({"c_rate": 0.0}, "c_rate"),
                                               ({"c_rate": float("nan")}, "c_rate"),
                                               ({"temperature_C": 200.0}, "temperature_C")])
def test_checkup_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError, match=field):
        checkup_curves(cellsim.Cell.from_chemistry("lfp"), None, **kwargs)
