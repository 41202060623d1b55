"""One measured cell test (time, current, voltage, optionally temperature) for replay and fitting.

Sign convention: current > 0 is discharge (cellsim and PyBaMM). Samples may be spaced
unevenly; the engines hold each sample's current over the interval that ends at it (a cycler
logs the current that flowed up to the sample), so rests and regenerative pulses are followed
exactly. Equal consecutive time stamps (a current step logged twice at the same instant) are
allowed; a time that goes back is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import check_number

REST_CURRENT_C = 0.01  # |I| below 1 % of C counts as rest (OCV inversion, sign check)


@dataclass(frozen=True, eq=False)
class Measurement:
    """One measured test of a cell.

    Parameters
    ----------
    time_s, current_A, voltage_V
        Samples (same length, at least 2); current > 0 is discharge.
    temperature_C
        Measured cell (surface) temperature, or None.
    ambient_C
        Temperature of the chamber / surroundings during the test [C].
    name
        Label used in tables, plots and parameter-file blocks.
    """

    time_s: np.ndarray
    current_A: np.ndarray
    voltage_V: np.ndarray
    temperature_C: np.ndarray | None = None
    ambient_C: float = 25.0
    name: str | None = None

    def __post_init__(self) -> None:
        label = self.name or "measurement"
        arrays = {"time_s": self.time_s, "current_A": self.current_A,
                  "voltage_V": self.voltage_V}
        if self.temperature_C is not None:
            arrays["temperature_C"] = self.temperature_C
        n = None
        for field_name, raw in arrays.items():
            values = _column(label, field_name, raw)
            if n is None:
                n = values.size
            elif values.size != n:
                raise InputError(f"{label}: {field_name} has {values.size} samples, time_s has "
                                 f"{n}; every column needs one value per sample")
            object.__setattr__(self, field_name, values)
        if n < 2:
            raise InputError(f"{label}: time_s has {n} sample(s); at least 2 are needed")
        steps = np.diff(self.time_s)
        back = np.flatnonzero(steps < 0)
        if back.size:
            k = int(back[0]) + 1
            raise InputError(f"{label}: time_s must not decrease; row {k} has time_s="
                             f"{self.time_s[k]:g} after {self.time_s[k - 1]:g}")
        if not self.time_s[-1] > self.time_s[0]:
            raise InputError(f"{label}: time_s spans 0 s ({self.time_s[0]:g} to "
                             f"{self.time_s[-1]:g}); the test needs a duration")
        object.__setattr__(self, "ambient_C",
                           check_number(f"{label}: ambient_C", self.ambient_C, low=-60, high=100))
        object.__setattr__(self, "name", label)
        self._check_sign()

    def _check_sign(self) -> None:
        """A test that only discharges yet ends 50 mV higher than it started (or only charges
        and ends lower) has its current sign flipped."""
        loaded = np.abs(self.current_A) > 0
        if not loaded.any():
            return
        direction = np.sign(self.current_A[loaded])
        if not np.all(direction == direction[0]):
            return
        v = self.voltage_V[loaded]
        rise_V = float(v[-1] - v[0])
        if direction[0] * rise_V > 0.05:
            kind = "positive (discharge" if direction[0] > 0 else "negative (charge"
            raise InputError(
                f"{self.name}: current_A is {kind} in cellsim's convention) over the whole "
                f"test while voltage_V goes from {v[0]:.3f} to {v[-1]:.3f} V: the current sign "
                "looks inverted; load with discharge_positive=False (or negate current_A)")

    # --- construction ------------------------------------------------------------------------
    @classmethod
    def from_csv(cls, path: str | Path, *, time: str = "time_s", current: str = "current_A",
                 voltage: str = "voltage_V", temperature: str | None = None,
                 ambient_C: float = 25.0, discharge_positive: bool = True,
                 name: str | None = None) -> Measurement:
        """Read a measurement from a CSV file with one column per quantity.

        Parameters
        ----------
        path
            The CSV file.
        time, current, voltage, temperature
            Column names of time [s], current [A], voltage [V] and (optionally) the measured
            cell temperature [C].
        ambient_C
            Chamber temperature [C].
        discharge_positive
            False if the file counts discharge current as negative (most cyclers): the
            current is negated on reading.
        name
            Label; the file stem by default.
        """
        path = Path(path)
        try:
            frame = pd.read_csv(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such measurement file") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: not a readable CSV file ({err})") from None
        columns = {"time": time, "current": current, "voltage": voltage}
        if temperature is not None:
            columns["temperature"] = temperature
        for argument, column in columns.items():
            if column not in frame.columns:
                raise InputError(f"{path}: column {column!r} (argument {argument}=) not found; "
                                 f"the file has columns {list(frame.columns)}")
        sign = 1.0 if discharge_positive else -1.0
        label = name or path.stem
        return cls(
            time_s=_column(label, f"column {time!r}", frame[time]),
            current_A=sign * _column(label, f"column {current!r}", frame[current]),
            voltage_V=_column(label, f"column {voltage!r}", frame[voltage]),
            temperature_C=(None if temperature is None
                           else _column(label, f"column {temperature!r}", frame[temperature])),
            ambient_C=ambient_C,
            name=label,
        )

    # --- derived -----------------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        """Test duration [s]."""
        return float(self.time_s[-1] - self.time_s[0])

    @property
    def discharged_Ah(self) -> np.ndarray:
        """Net charge taken out since the start [A.h] at each sample (current held over the
        interval ending at each sample)."""
        return np.concatenate([[0.0], np.cumsum(self.current_A[1:] * np.diff(self.time_s))]) \
            / 3600.0

    def first_rest_index(self, capacity_Ah: float) -> int | None:
        """Index of the first sample at rest (``|I|`` ≤ 1 % of ``capacity_Ah``) before any current
        flows, or None if current flows from the first sample."""
        rest = np.abs(self.current_A) <= REST_CURRENT_C * capacity_Ah
        if not rest[0]:
            return None
        loaded = np.flatnonzero(~rest)
        last = (loaded[0] - 1) if loaded.size else self.time_s.size - 1
        return int(last)

    def until(self, end_s: float) -> Measurement:
        """A copy with the samples at or before ``end_s``."""
        keep = self.time_s <= check_number("end_s", end_s)
        return Measurement(self.time_s[keep], self.current_A[keep], self.voltage_V[keep],
                           None if self.temperature_C is None else self.temperature_C[keep],
                           self.ambient_C, self.name)

    def resampled(self, dt_s: float) -> Measurement:
        """A copy on a coarser grid: charge-conserving mean current over windows of ``dt_s``
        and the voltage (and temperature) sampled at each window's end. For fitting long
        finely sampled tests (a drive cycle at 0.1 s) at lower cost."""
        dt_s = check_number("dt_s", dt_s, low=0.0, low_inclusive=False)
        edges = np.arange(self.time_s[0], self.time_s[-1] + dt_s, dt_s)
        edges[-1] = min(edges[-1], self.time_s[-1])
        edges = np.unique(np.concatenate([[self.time_s[0]], edges, [self.time_s[-1]]]))
        charge = np.concatenate([[0.0], np.cumsum(self.current_A[1:] * np.diff(self.time_s))])
        q_edges = _charge_at(self.time_s, self.current_A, charge, edges)
        current = np.concatenate([[self.current_A[0]], np.diff(q_edges) / np.diff(edges)])
        temperature = (None if self.temperature_C is None
                       else np.interp(edges, self.time_s, self.temperature_C))
        return Measurement(edges, current, np.interp(edges, self.time_s, self.voltage_V),
                           temperature, self.ambient_C, self.name)

    def to_frame(self) -> pd.DataFrame:
        """The samples as a DataFrame (``time_s, current_A, voltage_V[, temperature_C]``)."""
        data = {"time_s": self.time_s, "current_A": self.current_A, "voltage_V": self.voltage_V}
        if self.temperature_C is not None:
            data["temperature_C"] = self.temperature_C
        return pd.DataFrame(data)


def _charge_at(time_s: np.ndarray, current_A: np.ndarray, charge: np.ndarray,
               at_s: np.ndarray) -> np.ndarray:
    """Charge [A.s] moved up to each time in ``at_s`` (current held back to the previous sample)."""
    k = np.clip(np.searchsorted(time_s, at_s, side="left"), 1, time_s.size - 1)
    return charge[k - 1] + current_A[k] * (at_s - time_s[k - 1])


def _column(label: str, field_name: str, raw) -> np.ndarray:
    """``raw`` as a 1-D float array, or an error naming the field and the first bad value."""
    try:
        values = np.asarray(raw, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{label}: {field_name} holds values that are not numbers") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        k = int(bad[0])
        raise InputError(f"{label}: {field_name} has {bad.size} NaN or infinite value(s), the "
                         f"first at row {k} ({values[k]!r}); remove or fill them")
    return values
