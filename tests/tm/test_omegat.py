"""OmegaT uses our TMX: its console-translate fills a project's target from our export in tm/auto.

Skipped only where Java or OmegaT is missing (CI installs Debian's ``omegat``). OmegaT exits 0
even when it rejects a TMX, so its console output and log are checked for errors too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, UnitIn
from tm.tmx import import_tmx

# Single sentences only: OmegaT splits the source into sentences and matches each exactly.
PAIRS = [
    ("The ministry published the figures on Monday.",
     "Министерство опубликовало данные в понедельник."),
    ("Prices rose by 7.5% in March, the fastest pace since 2015.",
     "В марте цены выросли на 7,5% — быстрее всего с 2015 года."),
    ("\"We will not give up,\" the mayor said.", "«Мы не сдадимся», — заявил мэр."),
    ("Tom & Jerry's café reopened on <Main Street>.",
     "Кафе «Том и Джерри» вновь открылось на <Главной улице>."),
    ("Turnout was 64 per cent.", "Явка составила 64 процента."),
]
# imported with other region codes: OmegaT must still find them for an EN -> RU project
REGIONAL = ('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="x" '
            'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="EN-GB" '
            'srclang="EN-GB" datatype="plaintext"/><body><tu><prop type="x-desk">wire</prop>'
            '<note>checked</note><tuv xml:lang="EN-GB"><seg>Polls closed at 8 p.m.</seg></tuv>'
            '<tuv xml:lang="ru-RU"><seg>Участки закрылись в 20:00.</seg></tuv></tu></body></tmx>')


def omegat_jar() -> Path | None:
    """OmegaT.jar from $OMEGAT_JAR, Debian's package, or its usual path."""
    if os.environ.get("OMEGAT_JAR"):
        return Path(os.environ["OMEGAT_JAR"])
    if shutil.which("dpkg"):
        listing = subprocess.run(["dpkg", "-L", "omegat"], capture_output=True, text=True, check=False)
        for line in listing.stdout.splitlines():
            if line.endswith("/OmegaT.jar"):
                return Path(line)
    default = Path("/usr/share/omegat/OmegaT.jar")
    return default if default.is_file() else None


PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>EN-US</source_lang>
        <target_lang>RU</target_lang>
        <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
        <target_tok>org.omegat.tokenizer.LuceneRussianTokenizer</target_tok>
        <sentence_seg>true</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""


ENGLISH = [en for en, _ in PAIRS] + ["Polls closed at 8 p.m."]
RUSSIAN = [ru for _, ru in PAIRS] + ["Участки закрылись в 20:00."]


@pytest.fixture
def jar() -> Path:
    found = omegat_jar()
    if found is None or not found.is_file() or shutil.which("java") is None:
        pytest.skip("OmegaT (Debian package omegat) or Java is not installed")
    return found


def make_project(tmp_path: Path, memory: str, shared: Path,
                 extra: Sequence[Path] = ()) -> Path:
    """An OmegaT project whose source is made of the test sentences and whose ``memory``
    (a path inside the project) is our DTD-valid export of a TM holding them (and the TMX
    files ``extra``)."""
    db = tmp_path / "tm.db"
    with TM.open(db) as tm:
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in PAIRS], origin="aligned")
    (tmp_path / "regional.tmx").write_text(REGIONAL, encoding="utf-8")
    runner = CliRunner()
    for tmx in (tmp_path / "regional.tmx", *extra):
        done = runner.invoke(app, ["import", str(tmx), "--db", str(db)])
        assert done.exit_code == 0, done.output
    project = tmp_path / "project"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(PROJECT, encoding="utf-8")
    result = runner.invoke(app, ["export", str(project / memory), "--db", str(db)])
    assert result.exit_code == 0, result.output
    dtd = etree.DTD(str(shared / "standards" / "tmx14.dtd"))
    assert dtd.validate(etree.parse(str(project / memory))), dtd.error_log
    # two paragraphs of several sentences each: OmegaT segments them into single sentences
    source = " ".join(ENGLISH[:3]) + "\n\n" + " ".join(ENGLISH[3:]) + "\n"
    (project / "source" / "story.txt").write_text(source, encoding="utf-8")
    return project


def translate(jar: Path, project: Path, tmp_path: Path) -> str:
    """Run OmegaT's console-translate; returns the target text after checking its log."""
    config = tmp_path / "omegat-config"
    config.mkdir()
    run = subprocess.run(
        ["java", "-Djava.awt.headless=true", "-jar", str(jar), "--mode=console-translate",
         "--no-team", "--disable-project-locking", f"--config-dir={config}", str(project)],
        capture_output=True, text=True, timeout=300, check=False)
    log = run.stdout + run.stderr
    for path in config.rglob("*.log"):
        log += path.read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-2000:]
    errors = [line for line in log.splitlines()
              if "Error" in line or "Exception" in line or "TM_LOAD_ERROR" in line]
    assert not errors, "\n".join(errors)
    return log


def assert_translated(project: Path) -> None:
    target = (project / "target" / "story.txt").read_text(encoding="utf-8")
    for ru in RUSSIAN:
        assert ru in target
    for en in ENGLISH:
        assert en not in target


def test_omegat_translates_a_text_from_our_export(jar: Path, tmp_path: Path,
                                                  shared: Path) -> None:
    project = make_project(tmp_path, "tm/auto/diptych.tmx", shared)
    log = translate(jar, project, tmp_path)
    assert "Reading of TMX file complete" in log, log[-2000:]
    assert_translated(project)


def test_omegat_reads_our_export_of_every_tools_tmx(jar: Path, tmp_path: Path,
                                                    shared: Path) -> None:
    """The export of a memory holding the tool corpus (tests/tm/tmx_data/tools: every kind of
    inline code, merged tuids, extra variants, header props) loads without an error."""
    tools = sorted((Path(__file__).parent / "tmx_data" / "tools").glob("*.tmx"))
    project = make_project(tmp_path, "tm/auto/diptych.tmx", shared, extra=tools)
    log = translate(jar, project, tmp_path)
    assert "Reading of TMX file complete" in log, log[-2000:]
    assert_translated(project)


def test_omegat_project_memory_round_trip(jar: Path, tmp_path: Path, shared: Path) -> None:
    """Our export as OmegaT's own project memory; OmegaT's exports (TMX 1.1 with ``lang``,
    TMX 1.4 with ``xml:lang``) import back into diptych with every pair."""
    project = make_project(tmp_path, "omegat/project_save.tmx", shared)
    translate(jar, project, tmp_path)
    assert_translated(project)
    written = sorted(project.glob("project-*.tmx"))
    assert [p.name for p in written] == ["project-level1.tmx", "project-level2.tmx",
                                         "project-omegat.tmx"]
    for path in written:
        with TM.open(tmp_path / f"{path.stem}.db") as tm:
            report = import_tmx(tm, path)
            assert (report.added, report.skipped_total) == (len(PAIRS) + 1, 0)
            # OmegaT labels both sides with the project's languages, EN-US and RU
            assert {(u.en, u.ru, u.en_lang, u.ru_lang) for u in tm.iter_units()} == {
                (en, ru, "en-US", "ru") for en, ru in zip(ENGLISH, RUSSIAN)}
