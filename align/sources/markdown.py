"""Markdown stories: the text of headings, paragraphs, list items and quotes (code dropped),
the ``key: value`` front matter (title, author, date, url) and the links of the text."""

from __future__ import annotations

import re

__all__ = ["markdown_story"]


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


def markdown_story(text: str) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
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
