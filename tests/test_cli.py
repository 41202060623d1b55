"""The command line: JSON output, one-line errors, figures written."""

from __future__ import annotations

import json

import pytest

from cellsim.presentation.cli import main


def test_chemistries_json_lists_capacity_and_energy_density(capsys):
    assert main(["chemistries", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["chemistry"] for row in rows] == ["lfp", "ncm523", "ncm811", "solid_state"]
    for row in rows:
        assert row["nominal_capacity_Ah"] > 0
        assert 100 < row["specific_energy_Wh_per_kg"] < 500
        assert 200 < row["energy_density_Wh_per_L"] < 1500


def test_discharge_writes_a_figure_and_json(tmp_path, capsys):
    out = tmp_path / "curves.png"
    status = main(["discharge", "--chemistry", "ncm811,lfp", "--c-rate", "0.5,2",
                   "--model", "SPM", "--out", str(out), "--json"])
    assert status == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4
    by_key = {(r["chemistry"], r["c_rate"]): r["capacity_Ah"] for r in rows}
    assert by_key[("ncm811", 2.0)] < by_key[("ncm811", 0.5)]
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["discharge", "--chemistry", "nca"], ["nca", "lfp", "ncm811"]),
        (["discharge", "--chemistry", "lfp", "--c-rate", "-1"], ["c_rate", "allowed"]),
        (["discharge", "--chemistry", "lfp", "--c-rate", "one"], ["c-rate"]),
        (["discharge", "--chemistry", "lfp", "--temperature", "120"], ["temperature_C", "allowed"]),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cellsim: error:") and err.count("\n") == 1
    assert "Traceback" not in err
    for word in words:
        assert word in err
