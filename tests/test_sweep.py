"""Batch sweeps: case builders, input checks, the store, local and Dask backends, faults, CLI."""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

from cellsim.errors import InputError
from cellsim.presentation.sweep_cli import add_sweep_command
from cellsim.studies.cases import grid, latin_hypercube
from cellsim.studies.sweep import sweep
from cellsim.studies.sweep_store import StoreWarning, SweepStore

REPO = Path(__file__).resolve().parents[1]
# Small, quick cases: single-particle model, a handful of C-rates.
SMALL = grid(chemistry="ncm523", model="SPM", c_rate=[0.5, 1.0, 2.0, 3.0])
ABSURD = {"chemistry": "ncm523", "model": "SPM", "c_rate": 1.0,
          "Maximum concentration in positive electrode [mol.m-3]": 1e-3}
RESULT_COLUMNS = ["c_rate", "capacity_Ah", "energy_Wh", "status", "error", "case_key"]


def _store_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.json")) if path.exists() else []


# ---------------------------------------------------------------------------------- builders


def test_grid_is_full_factorial_in_order():
    cases = grid(chemistry=["ncm523", "ncm811"], c_rate=[0.5, 1, 2])
    assert len(cases) == 6
    assert cases[0] == {"chemistry": "ncm523", "c_rate": 0.5}
    assert cases[-1] == {"chemistry": "ncm811", "c_rate": 2}
    assert grid(model="SPM", c_rate=[1]) == [{"model": "SPM", "c_rate": 1}]


def test_grid_empty_axis_names_it():
    with pytest.raises(InputError, match="'c_rate' is empty"):
        grid(chemistry=["ncm523"], c_rate=[])


def test_latin_hypercube_reproducible_and_stratified():
    a = latin_hypercube(10, 7, c_rate=(0.5, 3.0), ambient_C=(-10, 40))
    assert a == latin_hypercube(10, 7, c_rate=(0.5, 3.0), ambient_C=(-10, 40))
    assert a != latin_hypercube(10, 8, c_rate=(0.5, 3.0), ambient_C=(-10, 40))
    strata = sorted(int((case["c_rate"] - 0.5) / 0.25) for case in a)
    assert strata == list(range(10))  # one sample per tenth of the range
    with pytest.raises(InputError, match="c_rate"):
        latin_hypercube(5, 1, c_rate=(3.0, 0.5))


def test_design_factors_keep_the_dry_coating_recipe():
    from cellsim.studies.case_inputs import _base_cell, cell_updates

    base = _base_cell("ncm523").parameter_values
    updates = cell_updates(base, {"positive_thickness_factor": 1.5, "positive_porosity": 0.2})
    assert updates["Positive electrode thickness [m]"] == pytest.approx(
        1.5 * base["Positive electrode thickness [m]"])
    solid = (1 - 0.2) / (1 - base["Positive electrode porosity"])
    for name in ("Positive electrode active material volume fraction",
                 "Positive electrode density [kg.m-3]"):
        assert updates[name] == pytest.approx(solid * base[name])
    with pytest.raises(InputError, match="both set it"):
        cell_updates(base, {"positive_porosity": 0.2, "Positive electrode porosity": 0.3})


# ---------------------------------------------------------------------------- bad input first


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"Positive electrode thicknes [m]": 1e-4}, r"case 2: .*thicknes \[m\]"),
        ({"chemistry": "unobtainium"}, r"case 2: chemistry='unobtainium' is unknown"),
        ({"c_rate": -1.0}, r"case 2: c_rate=-1.0 is out of range"),
        ({"positive_porosity": 1.2}, r"case 2: positive_porosity=1.2 is out of range"),
        ({"Positive electrode porosity": 0.9}, r"case 2: positive electrode porosity 0.9"),
        ({"colour": "red"}, r"case 2: key 'colour' is unknown"),
        ({"model": "P2D"}, r"case 2: model='P2D' is unknown"),
    ],
)
def test_bad_case_raises_before_any_case_runs(tmp_path, bad, message):
    cases = SMALL[:2] + [{**SMALL[2], **bad}] + SMALL[3:]
    start = time.perf_counter()
    with pytest.raises(InputError, match=message):
        sweep("discharge", cases, store=tmp_path / "store", progress=False)
    assert time.perf_counter() - start < 10  # no simulation ran
    assert _store_files(tmp_path / "store") == []


