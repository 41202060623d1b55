"""The documentation site builds with warnings as errors and shows every notebook with its outputs.

The build executes each notebook in ``notebooks/`` once (myst-nb, ``nb_execution_mode =
"force"``, a failing cell fails the build): this is CI's notebook run. Marked ``docs``, it is left
out of the README's quick test command and run by ``.ci/run`` as a step of its own
(``python -m pytest -m docs``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [pytest.mark.slow, pytest.mark.docs]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The HTML site, built as README.md says (``sphinx -W --keep-going -b html docs OUT``)."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(out / ".doctrees"), str(ROOT / "docs"), str(out / "html")],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert build.returncode == 0, f"sphinx-build failed:\n{build.stderr[-6000:]}"
    return out / "html"


def test_every_guide_page_is_built(site):
    for page in ("index", "getting_started", "your_cell", "fast_engine", "validation", "api",
                 "studies/discharge", "studies/range", "studies/lifetime", "studies/fast_charge",
                 "studies/thermal", "studies/sweeps"):
        assert (site / f"{page}.html").is_file(), page


def test_api_reference_documents_the_public_namespace(site):
    import cellsim

    api = (site / "api.html").read_text(encoding="utf-8")
    for name in cellsim.__all__:
        assert f"cellsim.{name}" in api, name
        assert (site / "generated" / f"cellsim.{name}.html").is_file(), name
    # docstrings rendered, not just names
    range_page = (site / "generated" / "cellsim.range_test.html").read_text(encoding="utf-8")
    assert "Parameters" in range_page


def test_validation_page_includes_the_measured_tables(site):
    text = (site / "validation.html").read_text(encoding="utf-8")
    assert "Ageing: calendar and cycle fade" in text and "Speed-up" in text
    assert text.count("<table") >= 3


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_is_rendered_with_its_outputs(site, notebook):
    page = (site / "notebooks" / f"{notebook}.html").read_text(encoding="utf-8")
    assert "cell_output" in page, f"{notebook}: no outputs"
    assert re.search(r"<img [^>]*src=\"[^\"]*\.png\"", page), f"{notebook}: no figure"
    assert "Traceback" not in page
