"""Write ``notebooks/08_safety.ipynb`` (executed by nbmake in CI; outputs are not stored).

``python tools/make_notebook_08.py`` regenerates it from the cells below.
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "08_safety.ipynb"

CELLS = [
    ("md", """# 08 — Safety: thermal-runaway onset and abuse margins per chemistry

How far is a cell from running away? `cellsim` couples the decomposition kinetics of an abused
cell — SEI decomposition, negative electrode–electrolyte reaction limited by the SEI, positive
electrode decomposition (oxygen release), electrolyte decomposition (Hatchard et al. 2001,
doi:10.1149/1.1377592; Kim et al. 2007, doi:10.1016/j.jpowsour.2007.04.018) — to the fast
engine's lumped thermal model (`cellsim.engine.fast.abuse`). For the solid-state projection the
liquid-electrolyte reactions are replaced by the sulfide electrolyte's reactions with the charged
NCM811 and with lithium once it melts (180.5 °C). Every parameter and its source (and every
assumption) is in the `[abuse]` block of `parameter_sets/*.toml`.

**Read before quoting numbers.** The graphite and electrolyte kinetics are Kim 2007's for every
liquid cell; the positive electrodes' frequency factors are fitted to DSC peaks recalled from the
literature; the solid-state reactions are assumptions. The model has no separator collapse or
internal short circuit. See `tests/test_abuse.py` for what is checked and against what."""),
    ("code", """import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import cellsim
from cellsim.presentation.abuse_plots import plot_arc, plot_margin, plot_oven
from cellsim.studies.abuse import lifetime_margin, onset_margin

warnings.simplefilter("ignore")
cells = {c: cellsim.Cell.from_chemistry(c) for c in cellsim.chemistries()}"""),
    ("md", """## Accelerating-rate calorimetry at 100 % SOC

Heat-wait-seek from 40 °C in 5 K steps (30 min wait and seek), then adiabatic tracking once the
cell self-heats at 0.02 °C/min. T1: onset of self-heating (0.02 °C/min), T2: trigger (1 °C/s), T3:
maximum (Feng et al. 2018, doi:10.1016/j.ensm.2017.05.013; 1 °C/s is also the rate condition of
GB 38031-2020). `detected_C` is where the 5 K protocol first saw the exotherm; `onset_C` resolves T1
between the steps. A T2 is only meaningful if the peak self-heating rate is well away from 1 °C/s:
the LFP cell's decomposition kinetics peak near 0.26 °C/s, so it has no T2 (NaN) — real LFP cells
are triggered by separator collapse and the internal short, which the model does not have. The
reference T2 of each file (`arc_reference.trigger_C`) is a literature value recalled, not read in
its source: `reference_verified` is false for every chemistry (two searches of the stored literature
are recorded in `arc_reference.source`). So the comparison below is with recalled values only:
NCM811 about 8 °C late, NCM523 33 °C late, LFP without a T2; the check against a measured T2 is a strict
xfail in `tests/test_abuse.py`."""),
    ("code", """arc = {c: cellsim.arc_test(cell) for c, cell in cells.items()}
table = pd.DataFrame([r.summary() for r in arc.values()])
table["peak_self_heating_K_per_s"] = [r.data["self_heating_K_per_s"].max() for r in arc.values()]
table["reference_T2_C"] = [cells[c].parameter_set.abuse.get("arc_reference", {}).get("trigger_C", np.nan)
                           for c in arc]
table["reference_verified"] = [cells[c].parameter_set.abuse.get("arc_reference", {}).get("verified", False)
                               for c in arc]
display(plot_arc(arc.values(), title="ARC at 100 % SOC"))
table"""),
    ("md", """## State of charge

Less lithium in the negative electrode and a less delithiated positive electrode release less heat:
T2 rises and T3 falls as the SOC drops."""),
    ("code", """rows = []
for c in ("ncm811", "ncm523", "lfp"):
    for soc in (0.3, 0.6, 1.0):
        rows.append(cellsim.arc_test(cells[c], soc=soc).summary())
pd.DataFrame(rows).pivot(index="soc", columns="chemistry", values=["trigger_C", "max_C"])"""),
    ("md", """## Oven test

The cell at 25 °C goes into an oven (convection with the parameter set's h plus radiation,
emissivity 0.8). The lowest oven temperature that makes it run away is found by bisection."""),
    ("code", """def critical_oven_C(cell, low=100.0, high=300.0):
    while high - low > 1.0:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if cellsim.oven_test(cell, mid).runaway else (mid, high)
    return high

critical = {c: critical_oven_C(cells[c]) for c in ("ncm811", "ncm523", "lfp")}
ovens = [cellsim.oven_test(cells[c], t) for c in ("ncm811", "lfp") for t in (critical[c] - 2, critical[c] + 2)]
display(plot_oven(ovens, title="Oven tests just below and above the critical oven temperature"))
pd.Series(critical, name="critical oven temperature, °C")"""),
    ("md", """## Margin to the self-heating onset in use