def test_bad_sweep_options_raise():
    with pytest.raises(InputError, match="no cases"):
        sweep("discharge", [], progress=False)
    with pytest.raises(InputError, match="empty"):
        sweep("discharge", grid(chemistry=["ncm523"], c_rate=[]), progress=False)
    with pytest.raises(InputError, match="study='charge_it'"):
        sweep("charge_it", SMALL, progress=False)
    with pytest.raises(InputError, match="backend='spark'"):
        sweep("discharge", SMALL, backend="spark", progress=False)
    with pytest.raises(InputError, match="needs 'c_rate'"):
        sweep("discharge", [{"chemistry": "ncm523"}], progress=False)


def test_unknown_cycle_raises():
    case = {"chemistry": "ncm523", "pack_kWh": 60, "pack_voltage_V": 400, "cycle": "wltp9"}
    with pytest.raises(InputError, match="case 0: cycle='wltp9' is unknown"):
        sweep("range_test", [case], progress=False)


# ------------------------------------------------------------------- store, failures, resume


def test_failing_case_is_recorded_and_others_finish(tmp_path):
    store = tmp_path / "store"
    import cellsim

    table = sweep(cellsim.discharge, SMALL[:2] + [ABSURD], store=store, workers=2,
                  progress=False)
    assert list(table["status"]) == ["ok", "ok", "failed"]
    assert table["capacity_Ah"].iloc[:2].between(4.0, 6.0).all()
    assert "SimulationError" in table["error"].iloc[2]
    assert len(_store_files(store)) == 3  # the failure is stored with its message
    again = sweep("discharge", SMALL[:2] + [ABSURD], store=store, progress=False)
    assert again["cached"].all()
    assert again[RESULT_COLUMNS].equals(table[RESULT_COLUMNS])


def test_corrupt_entries_are_detected_and_recomputed(tmp_path):
    store = tmp_path / "store"
    first = sweep("discharge", SMALL[:3], store=store, workers=2, progress=False)
    truncated, tampered = (store / f"{k}.json" for k in first["case_key"].iloc[:2])
    truncated.write_text(truncated.read_text()[:40])
    entry = json.loads(tampered.read_text())
    entry["record"]["metrics"]["capacity_Ah"] = 99.0  # valid JSON, wrong checksum
    tampered.write_text(json.dumps(entry))
    with pytest.warns(StoreWarning) as caught:
        second = sweep("discharge", SMALL[:3], store=store, workers=2, progress=False)
    messages = " ".join(str(w.message) for w in caught)
    assert "unreadable" in messages and "checksum" in messages
    assert list(second["cached"]) == [False, False, True]
    assert second[RESULT_COLUMNS].equals(first[RESULT_COLUMNS])
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)  # rewritten entries are whole again
        assert all(SweepStore(store).load(k) is not None for k in first["case_key"])


_SWEEP_SCRIPT = """
import sys
from cellsim.studies.cases import grid
from cellsim.studies.sweep import sweep
cases = grid(chemistry="ncm523", model="SPM", c_rate=[0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
sweep("discharge", cases, store=sys.argv[1], workers=1, progress=False)
"""


