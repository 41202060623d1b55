"""Exceptions raised by cellsim.

Every error names what was wrong (the field, the value, the file) and what is allowed,
so a user in a notebook can fix the input without reading a traceback.
"""

from __future__ import annotations


class CellsimError(Exception):
    """Base class of every error cellsim raises on purpose."""


class InputError(CellsimError, ValueError):
    """A user-supplied value is outside what cellsim accepts."""


class ParameterFileError(CellsimError, ValueError):
    """A parameter-set file (TOML or BPX) is malformed; the message names file and key."""


class DriveCycleError(InputError):
    """A drive-cycle CSV or trace is malformed; the message names file, row and column."""


class SimulationError(CellsimError, RuntimeError):
    """A solver failed; the message names the chemistry, model and operating condition."""


class OutputError(CellsimError, OSError):
    """A result could not be written where asked; the message says where it was saved instead."""
