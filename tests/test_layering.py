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
