"""A lookup's query, analysed once: every mode of a lookup reads this one value.

>>> q = Query.of("Таалайбек Ибраев", "ru")
>>> q.stems                        # Snowball cuts "-ев" off the dictionary form
('таалайбек', 'ибра')
>>> "ибраев" in q.forms[1]         # the stem of "Ибраева", the surname's genitive
True

Before, the query was tokenised and stemmed afresh by each mode (exact, its parts, fuzzy
candidates, the concordance plan, highlighting, translation: 14 times in one auto lookup).
``words``/``stems`` are what the FTS index holds (tm.text.tokens.fts_text); ``tokens`` are
the words and numbers with offsets that highlighting and term links count; ``forms`` and
``token_forms`` hold, for each of them, the Snowball stems of every form the word can take
(tm.text.morph for Russian; the stem alone for English, whose Snowball stems already join a
word's forms), so a dictionary form finds the inflected words and highlights them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tm.text.numbers import Amount, amounts
from tm.text.tokens import WORD_RE, Token, detect_lang, stem_words, tokens, words

EXPAND_WORDS = 3
"""Longest query (in words) whose words stand for all their forms. A dictionary form is typed
as a name or a short term (the 161 queries of bench/ru_forms.py have 1-2 words); a longer query
is copied from a text, in the forms it wants. Expanding one costs most: a 5-word Russian
fragment ORs up to 64 phrases into the index query, and FTS5's BM25 reads each phrase over the
whole index (auto on 5-word fragments over 1M units, bench/tm.py --scale-only: p95 258 ms
expanded, 64 ms on the stems as typed); its stems as typed find and highlight what they did."""


@dataclass(frozen=True)
class Query:
    """One query: its text (stripped), language, whether it was quoted (a concordance
    query in double quotes asks for the phrase alone), and its analysis."""

    text: str
    lang: str
    quoted: bool
    words: tuple[str, ...]
    stems: tuple[str, ...]
    tokens: tuple[Token, ...]

    @classmethod
    def of(cls, text: str, lang: str | None = None) -> Query:
        """Analyse ``text`` (in ``lang``, detected when None)."""
        text = text.strip()
        lang = (lang or detect_lang(text))[:2]
        quoted = len(text) > 1 and text[0] == text[-1] == '"'
        ws = words(text)
        return cls(text, lang, quoted, tuple(ws), tuple(stem_words(ws, lang)),
                   tuple(tokens(text.strip('"'), lang)))

    @property
    def phrase(self) -> str:
        """The words looked for: the text without its quotes."""
        return self.text.strip('"')

    @cached_property
    def forms(self) -> tuple[frozenset[str], ...]:
        """For each of :attr:`words`: the stems of every form of it (FTS alternatives)."""
        if not self.expands:
            return tuple(frozenset([s]) for s in self.stems)
        capitals = [w[:1].isupper() for w in WORD_RE.findall(self.text)]
        return tuple(_form_stems(w, self.lang, c) for w, c in zip(self.words, capitals))

    @cached_property
    def token_forms(self) -> tuple[frozenset[str], ...]:
        """For each of :attr:`tokens`: the stems of every form of it (what a text's token
        key must be one of to count as this word: highlighting, phrase tests)."""
        if not self.expands:
            return tuple(frozenset([t.key]) for t in self.tokens)
        return tuple(_form_stems(t.text.lower().replace("ё", "е"), self.lang,
                                 t.text[:1].isupper()) | {t.key} for t in self.tokens)

    @property
    def expands(self) -> bool:
        """Do the words stand for their other forms (Russian, up to :data:`EXPAND_WORDS`
        words)? English Snowball stems already join a word's forms."""
        return self.lang == "ru" and len(self.words) <= EXPAND_WORDS

    @cached_property
    def numbers(self) -> tuple[Amount, ...]:
        """The amounts and dates in the query (tm.text.numbers)."""
        return tuple(amounts(self.text, self.lang))

    def matches(self, i: int, token: Token) -> bool:
        """Is ``token`` (of a stored text) a form of the query's ``i``-th token?"""
        return token.key in self.token_forms[i]


def _form_stems(word: str, lang: str, capital: bool) -> frozenset[str]:
    if lang != "ru" or word.isdigit():
        return frozenset(stem_words([word], lang))
    from tm.text.morph import forms

    return frozenset(stem_words(sorted(forms(word, capital)), lang))
