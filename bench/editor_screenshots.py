"""Screenshots of the alignment editor and of the static HTML report, 1400 and 390 px wide.

    python bench/editor_screenshots.py [--out docs]

The story is our own test pair (tests/web/editor_pair.py: a split, a merge, and a dropped
English sentence beside an added Russian one). The editor runs on a new memory; the report is what
``diptych align EN RU -o review.html`` writes.
"""

from __future__ import annotations

import argparse
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `align` the package

from screenshots import ARGS, ROOT, _port, _wait  # bench/screenshots.py

from tm.store import TM

WIDTHS = {1400: 900, 390: 844}


def _report(folder: Path, en: str, ru: str) -> Path:
    from align.pipeline import align_texts
    from align.report import to_html
    from align.types import WEAK_BELOW
    from tm.vectors.model import load_encoder

    al = align_texts(en, ru, encoder=load_encoder("use-m3"))
    path = folder / "review.html"
    path.write_text(to_html(al, src_lang="en", tgt_lang="ru", weak=WEAK_BELOW,
                            title="Council backs a bigger transport budget"), encoding="utf-8")
    return path


def shoot(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    pair = runpy.run_path(str(ROOT / "tests/web/editor_pair.py"))
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "desk.db"
        TM.open(db).close()  # a new memory: the editor is where it is filled
        report = _report(Path(tmp), pair["EN"], pair["RU"])
        port = _port()
        proc = subprocess.Popen([sys.executable, "-m", "tm.web", "--db", str(db), "--port",
                                 str(port), "--workers", "1"])
        try:
            _wait(port, proc)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for width, height in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"http://127.0.0.1:{port}/editor")
                    page.fill("#ed-en-text", pair["EN"])
                    page.fill("#ed-ru-text", pair["RU"])
                    page.click("#ed-align")
                    page.wait_for_selector("#ed-beads .bead", timeout=120_000)
                    page.locator("#ed-beads .sent", has_text=pair["DROPPED"]).first.click()
                    if width > 700:
                        page.evaluate("window.scrollTo(0, 0)")
                    else:  # a phone: the selected bead, its corrections beside it
                        page.locator("#ed-beads .bead.current").evaluate(
                            "r => window.scrollTo(0, r.getBoundingClientRect().top"
                            " + window.scrollY - 60)")
                    for name, full in ((f"editor-{width}", False), (f"report-{width}", True)):
                        if name.startswith("report"):
                            page.goto(report.as_uri())
                        path = out / f"{name}.png"
                        page.screenshot(path=str(path), full_page=full)
                        shots.append(path)
                    page.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    for path in shoot(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
