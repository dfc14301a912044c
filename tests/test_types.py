"""The package's type hints hold: mypy finds no error (slow; CI runs it)."""
import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_mypy_finds_no_error():
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    done = subprocess.run([sys.executable, "-m", "mypy", "archive", "--ignore-missing-imports"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
