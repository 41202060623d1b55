"""Helpers shared by the command-line modules: parsing comma lists, printing tables and
writing output files (checked before any computation; never losing a computed result)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import InputError, OutputError

FIGURE_DPI = 120


def chemistry_ids(text: str) -> list[str]:
    """Chemistry ids from ``"ncm811,lfp"`` or ``"all"``."""
    from ..chemistry.cell import chemistries

    return chemistries() if text == "all" else [c.strip() for c in text.split(",") if c.strip()]


def numbers(field: str, text: str) -> list[float]:
    """Numbers from ``"25,-7"``; an InputError naming ``field`` otherwise."""
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{field}={text!r} must be numbers separated by commas") from None
    if not values:
        raise InputError(f"{field}={text!r}: give at least one number")
    return values


def emit(table: pd.DataFrame, as_json: bool) -> None:
    """Print ``table`` as text, or as JSON records (NaN written as null)."""
    if as_json:
        records = table.to_dict(orient="records")
        clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                  for k, v in r.items()} for r in records]
        print(json.dumps(clean, indent=2, default=float))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))


def check_output_file(field: str, path: Path) -> Path:
    """``path`` if a figure can be written there (a format matplotlib writes, in a folder that
    exists or can be made, writable); an InputError naming ``field`` otherwise. Called before
    any computation."""
    from matplotlib.figure import Figure

    if path.is_dir():
        raise InputError(f"{field}={str(path)!r} is a folder; give a file name such as "
                         f"{path / 'figure.png'}")
    formats = Figure().canvas.get_supported_filetypes()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise InputError(f"{field}={str(path)!r}: the file name must end with a figure format; "
                         f"allowed: {', '.join('.' + f for f in sorted(formats))}")
    check_output_folder(field, path.parent)
    return path


def check_output_folder(field: str, folder: Path) -> Path:
    """``folder`` if it exists and is writable, or can be created (its nearest existing parent
    is a writable folder); an InputError naming ``field`` otherwise."""
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{field}={str(folder)!r}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{field}={str(folder)!r}: cannot write in {existing} (permission "
                         "denied); allowed: a folder you can write to")
    return folder


class OutputWriter:
    """Writes a command's files into a folder. If a write fails (disk full, permissions
    changed while computing), that file and the ones after it go to a new temporary folder
    instead, so a computed result is never lost; :meth:`finish` then raises an
    :class:`~cellsim.errors.OutputError` saying where they are."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fallback: Path | None = None
        self.failures: list[str] = []
        self.written: list[Path] = []

    def write(self, name: str, save: Callable[[Path], object]) -> Path:
        """Save one file with ``save(path)``; return where it went."""
        if self.fallback is None:
            path = self.folder / name
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                save(path)
                self.written.append(path)
                return path
            except OSError as err:
                self.failures.append(f"{path}: {err.strerror or err}")
                self.fallback = Path(tempfile.mkdtemp(prefix="cellsim_output_"))
        path = self.fallback / name
        save(path)
        self.written.append(path)
        return path

    def figure(self, name: str, make_figure: Callable[[], object]) -> Path:
        """Draw a figure and save it as ``name``."""
        figure = make_figure()
        return self.write(name, lambda path: figure.savefig(path, dpi=FIGURE_DPI))

    def finish(self) -> list[Path]:
        """The paths written; raise OutputError if some went to the fallback folder."""
        if self.failures:
            raise OutputError(f"could not write {'; '.join(self.failures)}; the results were "
                              f"saved to {self.fallback} instead")
        return self.written
