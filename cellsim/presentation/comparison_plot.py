"""The chemistry comparison as one chart a reader takes in at a glance.

Four panels (the cell; the pack in the car; ageing and charging; safety in accelerating-rate
calorimetry), one row per metric with a
plain label, its unit and which direction is better, one bar per chemistry in the chemistry's
colour. Metrics have different units, so each bar shows the value as a percentage of the largest
value of its row and is labelled with the value itself; a star marks the best chemistry of each
row. The quantity the packs share (energy, volume or mass: the comparison's basis) is named in
the title instead of drawn. A threshold not reached in the simulated horizon is labelled
``"> 8 y"`` and drawn at the horizon; a cell whose self-heating never reaches the runaway rate
in the calorimeter has its trigger temperature T2 labelled ``"none"`` and drawn at the
temperature where the protocol stops (the safest value the test can show).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..studies.abuse import ARC_STOP_C
from .palette import colors_for

if TYPE_CHECKING:
    from ..studies.compare import Comparison

BASIS_TEXT = {"energy": "equal pack energy", "volume": "equal pack volume (same car platform)",
              "mass": "equal pack mass"}
SHARED_TEXT = {"pack_energy_kWh": ("{:.0f} kWh", ""),
               "pack_volume_L": ("{:.0f} L", ", the volume of the 75 kWh ncm811 pack"),
               "pack_mass_kg": ("{:.0f} kg", ", the mass of the 75 kWh ncm811 pack")}
SAME_RELATIVE = 0.005  # a row whose values differ by less than this has no best (no star)
_LABELS = {"pack_energy_kWh": "Pack energy", "pack_volume_L": "Pack volume",
           "pack_mass_kg": "Pack mass"}


@dataclass(frozen=True)
class Metric:
    """A row of the chart: its values (one per chemistry), label, unit and better direction."""

    label: str
    unit: str
    higher_is_better: bool
    values: np.ndarray
    texts: list[str]

    @property
    def title(self) -> str:
        """The row label, e.g. ``"WLTC range, 25 °C [km] ↑ better"``."""
        return f"{self.label} [{self.unit}] {'↑' if self.higher_is_better else '↓'} better"

    def best(self) -> int:
        """Index of the best chemistry."""
        return int(np.nanargmax(self.values) if self.higher_is_better
                   else np.nanargmin(self.values))


def plot_comparison(comparison: Comparison) -> Figure:
    """One figure of a :class:`~cellsim.studies.compare.Comparison` (module docstring)."""
    table = comparison.table
    names = table["chemistry"].astype(str).tolist()
    colors = colors_for(names)
    panels = {"The cell": _cell_metrics(table),
              "The pack in the car": _pack_metrics(table),
              "Ageing and charging": _ageing_metrics(comparison),
              "Safety: accelerating-rate calorimetry, 100 % SOC": _safety_metrics(table)}
    shared = {_LABELS[key] for key in comparison.reference}
    panels = {k: [m for m in v if m.label not in shared] for k, v in panels.items()}
    panels = {k: v for k, v in panels.items() if v}
    heights = [len(v) * (len(names) + 1) for v in panels.values()]
    fig = Figure(figsize=(10, 1.2 + 0.13 * sum(heights)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, (panel, metrics) in zip(axes[:, 0], panels.items()):
        _draw_panel(ax, panel, metrics, names, colors)
    axes[-1, 0].set_xlabel("Bar length: value as a share of the largest value in its row [%]"
                           "   ★ best")
    fig.legend(handles=[Patch(color=colors[n], label=n) for n in names],
               loc="outside lower center", ncol=len(names), frameon=False)
    fig.suptitle(_title(comparison), fontsize=11)
    return fig


def _draw_panel(ax, panel: str, metrics: list[Metric], names: list[str],
                colors: dict[str, str]) -> None:
    n = len(names)
    bar_h = 0.8 / n
    for row, metric in enumerate(metrics):
        scale = np.nanmax(np.abs(metric.values)) or 1.0
        best = metric.best() if not _same(metric.values) else -1
        for i, name in enumerate(names):
            y = row + (i - (n - 1) / 2) * bar_h
            value = metric.values[i]
            length = 0.0 if math.isnan(value) else 100.0 * value / scale
            ax.barh(y, length, height=bar_h * 0.9, color=colors[name], gid=name)
            star = " ★" if i == best else ""
            ax.text(max(length, 0) + 1.0, y, metric.texts[i] + star, va="center", fontsize=7.5,
                    fontweight="bold" if star else "normal")
    ax.set_yticks(range(len(metrics)), [m.title for m in metrics], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_title(panel, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _title(comparison: Comparison) -> str:
    shared = ", ".join(fmt.format(value) + note for key, value in comparison.reference.items()
                       for fmt, note in [SHARED_TEXT[key]])
    return (f"{len(comparison.table)} chemistries in the same car: "
            f"{BASIS_TEXT[comparison.basis]}, {shared}")


def _metric(table: pd.DataFrame, column: str, label: str, unit: str, higher: bool, *,
            scale: float = 1.0, digits: int = 0) -> list[Metric]:
    """A one-item list with the metric of ``column`` (empty if the table lacks it)."""
    if column not in table:
        return []
    values = scale * table[column].to_numpy(dtype=float)
    texts = ["n/a" if math.isnan(v) else f"{v:.{digits}f} {unit}" for v in values]
    return [Metric(label, unit, higher, values, texts)]


def _ratio_metric(table: pd.DataFrame, top: str, bottom: str, label: str) -> list[Metric]:
    """A capacity retention row, ``100 · top / bottom`` in %, if both columns are there."""
    if top not in table or bottom not in table:
        return []
    ratio = pd.DataFrame({"ratio": 100 * table[top] / table[bottom]})
    return _metric(ratio, "ratio", label, "%", True)


def _cell_metrics(table: pd.DataFrame) -> list[Metric]:
    cold = next((c for c in table if re.fullmatch(r"capacity_1C_-?[\d.]+C_Ah", c)), None)
    cold_text = cold[len("capacity_1C_"):-len("C_Ah")] if cold else ""
    return [
        *_metric(table, "specific_energy_Wh_per_kg", "Cell specific energy", "Wh/kg", True),
        *_metric(table, "energy_density_Wh_per_L", "Cell energy density", "Wh/L", True),
        *_ratio_metric(table, "capacity_1C_Ah", "capacity_0.2C_Ah",
                       "Capacity at 1C vs C/5, 25 °C"),
        *(_ratio_metric(table, cold, "capacity_1C_Ah", f"Capacity at 1C, {cold_text} °C vs 25 °C")
          if cold else []),
    ]


def _pack_metrics(table: pd.DataFrame) -> list[Metric]:
    ranges = [c for c in table if re.fullmatch(r"range_-?[\d.]+C_km", c)]
    return [
        *_metric(table, "pack_energy_kWh", _LABELS["pack_energy_kWh"], "kWh", True, digits=1),
        *_metric(table, "pack_mass_kg", _LABELS["pack_mass_kg"], "kg", False),
        *_metric(table, "pack_volume_L", _LABELS["pack_volume_L"], "L", False),
        *[m for c in ranges for m in _metric(
            table, c, f"WLTC range, {c[len('range_'):-len('C_km')]} °C", "km", True)],
    ]


def _ageing_metrics(comparison: Comparison) -> list[Metric]:
    table = comparison.table
    soh = next((c for c in table if re.fullmatch(r"soh_[\d.]+y", c)), None)
    charge = next((c for c in table if re.fullmatch(r"fast_charge_10_80_[\d.]+kW_min", c)), None)
    metrics = []
    if soh:
        metrics += _metric(table, soh, f"Capacity left after {soh[4:-1]} years", "%", True,
                           scale=100.0, digits=1)
    if "year_80" in table:
        horizon = comparison.lifetime_years
        years = table["year_80"].to_numpy(dtype=float)
        metrics.append(Metric("Years to 80 % capacity", "years", True,
                              np.where(np.isnan(years), horizon, years),
                              [comparison.years_text(y) for y in years]))
    if charge:
        kw = charge[len("fast_charge_10_80_"):-len("kW_min")]
        metrics += _metric(table, charge, f"DC fast charge 10→80 %, {kw} kW", "min", False)
    metrics += _metric(table, "fast_charge_peak_temperature_C",
                       "Peak cell temperature, fast charge", "°C", False)
    metrics += _metric(table, "peak_temperature_us06_35C_C",
                       "Peak cell temperature, US06 at 35 °C", "°C", False)
    return metrics


def _safety_metrics(table: pd.DataFrame) -> list[Metric]:
    """ARC T1, T2, T3 rows (:func:`~cellsim.studies.abuse.arc_summary` columns). A NaN T2 of a
    cell that was tested (finite T3) means no runaway: drawn at :data:`ARC_STOP_C`, "none"."""
    metrics = _metric(table, "arc_T1_onset_C", "Self-heating onset T1", "°C", True)
    if "arc_T2_trigger_C" in table and "arc_T3_max_C" in table:
        trigger = table["arc_T2_trigger_C"].to_numpy(dtype=float)
        calm = np.isnan(trigger) & np.isfinite(table["arc_T3_max_C"].to_numpy(dtype=float))
        texts = ["none" if c else ("n/a" if np.isnan(v) else f"{v:.0f} °C")
                 for v, c in zip(trigger, calm)]
        metrics.append(Metric("Runaway trigger T2 (1 °C/s)", "°C", True,
                              np.where(calm, ARC_STOP_C, trigger), texts))
    return metrics + _metric(table, "arc_T3_max_C", "Maximum temperature T3", "°C", False)


def _same(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return False
    return float(np.ptp(finite)) <= SAME_RELATIVE * float(np.max(np.abs(finite)))
