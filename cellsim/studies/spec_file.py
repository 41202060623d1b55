"""Read a TOML spec file (sweep, fit) into a dict, with errors naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..errors import InputError


def read_spec(path: Path, kind: str) -> dict[str, Any]:
    """The TOML table in ``path``; raise naming the file if it is missing or not TOML.

    ``kind`` names the spec in the message (``"sweep"``, ``"fit"``).
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such {kind} spec") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML ({err})") from None
