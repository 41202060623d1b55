"""Positive-electrode OCP of the Panasonic NCR18650PF from its measured C/20 discharge.

No NCA open-circuit potential shipped with PyBaMM fits this cell: fitted to its C/20 discharge
(electrode balance, three parameters, four starts), NMC811 (ORegan2022, the start chemistry)
leaves 34 mV RMSE and puts the graphite at x = 0.9997 at full charge, NCA_Kim2011 285 mV (its
OCP is clipped at y = 0.32), NMC532 (Mohtat2020) 69 mV, Ecker2015 72 mV. So the positive OCP is
derived from the data, the usual OCV decomposition for a cell without half-cell data:

1. the C/20 discharge voltage ``V(q)`` against discharged charge ``q``, smoothed over 1 % of the
   capacity, is taken as the open-circuit voltage of the discharge branch. The model has no
   hysteresis: with the mean of the C/20 discharge and charge (the pseudo-OCV) it sits 20–30 mV
   above every discharge (half the measured branch gap: hysteresis plus the C/20 overpotential,
   about 0.145 A x 40 mOhm = 6 mV, which the discharge branch folds in), and the fit then
   lowered the positive exchange current 13-fold to make up for it, 20 mOhm too resistive on the
   drive cycle's pulses;
2. the measured range (full charge to 2.5 V) is placed on the start cell's stoichiometry
   window (ORegan2022 graphite, x 0.91 -> 0.03; positive y 0.26 -> 0.85 — an ASSUMPTION: the
   window of the LG M50's NMC811 | graphite, another high-nickel | graphite 4.2 V cell);
3. ``U_p(y) = V(q) + U_n(x(q))`` inside the window; outside it, the NMC811 OCP shifted to
   join it continuously (reached only at the particle surface at high rate, and above the
   first loaded C/20 point, ~4.13 V).

The fit (``cellsim fit parameter_sets/fitted/specs/panasonic18650pf.toml``) then refits the
electrode balance on the C/20 discharge alone with this OCP. Run from the repository root:
``python -m tools.derive_positive_ocp`` (writes
``parameter_sets/fitted/panasonic18650pf_start.toml``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import cellsim
from cellsim.studies.replay import _ocp_grid

from .measured import DATA_DIR, REPO

C20_FILE = DATA_DIR / "panasonic18650pf" / "c20_discharge_charge_25degC.csv"
WIDTH_FACTOR = 0.58  # 5.0 Ah LG M50 electrode width -> 2.9 Ah (Panasonic NCR18650PF datasheet)
LOADED_A = 0.01  # |current| above which a sample is under load
SMOOTHING_FRACTION = 0.01  # moving average over 1 % of the capacity
STOICHIOMETRY_STEP = 0.005
OUTPUT = REPO / "parameter_sets" / "fitted" / "panasonic18650pf_start.toml"


def discharge_branch_ocv(path: Path = C20_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Discharged charge grid [Ah] and the C/20 discharge voltage on it [V], smoothed."""
    data = pd.read_csv(path)
    dt = np.diff(data.time_s.to_numpy(), prepend=data.time_s.iloc[0])
    current = data.current_A.to_numpy()
    voltage = data.voltage_V.to_numpy()
    discharged_Ah = np.cumsum(current * dt) / 3600.0
    first_charge = int(np.flatnonzero(current < -LOADED_A)[0])
    on_discharge = (current > LOADED_A) & (np.arange(current.size) < first_charge)
    capacity_Ah = float(discharged_Ah[on_discharge][-1])
    grid = np.linspace(0.0, capacity_Ah, 601)
    branch = np.interp(grid, discharged_Ah[on_discharge], voltage[on_discharge])
    window = max(int(SMOOTHING_FRACTION * grid.size), 1)
    return grid, pd.Series(branch).rolling(window, center=True, min_periods=1).mean().to_numpy()


def start_cell():
    """The ncm811 chemistry (LG M50) with its electrode width scaled to 2.9 Ah."""
    return cellsim.Cell.from_chemistry("ncm811").with_parameters(
        {"Electrode width [m]": cellsim.Factor(WIDTH_FACTOR)})


