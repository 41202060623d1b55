"""On-disk cache of kernel arrays, keyed by content, so a new process does not re-evaluate them.

Evaluating a cell's tables with PyBaMM takes seconds per cell and process
(:func:`.parameters.build_kernel_arrays`). The arrays are stored as ``<key>.npz`` where the key
is a SHA-256 of everything they depend on: every parameter value (numbers by ``repr``, data
by their bytes, Python functions by module, name, byte code, constants, defaults, closure
values and the simple globals they read, a :class:`~cellsim.chemistry.factor.ScaledFunction`
by its factor and function), the model options, the thermal model, the cellsim and PyBaMM
versions and the table layout. A parameter value that cannot be fingerprinted (e.g. an
arbitrary object) makes the cell uncacheable: its arrays are built and not stored.

Location: ``$CELLSIM_CACHE_DIR/tables``, else ``$XDG_CACHE_HOME/cellsim/tables``, else
``~/.cache/cellsim/tables``. ``CELLSIM_CACHE_DIR=off`` (or ``0``, ``none``, empty) turns the
cache off. Files are written to a temporary name and renamed (atomic on POSIX), so concurrent
processes never read a partial file; a file that cannot be read is ignored and rebuilt.
Entries are ~30 MB; the :data:`MAX_ENTRIES` most recently used are kept (~0.5 GB). Changed
cells (``Cell.with_parameters``) and cooling overrides derive their arrays from their base
cell's and are not stored.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import tempfile
import types
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from cellsim._pybamm import pybamm
from cellsim.chemistry.factor import ScaledFunction
from cellsim.engine.fast import layout as L
from cellsim.engine.fast.parameters import KernelArrays, build_kernel_arrays

ENV = "CELLSIM_CACHE_DIR"
OFF = ("off", "0", "none", "")
_FIELDS = ("dims", "prm", "tab_sto", "tab_xt", "xgeo")
MAX_ENTRIES = 16  # ~30 MB each; the least recently used beyond this are deleted


class Unfingerprintable(Exception):
    """A parameter value whose content cannot be hashed."""


def cache_dir() -> Path | None:
    """The folder of cached tables, or None if the cache is off."""
    configured = os.environ.get(ENV)
    if configured is not None:
        return None if configured.strip().lower() in OFF else Path(configured) / "tables"
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "cellsim" / "tables"


def fingerprint(value: Any, depth: int = 0) -> Any:
    """A JSON-able description of ``value`` that changes when its content changes (raises
    :class:`Unfingerprintable` for a value it cannot describe)."""
    if depth > 20:
        raise Unfingerprintable("nesting too deep")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ["array", str(data.dtype), list(data.shape),
                hashlib.sha256(data.tobytes()).hexdigest()]
    if isinstance(value, (tuple, list)):
        return [type(value).__name__] + [fingerprint(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return ["dict"] + [[str(k), fingerprint(v, depth + 1)] for k, v in
                           sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, ScaledFunction):
        return ["scaled", repr(value.factor), fingerprint(value.function, depth + 1)]
    if isinstance(value, types.FunctionType):
        return _function_fingerprint(value, depth)
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    raise Unfingerprintable(f"cannot fingerprint a {type(value).__name__}")


def _function_fingerprint(function: types.FunctionType, depth: int) -> list:
    code = function.__code__
    simple_globals = {}
    for name in code.co_names:
        if name in function.__globals__:
            value = function.__globals__[name]
            if isinstance(value, (bool, int, float, str, np.ndarray, types.FunctionType)):
                simple_globals[name] = value
    closure = [cell.cell_contents for cell in function.__closure__ or ()]
    return ["function", function.__module__, function.__qualname__,
            hashlib.sha256(marshal.dumps(code)).hexdigest(),
            fingerprint(function.__defaults__, depth + 1),
            fingerprint(closure, depth + 1),
            fingerprint(simple_globals, depth + 1)]


def content_key(pv, options: dict, thermal: str) -> str | None:
    """SHA-256 of everything :func:`build_kernel_arrays` reads, or None if a value cannot be
    fingerprinted."""
    from cellsim import __version__

    try:
        values = {key: fingerprint(pv[key]) for key in pv.keys()}
        description = [values, fingerprint(dict(options)), thermal, __version__,
                       pybamm().__version__,
                       [L.N_PRM, L.N_S_TABLES, L.N_X_TABLES, L.SGRID_POINTS, L.XGRID_POINTS]]
    except Unfingerprintable:
        return None
    text = json.dumps(description, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _load(path: Path) -> KernelArrays | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = KernelArrays(*(np.array(data[f]) for f in _FIELDS))
        os.utime(path)  # recently used: kept by _prune
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing or corrupt
        return None
    if arrays.prm.shape != (L.N_PRM,) or arrays.tab_sto.shape[0] != L.N_S_TABLES:
        return None
    return arrays


def _prune(folder: Path) -> None:
    """Delete all but the :data:`MAX_ENTRIES` most recently used entries."""
    try:
        entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink()
    except OSError:  # another process pruned the same entry
        pass


def _save(path: Path, arrays: KernelArrays) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **{f: getattr(arrays, f) for f in _FIELDS})
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent)
    except OSError:  # read-only or full disk: the cache is an optimisation only
        pass


def cached_kernel_arrays(pv, options: dict, thermal: str) -> KernelArrays:
    """:func:`build_kernel_arrays` through the disk cache (see the module docstring)."""
    folder = cache_dir()
    key = None if folder is None else content_key(pv, options, thermal)
    if key is None:
        return build_kernel_arrays(pv, options, thermal)
    path = folder / f"{key}.npz"
    arrays = _load(path)
    if arrays is None:
        arrays = build_kernel_arrays(pv, options, thermal)
        _save(path, arrays)
    return arrays
