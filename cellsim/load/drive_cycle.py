"""Vehicle drive cycles: speed against time, read from CSV or shipped with cellsim.

The shipped cycles (UDDS, HWFET, US06, FTP-75, WLTC Class 3b, NEDC) live in
``cellsim/data/drive_cycles/``; their ``README.md`` gives the provenance of every file and
``checksums.txt`` their SHA-256.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import DriveCycleError, InputError
from ..validation import check_number
from ._checks import check_count

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SpeedUnit = Literal["km/h", "m/s", "mph"]
TimeUnit = Literal["s", "min"]

_DATA_PACKAGE = "cellsim.data.drive_cycles"

# km/h per unit. 1 mi = 1609.344 m exactly (international yard and pound agreement, 1959).
_KMH_PER_SPEED_UNIT: dict[str, float] = {"km/h": 1.0, "m/s": 3.6, "mph": 1.609344}
_S_PER_TIME_UNIT: dict[str, float] = {"s": 1.0, "min": 60.0}

# Speeds closer than this are "the same" where two cycles are joined.
_JOIN_TOLERANCE_KMH = 1e-9


@dataclass(frozen=True, eq=False)
class DriveCycle:
    """A speed trace: vehicle speed at strictly increasing times.

    Immutable: the arrays are read-only copies of what was passed in.

    Parameters
    ----------
    time_s
        Sample times in s, strictly increasing (need not start at 0 or be evenly spaced).
    speed_kmh
        Vehicle speed in km/h at each sample, finite and ≥ 0.
    name
        Label used in plots, errors and results.

    Raises
    ------
    DriveCycleError
        If the arrays differ in length, hold fewer than two samples, or break the rules above;
        the message names the field and the first offending index.
    """

    time_s: np.ndarray
    speed_kmh: np.ndarray
    name: str = "drive cycle"

    def __post_init__(self) -> None:
        time_s = _frozen_array(self.time_s)
        speed_kmh = _frozen_array(self.speed_kmh)
        if time_s.ndim != 1 or speed_kmh.ndim != 1 or time_s.size != speed_kmh.size:
            raise DriveCycleError(
                f"drive cycle {self.name!r}: time_s (shape {time_s.shape}) and speed_kmh "
                f"(shape {speed_kmh.shape}) must be 1-D arrays of the same length"
            )
        if time_s.size < 2:
            raise DriveCycleError(
                f"drive cycle {self.name!r}: has {time_s.size} sample(s); at least 2 are needed"
            )
        for field, values in (("time_s", time_s), ("speed_kmh", speed_kmh)):
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                raise DriveCycleError(
                    f"drive cycle {self.name!r}: {field}[{bad[0]}]={values[bad[0]]!r} is not "
                    "finite; allowed: finite numbers"
                )
        negative = np.flatnonzero(speed_kmh < 0)
        if negative.size:
            i = negative[0]
            raise DriveCycleError(
                f"drive cycle {self.name!r}: speed_kmh[{i}]={speed_kmh[i]!r} is negative; "
                "allowed: ≥ 0"
            )
        not_increasing = np.flatnonzero(np.diff(time_s) <= 0)
        if not_increasing.size:
            i = not_increasing[0] + 1
            raise DriveCycleError(
                f"drive cycle {self.name!r}: time_s[{i}]={time_s[i]!r} is not after "
                f"time_s[{i - 1}]={time_s[i - 1]!r}; time must be strictly increasing"
            )
        object.__setattr__(self, "time_s", time_s)
        object.__setattr__(self, "speed_kmh", speed_kmh)

    # ----------------------------------------------------------------------------- construction

    @classmethod
    def standard_names(cls) -> tuple[str, ...]:
        """Names of the cycles shipped with cellsim, e.g. ``"udds"`` or ``"wltc_class3b"``."""
        return _standard_names()

    @classmethod
    def standard(cls, name: str) -> DriveCycle:
        """Return a shipped drive cycle (see ``cellsim/data/drive_cycles/README.md``).

        Parameters
        ----------
        name
            One of :meth:`standard_names` (case-insensitive).

        Raises
        ------
        InputError
            If ``name`` is not a shipped cycle; the message lists the available ones.
        """
        key = str(name).strip().lower()
        if key not in _standard_names():
            raise InputError(
                f"drive cycle name={name!r} is not a shipped cycle; "
                f"available: {', '.join(_standard_names())}"
            )
        return _load_standard(key)

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        time_column: str = "time_s",
        speed_column: str = "speed_kmh",
        speed_unit: SpeedUnit = "km/h",
        time_unit: TimeUnit = "s",
        name: str | None = None,
    ) -> DriveCycle:
        """Read a drive cycle from a CSV file with a header row.

        Other columns are ignored. Blank lines are skipped.

        Parameters
        ----------
        path
            The CSV file.
        time_column, speed_column
            Header names of the time and speed columns.
        speed_unit
            Unit of the speed column: ``"km/h"``, ``"m/s"`` or ``"mph"``.
        time_unit
            Unit of the time column: ``"s"`` or ``"min"``.
        name
            Label of the cycle; defaults to the file name without extension.

        Raises
        ------
        InputError
            If ``speed_unit`` or ``time_unit`` is not one of the allowed units.
        DriveCycleError
            If the file cannot be read, a column is missing, a cell is empty or not a number,
            a speed is NaN, infinite or negative, or time is not strictly increasing. The message
            names the file, the row as a spreadsheet shows it (the header is row 1, the first
            data row is row 2) and the column.
        """
        kmh_per_unit = _unit_factor("speed_unit", speed_unit, _KMH_PER_SPEED_UNIT)
        s_per_unit = _unit_factor("time_unit", time_unit, _S_PER_TIME_UNIT)
        path = Path(path)
        time_raw, speed_raw = _read_columns(path, time_column, speed_column)
        time_s = time_raw * s_per_unit
        speed_kmh = speed_raw * kmh_per_unit
        return cls(time_s, speed_kmh, name=path.stem if name is None else name)

    # ------------------------------------------------------------------------------- operations

    def __add__(self, other: DriveCycle) -> DriveCycle:
        """Drive ``self`` then ``other``; time continues where ``self`` ends.

        The last sample of ``self`` and the first of ``other`` become one sample, so durations
        and distances add up exactly. Both must therefore be at the same speed there (every
        shipped cycle starts and ends at standstill).

        Raises
        ------
        DriveCycleError
            If the speeds at the joint differ.
        """
        if not isinstance(other, DriveCycle):
            return NotImplemented
        if abs(self.speed_kmh[-1] - other.speed_kmh[0]) > _JOIN_TOLERANCE_KMH:
            raise DriveCycleError(
                f"cannot join drive cycles {self.name!r} and {other.name!r}: the first ends at "
                f"{self.speed_kmh[-1]:g} km/h but the second starts at {other.speed_kmh[0]:g} "
                "km/h; allowed: equal speeds at the joint"
            )
        shifted_s = other.time_s[1:] - other.time_s[0] + self.time_s[-1]
        return DriveCycle(
            np.concatenate([self.time_s, shifted_s]),
            np.concatenate([self.speed_kmh, other.speed_kmh[1:]]),
            name=f"{self.name}+{other.name}",
        )

    def repeat(self, n: int) -> DriveCycle:
        """Return the cycle driven ``n`` times back to back (see :meth:`__add__`).

        Raises
        ------
        InputError
            If ``n`` is not an integer ≥ 1.
        DriveCycleError
            If the cycle does not end at the speed it starts at (and ``n`` > 1).
        """
        count = check_count("n", n)
        if count == 1:
            return self
        joined = functools.reduce(DriveCycle.__add__, [self] * count)
        return DriveCycle(joined.time_s, joined.speed_kmh, name=f"{self.name}*{count}")

    def resample(self, dt_s: float = 1.0) -> DriveCycle:
        """Return the cycle linearly interpolated at a fixed time step.

        The new samples are at ``t0, t0 + dt_s, ...`` up to the last time; the last time is kept
        as the final sample if it is not on that grid, so the duration is unchanged.

        Raises
        ------
        InputError
            If ``dt_s`` is not a finite number > 0.
        """
        step_s = check_number("dt_s", dt_s, low=0.0, low_inclusive=False)
        start_s, end_s = self.time_s[0], self.time_s[-1]
        n_steps = int(np.floor((end_s - start_s) / step_s + 1e-9))
        grid_s = start_s + step_s * np.arange(n_steps + 1)
        if end_s - grid_s[-1] > 1e-9 * step_s:
            grid_s = np.append(grid_s, end_s)
        return DriveCycle(grid_s, np.interp(grid_s, self.time_s, self.speed_kmh), name=self.name)

    # ------------------------------------------------------------------------------- properties

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample, s."""
        return float(self.time_s[-1] - self.time_s[0])

    @property
    def distance_km(self) -> float:
        """Distance driven, km (trapezoid integral of speed over time)."""
        return float(np.trapezoid(self.speed_kmh, self.time_s)) / 3600.0

    @property
    def max_speed_kmh(self) -> float:
        """Highest speed of the trace, km/h."""
        return float(self.speed_kmh.max())

    @property
    def mean_speed_kmh(self) -> float:
        """Distance over duration, stops included, km/h."""
        return self.distance_km / (self.duration_s / 3600.0)

    @property
    def acceleration_m_per_s2(self) -> np.ndarray:
        """Mean acceleration over each interval between samples, m/s² (length ``n - 1``)."""
        return np.diff(self.speed_kmh / 3.6) / np.diff(self.time_s)

    # ----------------------------------------------------------------------------------- output

    def to_frame(self) -> pd.DataFrame:
        """Return the trace as a DataFrame with columns ``time_s`` and ``speed_kmh``."""
        return pd.DataFrame({"time_s": self.time_s, "speed_kmh": self.speed_kmh})

    def plot(self, ax: Axes | None = None) -> Figure:
        """Plot speed against time and return the figure (a new one if ``ax`` is ``None``)."""
        import matplotlib.pyplot as plt

        if ax is None:
            figure, ax = plt.subplots()
        else:
            figure = ax.figure
        ax.plot(self.time_s, self.speed_kmh, label=self.name)
        ax.set_xlabel("time [s]")
        ax.set_ylabel("speed [km/h]")
        ax.set_title(
            f"{self.name}: {self.distance_km:.2f} km, {self.duration_s:.0f} s, "
            f"max {self.max_speed_kmh:.1f} km/h"
        )
        return figure

    def __repr__(self) -> str:
        return (
            f"DriveCycle(name={self.name!r}, samples={self.time_s.size}, "
            f"duration_s={self.duration_s:g}, distance_km={self.distance_km:.3f})"
        )


