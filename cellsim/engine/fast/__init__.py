"""The fast engine: a numba implementation of PyBaMM's SPMe with lumped thermal.

Modules: :mod:`.layout` (slot numbers of the packed arrays), :mod:`.parameters`
(``pybamm.ParameterValues`` to arrays and tables), :mod:`.kernel` (numba step and loop),
:mod:`.simulation` (the :class:`FastEngine` / :class:`FastSimulation` objects).
"""

from cellsim.engine.fast.simulation import FastEngine, FastSimulation

__all__ = ["FastEngine", "FastSimulation"]
