"""Benchmark: the fast engine against PyBaMM SPMe on the same range test (issue 4).

Run ``python benchmarks/bench_engines.py`` from the repository root. It measures, in one run:

* the speed-up of the fast engine over PyBaMM SPMe (IDAKLU, default tolerances, lumped thermal)
  on the same range test: WLTC class 3b repeated until cut-off, ncm811 cell in a 75 kWh / 400 V
  pack, default vehicle, 25 °C. PyBaMM runs in two forms: cellsim's reference engine
  (``range_test(engine="pybamm")``, one experiment step per WLTC) and PyBaMM used well, one
  ``Simulation`` of the whole per-cell power profile as an interpolant (``pybamm_drive_cycle.py``);
  the speed-up is quoted against the latter. PyBaMM needs about 20-50 s per WLTC cycle on this
  machine, so all start at ``--soc`` (default 0.15, three WLTC cycles to cut-off) for the ratio;
  the fast engine also runs the full range from 100 % SOC;
* microseconds per simulated second of driving: the whole ``range_test`` (vehicle, pack, trace
  assembly included) and the bare numba loop (``FastSimulation.power``, one point kept a minute);
* cold compile time (a fresh ``NUMBA_CACHE_DIR`` in a subprocess) and cached start (a second
  subprocess on the same cache), net of building the cell's tables;
* ``import cellsim`` in a subprocess, beside a bare ``python -c pass``;
* peak memory: tracemalloc peak of a full fast range test, and the peak RSS of a subprocess that
  runs one.

Writes ``benchmarks/results.json`` and the table in ``benchmarks/README.md`` (between the
``<!-- results -->`` markers). The engine runs (range tests, PyBaMM's one solve, the bare loop)
are timed in CPU time of this process (``time.process_time``), which other processes on the
shared machine do not inflate; compile, start-up and import times are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from pybamm_drive_cycle import solve_drive_cycle  # noqa: E402  (beside this script)

TARGETS = {"speedup": 1000.0, "us_per_sim_s": 3.0, "import_s": 1.5}
CHEMISTRY = "ncm811"
CYCLE = "wltc_class3b"

_COLD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import numpy as np, cellsim
from cellsim.engine.fast import FastEngine
cell = cellsim.Cell.from_chemistry(sys.argv[1])
sim = FastEngine().start(cell, soc=0.9)
t1 = time.perf_counter()
sim.power(np.full(10, 5.0))              # compiles (cold) or loads (cached) the kernel
t2 = time.perf_counter()
sim.power(np.full(10, 5.0))
t3 = time.perf_counter()
print(json.dumps({"setup_s": t1 - t0, "first_call_s": t2 - t1, "warm_call_s": t3 - t2}))
"""

_RSS = r"""
import json, resource, sys, warnings
warnings.simplefilter("ignore")
import cellsim
cell = cellsim.Cell.from_chemistry(sys.argv[1])
pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = cellsim.range_test(pack, cellsim.Vehicle.default(), sys.argv[2], engine="fast")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rss_before_MB": before / 1024, "rss_peak_MB": after / 1024,
                  "range_km": r.range_km}))
"""


def _python(code: str, *args: str, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, **(env or {})})
    return time.perf_counter() - start, out.stdout.strip().splitlines()[-1] if out.stdout else ""


def import_times(repeats: int = 5) -> dict[str, float]:
    """Best-of-``repeats`` wall time of ``import cellsim`` and of a bare interpreter."""
    bare = min(_python("pass")[0] for _ in range(repeats))
    cellsim_s = min(_python("import cellsim")[0] for _ in range(repeats))
    return {"import_cellsim_s": cellsim_s, "python_pass_s": bare,
            "import_ratio": cellsim_s / bare}


def compile_times() -> dict[str, float]:
    """Cold compile (fresh numba cache) and cached start, each in a new process."""
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = json.loads(_python(_COLD, CHEMISTRY, env=env)[1])
        cached = json.loads(_python(_COLD, CHEMISTRY, env=env)[1])
    return {
        "cold_compile_s": cold["first_call_s"] - cold["warm_call_s"],
        "cached_start_s": cached["first_call_s"] - cached["warm_call_s"],
        "cell_tables_s": cached["setup_s"],
    }


