"""``cellsim compare``: the command and ``cellsim.compare`` behind it, its files and figure.

One run of ``cellsim compare --basis volume`` over the four shipped chemistries (SPM discharge
curves, to keep it short) is shared by every test of this module; the Comparison the command
computed is captured from ``cellsim.compare`` so the API and the command are checked on the same
numbers.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from types import SimpleNamespace

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

import cellsim
from cellsim.errors import InputError
from cellsim.presentation.cli import main
from cellsim.presentation.plots import UNIT_SUFFIXES
from cellsim.studies import compare as compare_module

# Highest to lowest cell energy density (Wh/L) of the shipped parameter files.
BY_ENERGY_DENSITY = ["solid_state", "ncm811", "ncm523", "lfp"]
YEARS_TEXT = re.compile(r"^(> 8 y|\d+\.\d y)$")
UNIT = re.compile(r"\[[^\]]+\]")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``cellsim compare --basis volume --model SPM --json --out <tmp>``, run once."""
    out = tmp_path_factory.mktemp("compare")
    captured = []
    real = compare_module.compare

    def spy(*args, **kwargs):
        captured.append((args, kwargs, real(*args, **kwargs)))
        return captured[-1][2]

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout):
        patch.setattr(compare_module, "compare", spy)
        status = main(["compare", "--basis", "volume", "--model", "SPM", "--json",
                       "--out", str(out)])
    (args, kwargs, comparison), = captured
    return SimpleNamespace(status=status, out=out, rows=json.loads(stdout.getvalue()),
                           args=args, kwargs=kwargs, comparison=comparison)


@pytest.mark.slow
def test_cli_writes_every_file_and_passes_the_basis(run):
    assert run.status == 0
    assert run.kwargs["basis"] == "volume" and run.comparison.basis == "volume"
    for name in ("comparison.csv", "comparison.png", "discharge_curves.png"):
        assert (run.out / name).stat().st_size > 1000, name
    csv = pd.read_csv(run.out / "comparison.csv")
    assert sorted(csv["chemistry"]) == sorted(BY_ENERGY_DENSITY)
    assert [r["chemistry"] for r in run.rows] == list(csv["chemistry"])
    # thresholds read "> 8 y" or "6.4 y" in the CSV and the JSON, never NaN or empty
    for value in [*csv["year_80"], *(r["year_80"] for r in run.rows)]:
        assert isinstance(value, str) and YEARS_TEXT.match(value), value
    # the numeric table keeps NaN for programs, and the texts say why
    for years, text in zip(run.comparison.table["year_80"], csv["year_80"]):
        assert (text == "> 8 y") == pd.isna(years)


@pytest.mark.slow
def test_columns_carry_units(run):
    table = run.comparison.table
    assert "range_25C_km" in table
    # fractions and counts named as such: SOH (fraction of fresh capacity), year_80 (years)
    unitless = {"soh_8y", "year_80"}
    suffixes = tuple(suffix for suffix, _ in UNIT_SUFFIXES)
    numeric = [c for c in table if pd.api.types.is_float_dtype(table[c])]
    assert numeric
    missing = [c for c in numeric if not c.endswith(suffixes) and c not in unitless]
    assert not missing, f"columns without a unit: {missing}"


@pytest.mark.slow
def test_equal_volume_range_follows_energy_density(run):
    table = run.comparison.table.set_index("chemistry")
    density = table["energy_density_Wh_per_L"].sort_values(ascending=False)
    assert list(density.index) == BY_ENERGY_DENSITY
    assert list(table["range_25C_km"].sort_values(ascending=False).index) == BY_ENERGY_DENSITY
    # every pack fills the ncm811 75 kWh pack's volume, to within a cell per string
    reference_L = run.comparison.reference["pack_volume_L"]
    assert table["pack_volume_L"].between(0.98 * reference_L, reference_L + 1e-9).all()
    # sized to reach 75 kWh, overshooting by less than one cell per string (~110 in series: < 1 %)
    assert 75.0 <= table.loc["ncm811", "pack_energy_kWh"] < 75.0 * 1.01
    # range follows pack energy: consumption differs by pack mass and losses, a few percent
    km_per_kWh = table["range_25C_km"] / table["pack_energy_kWh"]
    assert km_per_kWh.max() / km_per_kWh.min() < 1.1


