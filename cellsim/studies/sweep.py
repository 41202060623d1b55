"""Batch parameter sweeps: run a study over many cases, in parallel, resumable.

>>> import cellsim
>>> cases = cellsim.grid(chemistry=["ncm523", "ncm811"], c_rate=[0.5, 1, 2])
>>> table = cellsim.sweep("discharge", cases, store="runs/rate")   # doctest: +SKIP

Every case is checked before any runs (:mod:`cellsim.studies.case_inputs` lists what a case
may hold). Cases already in the store are read back, the others run on the backend
(:mod:`cellsim.studies.sweep_backends`) and are written to the store as each finishes
(:mod:`cellsim.studies.sweep_store`), so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tqdm.auto import tqdm

from ..errors import InputError
from .case_inputs import check_cases, study_name
from .sweep_backends import BACKENDS, check_workers, execute
from .sweep_store import SweepStore, case_key
from .sweep_table import SweepTable

STATUS_COLUMNS = ["status", "error", "cached", "elapsed_s", "case_key"]


def sweep(
    study: str | Callable[..., Any],
    cases: Iterable[Mapping[str, Any]],
    backend: str = "local",
    store: str | os.PathLike[str] | None = None,
    client: Any = None,
    workers: int | None = None,
    progress: bool = True,
) -> SweepTable:
    """Run ``study`` once per case and return one row per case.

    Parameters
    ----------
    study
        A cellsim study (``cellsim.discharge``, ``cellsim.range_test``, ...) or its name.
    cases
        Dicts of inputs: from :func:`~cellsim.grid`, :func:`~cellsim.latin_hypercube` or an
        explicit list. Identical cases run once.
    backend
        ``"local"`` (worker processes on this machine) or ``"dask"`` (dask.distributed;
        ``pip install 'cellsim[dask]'``).
    store
        Folder of the result store; finished cases are written there and read back on a
        rerun. None keeps nothing on disk.
    client
        Dask only: a ``distributed.Client`` or a scheduler address (``"tcp://host:8786"``).
        None starts a ``LocalCluster`` of ``workers`` processes for this sweep.
    workers
        Worker processes (local backend, or the LocalCluster); default ``os.cpu_count()``.
    progress
        Show a tqdm bar with cases done, failed and cached, and an ETA.

    Returns
    -------
    SweepTable
        A pandas DataFrame (:mod:`cellsim.studies.sweep_table`: ``table.plot(x, y)`` draws a
        metric against an input, ``attrs["inputs"]`` names the input columns). In case
        order: the case inputs, the study's ``summary()`` metrics (NaN for a failed
        case; a metric named like an input keeps the input's value), then ``status``
        (``"ok"``/``"failed"``), ``error`` (message or None),
        ``cached`` (read from the store), ``elapsed_s`` (run time of the case) and
        ``case_key`` (its store key).

    Raises
    ------
    InputError
        Before any case runs, naming the case index and key, for an unknown study,
        parameter, chemistry or cycle, an empty grid, a value out of physical range, or a
        bad backend option.
    """
    name = study_name(study)
    case_list = _case_list(cases)
    if backend not in BACKENDS:
        raise InputError(f"backend={backend!r} is unknown; allowed: {', '.join(BACKENDS)}")
    check_workers(workers)
    check_cases(name, case_list)
    keys = [case_key(name, case) for case in case_list]
    unique = dict(zip(keys, case_list))
    results_store = SweepStore(store) if store is not None else None
    records = {}
    if results_store is not None:
        for key in unique:
            record = results_store.load(key)
            if record is not None:
                records[key] = record
    cached = set(records)
    todo = {key: case for key, case in unique.items() if key not in cached}
    with _Progress(name, len(unique), len(cached), enabled=progress) as bar:
        for key, record, keep in execute(backend, name, todo, client, workers):
            if keep and results_store is not None:
                results_store.save(key, name, unique[key], record)
            records[key] = record
            bar.finished(record["status"])
    return _table(case_list, keys, records, cached)


def _case_list(cases: Any) -> list[Mapping[str, Any]]:
    if isinstance(cases, Mapping) or isinstance(cases, (str, bytes)):
        raise InputError("cases must be a list of dicts (e.g. grid(...)), not a single "
                         f"{type(cases).__name__}")
    try:
        return list(cases)
    except TypeError:
        raise InputError(f"cases={cases!r} is not a list of dicts") from None


class _Progress:
    """tqdm bar over the unique cases; cached ones count as done from the start."""

    def __init__(self, study: str, total: int, cached: int, enabled: bool) -> None:
        self.counts = {"done": 0, "failed": 0, "cached": cached}
        self.bar = tqdm(total=total, initial=cached, desc=f"sweep {study}", unit="case",
                        disable=not enabled, dynamic_ncols=True)
        self.bar.set_postfix(self.counts, refresh=False)

    def finished(self, status: str) -> None:
        self.counts["done" if status == "ok" else "failed"] += 1
        self.bar.set_postfix(self.counts, refresh=False)
        self.bar.update(1)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _table(cases: list[Mapping[str, Any]], keys: list[str], records: Mapping[str, Any],
           cached: set[str]) -> SweepTable:
    rows, inputs, metrics = [], {}, {}
    for case, key in zip(cases, keys):
        record = records[key]
        row = {k: getattr(v, "name", v) for k, v in case.items()}  # a Vehicle by its name
        inputs.update(dict.fromkeys(row))
        metrics.update(dict.fromkeys(record["metrics"]))
        rows.append({**record["metrics"], **row, "status": record["status"],
                     "error": record["error"], "cached": key in cached,
                     "elapsed_s": record["elapsed_s"], "case_key": key})
    metrics = [m for m in metrics if m not in inputs]  # a summary may echo an input
    table = SweepTable(rows, columns=[*inputs, *metrics, *STATUS_COLUMNS])
    table.attrs["inputs"] = list(inputs)
    return table