def speed(soc: float, fast_repeats: int = 5) -> dict[str, float]:
    """Both engines on the same range test from ``soc``, and the fast engine alone from 100 %."""
    import numpy as np

    import cellsim
    from cellsim.engine.fast import FastEngine

    cell = cellsim.Cell.from_chemistry(CHEMISTRY)
    pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
    vehicle = cellsim.Vehicle.default()

    def run(engine: str, start_soc: float):
        t0 = time.process_time()
        result = cellsim.range_test(pack, vehicle, CYCLE, start_soc=start_soc, engine=engine)
        return time.process_time() - t0, result

    run("fast", soc)  # tables and kernel ready before timing
    fast_s = min(run("fast", soc)[0] for _ in range(fast_repeats))
    _, fast = run("fast", soc)
    fast_sim_s = float(fast.data["time_s"].iloc[-1])
    pybamm_s, ref = run("pybamm", soc)
    full_s, full = min((run("fast", 1.0) for _ in range(3)), key=lambda x: x[0])
    full_sim_s = float(full.data["time_s"].iloc[-1])

    demand = vehicle.power_demand(cellsim.DriveCycle.standard(CYCLE).resample(1.0),
                                  battery_mass_kg=pack.mass_kg, ambient_C=25.0)
    wltc_W = pack.per_cell_power_W(demand.battery_power_W)
    # PyBaMM used well: one Simulation of the whole profile from the same SOC, until cut-off
    t0 = time.process_time()
    one = solve_drive_cycle(cell, np.tile(wltc_W, int(fast_sim_s // wltc_W.size) + 2), soc=soc)
    one_solve_s = time.process_time() - t0
    one_sim_s = float(one["Time [s]"].entries[-1])

    # the bare loop: the same cycles as the full range, one record a minute
    power = np.tile(wltc_W, int(full_sim_s // 1800))
    loops = []
    for _ in range(3):
        sim = FastEngine().start(cell, soc=1.0, record_every=60)
        t0 = time.process_time()
        sim.power(power)
        loops.append(time.process_time() - t0)

    tracemalloc.start()
    run("fast", 1.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fast_ms_per_sim_s = 1e3 * fast_s / fast_sim_s
    one_solve_ms_per_sim_s = 1e3 * one_solve_s / one_sim_s
    return {
        "start_soc_ratio": soc,
        "simulated_s_ratio": float(ref.data["time_s"].iloc[-1]),
        "pybamm_range_s": pybamm_s,
        "fast_range_s": fast_s,
        "fast_ms_per_sim_s": fast_ms_per_sim_s,
        "pybamm_one_solve_s": one_solve_s,
        "pybamm_one_solve_sim_s": one_sim_s,
        "pybamm_one_solve_ms_per_sim_s": one_solve_ms_per_sim_s,
        "speedup": one_solve_ms_per_sim_s / fast_ms_per_sim_s,
        "speedup_vs_reference_engine": pybamm_s / fast_s,
        "range_km_pybamm": ref.range_km,
        "range_km_fast": fast.range_km,
        "range_rel_diff": fast.range_km / ref.range_km - 1,
        "one_solve_sim_s_rel_diff": one_sim_s / fast_sim_s - 1,
        "pybamm_ms_per_sim_s": 1e3 * pybamm_s / float(ref.data["time_s"].iloc[-1]),
        "full_range_km_fast": full.range_km,
        "full_range_sim_s": full_sim_s,
        "full_range_fast_s": full_s,
        "us_per_sim_s_range_test": 1e6 * full_s / full_sim_s,
        "us_per_sim_s_loop": 1e6 * min(loops) / power.size,
        "tracemalloc_peak_MB": peak / 2**20,
    }


def memory() -> dict[str, float]:
    """Peak RSS of a fresh process running one full fast range test."""
    out = json.loads(_python(_RSS, CHEMISTRY, CYCLE)[1])
    return {"rss_peak_MB": out["rss_peak_MB"], "rss_before_range_MB": out["rss_before_MB"]}


def table(r: dict) -> str:
    """The markdown table of the README."""
    def ok(good: bool) -> str:
        return "met" if good else "**not met**"

    rows = [
        ("Speed-up vs PyBaMM SPMe solved once for the whole profile (same range, from SOC "
         f"{r['start_soc_ratio']:g}, {r['simulated_s_ratio']:.0f} s simulated)",
         f"{r['speedup']:.0f}×", f"≥ {TARGETS['speedup']:.0f}×",
         ok(r["speedup"] >= TARGETS["speedup"])),
        ("PyBaMM SPMe, one `Simulation` of the power profile as an interpolant (CPU)",
         f"{r['pybamm_one_solve_s']:.1f} s ({r['pybamm_one_solve_ms_per_sim_s']:.2f} ms per "
         f"simulated s; ends {100 * r['one_solve_sim_s_rel_diff']:+.2f} % from the fast run)",
         "", ""),
        ("PyBaMM SPMe, cellsim's reference engine `range_test(engine=\"pybamm\")` (CPU)",
         f"{r['pybamm_range_s']:.1f} s ({r['pybamm_ms_per_sim_s']:.2f} ms per simulated s; "
         f"{r['speedup_vs_reference_engine']:.0f}× the fast engine's time)", "", ""),
        ("Fast range test, same start (CPU)", f"{1e3 * r['fast_range_s']:.1f} ms "
         f"({r['fast_ms_per_sim_s']:.4f} ms per simulated s)", "", ""),
        ("Range, fast vs PyBaMM", f"{r['range_km_fast']:.2f} vs {r['range_km_pybamm']:.2f} km "
         f"({100 * r['range_rel_diff']:+.3f} %)", "within 0.5 %",
         ok(abs(r["range_rel_diff"]) <= 5e-3)),
        ("Fast full range from 100 % SOC", f"{r['full_range_km_fast']:.1f} km in "
         f"{1e3 * r['full_range_fast_s']:.0f} ms ({r['full_range_sim_s']:.0f} s simulated)", "", ""),
        ("µs per simulated s, bare loop (`FastSimulation.power`)",
         f"{r['us_per_sim_s_loop']:.2f}", f"≤ {TARGETS['us_per_sim_s']:g}",
         ok(r["us_per_sim_s_loop"] <= TARGETS["us_per_sim_s"])),
        ("µs per simulated s, whole `range_test`", f"{r['us_per_sim_s_range_test']:.2f}", "", ""),
        ("Cold compile (fresh `NUMBA_CACHE_DIR`)", f"{r['cold_compile_s']:.1f} s", "", ""),
        ("Cached start (kernel load from cache)", f"{r['cached_start_s']:.2f} s", "", ""),
        ("Cell tables (PyBaMM evaluation, per cell and process)",
         f"{r['cell_tables_s']:.1f} s", "", ""),
        ("`import cellsim` (subprocess, best of 5)",
         f"{r['import_cellsim_s']:.3f} s ({r['import_ratio']:.1f}× bare `python -c pass`)",
         f"≤ {TARGETS['import_s']:g} s", ok(r["import_cellsim_s"] <= TARGETS["import_s"])),
        ("Peak memory, tracemalloc (full fast range test)",
         f"{r['tracemalloc_peak_MB']:.1f} MB", "", ""),
        ("Peak RSS, process running a full fast range test", f"{r['rss_peak_MB']:.0f} MB "
         f"({r['rss_before_range_MB']:.0f} MB before the run)", "", ""),
    ]
    lines = ["| Quantity | Measured | Target | |", "|---|---:|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines.append("")
    lines.append(f"Measured {r['date']} on {r['machine']} ({r['cpus']} CPUs, shared), Python "
                 f"{r['python']}, PyBaMM {r['pybamm']}, numba {r['numba']}.")
    return "\n".join(lines)


def write_readme(r: dict) -> None:
    readme = HERE / "README.md"
    begin, end = "<!-- results -->", "<!-- /results -->"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{begin}\n{table(r)}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soc", type=float, default=0.15,
                        help="start SOC of the range test both engines run (default 0.15)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import numba

    import pybamm

    results = {"date": time.strftime("%Y-%m-%d"), "machine": platform.machine(),
               "cpus": os.cpu_count(), "python": platform.python_version(),
               "pybamm": pybamm.__version__, "numba": numba.__version__}
    results.update(import_times())
    results.update(compile_times())
    results.update(speed(args.soc))
    results.update(memory())
    results["targets"] = TARGETS
    print(json.dumps(results, indent=2))
    print(table(results))
    if not args.no_write:
        (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        write_readme(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
