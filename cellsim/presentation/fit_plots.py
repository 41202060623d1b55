"""Figures of measured-data replays and fits: measured against model voltage and temperature."""

from __future__ import annotations

import matplotlib.pyplot as plt


def plot_replay(result, ax=None):
    """Measured and model voltage against time (and temperature, when measured) of one
    :class:`~cellsim.studies.replay.ReplayResult`; returns the figure."""
    data = result.data
    has_t = data["temperature_C"].notna().any()
    if ax is None:
        fig, axes = plt.subplots(2 if has_t else 1, 1, figsize=(7, 5.5 if has_t else 3.5),
                                 sharex=True, squeeze=False)
        axes = axes[:, 0]
    else:
        fig, axes = ax.figure, [ax]
    hours = data["time_s"] / 3600.0
    axes[0].plot(hours, data["voltage_V"], color="0.2", lw=1.2, label="measured")
    axes[0].plot(hours, data["model_voltage_V"], color="tab:red", lw=1.0, ls="--",
                 label=f"model (RMSE {result.rmse_mV:.1f} mV)")
    axes[0].set_ylabel("voltage [V]")
    axes[0].set_title(result.measurement.name, fontsize=10)
    axes[0].legend(fontsize=8)
    if has_t and len(axes) > 1:
        axes[1].plot(hours, data["temperature_C"], color="0.2", lw=1.2,
                     label="measured (surface)")
        axes[1].plot(hours, data["model_temperature_C"], color="tab:red", lw=1.0, ls="--",
                     label="model (lumped)")
        axes[1].set_ylabel("temperature [°C]")
        axes[1].legend(fontsize=8)
    axes[-1].set_xlabel("time [h]")
    fig.tight_layout()
    return fig


def plot_fit(result):
    """Measured and fitted voltage of every measurement of a :class:`~cellsim.FitResult`,
    one panel each; returns the figure."""
    n = max(len(result.replays), 1)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.8 * n), squeeze=False)
    for ax, rep in zip(axes[:, 0], result.replays, strict=False):
        plot_replay(rep, ax=ax)
    fig.suptitle(f"fit: {'converged' if result.success else 'not converged'}", fontsize=10)
    fig.tight_layout()
    return fig
