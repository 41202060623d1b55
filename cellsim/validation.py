"""Checks for user input that raise :class:`~cellsim.errors.InputError` naming the field."""

from __future__ import annotations

import math
from typing import Any

from .errors import InputError


def check_number(
    field: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number in range.

    Parameters
    ----------
    field
        Name of the input, used in the error message (e.g. ``"c_rate"``).
    value
        The value to check.
    low, high
        Allowed bounds; ``None`` means unbounded on that side.
    low_inclusive, high_inclusive
        Whether the bounds themselves are allowed.

    Raises
    ------
    InputError
        If the value is not a real number, is NaN or infinite, or is out of range.
    """
    allowed = _describe_range(low, high, low_inclusive, high_inclusive)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field}={value!r} is not a number; allowed: {allowed}") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise InputError(f"{field}={value!r} is not a finite number; allowed: {allowed}")
    too_low = low is not None and (number < low or (number == low and not low_inclusive))
    too_high = high is not None and (number > high or (number == high and not high_inclusive))
    if too_low or too_high:
        raise InputError(f"{field}={value!r} is out of range; allowed: {allowed}")
    return number


def _describe_range(
    low: float | None, high: float | None, low_inclusive: bool, high_inclusive: bool
) -> str:
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"
