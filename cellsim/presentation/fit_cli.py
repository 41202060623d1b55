"""``cellsim fit spec.toml``: fit a cell to measured data from a spec.

Writes the fitted parameter file (the spec's ``output``), and next to it
``<id>_fit_table.csv`` (every stage's parameters with start, fitted value, bounds and 95 %
interval), ``<id>_replays.csv`` (RMSE on each measurement) and ``<id>_fit.png`` (measured against
fitted voltage).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd


def add_fit_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``fit`` command to the ``cellsim`` parser's subparsers; return its parser."""
    p = subparsers.add_parser("fit", help="fit a cell to measured data from a TOML spec")
    p.add_argument("spec", type=Path, nargs="+",
                   help="fit spec(s) (TOML; see cellsim.studies.fit_spec), run in turn")
    p.add_argument("--workers", type=int, help="worker processes for the model evaluations")
    p.set_defaults(run=run_fit_command)
    return p


def run_fit_command(args: argparse.Namespace) -> int:
    """Run each spec's stages; write its parameter file, table and figure. Exit 1 if a stage
    did not converge (its files are written all the same)."""
    status = 0
    for path in args.spec:
        status = max(status, _run_one(path, args.workers))
    return status


def _run_one(path: Path, workers: int | None) -> int:
    import matplotlib.pyplot as plt

    from ..studies.fit_spec import load_fit_spec, run_fit_spec

    spec = load_fit_spec(path)
    results = run_fit_spec(spec, workers=workers)
    out = spec.output
    last = results[-1]
    last.to_toml(out, name=spec.name, cell_id=spec.cell_id)
    stem = out.with_suffix("")
    tables = [r.table.assign(stage=k, converged=r.success) for k, r in enumerate(results)]
    pd.concat(tables).to_csv(f"{stem}_fit_table.csv", index=False)
    rows = [{"stage": k, **rep.summary()} for k, r in enumerate(results) for rep in r.replays]
    pd.DataFrame(rows).to_csv(f"{stem}_replays.csv", index=False)
    fig = last.plot()
    fig.savefig(f"{stem}_fit.png", dpi=110)
    plt.close(fig)
    for k, r in enumerate(results):
        rmse = ", ".join(f"{n} {v:.1f} mV" for n, v in r.rmse_mV.items())
        print(f"stage {k}: {'converged' if r.success else 'NOT converged'} ({r.message}); "
              f"RMSE {rmse}; {r.n_evaluations} evaluations in {r.elapsed_s:.0f} s")
    print(f"fitted cell: {out}")
    return 0 if all(r.success for r in results) else 1
