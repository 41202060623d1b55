"""Benchmark: an N-case WLTC range sweep with the fast engine on 1 and 2 local workers.

Run ``python benchmarks/bench_sweep.py --cases 1000`` (from the repository root); prints a
markdown table of wall time, cases/s and parallel efficiency ``(t_1 / t_n) / n``, all
measured in one run. The cases are a Latin hypercube over ambient temperature and pack size
for two chemistries (no store, so nothing is cached). A short sweep first fills numba's
on-disk kernel cache so neither measured run pays for compilation; worker start-up (import,
shipped cell, drive cycle) is counted in every run.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cellsim.studies.cases import latin_hypercube  # noqa: E402
from cellsim.studies.sweep import sweep  # noqa: E402

FIXED = {"cycle": "wltc_class3b", "pack_voltage_V": 400.0, "engine": "fast", "model": "SPMe"}
CHEMISTRIES = ("ncm811", "ncm523")


def range_cases(n: int, seed: int = 0) -> list[dict[str, object]]:
    """``n`` WLTC range-test cases: ambient −10…40 °C, pack 50…100 kWh, two chemistries."""
    samples = latin_hypercube(n, seed, ambient_C=(-10.0, 40.0), pack_kWh=(50.0, 100.0))
    return [{**FIXED, "chemistry": CHEMISTRIES[i % 2], **case} for i, case in enumerate(samples)]


def timed_sweep(cases: list[dict[str, object]], workers: int) -> tuple[float, int]:
    """Wall time of a local sweep and its number of failed cases."""
    start_s = time.perf_counter()
    table = sweep("range_test", cases, backend="local", workers=workers, progress=False)
    return time.perf_counter() - start_s, int((table["status"] != "ok").sum())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="number of cases (default 1000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    cases = range_cases(args.cases)
    timed_sweep(range_cases(2, seed=1), workers=max(args.workers))  # compile numba kernels
    print(f"{args.cases}-case WLTC range sweep, fast engine, local backend\n")
    print("| workers | wall time (s) | cases/s | parallel efficiency | failed |")
    print("|--------:|--------------:|--------:|--------------------:|-------:|")
    base_s = None
    for workers in args.workers:
        wall_s, failed = timed_sweep(cases, workers)
        base_s = base_s or wall_s * workers
        efficiency = base_s / wall_s / workers
        print(f"| {workers} | {wall_s:.1f} | {args.cases / wall_s:.2f} | {efficiency:.0%} | "
              f"{failed} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
