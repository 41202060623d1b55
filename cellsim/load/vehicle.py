"""A road vehicle as a load: turns a speed trace into battery DC power.

Longitudinal model, per interval between two samples of the cycle::

    v      = mean of the two sample speeds (midpoint speed)
    a      = (v1 - v0) / dt (the mean acceleration over the interval)
    F      = A(m) + B·v + C·v² + m·f_rot·a          road load + inertia, v in km/h
    P_whl  = F·v                                    v in m/s
    P_trac = min(P_whl, P_max)
    P_batt = P_trac / η(P_trac) + P_aux                             when P_whl ≥ 0
    P_batt = -min(r(v)·|P_whl|·η(P_whl), P_regen_max) + P_aux       when P_whl < 0

with ``A(m) = c_rr·m·g`` (the constant road-load term scales with the total mass, pack included),
``η`` the one-way drivetrain efficiency (motor + inverter + gear) — a constant, or a function of
the wheel power such as :class:`EfficiencyCurve` (the default vehicle's, from FASTSim) — ``r(v)``
the share of braking power recovered (0 at low speed, ramping to ``regen_fraction_max``) and
positive power meaning battery discharge. Flat road, no wind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..validation import check_number
from .drive_cycle import DriveCycle

STANDARD_GRAVITY_M_PER_S2 = 9.80665  # CGPM 1901; ISO 80000-3

# Speeds (km/h) at which a road-load curve is checked to stay ≥ 0.
_ROAD_LOAD_CHECK_KMH = np.linspace(0.0, 250.0, 251)

# ----------------------------------------------------------------------- default vehicle inputs
# Reference cars, as modelled by NREL FASTSim (NREL/fastsim, fastsim-core/resources/vehicles/).
# Default: "2020 Chevrolet Bolt EV.yaml" @ ce25d19b3d49ca949dfab407add55e774de8e339.
_BOLT_TEST_MASS_KG = 1626.129  # FASTSim mass_kilograms (vehicle with pack, test mass)
_BOLT_DRAG_COEFFICIENT = 0.309  # FASTSim chassis.drag_coef
_BOLT_FRONTAL_AREA_M2 = 2.396898  # FASTSim chassis.frontal_area_square_meters (c_d·A 0.74 m²)
_BOLT_ROLLING_RESISTANCE = 0.007767205248456686  # FASTSim chassis.wheel_rr_coef
_BOLT_MOTOR_POWER_W = 149_139.974  # FASTSim em.pwr_out_max_watts (motor output)
# FASTSim em.eff_interp_achieved (motor + inverter efficiency against motor output power as a
# fraction of em.pwr_out_max_watts; strategy "Linear") and transmission.eff_interp (gear).
_BOLT_EM_POWER_FRACTION = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
_BOLT_EM_EFFICIENCY = (
    0.8736113907685258,
    0.894336709838892,
    0.9150620289092581,
    0.9357873479796243,
    0.9461500075148074,
    0.9565126670499905,
    0.9772379861203567,
    0.9876006456555396,
    0.9876006456555396,
    0.9772379861203567,
    0.9668753265851735,
)
_BOLT_GEAR_EFFICIENCY = 0.98
# Manufacturer figure: the Bolt EV battery pack weighs 960 lb (435 kg), per GM's Bolt EV
# specifications released at the 2016 North American International Auto Show (model year 2017;
# reported e.g. by The Detroit News, 2016-01-10). [check] that it holds for the 2020 pack
# (66 kWh, same footprint). It is removed from the FASTSim test mass: glider 1191.1 kg.
_BOLT_PACK_MASS_KG = 435.0
# Alternative: "2022 Tesla Model 3 RWD thrml.yaml" @ 31b8d6bc, same directory.
_M3_TEST_MASS_KG = 1752.0  # FASTSim mass_kilograms (vehicle with pack, test mass)
_M3_DRAG_COEFFICIENT = 0.23  # FASTSim chassis.drag_coef
_M3_FRONTAL_AREA_M2 = 2.22  # FASTSim chassis.frontal_area_square_meters (c_d·A 0.51 m²)
_M3_ROLLING_RESISTANCE = 0.007  # FASTSim chassis.wheel_rr_coef
_M3_MOTOR_POWER_W = 239_000.0  # FASTSim em.pwr_out_max_watts (motor output)
# FASTSim em.eff_interp_achieved, interpolation strategy "LeftNearest" (each value holds from its
# grid point up to the next), and transmission.eff_interp (gear).
_M3_EM_POWER_FRACTION = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
_M3_EM_EFFICIENCY = (0.84, 0.86, 0.88, 0.9, 0.91, 0.92, 0.94, 0.95, 0.95, 0.94, 0.93)
_M3_GEAR_EFFICIENCY = 0.98
# Assumption (not a published figure): pack mass of the Model 3 RWD. It is removed from the
# FASTSim test mass, so a 450 kg pack gives back the 1752 kg test mass.
_M3_ASSUMED_PACK_MASS_KG = 450.0
_AUX_BASE_W = 250.0  # FASTSim pwr_aux_base_watts (both files)
# Constant one-way efficiency for vehicles built without a curve: the default car's curve times
# its gear, weighted by its traction energy on UDDS, HWFET, WLTC 3b and US06 with its 435 kg
# pack (0.92-0.95; 0.93 over the four; see Vehicle.drivetrain_efficiency_at).
_DEFAULT_DRIVETRAIN_EFFICIENCY = 0.93
# Assumption (not a published figure): wheels alone give 1.019 from the Bolt's FASTSim wheel
# inertia (4 x 0.815 kg m² / (0.3234 m)² / 1626 kg; Model 3: 1.017); the motor rotor and gears
# add to it.
_DEFAULT_ROTATING_MASS_FACTOR = 1.03
_DEFAULT_REGEN_FRACTION_MAX = 0.9  # rest of the braking goes to friction brakes (blending)
_DEFAULT_REGEN_MIN_SPEED_KMH = 5.0
_DEFAULT_REGEN_FULL_SPEED_KMH = 20.0
_DEFAULT_REGEN_POWER_CAP_W = 60_000.0

# Default climate-control (HVAC) power against ambient temperature, W (piecewise linear, flat
# outside the points). Comfort band 15-25 °C needs no HVAC; heating reaches 1.5 kW at -7 °C and
# cooling 1.0 kW at 35 °C. These are engineering assumptions of the order of magnitude reported
# for BEVs tested at -7 °C (20 °F) and 35 °C (95 °F) by Lohse-Busch et al., SAE Technical Paper
# 2013-01-1462, doi:10.4271/2013-01-1462; the points are not read from that paper. The curve
# is capped by FASTSim's 5 kW HVAC auxiliary limit (pwr_aux_for_hvac_cab_max_watts,
# both files).
_HVAC_AMBIENT_C = np.array([-30.0, -7.0, 15.0, 25.0, 35.0, 45.0])
_HVAC_POWER_W = np.array([3_100.0, 1_500.0, 0.0, 0.0, 1_000.0, 2_000.0])
_HVAC_MAX_POWER_W = 5_000.0


def default_auxiliary_power_W(ambient_C: float) -> float:
    """Auxiliary load of the default vehicle: 250 W base plus HVAC, W.

    See the module constants for the HVAC curve and its sources.
    """
    hvac_W = min(float(np.interp(ambient_C, _HVAC_AMBIENT_C, _HVAC_POWER_W)), _HVAC_MAX_POWER_W)
    return _AUX_BASE_W + hvac_W


@dataclass(frozen=True)
class EfficiencyCurve:
    """One-way drivetrain efficiency that depends on the load, usable as ``drivetrain_efficiency``.

    ``η = gear_efficiency · η_m(P_m / rated_power_W)``, where ``η_m`` is the motor + inverter
    efficiency tabulated against motor power as a fraction of ``rated_power_W`` and ``P_m`` is
    the motor's mechanical power: ``P_whl / gear_efficiency`` in traction, ``|P_whl|·
    gear_efficiency`` while braking (the gear sits between motor and wheels both ways). Above
    the last fraction the last efficiency holds.

    Attributes
    ----------
    power_fraction
        Motor power over ``rated_power_W`` at the table points: starts at 0, strictly rising.
    motor_efficiency
        Motor + inverter efficiency at those points, each in (0, 1].
    rated_power_W
        Power the fractions refer to, W (FASTSim: ``em.pwr_out_max_watts``).
    gear_efficiency
        Efficiency of the gear between motor and wheels, in (0, 1].
    interpolation
        ``"step"``: each value holds from its point up to the next (FASTSim's ``LeftNearest``);
        ``"linear"``: linear between points.
    """

    power_fraction: tuple[float, ...]
    motor_efficiency: tuple[float, ...]
    rated_power_W: float
    gear_efficiency: float = 1.0
    interpolation: str = "step"

    def __post_init__(self) -> None:
        fraction = self._table("power_fraction", self.power_fraction, low=0.0)
        efficiency = self._table(
            "motor_efficiency", self.motor_efficiency, low=0.0, high=1.0, low_inclusive=False
        )
        if len(fraction) != len(efficiency):
            raise InputError(
                f"EfficiencyCurve.motor_efficiency has {len(efficiency)} values but "
                f"power_fraction has {len(fraction)}; allowed: one efficiency per fraction"
            )
        if fraction[0] != 0.0 or any(b <= a for a, b in zip(fraction, fraction[1:])):
            raise InputError(
                f"EfficiencyCurve.power_fraction={self.power_fraction!r} must start at 0 and "
                "rise strictly; allowed: 0 = f0 < f1 < ..."
            )
        if self.interpolation not in ("step", "linear"):
            raise InputError(
                f"EfficiencyCurve.interpolation={self.interpolation!r}; allowed: 'step', 'linear'"
            )
        object.__setattr__(self, "power_fraction", fraction)
        object.__setattr__(self, "motor_efficiency", efficiency)
        object.__setattr__(
            self,
            "rated_power_W",
            check_number(
                "EfficiencyCurve.rated_power_W", self.rated_power_W, low=0.0, low_inclusive=False
            ),
        )
        object.__setattr__(
            self,
            "gear_efficiency",
            check_number(
                "EfficiencyCurve.gear_efficiency",
                self.gear_efficiency,
                low=0.0,
                high=1.0,
                low_inclusive=False,
            ),
        )

    @staticmethod
    def _table(name: str, values: object, **bounds: float | bool) -> tuple[float, ...]:
        try:
            items = list(values)  # type: ignore[call-overload]
        except TypeError:
            raise InputError(
                f"EfficiencyCurve.{name}={values!r} is not a sequence; allowed: numbers"
            ) from None
        if not items:
            raise InputError(f"EfficiencyCurve.{name} is empty; allowed: at least one number")
        return tuple(
            check_number(f"EfficiencyCurve.{name}[{i}]", v, **bounds) for i, v in enumerate(items)
        )

    def __call__(self, wheel_power_W: np.ndarray | float) -> np.ndarray:
        """Efficiency at wheel powers in W (negative while braking), same shape."""
        wheel_W = np.asarray(wheel_power_W, dtype=float)
        gear = self.gear_efficiency
        motor_W = np.where(wheel_W >= 0, wheel_W / gear, -wheel_W * gear)
        fraction = motor_W / self.rated_power_W
        grid = np.asarray(self.power_fraction)
        values = np.asarray(self.motor_efficiency)
        if self.interpolation == "step":
            motor_eff = values[np.searchsorted(grid, fraction, side="right") - 1]
        else:
            motor_eff = np.interp(fraction, grid, values)
        return gear * motor_eff


# FASTSim drivetrains of the reference cars (see the module constants for the sources).
BOLT_EFFICIENCY_CURVE = EfficiencyCurve(
    power_fraction=_BOLT_EM_POWER_FRACTION,
    motor_efficiency=_BOLT_EM_EFFICIENCY,
    rated_power_W=_BOLT_MOTOR_POWER_W,
    gear_efficiency=_BOLT_GEAR_EFFICIENCY,
    interpolation="linear",
)
M3_EFFICIENCY_CURVE = EfficiencyCurve(
    power_fraction=_M3_EM_POWER_FRACTION,
    motor_efficiency=_M3_EM_EFFICIENCY,
    rated_power_W=_M3_MOTOR_POWER_W,
    gear_efficiency=_M3_GEAR_EFFICIENCY,
)


@dataclass(frozen=True)
class _ReferenceCar:
    """FASTSim road load and drivetrain of a named reference car, with its pack mass."""

    label: str
    test_mass_kg: float
    pack_mass_kg: float
    drag_coefficient: float
    frontal_area_m2: float
    rolling_resistance: float
    efficiency: EfficiencyCurve


_REFERENCE_CARS = {
    "bolt_ev_2020": _ReferenceCar(
        "compact/mid-size EV crossover (road load of the 2020 Chevrolet Bolt EV, FASTSim)",
        _BOLT_TEST_MASS_KG,
        _BOLT_PACK_MASS_KG,
        _BOLT_DRAG_COEFFICIENT,
        _BOLT_FRONTAL_AREA_M2,
        _BOLT_ROLLING_RESISTANCE,
        BOLT_EFFICIENCY_CURVE,
    ),
    "model3_rwd_2022": _ReferenceCar(
        "mid-size EV sedan (road load of the 2022 Tesla Model 3 RWD, FASTSim)",
        _M3_TEST_MASS_KG,
        _M3_ASSUMED_PACK_MASS_KG,
        _M3_DRAG_COEFFICIENT,
        _M3_FRONTAL_AREA_M2,
        _M3_ROLLING_RESISTANCE,
        M3_EFFICIENCY_CURVE,
    ),
}
# The FASTSim masses are close to the cars' curb masses (Bolt EV: GM lists 1616 kg [check]);
# range tests drive at the US EPA loaded vehicle weight, curb mass plus 300 lb of driver and
# payload (40 CFR 86.1803-01, "Loaded vehicle weight").
LOADED_VEHICLE_PAYLOAD_KG = 300 * 0.45359237

DEFAULT_VEHICLE = "bolt_ev_2020"
"""Name of the reference car :meth:`Vehicle.default` returns (see :meth:`Vehicle.named`)."""


@dataclass(frozen=True)
class PowerDemand:
    """What a vehicle asks of its battery over a drive cycle, one value per cycle interval.

    Interval ``i`` runs from ``time_s[i]`` for ``duration_s[i]`` seconds; every power is held
    constant over it. Positive battery power is discharge.
    """

    time_s: np.ndarray
    duration_s: np.ndarray
    speed_kmh: np.ndarray
    """Midpoint speed of each interval."""
    wheel_power_W: np.ndarray
    """Power the trace asks of the wheels (negative while braking), before any limit."""
    battery_power_W: np.ndarray
    regen_power_W: np.ndarray
    """Power returned to the battery by regenerative braking (≥ 0), before auxiliaries."""
    auxiliary_power_W: float
    traction_limited: np.ndarray
    """True where the trace asks more than ``max_traction_power_W`` (the car misses the trace)."""
    regen_power_cap_W: float

    @property
    def battery_energy_Wh(self) -> float:
        """Net energy drawn from the battery over the cycle, Wh."""
        return float(np.dot(self.battery_power_W, self.duration_s)) / 3600.0

    @property
    def regen_energy_Wh(self) -> float:
        """Energy returned by regenerative braking, Wh (≥ 0)."""
        return float(np.dot(self.regen_power_W, self.duration_s)) / 3600.0

    @property
    def trace_miss_s(self) -> float:
        """Time during which the vehicle could not deliver the trace's power, s."""
        return float(self.duration_s[self.traction_limited].sum())


@dataclass(frozen=True)
class Vehicle:
    """A vehicle without its battery pack, seen as a load on the pack.

    Build one with :meth:`from_road_load`, :meth:`from_physical`, :meth:`named` or
    :meth:`default`; the module docstring gives the equations.

    Attributes
    ----------
    name
        Label used in results.
    mass_without_battery_kg
        Test mass (vehicle, driver and payload) without the battery pack, kg; the pack mass is
        added per call of :meth:`battery_power_W`.
    rolling_resistance
        Constant road-load term per unit weight, ``A = rolling_resistance·m·g`` (-).
    road_load_B_N_per_kmh, road_load_C_N_per_kmh2
        Linear and quadratic road-load terms, N/(km/h) and N/(km/h)².
    rotating_mass_factor
        Effective inertial mass over mass (wheels, rotor, gears), in [1, 1.5].
    drivetrain_efficiency
        One-way motor + inverter + gear efficiency, used both ways: a constant in (0, 1], or a
        vectorised function of the wheel power in W (negative while braking) returning values
        in (0, 1], such as :class:`EfficiencyCurve`. See :meth:`drivetrain_efficiency_at`.
    max_traction_power_W
        Largest power the drivetrain delivers to the wheels, W.
    regen_fraction_max
        Share of braking power recovered at and above ``regen_full_speed_kmh``, in [0, 1].
    regen_min_speed_kmh, regen_full_speed_kmh
        Below the first no regeneration; the share ramps linearly up to the second.
    regen_power_cap_W
        Largest power returned to the battery, W.
    auxiliary_power_W
        Auxiliary load in W: a constant or a function of ambient temperature in °C.
    """

    name: str
    mass_without_battery_kg: float
    rolling_resistance: float
    road_load_B_N_per_kmh: float
    road_load_C_N_per_kmh2: float
    rotating_mass_factor: float = _DEFAULT_ROTATING_MASS_FACTOR
    drivetrain_efficiency: float | Callable[[np.ndarray], np.ndarray] = (
        _DEFAULT_DRIVETRAIN_EFFICIENCY
    )
    max_traction_power_W: float = _BOLT_MOTOR_POWER_W * _BOLT_GEAR_EFFICIENCY
    regen_fraction_max: float = _DEFAULT_REGEN_FRACTION_MAX
    regen_min_speed_kmh: float = _DEFAULT_REGEN_MIN_SPEED_KMH
    regen_full_speed_kmh: float = _DEFAULT_REGEN_FULL_SPEED_KMH
    regen_power_cap_W: float = _DEFAULT_REGEN_POWER_CAP_W
    auxiliary_power_W: float | Callable[[float], float] = field(
        default=default_auxiliary_power_W, repr=False
    )

    def __post_init__(self) -> None:
        limits: dict[str, dict[str, float | bool]] = {
            "mass_without_battery_kg": {"low": 0.0, "low_inclusive": False},
            "rolling_resistance": {"low": 0.0, "high": 0.1},
            "road_load_B_N_per_kmh": {},
            "road_load_C_N_per_kmh2": {"low": 0.0},
            "rotating_mass_factor": {"low": 1.0, "high": 1.5},
            "max_traction_power_W": {"low": 0.0, "low_inclusive": False},
            "regen_fraction_max": {"low": 0.0, "high": 1.0},
            "regen_min_speed_kmh": {"low": 0.0},
            "regen_full_speed_kmh": {"low": 0.0},
            "regen_power_cap_W": {"low": 0.0},
        }
        for name, bounds in limits.items():
            object.__setattr__(self, name, check_number(name, getattr(self, name), **bounds))
        if self.regen_full_speed_kmh <= self.regen_min_speed_kmh:
            raise InputError(
                f"regen_full_speed_kmh={self.regen_full_speed_kmh!r} is not above "
                f"regen_min_speed_kmh={self.regen_min_speed_kmh!r}; allowed: a larger value"
            )
        if callable(self.drivetrain_efficiency):
            # Probe the curve over the whole working range, both ways.
            self.drivetrain_efficiency_at(
                np.linspace(-self.max_traction_power_W, self.max_traction_power_W, 2001)
            )
        else:
            object.__setattr__(
                self,
                "drivetrain_efficiency",
                check_number(
                    "drivetrain_efficiency",
                    self.drivetrain_efficiency,
                    low=0.0,
                    high=1.0,
                    low_inclusive=False,
                ),
            )
        if not callable(self.auxiliary_power_W):
            object.__setattr__(
                self,
                "auxiliary_power_W",
                check_number("auxiliary_power_W", self.auxiliary_power_W, low=0.0),
            )
        road_load_N = self._road_load_N(_ROAD_LOAD_CHECK_KMH, self.mass_without_battery_kg)
        if road_load_N.min() < 0:
            v = _ROAD_LOAD_CHECK_KMH[road_load_N.argmin()]
            raise InputError(
                f"road_load_B_N_per_kmh={self.road_load_B_N_per_kmh!r} makes the road load "
                f"negative ({road_load_N.min():.1f} N at {v:g} km/h); allowed: coefficients "
                "giving a road load ≥ 0 from 0 to 250 km/h"
            )

    # ----------------------------------------------------------------------------- construction

    @classmethod
    def from_road_load(
        cls,
        A_N: float,
        B_N_per_kmh: float,
        C_N_per_kmh2: float,
        test_mass_kg: float,
        *,
        battery_mass_in_test_kg: float = 0.0,
        name: str = "vehicle",
        **kwargs: object,
    ) -> Vehicle:
        """Build a vehicle from coast-down target coefficients, ``F = A + B·v + C·v²``.

        This is the EPA Test Car List convention with SI units: the list gives A in lbf,
        B in lbf/mph and C in lbf/mph²; multiply by 4.4482216152605 N/lbf (exact) and divide
        B by 1.609344 and C by 1.609344² (km/h per mph, exact) to get the units used here.

        Parameters
        ----------
        A_N, B_N_per_kmh, C_N_per_kmh2
            Target coefficients, N, N/(km/h), N/(km/h)². B may be negative as long as the
            road load stays ≥ 0.
        test_mass_kg
            Test mass the coefficients were measured at, kg (A is scaled with mass from it).
        battery_mass_in_test_kg
            Mass of the battery pack included in ``test_mass_kg``, kg.
        name
            Label of the vehicle.
        **kwargs
            Other :class:`Vehicle` fields (efficiency, regeneration, auxiliaries, ...).

        Raises
        ------
        InputError
            Naming the field, if a value is out of range.
        """
        mass_kg = check_number("test_mass_kg", test_mass_kg, low=0.0, low_inclusive=False)
        pack_kg = check_number(
            "battery_mass_in_test_kg",
            battery_mass_in_test_kg,
            low=0.0,
            high=mass_kg,
            high_inclusive=False,
        )
        force_N = check_number("A_N", A_N, low=0.0)
        return cls(
            name=name,
            mass_without_battery_kg=mass_kg - pack_kg,
            rolling_resistance=force_N / (mass_kg * STANDARD_GRAVITY_M_PER_S2),
            road_load_B_N_per_kmh=check_number("B_N_per_kmh", B_N_per_kmh),
            road_load_C_N_per_kmh2=check_number("C_N_per_kmh2", C_N_per_kmh2, low=0.0),
            **kwargs,  # type: ignore[arg-type]
        )

    @classmethod
    def from_physical(
        cls,
        mass_without_battery_kg: float,
        drag_coefficient: float,
        frontal_area_m2: float,
        rolling_resistance: float,
        air_density_kg_per_m3: float = 1.2,
        *,
        name: str = "vehicle",
        **kwargs: object,
    ) -> Vehicle:
        """Build a vehicle from its mass, drag area and tyre rolling resistance.

        ``C = ½·ρ·c_d·A_f / 3.6²`` (N/(km/h)²), ``B = 0``. The default air density is dry air at
        about 20 °C and 101.325 kPa (ideal gas: 1.204 kg/m³).

        Parameters
        ----------
        mass_without_battery_kg
            Test mass without the battery pack, kg.
        drag_coefficient, frontal_area_m2
            Aerodynamic drag coefficient (-) and frontal area, m².
        rolling_resistance
            Tyre rolling-resistance coefficient (-).
        air_density_kg_per_m3
            Air density, kg/m³.
        name
            Label of the vehicle.
        **kwargs
            Other :class:`Vehicle` fields.

        Raises
        ------
        InputError
            Naming the field, if a value is out of range.
        """
        drag = check_number("drag_coefficient", drag_coefficient, low=0.0, high=2.0)
        area_m2 = check_number("frontal_area_m2", frontal_area_m2, low=0.0, low_inclusive=False)
        rho = check_number(
            "air_density_kg_per_m3", air_density_kg_per_m3, low=0.0, low_inclusive=False
        )
        return cls(
            name=name,
            mass_without_battery_kg=mass_without_battery_kg,
            rolling_resistance=rolling_resistance,
            road_load_B_N_per_kmh=0.0,
            road_load_C_N_per_kmh2=0.5 * rho * drag * area_m2 / 3.6**2,
            **kwargs,  # type: ignore[arg-type]
        )

    @classmethod
    def named(cls, name: str) -> Vehicle:
        """A reference car without its pack: ``"bolt_ev_2020"`` (default) or ``"model3_rwd_2022"``.

        Drag, frontal area, rolling resistance, test mass, motor power and the load-dependent
        drivetrain efficiency (motor + inverter against output power, times a 0.98 gear) are NREL
        FASTSim's model of the car; the traction limit is the motor's rated output through the
        gear. The mass without battery is FASTSim's mass minus the pack (the Bolt EV's published
        435 kg, or an assumed 450 kg for the Model 3) plus the EPA loaded-vehicle payload of
        300 lb (136 kg). Rotating-mass factor 1.03, regeneration
        (90 % above 20 km/h, none below 5 km/h, at most 60 kW) and the HVAC curve on top of
        FASTSim's 250 W base load are documented assumptions; see the module constants.

        Raises
        ------
        InputError
            Naming ``name`` if it is not a reference car.
        """
        car = _REFERENCE_CARS.get(name) if isinstance(name, str) else None
        if car is None:
            raise InputError(
                f"name={name!r} is not a reference vehicle; allowed: "
                + ", ".join(repr(key) for key in _REFERENCE_CARS)
            )
        curve = car.efficiency
        return cls.from_physical(
            mass_without_battery_kg=car.test_mass_kg - car.pack_mass_kg + LOADED_VEHICLE_PAYLOAD_KG,
            drag_coefficient=car.drag_coefficient,
            frontal_area_m2=car.frontal_area_m2,
            rolling_resistance=car.rolling_resistance,
            drivetrain_efficiency=curve,
            max_traction_power_W=curve.rated_power_W * curve.gear_efficiency,
            name=car.label,
        )

    @classmethod
    def default(cls) -> Vehicle:
        """A compact/mid-size EV crossover without its pack: :meth:`named` ``(DEFAULT_VEHICLE)``.

        Road load and drivetrain of the 2020 Chevrolet Bolt EV as modelled by NREL FASTSim
        (c_d·A 0.74 m², typical of today's mid-size EV crossovers; :data:`BOLT_EFFICIENCY_CURVE`),
        1327 kg without pack (FASTSim's 1626 kg minus GM's 435 kg pack, plus the EPA 136 kg
        loaded-vehicle payload). For the lower-drag
        sedan of the 2022 Tesla Model 3 RWD use ``Vehicle.named("model3_rwd_2022")``.
        """
        return cls.named(DEFAULT_VEHICLE)

    # -------------------------------------------------------------------------------- physics

    def auxiliary_load_W(self, ambient_C: float = 25.0) -> float:
        """Auxiliary load at an ambient temperature, W.

        Raises
        ------
        InputError
            If ``ambient_C`` is outside [-60, 70] °C or the auxiliary function returns a
            negative or non-finite power.
        """
        ambient = check_number("ambient_C", ambient_C, low=-60.0, high=70.0)
        if callable(self.auxiliary_power_W):
            return check_number(
                f"auxiliary_power_W(ambient_C={ambient:g})",
                self.auxiliary_power_W(ambient),
                low=0.0,
            )
        return float(self.auxiliary_power_W)

    def drivetrain_efficiency_at(self, wheel_power_W: np.ndarray | float) -> np.ndarray:
        """One-way drivetrain efficiency at wheel powers in W (negative while braking).

        Raises
        ------
        InputError
            Naming ``drivetrain_efficiency`` if a function gives a value outside (0, 1], a
            non-finite value or an array of the wrong shape.
        """
        wheel_W = np.asarray(wheel_power_W, dtype=float)
        if not callable(self.drivetrain_efficiency):
            return np.full(wheel_W.shape, float(self.drivetrain_efficiency))
        try:
            efficiency = np.asarray(self.drivetrain_efficiency(wheel_W), dtype=float)
        except (TypeError, ValueError) as error:
            raise InputError(
                f"drivetrain_efficiency={self.drivetrain_efficiency!r} failed on an array of "
                f"wheel powers ({error}); allowed: a vectorised function returning values in (0, 1]"
            ) from None
        if efficiency.shape != wheel_W.shape:
            raise InputError(
                f"drivetrain_efficiency={self.drivetrain_efficiency!r} returned shape "
                f"{efficiency.shape} for wheel powers of shape {wheel_W.shape}; allowed: the same "
                "shape"
            )
        bad = ~(np.isfinite(efficiency) & (efficiency > 0.0) & (efficiency <= 1.0))
        if bad.any():
            i = np.flatnonzero(bad)[0]
            raise InputError(
                f"drivetrain_efficiency={self.drivetrain_efficiency!r} gives "
                f"{efficiency.flat[i]!r} at {wheel_W.flat[i]:g} W; allowed: (0, 1]"
            )
        return efficiency

    def regen_fraction(self, speed_kmh: np.ndarray | float) -> np.ndarray:
        """Share of braking power recovered at a speed (0 below ``regen_min_speed_kmh``)."""
        return np.interp(
            speed_kmh,
            [self.regen_min_speed_kmh, self.regen_full_speed_kmh],
            [0.0, self.regen_fraction_max],
        )

    def power_demand(
        self, cycle: DriveCycle, *, battery_mass_kg: float = 0.0, ambient_C: float = 25.0
    ) -> PowerDemand:
        """Battery power and its parts over each interval of a drive cycle.

        Uses the midpoint speed and the mean acceleration of each interval (see the module
        docstring). Where the trace asks more than ``max_traction_power_W`` at the wheels, the
        power is capped and ``traction_limited`` is set; the speed trace itself is not altered.

        Parameters
        ----------
        cycle
            The speed trace; for one value per second, give a 1 s cycle (see
            :meth:`DriveCycle.resample`). Every shipped cycle is 1 s.
        battery_mass_kg
            Mass of the battery pack carried, kg, added to ``mass_without_battery_kg``.
        ambient_C
            Ambient temperature, °C, for the auxiliary load.
        """
        pack_kg = check_number("battery_mass_kg", battery_mass_kg, low=0.0)
        auxiliary_W = self.auxiliary_load_W(ambient_C)
        mass_kg = self.mass_without_battery_kg + pack_kg
        dt_s = np.diff(cycle.time_s)
        speed_kmh = 0.5 * (cycle.speed_kmh[1:] + cycle.speed_kmh[:-1])
        force_N = (
            self._road_load_N(speed_kmh, mass_kg)
            + mass_kg * self.rotating_mass_factor * cycle.acceleration_m_per_s2
        )
        wheel_W = force_N * speed_kmh / 3.6
        traction_W = np.clip(wheel_W, 0.0, self.max_traction_power_W)
        braking_W = np.clip(-wheel_W, 0.0, None)
        # Traction at the power the wheels actually get (capped), braking at the full demand.
        efficiency = self.drivetrain_efficiency_at(np.where(wheel_W >= 0, traction_W, wheel_W))
        regen_W = np.minimum(
            self.regen_fraction(speed_kmh) * braking_W * efficiency, self.regen_power_cap_W
        )
        battery_W = traction_W / efficiency - regen_W + auxiliary_W
        return PowerDemand(
            time_s=cycle.time_s[:-1],
            duration_s=dt_s,
            speed_kmh=speed_kmh,
            wheel_power_W=wheel_W,
            battery_power_W=battery_W,
            regen_power_W=regen_W,
            auxiliary_power_W=auxiliary_W,
            traction_limited=wheel_W > self.max_traction_power_W,
            regen_power_cap_W=self.regen_power_cap_W,
        )

    def battery_power_W(
        self, cycle: DriveCycle, *, battery_mass_kg: float = 0.0, ambient_C: float = 25.0
    ) -> np.ndarray:
        """Battery DC power over each interval of ``cycle``, W (positive = discharge).

        One value per interval (per second for a 1 s cycle), length ``len(cycle.time_s) - 1``.
        See :meth:`power_demand` for the parts and the trace-miss flag.
        """
        return self.power_demand(
            cycle, battery_mass_kg=battery_mass_kg, ambient_C=ambient_C
        ).battery_power_W

    def _road_load_N(self, speed_kmh: np.ndarray, mass_kg: float) -> np.ndarray:
        """Road load ``A(m) + B·v + C·v²`` at speeds in km/h, N (A only applies when moving)."""
        rolling_N = self.rolling_resistance * mass_kg * STANDARD_GRAVITY_M_PER_S2
        return (
            np.where(speed_kmh > 0, rolling_N, 0.0)
            + self.road_load_B_N_per_kmh * speed_kmh
            + self.road_load_C_N_per_kmh2 * speed_kmh**2
        )
