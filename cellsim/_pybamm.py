"""The one place cellsim imports PyBaMM: telemetry is switched off before the import.

PyBaMM is imported lazily (it takes about a second), so ``import cellsim`` stays fast.
"""

from __future__ import annotations

import os
from functools import cache
from types import ModuleType


@cache
def pybamm() -> ModuleType:
    """Return the ``pybamm`` module with telemetry disabled and no network use."""
    os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"
    import pybamm as _pybamm

    _pybamm.telemetry.disable()
    return _pybamm
