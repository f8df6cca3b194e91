"""Text helpers shared by the store and the lookups: tokens, Snowball stems, language guess.

Stems feed the FTS5 index (concordance and fuzzy candidates), so "мигрант" finds "мигрантов" and
"migrant" finds "migrants". ``ё`` is folded to ``е`` before stemming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WORD_RE = re.compile(r"\w+", re.UNICODE)
# CAT tokens: words (letters, with inner hyphens/apostrophes), numbers, tags, other symbols
TOKEN_RE = re.compile(
    r"(?P<tag><[^<>]{1,200}>)"                    # inline tag / placeholder
    r"|(?P<num>\d+(?:[.,:/\u00a0]\d+)*)"         # number: 1,000.5 / 12:30 / 1\u00a0000
    r"|(?P<word>\w+(?:['’\-]\w+)*)"               # word (letters, maybe digits inside)
    r"|(?P<punct>\S)", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=2)
def _stemmer(lang: str) -> Any:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer: Snowball in C

    stemmer = Stemmer.Stemmer("russian" if lang == "ru" else "english")
    stemmer.maxCacheSize = 0  # our dict below is faster than PyStemmer's own cache
    return stemmer


class _StemCache(dict[str, str]):
    """Memoised stems of one language (a dict hit is much cheaper than a Snowball call)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, word: str) -> str:
        if len(self) > _MAX_CACHED:
            self.clear()
        stem: str = _stemmer(self.lang).stemWord(word)
        self[word] = stem
        return stem


_MAX_CACHED = 500_000
_STEMS = {"en": _StemCache("en"), "ru": _StemCache("ru")}


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits), ``ё`` folded to ``е``."""
    return WORD_RE.findall(text.lower().replace("ё", "е"))


def stems(text: str, lang: str) -> list[str]:
    """Snowball stems of the words of ``text`` in ``lang`` ("en" or "ru")."""
    return stem_words(words(text), lang)


def stem_words(tokens: list[str], lang: str) -> list[str]:
    """Snowball stems of lower-cased word tokens (memoised: bulk imports stem millions)."""
    cache = _STEMS["ru" if lang[:2] == "ru" else "en"]
    return [cache[w] for w in tokens]


class _ChunkCache(dict[str, str]):
    """Memoised stems of runs of non-space characters ("reported," or "(ТАСС)") of one
    language, space separated: a run's words are the text's words there (a word never holds
    a space, and the lower case of a letter looks no further than the spaces around it)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, chunk: str) -> str:
        if len(self) > _MAX_CACHED:
            self.clear()
        found = self[chunk] = " ".join(stems(chunk, self.lang))
        return found


_CHUNKS = {"en": _ChunkCache("en"), "ru": _ChunkCache("ru")}


def fts_text(text: str, lang: str) -> str:
    """What the FTS5 index stores for one side: its stems, space separated (looked up by
    runs of non-space characters: 200,000 sides of the bench's synthetic units in 2.0 s instead
    of 3.4, on a loaded machine)."""
    cache = _CHUNKS["ru" if lang[:2] == "ru" else "en"]
    return " ".join([found for found in map(cache.__getitem__, text.split()) if found])


def detect_lang(text: str) -> str:
    """``"ru"`` when Cyrillic letters outnumber Latin ones, else ``"en"``."""
    return "ru" if len(_CYRILLIC.findall(text)) > len(_LATIN.findall(text)) else "en"


def cat_tokens(text: str) -> list[str]:
    """Tokens for CAT match %: words, numbers, tags and punctuation marks."""
    return [m.group() for m in TOKEN_RE.finditer(text)]


def typed_tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, token)`` pairs, kind one of ``tag``, ``num``, ``word``, ``punct``."""
    return [(m.lastgroup or "punct", m.group()) for m in TOKEN_RE.finditer(text)]


LINK_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[-'’]\w+)*", re.UNICODE)
"""Words (hyphenated ones whole) and numbers: the tokens word links and highlights count."""


@dataclass(frozen=True)
class Token:
    """A word or number of a text, with its offsets and its key (the Snowball stem of the
    lower-cased word, or the digits of a number)."""

    start: int
    stop: int
    text: str
    key: str


def tokens(text: str, lang: str) -> list[Token]:
    """Words and numbers of ``text`` with their offsets and keys."""
    return list(_tokens(text, lang))


@lru_cache(maxsize=4096)
def _tokens(text: str, lang: str) -> tuple[Token, ...]:
    """A lookup tokenises each hit's text up to three times (its spans, its translation,
    the term links): 17% of a 2-word concordance's time at 1M units before this cache."""
    found = list(LINK_TOKEN_RE.finditer(text))
    keys = stem_words([m.group().lower().replace("ё", "е") for m in found], lang)
    return tuple(Token(m.start(), m.end(), m.group(), k) for m, k in zip(found, keys))
