"""Shared fixtures: the shipped cells (built once per session) and the ``../shared`` folder.

The tests exercise the *installed* cellsim: ``python -m pytest`` puts the checkout first on
``sys.path``, where ``cellsim/`` would shadow the installation (and hide packaging mistakes), so
the checkout is moved to the end, where it still provides ``tools/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT] + [str(ROOT)]

os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"
matplotlib.use("Agg")

import cellsim  # noqa: E402

SHARED = ROOT.parent / "shared"
BPX_FILE = SHARED / "bpx" / "nmc_pouch_cell_BPX.json"


@pytest.fixture(scope="session")
def cells() -> dict[str, cellsim.Cell]:
    """Every shipped cell, by chemistry id."""
    return {chemistry: cellsim.Cell.from_chemistry(chemistry) for chemistry in cellsim.chemistries()}


@pytest.fixture(scope="session")
def bpx_file() -> Path:
    """The third-party BPX cell in ``../shared/bpx`` (tests skip when ``../shared`` is absent)."""
    if not BPX_FILE.exists():
        pytest.skip(f"{BPX_FILE} not found (../shared is not beside the checkout)")
    return BPX_FILE

