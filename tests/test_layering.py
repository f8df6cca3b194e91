"""`align` is the lower layer: importing it (all of it) must not import `tm`."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import align


def test_align_never_imports_tm() -> None:
    modules = sorted(m.name for m in pkgutil.walk_packages(align.__path__, "align."))
    assert len(modules) > 30 and "align.embed.usem3" in modules  # every module, not the top
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m == 'tm' or m.startswith('tm.')]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_package_says_what_it_holds_and_may_import() -> None:
    """Each room's ``__init__`` docstring says what it holds and what it may import."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    silent = []
    for init in sorted([*root.glob("align/**/__init__.py"), *root.glob("tm/**/__init__.py")]):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if "import" not in doc.lower():
            silent.append(str(init.relative_to(root)))
    assert silent == []


def test_tm_has_few_modules_of_its_own() -> None:
    """tm/ keeps its code in rooms (packages); at most 8 modules stand beside them."""
    from pathlib import Path

    tm_dir = Path(__file__).resolve().parents[1] / "tm"
    flat = sorted(p.name for p in tm_dir.glob("*.py") if p.name != "__init__.py")
    assert len(flat) <= 8, flat
