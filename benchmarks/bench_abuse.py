"""Speed and step convergence of the abuse kinetics: ``python benchmarks/bench_abuse.py``.

For each chemistry: wall time of :func:`cellsim.arc_test` (cold: first call in the process,
including the kernel's compile or cache load and the cell's abuse model; warm: median of 5
further calls, each rebuilding the abuse model from the cell), the number of steps, and the change of
T2 and T3 when the step limits are halved. Prints a Markdown table.
"""

from __future__ import annotations

import statistics
import time

import cellsim

HALVED = {"dT_max_K": 0.5, "dc_max": 0.01, "dt_max_s": 30.0}


def main() -> None:
    """Measure and print the table."""
    print("| chemistry | ARC cold [s] | ARC warm [s] | steps | T2 [°C] | T2 change, halved step | "
          "T3 change, halved step |")
    print("|---|---:|---:|---:|---:|---:|---:|")
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
        print(f"| {chemistry} | {cold_s:.2f} | {statistics.median(warm):.3f} | {len(result.data)} | "
              f"{result.trigger_C:.1f} | {100 * (halved.trigger_C / result.trigger_C - 1):+.3f} % | "
              f"{100 * (halved.max_C / result.max_C - 1):+.3f} % |")


if __name__ == "__main__":
    main()
