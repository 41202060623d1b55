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
2. the measured range (full charge to 2.5 V) is placed on the start cell's stoichiometry window
   (ORegan2022 graphite from x_100 = 0.91; positive y 0.26 -> y_0 — an ASSUMPTION: the window of
   the LG M50's NMC811 | graphite, another high-nickel | graphite 4.2 V cell), except the
   graphite's end of discharge: on the LG M50's x_0 = 0.03 the graphite OCP rises faster near
   the end than the cell voltage falls, and the derived positive OCP ROSE with lithiation (by
   0.2 V between y = 0.78 and 0.85: non-physical) — the end-of-discharge knee must then belong
   to the positive electrode (a positive-limited discharge, the graphite keeping some lithium at
   2.5 V: an ASSUMPTION without half-cell data of this cell). So x_0 is the smallest graphite
   stoichiometry (step 0.01) that leaves the derived positive OCP monotonically decreasing; the
   negative electrode's active material is scaled so that x_100 -> x_0 holds the same charge
   (y_0 is then unchanged);
3. ``U_p(y) = V(q) + U_n(x(q))`` inside the window; below y_100 (above the first loaded C/20
   point, ~4.13 V) the NMC811 OCP shifted to join it continuously; beyond y_0 (reached only at
   the particle surface during pulses at the end of discharge) the knee continues with the
   derived curve's mean slope over the last 1 % of the measured range. The measured cell falls
   by ~0.5 V within 10 s under a 4 A pulse at the end of its drive cycle: a steep positive OCP
   there, with positive-particle diffusion, is what gives the SPMe that response.

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
NEGATIVE_END_STEP = 0.01  # search step of the graphite's end-of-discharge stoichiometry
END_SLOPE_FRACTION = 0.01  # the positive OCP beyond y_0 continues the slope over this last part
OUTPUT = REPO / "parameter_sets" / "fitted" / "panasonic18650pf_start.toml"


def discharge_branch_ocv(path: Path = C20_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Discharged charge grid [Ah] and the C/20 discharge voltage on it [V], smoothed except over
    the last :data:`SMOOTHING_FRACTION` of the capacity: there the knee falls by 10-100 mV per
    grid step and a centred mean would lift its end (2.69 instead of 2.50 V), stretching the
    positive OCP beyond y_0 and the capacity to 2.5 V (3.14 instead of 3.0 Ah)."""
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
    smoothed = pd.Series(branch).rolling(window, center=True, min_periods=1).mean().to_numpy().copy()
    smoothed[-window:] = branch[-window:]
    return grid, smoothed


def width_scaled_cell():
    """The ncm811 chemistry (LG M50) with its electrode width scaled to 2.9 Ah."""
    return cellsim.Cell.from_chemistry("ncm811").with_parameters(
        {"Electrode width [m]": cellsim.Factor(WIDTH_FACTOR)})


def stoichiometry_paths(cell, fraction: np.ndarray, x_n_0: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Negative and positive stoichiometry along the discharge (``fraction`` 0 -> 1), from the
    cell's 100 % SOC state to ``x_n_0`` and the cell's ``y_0``."""
    limits = cell.stoichiometry_limits
    x_n = limits.x_n_100 + (x_n_0 - limits.x_n_100) * fraction
    y_p = limits.x_p_100 + (limits.x_p_0 - limits.x_p_100) * fraction
    return x_n, y_p


def negative_end_stoichiometry(cell, charge_Ah: np.ndarray, ocv_V: np.ndarray) -> float:
    """Smallest graphite stoichiometry at 0 % SOC (step :data:`NEGATIVE_END_STEP`) whose derived
    positive OCP decreases monotonically with lithiation (see the module notes)."""
    sto, u_n, _ = _ocp_grid(cell, 25.0)
    x_n_0 = cell.stoichiometry_limits.x_n_0
    while x_n_0 < 0.5:
        x_n, _ = stoichiometry_paths(cell, charge_Ah / charge_Ah[-1], x_n_0)
        if np.all(np.diff(ocv_V + np.interp(x_n, sto, u_n)) < 0.0):
            return round(float(x_n_0), 4)
        x_n_0 = (np.floor(x_n_0 / NEGATIVE_END_STEP) + 1) * NEGATIVE_END_STEP
    raise ValueError("no graphite end stoichiometry below 0.5 gives a monotonic positive OCP")


def start_cell(cell, x_n_0: float):
    """``cell`` with its negative active material scaled so that the graphite window
    x_100 -> ``x_n_0`` holds the charge of its own window x_100 -> x_0."""
    limits = cell.stoichiometry_limits
    scale = (limits.x_n_100 - limits.x_n_0) / (limits.x_n_100 - x_n_0)
    key = "Negative electrode active material volume fraction"
    return cell.with_parameters({key: float(cell.parameter_values[key]) * scale})


def positive_ocp_table(cell, charge_Ah: np.ndarray, ocv_V: np.ndarray, x_n_0: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Stoichiometry grid and the derived positive OCP on it (see the module notes); ``cell`` is
    the width-scaled ncm811 (its window), ``x_n_0`` the graphite's end of discharge."""
    x_n, y_p = stoichiometry_paths(cell, charge_Ah / charge_Ah[-1], x_n_0)
    sto, u_n, u_p = _ocp_grid(cell, 25.0)
    derived = ocv_V + np.interp(x_n, sto, u_n)
    grid = np.round(np.arange(STOICHIOMETRY_STEP, 1.0, STOICHIOMETRY_STEP), 6)
    inside = (grid > y_p[0]) & (grid < y_p[-1])
    table = np.interp(grid, sto, u_p)
    table[inside] = np.interp(grid[inside], y_p, derived)
    low, high = grid <= y_p[0], grid >= y_p[-1]
    table[low] += derived[0] - np.interp(y_p[0], sto, u_p)
    tail = y_p >= y_p[-1] - END_SLOPE_FRACTION * (y_p[-1] - y_p[0])
    end_slope = (derived[-1] - derived[tail][0]) / (y_p[-1] - y_p[tail][0])
    table[high] = derived[-1] + end_slope * (grid[high] - y_p[-1])
    grid = np.concatenate([grid[low], y_p[[0]], grid[inside], y_p[[-1]], grid[high]])
    table = np.concatenate([table[low], derived[[0]], table[inside], derived[[-1]], table[high]])
    return grid, table


def start_file_text(scaled, cell, x_n_0: float, grid: np.ndarray, table: np.ndarray) -> str:
    """The start parameter file: ncm811.toml renamed, plus the width, the negative active
    material and the derived OCP (``scaled``: the width-scaled ncm811 whose window is used, and
    whose rated capacity the start keeps — the negative scaling keeps the window's charge;
    ``cell``: the start cell)."""
    text = (REPO / "parameter_sets" / "ncm811.toml").read_text(encoding="utf-8")
    for key, value in (("id", json.dumps("panasonic18650pf_start")),
                       ("name", json.dumps("Panasonic NCR18650PF start cell (ncm811 at 2.9 Ah, "
                                           "positive OCP from the C/20 discharge)")),
                       ("nominal_capacity_Ah", repr(round(float(scaled.nominal_capacity_Ah), 4)))):
        text = re.sub(rf"^{key}\s*=.*$", f"{key} = {value}", text, count=1, flags=re.MULTILINE)
    limits = scaled.stoichiometry_limits
    sto = ", ".join(f"{v:.6g}" for v in grid)
    ocp = ", ".join(f"{v:.5f}" for v in table)
    negative = "Negative electrode active material volume fraction"
    return text + f"""
[[blocks]]
name = "Panasonic NCR18650PF: 2.9 Ah electrode width and positive OCP from its C/20 discharge"
source = \"\"\"Width: LG M50 5.0 Ah -> Panasonic NCR18650PF 2.9 Ah datasheet capacity \
(x {WIDTH_FACTOR}). OCP: derived by `python -m tools.derive_positive_ocp` from the 25 C C/20 \
discharge of Kollmeyer's data (doi:10.17632/wykht8y7tg.1): C/20 discharge branch + ORegan2022 \
graphite OCP, measured range placed on x {limits.x_n_100:.3f} -> {x_n_0:.3f} (graphite end of \
discharge: the smallest x_0 leaving the derived positive OCP monotonic; the LG M50's is \
{limits.x_n_0:.3f}, negative active material scaled to keep the charge), y {limits.x_p_100:.3f} \
-> {limits.x_p_0:.3f} (ASSUMPTION: the LG M50's window); above it the ORegan2022 NMC811 OCP \
shifted to join, beyond y_0 the end-of-discharge slope continued.\"\"\"
note = \"\"\"No NCA OCP in PyBaMM fits this cell (see tools/derive_positive_ocp.py); the entropic \
term stays NMC811's.\"\"\"
[blocks.parameters]
"Electrode width [m]" = {float(cell.parameter_values['Electrode width [m]'])!r}
"{negative}" = {round(float(cell.parameter_values[negative]), 5)!r}
"Positive electrode OCP [V]" = {{ stoichiometry = [{sto}], ocp_V = [{ocp}] }}
"""


def main() -> None:
    scaled = width_scaled_cell()
    charge_Ah, ocv_V = discharge_branch_ocv()
    x_n_0 = negative_end_stoichiometry(scaled, charge_Ah, ocv_V)
    grid, table = positive_ocp_table(scaled, charge_Ah, ocv_V, x_n_0)
    cell = start_cell(scaled, x_n_0)
    OUTPUT.write_text(start_file_text(scaled, cell, x_n_0, grid, table), encoding="utf-8")
    print(f"C/20 capacity {charge_Ah[-1]:.3f} Ah; graphite end of discharge x_0 = {x_n_0}; "
          f"wrote {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
