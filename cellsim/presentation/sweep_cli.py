"""``cellsim sweep spec.toml --out results/``: run a sweep spec from the command line.

Writes the store to ``<out>/store/`` (a rerun resumes from it) and the table to
``<out>/sweep.csv``, and prints how many cases were ok, failed and cached.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_sweep_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the ``cellsim`` parser's subparsers; return its parser."""
    p = subparsers.add_parser("sweep", help="run a parameter sweep from a TOML spec")
    p.add_argument("spec", type=Path, help="sweep spec (TOML; see cellsim.studies.sweep_spec)")
    p.add_argument("--out", type=Path, default=Path("sweep_results"),
                   help="output folder: store/ and sweep.csv")
    p.add_argument("--backend", choices=("local", "dask"), help="override the spec's backend")
    p.add_argument("--workers", type=int, help="worker processes (default: CPU count)")
    p.add_argument("--scheduler", help="dask scheduler address (default: a LocalCluster)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run_sweep_command)
    return p


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep of ``args.spec``; return the exit status (0, cases failing or not)."""
    from ..studies.sweep import sweep
    from ..studies.sweep_spec import load_spec

    spec = load_spec(args.spec)
    backend = args.backend or spec.backend
    table = sweep(
        spec.study,
        spec.cases,
        backend=backend,
        store=args.out / "store",
        client=(args.scheduler or spec.scheduler) if backend == "dask" else None,
        workers=args.workers or spec.workers,
        progress=not args.no_progress,
    )
    csv = args.out / "sweep.csv"
    table.to_csv(csv, index=False)
    ok = int((table["status"] == "ok").sum())
    print(f"{len(table)} cases: {ok} ok, {len(table) - ok} failed, "
          f"{int(table['cached'].sum())} from the store; table: {csv}")
    return 0
