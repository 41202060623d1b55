"""On-disk store of sweep results: one checksummed JSON file per finished case.

Layout: ``<store>/<key>.json`` where ``key`` is the SHA-256 of the canonical JSON of
``{"study", "case", "cellsim_version"}``, so the same case of the same study under the same
cellsim version is found again, and a new cellsim version recomputes. Each file holds::

    {"key", "study", "case", "cellsim_version", "record", "sha256"}

with ``sha256`` the checksum of the canonical JSON of the other fields. Writes go to a
temporary file in the folder, are flushed to disk and moved into place with ``os.replace``
(atomic on POSIX and Windows), so a reader sees a whole entry or none. An entry that does not
parse, or whose key or checksum does not match, gets a :class:`StoreWarning` and is treated
as missing: the case is recomputed and the entry overwritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError


class StoreWarning(UserWarning):
    """A store entry was unreadable or failed its checksum; the case will be recomputed."""


def canonical_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """``case`` as JSON-ready values: numbers as floats (so ``1`` and ``1.0`` agree).

    A ``Vehicle`` becomes its fields (a function field by its qualified name).

    Raises
    ------
    InputError
        If a value is not a string, number, bool, None or Vehicle, or is not finite.
    """
    return {str(key): _canonical_value(key, value) for key, value in case.items()}


def case_key(study: str, case: Mapping[str, Any]) -> str:
    """Content hash of a case: SHA-256 hex of study, canonical case and cellsim version."""
    payload = {"study": study, "case": canonical_case(case), "cellsim_version": __version__}
    return hashlib.sha256(_dumps(payload).encode()).hexdigest()


class SweepStore:
    """A folder of finished cases (created if missing).

    Parameters
    ----------
    path
        The folder.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"store={str(path)!r} cannot be created: {err}") from None

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored record of ``key``, or None if absent or corrupt (with a warning)."""
        file = self._file(key)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            entry = json.loads(text)
            checksum = entry.pop("sha256")
            ok = checksum == _checksum(entry) and entry["key"] == key
            record = entry["record"]
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            reason = f"unreadable ({type(err).__name__}: {err})"
        else:
            if ok:
                return record
            reason = "checksum or key mismatch"
        warnings.warn(f"sweep store entry {file} is {reason}; recomputing the case",
                      StoreWarning, stacklevel=2)
        return None

    def save(
        self, key: str, study: str, case: Mapping[str, Any], record: Mapping[str, Any]
    ) -> None:
        """Write the record of a finished case atomically (temporary file + ``os.replace``)."""
        entry = {"key": key, "study": study, "case": canonical_case(case),
                 "cellsim_version": __version__, "record": dict(record)}
        entry["sha256"] = _checksum(entry)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(_dumps(entry))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._file(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def keys(self) -> list[str]:
        """Keys of the entries present (not checked)."""
        return sorted(p.stem for p in self.path.glob("*.json"))

    def _file(self, key: str) -> Path:
        return self.path / f"{key}.json"


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _checksum(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(_dumps(entry).encode()).hexdigest()


def _canonical_value(key: str, value: Any) -> Any:
    from ..load.vehicle import Vehicle

    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, Vehicle):
        return {"Vehicle": {f.name: _field(getattr(value, f.name))
                            for f in dataclasses.fields(value)}}
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{key}={value!r} is a {type(value).__name__}; allowed in a case: "
            "strings, numbers, bools or a Vehicle"
        ) from None
    if not math.isfinite(number):
        raise InputError(f"{key}={value!r} is not finite")
    return number


def _field(value: Any) -> Any:
    if callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    return value
