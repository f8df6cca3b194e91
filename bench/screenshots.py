"""Screenshots of every page of the desk (`diptych serve`) at 1400 px wide, and of the lookup,
pre-translate, translate and document pages on a 390 px phone, into docs/.

    python bench/screenshots.py [--out docs]

Builds a memory from the project's own sample story (corpora/sample.*.txt, with embeddings),
serves it on 127.0.0.1, and drives Debian's chromium (/usr/bin/chromium) with Playwright.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOOKUP = "The project cost $52.5 million, most of it spent on a new terminal in Shymkent."
TERMS = "customs service"
MEANING = "goods trains between neighbouring countries"  # a loose paraphrase: semantic hits
ARTICLE = """Rail shuttle to Shymkent doubles its runs

The project cost $48.5 million, most of it spent on a new container terminal in Shymkent and on 240 flat wagons built in St. Petersburg.
Each partner holds a 50% stake.
Trains will initially run four times a week, rising to a daily departure from May 1 if demand holds up.
The first passenger service on the line is planned for 2029.
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _memory(folder: Path) -> Path:
    db = folder / "desk.db"
    subprocess.run([str(Path(sys.executable).with_name("diptych")), "add", str(ROOT / "corpora/sample.en.txt"),
                    str(ROOT / "corpora/sample.ru.txt"), "--db", str(db), "--title",
                    "Rail shuttle links Tashkent and Shymkent", "--url",
                    "https://example.org/2024/rail-shuttle", "--date", "2024-01-05"],
                   check=True, capture_output=True)
    subprocess.run([str(Path(sys.executable).with_name("diptych")), "terms", "--db", str(db)],
                   check=True, capture_output=True)  # term translations for concordance hits
    return db


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before it served")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start in 60 s")


def shoot(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory() as tmp:
        db = _memory(Path(tmp))
        port = _port()
        proc = subprocess.Popen([sys.executable, "-m", "tm.web", "--db", str(db), "--port",
                                 str(port), "--workers", "1"], env=os.environ.copy())
        try:
            _wait(port, proc)
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})

                def snap(name: str, full: bool = True) -> None:
                    path = out / f"{name}.png"
                    page.screenshot(path=str(path), full_page=full)
                    shots.append(path)

                def lookup(query: str, name: str) -> None:
                    page.goto(base + "/?q=" + query)
                    page.wait_for_selector("#results .hit")
                    page.wait_for_timeout(400)
                    snap(name, full=False)

                def pretranslate(name: str, *, phone: bool = False) -> None:
                    page.goto(base + "/pretranslate")
                    page.fill("#pt-text", ARTICLE)
                    page.click("#pt-go")
                    page.wait_for_selector("#pt-segments tr")
                    if phone:  # the draft, not the form
                        page.locator("#pt-segments tr").first.scroll_into_view_if_needed()
                    snap(name, full=not phone)

                def translate(name: str, *, phone: bool = False) -> None:
                    page.goto(base + "/translate")
                    if not phone:  # the phone opens the same work, kept in the browser
                        page.fill("#tr-text", ARTICLE)
                        page.fill("#tr-title", "Rail shuttle doubles its runs")
                        page.click("#tr-go")
                    page.wait_for_selector(".tseg.active .thelp")
                    if not phone:
                        page.keyboard.type("Челнок до Шымкента удваивает число рейсов")
                        page.keyboard.press("Control+Enter")
                        page.wait_for_selector('.tseg[data-n="1"].active .thelp')
                    page.locator(".tseg.active").scroll_into_view_if_needed()
                    page.wait_for_timeout(300)
                    snap(name, full=False)

                page.goto(base + "/")
                page.locator("#q").press_sequentially(LOOKUP, delay=5)
                page.wait_for_selector("#results .hit")
                page.wait_for_timeout(400)
                snap("lookup", full=False)
                lookup(TERMS, "lookup-terms")
                pretranslate("pretranslate")
                translate("translate")
                page.goto(base + "/documents")
                snap("documents")
                page.goto(base + "/documents/1")
                snap("document", full=False)
                page.goto(base + "/units/7")
                page.fill("#unit-en", page.input_value("#unit-en").replace("three", "four"))
                page.click("#unit-save")
                page.wait_for_selector("#edits")
                snap("unit")
                page.goto(base + "/api/docs")
                snap("api")
                lookup(MEANING + "&mode=semantic", "lookup-meaning")
                page.set_viewport_size({"width": 390, "height": 844})  # a phone
                lookup(LOOKUP, "lookup-phone")
                pretranslate("pretranslate-phone", phone=True)
                translate("translate-phone", phone=True)
                page.goto(base + "/documents/1")
                snap("document-phone", full=False)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    for path in shoot(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
