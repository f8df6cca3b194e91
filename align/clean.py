"""Characters no output format can carry, removed once at input and again by every writer.

XML 1.0 (TMX, the HTML report through lxml) forbids the C0 controls other than tab, newline and
carriage return, lone surrogates and U+FFFE/U+FFFF; UTF-8 cannot encode lone surrogates at all.
A story loses nothing by dropping them: they are debris of copy-paste, PDF export or old CMSes.

>>> clean_text("Page\\x0cbreak\\x00 and a bell\\x07.")
'Page break and a bell.'
>>> xml_safe("a\\ufffeb")
'ab'
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "xml_safe"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE_LIKE = str.maketrans({"\x0b": " ", "\x0c": " "})


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (C0 controls, surrogates, U+FFFE/FFFF)."""
    return _NOT_XML.sub("", text)


def clean_text(text: str) -> str:
    """Input text made safe for every format: vertical tab and form feed become spaces, the
    other characters :func:`xml_safe` drops are dropped."""
    return xml_safe(text.translate(_SPACE_LIKE))
