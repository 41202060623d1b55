"""Case builders for :func:`~cellsim.sweep`: a full factorial grid and a Latin hypercube.

A case is a plain dict of inputs, e.g. ``{"chemistry": "ncm811", "c_rate": 2.0}``; a sweep runs
one study per case. Both builders return a list of such dicts, which can be concatenated with
an explicit list (``grid(...) + [{...}]``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError


def grid(**axes: Any) -> list[dict[str, Any]]:
    """Every combination of the axes' values (full factorial), last axis varying fastest.

    Parameters
    ----------
    **axes
        Case key → list of values. A string or a number is an axis of one value. PyBaMM
        parameter names are not Python identifiers: pass them as
        ``grid(**{"Positive electrode thickness [m]": [60e-6, 80e-6]})``.

    Returns
    -------
    list of dict
        ``prod(len(values))`` cases.

    Raises
    ------
    InputError
        If there are no axes or an axis has no values (naming the axis).

    Examples
    --------
    >>> grid(chemistry="ncm811", c_rate=[0.5, 1, 2])
    [{'chemistry': 'ncm811', 'c_rate': 0.5}, {'chemistry': 'ncm811', 'c_rate': 1}, \
{'chemistry': 'ncm811', 'c_rate': 2}]
    """
    if not axes:
        raise InputError("grid() needs at least one axis, e.g. grid(c_rate=[0.5, 1, 2])")
    values = {}
    for key, axis in axes.items():
        values[key] = _axis_values(key, axis)
        if not values[key]:
            raise InputError(f"grid axis {key!r} is empty; allowed: at least one value")
    return [dict(zip(values, combo)) for combo in itertools.product(*values.values())]


def latin_hypercube(n: int, seed: int, **ranges: tuple[float, float]) -> list[dict[str, float]]:
    """``n`` cases spread over the ranges by Latin hypercube sampling (scipy.stats.qmc).

    Each range is split into ``n`` equal strata and every stratum of every key is sampled once.
    The same ``seed`` gives the same cases.

    Parameters
    ----------
    n
        Number of cases, ≥ 1.
    seed
        Seed of the random generator (an integer).
    **ranges
        Case key → ``(low, high)`` with finite ``low < high``.

    Raises
    ------
    InputError
        If ``n`` or ``seed`` is not an integer, there are no ranges, or a range is not a
        finite ``(low, high)`` pair with ``low < high`` (naming the key).
    """
    from scipy.stats import qmc

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"latin_hypercube n={n!r} is not an integer ≥ 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"latin_hypercube seed={seed!r} is not an integer")
    if not ranges:
        raise InputError("latin_hypercube() needs at least one range, e.g. c_rate=(0.5, 3)")
    bounds = {key: _range(key, value) for key, value in ranges.items()}
    low = np.array([b[0] for b in bounds.values()])
    high = np.array([b[1] for b in bounds.values()])
    unit = qmc.LatinHypercube(d=len(bounds), rng=np.random.default_rng(int(seed))).random(int(n))
    samples = qmc.scale(unit, low, high)
    return [{key: float(x) for key, x in zip(bounds, row)} for row in samples]


def _axis_values(key: str, axis: Any) -> list[Any]:
    if isinstance(axis, (str, bytes, int, float, bool, np.generic)) or not isinstance(
        axis, Iterable
    ):
        return [_plain(axis)]
    return [_plain(value) for value in axis]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def _range(key: str, value: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(
            f"latin_hypercube range {key}={value!r} is not a (low, high) pair of numbers"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InputError(
            f"latin_hypercube range {key}={value!r}; allowed: finite low < high"
        )
    return low, high