The margin is T1 minus the cell temperature: over a 150 kW DC fast charge (10 → 80 %, 25 °C) and
over US06 driven from full at 35 °C until empty (75 kWh packs, default vehicle)."""),
    ("code", """from cellsim.studies.thermal import us06_peak_temperature

vehicle = cellsim.Vehicle.default()
traces, minima = {}, {}
for c in ("ncm811", "lfp"):
    pack = cellsim.Pack.sized(cells[c], energy_kWh=75, voltage_V=400)
    charge = cellsim.fast_charge(pack, 150.0)
    drive = us06_peak_temperature(pack, vehicle, 35.0)
    for label, result in ((f"{c} fast charge", charge), (f"{c} US06 35 °C", drive["data"])):
        traces[label], minima[label] = onset_margin(result, arc[c].onset_C)
display(plot_margin(traces, title="T1 minus cell temperature"))
pd.Series(minima, name="minimum margin, K")"""),
    ("md", """## Aged cells and a lifetime

The ageing state enters the kinetics through the lithium lost to the SEI: it thickens the SEI of the
Hatchard model (its dimensionless thickness counts SEI lithium in units of the negative electrode's
capacity) and leaves less lithium in the graphite. Both slow the negative electrode–electrolyte
reaction, so T1 rises — the direction reported for cells aged by SEI growth (Börner et al. 2017,
doi:10.1016/j.jpowsour.2016.12.041, recalled). Lithium plating, which lowers the onset, is not in
this mapping."""),
    ("code", """rows = []
for c in ("ncm811", "lfp"):
    for loss in (0.0, 0.05, 0.10, 0.20):
        lost = loss * cells[c].nominal_capacity_Ah
        r = cellsim.arc_test(cells[c], ageing={"lli_Ah": lost, "lli_sei_Ah": lost})
        rows.append({"chemistry": c, "capacity_lost_to_SEI": loss, **r.summary()})
pd.DataFrame(rows).pivot(index="capacity_lost_to_SEI", columns="chemistry", values=["onset_C", "trigger_C"])"""),
    ("md", """Over a lifetime the margin is each day's peak cell temperature against T1 of the cell as aged
that day: 4 years of 50 km a day in a hot climate (seasonal 28 ± 8 °C) with AC charging to 90 %
(accelerated mode)."""),
    ("code", """pack = cellsim.Pack.sized(cells["ncm811"], energy_kWh=75, voltage_V=400)
life = cellsim.lifetime(pack, vehicle, cellsim.Usage(daily_km=50.0, charge_to_soc=0.9),
                        cellsim.Climate.seasonal(28.0, 8.0, 10.0), 4.0, range_every_days=None)
days, minimum_K = lifetime_margin(cells["ncm811"], life, soc=0.9)
display(plot_margin({"ncm811, 4 years hot": days}, x="day", title="Daily peak temperature vs aged T1"))
print(f"minimum margin {minimum_K:.1f} K; T1 {days.onset_C.iloc[0]:.2f} -> {days.onset_C.iloc[-1]:.2f} °C")"""),
    ("md", """## The solver

The kinetics are stiff near runaway (the electrolyte's rate constant grows by ten orders of
magnitude between 100 and 400 °C). Each step advances every reactant fraction with the exact
solution of its rate law at a frozen temperature (predictor at the step's start, corrector at the
mid-step temperature), and the step is accepted only if the temperature changes by ≤ 1 K and no
fraction by more than 2 % of itself. Halving those limits moves T2 and the time to runaway by far
less than 1 %, and the heat integrated from the recorded rates equals Σ H·m·(reacted fraction)."""),
    ("code", """halved = {"dT_max_K": 0.5, "dc_max": 0.01, "dt_max_s": 30.0}
rows = []
for c in ("ncm811", "ncm523"):
    a, b = cellsim.arc_test(cells[c]), cellsim.arc_test(cells[c], step_control=halved)
    o, p = (cellsim.oven_test(cells[c], critical[c] + 5, step_control=s) for s in (None, halved))
    integrated = np.trapezoid(a.data["heat_W"], a.data["time_s"])
    rows.append({"chemistry": c, "T2_change_%": 100 * (b.trigger_C / a.trigger_C - 1),
                 "time_to_runaway_change_%": 100 * (p.time_to_runaway_s / o.time_to_runaway_s - 1),
                 "heat_balance_error_%": 100 * (integrated / a.energy_released_J - 1),
                 "steps": len(a.data), "steps_halved": len(b.data)})
pd.DataFrame(rows)"""),
]


def main() -> None:
    """Write the notebook."""
    make = {"md": nbf.v4.new_markdown_cell, "code": nbf.v4.new_code_cell}
    kernel = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nbf.write(nbf.v4.new_notebook(cells=[make[k](src) for k, src in CELLS], metadata=kernel), OUT)


if __name__ == "__main__":
    main()
