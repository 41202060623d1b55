"""Write ``notebooks/03_fast_engine.ipynb`` (run from anywhere; the notebook is executed by nbmake).

``python benchmarks/make_notebook_03.py`` regenerates it from the cells below (outputs empty).
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "03_fast_engine.ipynb"

CELLS = [
    ("md", """# 03 — The fast engine against PyBaMM

The fast engine (`engine="fast"`) is a numba implementation of PyBaMM's SPMe with lumped thermal,
built from the cell's own `pybamm.ParameterValues`. This notebook shows how close it stays to
PyBaMM's SPMe (the same equations) and DFN (the full model) on the four shipped chemistries,
and how much faster it is.

The tests in `tests/test_engine_agreement.py` hold the bounds (voltage RMSE ≤ 5 mV against SPMe,
≤ 30 mV against DFN, temperature within 0.3 K, range within 0.5 %); `benchmarks/bench_engines.py`
measures the speed. Runs here are kept short (well under a minute in all)."""),
    ("code", """import json
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import cellsim
from cellsim.engine.registry import get_engine

warnings.simplefilter("ignore")
CHEMISTRIES = ["ncm811", "ncm523", "lfp", "solid_state"]
cells = {c: cellsim.Cell.from_chemistry(c) for c in CHEMISTRIES}"""),
    ("md", """## 1C discharge at 25 °C

Fast engine, PyBaMM SPMe and PyBaMM DFN, all with lumped thermal, from 100 % SOC to the lower
cut-off. The fast and SPMe curves lie on top of each other; the DFN differs by the physics the
SPMe leaves out (most visibly for the Li-metal `solid_state` cell near the end)."""),
    ("code", """def rmse_mV(fast, ref):
    f, r = fast.data, ref.data
    keep = (r.time_s > 0) & (r.time_s <= f.time_s.iloc[-1])
    dv = np.interp(r.time_s[keep], f.time_s, f.voltage_V) - r.voltage_V[keep]
    return 1e3 * np.sqrt(np.mean(dv**2))

runs, rows = {}, []
for chem, cell in cells.items():
    runs[chem] = {
        label: cellsim.discharge(cell, 1.0, 25.0, model=model, engine=engine, thermal="lumped")
        for label, (engine, model) in {"fast": ("fast", "SPMe"), "PyBaMM SPMe": ("pybamm", "SPMe"),
                                       "PyBaMM DFN": ("pybamm", "DFN")}.items()
    }
    r = runs[chem]
    rows.append({"chemistry": chem,
                 "RMSE vs SPMe [mV]": rmse_mV(r["fast"], r["PyBaMM SPMe"]),
                 "RMSE vs DFN [mV]": rmse_mV(r["fast"], r["PyBaMM DFN"]),
                 "capacity fast [Ah]": r["fast"].capacity_Ah,
                 "capacity SPMe [Ah]": r["PyBaMM SPMe"].capacity_Ah})

fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex="col")
for j, chem in enumerate(CHEMISTRIES):
    for label, style in {"fast": "-", "PyBaMM SPMe": "--", "PyBaMM DFN": ":"}.items():
        d = runs[chem][label].data
        axes[0, j].plot(d.capacity_Ah, d.voltage_V, style, label=label)
        axes[1, j].plot(d.capacity_Ah, d.temperature_C, style, label=label)
    axes[0, j].set_title(chem)
    axes[1, j].set_xlabel("discharged capacity [Ah]")
axes[0, 0].set_ylabel("voltage [V]")
axes[1, 0].set_ylabel("temperature [°C]")
axes[0, 0].legend()
fig.tight_layout()
pd.DataFrame(rows).round(3)"""),
    ("md", """## WLTC power profile at −7 °C

Per-cell power of the WLTC class 3b for the default vehicle with a 75 kWh / 400 V pack of each
cell, from 50 % SOC, at −7 °C (the cold ambient, where the cell's transport and kinetics are
slowest). To keep the notebook short the profile is the last five minutes of the cycle (inside the
*extra high* phase, the most demanding part); PyBaMM runs it through `pybamm.step.power` with
zero-order-hold breakpoints, one second each, which is what makes these PyBaMM runs the slow part
of this notebook. The fast engine reports the state at the end of each one-second step, so PyBaMM
is read there too. The whole WLTC to cut-off at −7 °C and 25 °C is compared in
`tests/test_engine_agreement.py::test_wltc_range_test_matches_pybamm_spme`."""),
    ("code", """cycle = cellsim.DriveCycle.standard("wltc_class3b").resample(1.0)
