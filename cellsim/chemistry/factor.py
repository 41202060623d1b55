"""Relative parameter changes: :class:`Factor` multiplies a parameter, a function included.

>>> import cellsim
>>> cell = cellsim.Cell.from_chemistry("ncm811")                        # doctest: +SKIP
>>> faster = cell.with_parameters({
...     "Negative particle diffusivity [m2.s-1]": cellsim.Factor(2.0),   # D_n(sto, T) x 2
...     "Positive electrode thickness [m]": cellsim.Factor(1.2),         # 20 % thicker
... })                                                                    # doctest: +SKIP

A factor on a function-valued parameter (a diffusivity, an exchange-current density, a
conductivity) gives the function ``factor * f(...)`` (a :class:`ScaledFunction`, which PyBaMM
calls like the original); on tabulated data ``(name, (x, y))`` it scales ``y``; on a number it
gives ``factor * value``. The fast engine recognises a :class:`ScaledFunction` of its parent's
function and scales the parent's table instead of re-evaluating it
(:mod:`cellsim.engine.fast.derive`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class Factor:
    """A multiplier on a parameter's value (number, function or data), for
    :meth:`cellsim.Cell.with_parameters`.

    Attributes
    ----------
    value
        The multiplier: finite and > 0.
    """

    value: float

    def __post_init__(self) -> None:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                or not math.isfinite(value) or value <= 0:
            raise InputError(f"Factor({value!r}): the factor must be a finite number > 0")
        object.__setattr__(self, "value", float(value))


class ScaledFunction:
    """``factor * function(*args)``: a function-valued PyBaMM parameter times a constant.

    PyBaMM inspects a function's signature (e.g. for electrode conductivities), so the
    wrapper carries the signature of ``function`` (``functools.update_wrapper``).

    Attributes
    ----------
    function
        The function scaled (itself a :class:`ScaledFunction` after repeated changes).
    factor
        The multiplier.
    """

    def __init__(self, function: Any, factor: float) -> None:
        # update_wrapper copies the wrapped object's __dict__: on a ScaledFunction that is its
        # own function and factor, so they are set after it (else a factor on a scaled
        # function, e.g. a fitted file's ``{ scale = f }``, would be dropped)
        functools.update_wrapper(self, function)
        self.function = function
        self.factor = float(factor)

    def __call__(self, *args: Any) -> Any:
        return self.factor * self.function(*args)

    def __repr__(self) -> str:
        return f"ScaledFunction({getattr(self.function, '__qualname__', self.function)!r}, " \
               f"{self.factor!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, float]]:
        return ScaledFunction, (self.function, self.factor)


def apply_factor(key: str, value: Any, factor: Factor) -> Any:
    """The value of parameter ``key`` (now ``value``) multiplied by ``factor``.

    Raises :class:`InputError` for a value that is not a number, a function or data.
    """
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return factor.value * float(value)
    if isinstance(value, tuple) and len(value) == 2:  # PyBaMM data: (name, (x, y))
        name, data = value
        return (name, (*data[:-1], factor.value * np.asarray(data[-1], dtype=float)))
    if callable(value):
        return ScaledFunction(value, factor.value)
    raise InputError(f"{key!r}: a Factor multiplies a number, a function or data, "
                     f"not {type(value).__name__}")


def scale_chain(value: Any, base: Any) -> float | None:
    """The product of the factors that make ``value`` from ``base``, or None if ``value`` is
    not ``base`` wrapped in :class:`ScaledFunction` (1.0 when ``value`` is ``base``)."""
    scale = 1.0
    while value is not base:
        if not isinstance(value, ScaledFunction):
            return None
        scale *= value.factor
        value = value.function
    return scale
