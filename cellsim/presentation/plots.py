"""Matplotlib figures of cellsim results; every function returns a ``matplotlib.figure.Figure``.

Every figure draws one line per result, coloured by chemistry (:mod:`.palette`: the same colour
for a chemistry in every figure) with a line style per condition (C-rate and temperature,
drive cycle and ambient, climate, charger power), and labels its axes with units. The results'
``.plot()`` methods call these functions, and so does the command line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .palette import colors_for, linestyles_for

# Column-name endings and the unit they stand for (the project's naming convention).
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_Wh_per_kg", "Wh/kg"), ("_Wh_per_L", "Wh/L"), ("_Wh_per_km", "Wh/km"),
    ("_W_per_m2K", "W/(m²·K)"), ("_kmh", "km/h"), ("_km", "km"), ("_kWh", "kWh"),
    ("_Wh", "Wh"), ("_kW", "kW"), ("_W", "W"), ("_Ah", "Ah"), ("_V", "V"), ("_A", "A"),
    ("_min", "min"), ("_s", "s"), ("_kg", "kg"), ("_L", "L"), ("_pct", "%"), ("_C", "°C"),
    ("_y", "years"), ("_ohm", "Ω"),
)
UNITLESS = {"soh": "fraction", "soc": "fraction", "c_rate": "C", "final_soc": "fraction",
            "start_soc": "fraction", "end_soc": "fraction", "charge_to_soc": "fraction"}
THRESHOLD_STYLE = {"color": "grey", "lw": 0.8, "ls": "--"}


def axis_label(column: str) -> str:
    """A plain axis label with its unit from a column name: ``"range_km"`` → ``"range [km]"``,
    ``"specific_energy_Wh_per_kg"`` → ``"specific energy [Wh/kg]"``."""
    for suffix, unit in UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            words = column[: -len(suffix)].replace("_", " ")
            return f"{words} [{unit}]"
    if column in UNITLESS:
        return f"{column.replace('_', ' ')} [{UNITLESS[column]}]"
    return column.replace("_", " ")


def plot_discharge(results: Iterable, *, title: str | None = None) -> Figure:
    """Discharge curves, one panel per chemistry: voltage against discharged capacity.

    Each chemistry has its own capacity axis (a 280 Ah cell does not squeeze a 5 Ah one against
    the axis) and all share the voltage axis.

    Parameters
    ----------
    results
        :class:`~cellsim.studies.discharge.DischargeResult` objects (any mix of chemistries,
        C-rates and temperatures); one line each, coloured by chemistry, with a line style per
        C-rate and temperature, labelled ``"<chemistry> <C-rate>C <T> °C"``.
    title
        Figure title.
    """
    results = list(results)
    chemistries = list(dict.fromkeys(r.cell.chemistry for r in results))
    colors = colors_for(chemistries)
    styles = linestyles_for([_discharge_condition(r) for r in results])
    fig, axes = _panels(len(chemistries), sharey=True)
    by_chemistry = dict(zip(chemistries, axes))
    for result in results:
        ax = by_chemistry[result.cell.chemistry]
        ax.plot(result.data["capacity_Ah"], result.data["voltage_V"], label=result.label,
                color=colors[result.cell.chemistry], ls=styles[_discharge_condition(result)])
    for chemistry, ax in by_chemistry.items():
        ax.set_title(chemistry, color=colors[chemistry])
        ax.set_xlabel("Discharged capacity [Ah]")
        lines = ax.get_lines()  # the legend drops the chemistry, which the panel title gives
        ax.legend(lines, [line.get_label().removeprefix(chemistry).strip() for line in lines],
                  fontsize=8)
    axes[0].set_ylabel("Voltage [V]")
    _finish(fig, axes, title)
    return fig


def plot_range(results: Iterable, *, title: str | None = None) -> Figure:
    """Range tests: cell SOC and temperature against distance driven, one line per result.

    The SOC line ends where the range ends. Colour by chemistry, line style per drive cycle and
    ambient temperature.
    """
    fig, _ = _series(
        results, x=lambda d: d["distance_km"], xlabel="Distance driven [km]",
        panels=[(lambda d: 100 * d["soc"], "Cell state of charge [%]"),
                (lambda d: d["temperature_C"], "Cell temperature [°C]")],
        condition=lambda r: (r.cycle_name, r.ambient_C),
        label=lambda r: f"{r.chemistry} {r.cycle_name} {r.ambient_C:g} °C", title=title)
    return fig


def plot_soh(results: Iterable, *, title: str | None = None) -> Figure:
    """Lifetimes: state of health and resistance increase against years, one line per result,
    with the 80 % (end of automotive life) and 70 % (second life) thresholds.

    Colour by chemistry, line style per climate.
    """
    fig, (ax_soh, _) = _series(
        results, x=lambda d: d["year"], xlabel="Time in service [years]",
        panels=[(lambda d: 100 * d["soh"], "State of health [% of fresh capacity]"),
                (lambda d: 100 * (d["resistance_ohm"] / d["resistance_ohm"].iloc[0] - 1),
                 "Resistance increase [%]")],
        condition=lambda r: r.climate, label=lambda r: f"{r.chemistry} ({r.climate})",
        title=title)
    for level, text in ((80, "80 %: end of automotive life"), (70, "70 %: second life")):
        ax_soh.axhline(level, **THRESHOLD_STYLE)
        ax_soh.annotate(text, (0.01, level), xycoords=("axes fraction", "data"),
                        xytext=(0, 2), textcoords="offset points", fontsize=7, color="grey")
    return fig


def plot_fast_charge(results: Iterable, *, title: str | None = None) -> Figure:
    """DC fast charges: SOC, pack power and cell temperature against time, one line per charge.

    Colour by chemistry, line style per charger power and ambient temperature.
    """
    fig, _ = _series(
        results, x=lambda d: d["time_s"] / 60, xlabel="Time [min]",
        panels=[(lambda d: 100 * d["soc"], "State of charge [%]"),
                (lambda d: d["power_kW"], "Pack power [kW]"),
                (lambda d: d["temperature_C"], "Cell temperature [°C]")],
        condition=lambda r: (r.charger_kW, r.ambient_C),
        label=lambda r: f"{r.chemistry} {r.charger_kW:g} kW {r.ambient_C:g} °C", title=title)
    return fig


def plot_sweep(table: pd.DataFrame, x: str, y: str, *, color_by: str = "chemistry",
               title: str | None = None) -> Figure:
    """A metric of a sweep table against one of its inputs: one line per combination of the
    other inputs that vary, coloured by ``color_by`` (chemistry colours when it is
    ``"chemistry"``), with a line style per combination of the rest. Failed cases are left out.

    Parameters
    ----------
    table
        A table from :func:`~cellsim.sweep` (its ``attrs["inputs"]`` name the input columns;
        without it, every column before the metrics that varies counts as an input).
    x, y
        Input column of the x axis and metric column of the y axis.
    color_by
        Input column giving the colour (ignored if absent).
    """
    from ..errors import InputError

    for field, column in (("x", x), ("y", y)):
        if column not in table.columns:
            raise InputError(f"{field}={column!r} is not a column; allowed: "
                             f"{', '.join(map(str, table.columns))}")
    ok = table[table["status"] == "ok"] if "status" in table else table
    inputs = [c for c in table.attrs.get("inputs", []) if c in ok and c != x]
    varying = [c for c in inputs if ok[c].astype(str).nunique() > 1]
    color_key = color_by if color_by in varying else None
    rest = [c for c in varying if c != color_key]
    groups = list(ok.groupby(varying, sort=False)) if varying else [((), ok)]
    colors = colors_for(str(v) for v in ok[color_key]) if color_key else {}
    styles = linestyles_for([_key(k, varying, rest) for k, _ in groups])
    fig, (ax,) = _panels(1)
    for key, rows in groups:
        values = dict(zip(varying, key if isinstance(key, tuple) else (key,)))
        rows = rows.sort_values(x)
        ax.plot(rows[x], rows[y], marker="o", ls=styles[_key(key, varying, rest)],
                color=colors.get(str(values.get(color_key)), "#0072B2"),
                label=_group_label(values, color_key) or y)
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    if len(groups) > 1:
        ax.legend(fontsize=8)
    _finish(fig, [ax], title)
    return fig


# ------------------------------------------------------------------------------------ helpers


def _series(results: Iterable, *, x: Callable[[pd.DataFrame], Any], xlabel: str,
            panels: Sequence[tuple[Callable[[pd.DataFrame], Any], str]],
            condition: Callable[[Any], Hashable], label: Callable[[Any], str],
            title: str | None) -> tuple[Figure, list[Axes]]:
    """Panels of ``result.data`` columns against ``x``, a line per result in every panel:
    colour by ``result.chemistry``, line style by ``condition(result)``."""
    results = list(results)
    colors = colors_for(r.chemistry for r in results)
    styles = linestyles_for([condition(r) for r in results])
    fig, axes = _panels(len(panels))
    for r in results:
        style = {"color": colors[r.chemistry], "ls": styles[condition(r)], "label": label(r)}
        for ax, (y, _) in zip(axes, panels):
            ax.plot(x(r.data), y(r.data), **style)
    for ax, (_, ylabel) in zip(axes, panels):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    _finish(fig, axes, title)
    return fig, axes


def _discharge_condition(result: Any) -> tuple[float, float]:
    return (result.c_rate, result.temperature_C)


def _group_label(values: dict[str, Any], color_key: str | None) -> str:
    """``"lfp, pack_kWh=75"``: the colour's value first and bare, the others named."""
    first = [str(values[color_key])] if color_key in values else []
    return ", ".join(first + [f"{c}={v}" for c, v in values.items() if c != color_key])


def _key(key: Any, varying: Sequence[str], rest: Sequence[str]) -> Hashable:
    values = dict(zip(varying, key if isinstance(key, tuple) else (key,)))
    return tuple(values[c] for c in rest)


def _panels(n: int, *, sharey: bool = False) -> tuple[Figure, list[Axes]]:
    """A constrained-layout figure of ``n`` panels, at most four in a row."""
    ncols = min(n, 4)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.6 * ncols + 0.6, 3.4 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _finish(fig: Figure, axes: Iterable[Axes], title: str | None) -> None:
    for ax in axes:
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)