vehicle = cellsim.Vehicle.default()
WINDOW = slice(1500, 1800)
AMBIENT_C = -7.0
profile_rows, traces = [], {}
for chem, cell in cells.items():
    pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
    demand = vehicle.power_demand(cycle, battery_mass_kg=pack.mass_kg, ambient_C=AMBIENT_C)
    power = pack.per_cell_power_W(demand.battery_power_W)[WINDOW]
    fast = get_engine("fast").start(cell, soc=0.5, ambient_C=AMBIENT_C).power(power).trace
    ref = get_engine("pybamm").start(cell, soc=0.5, ambient_C=AMBIENT_C).power(power).trace
    t = np.arange(1, power.size + 1, dtype=float)
    v_ref = np.interp(t - 2e-6, ref.time_s, ref.voltage_V)
    T_ref = np.interp(t - 2e-6, ref.time_s, ref.temperature_C)
    traces[chem] = (t, fast.voltage_V[1:], v_ref, fast.temperature_C[1:], T_ref)
    profile_rows.append({
        "chemistry": chem, "ambient [°C]": AMBIENT_C,
        "RMSE [mV]": 1e3 * np.sqrt(np.mean((fast.voltage_V[1:] - v_ref) ** 2)),
        "max |dT| [K]": np.abs(fast.temperature_C[1:] - T_ref).max()})

fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
for j, chem in enumerate(CHEMISTRIES):
    t, vf, vr, Tf, Tr = traces[chem]
    axes[0, j].plot(t, vf, label="fast")
    axes[0, j].plot(t, vr, "--", label="PyBaMM SPMe")
    axes[1, j].plot(t, Tf, label="fast")
    axes[1, j].plot(t, Tr, "--", label="PyBaMM SPMe")
    axes[0, j].set_title(f"{chem}, −7 °C")
    axes[1, j].set_xlabel("time [s]")
axes[0, 0].set_ylabel("voltage [V]")
axes[1, 0].set_ylabel("temperature [°C]")
axes[0, 0].legend()
fig.tight_layout()
pd.DataFrame(profile_rows).round(4)"""),
    ("md", """## Speed

From `benchmarks/results.json` (written by `python benchmarks/bench_engines.py`: the same range
test on both engines in one run) when it is there; otherwise a small measurement made here (one
WLTC on each engine)."""),
    ("code", """results_file = Path("..") / "benchmarks" / "results.json"
if results_file.exists():
    r = json.loads(results_file.read_text())
    speed = pd.DataFrame([
        ("speed-up vs PyBaMM SPMe (range test)", f"{r['speedup']:.0f}x", "≥ 1000x"),
        ("µs per simulated second (numba loop)", f"{r['us_per_sim_s_loop']:.2f}", "≤ 3"),
        ("µs per simulated second (whole range_test)", f"{r['us_per_sim_s_range_test']:.2f}", ""),
        ("cold compile [s]", f"{r['cold_compile_s']:.1f}", ""),
        ("cached start [s]", f"{r['cached_start_s']:.2f}", ""),
        ("import cellsim [s]", f"{r['import_cellsim_s']:.3f}", "≤ 1.5"),
        ("peak RSS, full fast range test [MB]", f"{r['rss_peak_MB']:.0f}", ""),
    ], columns=["quantity", "measured", "target"])
else:
    cell = cells["ncm811"]
    pack = cellsim.Pack.sized(cell, energy_kWh=75, voltage_V=400)
    power = pack.per_cell_power_W(vehicle.power_demand(
        cycle, battery_mass_kg=pack.mass_kg).battery_power_W)[:600]
    get_engine("fast").start(cell, soc=0.8).power(power[:5])
    t0 = time.perf_counter(); get_engine("fast").start(cell, soc=0.8).power(power)
    fast_s = time.perf_counter() - t0
    t0 = time.perf_counter(); get_engine("pybamm").start(cell, soc=0.8).power(power)
    ref_s = time.perf_counter() - t0
    speed = pd.DataFrame([
        ("speed-up vs PyBaMM SPMe (600 s of WLTC, incl. set-up)", f"{ref_s / fast_s:.0f}x", ""),
        ("µs per simulated second (fast, incl. set-up)", f"{1e6 * fast_s / power.size:.1f}", ""),
    ], columns=["quantity", "measured", "target"])
speed"""),
]


def main() -> None:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
                for kind, src in CELLS]
    nbf.write(nb, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
