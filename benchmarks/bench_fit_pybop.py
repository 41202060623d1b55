"""The same fit with cellsim (fast engine) and with PyBOP on PyBaMM's SPMe, in one run.

Data: the LG M50 1C discharge at 25 °C (WMG, ``tests/data/measured/lgm50``), 10 s mean-current
windows. Start cell: ``ncm811`` after cellsim's electrode-balance stage on the 0.1C discharge
(run here first; both tools start from its parameter values). Fitted, by both: factors on the
negative and positive particle diffusivities and exchange-current densities (bounds 0.05–20,
start 1, searched in log space by both). Both use lumped thermal and start from the same
state (the first, rested voltage).

cellsim: :func:`cellsim.fit` (trust-region least squares, forward-difference Jacobian).
PyBOP: ``pybop.SumSquaredError`` with ``pybop.LogTransformation`` on each factor, PyBaMM SPMe
with PyBOP's recommended solver (``pybop.pybamm.RecommendedSolver``: IDAKLU, rtol = atol =
1e-6, both threads); a factor on a function is a ``pybamm.Parameter`` multiplying it. Two
optimisers: Nelder–Mead (gradient-free, at most 400 iterations), and ``pybop.SciPyMinimize``
with its default method (SciPy picks L-BFGS-B for the bounds, and PyBOP gives it the exact
gradient from IDAKLU's forward sensitivities), capped at 50 iterations (with PyBOP's default
cap of 1000 it had not finished after more than 30 min on this machine). The speed-up is quoted
against the faster PyBOP run; RMSE side by side. Wall time is the headline (the fit as a user
waits for it; PyBOP's includes building its simulator), CPU time of the process is recorded too
(the machine is shared; IDAKLU may use both cores).

``python benchmarks/bench_fit_pybop.py`` writes ``benchmarks/results_fit.json`` and the table in
``benchmarks/fit_pybop.md``. Needs ``pip install "cellsim[pybop]"``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np

import cellsim
from cellsim.studies.replay import initial_soc_from_data

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "measured" / "lgm50"
FACTORS = ["Negative particle diffusivity [m2.s-1]", "Positive particle diffusivity [m2.s-1]",
           "Negative electrode exchange-current density [A.m-2]",
           "Positive electrode exchange-current density [A.m-2]"]
BOUNDS = (0.05, 20.0)
LBFGSB_MAX_ITERATIONS = 50  # PyBOP's default is 1000: that run had not ended after > 30 min
PYBOP_OPTIMISERS = {"Nelder-Mead": "SciPyMinimize Nelder-Mead",
                    None: "SciPyMinimize default (L-BFGS-B, sensitivity gradient), "
                          f"≤ {LBFGSB_MAX_ITERATIONS} iterations"}
BALANCE = {"Negative electrode active material volume fraction": (0.5, 0.95),
           "Positive electrode active material volume fraction": (0.5, 0.95),
           "Initial concentration in positive electrode [mol.m-3]": (5000.0, 40000.0)}


def _measurement(rate: str, dt_s: float) -> cellsim.Measurement:
    path = DATA / f"lgm50_discharge_{rate}_25degC.csv"
    return cellsim.Measurement.from_csv(path, temperature="surface_temperature_C",
                                        name=f"lgm50 {rate}").resampled(dt_s)


def run_cellsim(start, data) -> dict:
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = cellsim.fit(start, data, {k: BOUNDS for k in FACTORS})
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0,
            "rmse_mV": result.rmse_mV[data.name], "data": data.name,
            "samples": int(data.time_s.size),
            "evaluations": result.n_evaluations, "converged": result.success,
            "factors": dict(zip(FACTORS, result.table["fitted"].round(4).tolist()))}


def run_pybop(start, data, method: str | None) -> dict:
    """PyBOP's fit with ``SciPyMinimize``: its default options (``method=None``: L-BFGS-B on
    the sensitivity gradient) or ``method="Nelder-Mead"``."""
    import pybamm
    import pybop

    values = start.parameter_values
    for key in FACTORS:
        factor = key.split(" [")[0] + " factor"
        values.update({factor: pybop.Parameter(bounds=list(BOUNDS), initial_value=1.0,
                                               transformation=pybop.LogTransformation())},
                      check_already_exists=False)
        values.update({key: _times_parameter(values[key], factor)})
    soc0 = initial_soc_from_data(start, data)
    dataset = pybop.Dataset({"Time [s]": data.time_s - data.time_s[0],
                             "Current [A]": data.current_A, "Voltage [V]": data.voltage_V})
    model = pybamm.lithium_ion.SPMe({"thermal": "lumped"})
    t0, cpu0 = time.perf_counter(), time.process_time()
    simulator = pybop.pybamm.Simulator(model, parameter_values=values, protocol=dataset,
                                       initial_state={"Initial SoC": soc0})
    problem = pybop.Problem(simulator, pybop.SumSquaredError(dataset))
    options = (pybop.SciPyMinimizeOptions(maxiter=LBFGSB_MAX_ITERATIONS) if method is None
               else pybop.SciPyMinimizeOptions(method=method, maxiter=400))
    result = pybop.SciPyMinimize(problem, options).run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    best = float(result.best_cost)
    return {"optimiser": PYBOP_OPTIMISERS[method], "wall_s": wall, "cpu_s": cpu,
            "rmse_mV": 1e3 * np.sqrt(best / data.time_s.size),
            "evaluations": int(result.n_evaluations), "message": str(result.message),
            "factors": dict(zip(FACTORS, np.round(np.asarray(result.x, dtype=float), 4).tolist()))}


def _times_parameter(function, factor_name: str):
    import pybamm

    def scaled(*args):
        return pybamm.Parameter(factor_name) * function(*args)

    return scaled


def main() -> None:
    slow = _measurement("0.1C", 60.0)
    data = _measurement("1C", 10.0)
    balance = cellsim.fit(cellsim.Cell.from_chemistry("ncm811"), slow, BALANCE)
    start = balance.cell
    ours = run_cellsim(start, data)
    theirs: list[dict] = []
    for method in PYBOP_OPTIMISERS:  # results written after each run
        theirs.append(run_pybop(start, data, method))
        write(ours, theirs)


def write(ours: dict, theirs: list[dict]) -> None:
    """Write ``results_fit.json`` and ``fit_pybop.md`` for the runs so far."""
    fastest = min(theirs, key=lambda run: run["wall_s"])
    out = {"date": date.today().isoformat(), "machine": platform.machine(),
           "python": platform.python_version(), "load_average_1min": os.getloadavg()[0],
           "data": ours["data"], "samples": ours["samples"], "cellsim": ours, "pybop": theirs,
           "speedup": fastest["wall_s"] / ours["wall_s"],
           "speedup_cpu": fastest["cpu_s"] / ours["cpu_s"]}
    (HERE / "results_fit.json").write_text(json.dumps(out, indent=1))
    met = out["speedup"] >= 100 and all(ours["rmse_mV"] <= run["rmse_mV"] for run in theirs)
    rows = [f"| PyBOP {pybop_version()}, PyBaMM SPMe (IDAKLU), {run['optimiser']} | "
            f"{run['wall_s']:.1f} s | {run['cpu_s']:.1f} s | {run['evaluations']} | "
            f"{run['rmse_mV']:.1f} mV |" for run in theirs]
    table = (
        "| fit (LG M50 1C, 4 factors) | wall time | CPU time | model evaluations | RMSE |\n"
        "|---|---:|---:|---:|---:|\n"
        f"| cellsim.fit, fast engine | {ours['wall_s']:.2f} s | {ours['cpu_s']:.2f} s | "
        f"{ours['evaluations']} | {ours['rmse_mV']:.1f} mV |\n" + "\n".join(rows) + "\n\n"
        f"Speed-up against the faster PyBOP run: {out['speedup']:.0f}× in wall time, "
        f"{out['speedup_cpu']:.0f}× in CPU time (target ≥ 100× at equal or lower RMSE: "
        f"{'met' if met else 'not met'}). Measured {out['date']}, {out['machine']}, "
        f"Python {out['python']}, shared 2-CPU machine (load average "
        f"{out['load_average_1min']:.1f} at the end).\n")
    (HERE / "fit_pybop.md").write_text("# Fit benchmark: cellsim vs PyBOP\n\n" + __doc__.split(
        "``python")[0].strip() + "\n\n" + table)
    print(table)


def pybop_version() -> str:
    import pybop

    return pybop.__version__


if __name__ == "__main__":
    main()
