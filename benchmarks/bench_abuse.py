"""Speed and step convergence of the abuse kinetics: ``python benchmarks/bench_abuse.py``.

For each chemistry: wall time of :func:`cellsim.arc_test` (cold: first call in the process,
including the kernel's compile or cache load and the cell's abuse model; warm: median of 5
further calls, each rebuilding the abuse model from the cell), the number of steps, the peak
self-heating rate (how far T2's 1 °C/s criterion is from being ill-conditioned), and the change of
T2 and T3 when the step limits are halved ("none" where neither run reaches 1 °C/s). Prints a
Markdown table.
"""

from __future__ import annotations

import math
import statistics
import time

import cellsim
from cellsim.studies.abuse import RUNAWAY_RATE_K_PER_S

HALVED = {"dT_max_K": 0.5, "dc_max": 0.01, "dt_max_s": 30.0}


def main() -> None:
    """Measure and print the table."""
    print("| chemistry | ARC cold [s] | ARC warm [s] | steps | peak self-heating [°C/s] | T2 [°C] | "
          "T2 change, halved step | T3 change, halved step |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for chemistry in cellsim.chemistries():
        cell = cellsim.Cell.from_chemistry(chemistry)
        t0 = time.perf_counter()
        result = cellsim.arc_test(cell)
        cold_s = time.perf_counter() - t0
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            cellsim.arc_test(cell)
            warm.append(time.perf_counter() - t0)
        halved = cellsim.arc_test(cell, step_control=HALVED)
        peak = result.data["self_heating_K_per_s"].max()
        print(f"| {chemistry} | {cold_s:.2f} | {statistics.median(warm):.3f} | {len(result.data)} | "
              f"{peak:.3g} | {_trigger(result.trigger_C)} | "
              f"{_change(result.trigger_C, halved.trigger_C)} | "
              f"{_change(result.max_C, halved.max_C)} |")


def _trigger(trigger_C: float) -> str:
    return "none" if math.isnan(trigger_C) else f"{trigger_C:.1f}"


def _change(value: float, halved: float) -> str:
    """Relative change in %, "none" if both are NaN (no T2), "appears/vanishes" if one is."""
    if math.isnan(value) and math.isnan(halved):
        return "none"
    if math.isnan(value) != math.isnan(halved):
        return f"ill-conditioned (peak near {RUNAWAY_RATE_K_PER_S:g} °C/s)"
    return f"{100 * (halved / value - 1):+.3f} %"

if __name__ == "__main__":
    main()
