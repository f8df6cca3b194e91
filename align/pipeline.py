"""From two files (or texts) to an :class:`Alignment`: read, check, split, embed, align.

This is the one function the CLI, the translation memory and the batch runner call. It checks
the input before any model time is spent: a missing, empty, binary or oversized file is an
:class:`InputError`; a file in the wrong script (English given as Russian, swapped arguments,
two copies of one edition) is an :class:`InputError` unless ``check_languages=False``; very
different lengths only produce a warning, because an alignment is still possible.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from align.errors import InputError
from align.types import Alignment, Bead, Sentence

if TYPE_CHECKING:
    from align.embed import Encoder
    from align.sources import SourceText

MAX_BYTES = 10_000_000
"""Largest input accepted by default: ~200 times a long news article; memory stays bounded."""
TIMEOUT = 20.0
"""Seconds a whole download may take (see :func:`align.sources.fetch.fetch`)."""

WEAK_SCORE = 0.5
"""Beads under this confidence are called weak (flagged in the HTML view and the warnings)."""

_CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})
_LANG_NAMES = {"en": "English", "ru": "Russian", "de": "German", "fr": "French"}


def lang_name(lang: str) -> str:
    return _LANG_NAMES.get(lang, lang)


def read_edition(
    source: str | Path, *, role: str, presplit: bool = False, max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT, public_only: bool = False,
) -> SourceText:
    """Read one edition from a text, Markdown or HTML file or an http(s) URL.

    ``role`` names it in messages ("English edition"). With ``presplit`` the file is read as
    plain text, one sentence a line. ``public_only``: URLs of private addresses are refused
    (a server fetching for someone else). Raises :class:`InputError` for a missing, empty, binary,
    non-UTF-8 or oversized file, or a page that cannot be fetched within ``timeout`` seconds.
    """
    from align.sources import Kind, read_source

    if str(source) == "-":
        raise InputError(f"{role}: reading from stdin is not supported; pass a file path or URL")
    try:
        return read_source(source, max_bytes=max_bytes, timeout=timeout,
                           kind=Kind.text if presplit else None, public_only=public_only)
    except InputError as exc:  # the same class (a PrivateAddress stays one), the role named
        raise type(exc)(f"{role}: {exc}") from None


def read_text(source: str | Path, *, role: str, max_bytes: int = MAX_BYTES,
              timeout: float = TIMEOUT) -> str:
    """The plain text of a file or page (see :func:`read_edition`)."""
    return read_edition(source, role=role, max_bytes=max_bytes, timeout=timeout).text


def _script_share(text: str) -> tuple[float, int]:
    """Share of Cyrillic among the letters of ``text`` (sampled), and the number of letters."""
    sample = text[:200_000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return 0.0, 0
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return cyr / len(letters), len(letters)


MOJIBAKE = (("UTF-8", "utf-8"), ("Windows-1251", "cp1251"))
"""The encodings whose bytes, read as Latin-1 or Windows-1252, garble Cyrillic text ("Ð¾Ð²" or "îâ"
for "ов"), UTF-8 first: its bytes read as Windows-1251 look Cyrillic too."""


def mojibake(text: str) -> str | None:
    """The encoding whose bytes ``text`` holds when it is Cyrillic read as Latin-1 or
    Windows-1252 (mojibake), else None: taken back to bytes (the control characters of
    Latin-1's C1 range may have been dropped already) and decoded, most of its letters must be
    Cyrillic.

    >>> text = "Новый контейнерный челнок — из Ташкента в Шымкент"
    >>> mojibake(text.encode("cp1251").decode("cp1252"))
    'Windows-1251'
    >>> mojibake(text.encode("utf-8").decode("latin-1"))
    'UTF-8'
    >>> mojibake("Hello there, a plain English line of text."), mojibake(text)
    (None, None)
    """
    sample = text[:20_000]
    raw = bytes(ord(c) if ord(c) < 256 else ord(c.encode("cp1252", "replace")) for c in sample)
    for name, codec in MOJIBAKE:
        mended = raw.decode(codec, errors="replace")
        share, n = _script_share(mended)
        if n >= 20 and share > 0.5:
            return name
    return None


def check_languages(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str) -> None:
    """Refuse inputs whose script contradicts their declared language (or two equal texts)."""
    if " ".join(src_text.split()) == " ".join(tgt_text.split()):
        raise InputError(
            "the two files hold the same text (two copies of one edition?); pass the"
            f" {lang_name(src_lang)} edition first and the {lang_name(tgt_lang)} edition second"
        )
    want = [lang in _CYRILLIC_LANGS for lang in (src_lang, tgt_lang)]
    got = []
    for text in (src_text, tgt_text):
        share, n = _script_share(text)
        got.append(None if n < 20 else share > 0.5)
    if got[0] is None or got[1] is None or got == want:
        return
    if got == want[::-1] and want[0] != want[1]:
        raise InputError(
            f"the files look swapped: the first is not {lang_name(src_lang)} and the second is"
            f" not {lang_name(tgt_lang)}; pass the {lang_name(src_lang)} edition first"
        )
    bad = [
        (pos, lang)
        for pos, lang, g, w in zip(("first", "second"), (src_lang, tgt_lang), got, want)
        if g != w
    ]
    pos, lang = bad[0]
    script = "Cyrillic" if lang in _CYRILLIC_LANGS else "Latin"
    garbled = mojibake((src_text, tgt_text)[pos == "second"]) if lang in _CYRILLIC_LANGS else None
    if garbled:
        mend = ("mend it with ftfy (pip install ftfy; ftfy FILE > FILE.utf8)" if garbled == "UTF-8"
                else "convert the original instead: iconv -f cp1251 -t utf-8 ORIGINAL > FILE.utf8")
        raise InputError(
            f"the {pos} file is {lang_name(lang)} garbled by a wrong character set (mojibake:"
            f" {garbled} bytes read as Latin-1 or Windows-1252); {mend}"
        )
    raise InputError(
        f"the {pos} file does not look {lang_name(lang)} (little {script} text); pass the right"
        " edition, set --src-lang/--tgt-lang, or use --no-lang-check to align anyway"
    )


def length_warnings(src: Sequence[Sentence], tgt: Sequence[Sentence]) -> list[str]:
    """Warn when one edition is much longer than the other (many omissions to expect)."""
    a = sum(len(s.text) for s in src)
    b = sum(len(s.text) for s in tgt)
    if min(a, b) == 0:
        return []
    ratio = max(a, b) / min(a, b)
    if ratio < 2.5:
        return []
    longer, shorter = ("first", "second") if a > b else ("second", "first")
    return [
        (
            f"the {longer} edition is {ratio:.1f}x longer than the {shorter}:"
            " expect many omissions, or check that the files are editions of the same story"
        )
    ]


def segment(text: str, lang: str, *, presplit: bool) -> list[Sentence]:
    """Split ``text`` into sentences (or take it one sentence a line when ``presplit``)."""
    return segment_counted(text, lang, presplit=presplit)[0]


def segment_counted(text: str, lang: str, *, presplit: bool) -> tuple[list[Sentence], int]:
    """:func:`segment`, and how many over-long runs were cut (see :data:`MAX_CHARS`)."""
    from align.segment import split_counted

    return split_counted(text, lang, presplit=presplit)


def cut_warnings(cuts: Sequence[tuple[str, int]]) -> list[str]:
    """One line when runs longer than :data:`align.segment.MAX_CHARS` had to be cut.

    ``cuts`` holds (language, runs cut) for each edition.
    """
    from align.segment import MAX_CHARS

    said = [f"{n} run{'s' * (n > 1)} in the {lang_name(lang)} edition" for lang, n in cuts if n]
    if not said:
        return []
    line = (f"{' and '.join(said)} had no sentence end within {MAX_CHARS:,} characters and"
            " were cut at spaces into pieces (a one-line file or a table?); check the input if"
            " that is not expected")
    return [line]


def align_texts(
    src_text: str,
    tgt_text: str,
    *,
    encoder: Encoder,
    src_lang: str = "en",
    tgt_lang: str = "ru",
    presplit: bool = False,
    check_lang: bool = True,
) -> Alignment:
    """Align two editions given as strings. See :func:`align_files`."""
    from align.aligner import align_sentences, relatedness

    if check_lang:
        check_languages(src_text, tgt_text, src_lang, tgt_lang)
    src, src_cut = segment_counted(src_text, src_lang, presplit=presplit)
    tgt, tgt_cut = segment_counted(tgt_text, tgt_lang, presplit=presplit)
    if not src or not tgt:
        which = lang_name(src_lang) if not src else lang_name(tgt_lang)
        raise InputError(f"the {which} edition has no sentences; nothing to align")
    warnings = cut_warnings([(src_lang, src_cut), (tgt_lang, tgt_cut)]) + length_warnings(src, tgt)
    beads = align_sentences(
        [s.text for s in src],
        [s.text for s in tgt],
        encoder,
        src_paragraphs=[s.paragraph for s in src],
        tgt_paragraphs=[s.paragraph for s in tgt],
    )
    al = Alignment(tuple(src), tuple(tgt), tuple(beads),
                   related=relatedness([s.text for s in src], [s.text for s in tgt], encoder))
    if al.looks_unrelated:
        warnings.append("these do not look like two editions of one story: their closest sentences"
                        " are hardly closer than random pairs; check the files")
    else:
        warnings += bead_warnings(beads)
    return dataclasses.replace(al, warnings=tuple(warnings))


def bead_warnings(beads: Sequence[Bead]) -> list[str]:
    """A warning when many beads are weak: the editions may differ a lot."""
    paired = [b for b in beads if b.src and b.tgt]
    weak = [b for b in paired if b.score < WEAK_SCORE]
    if not paired:
        return ["no sentence found a counterpart: are these editions of the same story?"]
    if len(weak) > 0.3 * len(paired):
        return [
            (
                f"{len(weak)} of {len(paired)} aligned groups are more likely wrong than right"
                f" (confidence < {WEAK_SCORE}): review them, or check that the files are"
                " editions of the same story"
            )
        ]
    return []


def align_files(
    src: str | Path,
    tgt: str | Path,
    *,
    encoder: Encoder,
    src_lang: str = "en",
    tgt_lang: str = "ru",
    presplit: bool = False,
    check_lang: bool = True,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> Alignment:
    """Read (files or URLs), check, split and align two editions of one story.

    ``max_bytes`` limits each file or page; ``timeout`` each download (whole, in seconds).

    >>> align_files("story.en.html", "https://example.org/ru/story", encoder=load_encoder())
    ... # doctest: +SKIP
    """
    src_ed, tgt_ed = (
        read_edition(path, role=f"{lang_name(lang)} edition", presplit=presplit,
                     max_bytes=max_bytes, timeout=timeout)
        for path, lang in ((src, src_lang), (tgt, tgt_lang))
    )
    return align_texts(
        src_ed.text,
        tgt_ed.text,
        encoder=encoder,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        presplit=presplit,
        check_lang=check_lang,
    )
