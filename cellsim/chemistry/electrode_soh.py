"""Electrode stoichiometry limits of a changed cell in about a millisecond.

PyBaMM's electrode state-of-health solver (``get_min_max_stoichiometries``) takes about a
second per cell because it builds and solves a model. A cell made by
:meth:`cellsim.Cell.with_parameters` that keeps its base cell's open-circuit potentials solves
the same equations (PyBaMM's ``_ElectrodeSOH``, cyclable lithium known, OCPs at the reference
temperature) here, with the OCP expressions PyBaMM processed once for the base cell::

    Q_Li = y_100 Q_p + x_100 Q_n,   U_p(y_100) - U_n(x_100) = V(100 % SOC)
    Q_Li = y_0 Q_p + x_0 Q_n,       U_p(y_0) - U_n(x_0) = V(0 % SOC)

Each residual is monotone in ``x``; the root is bracketed on a grid over PyBaMM's admissible
interval, the bracket is refined on finer grids and the root is the linear interpolant of the
last bracket (width ~6e-8, where the interpolant is exact to ~1e-14, tighter than PyBaMM's own
solver tolerance). A half cell solves ``U_p(x) = V`` in the same way. Electrode capacities and
the lithium inventory are PyBaMM's ``Q_init`` and ``Q_Li_particles_init``, by formula when
their parameters are numbers.
"""

from __future__ import annotations

import functools

import numpy as np

from .._pybamm import pybamm
from ..errors import InputError

GRID_POINTS = 65
REFINEMENTS = 4
STO_TOL = 1e-6  # PyBaMM's admissible stoichiometries are [1e-6, 1 - 1e-6] (ElectrodeSOHSolver)


class OpenCircuitPotentials:
    """The electrode OCPs of a parameter set at its reference temperature, processed by PyBaMM
    once and evaluated on arrays of stoichiometry (PyBaMM's clipping and asymptotes included).
    """

    def __init__(self, values, options: dict) -> None:
        pb = pybamm()
        self.param = param = pb.LithiumIonParameters(options)
        sto = pb.StateVector(slice(0, GRID_POINTS))
        self.half_cell = options.get("working electrode") == "positive"
        self._u_p = pb.EvaluatorPython(values.process_symbol(param.p.prim.U(sto, param.T_ref)))
        self._u_n = None if self.half_cell else pb.EvaluatorPython(
            values.process_symbol(param.n.prim.U(sto, param.T_ref)))

    @staticmethod
    def _evaluate(evaluator, sto: np.ndarray) -> np.ndarray:
        out = evaluator(t=0.0, y=np.asarray(sto, dtype=float)[:, None])
        return np.broadcast_to(np.asarray(out, dtype=float).ravel(), (GRID_POINTS,))

    def positive(self, sto: np.ndarray) -> np.ndarray:
        """Positive-electrode OCP [V] at ``GRID_POINTS`` stoichiometries."""
        return self._evaluate(self._u_p, sto)

    def negative(self, sto: np.ndarray) -> np.ndarray:
        """Negative-electrode OCP [V] at ``GRID_POINTS`` stoichiometries."""
        return self._evaluate(self._u_n, sto)


def _root(residual, low: float, high: float, what: str) -> float:
    """The root of an increasing ``residual(x)`` (evaluated on grids) in ``[low, high]``."""
    for _ in range(REFINEMENTS):
        x = np.linspace(low, high, GRID_POINTS)
        r = residual(x)
        above = np.flatnonzero(r >= 0.0)
        if above.size == 0 or above[0] == 0:
            raise InputError(f"no electrode stoichiometry gives {what} within the electrodes' "
                             "admissible range")
        k = int(above[0])
        low, high, r_low, r_high = x[k - 1], x[k], r[k - 1], r[k]
    return float(low - r_low * (high - low) / (r_high - r_low))


