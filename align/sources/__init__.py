"""Read one edition of a story: a text, Markdown or HTML file, or an http(s) page.

May import align.clean, align.errors and align.types; never the aligner.

- :mod:`~align.sources.reader`: :func:`read_source` -> :class:`SourceText` (text + metadata)
- :mod:`~align.sources.files`: bounded reads of local files, decoding (UTF-8, UTF-16, charsets)
- :mod:`~align.sources.fetch`: one download under a wall-clock deadline and a size limit
- :mod:`~align.sources.article`: the story of a news page without the page around it
- :mod:`~align.sources.markdown`: the text and front matter of a Markdown file

>>> from align.sources import read_source
>>> read_source("https://example.org/story.html").text   # doctest: +SKIP
'Headline\\n\\nStandfirst\\n\\nFirst paragraph...'
"""

from __future__ import annotations

from align.sources.fetch import Page, fetch, is_url
from align.sources.files import (
    MAX_BYTES,
    decode_html,
    decode_text,
    file_sha256,
    read_file,
    read_text_file,
)
from align.sources.reader import TIMEOUT, Kind, SourceText, read_source, source_kind

__all__ = [
    "MAX_BYTES", "TIMEOUT", "Kind", "Page", "SourceText", "decode_html", "decode_text", "fetch",
    "file_sha256", "is_url", "read_file", "read_source", "read_text_file", "source_kind",
]