@pytest.mark.slow
def test_comparison_figure_one_colour_per_chemistry_units_and_best_marked(run):
    fig = run.comparison.plot()
    names = list(run.comparison.table["chemistry"])
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    colours: dict[str, set[str]] = {}
    rows = 0
    for ax in fig.axes:
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        rows += len(bars) // len(names)
        assert len(bars) % len(names) == 0
        for bar in bars:
            chemistry = bar.get_gid()
            colours.setdefault(chemistry, set()).add(mcolors.to_hex(bar.get_facecolor()))
        for label in ax.get_yticklabels():
            assert UNIT.search(label.get_text()) and "better" in label.get_text()
    assert sorted(colours) == sorted(names)
    assert all(len(c) == 1 for c in colours.values())
    assert len({c.pop() for c in colours.values()}) == len(names)
    assert sum("★" in t for t in texts) >= rows - 1  # a star per row unless values tie
    assert not any("nan" in t.lower() for t in texts)
    if run.comparison.table["year_80"].isna().any():
        assert any(t.startswith("> 8 y") for t in texts)
    assert "volume" in fig.get_suptitle()
    assert UNIT.search(fig.axes[-1].get_xlabel())


@pytest.mark.slow
def test_comparison_figure_shows_the_arc_temperatures_with_the_best_starred(run):
    """The safety panel: a row each for ARC T1, T2 and T3 with the chemistries' values; the
    star of T2 (higher is better) on the chemistry that runs away last, a cell that never runs
    away ("none") counting as the latest."""
    fig = run.comparison.plot()
    table = run.comparison.table
    ax = next(a for a in fig.axes if a.get_title(loc="left").startswith("Safety"))
    rows = [label.get_text() for label in ax.get_yticklabels()]
    assert [r.split(" [")[0] for r in rows] == [
        "Self-heating onset T1", "Runaway trigger T2 (1 °C/s)", "Maximum temperature T3"]
    assert "↑" in rows[1] and "↓" in rows[2]
    n = len(table)
    t2_texts = [t.get_text() for t in ax.texts[n:2 * n]]
    latest = table["arc_T2_trigger_C"].fillna(float("inf")).to_numpy().argmax()
    assert [("★" in t) for t in t2_texts] == [i == latest for i in range(n)]
    for value, text in zip(table["arc_T2_trigger_C"], t2_texts):
        assert text.startswith("none" if pd.isna(value) else f"{value:.0f} °C"), text


@pytest.mark.slow
def test_discharge_figure_one_line_per_result_one_colour_per_chemistry(run):
    results = run.comparison.discharges
    fig = run.comparison.plot_discharges()
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert len(lines) == len(results)
    by_chemistry: dict[str, set[str]] = {}
    for line in lines:
        by_chemistry.setdefault(line.get_label().split()[0], set()).add(line.get_color())
    assert all(len(c) == 1 for c in by_chemistry.values())
    assert len(set.union(*by_chemistry.values())) == len(by_chemistry) == 4
    for ax in fig.axes:  # one panel per chemistry, each with its own capacity axis
        assert len({line.get_label().split()[0] for line in ax.get_lines()}) == 1
        assert UNIT.search(ax.get_xlabel())
    assert UNIT.search(fig.axes[0].get_ylabel())


def test_bad_basis_and_chemistries_name_the_field():
    with pytest.raises(InputError, match="basis='area'.*energy, volume, mass"):
        cellsim.compare(basis="area")
    with pytest.raises(InputError, match="chemistries='lfp'"):
        cellsim.compare("lfp")
    with pytest.raises(InputError, match="nca"):
        cellsim.compare(["nca"])
