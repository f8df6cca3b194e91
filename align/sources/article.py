"""The story of a news page: headline, standfirst and body paragraphs, without the page around it.

trafilatura finds the body (it drops menus, region lists, "Popular" boxes and footers); this
module adds what it leaves out or lets through: the visible headline, the standfirst between the
headline and the body, and edge paragraphs that are page furniture (author bio repeated under the
story, newsletter and donation appeals, copyright lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from align.errors import InputError

_WS = re.compile(r"\s+")

_FURNITURE = re.compile(
    r"©|\(c\)\s*\d{4}|\ball rights reserved\b|все права (защищены|сохранены)|\bcopyright\b"
    r"|\bnewsletter\b|\bsign up\b|\bsubscribe\b|подпиш\w+|рассылк\w+"
    r"|\bdonat(e|ion)|\bsupport (us|our (work|journalism|reporting))\b|\bhelp keep\b"
    r"|\bbecome a (member|supporter|patron)\b|поддержите|пожертв\w+|помогите нам"
    r"|^(share|read more|related|advertisement|popular|most read)\b"
    r"|^(реклама|читайте также|поделиться|популярное|самое читаемое)",
    re.IGNORECASE,
)
_INLINE = re.compile(
    r"^(read (more|also)|see also|related( stories| articles)?|more on this( story)?|also read"
    r"|читайте (также|еще|ещё)|смотрите также|(ещё |еще )?по теме|подробнее)\s*[:—–-]"
    r"|^(sign up|subscribe|get (our|the day)|подпишитесь|подписывайтесь|поддержите)\b",
    re.IGNORECASE,
)
"""Page furniture that sits between story paragraphs: teaser links, newsletter appeals."""
_BOX_TITLE = re.compile(
    r"(popular|most (read|popular|viewed)|trending|related( stories| articles| news)?"
    r"|more (from|on) .{1,40}|read (more|next|also)|see also|newsletter|advertisement|sponsored"
    r"|популярное|самое (читаемое|популярное)|читайте (также|ещё|еще)|по теме|реклама"
    r"|рассылка|партн[её]рские материалы)[\s:.!]*",
    re.IGNORECASE,
)
"""The title of a box (a whole paragraph): dropped wherever it is left in the body."""
_BIO = re.compile(
    r"^[\w.\-]+( [\w.\-]+){1,3}( is| was|,| —| -) .{0,120}\b(correspondent|editor|reporter"
    r"|journalist|writer|contributor|columnist|корреспондент\w*|редактор\w*|журналист\w*"
    r"|обозревател\w*|автор\w*)\b",
    re.IGNORECASE,
)
_STANDFIRST_CLASS = re.compile(
    r"standfirst|lead|dek|subtitle|subhead|summary|intro|excerpt|strap|kicker|description",
    re.IGNORECASE,
)
_NOT_STANDFIRST_CLASS = re.compile(
    r"byline|author|date|time|share|social|caption|credit|meta|tag|breadcrumb|related|nav|menu",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"\b(published|updated|posted|опубликовано|обновлено)\b|\b(min(ute)?s? read|мин\. чтения)\b"
    r"|\b\d{1,2}:\d{2}\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр"
    r"|мая|июн|июл|авг|сен|окт|ноя|дек)\w*\.? \d{1,2},? (19|20)\d\d\b"
    r"|\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|мая|июн"
    r"|июл|авг|сен|окт|ноя|дек)\w*\.? (19|20)\d\d\b",
    re.IGNORECASE,
)
"""What a byline or dateline line holds; such a line is not taken for the standfirst."""
_MAX_FURNITURE = 400
"""Only paragraphs shorter than this (characters) can be dropped as page furniture."""


@dataclass(frozen=True)
class Article:
    """Paragraphs (headline first) and metadata of a page; ``None`` where the page says nothing."""

    paragraphs: tuple[str, ...]
    title: str | None
    author: str | None
    date: str | None
    canonical_url: str | None
    links: tuple[str, ...] = ()


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _body_paragraphs(xml: str) -> list[tuple[str, tuple[str, ...]]]:
    """Block texts of trafilatura's XML output, in order (list items one each, no tables),
    each with the absolute http(s) links it holds."""
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    out: list[tuple[str, tuple[str, ...]]] = []
    if main is None:
        return out
    for el in main.iter("p", "head", "item", "quote", "code"):
        if el.tag == "quote" and el.find(".//p") is not None:
            continue  # its paragraphs come on their own
        if el.tag == "p" and any(a.tag in ("item", "cell") for a in el.iterancestors()):
            continue
        links = tuple(t for r in el.iter("ref") if (t := r.get("target", "")).startswith(
            ("http://", "https://")))
        for text in _split_at_line_breaks(el):
            out.append((text, links))
            links = ()
    return out


_LINE_BREAK = "\u2029"
_ENDS_SENTENCE = re.compile(r"[.!?…»”\"')]\s*$")


def _split_at_line_breaks(el: Any) -> list[str]:
    """The text of a block, cut into paragraphs at line breaks that follow a finished sentence
    (pages that separate paragraphs with ``<br><br>``); other line breaks become spaces."""
    for lb in el.iter("lb"):
        lb.tail = _LINE_BREAK + (lb.tail or "")
    out: list[str] = []
    current = ""
    for piece in "".join(el.itertext()).split(_LINE_BREAK):
        current = f"{current} {piece}" if current else piece
        if _ENDS_SENTENCE.search(current):
            out.append(current)
            current = ""
    out.append(current)
    return [t for t in map(_norm, out) if t]


def _headline_and_standfirst(tree: Any, title: str | None, first_body: str | None,
                             author: str | None, site: str | None
                             ) -> tuple[str | None, str | None]:
    """The visible headline (the ``<h1>`` that matches the title) and the paragraph after it."""
    key = (title or "").casefold()
    heading = None
    for h1 in tree.iter("h1"):
        text = _norm(h1.text_content())
        if text and (not key or text.casefold() in key or key in text.casefold()):
            heading = h1
            break
    if heading is None:
        return title, None
    headline = _norm(heading.text_content())
    stop = (first_body or "")[:60]
    for n, el in enumerate(heading.xpath("following::*")):
        if n > 60 or not isinstance(el.tag, str):
            break
        text = _norm(el.text_content())
        if not text:
            continue
        if stop and text.startswith(stop):
            break  # reached the body
        classes = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        if _NOT_STANDFIRST_CLASS.search(classes) or el.tag in ("a", "time", "button", "li"):
            continue
        named = bool(_STANDFIRST_CLASS.search(classes))
        prose = el.tag in ("p", "h2") and len(text.split()) >= 6 and text[-1] in ".!?…»”\""
        has_blocks = el.find(".//p") is not None or el.find(".//div") is not None
        if (named or prose) and not has_blocks and len(text) <= 600:
            if _is_furniture(text, author, site) or (
                    not named and len(text) < 160 and _DATELINE.search(text)):
                continue  # "Published 4 March 2024 by ...", an appeal: not the standfirst
            return headline, text
    return headline, None


def _is_furniture(text: str, author: str | None, site: str | None) -> bool:
    if len(text) >= _MAX_FURNITURE:
        return False
    if _FURNITURE.search(text) or _BIO.search(text):
        return True
    if author and text.casefold().startswith(author.casefold()) and len(text) < 250:
        return True  # the byline / author bio repeated under the story
    return bool(site and len(text) < 200 and site.casefold() in text.casefold()
                and len(text.split()) < 25)


def _trim(paragraphs: list[tuple[str, tuple[str, ...]]], author: str | None,
          site: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """Drop page furniture: teasers and appeals anywhere, bios and footers only at the ends."""
    paragraphs = [p for p in paragraphs if not _BOX_TITLE.fullmatch(p[0])
                  and not (len(p[0]) < _MAX_FURNITURE and _INLINE.search(p[0]))]
    start, stop = 0, len(paragraphs)
    while start < stop and _is_furniture(paragraphs[start][0], author, site):
        start += 1
    while stop > start and _is_furniture(paragraphs[stop - 1][0], author, site):
        stop -= 1
    return paragraphs[start:stop]


def extract_article(html: str, *, url: str | None = None, where: str = "page") -> Article:
    """Headline, standfirst and body paragraphs of a news page, plus its metadata.

    ``where`` names the page in error messages.
    """
    import lxml.html
    import trafilatura

    xml = trafilatura.extract(
        html, url=url, output_format="xml", with_metadata=True, include_comments=False,
        include_tables=False, include_images=False, favor_precision=True, deduplicate=False,
        include_links=True,
    )
    if not xml:
        raise InputError(
            f"{where}: no article text found (a menu, index or script-only page?); pass the"
            " address of the story itself, or save its text to a file"
        )
    from lxml import etree

    meta = etree.fromstring(xml.encode("utf-8")).attrib
    title = _norm(meta.get("title", "")) or None
    author = _norm(meta.get("author", "")) or None
    site = _norm(meta.get("sitename", "")) or None
    body = _body_paragraphs(xml)
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        tree = None
    headline, standfirst = (
        _headline_and_standfirst(tree, title, body[0][0] if body else None, author, site)
        if tree is not None
        else (title, None)
    )
    kept = _trim(body, author, site)
    head = [p for p in (headline, standfirst) if p]
    texts = [p for p, _ in kept if p not in head]
    if not texts:
        raise InputError(
            f"{where}: no story paragraphs found after removing the page furniture; save the"
            " story's text to a file and pass that instead"
        )
    return Article(
        paragraphs=tuple(head + texts),
        title=headline or title,
        author=author,
        date=meta.get("date") or None,
        canonical_url=meta.get("url") or None,
        links=tuple(dict.fromkeys(link for _, links in kept for link in links)),
    )
