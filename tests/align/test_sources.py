"""read_source: files and pages served over a local http.server (no internet)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from align.errors import InputError
from align.sources import Kind, decode_html, read_source, source_kind

NEWS = Path(__file__).resolve().parent.parent / "data" / "news"
EN_HTML = (NEWS / "lake-ferry.en.html").read_bytes()
RU_HTML = (NEWS / "lake-ferry.ru.html").read_bytes()  # windows-1251, declared in <meta>
STORIES = ("lake-ferry", "night-buses")  # two page layouts, each in English and Russian
EXPECTED = {(story, lang): json.loads((NEWS / f"{story}.{lang}.json").read_text("utf-8"))
            for story in STORIES for lang in ("en", "ru")}

MENU_ONLY = b"""<html><head><title>Sections</title></head><body><nav><ul>
<li><a href="/a">Politics</a></li><li><a href="/b">Economy</a></li></ul></nav></body></html>"""

# path -> (status, headers, body)
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/en/ferry": (200, {"Content-Type": "text/html; charset=utf-8"}, EN_HTML),
    "/ru/ferry": (200, {"Content-Type": "text/html"}, RU_HTML),
    "/ru/ferry-declared": (200, {"Content-Type": "text/html; charset=windows-1251"}, RU_HTML),
    "/gz/ferry": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                  gzip.compress(EN_HTML)),
    "/old-address": (301, {"Location": "/en/ferry"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/to-ftp": (302, {"Location": "ftp://example.org/story.txt"}, b""),
    "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ..."),
    "/big": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 300_000 + b"</p>"),
    "/menu": (200, {"Content-Type": "text/html"}, MENU_ONLY),
    "/plain.txt": (200, {"Content-Type": "text/plain; charset=utf-8"},
                   "Заголовок\n\nПервый абзац.\n\nВторой абзац.".encode()),
    "/empty": (200, {"Content-Type": "text/html"}, b""),
    "/notes.md": (200, {"Content-Type": "application/octet-stream"},
                  "# Заголовок\n\nПервый *абзац*.".encode()),
    "/lying.html": (200, {"Content-Type": "text/html"}, b"PK\x03\x04\x00\x00zip"),
    "/en/night-buses": (200, {"Content-Type": "text/html"},
                        (NEWS / "night-buses.en.html").read_bytes()),
    "/ru/night-buses": (200, {"Content-Type": "text/html"},
                        (NEWS / "night-buses.ru.html").read_bytes()),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, headers, body = ROUTES.get(self.path, (404, {"Content-Type": "text/html"},
                                                       b"<h1>Not found</h1>"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if self.path != "/big":  # no Content-Length: the size limit must hold while reading
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.mark.parametrize("path, story, lang", [
    ("/en/ferry", "lake-ferry", "en"), ("/ru/ferry", "lake-ferry", "ru"),
    ("/ru/ferry-declared", "lake-ferry", "ru"), ("/gz/ferry", "lake-ferry", "en"),
    ("/en/night-buses", "night-buses", "en"), ("/ru/night-buses", "night-buses", "ru"),
])
def test_story_kept_and_page_furniture_dropped(site: str, path: str, story: str, lang: str
                                               ) -> None:
    src = read_source(site + path)
    want = EXPECTED[story, lang]
    assert _paragraphs(src.text) == want["story"]  # headline, standfirst, body, in order
    leaked = [f for f in want["furniture"] if f in src.text]
    assert leaked == []


def test_metadata(site: str) -> None:
    src = read_source(site + "/ru/ferry")
    assert src.title == EXPECTED["lake-ferry", "ru"]["story"][0]
    assert src.author == "Аида Темирова"
    assert src.date == "2024-03-04"
    assert src.canonical_url == "https://steppe-monitor.example/ru/issyk-kul-parom"
    assert src.source == site + "/ru/ferry"
    assert len(src.content_hash) == 64
    assert read_source(site + "/ru/ferry-declared").content_hash == src.content_hash


def test_links_of_the_story_only(site: str) -> None:
    en, ru = read_source(site + "/en/night-buses"), read_source(site + "/ru/night-buses")
    assert en.links == ("https://petitions.example.ge/night-transport?utm_source=courier",)
    assert ru.links == ("https://www.petitions.example.ge/night-transport/",)


def test_redirect_followed(site: str) -> None:
    assert read_source(site + "/old-address").text == read_source(site + "/en/ferry").text


def test_plain_text_page(site: str) -> None:
    assert read_source(site + "/plain.txt").text == "Заголовок\n\nПервый абзац.\n\nВторой абзац."
    assert read_source(site + "/notes.md").text == "Заголовок\n\nПервый абзац."


@pytest.mark.parametrize("path, message", [
    ("/missing", "HTTP 404"),
    ("/loop", "redirects more than"),
    ("/to-ftp", "ftp"),
    ("/report.pdf", "not a web page or text (application/pdf)"),
    ("/menu", "no article text found"),
    ("/empty", "empty page"),
    ("/lying.html", "binary data"),
])
def test_page_cannot_be_had(site: str, path: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_source(site + path)
    assert message in str(info.value)
    assert site + path in str(info.value)


def test_size_limit_while_streaming(site: str) -> None:
    with pytest.raises(InputError, match="larger than the 0.1 MB limit"):
        read_source(site + "/big", max_bytes=100_000)


def test_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection in the kernel, never answers
    try:
        with pytest.raises(InputError, match="within 0.3 s"):
            read_source(f"http://127.0.0.1:{listener.getsockname()[1]}/story", timeout=0.3)
    finally:
        listener.close()


def test_connection_refused_and_unknown_host() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(InputError, match="refused"):
        read_source(f"http://127.0.0.1:{port}/story", timeout=5)
    with pytest.raises(InputError, match="not found"):
        read_source("http://no-such-host.invalid/story", timeout=5)


def test_html_file(tmp_path: Path) -> None:
    page = tmp_path / "saved page.htm"
    page.write_bytes(RU_HTML)
    src = read_source(page)
    assert _paragraphs(src.text) == EXPECTED["lake-ferry", "ru"]["story"]
    assert src.source == str(page)


def test_dateline_or_appeal_after_the_headline_is_no_standfirst(tmp_path: Path) -> None:
    standfirst = EXPECTED["lake-ferry", "en"]["story"][1]
    html = EN_HTML.decode()
    assert standfirst in html
    page = tmp_path / "no-standfirst.html"
    for line in ("Published on March 4, 2024 at 09:30 in Bishkek, updated at 11:00.",
                 "Sign up for our newsletter and get the news from Central Asia every week."):
        page.write_text(html.replace(f'<p class="standfirst">{standfirst}</p>', f"<p>{line}</p>"))
        got = _paragraphs(read_source(page).text)
        assert got == [p for p in EXPECTED["lake-ferry", "en"]["story"] if p != standfirst]


def test_boxes_between_story_paragraphs(tmp_path: Path) -> None:
    """The "Popular" list and the newsletter box moved into the middle of the story."""
    html = EN_HTML.decode()
    boxes = ""
    for start, end in (('<aside class="popular">', "</aside>"),
                       ('<div class="newsletter-signup">', "</form>\n  </div>")):
        box = html[html.index(start):html.index(end, html.index(start)) + len(end)]
        html = html.replace(box, "")
        boxes += box.replace("aside", "div")
    page = tmp_path / "boxes.html"
    page.write_text(html.replace("<p>Tickets will cost", boxes + "<p>Tickets will cost"))
    text = read_source(page).text
    assert _paragraphs(text) == EXPECTED["lake-ferry", "en"]["story"]
    assert [f for f in EXPECTED["lake-ferry", "en"]["furniture"] if f in text] == []


def test_paragraphs_separated_by_line_breaks(tmp_path: Path) -> None:
    """Older pages separate paragraphs with <br><br>; a <br> inside a sentence is a space."""
    paras = [f"On day {k} the committee met again and heard {k + 2} more witnesses, the"
             f" chairman said." for k in range(1, 6)]
    body = "<br><br>".join(paras).replace("the chairman", "the<br>chairman", 1)
    page = tmp_path / "old.html"
    page.write_text(f"<html><head><title>Committee hears witnesses</title></head><body>"
                    f"<div class='nav'><a href='/'>Home</a> <a href='/news'>News</a></div>"
                    f"<h1>Committee hears witnesses</h1><div class='story'>{body}</div>"
                    f"<div class='foot'>© 2009 Old News. All rights reserved.</div></body></html>")
    assert _paragraphs(read_source(page).text) == ["Committee hears witnesses", *paras]


def test_markdown_file(tmp_path: Path) -> None:
    md = tmp_path / "story.md"
    md.write_text(
        "---\ntitle: Ferry returns\nauthor: A. Temirova\ndate: 2024-03-04\n---\n\n"
        "# Ferry returns\n\nA *private* operator has [bought](https://x.example) two\nboats.\n\n"
        "![photo](boat.jpg)\n\n- Tickets cost `1,500` soms.\n- Children pay half.\n\n"
        "```\ncode is dropped\n```\n\n> “We had to say: you can’t.”\n",
        encoding="utf-8",
    )
    src = read_source(md)
    assert _paragraphs(src.text) == [
        "Ferry returns", "A private operator has bought two boats.", "Tickets cost 1,500 soms.",
        "Children pay half.", "“We had to say: you can’t.”",
    ]
    assert (src.title, src.author, src.date) == ("Ferry returns", "A. Temirova", "2024-03-04")
    assert src.links == ("https://x.example",)


def test_text_file_kept_as_is(tmp_path: Path) -> None:
    txt = tmp_path / "story.txt"
    txt.write_bytes("\ufeffHeadline\r\n\r\nLine one\r\nline two.\r\n\r\n\r\nLast.\r\n".encode())
    src = read_source(txt)
    assert src.text == "Headline\n\nLine one\nline two.\n\nLast."
    assert src.title is None


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"  \n\n ", "is empty"),
    (b"%PDF-1.7\x00\x01\x02", "binary file"),
    ("Привет".encode("cp1251"), "not valid UTF-8"),
])
def test_bad_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "story.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_source(path)
    with pytest.raises(InputError, match="is a folder"):
        read_source(tmp_path)


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "archive.txt"
    path.write_text("word " * 1000)
    with pytest.raises(InputError, match="more than the 0.001 MB limit"):
        read_source(path, max_bytes=1000)


def test_kind_and_decoding() -> None:
    assert source_kind("a.txt", b"  <!DOCTYPE html><html>") is Kind.html
    assert source_kind("notes", b"# Title") is Kind.text
    assert source_kind("x", b"", "text/markdown") is Kind.markdown
    assert decode_html("<p>é</p>".encode("latin-1"), "iso-8859-1") == "<p>é</p>"
    text = "<p>Первый рейс запланирован на 1 июня, если позволит погода.</p>"
    assert decode_html(text.encode("cp1251")) == text  # no charset declared: guessed
