"""The README's commands run, so they cannot rot; CI runs the README's test command verbatim."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)]


def example_blocks() -> list[str]:
    """The README's bash blocks after the Quickstart, plus the Quickstart's `diptych` command."""
    after = README.split("## Quickstart", 1)[1].split("\n## ", 1)[1]
    blocks = [b.strip() for b in re.findall(r"```bash\n(.*?)```", after, flags=re.DOTALL)]
    first = quickstart()[0]
    return [first[first.index("diptych "):], *blocks]


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    first, second = quickstart()
    assert "diptych align corpora/" in first and "\n" not in first
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines(), "the README's test command must appear verbatim in .ci/run"


def test_readme_examples_run(tmp_path: Path) -> None:
    """Each example block runs as a bash script in a scratch folder beside the sample corpora."""
    bindir = Path(sys.executable).parent
    if not (bindir / "diptych").exists():
        pytest.skip("the diptych console script is not installed next to this python")
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
           "DIPTYCH_DB": str(tmp_path / "readme.db"), "PYTHONIOENCODING": "utf-8"}
    blocks = example_blocks()
    assert sum(block.count("diptych ") for block in blocks) >= 12
    for block in blocks:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path,
                              capture_output=True, text=True, env=env, timeout=900, check=False)
        assert proc.returncode == 0, f"{block}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr, block
    assert (tmp_path / "review.html").exists() and (tmp_path / "memory.tmx").exists()
    assert (tmp_path / "pairs.tsv").read_text().count("\t") == 2


def test_quickstart_upgrades_pip_so_the_lxml_extra_is_found() -> None:
    """jusText asks for lxml[html_clean]; lxml provides 'html-clean': the same extra under PEP
    685, which pip compares so from 23.3 on (older ones warn): the quickstart upgrades pip."""
    from importlib.metadata import metadata, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    first = quickstart()[0]
    assert first.index("pip install -U pip") < first.index("pip install .")
    provided = {canonicalize_name(e) for e in metadata("lxml").get_all("Provides-Extra") or []}
    asked = {canonicalize_name(x) for r in requires("justext") or []
             if (req := Requirement(r)).name == "lxml" for x in req.extras}
    assert asked and asked <= provided


def test_the_readme_explains_the_shared_skips() -> None:
    from tests.conftest import SHARED_SKIP

    assert f'"{SHARED_SKIP}"' in README and "../shared/corpora/" in README
