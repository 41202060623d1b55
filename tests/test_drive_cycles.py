"""Tests of cellsim.load.drive_cycle: shipped data against its README, CSV errors, operations."""

from __future__ import annotations

import hashlib
import importlib.resources
import re

import numpy as np
import pytest

from cellsim.errors import DriveCycleError, InputError
from cellsim.load import DriveCycle

DATA = importlib.resources.files("cellsim.data.drive_cycles")
NAMES = ("udds", "hwfet", "us06", "ftp75", "wltc_class3b", "nedc")


def _first_number(cell: str) -> float:
    return float(re.search(r"[-+]?\d+(?:\.\d+)?", cell).group())


def _verification_table() -> dict[str, dict[str, float]]:
    """The README's verification table: file stem -> computed and published figures."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    section = text.split("## Verification", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].endswith(".csv"):
            published_km = float(re.search(r"\(([\d.]+)", cells[3]).group(1))
            table[cells[0].removesuffix(".csv")] = {
                "samples": _first_number(cells[1]),
                "duration_s": _first_number(cells[2]),
                "distance_km": _first_number(cells[3]),
                "published_distance_km": published_km,
                "max_speed_kmh": _first_number(cells[5]),
            }
    return table


TABLE = _verification_table()


def test_readme_table_lists_every_shipped_cycle():
    assert set(TABLE) == set(NAMES) == set(DriveCycle.standard_names())


@pytest.mark.parametrize("name", NAMES)
def test_shipped_cycle_matches_readme(name):
    cycle = DriveCycle.standard(name)
    row = TABLE[name]
    assert cycle.name == name
    assert cycle.time_s.size == row["samples"]
    assert cycle.duration_s == row["duration_s"]
    assert cycle.distance_km == pytest.approx(row["distance_km"], abs=5e-4)
    assert cycle.distance_km == pytest.approx(row["published_distance_km"], rel=2e-3)
    assert cycle.max_speed_kmh == pytest.approx(row["max_speed_kmh"], abs=5e-3)
    assert cycle.speed_kmh[0] == cycle.speed_kmh[-1] == 0.0


def test_packaged_csvs_match_checksums():
    listed = {}
    for line in (DATA / "checksums.txt").read_text(encoding="utf-8").splitlines():
        digest, file_name = line.split()
        listed[file_name] = digest
    assert set(listed) == {f"{name}.csv" for name in NAMES}
    for file_name, digest in listed.items():
        assert hashlib.sha256((DATA / file_name).read_bytes()).hexdigest() == digest, file_name


def test_unknown_standard_name_lists_available():
    with pytest.raises(InputError, match="udds.*wltc_class3b|wltc_class3b.*udds") as info:
        DriveCycle.standard("artemis")
    assert "'artemis'" in str(info.value)


def test_standard_name_is_case_insensitive():
    assert DriveCycle.standard("UDDS").distance_km == DriveCycle.standard("udds").distance_km


def test_cycle_is_immutable():
    cycle = DriveCycle.standard("udds")
    with pytest.raises(ValueError):
        cycle.speed_kmh[3] = 50.0
    with pytest.raises(AttributeError):
        cycle.name = "other"


def test_ftp75_is_udds_plus_first_505_s():
    udds = DriveCycle.standard("udds")
    bag_1 = DriveCycle(udds.time_s[:506], udds.speed_kmh[:506], name="bag 1")
    ftp75 = udds + bag_1
    reference = DriveCycle.standard("ftp75")
    np.testing.assert_array_equal(ftp75.time_s, reference.time_s)
    np.testing.assert_array_equal(ftp75.speed_kmh, reference.speed_kmh)


def test_repeat_adds_duration_and_distance():
    hwfet = DriveCycle.standard("hwfet")
    triple = hwfet.repeat(3)
    assert triple.duration_s == 3 * hwfet.duration_s
    assert triple.distance_km == pytest.approx(3 * hwfet.distance_km, rel=1e-12)
    assert np.all(np.diff(triple.time_s) > 0)
    assert hwfet.repeat(1) is hwfet
    with pytest.raises(InputError, match="n=0"):
        hwfet.repeat(0)


def test_join_at_different_speeds_is_refused():
    moving = DriveCycle([0, 1, 2], [0, 10, 20], name="accelerating")
    with pytest.raises(DriveCycleError, match="accelerating.*20 km/h"):
        moving + moving


def test_resample_keeps_duration_and_distance():
    cycle = DriveCycle([0.0, 2.0, 5.0], [0.0, 36.0, 0.0], name="triangle")
    fine = cycle.resample(0.5)
    assert fine.time_s[0] == 0.0 and fine.time_s[-1] == 5.0
    np.testing.assert_allclose(np.diff(fine.time_s), 0.5)
    assert fine.speed_kmh[2] == pytest.approx(18.0)
    assert fine.distance_km == pytest.approx(cycle.distance_km)
    coarse = cycle.resample(2.0)
    np.testing.assert_allclose(coarse.time_s, [0.0, 2.0, 4.0, 5.0])
    with pytest.raises(InputError, match="dt_s"):
        cycle.resample(0.0)


def test_derived_quantities():
    cycle = DriveCycle([0, 10, 20, 30], [0, 36, 36, 0], name="trapezoid")
    assert cycle.distance_km == pytest.approx(0.2)  # 50 m + 100 m + 50 m
    assert cycle.mean_speed_kmh == pytest.approx(0.2 / (30 / 3600))
    np.testing.assert_allclose(cycle.acceleration_m_per_s2, [1.0, 0.0, -1.0])
    frame = cycle.to_frame()
    assert list(frame.columns) == ["time_s", "speed_kmh"]
    assert len(frame) == 4


def test_plot_returns_figure():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = DriveCycle.standard("nedc").plot()
    assert isinstance(figure, Figure)


# --------------------------------------------------------------------------------- CSV reading


def _write(tmp_path, text, file_name="trace.csv"):
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    return path


def test_from_csv_units_and_columns(tmp_path):
    path = _write(tmp_path, "t,extra,v\n0,a,0\n0.5,b,10\n1,c,0\n")
    cycle = DriveCycle.from_csv(
        path, time_column="t", speed_column="v", speed_unit="mph", time_unit="min"
    )
    np.testing.assert_allclose(cycle.time_s, [0.0, 30.0, 60.0])
    np.testing.assert_allclose(cycle.speed_kmh, [0.0, 16.09344, 0.0])
    assert cycle.name == "trace"
    metres = DriveCycle.from_csv(
        _write(tmp_path, "time_s,speed_kmh\n0,0\n1,10\n", "ms.csv"), speed_unit="m/s", name="x"
    )
    assert metres.speed_kmh[1] == pytest.approx(36.0)
    assert metres.name == "x"


def test_bad_units_raise_input_error(tmp_path):
    path = _write(tmp_path, "time_s,speed_kmh\n0,0\n1,1\n")
    with pytest.raises(InputError, match="speed_unit='kph'.*km/h, m/s, mph"):
        DriveCycle.from_csv(path, speed_unit="kph")
    with pytest.raises(InputError, match="time_unit='h'"):
        DriveCycle.from_csv(path, time_unit="h")


@pytest.mark.parametrize(
    ("text", "row", "column", "what"),
    [
        ("time_s,speed_kmh\n0,0\n1,fast\n2,0\n", 3, "speed_kmh", "'fast' is not a number"),
        ("time_s,speed_kmh\n0,0\n1,5\n2,nan\n", 4, "speed_kmh", "'nan' is not finite"),
        ("time_s,speed_kmh\n0,0\n1,-3\n", 3, "speed_kmh", "negative"),
        ("time_s,speed_kmh\n0,0\n1,5\n1,6\n", 4, "time_s", "strictly increasing"),
        ("time_s,speed_kmh\n0,0\n2,5\n1,6\n", 4, "time_s", "strictly increasing"),
        ("time_s,speed_kmh\n0,0\n1,\n", 3, "speed_kmh", "empty"),
        ("time_s,speed_kmh\n0,0\n1\n", 3, "speed_kmh", "empty"),
        ("time_s,speed_kmh\n0,0\n\n1,x\n", 4, "speed_kmh", "'x' is not a number"),
        ("time_s,speed_kmh\n0,0\nabc,1\n", 3, "time_s", "'abc' is not a number"),
    ],
)
def test_malformed_csv_names_file_row_and_column(tmp_path, text, row, column, what):
    path = _write(tmp_path, text)
    with pytest.raises(DriveCycleError) as info:
        DriveCycle.from_csv(path)
    message = str(info.value)
    assert str(path) in message
    assert f"row {row}," in message
    assert f"column {column!r}" in message
    assert what in message


def test_missing_column_names_file_and_column(tmp_path):
    path = _write(tmp_path, "time_s,velocity\n0,0\n1,1\n")
    with pytest.raises(DriveCycleError) as info:
        DriveCycle.from_csv(path)
    message = str(info.value)
    assert str(path) in message and "'speed_kmh'" in message and "'velocity'" in message


@pytest.mark.parametrize("text", ["", "time_s,speed_kmh\n", "time_s,speed_kmh\n0,0\n"])
def test_too_short_csv_is_refused(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(DriveCycleError, match=re.escape(str(path))):
        DriveCycle.from_csv(path)


def test_missing_file_is_a_drive_cycle_error(tmp_path):
    with pytest.raises(DriveCycleError, match="cannot read"):
        DriveCycle.from_csv(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("time_s", "speed_kmh", "match"),
    [
        ([0, 1, 1], [0, 1, 2], r"time_s\[2\]"),
        ([0, 1, 2], [0, -1, 2], r"speed_kmh\[1\]"),
        ([0, 1, 2], [0, np.nan, 2], r"speed_kmh\[1\]"),
        ([0, 1], [0, 1, 2], "same length"),
        ([0], [0], "at least 2"),
    ],
)
def test_direct_construction_is_validated(time_s, speed_kmh, match):
    with pytest.raises(DriveCycleError, match=match):
        DriveCycle(time_s, speed_kmh, name="bad")
