"""The command line: JSON output, one-line errors, figures written."""

from __future__ import annotations

import json
from pathlib import Path

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


# ------------------------------------------------------------------ output paths (issue #15, 8b)


def _must_not_compute(*args, **kwargs):
    raise AssertionError("computed before checking the output path")


@pytest.mark.parametrize(
    ("argv_tail", "words"),
    [
        (["discharge", "--chemistry", "lfp", "--out", "{file}/f.png"], ["out=", "is a file"]),
        (["discharge", "--chemistry", "lfp", "--out", "{tmp}/f.xyz"], ["out=", ".png"]),
        (["discharge", "--chemistry", "lfp", "--out", "{tmp}"], ["out=", "is a folder"]),
        (["compare", "--chemistries", "lfp", "--out", "{file}/results"], ["out=", "is a file"]),
    ],
)
def test_unwritable_output_is_refused_before_computing(tmp_path, capsys, monkeypatch,
                                                        argv_tail, words):
    import cellsim.studies.compare
    import cellsim.studies.discharge

    monkeypatch.setattr(cellsim.studies.discharge, "discharge", _must_not_compute)
    monkeypatch.setattr(cellsim.studies.compare, "compare", _must_not_compute)
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    argv = [a.format(file=a_file, tmp=tmp_path) for a in argv_tail]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cellsim: error:") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_failed_write_after_computing_keeps_the_result(tmp_path, capsys, monkeypatch):
    from matplotlib.figure import Figure

    target = tmp_path / "curves.png"
    real_savefig = Figure.savefig

    def disk_full_in_target(self, path, *args, **kwargs):
        if Path(path).parent == tmp_path:
            raise OSError(28, "No space left on device")
        return real_savefig(self, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", disk_full_in_target)
    status = main(["discharge", "--chemistry", "ncm523", "--c-rate", "1", "--model", "SPM",
                   "--out", str(target), "--json"])
    captured = capsys.readouterr()
    assert status == 2
    assert json.loads(captured.out)[0]["capacity_Ah"] > 4  # the table was printed
    assert "No space left on device" in captured.err and "Traceback" not in captured.err
    saved = Path(captured.err.rsplit("saved to ", 1)[1].split()[0])
    assert (saved / "curves.png").stat().st_size > 10_000  # the figure was saved elsewhere
    assert not target.exists()
