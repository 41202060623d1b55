"""Matplotlib figures of a lifetime's degradation: the degradation modes over time and the aged
cell's differential voltage and incremental capacity curves. Every function returns a
``matplotlib.figure.Figure``."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

MODE_LABELS = {"lli_fraction": "loss of lithium inventory",
               "lam_n_fraction": "loss of negative active material",
               "lam_p_fraction": "loss of positive active material",
               "resistance_growth_fraction": "resistance growth"}


def plot_degradation_modes(result, *, title: str | None = None) -> Figure:
    """Degradation modes of a :class:`~cellsim.LifetimeResult` over time [% of fresh], beside
    its state of health."""
    modes = result.degradation_modes()
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_modes, ax_soh = fig.subplots(1, 2, sharex=True)
    for column in modes.columns.drop("year"):
        ax_modes.plot(modes["year"], 100.0 * modes[column], label=MODE_LABELS[column])
    ax_modes.set_ylabel("Change from the fresh cell [%]")
    ax_modes.legend(fontsize=8)
    ax_soh.plot(result.data["year"], 100.0 * result.data["soh"], color="k")
    ax_soh.set_ylabel("State of health [%]")
    for ax in (ax_modes, ax_soh):
        ax.set_xlabel("Time [years]")
        ax.grid(alpha=0.3)
    fig.suptitle(title or f"{result.chemistry}: degradation modes ({result.climate})")
    return fig


def plot_voltage_curves(curves: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Check-up curves by year (:meth:`~cellsim.LifetimeResult.voltage_curves`): voltage and
    differential voltage against the charge in the cell, incremental capacity against voltage."""
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    ax_v, ax_dvdq, ax_dqdv = fig.subplots(1, 3)
    for year, group in curves.groupby("year"):
        label = f"year {year:.3g}"
        (line,) = ax_v.plot(group["discharged_Ah"], group["voltage_V"], label=label)
        colour = line.get_color()
        ax_dvdq.plot(group["charge_Ah"], group["dVdQ_V_per_Ah"], color=colour, label=label)
        ax_dqdv.plot(group["voltage_V"], group["dQdV_Ah_per_V"], color=colour, label=label)
    ax_v.set_xlabel("Discharged capacity [Ah]")
    ax_v.set_ylabel("Voltage [V]")
    ax_dvdq.set_xlabel("Charge in the cell [Ah]")
    ax_dvdq.set_ylabel("dV/dQ [V/Ah]")
    ax_dvdq.set_ylim(0.0, float(curves["dVdQ_V_per_Ah"].quantile(0.95)) * 1.5)
    ax_dqdv.set_xlabel("Voltage [V]")
    ax_dqdv.set_ylabel("dQ/dV [Ah/V]")
    for ax in (ax_v, ax_dvdq, ax_dqdv):
        ax.grid(alpha=0.3)
    ax_v.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