def positive_ocp_table(cell, charge_Ah: np.ndarray, ocv_V: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Stoichiometry grid and the derived positive OCP on it (see the module notes)."""
    limits = cell.stoichiometry_limits
    fraction = charge_Ah / charge_Ah[-1]
    x_n = limits.x_n_100 + (limits.x_n_0 - limits.x_n_100) * fraction
    y_p = limits.x_p_100 + (limits.x_p_0 - limits.x_p_100) * fraction
    sto, u_n, u_p = _ocp_grid(cell, 25.0)
    derived = ocv_V + np.interp(x_n, sto, u_n)
    grid = np.round(np.arange(STOICHIOMETRY_STEP, 1.0, STOICHIOMETRY_STEP), 6)
    inside = (grid > y_p[0]) & (grid < y_p[-1])
    table = np.interp(grid, sto, u_p)
    table[inside] = np.interp(grid[inside], y_p, derived)
    low, high = grid <= y_p[0], grid >= y_p[-1]
    table[low] += derived[0] - np.interp(y_p[0], sto, u_p)
    table[high] += derived[-1] - np.interp(y_p[-1], sto, u_p)
    grid = np.concatenate([grid[low], y_p[[0]], grid[inside], y_p[[-1]], grid[high]])
    table = np.concatenate([table[low], derived[[0]], table[inside], derived[[-1]], table[high]])
    return grid, table


def start_file_text(cell, grid: np.ndarray, table: np.ndarray) -> str:
    """The start parameter file: ncm811.toml renamed, plus the width and the derived OCP."""
    text = (REPO / "parameter_sets" / "ncm811.toml").read_text(encoding="utf-8")
    for key, value in (("id", json.dumps("panasonic18650pf_start")),
                       ("name", json.dumps("Panasonic NCR18650PF start cell (ncm811 at 2.9 Ah, "
                                           "positive OCP from the C/20 discharge)")),
                       ("nominal_capacity_Ah", repr(round(float(cell.nominal_capacity_Ah), 4)))):
        text = re.sub(rf"^{key}\s*=.*$", f"{key} = {value}", text, count=1, flags=re.MULTILINE)
    limits = cell.stoichiometry_limits
    sto = ", ".join(f"{v:.6g}" for v in grid)
    ocp = ", ".join(f"{v:.5f}" for v in table)
    return text + f"""
[[blocks]]
name = "Panasonic NCR18650PF: 2.9 Ah electrode width and positive OCP from its C/20 discharge"
source = \"\"\"Width: LG M50 5.0 Ah -> Panasonic NCR18650PF 2.9 Ah datasheet capacity \
(x {WIDTH_FACTOR}). OCP: derived by `python -m tools.derive_positive_ocp` from the 25 C C/20 \
discharge of Kollmeyer's data (doi:10.17632/wykht8y7tg.1): C/20 discharge branch + ORegan2022 \
graphite OCP, measured range placed on the start window x {limits.x_n_100:.3f} -> \
{limits.x_n_0:.3f}, y {limits.x_p_100:.3f} -> {limits.x_p_0:.3f} (ASSUMPTION: the LG M50's \
window); outside it the ORegan2022 NMC811 OCP shifted to join.\"\"\"
note = \"\"\"No NCA OCP in PyBaMM fits this cell (see tools/derive_positive_ocp.py); the entropic \
term stays NMC811's.\"\"\"
[blocks.parameters]
"Electrode width [m]" = {float(cell.parameter_values['Electrode width [m]'])!r}
"Positive electrode OCP [V]" = {{ stoichiometry = [{sto}], ocp_V = [{ocp}] }}
"""


def main() -> None:
    cell = start_cell()
    charge_Ah, ocv_V = discharge_branch_ocv()
    grid, table = positive_ocp_table(cell, charge_Ah, ocv_V)
    OUTPUT.write_text(start_file_text(cell, grid, table), encoding="utf-8")
    print(f"C/20 capacity {charge_Ah[-1]:.3f} Ah; wrote {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
