"""Text helpers shared by the store and the lookups: tokens, Snowball stems, language guess.

Stems feed the FTS5 index (concordance and fuzzy candidates), so "мигрант" finds "мигрантов" and
"migrant" finds "migrants". ``ё`` is folded to ``е`` before stemming.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from tm.text.memo import Memo

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


def _stem_memo(lang: str) -> Memo[str, str]:
    """Memoised stems of one language (a dict hit is much cheaper than a Snowball call)."""
    return Memo(lambda word: str(_stemmer(lang).stemWord(word)))


_STEMS = {"en": _stem_memo("en"), "ru": _stem_memo("ru")}


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


def _chunk_memo(lang: str) -> Memo[str, str]:
    """Memoised stems of runs of non-space characters ("reported," or "(ТАСС)") of one
    language, space separated: a run's words are the text's words there (a word never holds
    a space, and the lower case of a letter looks no further than the spaces around it)."""
    return Memo(lambda chunk: " ".join(stems(chunk, lang)))


_CHUNKS = {"en": _chunk_memo("en"), "ru": _chunk_memo("ru")}


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


class Token(NamedTuple):
    """A word or number of a text, with its offsets and its key (the Snowball stem of the
    lower-cased word, or the digits of a number)."""

    start: int
    stop: int
    text: str
    key: str


def tokens(text: str, lang: str) -> list[Token]:
    """Words and numbers of ``text`` with their offsets and keys."""
    return list(map(Token._make, _token_fields(text, lang)))


@lru_cache(maxsize=128)
def _token_fields(text: str, lang: str) -> tuple[tuple[int, int, str, str], ...]:
    """A lookup tokenises each hit's text up to three times (its spans, its translation,
    the term links): 17% of a 2-word concordance's time at 1M units before this cache.

    What the garbage collector scans decided its form. 4,096 texts' Token objects (75,000 over
    400 auto lookups at 1M units) stayed tracked: the collector ran 166 times in those lookups
    instead of 7, two full passes of 49 and 106 ms among them, and the slowest 5% of lookups
    paid for it. So the cache holds plain tuples of ints and strings, which the collector stops
    tracking once it has seen them, and only 128 texts, one lookup's hits: over 600 lookups
    (auto sentences, auto 5-word and 2-word concordance in Russian) it hits 4,011 times against
    4,729 with 4,096 texts, and the collector's time falls from 324 to 47 ms. Turning the fields
    into Tokens costs what cached Tokens did (11.6 against 11.4 us a call)."""
    found = list(LINK_TOKEN_RE.finditer(text))
    keys = stem_words([m.group().lower().replace("ё", "е") for m in found], lang)
    return tuple((m.start(), m.end(), m.group(), k) for m, k in zip(found, keys))
