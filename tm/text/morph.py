"""Russian word forms for lookups: every form a query word can take, so that a dictionary form
typed ("Ибраев", "медсестра") finds the inflected one stored ("Ибраева", "медсестер").

Snowball cuts endings by rule, so the forms of one word can fall apart into several stems
("Ибраев" -> ибраев, "Ибраева" -> ибра; "медсестра" -> медсестр, "медсестер" -> медсестер):
on 7,000 held-out news units a dictionary form found its inflected unit in the top 5 in 66% of
lookups. Here a query word is expanded instead: the forms of every paradigm pymorphy3
(OpenCorpora's dictionary, with a suffix predictor for words it does not know) gives any parse
of it (all parses: the first parse of an unknown surname is often wrong, "Ибраев" parses first
as the plural genitive of "Ибрай"), plus, for a capitalised word that looks like a Russian
surname (-ов/-ев/-ин and their inflections), the surname paradigm by rule (pymorphy3 parses
"Жапаровой" as an adjective). Their Snowball stems are what the FTS index already holds, so
the index keeps stems and a lookup ORs the stems of the forms (tm.text.query); no lemma is
stored, and any backend that indexes stems finds the same units.

pymorphy3 (with pymorphy3-dicts-ru, 16 MB) is imported on first use and the analyser cached;
the forms of a word are cached too (a lookup analyses each query word once, about 1 ms).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tm.errors import TMError

_FAMILY = {"INFN": "VERB", "ADJS": "ADJF", "COMP": "ADJF", "PRTS": "PRTF"}
"""Parts of speech whose forms belong to one lookup word: a verb's finite forms and its
infinitive, an adjective's long and short forms (participles and gerunds are left out: a verb
has ~75 forms with them, and "заявить" should not find "заявленный")."""
_SURNAME = re.compile(r"^(\w{2,}?)(ов|ев|ин|ын)(?:а|у|ым|ом|е|ой|ою|ы|ых|ыми)?$")
_SURNAME_ENDINGS = ("", "а", "у", "ым", "ом", "е", "ой", "ою", "ы", "ых", "ыми")
"""A Russian surname's forms, masculine and feminine (Иванов, Иванова, Иванову, Ивановым,
Иванове, Ивановой, Ивановою, Ивановы, Ивановых, Ивановыми)."""


_FUNCTION = {"NPRO", "PREP", "CONJ", "PRCL", "INTJ"}
"""Parts of speech whose other forms a lookup does not want: pronouns, prepositions,
conjunctions, particles, interjections ("она" would also look for "неё" and "ней", "с" for
"со"), and the auxiliary "быть" ("был" would look for "есть" and "будут"). They are what fills a 2-word query copied from a text ("она петляет", "позволит и"),
and their forms made its phrase and all-words queries over 1M units about 1.2x slower
(bench/tm.py's concordance of 2 Russian words) while finding nothing a translator asks for."""

_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}
"""A capitalised word that has a proper-noun parse is read as that name only ("Дания" is not
also a form of "дань", whose stem "дан" every "данные" holds)."""


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """pymorphy3's Russian analyser (loaded once, about 0.2 s)."""
    try:
        import pymorphy3  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise TMError("Russian word forms need pymorphy3: pip install pymorphy3"
                      " pymorphy3-dicts-ru") from None
    return pymorphy3.MorphAnalyzer(lang="ru")


def _family(pos: str | None) -> str | None:
    return _FAMILY.get(pos or "", pos)


def _headword(parse: Any) -> bool:
    """Is this parse a form a dictionary lists a word under (a nominative, an infinitive)? A
    word typed in another form ("рекомендую", "Ибраеву") was copied from a text in the form it
    wants, and looking for all its forms made short Russian lookups over 1M units ask the index
    again (auto's 5-word fragments, of which the short ones expand: p95 1.18x the code before
    word forms)."""
    return "nomn" in parse.tag or parse.tag.POS == "INFN"


@lru_cache(maxsize=100_000)
def forms(word: str, capital: bool = False) -> frozenset[str]:
    """Every form (lower case, ``ё`` as ``е``) of the paradigms in which ``word`` (lower case)
    is a dictionary form, ``word`` itself included; ``capital`` adds the surname paradigm when
    the word looks like one. Only those paradigms: "начала" typed is the plural of "начало",
    not also "начать" (of which it is the past tense, no dictionary form), whose forms asked the
    index for 7 phrases instead of 2."""
    out = {word}
    if not re.search(r"[а-я]", word):
        return frozenset(out)
    parses = analyzer().parse(word)
    names = [p for p in parses if _PROPER & set(p.tag.grammemes)] if capital else []
    m = _SURNAME.match(word) if capital else None
    if not (any(_headword(p) for p in names or parses) or m and word.endswith((m[2], m[2] + "а"))):
        return frozenset(out)
    for parse in names or parses:
        if parse.tag.POS in _FUNCTION or parse.normal_form == "быть" or not _headword(parse):
            continue
        family = _family(parse.tag.POS)
        out.update(f.word.replace("ё", "е") for f in parse.lexeme
                   if _family(f.tag.POS) == family)
    if m:
        out.update(m[1] + m[2] + end for end in _SURNAME_ENDINGS)
    return frozenset(out)
