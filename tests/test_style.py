"""The packages stay type-clean (``mypy --strict align tm``) and lint-clean (``ruff check``).

Both tools are in the ``test`` extra; without them these tests skip and say what to install.
mypy keeps its cache under pytest's cache folder, so only the first run is slow.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed: pip install -e '.[test]'")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.mark.slow
def test_mypy_strict_is_clean(request: pytest.FixtureRequest) -> None:
    cache = request.config.cache.mkdir("mypy") if getattr(request.config, "cache", None) else None
    extra = ["--cache-dir", str(cache) if cache else os.devnull]
    proc = run_tool("mypy", "--strict", *extra, "align", "tm")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_is_clean() -> None:
    proc = run_tool("ruff", "check", "--no-cache", "align", "tm", "tests", "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr
