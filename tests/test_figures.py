"""Figures: one line per result, one colour per chemistry, axis labels with units, and
``.plot()`` on every result drawing the same figure as the plotting function."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

import cellsim
from cellsim.errors import InputError
from cellsim.presentation.palette import CHEMISTRY_COLORS, OTHER_COLORS, colors_for
from cellsim.presentation.plots import axis_label, plot_sweep
from cellsim.studies.sweep_table import SweepTable

UNIT = re.compile(r"\[[^\]]+\]")
TWO = ("ncm811", "lfp")


@pytest.fixture(scope="module")
def packs(cells):
    return {c: cellsim.Pack.sized(cells[c], energy_kWh=75, voltage_V=400) for c in TWO}


def _check(fig: Figure, n_results: int, chemistries: list[str]) -> None:
    """Every panel: one line per result, a colour per chemistry (same within, unique across),
    units on both axes."""
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
        assert len(lines) == n_results
        colours = {}
        for line in lines:
            colours.setdefault(line.get_label().split()[0], set()).add(line.get_color())
        assert sorted(colours) == sorted(set(chemistries))
        assert all(len(c) == 1 for c in colours.values())
        assert len(set.union(*colours.values())) == len(colours)
        assert UNIT.search(ax.get_xlabel()) and UNIT.search(ax.get_ylabel())


def test_palette_keeps_shipped_colours_and_makes_a_figure_unique():
    user = ["my_cell", "bpx_pouch", "fitted", "replayed"]
    colours = colors_for([*cellsim.chemistries(), *user])
    assert {c: colours[c] for c in CHEMISTRY_COLORS} == CHEMISTRY_COLORS
    assert len(set(colours.values())) == len(colours)
    assert set(colours[u] for u in user) <= set(OTHER_COLORS)
    assert cellsim.color_for("ncm811") == CHEMISTRY_COLORS["ncm811"]


def test_axis_labels_from_column_names_carry_units():
    assert axis_label("specific_energy_Wh_per_kg") == "specific energy [Wh/kg]"
    assert axis_label("ambient_C") == "ambient [°C]"
    assert axis_label("range_km") == "range [km]"


@pytest.mark.slow
def test_range_plot(packs):
    vehicle = cellsim.Vehicle.default()
    results = [cellsim.range_test(packs[c], vehicle, "wltc_class3b", ambient_C=t, max_cycles=1)
               for c in TWO for t in (25, -7)]
    _check(cellsim.plot_range(results), len(results), list(TWO))
    _check(results[0].plot(), 1, ["ncm811"])
    # the SOC line ends where the range ends
    fig = cellsim.plot_range(results)
    assert fig.axes[0].get_lines()[0].get_xdata()[-1] == pytest.approx(results[0].range_km, rel=0.01)


def test_lifetime_plot(packs):
    vehicle = cellsim.Vehicle.default()
    usage = cellsim.Usage(daily_km=50, charge_to_soc=0.9)
    results = [cellsim.lifetime(packs[c], vehicle, usage, cellsim.Climate.constant(25), 0.25,
                                range_every_days=None) for c in TWO]
    fig = cellsim.plot_soh(results)
    _check(fig, len(results), list(TWO))
    thresholds = [ln.get_ydata()[0] for ln in fig.axes[0].get_lines()
                  if ln.get_label().startswith("_")]
    assert sorted(thresholds) == [70, 80]
    _check(results[0].plot(), 1, ["ncm811"])


@pytest.mark.slow
def test_fast_charge_plot(packs):
    results = [cellsim.fast_charge(packs[c], kw) for c in TWO for kw in (50, 150)]
    fig = cellsim.plot_fast_charge(results)
    _check(fig, len(results), list(TWO))
    # a line style per charger power, shared by the chemistries
    styles = {(ln.get_label().split()[1], ln.get_linestyle()) for ln in fig.axes[0].get_lines()}
    assert len(styles) == 2
    _check(results[0].plot(), 1, ["ncm811"])


def test_discharge_result_plot(cells):
    result = cellsim.discharge(cells["ncm523"], 1.0, model="SPM")
    _check(result.plot(), 1, ["ncm523"])


def test_sweep_table_plot_and_pandas_plotting():
    table = SweepTable({"chemistry": ["lfp", "lfp", "ncm811", "ncm811"],
                        "ambient_C": [-7.0, 25.0, -7.0, 25.0],
                        "range_km": [410.0, 575.0, 455.0, 598.0],
                        "status": ["ok"] * 4})
    table.attrs["inputs"] = ["chemistry", "ambient_C"]
    fig = table.plot("ambient_C", "range_km")
    _check(fig, 2, ["lfp", "ncm811"])
    assert fig.axes[0].get_xlabel() == "ambient [°C]"
    assert hasattr(table.plot.bar(x="chemistry", y="range_km"), "patches")  # pandas' accessor
    assert type(table[table["status"] == "ok"]) is pd.DataFrame  # derived tables are plain
    with pytest.raises(InputError, match="y='range'"):
        plot_sweep(table, "ambient_C", "range")


def test_comparison_safety_rows_tell_no_runaway_from_no_data():
    """The ARC rows of the comparison chart: a tested cell without T2 reads "none" and is the
    best of the T2 row (↑ better); a cell without abuse parameters (all NaN) reads "n/a" and gets
    no bar; T3 is ↓ better."""
    from cellsim.studies.compare import Comparison

    nan = float("nan")
    table = pd.DataFrame({"chemistry": ["ncm811", "lfp", "my_cell"],
                          "arc_T1_onset_C": [84.1, 86.8, nan],
                          "arc_T2_trigger_C": [216.9, nan, nan],
                          "arc_T3_max_C": [852.0, 400.3, nan]})
    fig = Comparison(table, "energy", {"pack_energy_kWh": 75.0}, 8.0).plot()
    ax = next(a for a in fig.axes if a.get_title(loc="left").startswith("Safety"))
    texts = [t.get_text() for t in ax.texts]
    assert texts[3:6] == ["217 °C", "none ★", "n/a"]
    assert texts[6:9] == ["852 °C", "400 °C ★", "n/a"]
    assert [lbl.get_text().split(" [")[0] for lbl in ax.get_yticklabels()] == [
        "Self-heating onset T1", "Runaway trigger T2 (1 °C/s)", "Maximum temperature T3"]
    widths = [p.get_width() for p in ax.patches]
    assert widths[4] == max(widths[3:6]) and widths[5] == 0.0
