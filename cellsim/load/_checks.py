"""Input check shared by the load layer (a candidate for :mod:`cellsim.validation`)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def check_count(field: str, value: object) -> int:
    """Return ``value`` as an int, or raise :class:`InputError` if it is not an integer ≥ 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{field}={value!r} is not allowed; allowed: an integer ≥ 1")
    return int(value)
