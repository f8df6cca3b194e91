"""Read one edition of a story from a text, Markdown or HTML file, or an http(s) URL.

:func:`read_source` returns a :class:`SourceText`: the story as plain text (headline first,
paragraphs separated by blank lines) with the title, author, date and canonical URL the page
declares, and a content hash for de-duplication. Web pages go through :mod:`align.sources.article`
(trafilatura plus page-furniture trimming), downloads through :mod:`align.sources.fetch`,
files through :mod:`align.sources.files`. Characters no output format can carry (C0 controls,
U+FFFE, lone surrogates) are dropped here, once (:func:`align.clean.clean_text`).

>>> read_source("https://example.org/story.html").text   # doctest: +SKIP
'Headline\\n\\nStandfirst\\n\\nFirst paragraph...'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from align.clean import clean_text
from align.errors import InputError
from align.sources.fetch import fetch, is_url
from align.sources.files import MAX_BYTES, decode_html, decode_text, looks_binary, read_file
from align.sources.markdown import markdown_story

__all__ = ["TIMEOUT", "Kind", "SourceText", "read_source", "source_kind"]

TIMEOUT = 20.0
"""Seconds a whole download may take (connection, redirects, headers and body)."""

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_MD_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})


class Kind(str, Enum):
    """How a source is read."""

    text = "text"
    markdown = "markdown"
    html = "html"


@dataclass(frozen=True)
class SourceText:
    """One edition as plain text plus what its page says about it.

    ``source`` is the path or URL as given; ``content_hash`` the SHA-256 of ``text``;
    ``file_hash`` the SHA-256 of a local file's bytes as read (``None`` for a URL).
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
    file_hash: str | None = None


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
    if b"\x00" in head[:200]:  # UTF-16: look at its ASCII letters
        head = head.replace(b"\x00", b"").lstrip(b"\xff\xfe")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in start:
        return Kind.html
    return Kind.text


def _paragraphs_of_text(text: str) -> list[str]:
    """Paragraphs of plain text: blocks separated by blank lines, lines kept as they are."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n[ \t]*\n", text)
    return [b.strip("\n").rstrip() for b in blocks if b.strip()]


def read_source(source: str | Path, *, timeout: float = TIMEOUT,
                max_bytes: int = MAX_BYTES, kind: Kind | None = None,
                public_only: bool = False) -> SourceText:
    """Read a story from a file path or an http(s) URL (see the module docstring).

    ``kind`` forces how the content is read; by default it comes from the media type, the
    suffix, then the content. ``public_only`` is the fetcher's address policy
    (:func:`align.sources.fetch.fetch`). Raises :class:`InputError` with a hint when the story cannot be had.
    """
    name = str(source)
    canonical = file_hash = None
    if isinstance(source, str) and is_url(source):
        page = fetch(source, timeout=timeout, max_bytes=max_bytes, public_only=public_only)
        data, media, declared, canonical = page.data, page.media_type, page.charset, page.url
        if not data.strip():
            raise InputError(f"'{name}' returned an empty page; check the address")
        if looks_binary(data):
            raise InputError(f"'{name}' is binary data, not a web page or text; pass the"
                             " address of an HTML article or a text file")
    else:
        data = read_file(Path(source).expanduser(), max_bytes)
        media, declared, file_hash = "", None, hashlib.sha256(data).hexdigest()
    kind = kind or source_kind(name, data[:1024], media)
    meta: dict[str, str | None] = {}
    links: tuple[str, ...] = ()
    if kind is Kind.html:
        from align.sources.article import extract_article

        art = extract_article(decode_html(data, declared), url=canonical, where=f"'{name}'")
        paragraphs = list(art.paragraphs)
        meta = {"title": art.title, "author": art.author, "date": art.date,
                "url": art.canonical_url}
        links = art.links
    elif kind is Kind.markdown:
        paragraphs, md_meta, links = markdown_story(decode_text(data, f"'{name}'"))
        meta = {k: md_meta.get(k) for k in ("title", "author", "date")}
        meta["url"] = md_meta.get("canonical_url") or md_meta.get("url")
    else:
        paragraphs = _paragraphs_of_text(decode_text(data, f"'{name}'"))
    text = clean_text("\n\n".join(paragraphs))
    if not text.strip():
        raise InputError(f"'{name}' holds no text; pass the file or page that holds the story")
    meta = {k: clean_text(v) if v else None for k, v in meta.items()}
    return SourceText(
        text=text,
        title=meta.get("title"),
        author=meta.get("author"),
        date=meta.get("date"),
        canonical_url=meta.get("url") or canonical,
        source=name,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        links=links,
        file_hash=file_hash,
    )
