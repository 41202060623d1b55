"""Benchmark: model evaluations after a parameter change, and a 1000-case cell-design sweep.

Issue 11 targets: (a) one model evaluation after a parameter change (``Cell.with_parameters``
plus a 1C discharge on the fast engine) ≤ 20 ms; (b) a 1000-case cell-design sweep
(thickness × porosity × C-rate) on 2 workers ≤ 2 min.

(a) ncm811, 1C discharge from 100 % SOC at 25 °C, SPMe, lumped thermal, through
    ``cellsim.discharge``; each repetition makes a new cell (a new factor or value each time, so
    nothing is reused but the base cell's tables) and discharges it; the median and the minimum
    of ``--repeats`` repetitions are reported per kind of change, with the unchanged cell's
    discharge for reference. The base cell's tables are built (or read from the disk cache)
    before timing. Wall and CPU time (``time.process_time``) are both recorded: on a shared
    machine the CPU time of this single-threaded work is what it costs on an idle one.
(b) ``cellsim.sweep("discharge", cases, workers=2)`` over ncm811 cells: both electrode
    thicknesses × the same factor (10 values, 0.8 to 1.7: balanced thick electrodes), positive
    porosity (10 values, 0.20 to 0.38, the dry-coating recipe of ``case_inputs``) and C-rate
    (10 values, 0.2 to 3C), fast engine, SPMe, lumped thermal, no store. Worker start-up
    (imports, kernel load, the base cell's tables from the disk cache) is counted. Wall time is
    recorded, and the CPU time the 1000 cases need (every 10th case run again in this process
    under ``time.process_time``, scaled by 10), which on 2 idle cores is the sweep's wall time
    less worker start-up.

Run ``python benchmarks/bench_parameter_changes.py`` from the repository root; it prints the
results and, with ``--write``, merges them into ``results.json`` (key ``parameter_changes``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cellsim  # noqa: E402
from cellsim.studies.sweep import sweep  # noqa: E402
from cellsim.studies.sweep_backends import run_case  # noqa: E402

HERE = Path(__file__).resolve().parent
F = cellsim.Factor
CHANGES = {  # kind of change -> updates for repetition i
    "negative diffusivity factor": lambda i: {
        "Negative particle diffusivity [m2.s-1]": F(0.5 + 0.05 * i)},
    "positive exchange-current factor": lambda i: {
        "Positive electrode exchange-current density [A.m-2]": F(0.5 + 0.05 * i)},
    "positive thickness": lambda i: {"Positive electrode thickness [m]": F(0.8 + 0.02 * i)},
    "positive porosity": lambda i: {"Positive electrode porosity": 0.25 + 0.005 * i},
}
THICKNESS_FACTORS = np.round(np.linspace(0.8, 1.7, 10), 3).tolist()
POROSITIES = np.round(np.linspace(0.20, 0.38, 10), 3).tolist()
C_RATES = [0.2, 0.33, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]
SAMPLE_EVERY = 10  # CPU time of the cases, from every 10th case run in this process


def one_c_discharge(cell: cellsim.Cell):
    return cellsim.discharge(cell, 1.0, 25.0, model="SPMe", engine="fast", thermal="lumped")


def evaluation_times_ms(repeats: int) -> dict[str, dict[str, float]]:
    """Median and minimum [ms] of with_parameters + 1C discharge, per kind of change."""
    cell = cellsim.Cell.from_chemistry("ncm811")
    one_c_discharge(cell)  # base tables and kernel load
    one_c_discharge(cell.with_parameters(CHANGES["negative diffusivity factor"](0)))
    results = {}
    kinds = {"unchanged (reference)": None, **CHANGES}
    for kind, updates in kinds.items():
        wall, cpu = [], []
        for i in range(repeats):
            start_s, start_cpu_s = time.perf_counter(), time.process_time()
            one_c_discharge(cell if updates is None else cell.with_parameters(updates(i + 1)))
            cpu.append(1e3 * (time.process_time() - start_cpu_s))
            wall.append(1e3 * (time.perf_counter() - start_s))
        results[kind] = {"median_ms": statistics.median(wall), "min_ms": min(wall),
                         "cpu_median_ms": statistics.median(cpu), "cpu_min_ms": min(cpu)}
    return results


def design_cases() -> list[dict[str, object]]:
    """The 1000 design cases: thickness factor × positive porosity × C-rate."""
    fixed = {"chemistry": "ncm811", "engine": "fast", "model": "SPMe", "thermal": "lumped"}
    return [{**fixed, "negative_thickness_factor": t, "positive_thickness_factor": t,
             "positive_porosity": p, "c_rate": c}
            for t in THICKNESS_FACTORS for p in POROSITIES for c in C_RATES]


def design_sweep(workers: int) -> dict[str, float]:
    """Wall time and outcome of the 1000-case design sweep."""
    cases = design_cases()
    start_s = time.perf_counter()
    table = sweep("discharge", cases, backend="local", workers=workers, progress=False)
    wall_s = time.perf_counter() - start_s
    sample = cases[::SAMPLE_EVERY]
    start_cpu_s = time.process_time()
    for case in sample:
        run_case("discharge", case)
    cpu_s = (time.process_time() - start_cpu_s) * len(cases) / len(sample)
    ok = table[table["status"] == "ok"]
    return {"cases": len(cases), "workers": workers, "wall_s": wall_s,
            "cases_cpu_s_estimate": cpu_s, "cases_cpu_s_per_worker": cpu_s / workers,
            "failed": int((table["status"] != "ok").sum()),
            "energy_Wh_min": float(ok["energy_Wh"].min()),
            "energy_Wh_max": float(ok["energy_Wh"].max())}


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print (and optionally store) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="merge into results.json")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    evaluations = evaluation_times_ms(args.repeats)
    for kind, t in evaluations.items():
        print(f"{kind}: wall median {t['median_ms']:.1f} ms (min {t['min_ms']:.1f}); CPU median "
              f"{t['cpu_median_ms']:.1f} ms (min {t['cpu_min_ms']:.1f})")
    swept = design_sweep(args.workers)
    print(f"design sweep: {swept}")
    if args.write:
        path = HERE / "results.json"
        results = json.loads(path.read_text(encoding="utf-8"))
        results["parameter_changes"] = {
            "date": time.strftime("%Y-%m-%d"), "load_average_1min": os.getloadavg()[0],
            "evaluation_after_change_ms": evaluations,
            "design_sweep": swept, "targets": {"evaluation_ms": 20.0, "sweep_s": 120.0}}
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
