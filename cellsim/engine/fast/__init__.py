"""The fast engine: a numba implementation of PyBaMM's SPMe with lumped thermal.

Modules: :mod:`.layout` (slot numbers of the packed arrays), :mod:`.parameters`
(``pybamm.ParameterValues`` to arrays and tables), the numba modules by physics —
:mod:`.constants` (modes, stop codes, workspace rows), :mod:`.tables` (lookups),
:mod:`.transport` (particle and electrolyte steps), :mod:`.voltage` (terminal voltage, plating
potential), :mod:`.control` (current, power and voltage solves), :mod:`.heat` (heat and
temperature), :mod:`.ageing` (SEI, plating, LAM) and :mod:`.kernel` (the loop over a profile) —
and :mod:`.simulation` (the :class:`FastEngine` / :class:`FastSimulation` objects).

numba's on-disk cache (``cache=True``) re-validates a function only against its own source file:
after editing one of the numba modules, delete ``cellsim/engine/fast/__pycache__`` so that the
functions of other modules that call it (``kernel.run`` calls them all) are compiled anew.
"""

from cellsim.engine.fast.simulation import FastEngine, FastSimulation

__all__ = ["FastEngine", "FastSimulation"]
