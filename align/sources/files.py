"""Local files read with a hard size limit, and bytes decoded to text.

The limit holds whatever the file is: a regular file larger than it is refused from its size,
and every read asks for at most ``max_bytes + 1`` bytes, so ``/dev/zero``, ``/dev/urandom``, a
FIFO or ``<(command)`` are refused once they pass the limit instead of being read forever.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from pathlib import Path

from align.errors import InputError

__all__ = ["MAX_BYTES", "decode_html", "decode_text", "file_sha256", "looks_binary", "read_file",
           "read_text_file"]

MAX_BYTES = 10_000_000
"""Largest story accepted by default: ~200 times a long news article."""

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")
_LOW = bytes(range(0x20))
_BINARY = bytes([*range(0x09), *range(0x0E, 0x20)])
"""Control bytes that text does not hold (tab, newlines, VT, FF and CR excluded)."""


def _too_large(where: str, max_bytes: int, size: str, what: str) -> InputError:
    hint = ("split the archive into articles or raise the limit with --max-size"
            if what == "story" else "split it")
    return InputError(f"{where} is {size} than the {max_bytes / 1e6:g} MB limit for one {what};"
                      f" {hint}")


def read_file(path: Path, max_bytes: int = MAX_BYTES, *, what: str = "story") -> bytes:
    """The bytes of a file, at most ``max_bytes`` of them, or an :class:`InputError` that says
    why not (missing, a folder, too large, empty, binary, unreadable). ``what`` the file holds
    ("story", "list of pairs") is named in the messages."""
    where = f"'{path}'"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{where} does not exist; check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read {where}: {exc.strerror}; check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where} is a folder; pass a text, Markdown or HTML file (or a URL)")
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise _too_large(where, max_bytes, f"{info.st_size / 1e6:.1f} MB, more", what)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # bounded whatever st_size says (devices, FIFOs)
    except OSError as exc:
        raise InputError(f"cannot read {where}: {exc.strerror}; pass a text, Markdown or HTML"
                         " file") from None
    if len(data) > max_bytes:
        raise _too_large(where, max_bytes, "a device or stream with more", what)
    if not data.strip():
        raise InputError(f"{where} is empty; pass the file that holds the {what}")
    if looks_binary(data):
        hint = "save the story as text, Markdown or HTML first" if what == "story" else (
            "pass a text file")
        raise InputError(f"{where} is a binary file (PDF, Word, image?), not text; {hint}")
    return data


def read_text_file(path: Path, max_bytes: int = MAX_BYTES, *, what: str) -> str:
    """A small UTF-8 or UTF-16 text file (a list of pairs, a ladder) read with the same limits
    and messages as a story: ``/dev/zero`` given as a list is refused, not read forever."""
    return decode_text(read_file(path, max_bytes, what=what), f"'{path}'")


def file_sha256(path: Path, max_bytes: int = MAX_BYTES) -> str | None:
    """SHA-256 of a regular file of at most ``max_bytes`` bytes; ``None`` for anything else
    (missing, unreadable, too large, a device or FIFO that reading would consume or never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) <= max_bytes else None


def looks_binary(data: bytes) -> bool:
    """NUL bytes near the start among other control bytes, and not UTF-16 text.

    A stray NUL or bell in a text (a broken export) is not enough: those are dropped later.
    """
    head = data[:65536]
    if b"\x00" not in head or head.startswith(_UTF16_BOMS) or _utf16_order(head):
        return False
    controls = len(head) - len(head.translate(None, _BINARY))
    return controls >= 2 and controls > len(head) // 100


def _utf16_order(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when BOM-less bytes look like UTF-16 of an alphabetic script: the
    high byte of almost every code unit is below 0x20 (Latin, Cyrillic, Greek, Arabic...)."""
    sample = data[: 1 << 16]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    for name, high, low in (("utf-16-le", sample[1::2], sample[0::2]),
                            ("utf-16-be", sample[0::2], sample[1::2])):
        if _low_share(high) >= 0.9 and _low_share(low) < 0.5:
            try:
                text = sample.decode(name)
            except UnicodeDecodeError:
                continue
            if len(_CONTROLS.findall(text)) <= 0.01 * len(text):
                return name
    return None


def _low_share(data: bytes) -> float:
    """Share of bytes below 0x20."""
    return 1 - len(data.translate(None, _LOW)) / len(data)


def decode_text(data: bytes, where: str) -> str:
    """A text or Markdown file's bytes as text: UTF-8 (BOM or not) or UTF-16 (BOM or not)."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    order = _utf16_order(data)  # before UTF-8: ASCII-range UTF-16 is valid UTF-8 too
    if order and len(data) % 2 == 0:
        return data.decode(order, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not valid UTF-8 or UTF-16 (byte {exc.start}); convert it, e.g."
            f" `iconv -f cp1251 -t utf-8 FILE > FILE.utf8`"
        ) from None


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page by its BOM, the declared charset, its ``<meta charset>``, UTF-8, or a guess."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    order = _utf16_order(data)
    if order and len(data) % 2 == 0:
        return data.decode(order, errors="replace")
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