def _number(values, key: str) -> float | None:
    value = values[key]
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def capacities_Ah(values, param, half_cell: bool) -> tuple[float, float, float]:
    """PyBaMM's ``Q_init`` of the negative and positive electrode and ``Q_Li_particles_init``
    [A.h] (the negative ones NaN for a half cell).

    ``Q = eps_s L c_max F / 3600 * A_cc`` and ``Q_Li = (Σ eps_s c_init L A_cc) F / 3600``,
    ``A_cc = L_y L_z n_parallel``, in PyBaMM's order of operations; evaluated by PyBaMM when a
    parameter is a function (e.g. of x).
    """
    sides = ("Positive",) if half_cell else ("Negative", "Positive")
    keys = ["Electrode height [m]", "Electrode width [m]",
            "Number of electrodes connected in parallel to make a cell"]
    for side in sides:
        keys += [f"{side} electrode active material volume fraction",
                 f"{side} electrode thickness [m]",
                 f"Maximum concentration in {side.lower()} electrode [mol.m-3]",
                 f"Initial concentration in {side.lower()} electrode [mol.m-3]"]
    numbers = [_number(values, key) for key in keys]
    if half_cell or any(n is None for n in numbers):
        q_p = float(values.evaluate(param.p.Q_init))
        if half_cell:
            return np.nan, q_p, np.nan
        return (float(values.evaluate(param.n.Q_init)), q_p,
                float(values.evaluate(param.Q_Li_particles_init)))
    faraday = float(pybamm().constants.F.value)
    l_y, l_z, n_par, *per_side = numbers
    a_cc = l_y * l_z * n_par
    (eps_n, l_n, cmax_n, c0_n), (eps_p, l_p, cmax_p, c0_p) = per_side[:4], per_side[4:]
    q_n = eps_n * l_n * cmax_n * faraday / 3600 * a_cc
    q_p = eps_p * l_p * cmax_p * faraday / 3600 * a_cc
    n_li = eps_n * c0_n * l_n * a_cc + eps_p * c0_p * l_p * a_cc
    return q_n, q_p, n_li * faraday / 3600


def stoichiometry_limits(ocp: OpenCircuitPotentials, values
                         ) -> tuple[float | None, float | None, float, float]:
    """``(x_0, x_100, y_0, y_100)`` of ``values`` (None for a half cell's negative).

    ``ocp`` must hold the OCPs of ``values`` (the caller checks that none of their
    parameters changed).
    """
    v_100 = float(values["Open-circuit voltage at 100% SOC [V]"])
    v_0 = float(values["Open-circuit voltage at 0% SOC [V]"])
    capacities = (np.nan,) * 3 if ocp.half_cell else capacities_Ah(values, ocp.param, False)
    return _solve(ocp, v_0, v_100, *capacities)


@functools.lru_cache(maxsize=1024)
def _solve(ocp: OpenCircuitPotentials, v_0: float, v_100: float, q_n: float, q_p: float,
           q_li: float) -> tuple[float | None, float | None, float, float]:
    """The limits for given OCPs, voltages and capacities (memoised: a change of kinetics or
    transport keeps the capacities, and a fit or sweep revisits them)."""
    lo, hi = STO_TOL, 1.0 - STO_TOL
    if ocp.half_cell:
        # U_p decreases with lithiation: V - U_p increases with x
        x_100 = _root(lambda x: v_100 - ocp.positive(x), lo, hi, f"{v_100} V")
        x_0 = _root(lambda x: v_0 - ocp.positive(x), lo, hi, f"{v_0} V")
        return None, None, x_0, x_100
    x_low = max(lo, (q_li - hi * q_p) / q_n)
    x_high = min(hi, (q_li - lo * q_p) / q_n)

    def residual(v: float):
        return lambda x: ocp.positive((q_li - x * q_n) / q_p) - ocp.negative(x) - v

    x_100 = _root(residual(v_100), x_low, x_high, f"{v_100} V at 100 % SOC")
    x_0 = _root(residual(v_0), x_low, x_high, f"{v_0} V at 0 % SOC")
    return x_0, x_100, (q_li - x_0 * q_n) / q_p, (q_li - x_100 * q_n) / q_p
