"""The examples in align/ and tm/ docstrings run, so they cannot rot (two had: a stem that
Snowball cuts otherwise, and a skipped line whose result the next line read)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_docstring_examples_run() -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--doctest-modules", "-q",
                           "-p", "no:cacheprovider", "align", "tm"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