@pytest.mark.slow
def test_killed_sweep_resumes_computing_only_missing_cases(tmp_path):
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _SWEEP_SCRIPT, str(store)], env=env,
                            start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(_store_files(store)) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the sweep ended before it was killed"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the client and its worker processes
        proc.wait()
    done_before = len(_store_files(store))
    assert 2 <= done_before < 8
    cases = grid(chemistry="ncm523", model="SPM", c_rate=[0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
    table = sweep("discharge", cases, store=store, workers=2, progress=False)
    computed = int((~table["cached"]).sum())
    print(f"killed after {done_before} cases; rerun: {computed} computed, "
          f"{int(table['cached'].sum())} cached")
    assert computed == 8 - done_before
    assert (table["status"] == "ok").all()
    assert not list(store.glob("*.tmp"))  # no half-written entry left behind in place


# --------------------------------------------------------------------------------------- dask


@pytest.mark.slow
def test_local_and_dask_give_identical_results(tmp_path):
    pytest.importorskip("distributed")
    cases = SMALL[:3] + [ABSURD]
    preload = list(multiprocessing.forkserver._forkserver._preload_modules)
    local = sweep("discharge", cases, backend="local", workers=2, progress=False)
    # the local backend leaves the process-global forkserver as it found it, so a Dask
    # LocalCluster started afterwards in the same process (a notebook) starts its nannies
    assert multiprocessing.forkserver._forkserver._preload_modules == preload
    dask = sweep("discharge", cases, backend="dask", workers=2, store=tmp_path / "s",
                 progress=False)
    same = ["c_rate", "capacity_Ah", "energy_Wh", "mean_voltage_V", "status", "case_key"]
    assert dask[same].equals(local[same])  # bit for bit
    # PyBaMM's failure message holds per-process symbol ids; its kind and case must agree.
    kind = [str(e).split(":")[0] for e in local["error"]]
    assert [str(e).split(":")[0] for e in dask["error"]] == kind


@pytest.mark.slow
def test_dask_worker_killed_mid_sweep_every_case_once(tmp_path):
    distributed = pytest.importorskip("distributed")
    store = tmp_path / "store"
    cases = grid(chemistry="ncm523", model="SPM", c_rate=[0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])
    killed: list[int] = []

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())

        def kill_a_worker() -> None:
            while len(_store_files(store)) < 1:
                time.sleep(0.02)
            killed.append(len(_store_files(store)))
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_a_worker, daemon=True)
        killer.start()
        table = sweep("discharge", cases, backend="dask", client=client, store=store,
                      progress=False)
        killer.join(timeout=5)
    print(f"worker killed after {killed} of {len(cases)} cases")
    assert killed and killed[0] < len(cases)
    assert len(table) == len(cases)
    assert table["case_key"].is_unique
    assert (table["status"] == "ok").all()
    assert len(_store_files(store)) == len(cases)


# ---------------------------------------------------------------------------------------- CLI


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cellsim")
    add_sweep_command(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_runs_a_spec_and_resumes(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'study = "discharge"\nworkers = 1\n[fixed]\nchemistry = "ncm523"\nmodel = "SPM"\n'
        '[grid]\nc_rate = [1.0, 2.0]\n[[cases]]\nc_rate = 0.5\n'
    )
    out = tmp_path / "out"
    assert _cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 0
    assert "3 cases: 3 ok, 0 failed, 0 from the store" in capsys.readouterr().out
    assert _cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 0
    assert "3 from the store" in capsys.readouterr().out
    import pandas as pd

    assert list(pd.read_csv(out / "sweep.csv")["c_rate"]) == [1.0, 2.0, 0.5]


def test_cli_bad_spec_raises_before_running(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('study = "discharge"\n[fixed]\nchemistry = "ncm523"\n[grid]\nc_rate = []\n')
    with pytest.raises(InputError, match="'c_rate' is empty"):
        _cli(["sweep", str(spec), "--out", str(tmp_path / "out")])
    spec.write_text('study = "discharge"\n[grid]\nc_rate = [1.0]\n[colour]\nx = 1\n')
    with pytest.raises(InputError, match="unknown key"):
        _cli(["sweep", str(spec), "--out", str(tmp_path / "out")])


def test_half_cell_chemistry_passes_case_checks():
    """The solid-state Li-metal half cell has no porous negative electrode to check."""
    from cellsim.studies.case_inputs import check_cases

    check_cases("range_test", [{"chemistry": "solid_state", "cycle": "wltc_class3b",
                                "ambient_C": 25.0, "pack_kWh": 75.0, "pack_voltage_V": 400.0}])
