"""``cellsim abuse``: ARC characteristic temperatures or an oven test, per chemistry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from .cli_support import chemistry_ids, emit, numbers


def add_abuse_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``abuse`` command to the ``cellsim`` parser's subparsers; return its parser."""
    p = subparsers.add_parser(
        "abuse", help="thermal abuse: ARC onset/trigger/max temperatures or an oven test")
    p.add_argument("--chemistry", default="all", help="ids separated by commas, or 'all'")
    p.add_argument("--test", choices=("arc", "oven"), default="arc",
                   help="heat-wait-seek ARC (default) or oven exposure")
    p.add_argument("--soc", default="1", help="states of charge 0-1, by commas")
    p.add_argument("--oven", default="150", help="oven temperatures in °C (20-400), by commas")
    p.add_argument("--h", type=float, help="oven heat-transfer coefficient, W/m2K (> 0)")
    p.add_argument("--hours", type=float, default=4.0, help="oven test duration, h")
    p.add_argument("--out", type=Path, help="save the figure to this file (.png, .pdf, .svg)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run_abuse_command)
    return p


def run_abuse_command(args: argparse.Namespace) -> int:
    """Run the abuse test of ``args``; print the table and optionally save the figure."""
    from ..chemistry.cell import Cell
    from ..studies.abuse import arc_test, oven_test
    from .abuse_plots import plot_arc, plot_oven

    results = []
    for chemistry in chemistry_ids(args.chemistry):
        cell = Cell.from_chemistry(chemistry)
        for soc in numbers("soc", args.soc):
            if args.test == "arc":
                results.append(arc_test(cell, soc=soc))
                continue
            for oven_C in numbers("oven", args.oven):
                results.append(oven_test(cell, oven_C, soc=soc, h_W_per_m2K=args.h,
                                         duration_s=args.hours * 3600.0))
    emit(pd.DataFrame([r.summary() for r in results]), args.json)
    if args.out:
        figure = (plot_arc if args.test == "arc" else plot_oven)(results)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(args.out, dpi=120)
    return 0
