"""The README's commands run, so they cannot rot; CI runs the README's test command verbatim."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_lines() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def quickstart() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)]


def diptych_commands() -> list[str]:
    """Every `diptych ...` command of the README, in order (the part after `&&` if chained)."""
    out = []
    for line in code_lines():
        for part in line.split("&&"):
            part = part.strip()
            if part.startswith("diptych "):
                out.append(part)
    return out


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    first, second = quickstart()
    assert "diptych align corpora/" in first and "\n" not in first
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines(), "the README's test command must appear verbatim in .ci/run"


def test_readme_diptych_commands_run(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("diptych")
    if not exe.exists():
        pytest.skip("the diptych console script is not installed next to this python")
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    env = {**os.environ, "DIPTYCH_DB": str(tmp_path / "readme.db"), "PYTHONIOENCODING": "utf-8"}
    commands = diptych_commands()
    assert len(commands) >= 4
    for command in commands:
        argv = shlex.split(command)
        proc = subprocess.run([str(exe), *argv[1:]], cwd=tmp_path, capture_output=True,
                              text=True, env=env, timeout=600, check=False)
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, command
