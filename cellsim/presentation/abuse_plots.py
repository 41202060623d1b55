"""Figures of thermal-abuse results (oven tests, accelerating-rate calorimetry, onset margins)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.figure import Figure

from .palette import colors_for, linestyles_for


def plot_oven(results: Iterable, *, title: str | None = None) -> Figure:
    """Cell temperature and reaction heat against time for :class:`OvenResult` objects."""
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_T, ax_q = fig.subplots(1, 2, sharex=True)
    results = list(results)
    colors = colors_for(r.chemistry for r in results)
    styles = linestyles_for([(r.oven_C, r.soc) for r in results])
    for r in results:
        label = f"{r.chemistry} {r.oven_C:g} °C SOC {r.soc:g}" + (" (runaway)" if r.runaway else "")
        time_min = r.data["time_s"] / 60.0
        look = {"color": colors[r.chemistry], "ls": styles[(r.oven_C, r.soc)]}
        ax_T.plot(time_min, r.data["temperature_C"], label=label, **look)
        ax_q.semilogy(time_min, np.maximum(r.data["heat_W"], 1e-6), **look)
    ax_T.set(xlabel="Time in the oven [min]", ylabel="Cell temperature [°C]")
    ax_q.set(xlabel="Time in the oven [min]", ylabel="Heat of the decomposition reactions [W]")
    return _finish(fig, (ax_T, ax_q), title)


def plot_arc(results: Iterable, *, title: str | None = None) -> Figure:
    """The ARC plot: self-heating rate against temperature (log scale) with T1, T2, T3 marked,
    and temperature against time, for :class:`ArcResult` objects."""
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_rate, ax_T = fig.subplots(1, 2)
    results = list(results)
    colors = colors_for(r.chemistry for r in results)
    styles = linestyles_for([r.soc for r in results])
    for r in results:
        d = r.data[r.data["self_heating_K_per_s"] > 0]
        look = {"color": colors[r.chemistry], "ls": styles[r.soc]}
        ax_rate.semilogy(d["temperature_C"], 60.0 * d["self_heating_K_per_s"],
                         label=f"{r.chemistry} SOC {r.soc:g}", **look)
        for x in (r.onset_C, r.trigger_C, r.max_C):
            if np.isfinite(x):
                ax_rate.axvline(x, color=look["color"], lw=0.6, ls=":")
        ax_T.plot(r.data["time_s"] / 3600.0, r.data["temperature_C"], **look)
    ax_rate.axhline(0.02, color="0.5", lw=0.8, ls="--")
    ax_rate.axhline(60.0, color="0.5", lw=0.8, ls="--")
    ax_rate.set(ylim=(1e-3, 1e5), xlabel="Temperature [°C] (dotted: T1, T2, T3)",
                ylabel="Self-heating [°C/min] (dashed: 0.02, 60)")
    ax_T.set(xlabel="Time [h]", ylabel="Cell temperature [°C]")
    return _finish(fig, (ax_rate, ax_T), title)


def plot_margin(traces: dict, *, x: str = "time_s", title: str | None = None) -> Figure:
    """Margin to the self-heating onset (``margin_K``) of several traces, by label."""
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for label, trace in traces.items():
        scale = 60.0 if x == "time_s" else 1.0
        ax.plot(trace[x] / scale, trace["margin_K"], label=label)
    ax.set(xlabel="Time [min]" if x == "time_s" else x, ylabel="T1 − cell temperature [K]")
    return _finish(fig, (ax,), title)


def _finish(fig: Figure, axes: tuple, title: str | None) -> Figure:
    """Grid every axis, legend on the first, optional title."""
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
