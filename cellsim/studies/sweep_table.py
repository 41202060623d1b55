"""The table a sweep returns: a pandas DataFrame whose ``.plot(x, y)`` draws cellsim's figure.

``table.plot(x="ambient_C", y="range_km")`` returns a ``matplotlib.figure.Figure`` (one line per
combination of the other inputs, chemistry colours, units on the axes);
``table.plot.<kind>(...)`` (``bar``, ``line``, ``hist``, …) is pandas' plotting as usual.
Tables derived from it (a selection, a pivot) are plain DataFrames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class SweepTable(pd.DataFrame):
    """One row per case of a sweep; ``attrs["inputs"]`` names the input columns."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    @property
    def plot(self) -> _SweepPlot:  # type: ignore[override]
        """``plot(x, y, *, color_by="chemistry", title=None)`` → Figure (delegates to
        :func:`cellsim.presentation.plots.plot_sweep`, imported when called so the plotting
        code lives in the presentation layer); ``plot.<kind>`` is pandas' accessor."""
        return _SweepPlot(self)


class _SweepPlot:
    def __init__(self, table: SweepTable) -> None:
        self._table = table

    def __call__(self, x: str, y: str, *, color_by: str = "chemistry",
                 title: str | None = None) -> Figure:
        from ..presentation.plots import plot_sweep

        return plot_sweep(self._table, x, y, color_by=color_by, title=title)

    def __getattr__(self, kind: str) -> Any:
        return getattr(pd.DataFrame(self._table).plot, kind)
