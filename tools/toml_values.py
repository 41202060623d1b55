"""Write fitted values into a parameter-set file in place (the calibration tools' ``--write``).

Only the value of each named key changes: ``"KEY" = VALUE`` lines keep their place, block,
source and note (say in the note which tool writes the value).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PARAMETER_SETS = Path(__file__).resolve().parents[1] / "parameter_sets"


def toml_number(value: float) -> str:
    """``value`` with five significant digits, as TOML."""
    return repr(float(f"{value:.5g}"))


def set_values(chemistry: str, values: dict[str, str]) -> Path:
    """Replace the value of each key of ``values`` (TOML text) in ``parameter_sets/CHEMISTRY.toml``;
    every key must be there exactly once. Returns the file's path."""
    path = PARAMETER_SETS / f"{chemistry}.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        pattern = rf"^{re.escape(json.dumps(key))}\s*=.*$"
        if len(re.findall(pattern, text, flags=re.MULTILINE)) != 1:
            raise KeyError(f"{path.name}: {key!r} must appear exactly once")
        text = re.sub(pattern, lambda _: f"{json.dumps(key)} = {value}", text,
                      flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    return path