def _frozen_array(values: object) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


def _unit_factor(field: str, unit: str, factors: dict[str, float]) -> float:
    if unit not in factors:
        raise InputError(f"{field}={unit!r} is not supported; allowed: {', '.join(factors)}")
    return factors[unit]


@functools.cache
def _standard_names() -> tuple[str, ...]:
    folder = importlib.resources.files(_DATA_PACKAGE)
    return tuple(
        sorted(
            item.name.removesuffix(".csv")
            for item in folder.iterdir()
            if item.name.endswith(".csv")
        )
    )


@functools.cache
def _load_standard(name: str) -> DriveCycle:
    resource = importlib.resources.files(_DATA_PACKAGE) / f"{name}.csv"
    with importlib.resources.as_file(resource) as path:
        return DriveCycle.from_csv(path, name=name)


def _read_columns(path: Path, time_column: str, speed_column: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the time and speed columns of a CSV as floats, checking every cell."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                raise DriveCycleError(f"{path}: the file is empty; expected a header row")
            names = [cell.strip() for cell in header]
            positions = {}
            for column in (time_column, speed_column):
                if column not in names:
                    raise DriveCycleError(
                        f"{path}: row 1 (header) has no column {column!r}; "
                        f"columns found: {', '.join(repr(n) for n in names)}"
                    )
                positions[column] = names.index(column)
            time_values: list[float] = []
            speed_values: list[float] = []
            previous_time: float | None = None
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                row = reader.line_num
                time_value = _cell_number(path, row, time_column, cells, positions[time_column])
                speed_value = _cell_number(path, row, speed_column, cells, positions[speed_column])
                if speed_value < 0:
                    raise DriveCycleError(
                        f"{path}: row {row}, column {speed_column!r}: speed {speed_value!r} is "
                        "negative; allowed: ≥ 0"
                    )
                if previous_time is not None and time_value <= previous_time:
                    raise DriveCycleError(
                        f"{path}: row {row}, column {time_column!r}: time {time_value!r} is not "
                        f"after the previous row's {previous_time!r}; time must be strictly "
                        "increasing"
                    )
                previous_time = time_value
                time_values.append(time_value)
                speed_values.append(speed_value)
    except OSError as error:
        raise DriveCycleError(f"{path}: cannot read the file ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DriveCycleError(f"{path}: not a readable UTF-8 CSV file ({error})") from None
    if len(time_values) < 2:
        raise DriveCycleError(f"{path}: has {len(time_values)} data row(s); at least 2 are needed")
    return np.array(time_values), np.array(speed_values)


def _cell_number(path: Path, row: int, column: str, cells: list[str], position: int) -> float:
    """Parse one CSV cell as a finite float or raise naming file, row and column."""
    where = f"{path}: row {row}, column {column!r}"
    if position >= len(cells) or not cells[position].strip():
        raise DriveCycleError(f"{where}: the cell is empty; allowed: a finite number")
    text = cells[position].strip()
    try:
        value = float(text)
    except ValueError:
        raise DriveCycleError(
            f"{where}: {text!r} is not a number; allowed: a finite number"
        ) from None
    if not np.isfinite(value):
        raise DriveCycleError(f"{where}: {text!r} is not finite; allowed: a finite number")
    return value
