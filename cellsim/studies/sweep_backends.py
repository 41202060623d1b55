"""Where sweep cases run: local worker processes or a Dask cluster, through one function.

Both backends execute :func:`run_case` on a worker and yield ``(key, record, keep)`` in the
order cases finish; the caller (the client) writes kept records to the store. ``keep`` is
False when the infrastructure, not the case, failed (a worker process died and the task was
given up), so a rerun tries the case again.

Workers are long-lived processes: cellsim, PyBaMM and the study are imported once per worker
and numba kernels compiled by the fast engine stay loaded for every later case; the shipped
cells, drive cycles and the default vehicle are cached per worker too.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib import import_module
from typing import Any

from ..errors import InputError
from .case_inputs import STUDIES, study_arguments, study_function

Outcome = tuple[str, dict[str, Any], bool]
BACKENDS = ("local", "dask")
DASK_RETRIES = 2


def run_case(study: str, case: Mapping[str, Any]) -> dict[str, Any]:
    """Run one case of ``study``; never raises for a failing case.

    Returns
    -------
    dict
        ``{"status": "ok" | "failed", "metrics": summary dict, "error": message | None,
        "elapsed_s": wall time}``.
    """
    start_s = time.perf_counter()
    try:
        result = study_function(study)(**study_arguments(study, case))
        metrics = {key: _plain(value) for key, value in result.summary().items()}
        status, error = "ok", None
    except Exception as err:  # a failing case is a result, recorded with its message
        metrics, status, error = {}, "failed", f"{type(err).__name__}: {err}"
    return {"status": status, "metrics": metrics, "error": error,
            "elapsed_s": time.perf_counter() - start_s}


def lost_record(err: BaseException) -> dict[str, Any]:
    """Record of a case whose worker died: failed, not stored (a rerun retries it)."""
    return {"status": "failed", "metrics": {}, "elapsed_s": float("nan"),
            "error": f"worker lost ({type(err).__name__}: {err}); not stored, rerun to retry"}


def execute(backend: str, study: str, todo: Mapping[str, Mapping[str, Any]],
            client: Any = None, workers: int | None = None) -> Iterator[Outcome]:
    """Run the cases ``todo`` (key → case) on ``backend``; yield outcomes as they finish."""
    if not todo:
        return iter(())
    if backend == "local":
        if client is not None:
            raise InputError("client= is for backend='dask'; the local backend takes workers=")
        return _run_local(study, todo, workers)
    return _run_dask(study, todo, client, workers)


def check_workers(workers: int | None) -> int | None:
    """``workers`` if None or an integer ≥ 1, else raise."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise InputError(f"workers={workers!r} is not an integer ≥ 1")
    return workers


# --------------------------------------------------------------------------------------- local


def _run_local(study: str, todo: Mapping[str, Mapping[str, Any]],
               workers: int | None) -> Iterator[Outcome]:
    n_workers = min(workers or os.cpu_count() or 1, len(todo))
    with ProcessPoolExecutor(n_workers, mp_context=_context(), initializer=_warm,
                             initargs=(study,)) as pool:
        futures = {pool.submit(run_case, study, dict(case)): key for key, case in todo.items()}
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result(), True
                except Exception as err:  # BrokenProcessPool: a worker died
                    yield futures[future], lost_record(err), False
        finally:
            for future in futures:
                future.cancel()


def _context() -> multiprocessing.context.BaseContext:
    """Spawn: fresh worker processes that import the study in :func:`_warm`.

    Not the forkserver: its server and preload list are global to the Python process, so
    starting it with cellsim preloaded changed how every later user of the forkserver (a Dask
    ``LocalCluster``'s nannies among them) started its processes, and a ``backend="dask"``
    sweep after a local one failed with ``Nanny failed to start``. Spawn leaves no global
    state behind; the workers import cellsim in parallel, once each.
    """
    return multiprocessing.get_context("spawn")


def _warm(study: str) -> None:
    """Worker initializer: import the study (and PyBaMM) before the first case."""
    import_module(STUDIES[study])


# ---------------------------------------------------------------------------------------- dask


def _run_dask(study: str, todo: Mapping[str, Mapping[str, Any]], client: Any,
              workers: int | None) -> Iterator[Outcome]:
    try:
        import distributed
    except ImportError:
        raise InputError(
            "backend='dask' needs dask.distributed: pip install 'cellsim[dask]'"
        ) from None
    owned: list[Any] = []
    if client is None:
        cluster = distributed.LocalCluster(
            n_workers=min(workers or os.cpu_count() or 1, len(todo)), threads_per_worker=1,
            processes=True, dashboard_address=None,
        )
        client = distributed.Client(cluster)
        owned = [client, cluster]
    elif isinstance(client, str):
        client = distributed.Client(client)
        owned = [client]
    keys = list(todo)
    futures = client.map(run_case, [study] * len(keys), [dict(todo[k]) for k in keys],
                         key=[f"cellsim-{study}-{k}" for k in keys], retries=DASK_RETRIES,
                         pure=False)
    by_future = {future.key: key for future, key in zip(futures, keys)}
    try:
        for future in distributed.as_completed(futures):
            try:
                yield by_future[future.key], future.result(), True
            except Exception as err:  # KilledWorker: the task's workers died too often
                yield by_future[future.key], lost_record(err), False
            future.release()
    finally:
        client.cancel(futures)
        for resource in owned:
            resource.close()


def _plain(value: Any) -> Any:
    """A numpy scalar as a Python scalar, so records are plain JSON."""
    return value.item() if hasattr(value, "item") and callable(value.item) else value
