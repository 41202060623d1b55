"""Sphinx configuration of the cellsim documentation.

Build (from the repository root): ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
Every notebook in ``notebooks/`` (``docs/notebooks`` links to it) is executed during the build
and rendered with its outputs; a cell that raises fails the build.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
# The notebook kernels inherit this environment. They start with matplotlib's inline backend (not
# the Agg of MPLBACKEND, which CI sets), so every figure — also a Figure a cell returns without
# pyplot, such as cellsim.plot_discharge's — is stored in the page as an image.
os.environ.pop("MPLBACKEND", None)
_ipython_dir = Path(tempfile.mkdtemp(prefix="cellsim-docs-ipython-"))
(_ipython_dir / "profile_default").mkdir()
(_ipython_dir / "profile_default" / "ipython_kernel_config.py").write_text(
    'c.IPKernelApp.matplotlib = "inline"\n', encoding="utf-8")
os.environ["IPYTHONDIR"] = str(_ipython_dir)
atexit.register(shutil.rmtree, _ipython_dir, ignore_errors=True)

import cellsim  # noqa: E402  (the installed package: the API pages document what users get)

project = "cellsim"
author = "the cellsim authors"
copyright = "cellsim authors, BSD-3-Clause"
release = version = cellsim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# --- API reference (numpy-style docstrings) ------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True  # "Attributes" sections as field lists (dataclass fields are not listed twice)

# --- MyST and notebooks ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "force"          # every notebook runs once per build
nb_execution_raise_on_error = True   # a failing cell fails the build
nb_execution_timeout = 1200          # seconds per cell (the sweeps notebook runs a few minutes)
nb_merge_streams = True

# --- HTML -------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"cellsim {release}"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}
html_static_path: list[str] = []

# parameter_sets/README.md shows the file format as annotated pseudo-TOML (several keys on a line);
# Pygments falls back to plain text for it, which is what we want.
suppress_warnings = ["misc.highlighting_failure"]
