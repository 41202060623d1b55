"""The wheel carries the parameter sets and drive cycles, and works outside the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (path,) = out.glob("cellsim-*.whl")
    return path


@pytest.mark.slow
def test_wheel_contains_parameter_sets_and_drive_cycles(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for chemistry in ("ncm811", "ncm523", "lfp", "solid_state"):
        assert f"cellsim/parameter_sets/{chemistry}.toml" in names
    for cycle in ("udds", "hwfet", "us06", "ftp75", "wltc_class3b", "nedc"):
        assert f"cellsim/data/drive_cycles/{cycle}.csv" in names
    assert "cellsim/data/drive_cycles/README.md" in names


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_cellsim_chemistries(wheel, tmp_path):
    """Install the wheel alone (no source tree on the path) into a new venv; its dependencies
    come from this environment through a .pth file, so no network is needed."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = subprocess.run([str(env_dir / "bin" / "cellsim"), "chemistries", "--json"],
                            cwd=tmp_path, check=True, capture_output=True, text=True)
    rows = json.loads(result.stdout)
    assert {row["chemistry"] for row in rows} == {"lfp", "ncm523", "ncm811", "solid_state"}
    where = subprocess.run([str(python), "-c", "import cellsim; print(cellsim.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    assert str(env_dir) in where


def test_the_suite_runs_against_the_installed_package():
    """cellsim comes from the installation (an editable install points into the checkout by
    design); a plain install must not be shadowed by the source tree on ``sys.path``."""
    import importlib.metadata

    import cellsim

    distribution = importlib.metadata.distribution("cellsim")
    direct_url = json.loads(distribution.read_text("direct_url.json") or "{}")
    editable = direct_url.get("dir_info", {}).get("editable", False)
    location = Path(cellsim.__file__).resolve()
    assert distribution.version == cellsim.__version__
    if not editable:
        assert ROOT not in location.parents, f"cellsim imported from the checkout: {location}"
