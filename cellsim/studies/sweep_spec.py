"""Sweep spec files (TOML): which study, which cases, which backend.

::

    study = "range_test"
    backend = "local"          # optional: "local" or "dask"
    workers = 2                # optional
    scheduler = "tcp://..."    # optional, dask only

    [fixed]                    # merged into every case
    cycle = "wltc_class3b"
    pack_kWh = 75
    pack_voltage_V = 400

    [grid]                     # full factorial
    chemistry = ["ncm523", "ncm811"]
    ambient_C = [-10, 25, 40]

    [[cases]]                  # explicit cases
    chemistry = "ncm811"
    ambient_C = 0

    [latin_hypercube]
    n = 50
    seed = 1
    [latin_hypercube.ranges]
    ambient_C = [-20, 40]

The cases are those of ``[grid]``, then ``[[cases]]``, then ``[latin_hypercube]`` (at least
one of them), each with ``[fixed]`` added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .cases import grid, latin_hypercube
from .spec_file import read_spec

_TOP_LEVEL = {"study", "backend", "workers", "scheduler", "fixed", "grid", "cases",
              "latin_hypercube"}


@dataclass(frozen=True)
class SweepSpec:
    """A parsed spec: arguments of :func:`cellsim.sweep`."""

    study: str
    cases: list[dict[str, Any]]
    backend: str = "local"
    workers: int | None = None
    scheduler: str | None = None


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep spec TOML file.

    Raises
    ------
    InputError
        Naming the file and table for a missing file, bad TOML, an unknown table, no cases,
        or a ``[fixed]`` key a case also sets. Case contents are checked by the sweep.
    """
    path = Path(path)
    spec = read_spec(path, "sweep")
    unknown = sorted(set(spec) - _TOP_LEVEL)
    if unknown:
        raise InputError(f"{path}: unknown key(s) {unknown}; allowed: {sorted(_TOP_LEVEL)}")
    if "study" not in spec:
        raise InputError(f"{path}: 'study' is missing (e.g. study = \"range_test\")")
    cases: list[dict[str, Any]] = []
    try:
        if "grid" in spec:
            cases += grid(**_table(spec, "grid"))
        cases += [dict(case) for case in spec.get("cases", [])]
        if "latin_hypercube" in spec:
            lhs = _table(spec, "latin_hypercube")
            cases += latin_hypercube(lhs.get("n"), lhs.get("seed"), **lhs.get("ranges", {}))
    except InputError as err:
        raise InputError(f"{path}: {err}") from None
    if not cases:
        raise InputError(f"{path}: no cases; give [grid], [[cases]] or [latin_hypercube]")
    fixed = _table(spec, "fixed") if "fixed" in spec else {}
    for index, case in enumerate(cases):
        both = sorted(set(fixed) & set(case))
        if both:
            raise InputError(f"{path}: case {index} sets {both[0]!r}, which [fixed] sets too")
    return SweepSpec(
        study=spec["study"],
        cases=[{**fixed, **case} for case in cases],
        backend=spec.get("backend", "local"),
        workers=spec.get("workers"),
        scheduler=spec.get("scheduler"),
    )


def _table(spec: dict[str, Any], name: str) -> dict[str, Any]:
    value = spec[name]
    if not isinstance(value, dict):
        raise InputError(f"[{name}] must be a table, not {type(value).__name__}")
    return value
