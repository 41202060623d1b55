"""Write a changed cell back as a parameter-set file (the ``parameter_sets/`` TOML format).

The file is the base cell's own parameter file (every block and source kept), with its id, name,
nominal capacity, format, description and ``[housing]`` replaced and blocks appended for what
changed since: numbers as values, functions as ``{ scale = f }`` (a factor on the base function; see
:mod:`cellsim.chemistry.paramfile`). Named stages (e.g. fits, each naming its measurements)
each get their own block; changes outside every stage go first, in a block of their own.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .factor import scale_chain


def parameter_file_text(cell, stages: Sequence[dict] = (), *, name: str | None = None,
                        cell_id: str | None = None) -> str:
    """The parameter-file text of ``cell``.

    Parameters
    ----------
    cell
        A cell loaded from a parameter file, or made from one by ``with_parameters``.
    stages
        ``{"name", "source", "keys"}`` of each named change, in order (a key goes to the last
        stage that names it).
    name, cell_id
        Name and id of the written cell (default: the cell's name; the base file's id).
    """
    base = getattr(cell, "_base", None) or cell
    pset = base.parameter_set
    if pset is None:
        raise InputError(f"cell {cell.name!r} was not made from a parameter file; it cannot be "
                         "written as one")
    text = pset.path.read_text(encoding="utf-8")
    text = _replace_line(text, "id", json.dumps(cell_id or pset.id))
    text = _replace_line(text, "name", json.dumps(name or cell.name))
    text = _replace_line(text, "nominal_capacity_Ah", repr(float(cell.nominal_capacity_Ah)))
    text = _replace_line(text, "voltage_min_V", repr(float(cell.voltage_min_V)))
    text = _replace_line(text, "voltage_max_V", repr(float(cell.voltage_max_V)))
    own, written = cell.parameter_set or pset, tomllib.loads(text)
    for key in ("format", "description"):
        if getattr(own, key) != written.get(key, ""):
            text = _replace_string(text, key, getattr(own, key))
    if own.housing != written.get("housing", {}):
        text = _replace_table(text, "housing", own.housing)
    new, old = cell.parameter_values, base.parameter_values
    changed = sorted(getattr(cell, "_changed", frozenset()))
    owner = {key: k for k, stage in enumerate(stages) for key in stage["keys"]}
    blocks = []
    loose = [key for key in changed if key not in owner]
    if loose:
        blocks.append(({"name": "changes before fitting",
                        "source": "set by the user with Cell.with_parameters"}, loose))
    for k, stage in enumerate(stages):
        keys = [key for key in stage["keys"] if owner[key] == k]
        if keys:
            blocks.append((stage, keys))
    for stage, keys in blocks:
        text += f"\n[[blocks]]\nname = {json.dumps(stage['name'])}\n"
        text += f"source = {json.dumps(stage['source'])}\n[blocks.parameters]\n"
        for key in keys:
            text += f"{json.dumps(key)} = {_toml_value(key, new[key], old[key])}\n"
    return text


def write_parameter_file(path: str | Path, cell, stages: Sequence[dict] = (), *,
                         name: str | None = None, cell_id: str | None = None) -> Path:
    """Write :func:`parameter_file_text` to ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(parameter_file_text(cell, stages, name=name, cell_id=cell_id),
                    encoding="utf-8")
    return path


def _replace_line(text: str, key: str, value: str) -> str:
    return re.sub(rf"^{key}\s*=.*$", f"{key} = {value}", text, count=1, flags=re.MULTILINE)


def _replace_string(text: str, key: str, value: str) -> str:
    """``text`` with the top-level string ``key`` (one line or a triple-quoted block) set to
    ``value``, or added."""
    line = f"{key} = {json.dumps(value)}"
    text, found = re.subn(rf'^{key}\s*=\s*(""".*?"""|".*?")[ \t]*$', lambda _: line, text,
                          count=1, flags=re.MULTILINE | re.DOTALL)
    # a key the file lacks goes before its first table
    return text if found else re.sub(r"^\[", lambda _: f"{line}\n\n[", text, count=1,
                                     flags=re.MULTILINE)


def _replace_table(text: str, name: str, table: dict[str, Any]) -> str:
    """``text`` with its ``[name]`` table (up to the next table) replaced by ``table``, whose
    values are numbers or strings."""
    body = "".join(f"{key} = {json.dumps(v) if isinstance(v, str) else repr(float(v))}\n"
                   for key, v in table.items())
    return re.sub(rf"^\[{name}\]\n.*?(?=^\[|\Z)", lambda _: f"[{name}]\n{body}\n", text,
                  count=1, flags=re.MULTILINE | re.DOTALL)


def _toml_value(key: str, value: Any, base_value: Any) -> str:
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return repr(float(value))
    if callable(value):
        factor = scale_chain(value, base_value)
        if factor is not None:
            return f"{{ scale = {factor!r} }}"
    raise InputError(f"{key!r}: only numbers and factors on the base cell's functions can be "
                     f"written to a parameter file, not {value!r}")
