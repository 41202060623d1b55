"""The fast engine's :class:`~cellsim.engine.base.Simulation` and :class:`Engine` objects.

:class:`FastEngine` turns a cell into kernel arrays (:mod:`.parameters`) and an initial state at
the requested SOC; :class:`FastSimulation` calls the numba loop (:func:`.kernel.run`) once per
segment and wraps the records in a :class:`~cellsim.engine.base.Segment`.

SOC convention (same as PyBaMM's electrode state of health): with the positive-electrode
stoichiometry limits ``y_0`` (0 % SOC) and ``y_100`` (100 % SOC) from
``pybamm.lithium_ion.get_min_max_stoichiometries`` (full cell) or the half-cell equivalent,
``soc = (y_0 - mean y) / (y_0 - y_100)`` with ``mean y`` the volume-averaged positive-particle
stoichiometry.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np

from cellsim.engine.base import Segment, Trace
from cellsim.engine.fast import constants as C
from cellsim.engine.fast import kernel
from cellsim.engine.fast import layout as L
from cellsim.engine.fast.ageing import ageing_sync
from cellsim.engine.fast.derive import BaseTables
from cellsim.engine.fast.parameters import (CE_TABLE_FACTOR, KernelArrays, ageing_codes,
                                            restrict_lam)
from cellsim.engine.fast.table_cache import cached_kernel_arrays
from cellsim.engine.fast.voltage import plating_potential_now
from cellsim.errors import InputError, SimulationError
from cellsim.validation import check_number

MODELS = ("SPMe",)
THERMAL = ("isothermal", "lumped")
KELVIN = 273.15
REST_DT_MAX_S = 120.0  # longest internal step of a rest
REST_DT_MAX_AGEING_S = 3600.0  # longest internal rest step with ageing on (calendar ageing)
REST_DT_GROWTH = 1.2  # geometric growth of rest steps from 1 s
_STOP_NAMES = {
    C.STOP_NONE: None,
    C.STOP_V_MIN: "voltage_min",
    C.STOP_V_MAX: "voltage_max",
    C.STOP_I_MIN: "current_min",
    C.STOP_POWER: "power_limited",
}
_STATE_NAMES = ("negative particle concentration", "positive particle concentration",
                "electrolyte concentration", "temperature", "ageing states")
AH_PER_MOL = 96485.33212 / 3600.0
H_KEY = "Total heat transfer coefficient [W.m-2.K-1]"


class FastSimulation:
    """One cell advanced by the numba SPMe kernel; each call continues from the last state.

    Attributes
    ----------
    ambient_C
        Ambient temperature [C]; may be changed between calls.
    record_every
        Record every n-th step in traces (the first and the last point are always kept).
    """

    def __init__(self, arrays: KernelArrays, y0: np.ndarray, ambient_C: float, name: str,
                 record_every: int = 1, n_li_fresh_mol: float = np.nan,
                 fresh_capacity_Ah: float = np.nan) -> None:
        self._a = arrays
        self._y = y0
        self.ambient_C = float(ambient_C)
        self.record_every = int(record_every)
        self._name = name
        self._warned_T = False
        dims = arrays.dims
        self._o_t = L.state_offsets(int(dims[L.D_NR_N]), int(dims[L.D_NR_P]), arrays.n_x)[3]
        self._o_a = self._o_t + 1
        self._n_li0 = float(n_li_fresh_mol)
        self._q_fresh = float(fresh_capacity_Ah)

    # --- state -----------------------------------------------------------------------------
    @property
    def soc(self) -> float:
        """State of charge now (0 to 1), from the positive electrode's lithium content."""
        prm = self._a.prm
        y_mean = kernel.mean_positive_stoichiometry(self._y, self._a.dims, prm)
        return float((prm[L.P_SOC_0] - y_mean) / (prm[L.P_SOC_0] - prm[L.P_SOC_100]))

    @property
    def temperature_C(self) -> float:
        """Cell temperature now [C]."""
        return float(self._y[self._o_t] - KELVIN)

    @property
    def state(self) -> np.ndarray:
        """A copy of the state vector (slots described in :mod:`.layout`)."""
        return self._y.copy()

    # --- plating-potential charge limit ----------------------------------------------------
    @property
    def lithium_metal_negative(self) -> bool:
        """True for a lithium-metal negative (half-cell model: no plating potential)."""
        return bool(self._a.dims[L.D_HALF])

    @property
    def plating_limit_V(self) -> float | None:
        """Lowest plating potential allowed at the negative/separator interface while charging
        under power control [V vs Li/Li+], or ``None`` (no limit; the default).

        With a limit, each power-controlled charge step (regenerative braking included) takes
        the largest charge current that keeps :meth:`plating_potential_V` at or above it; the
        rest of the demand is not absorbed. Current-controlled steps (``current``, ``cccv``) are
        not limited. Not available for a lithium-metal negative, where lithium deposition is
        the electrode reaction itself.
        """
        value = float(self._a.prm[L.P_PLATING_MIN_V])
        return None if np.isnan(value) else value

    @plating_limit_V.setter
    def plating_limit_V(self, value: float | None) -> None:
        if value is None:
            self._a.prm[L.P_PLATING_MIN_V] = np.nan
            return
        if self._a.dims[L.D_HALF]:
            raise InputError(f"plating_limit_V={value!r}: cell {self._name!r} has a "
                             "lithium-metal negative (no plating potential to limit)")
        self._a.prm[L.P_PLATING_MIN_V] = check_number("plating_limit_V", value, low=-0.5,
                                                      high=0.5)

    def plating_potential_V(self, current_A: float) -> float:
        """Plating potential at the negative/separator interface [V vs Li/Li+] of the present
        state carrying ``current_A`` (negative: charge); lithium plates where it is below 0.
        See :func:`.voltage.plating_potential`."""
        if self._a.dims[L.D_HALF]:
            raise InputError(f"cell {self._name!r} has a lithium-metal negative: no plating "
                             "potential")
        current_A = check_number("current_A", current_A)
        a = self._a
        return float(plating_potential_now(self._y, current_A, a.dims, a.prm, a.tab_sto,
                                                  a.tab_xt, a.xgeo))

    # --- ageing ----------------------------------------------------------------------------
    @property
    def ageing_enabled(self) -> bool:
        """True if the ageing states are advanced (``FastEngine.start(..., ageing=True)``)."""
        return bool(self._a.dims[L.D_AGEING])

    @property
    def ageing_state(self) -> np.ndarray:
        """A copy of the ageing slots of the state (``layout.A_*``), for cycle jumping."""
        return self._y[self._o_a:self._o_a + L.N_AGE].copy()

    def set_ageing_state(self, state: np.ndarray) -> None:
        """Replace the ageing slots (e.g. extrapolated over N days: ``s0 + N * (s1 - s0)``).

        The lithium that the change moves into SEI and plated lithium is taken out of the
        negative particles (uniformly; from the positive if the negative runs empty) so that
        the lithium inventory stays consistent with the ageing state; a change of active
        material removes the lithium in the lost material with it. The SOC convention is not
        re-based (call :meth:`rebase_soc` for that).
        """
        new = np.asarray(state, dtype=float).ravel()
        if new.size != L.N_AGE:
            raise InputError(f"ageing state must have {L.N_AGE} values, got {new.size}")
        if not np.all(np.isfinite(new)):
            raise InputError("ageing state contains NaN or inf")
        if new[L.A_EPS_N] < 0 or new[L.A_EPS_P] <= 0 or new[L.A_C_SEI] < 0:
            raise InputError("ageing state has a negative SEI amount or active material fraction")
        old = self.ageing_state
        a, y = self._a, self._y
        if not a.dims[L.D_HALF]:
            dn = self._side_li_mol(new) - self._side_li_mol(old)
            nr_n, nr_p = int(a.dims[L.D_NR_N]), int(a.dims[L.D_NR_P])
            v_n = new[L.A_EPS_N] * a.prm[L.P_L_N] * a.prm[L.P_AREA]
            c_n = y[:nr_n]
            take = min(dn / v_n, max(float(c_n.min()) - 1e-4 * a.prm[L.P_CMAX_N], 0.0)) \
                if dn > 0 else dn / v_n
            c_n -= take
            rest_mol = dn - take * v_n
            if rest_mol > 0:
                v_p = new[L.A_EPS_P] * a.prm[L.P_L_P] * a.prm[L.P_AREA]
                y[nr_n:nr_n + nr_p] = np.maximum(y[nr_n:nr_n + nr_p] - rest_mol / v_p, 0.0)
        y[self._o_a:self._o_a + L.N_AGE] = new
        ageing_sync(y, self._o_a, a.dims, a.prm)

    def _side_li_mol(self, st: np.ndarray) -> float:
        """Lithium [mol] held in SEI (above its initial amount) and plated/dead lithium."""
        prm = self._a.prm
        vol = prm[L.P_L_N] * prm[L.P_AREA]
        if self._a.dims[L.D_HALF]:
            rho, vbar = prm[L.P_SEI_RHO], prm[L.P_SEI_VBAR]
            interphase = (prm[L.P_SEI_Z] * st[L.A_C_SEI] / (rho * vbar)
                          if rho > 0 and vbar > 0 else 0.0)
            return (interphase + st[L.A_C_DEAD]) * prm[L.P_AREA]
        c_sei0 = prm[L.P_SEI_L0] * 3.0 * prm[L.P_EPS_S_N0] / prm[L.P_R_N] / prm[L.P_SEI_VBAR] \
            if prm[L.P_SEI_VBAR] > 0 else 0.0
        return (prm[L.P_SEI_Z] * (st[L.A_C_SEI] - c_sei0) + st[L.A_C_PL] + st[L.A_C_DEAD]) * vol

    @property
    def ageing(self) -> dict:
        """Degradation so far: lithium inventory lost [A.h] by mechanism, loss of active
        material (fractions of the fresh amounts), film resistance [Ohm], SEI thickness [m],
        charge throughput [A.h] and equivalent full cycles (throughput / 2 / fresh capacity).

        ``lli_Ah`` = ``lli_sei_Ah`` + ``plated_Ah`` + ``lli_lam_Ah``; as in PyBaMM's "Loss of
        capacity to negative lithium plating", ``plated_Ah`` counts reversibly plated and dead
        lithium (``dead_lithium_Ah`` is the dead part). For a lithium-metal half cell
        ``lli_sei_Ah`` is the lithium bound in the Li/SE interphase, ``dead_lithium_Ah`` (=
        ``plated_Ah``) the lithium left dead by plating/stripping on the foil (both taken from
        the foil), and ``lithium_reserve_Ah`` the foil's lithium excess left (negative once the
        losses exceed it: the capacity then falls by the deficit).
        """
        st = self.ageing_state
        prm = self._a.prm
        vol = prm[L.P_L_N] * prm[L.P_AREA]
        half = bool(self._a.dims[L.D_HALF])
        if half:
            dead = st[L.A_C_DEAD] * prm[L.P_AREA] * AH_PER_MOL
            plated = dead
            lli_sei = self._side_li_mol(st) * AH_PER_MOL - dead
            l_sei = (st[L.A_C_SEI] / prm[L.P_SEI_RHO]) if prm[L.P_SEI_RHO] > 0 else 0.0
            lam_n = 0.0
        else:
            lli_sei = self._side_li_mol(st) * AH_PER_MOL - (st[L.A_C_PL] + st[L.A_C_DEAD]) * vol \
                * AH_PER_MOL
            plated = (st[L.A_C_PL] + st[L.A_C_DEAD]) * vol * AH_PER_MOL
            dead = st[L.A_C_DEAD] * vol * AH_PER_MOL
            a_n = 3.0 * st[L.A_EPS_N] / prm[L.P_R_N]
            l_sei = st[L.A_C_SEI] * prm[L.P_SEI_VBAR] / a_n
            lam_n = 1.0 - st[L.A_EPS_N] / prm[L.P_EPS_S_N0]
        lli_lam = (st[L.A_LLI_LAM_N] + st[L.A_LLI_LAM_P]) * AH_PER_MOL
        r_film = prm[L.P_R_FILM] / prm[L.P_AREA] if self.ageing_enabled else 0.0
        reserve = {"lithium_reserve_Ah": float(
            (self._lithium_excess_mol() - self._side_li_mol(st)) * AH_PER_MOL)} if half else {}
        return {
            "lli_Ah": float(lli_sei + plated + lli_lam),
            "lli_sei_Ah": float(lli_sei),
            "plated_Ah": float(plated),
            "dead_lithium_Ah": float(dead),
            "lli_lam_Ah": float(lli_lam),
            "lam_n_fraction": float(lam_n),
            "lam_p_fraction": float(1.0 - st[L.A_EPS_P] / prm[L.P_EPS_S_P0]),
            "film_resistance_ohm": float(r_film),
            "sei_thickness_m": float(l_sei),
            "throughput_Ah": float(st[L.A_Q_THROUGHPUT]),
            "equivalent_full_cycles": float(st[L.A_Q_THROUGHPUT] / (2.0 * self._q_fresh)),
            **reserve,
        }

    def _lithium_excess_mol(self) -> float:
        """Lithium of a half cell's foil at 0 % SOC (the excess over the positive's own) [mol]."""
        prm = self._a.prm
        return prm[L.P_C_LI] * prm[L.P_L_N] * prm[L.P_AREA]

    @property
    def critical_charge_current_A(self) -> float:
        """Highest charge current of a lithium-metal negative [A]: the critical current density
        of the Li/SE interface times the electrode area (``inf`` if the set gives none)."""
        ccd = self._a.prm[L.P_CCD]
        return float(ccd * self._a.prm[L.P_AREA]) if np.isfinite(ccd) else np.inf

    @property
    def fresh_lithium_inventory_Ah(self) -> float:
        """Cyclable lithium of the fresh cell [A.h], the reference of the loss of lithium
        inventory: the lithium in the particles of a full cell (PyBaMM's "Total lithium capacity
        in particles"); for a lithium-metal half cell, the fresh capacity (the lithium the
        positive electrode exchanges with the foil)."""
        if self._a.dims[L.D_HALF]:
            return self._q_fresh
        return self._n_li0 * AH_PER_MOL

    def _soh_limits(self):
        a = self._a
        prm = a.prm
        st = self.ageing_state
        half = int(a.dims[L.D_HALF])
        q_p = st[L.A_EPS_P] * prm[L.P_L_P] * prm[L.P_AREA] * prm[L.P_CMAX_P]
        if half:
            q_n = 1.0
            n_li = q_p
        else:
            q_n = st[L.A_EPS_N] * prm[L.P_L_N] * prm[L.P_AREA] * prm[L.P_CMAX_N]
            lam_li = st[L.A_LLI_LAM_N] + st[L.A_LLI_LAM_P]
            n_li = self._n_li0 - self._side_li_mol(st) - lam_li
        lim = kernel.electrode_soh(n_li, q_n, q_p, prm[L.P_V_MIN], prm[L.P_V_MAX],
                                   a.tab_sto, half)
        if half:
            # lithium lost beyond the foil's excess cannot return to the positive on discharge
            deficit = max(self._side_li_mol(st) - self._lithium_excess_mol(), 0.0)
            x_0, x_100, y_100, y_0 = lim
            lim = (x_0, x_100, y_100, max(y_0 - deficit / q_p, y_100))
        return lim, q_p

    def capacity_Ah(self) -> float:
        """Usable capacity now [A.h]: the electrode state of health (PyBaMM's ElectrodeSOH
        equations) between the voltage limits at equilibrium and the reference temperature,
        with the lithium inventory reduced by the lithium lost and the electrode capacities by
        the active material lost. No time stepping (about 10 microseconds)."""
        (_, _, y_100, y_0), q_p = self._soh_limits()
        return float(q_p * (y_0 - y_100) * AH_PER_MOL)

    @property
    def soh(self) -> float:
        """State of health: :meth:`capacity_Ah` over the fresh cell's capacity."""
        return self.capacity_Ah() / self._q_fresh

    def rebase_soc(self) -> None:
        """Re-base :attr:`soc` on the aged electrode window (0 and 1 at the aged voltage
        limits). Without this call, ``soc`` keeps the fresh positive-electrode window."""
        (_, _, y_100, y_0), _ = self._soh_limits()
        self._a.prm[L.P_SOC_0] = y_0
        self._a.prm[L.P_SOC_100] = y_100

    # --- loads -----------------------------------------------------------------------------
    def current(self, current_A: float, duration_s: float, *, v_min_V: float | None = None,
                v_max_V: float | None = None, dt_s: float = 1.0) -> Segment:
        """Hold a constant current (positive = discharge) until the duration or a voltage limit.

        The run stops with ``"voltage_min"`` (discharge) or ``"voltage_max"`` (charge) inside
        the step where the voltage reaches the limit (within 1/1000 of the step, see
        :func:`.kernel.run`), as PyBaMM's cut-off event does. A step that would fill or empty a
        particle surface (or empty the electrolyte) crosses the limit too: the model's voltage
        diverges there."""
        n, dts = _steps(duration_s, dt_s)
        return self._run(C.MODE_CURRENT, np.full(n, float(current_A)), dts,
                         self._ambient(None, n), v_min_V, v_max_V, 0.0)

    def current_profile(self, current_A: np.ndarray, dt_s: np.ndarray, *,
                        v_min_V: float | None = None, v_max_V: float | None = None) -> Segment:
        """Follow a current profile (positive = discharge): ``current_A[k]`` held for
        ``dt_s[k]`` (steps of any length). Every step is recorded (the first record is the
        state before the first step, carrying ``current_A[0]``). Stops at a voltage limit
        like :meth:`current`; pass wide limits to follow the profile whatever the voltage."""
        current = np.ascontiguousarray(current_A, dtype=float).ravel()
        dts = np.ascontiguousarray(dt_s, dtype=float).ravel()
        if current.size == 0 or current.size != dts.size:
            raise InputError(f"current_A ({current.size} values) and dt_s ({dts.size}) must be "
                             "non-empty and of equal length")
        if not (np.all(np.isfinite(current)) and np.all(dts > 0)):
            raise InputError("current_A must be finite and every dt_s positive")
        saved, self.record_every = self.record_every, 1
        try:
            return self._run(C.MODE_CURRENT, current, dts, self._ambient(None, dts.size),
                             v_min_V, v_max_V, 0.0)
        finally:
            self.record_every = saved

    def power(self, power_W: np.ndarray, dt_s: float = 1.0, *,
              ambient_C: float | np.ndarray | None = None) -> Segment:
        """Follow a per-cell power profile (positive = discharge), one value per ``dt_s``.

        Stops with ``"power_limited"`` in the first step whose demand cannot be met above the
        lower cut-off voltage or exceeds the most the cell can deliver in the step (including a
        step that would empty a particle surface or the electrolyte); the trace ends inside that
        step, at the longest part of it that meets the demand (within 1/1000 of the step; at
        its start if no part does), as PyBaMM's cut-off event ends its solve. A charge (regen)
        that would exceed the upper cut-off is limited to it: ``I = min(max(I_demand, I(V_max)),
        0)``, so a cell already above ``V_max`` at zero current takes no current (the friction
        brakes take the rest) and is never discharged; a discharge demand never charges the
        cell.
        ``ambient_C`` may give one ambient temperature per step.
        """
        power = np.ascontiguousarray(power_W, dtype=float).ravel()
        if power.size == 0:
            raise InputError("power_W is empty; give at least one value")
        if not np.all(np.isfinite(power)):
            raise InputError("power_W contains NaN or inf")
        if not dt_s > 0:
            raise InputError(f"dt_s must be positive, got {dt_s}")
        dts = np.full(power.size, float(dt_s))
        return self._run(C.MODE_POWER, power, dts, self._ambient(ambient_C, power.size),
                         None, None, 0.0)

    def rest(self, duration_s: float) -> Segment:
        """Zero current for ``duration_s``, with internal steps growing from 1 s to 2 minutes."""
        dts = _rest_steps(duration_s, REST_DT_MAX_AGEING_S if self.ageing_enabled
                          else REST_DT_MAX_S)
        return self._run(C.MODE_CURRENT, np.zeros(dts.size), dts,
                         self._ambient(None, dts.size), None, None, 0.0)

    def cccv(self, current_A: float, v_max_V: float, i_cut_A: float, *,
             max_duration_s: float = 6 * 3600.0, dt_s: float = 1.0) -> Segment:
        """Charge at ``current_A`` (a positive number) to ``v_max_V``, then hold it until the
        current falls below ``i_cut_A``."""
        if not current_A > 0 or not i_cut_A > 0:
            raise InputError("cccv needs positive current_A and i_cut_A (charge magnitudes)")
        cc = self.current(-current_A, max_duration_s, v_max_V=v_max_V, dt_s=dt_s)
        if cc.stop_reason != "voltage_max":
            return cc
        n, dts = _steps(max_duration_s, dt_s)
        cv = self._run(C.MODE_VOLTAGE, np.full(n, float(v_max_V)), dts,
                       self._ambient(None, n), None, None, float(i_cut_A))
        return _join(cc, cv)

    # --- internals ---------------------------------------------------------------------------
    def _ambient(self, ambient_C, n: int) -> np.ndarray:
        amb = self.ambient_C if ambient_C is None else ambient_C
        amb = np.broadcast_to(np.asarray(amb, dtype=float), (n,)) + KELVIN
        return np.ascontiguousarray(amb)

    def _run(self, mode, target, dts, amb_K, v_min, v_max, i_cut) -> Segment:
        a = self._a
        v_min = a.prm[L.P_V_MIN] if v_min is None else float(v_min)
        v_max = a.prm[L.P_V_MAX] if v_max is None else float(v_max)
        rec = np.empty((7, target.size // self.record_every + 3))
        y_before = self._y.copy()
        n_rec, stop, bad, _ = kernel.run(self._y, mode, target, dts, amb_K, v_min, v_max, i_cut,
                                         self.record_every, a.dims, a.prm, a.tab_sto, a.tab_xt,
                                         a.xgeo, rec)
        if stop == C.STOP_NONFINITE or not np.all(np.isfinite(self._y)):
            self._y = y_before
            raise SimulationError(
                f"fast engine: non-finite {self._bad_quantity()} at step {bad} of a "
                f"{_mode_name(mode)} segment for cell {self._name!r} (SPMe, fast engine)"
            )
        rec = rec[:, :n_rec]
        self._check_temperature(rec[6])
        trace = Trace(time_s=rec[0].copy(), voltage_V=rec[1].copy(), current_A=rec[2].copy(),
                      power_W=rec[3].copy(), capacity_Ah=rec[4].copy(), soc=rec[5].copy(),
                      temperature_C=rec[6] - KELVIN)
        return Segment(trace=trace, stop_reason=_STOP_NAMES[stop],
                       stop_time_s=float(rec[0, -1]))

    def _bad_quantity(self) -> str:
        dims = self._a.dims
        sizes = [dims[L.D_NR_N], dims[L.D_NR_P], self._a.n_x, 1, L.N_AGE]
        o = 0
        for name, size in zip(_STATE_NAMES, sizes, strict=True):
            if not np.all(np.isfinite(self._y[o : o + size])):
                return name
            o += size
        return "voltage or current"

    def _check_temperature(self, temp_K: np.ndarray) -> None:
        lo, hi = self._a.prm[L.P_T_VALID_MIN], self._a.prm[L.P_T_VALID_MAX]
        if not self._warned_T and (temp_K.min() < lo or temp_K.max() > hi):
            self._warned_T = True
            warnings.warn(
                f"cell {self._name!r}: temperature {temp_K.min() - KELVIN:.1f} .. "
                f"{temp_K.max() - KELVIN:.1f} C leaves the range where its parameter "
                f"functions are valid ({lo - KELVIN:.1f} .. {hi - KELVIN:.1f} C); "
                "properties are held at the range's edge",
                stacklevel=3,
            )


class FastEngine:
    """Factory of :class:`FastSimulation` (numba SPMe + lumped thermal)."""

    name = "fast"

    def start(self, cell: object, *, soc: float = 1.0, ambient_C: float = 25.0,
              model: str = "SPMe", thermal: str = "lumped", h_W_per_m2K: float | None = None,
              record_every: int = 1, ageing: bool = False,
              ageing_state: np.ndarray | None = None,
              ageing_options: dict | None = None) -> FastSimulation:
        """Return a simulation of ``cell`` at ``soc``, in equilibrium at ``ambient_C``.

        ``ageing=True`` advances SEI growth, lithium plating and loss of active material with
        PyBaMM-style ``ageing_options`` (``{"SEI": ..., "lithium plating": ...,
        "loss of active material": ..., "stress-induced diffusion": ...,
        "SEI film resistance": ...}``; missing keys take
        :func:`~cellsim.engine.fast.parameters.default_ageing_options` of the set).
        ``ageing_state`` (from :attr:`FastSimulation.ageing_state`) starts from an aged cell:
        the particles are placed at ``soc`` of the aged electrode window and ``soc`` refers to
        that window. With ``ageing=False`` the ageing states are frozen (and ``ageing_state``
        still sets the film resistance and active material, without further ageing).
        """
        if model not in MODELS:
            raise InputError(f"model={model!r} is not available in the fast engine; "
                             f"allowed: {', '.join(MODELS)}")
        if thermal not in THERMAL:
            raise InputError(f"thermal={thermal!r} is not allowed; allowed: {', '.join(THERMAL)}")
        if not 0.0 <= soc <= 1.0:
            raise InputError(f"soc={soc} must be between 0 and 1")
        if not (isinstance(record_every, int) and record_every >= 1):
            raise InputError(f"record_every={record_every!r} must be a positive integer")
        arrays = _cell_arrays(cell, thermal, h_W_per_m2K)
        half = bool(arrays.dims[L.D_HALF])
        if ageing or ageing_options or ageing_state is not None:
            sei, plating, lam, film, lam_domains, stress_diffusion = ageing_codes(
                cell.parameter_values, half, ageing_options)
            restrict_lam(arrays.prm, lam_domains, stress_diffusion)
            arrays.dims[L.D_SEI] = sei
            arrays.dims[L.D_PLATING] = plating
            arrays.dims[L.D_LAM] = lam
            if not film:
                arrays.prm[L.P_SEI_RHO] = 0.0
            if sei == L.SEI_SOLVENT and arrays.prm[L.P_SEI_L0] <= 0:
                raise InputError("'Initial SEI thickness [m]' must be positive for a "
                                 "solvent-diffusion limited SEI")
        arrays.dims[L.D_AGEING] = int(bool(ageing))
        limits = cell.stoichiometry_limits
        x_0 = np.nan if limits.x_n_0 is None else limits.x_n_0
        x_100 = np.nan if limits.x_n_100 is None else limits.x_n_100
        y_100, y_0 = limits.x_p_100, limits.x_p_0
        arrays.prm[L.P_SOC_0] = y_0
        arrays.prm[L.P_SOC_100] = y_100
        prm = arrays.prm
        c_e0 = prm[L.P_CE_MAX] / CE_TABLE_FACTOR  # exact: the factor is a power of two
        if half:
            n_li0 = np.nan
        else:
            n_li0 = (x_100 * prm[L.P_EPS_S_N0] * prm[L.P_L_N] * prm[L.P_CMAX_N]
                     + y_100 * prm[L.P_EPS_S_P0] * prm[L.P_L_P] * prm[L.P_CMAX_P]) * prm[L.P_AREA]
        y = initial_state(arrays, soc, x_0, x_100, y_100, y_0, c_e0, ambient_C + KELVIN)
        sim = FastSimulation(arrays, y, ambient_C, getattr(cell, "name", "cell"), record_every,
                             n_li_fresh_mol=n_li0)
        o_a = sim._o_a
        ageing_sync(y, o_a, arrays.dims, prm)
        (_, _, y100f, y0f), q_p = sim._soh_limits()
        sim._q_fresh = float(q_p * (y0f - y100f) * AH_PER_MOL)
        if ageing_state is not None:
            sim.set_ageing_state(ageing_state)
            (x0a, x100a, y100a, y0a), _ = sim._soh_limits()
            if half:
                x0a = x100a = np.nan
            prm[L.P_SOC_0] = y0a
            prm[L.P_SOC_100] = y100a
            aged = initial_state(arrays, soc, x0a, x100a, y100a, y0a, c_e0, ambient_C + KELVIN)
            aged[o_a:] = y[o_a:]
            y[:] = aged
        ageing_sync(y, o_a, arrays.dims, prm)
        return sim


def initial_state(arrays: KernelArrays, soc: float, x_0: float, x_100: float, y_100: float,
                  y_0: float, c_e0: float, temp_K: float) -> np.ndarray:
    """Uniform particles at the SOC's stoichiometries (linear between PyBaMM's limits, as
    ``get_initial_stoichiometries`` does), electrolyte at its initial concentration."""
    dims, prm = arrays.dims, arrays.prm
    nr_n, nr_p, nx = int(dims[L.D_NR_N]), int(dims[L.D_NR_P]), arrays.n_x
    y = np.empty(L.state_size(nr_n, nr_p, nx))
    o_cn, o_cp, o_ce, o_t = L.state_offsets(nr_n, nr_p, nx)
    y[o_cn:o_cp] = (x_0 + soc * (x_100 - x_0)) * prm[L.P_CMAX_N]
    y[o_cp:o_ce] = (y_0 + soc * (y_100 - y_0)) * prm[L.P_CMAX_P]
    y[o_ce:o_t] = c_e0
    y[o_t] = temp_K
    o_a = o_t + 1
    y[o_a:] = 0.0
    y[o_a + L.A_EPS_P] = prm[L.P_EPS_S_P0]
    if not dims[L.D_HALF]:
        eps_n = prm[L.P_EPS_S_N0]
        y[o_a + L.A_EPS_N] = eps_n
        if prm[L.P_SEI_VBAR] > 0:  # PyBaMM: c_sei_0 = L_sei_0 a_typ / V_bar_sei
            y[o_a + L.A_C_SEI] = prm[L.P_SEI_L0] * 3.0 * eps_n / prm[L.P_R_N] / prm[L.P_SEI_VBAR]
    return y


_ARRAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cell_arrays(cell, thermal: str, h_W_per_m2K: float | None) -> KernelArrays:
    """The kernel arrays of ``cell`` for one simulation (a copy sharing the tables).

    Built once per cell, thermal model and cooling: a cell from ``Cell.with_parameters``
    derives them from its base cell's (:mod:`.derive`), a cooling override from the cell's own;
    otherwise they come from the disk cache or PyBaMM (:mod:`.table_cache`).
    """
    return _shared_arrays(cell, thermal, h_W_per_m2K).copy()


def _shared_arrays(cell, thermal: str, h_W_per_m2K: float | None) -> KernelArrays:
    per_cell = _ARRAYS.setdefault(cell, {})
    key = (thermal, h_W_per_m2K)
    if key not in per_cell:
        base = getattr(cell, "_base", None)
        pv = _values(cell, h_W_per_m2K)
        arrays = None
        if base is not None:
            arrays = _base_tables(base, thermal, h_W_per_m2K).derive(pv, cell._changed)
        elif h_W_per_m2K is not None:  # the cell's own tables with another cooling
            arrays = _base_tables(cell, thermal, None).derive(pv, {H_KEY})
        per_cell[key] = arrays or cached_kernel_arrays(pv, dict(cell.model_options), thermal)
    return per_cell[key]


def _base_tables(cell, thermal: str, h_W_per_m2K: float | None) -> BaseTables:
    """What changed cells of ``cell`` derive their arrays from (made once per cell)."""
    per_cell = _ARRAYS.setdefault(cell, {})
    key = ("base", thermal, h_W_per_m2K)
    if key not in per_cell:
        per_cell[key] = BaseTables(_shared_arrays(cell, thermal, h_W_per_m2K),
                                   _values(cell, h_W_per_m2K), dict(cell.model_options), thermal)
    return per_cell[key]


def _values(cell, h_W_per_m2K: float | None):
    """The cell's parameter values with the cooling override, if any (read, never modified:
    without an override they are the cell's own, not a copy, which costs a millisecond)."""
    if h_W_per_m2K is None:
        own = getattr(cell, "_values", None)
        return own if own is not None else cell.parameter_values
    pv = cell.parameter_values
    pv.update({H_KEY: float(h_W_per_m2K)})
    return pv


def _steps(duration_s: float, dt_s: float) -> tuple[int, np.ndarray]:
    if not duration_s > 0 or not dt_s > 0:
        raise InputError(f"duration_s={duration_s} and dt_s={dt_s} must be positive")
    n = int(np.ceil(duration_s / dt_s - 1e-9))
    dts = np.full(n, float(dt_s))
    dts[-1] = duration_s - dt_s * (n - 1)
    return n, dts


def _rest_steps(duration_s: float, dt_max_s: float = REST_DT_MAX_S) -> np.ndarray:
    if not duration_s > 0:
        raise InputError(f"duration_s={duration_s} must be positive")
    dts = []
    t, dt = 0.0, 1.0
    while dt < dt_max_s and t < duration_s - 1e-9:
        step = min(dt, duration_s - t)
        dts.append(step)
        t += step
        dt = min(dt * REST_DT_GROWTH, dt_max_s)
    head = np.array(dts)
    remaining = duration_s - t
    if remaining <= 1e-9:
        return head
    n = int(np.ceil(remaining / dt_max_s - 1e-9))
    tail = np.full(n, dt_max_s)
    tail[-1] = remaining - dt_max_s * (n - 1)
    return np.concatenate([head, tail])


def _mode_name(mode: int) -> str:
    return {C.MODE_CURRENT: "current", C.MODE_POWER: "power",
            C.MODE_VOLTAGE: "constant-voltage"}[mode]


def _join(first: Segment, second: Segment) -> Segment:
    """Concatenate two consecutive segments (the second's time and capacity continue)."""
    t0 = first.trace.time_s[-1]
    q0 = first.trace.capacity_Ah[-1]
    a, b = first.trace, second.trace
    trace = Trace(
        time_s=np.concatenate([a.time_s, b.time_s[1:] + t0]),
        voltage_V=np.concatenate([a.voltage_V, b.voltage_V[1:]]),
        current_A=np.concatenate([a.current_A, b.current_A[1:]]),
        power_W=np.concatenate([a.power_W, b.power_W[1:]]),
        capacity_Ah=np.concatenate([a.capacity_Ah, b.capacity_Ah[1:] + q0]),
        soc=np.concatenate([a.soc, b.soc[1:]]),
        temperature_C=np.concatenate([a.temperature_C, b.temperature_C[1:]]),
    )
    return Segment(trace=trace, stop_reason=second.stop_reason,
                   stop_time_s=float(trace.time_s[-1]))
