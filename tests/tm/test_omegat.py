"""OmegaT uses our TMX: its console-translate fills a project's target from our export in tm/auto.

Skipped only where Java or OmegaT is missing (CI installs Debian's ``omegat``). OmegaT exits 0
even when it rejects a TMX, so its console output and log are checked for errors too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, UnitIn

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


def test_omegat_translates_a_text_from_our_export(tmp_path: Path, shared: Path) -> None:
    jar = omegat_jar()
    if jar is None or not jar.is_file() or shutil.which("java") is None:
        pytest.skip("OmegaT (Debian package omegat) or Java is not installed")
    db = tmp_path / "tm.db"
    with TM.open(db) as tm:
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in PAIRS], origin="aligned")
    (tmp_path / "regional.tmx").write_text(REGIONAL, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(tmp_path / "regional.tmx"), "--db", str(db)]
                         ).exit_code == 0
    project = tmp_path / "project"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(PROJECT, encoding="utf-8")
    result = runner.invoke(app, ["export", str(project / "tm/auto/diptych.tmx"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    dtd = etree.DTD(str(shared / "standards" / "tmx14.dtd"))
    assert dtd.validate(etree.parse(str(project / "tm/auto/diptych.tmx"))), dtd.error_log
    english = [en for en, _ in PAIRS] + ["Polls closed at 8 p.m."]
    russian = [ru for _, ru in PAIRS] + ["Участки закрылись в 20:00."]
    # two paragraphs of several sentences each: OmegaT segments them into single sentences
    source = " ".join(english[:3]) + "\n\n" + " ".join(english[3:]) + "\n"
    (project / "source" / "story.txt").write_text(source, encoding="utf-8")
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
    assert "Reading of TMX file complete" in log, log[-2000:]
    errors = [line for line in log.splitlines()
              if "Error" in line or "Exception" in line or "TM_LOAD_ERROR" in line]
    assert not errors, "\n".join(errors)
    target = (project / "target" / "story.txt").read_text(encoding="utf-8")
    for ru in russian:
        assert ru in target
    for en in english:
        assert en not in target
