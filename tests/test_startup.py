"""API workers start fast: importing the app (and the command line, which every spawned worker
imports again as its main module) loads none of the heavy libraries only the background roles,
RDF downloads and spreadsheets need."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "numpy", "igraph", "rdflib", "simplemma", "wordfreq", "openpyxl", "sparse_dot_topn")


@pytest.mark.parametrize("module", ["app.main", "app.cli"])
def test_import_loads_no_heavy_library(module):
    probe = f"import sys, {module}; print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
