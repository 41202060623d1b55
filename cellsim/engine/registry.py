"""Look up an engine by name: ``"pybamm"`` (reference) or ``"fast"`` (numba SPMe)."""

from __future__ import annotations

from ..errors import InputError

ENGINES = ("pybamm", "fast")


def get_engine(engine: str | object):
    """Return the engine called ``engine``, or ``engine`` itself if it is already an engine."""
    if not isinstance(engine, str):
        return engine
    if engine == "pybamm":
        from .pybamm_engine import PybammEngine

        return PybammEngine()
    if engine == "fast":
        from .fast import FastEngine

        return FastEngine()
    raise InputError(f"engine={engine!r} is unknown; choose one of {', '.join(ENGINES)}")
