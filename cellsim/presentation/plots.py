"""Matplotlib figures of cellsim results; every function returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matplotlib.figure import Figure


def plot_discharge(results: Iterable, *, title: str | None = None) -> Figure:
    """Discharge curves: voltage vs discharged capacity (Ah) and vs specific capacity (Ah/kg).

    Parameters
    ----------
    results
        :class:`~cellsim.studies.discharge.DischargeResult` objects (any mix of chemistries,
        C-rates and temperatures); one line each, labelled ``"<chemistry> <C-rate>C <T> °C"``.
    title
        Figure title.
    """
    results = list(results)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_abs, ax_spec = fig.subplots(1, 2, sharey=True)
    for result in results:
        voltage_V = result.data["voltage_V"]
        (line,) = ax_abs.plot(result.data["capacity_Ah"], voltage_V, label=result.label)
        ax_spec.plot(result.specific_capacity_Ah_per_kg, voltage_V, color=line.get_color())
    ax_abs.set_xlabel("Discharged capacity [Ah]")
    ax_spec.set_xlabel("Specific capacity [Ah/kg of cell]")
    ax_abs.set_ylabel("Voltage [V]")
    for ax in (ax_abs, ax_spec):
        ax.grid(alpha=0.3)
    ax_abs.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_bars(table, columns: Sequence[str], *, label_column: str = "chemistry") -> Figure:
    """One bar chart per column of a comparison table (e.g. Wh/kg, range, SOH)."""
    fig = Figure(figsize=(3.2 * len(columns), 3.6), layout="constrained")
    axes = fig.subplots(1, len(columns), squeeze=False)[0]
    for ax, column in zip(axes, columns, strict=True):
        ax.bar(table[label_column].astype(str), table[column])
        ax.set_title(column, fontsize=9)
        ax.tick_params(axis="x", rotation=45, labelsize=8)
        ax.grid(axis="y", alpha=0.3)
    return fig
