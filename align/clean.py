"""Characters no output format can carry, removed once at input and again by every writer.

XML 1.0 (TMX, the HTML report through lxml) forbids the C0 controls other than tab, newline and
carriage return, lone surrogates and U+FFFE/U+FFFF; UTF-8 cannot encode lone surrogates at all.
A story loses nothing by dropping them: they are debris of copy-paste, PDF export or old CMSes.

>>> clean_text("Page\\x0cbreak\\x00 and a bell\\x07.")
'Page break and a bell.'
>>> xml_safe("a\\ufffeb")
'ab'

On the way out to a terminal, :func:`printable` shows what input cleaning would have dropped
(an old memory, a file written by another tool) as a visible symbol of the same length, so an
escape sequence in a stored unit cannot move the cursor, retitle the window or hide text:

>>> printable("red\\x1b[31m bell\\x07 csi\\x9b")
'red␛[31m bell␇ csi�'
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "printable", "xml_safe"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_C1 = re.compile("[\x7f-\x9f]")
_DIRTY = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character :func:`clean_text` changes (the union of what its three passes change): most
texts have none, and one search costs a sixteenth of the passes (a Russian sentence of 100
characters: 2.7 against 43 us, on a loaded machine)."""
_SPACE_LIKE = str.maketrans({"\x0b": " ", "\x0c": " "})
_VISIBLE = str.maketrans({
    **{c: 0x2400 + c for c in range(0x20) if chr(c) not in "\t\n"},  # U+2400 control pictures
    0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)},  # DEL; C1 (0x9b is CSI)
    **{c: 0xFFFD for c in range(0xD800, 0xE000)},  # lone surrogates: not printable in UTF-8
})


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (C0 controls, surrogates, U+FFFE/FFFF)."""
    return _NOT_XML.sub("", text)


def printable(text: str) -> str:
    """``text`` for a terminal: C0 controls but tab and newline, DEL, C1 controls and lone
    surrogates replaced one for one by visible symbols (positions of spans stay valid)."""
    return text.translate(_VISIBLE)


def clean_text(text: str) -> str:
    """Input text made safe for every format and terminal: vertical tab and form feed become
    spaces, the other characters :func:`xml_safe` drops are dropped, and so are DEL and the C1
    controls (XML allows them, but a terminal reads U+009B as CSI, U+009D as OSC)."""
    if _DIRTY.search(text) is None:
        return text
    return _C1.sub("", xml_safe(text.translate(_SPACE_LIKE)))
