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


MAX_FUNCTION_LINES = 60
"""A function longer than this does more than one thing (issue 'The house, second step')."""


def _long_functions(root: Path) -> list[str]:
    import ast

    found = []
    for package in ("align", "tm"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > MAX_FUNCTION_LINES:
                        found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}"
                                     f" ({lines} lines)")
    return found


def test_no_function_over_60_lines() -> None:
    assert _long_functions(ROOT) == []


def test_the_length_check_sees_a_long_function(tmp_path: Path) -> None:
    (tmp_path / "align").mkdir()
    (tmp_path / "tm").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "tm" / "long.py").write_text(f"def long() -> None:\n{body}")
    assert _long_functions(tmp_path) == ["tm/long.py:1 long (61 lines)"]


def test_sql_lives_in_the_store() -> None:
    """The memory's SQL appears only under tm/store/ (the backends' own modules); the one other
    database is align's embedding cache (align/embed/cache.py, a file of its own)."""
    import re

    sql = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE FROM|CREATE|PRAGMA)\s""")
    bad = [f"{p.relative_to(ROOT)}" for package in ("align", "tm")
           for p in sorted((ROOT / package).rglob("*.py"))
           if "store" not in p.relative_to(ROOT).parts and sql.search(p.read_text("utf-8"))]
    assert bad == ["align/embed/cache.py"]
