"""How a car is used day to day: distance, drive cycle, charging habits."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..validation import check_number
from .drive_cycle import DriveCycle


@dataclass(frozen=True)
class Usage:
    """Daily use of a vehicle.

    Parameters
    ----------
    daily_km
        Distance driven per day (≥ 0; 0 is a parked car: calendar ageing only).
    cycle
        Drive cycle the daily distance is made of (name or :class:`DriveCycle`).
    charge_to_soc
        Target SOC of the daily charge, in (0, 1].
    charger_kW
        AC charger power at the wall side of the pack (> 0).
    dc_fast_kW
        DC fast-charger power used on fast-charge days (> 0).
    dc_fast_per_week
        How many of the week's charges are DC fast charges (0–7).
    departure_hour, arrival_hour
        When the car leaves in the morning and comes back (charging starts on arrival); the car
        is parked in between and overnight.
    """

    daily_km: float = 40.0
    cycle: str | DriveCycle = "wltc_class3b"
    charge_to_soc: float = 0.9
    charger_kW: float = 7.4
    dc_fast_kW: float = 150.0
    dc_fast_per_week: float = 0.0
    departure_hour: float = 8.0
    arrival_hour: float = 18.0

    def __post_init__(self) -> None:
        check_number("daily_km", self.daily_km, low=0, high=2000)
        check_number("charge_to_soc", self.charge_to_soc, low=0, high=1, low_inclusive=False)
        check_number("charger_kW", self.charger_kW, low=0, high=1000, low_inclusive=False)
        check_number("dc_fast_kW", self.dc_fast_kW, low=0, high=1000, low_inclusive=False)
        check_number("dc_fast_per_week", self.dc_fast_per_week, low=0, high=7)
        check_number("departure_hour", self.departure_hour, low=0, high=24, high_inclusive=False)
        check_number("arrival_hour", self.arrival_hour, low=0, high=24, high_inclusive=False)
        if self.arrival_hour <= self.departure_hour:
            raise InputError(
                f"arrival_hour={self.arrival_hour} must be after departure_hour={self.departure_hour}"
            )
        cycle = DriveCycle.standard(self.cycle) if isinstance(self.cycle, str) else self.cycle
        object.__setattr__(self, "cycle", cycle)
