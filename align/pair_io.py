"""Pairing's I/O side: the sources of each side (a folder, or a list of paths/URLs), read
concurrently, paired by :func:`align.pair.pair_texts`, reported by source name.

This is what ``diptych pair`` runs; :mod:`align.pair` holds the arithmetic and does no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from align.pair import DocText, pair_texts

if TYPE_CHECKING:
    from align.embed import Encoder

__all__ = ["SourcePairing", "list_sources", "pair_sources", "read_sources"]

_SKIP_SUFFIXES = frozenset({".db", ".sqlite", ".tmx", ".tsv", ".json", ".jsonl", ".pdf", ".zip",
                            ".gz", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".css",
                            ".js", ".part"})


@dataclass(frozen=True)
class SourcePairing:
    """:class:`Pairing` in terms of sources (paths/URLs as listed), plus unreadable ones.

    ``unmatched`` rows are ``(lang, source, reason)``.
    """

    pairs: tuple[tuple[str, str, float], ...]
    unmatched: tuple[tuple[str, str, str], ...]


def list_sources(where: Path) -> list[str]:
    """The documents of one side: the files of a folder (sorted, hidden and non-text skipped),
    or the lines of a list file (paths relative to the list's folder, or URLs; ``#`` comments)."""
    from align.errors import InputError
    from align.sources import is_url, read_text_file

    if where.is_dir():
        found = sorted(str(p) for p in where.iterdir()
                       if p.is_file() and not p.name.startswith(".")
                       and p.suffix.lower() not in _SKIP_SUFFIXES)
        if not found:
            raise InputError(f"folder '{where}' holds no text, Markdown or HTML files")
        return found
    if not where.is_file():
        raise InputError(f"'{where}' does not exist; pass a folder of articles or a file that"
                         " lists one path or URL a line")
    out = []
    for line in read_text_file(where, what="list of documents").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(line if is_url(line) or Path(line).is_absolute()
                   else str(where.parent / line))
    if not out:
        raise InputError(f"list file '{where}' names no documents")
    return out


def read_sources(sources: Sequence[str], *, timeout: float, max_bytes: int, threads: int = 8
                 ) -> list[object]:
    """:class:`~align.sources.SourceText` per source, or the :class:`AlignError` that stopped it.

    Pages are fetched concurrently (I/O bound); files are read in the same pool.
    """
    from concurrent.futures import ThreadPoolExecutor

    from align.errors import AlignError
    from align.sources import read_source

    def one(src: str) -> object:
        try:
            return read_source(src, timeout=timeout, max_bytes=max_bytes)
        except AlignError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(one, sources))


def pair_sources(en_sources: Sequence[str], ru_sources: Sequence[str], *, encoder: Encoder,
                 min_confidence: float = 0.5, timeout: float = 20.0,
                 max_bytes: int = 10_000_000) -> SourcePairing:
    """Read both sides (:func:`read_sources`) and pair them (:func:`pair_texts`).

    This is what ``diptych pair`` runs; unreadable sources are reported as unmatched, with why.
    """
    from align.sources import SourceText

    unmatched: list[tuple[str, str, str]] = []
    sides = []
    for lang, sources in (("en", en_sources), ("ru", ru_sources)):
        docs, names = [], []
        for src, got in zip(sources, read_sources(sources, timeout=timeout,
                                                  max_bytes=max_bytes)):
            if isinstance(got, SourceText):
                docs.append(DocText(got.text, got.date, got.links))
                names.append(src)
            else:
                unmatched.append((lang, src, f"unreadable: {got}"))
        sides.append((docs, names))
    (en_docs, en_names), (ru_docs, ru_names) = sides
    result = pair_texts(en_docs, ru_docs, encoder=encoder, min_confidence=min_confidence)
    for lang, rows, names, other in (("en", result.unmatched_en, en_names, ru_names),
                                     ("ru", result.unmatched_ru, ru_names, en_names)):
        partner = ({p.ru: en_names[p.en] for p in result.pairs} if lang == "en"
                   else {p.en: ru_names[p.ru] for p in result.pairs})
        for k, best, conf in rows:
            why = f"best candidate '{other[best]}' has confidence {conf:.3f}" if best >= 0 \
                else "no candidate"
            if best in partner:
                why += f" and is paired with '{partner[best]}'"
            unmatched.append((lang, names[k], why))
    return SourcePairing(
        pairs=tuple((en_names[p.en], ru_names[p.ru], p.confidence) for p in result.pairs),
        unmatched=tuple(unmatched),
    )
