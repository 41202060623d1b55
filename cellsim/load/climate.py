"""Ambient temperature over a year: constant, seasonal (sinusoids) or hourly from a CSV."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..validation import check_number

TEMPERATURE_RANGE_C = (-40.0, 60.0)
HOURS_PER_YEAR = 8760
COLDEST_DAY_OF_YEAR = 20  # ~20 January, northern mid-latitudes (climate-normal minimum)
WARMEST_HOUR_OF_DAY = 15  # mid-afternoon daily maximum


@dataclass(frozen=True)
class Climate:
    """Hourly ambient temperature over one year, repeated for every year of a study.

    Build one with :meth:`constant`, :meth:`seasonal` or :meth:`from_csv`.
    """

    hourly_C: np.ndarray
    name: str

    def __post_init__(self) -> None:
        hourly = np.asarray(self.hourly_C, dtype=float)
        if hourly.ndim != 1 or len(hourly) == 0:
            raise InputError("Climate.hourly_C must be a non-empty 1-D array")
        bad = np.flatnonzero(~np.isfinite(hourly) | (hourly < TEMPERATURE_RANGE_C[0])
                             | (hourly > TEMPERATURE_RANGE_C[1]))
        if bad.size:
            raise InputError(
                f"Climate temperature_C={hourly[bad[0]]!r} at hour {bad[0]} is outside the "
                f"allowed range [{TEMPERATURE_RANGE_C[0]:g}, {TEMPERATURE_RANGE_C[1]:g}] °C"
            )
        object.__setattr__(self, "hourly_C", hourly)

    @classmethod
    def constant(cls, temperature_C: float) -> Climate:
        """The same temperature all year."""
        value = check_number("temperature_C", temperature_C, low=TEMPERATURE_RANGE_C[0],
                             high=TEMPERATURE_RANGE_C[1])
        return cls(np.full(HOURS_PER_YEAR, value), f"constant {value:g} °C")

    @classmethod
    def seasonal(cls, mean_C: float, amplitude_C: float, daily_swing_C: float = 0.0) -> Climate:
        """Annual sinusoid (coldest around 20 January) plus a daily one (warmest at 15:00).

        Parameters
        ----------
        mean_C
            Annual mean temperature.
        amplitude_C
            Half the difference between the warmest and coldest daily means.
        daily_swing_C
            Difference between the daily maximum and minimum.
        """
        mean_C = check_number("mean_C", mean_C, low=TEMPERATURE_RANGE_C[0], high=TEMPERATURE_RANGE_C[1])
        amplitude_C = check_number("amplitude_C", amplitude_C, low=0, high=50)
        daily_swing_C = check_number("daily_swing_C", daily_swing_C, low=0, high=40)
        hours = np.arange(HOURS_PER_YEAR)
        day = hours / 24
        annual = -amplitude_C * np.cos(2 * math.pi * (day - COLDEST_DAY_OF_YEAR) / 365)
        daily = 0.5 * daily_swing_C * np.cos(2 * math.pi * (hours % 24 - WARMEST_HOUR_OF_DAY) / 24)
        name = f"seasonal {mean_C:g} ± {amplitude_C:g} °C, daily swing {daily_swing_C:g} °C"
        return cls(mean_C + annual + daily, name)

    @classmethod
    def from_csv(cls, path: str | Path, column: str = "temperature_C") -> Climate:
        """Hourly temperatures from a CSV with a ``temperature_C`` column (one row per hour).

        Raises
        ------
        InputError
            Naming the file, row and column, for a missing column, a non-numeric value or a
            temperature outside −40…60 °C.
        """
        path = Path(path)
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames is None or column not in reader.fieldnames:
                    raise InputError(f"{path}: column '{column}' missing; found {reader.fieldnames}")
                values = []
                for row_number, row in enumerate(reader, start=2):
                    text = row[column]
                    try:
                        value = float(text)
                    except (TypeError, ValueError):
                        raise InputError(f"{path}: row {row_number}, column '{column}': "
                                         f"{text!r} is not a number") from None
                    if not (math.isfinite(value)
                            and TEMPERATURE_RANGE_C[0] <= value <= TEMPERATURE_RANGE_C[1]):
                        raise InputError(
                            f"{path}: row {row_number}, column '{column}': {value!r} °C outside "
                            f"the allowed range [{TEMPERATURE_RANGE_C[0]:g}, {TEMPERATURE_RANGE_C[1]:g}]"
                        )
                    values.append(value)
        except FileNotFoundError:
            raise InputError(f"{path}: no such climate file") from None
        if not values:
            raise InputError(f"{path}: no rows of data")
        return cls(np.asarray(values), path.stem)

    def temperature_C(self, hour_of_year: float | np.ndarray) -> np.ndarray:
        """Temperature at hours since 1 January 00:00 (wrapping around every year)."""
        hours = np.asarray(hour_of_year, dtype=float) % len(self.hourly_C)
        return np.interp(hours, np.arange(len(self.hourly_C)), self.hourly_C, period=len(self.hourly_C))

    @property
    def mean_C(self) -> float:
        """Annual mean temperature."""
        return float(self.hourly_C.mean())
