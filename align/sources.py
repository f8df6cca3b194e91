"""Read one edition of a story from a text, Markdown or HTML file, or an http(s) URL.

:func:`read_source` returns a :class:`SourceText`: the story as plain text (headline first,
paragraphs separated by blank lines) with the title, author, date and canonical URL the page
declares, and a content hash for de-duplication. Web pages go through :mod:`align.article`
(trafilatura plus page-furniture trimming); downloads through :mod:`align.fetch`.

>>> read_source("https://example.org/story.html").text   # doctest: +SKIP
'Headline\\n\\nStandfirst\\n\\nFirst paragraph...'
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from align.errors import InputError
from align.fetch import fetch, is_url

__all__ = ["Kind", "SourceText", "decode_html", "read_source", "source_kind"]

MAX_BYTES = 10_000_000
TIMEOUT = 20.0

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_MD_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class Kind(str, Enum):
    """How a source is read."""

    text = "text"
    markdown = "markdown"
    html = "html"


@dataclass(frozen=True)
class SourceText:
    """One edition as plain text plus what its page says about it.

    ``source`` is the path or URL as given; ``content_hash`` the SHA-256 of ``text``.
    """

    text: str
    title: str | None
    author: str | None
    date: str | None
    canonical_url: str | None
    source: str
    content_hash: str
    links: tuple[str, ...] = ()
    """Absolute http(s) links of the story's paragraphs (pairing evidence)."""


def source_kind(name: str, head: bytes, media_type: str = "") -> Kind:
    """Decide from the media type, the file suffix, then the first bytes."""
    if media_type in ("text/html", "application/xhtml+xml"):
        return Kind.html
    if media_type in ("text/markdown", "text/x-markdown"):
        return Kind.markdown
    suffix = Path(name.split("?")[0]).suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return Kind.html
    if suffix in _MD_SUFFIXES:
        return Kind.markdown
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in start:
        return Kind.html
    return Kind.text


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page by its BOM, the declared charset, its ``<meta charset>``, UTF-8, or a guess."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    found = _META_CHARSET.search(data[:8192])
    for name in (declared, found.group(1).decode("ascii") if found else None, "utf-8"):
        if not name:
            continue
        try:
            return data.decode(_codec(name))
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return data.decode(best.encoding if best else "cp1252", errors="replace")


def _codec(name: str) -> str:
    name = name.strip().lower()
    # WHATWG: pages labelled latin-1 / ascii are really windows-1252
    return "cp1252" if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else name


def _decode_text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not valid UTF-8 (byte {exc.start}); convert it, e.g."
            f" `iconv -f cp1251 -t utf-8 FILE > FILE.utf8`"
        ) from None


def _paragraphs_of_text(text: str) -> list[str]:
    """Paragraphs of plain text: blocks separated by blank lines, lines kept as they are."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n[ \t]*\n", text)
    return [b.strip("\n").rstrip() for b in blocks if b.strip()]


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Simple ``key: value`` YAML front matter of a Markdown file, and the rest."""
    m = re.match(r"\A---[ \t]*\n(.*?)\n(---|\.\.\.)[ \t]*(\n|\Z)", text, re.DOTALL)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[m.end():]


def _markdown(text: str) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    """Headings, paragraphs, list items and quotes of Markdown as plain text (code dropped)."""
    from markdown_it import MarkdownIt

    meta, body = _front_matter(text.replace("\r\n", "\n"))
    tokens = MarkdownIt("commonmark").parse(body)
    out: list[str] = []
    links: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            parts = []
            for child in tok.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "link_open" and str(child.attrs.get("href", "")).startswith(
                        ("http://", "https://")):
                    links.append(str(child.attrs["href"]))
            para = re.sub(r"\s+", " ", "".join(parts)).strip()
            if para:
                if "title" not in meta and i and tokens[i - 1].tag == "h1":
                    meta["title"] = para
                out.append(para)
        elif tok.type == "html_block":
            import lxml.html

            try:
                para = " ".join(lxml.html.fromstring(tok.content).text_content().split())
            except Exception:  # noqa: BLE001 - an HTML fragment lxml cannot parse is skipped
                para = ""
            if para:
                out.append(para)
    return out, meta, tuple(dict.fromkeys(links))


def _read_file(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise InputError(f"'{path}' does not exist; check the path")
    if path.is_dir():
        raise InputError(f"'{path}' is a folder; pass a text, Markdown or HTML file (or a URL)")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"'{path}' is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:g} MB limit for"
            " one story; split the archive into articles or raise the limit with --max-size"
        )
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"'{path}' is empty; pass the file that holds the story")
    if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE,
                                                       codecs.BOM_UTF16_BE)):
        raise InputError(
            f"'{path}' is a binary file (PDF, Word, image?), not text; save the story as text,"
            " Markdown or HTML first"
        )
    return data


def read_source(source: str | Path, *, timeout: float = TIMEOUT,
                max_bytes: int = MAX_BYTES, kind: Kind | None = None) -> SourceText:
    """Read a story from a file path or an http(s) URL (see the module docstring).

    ``kind`` forces how the content is read; by default it comes from the media type, the
    suffix, then the content. Raises :class:`InputError` with a hint when the story cannot be had.
    """
    name = str(source)
    canonical: str | None = None
    if isinstance(source, str) and is_url(source):
        page = fetch(source, timeout=timeout, max_bytes=max_bytes)
        data, media, declared, canonical = page.data, page.media_type, page.charset, page.url
        if not data.strip():
            raise InputError(f"'{name}' returned an empty page; check the address")
        if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE,
                                                           codecs.BOM_UTF16_BE)):
            raise InputError(f"'{name}' is binary data, not a web page or text; pass the"
                             " address of an HTML article or a text file")
    else:
        data = _read_file(Path(source).expanduser(), max_bytes)
        media, declared = "", None
    kind = kind or source_kind(name, data[:1024], media)
    meta: dict[str, str | None] = {}
    links: tuple[str, ...] = ()
    if kind is Kind.html:
        from align.article import extract_article

        art = extract_article(decode_html(data, declared), url=canonical, where=f"'{name}'")
        paragraphs = list(art.paragraphs)
        meta = {"title": art.title, "author": art.author, "date": art.date,
                "url": art.canonical_url}
        links = art.links
    elif kind is Kind.markdown:
        paragraphs, md_meta, links = _markdown(_decode_text(data, f"'{name}'"))
        meta = {k: md_meta.get(k) for k in ("title", "author", "date")}
        meta["url"] = md_meta.get("canonical_url") or md_meta.get("url")
    else:
        paragraphs = _paragraphs_of_text(_decode_text(data, f"'{name}'"))
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise InputError(f"'{name}' holds no text; pass the file or page that holds the story")
    return SourceText(
        text=text,
        title=meta.get("title") or None,
        author=meta.get("author") or None,
        date=meta.get("date") or None,
        canonical_url=meta.get("url") or canonical,
        source=name,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        links=links,
    )
