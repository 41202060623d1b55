"""Shared fixtures: the shipped cells (built once per session) and the ``../shared`` folder."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"
matplotlib.use("Agg")

import cellsim  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
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
