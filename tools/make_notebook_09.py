"""Write ``notebooks/09_validation.ipynb`` (executed by nbmake; outputs empty).

``python -m tools.make_notebook_09`` regenerates it from the cells below.
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "09_validation.ipynb"

CELLS = [
    ("md", """# 09 — The shipped chemistries against measured cells

`python -m tools.validate` runs every shipped chemistry against the measured tests of the real
cell it represents and writes the table in `parameter_sets/README.md` and the figures in
`parameter_sets/validation/`. This notebook reruns the `ncm811` part (LG M50 discharges with the
can surface temperature, and the 10 s pulses) with the fast engine and shows the overlays.
Data: `tests/data/measured/lgm50` (WMG, University of Warwick; MIT licence)."""),
    ("code", """import sys
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

sys.path.insert(0, str(Path.cwd().parent))  # the repository root holds tools/
import cellsim
from tools import measured, validate

warnings.simplefilter("ignore")
cell = cellsim.Cell.from_chemistry("ncm811")
figures = Path(tempfile.mkdtemp())  # the plot helpers write PNGs; keep them out of the repo"""),
    ("md", """## Discharges at 25 °C (lumped thermal, fast engine)

Each run starts at the SOC whose model open-circuit voltage equals the measured rest voltage.
The model temperature shown is its can-surface estimate (radial conduction in the cylinder) of
the lumped temperature. That estimate has a known defect, stated with figures in the `ncm811`
note of `parameter_sets/README.md` (defect (e)): it drives the core-to-can difference by the heat
generated rather than the heat lost through the can."""),
    ("code", """comparisons = [validate.compare_discharge(cell, measured.lgm50_discharge(c))
               for c in measured.LGM50_C_RATES]
pd.DataFrame([{"test": c.test.name, "RMSE [mV]": round(c.rmse_mV, 1),
               "capacity error [%]": round(c.capacity_error_pct, 2),
               "temperature rise model / measured [K]":
                   f"{c.temperature_rise_model_K:.1f} / {c.temperature_rise_measured_K:.1f}"}
              for c in comparisons])"""),
    ("code", """validate.plot_discharges(comparisons, figures / "discharges.png")
plt.figure(figsize=(10, 4))
plt.imshow(plt.imread(figures / "discharges.png"))
plt.axis("off");"""),
    ("md", """## 10 s pulse resistance at 0, 10, 25 and 45 °C

Six-cell mean (error bars: cell-to-cell spread) against the model, isothermal at the logged
cell temperature."""),
    ("code", """pulses = validate.pulse_resistances(cell)
pulses.pivot(index="soc", columns="temperature_C", values="error_pct").round(0)"""),
    ("code", """validate.plot_pulses(pulses, "ncm811", figures / "pulses.png")
plt.figure(figsize=(6, 4))
plt.imshow(plt.imread(figures / "pulses.png"))
plt.axis("off");"""),
]


def main() -> None:
    notebook = nbf.v4.new_notebook()
    notebook.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
                      for kind, src in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbf.write(notebook, OUT)


if __name__ == "__main__":
    main()
