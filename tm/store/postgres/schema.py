"""The PostgreSQL schema, as migrations (the same tables and columns as SQLite's, so a memory
copies either way without loss), and what the text index stores.

The schema version is the row of ``diptych_schema``; each entry of :data:`MIGRATIONS` upgrades
it by one inside a transaction. Never edit a released entry: append one.

``units.en_terms``/``ru_terms`` hold each side's index terms as a ``tsvector`` built here, in
Python, from :func:`tm.text.tokens.fts_text` (the same stems SQLite's FTS5 table indexes, with
their positions), never by a PostgreSQL text-search configuration: both backends then find the
same units, and whatever the Python analysis adds (lemmas of Russian forms) is indexed by both.
``en_len``/``ru_len`` count the tokens for BM25, and ``diptych_state`` keeps the totals BM25
needs plus ``version``, bumped by every write transaction (what ``data_version`` reads).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from tm.text.memo import Memo
from tm.text.tokens import fts_text, words

TOKEN = re.compile(r"[^\W_]+")
"""What SQLite's unicode61 tokenizer keeps of the stems text: letters and digits (an
underscore separates)."""

KEEP = 1000
"""Newest holders of a term that ``term_stats.newest`` keeps (tm.store.postgres.postings):
as many as a lookup ever reads of one term (tm.search.candidates.DF_CAP, the posting lists
most_shared reads), so no lookup needs the GIN index to find a term's newest holders."""
NEWEST = f"ARRAY(SELECT x FROM unnest(ids) AS x ORDER BY x DESC LIMIT {KEEP})"
"""The newest KEEP of ``ids`` (all holders of a term, in any order), highest first."""
BUILD_TERM_STATS = "".join(
    f"""
    INSERT INTO term_stats (side, term, df, newest)
    SELECT '{side}', term, df, {NEWEST} FROM (SELECT term, count(*) AS df, array_agg(id) AS ids
    FROM units, unnest(tsvector_to_array({side}_terms)) AS term GROUP BY term) t;"""
    for side in ("en", "ru"))
"""``term_stats`` built in one pass over ``units`` (into an empty table): the migration that
adds it, a bulk load into an empty memory and ``copy`` end with it. Every holder's id is
gathered unsorted (a hash aggregate) and only a common term's are sorted: sorting all pairs
by (term, id) first took 6.5x as long (200,000 units: 39.5 s against 6.1 s, English side,
on a loaded machine)."""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE diptych_state (
        id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL,
        units bigint NOT NULL, tokens bigint NOT NULL
    );
    INSERT INTO diptych_state VALUES (1, 0, 0, 0);
    CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE documents (
        id bigint PRIMARY KEY,
        title text, url text, date text,
        en_path text, ru_path text, en_sha256 text, ru_sha256 text,
        fingerprint text UNIQUE,
        added text NOT NULL,
        meta text
    );
    CREATE TABLE units (
        id bigint PRIMARY KEY,
        en text NOT NULL, ru text NOT NULL,
        en_lang text NOT NULL DEFAULT 'en', ru_lang text NOT NULL DEFAULT 'ru',
        en_markup text, ru_markup text,
        score double precision,
        origin text NOT NULL CHECK (origin IN ('aligned', 'imported', 'edited')),
        created text NOT NULL, changed text NOT NULL,
        meta text,
        en_key bigint NOT NULL, ru_key bigint NOT NULL,
        en_terms tsvector NOT NULL, ru_terms tsvector NOT NULL,
        en_len int NOT NULL, ru_len int NOT NULL
    );
    CREATE INDEX units_en_key ON units (en_key);
    CREATE INDEX units_ru_key ON units (ru_key);
    CREATE INDEX units_changed ON units (changed);
    CREATE INDEX units_en_terms ON units USING gin (en_terms);
    CREATE INDEX units_ru_terms ON units USING gin (ru_terms);
    CREATE TABLE unit_docs (
        doc_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        position int NOT NULL,
        unit_id bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
        PRIMARY KEY (doc_id, position, unit_id)
    );
    CREATE INDEX unit_docs_unit ON unit_docs (unit_id);
    CREATE TABLE embeddings (
        unit_id bigint PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
        vec bytea NOT NULL
    );
    CREATE TABLE history (
        id bigint PRIMARY KEY,
        unit_id bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
        en text NOT NULL, ru text NOT NULL,
        en_markup text, ru_markup text,
        origin text NOT NULL, changed text NOT NULL,
        edited text NOT NULL
    );
    CREATE INDEX history_unit ON history (unit_id, id);
    CREATE TABLE lexicon (
        en text NOT NULL, ru text NOT NULL, score double precision NOT NULL,
        PRIMARY KEY (en, ru)
    );
    CREATE INDEX lexicon_ru ON lexicon (ru);
    CREATE TABLE unit_links (
        unit_id bigint PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
        links bytea NOT NULL
    );
    CREATE TABLE document_history (
        id bigint PRIMARY KEY,
        doc_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        units text NOT NULL,
        title text, url text, date text,
        replaced text NOT NULL
    );
    CREATE INDEX document_history_doc ON document_history (doc_id, id);
    """,
    """
    -- origin 'translated': a segment confirmed in the desk's translate page (SQLite: migration 5)
    ALTER TABLE units DROP CONSTRAINT units_origin_check;
    ALTER TABLE units ADD CONSTRAINT units_origin_check
        CHECK (origin IN ('aligned', 'imported', 'edited', 'translated'));
    """,
    """
    -- a team on one memory (the same columns and tables as SQLite's migration 6)
    ALTER TABLE units ADD COLUMN version bigint NOT NULL DEFAULT 1;
    ALTER TABLE units ADD COLUMN created_by text;
    ALTER TABLE units ADD COLUMN changed_by text;
    ALTER TABLE history ADD COLUMN changed_by text;
    ALTER TABLE history ADD COLUMN edited_by text;
    ALTER TABLE history ADD COLUMN version bigint;
    ALTER TABLE documents ADD COLUMN version bigint NOT NULL DEFAULT 1;
    ALTER TABLE documents ADD COLUMN changed text;
    ALTER TABLE documents ADD COLUMN changed_by text;
    CREATE TABLE users (
        name text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('reader', 'translator', 'admin')),
        token_sha256 text NOT NULL UNIQUE,
        created text NOT NULL, created_by text
    );
    CREATE TABLE batch_items (
        job text NOT NULL, item int NOT NULL,
        state text NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'failed')),
        host text, worker text, until double precision, finished text, message text,
        PRIMARY KEY (job, item)
    );
    """,
    # index terms: how many units hold each, and which are the newest (tm.store.postgres.terms)
    """
    CREATE TABLE term_stats (
        side text NOT NULL, term text NOT NULL, df bigint NOT NULL, newest bigint[] NOT NULL,
        PRIMARY KEY (side, term)
    );
    -- uncompressed out of line: a commit rewrites the lists of the terms it adds to (a 1,000-id
    -- list is 8 kB), and compressing ids that barely compress made adding 50 units to a 1M
    -- memory spend 1.5-2.5 s on it, against 0.35-0.65 s (a loaded machine)
    ALTER TABLE term_stats ALTER COLUMN newest SET STORAGE EXTERNAL;
    """ + BUILD_TERM_STATS,
)


_POSITIONS = [str(min(i, 16383)) for i in range(16384 + 1)]
"""Each 1-based position as tsvector text (16383 is its highest: later tokens share it)."""
_FIRST_POSITIONS = _POSITIONS[1:257]
"""The positions of a text of at most 256 tokens (:func:`terms`'s short way)."""


def _word_terms(word: str, lang: str) -> tuple[str, ...]:
    return tuple(f"'{t}'" for t in TOKEN.findall(fts_text(word, lang)))


def _chunk_terms(chunk: str, lang: str) -> tuple[str, ...]:
    memo = _WORD_TERMS[lang]
    return tuple(t for w in words(chunk) for t in memo[w])


_WORD_TERMS = {lang: Memo(partial(_word_terms, lang=lang)) for lang in ("en", "ru")}
"""Per language, a word's index terms (its stem cut as SQLite's tokenizer cuts it), quoted as
a tsvector writes them, memoised: a million-unit import analyses tens of millions of words, a
few hundred thousand distinct."""
_CHUNK_TERMS = {lang: Memo(partial(_chunk_terms, lang=lang)) for lang in ("en", "ru")}
"""Per language, the terms of a run of non-space characters ("reported," or "(ТАСС)"), from
:data:`_WORD_TERMS` of its words: looking up the runs ``str.split`` gives costs a third of
finding the words with a regular expression first (a run's words are the text's words there:
a word never holds a space, and the lower case of a letter looks no further than the spaces
around it)."""


def terms(text: str, lang: str) -> tuple[str, int]:
    """A side's ``tsvector`` literal and its number of tokens (:func:`keyed_terms`)."""
    literal, count, _ = keyed_terms(text, lang)
    return literal, count


def keyed_terms(text: str, lang: str) -> tuple[str, int, Iterable[str]]:
    """A side's ``tsvector`` literal (each term with its 1-based positions), its number of
    tokens and its distinct terms, quoted as the literal has them (what a bulk load counts into
    term_stats, tm.store.postgres.postings.Gathered): the terms and positions SQLite's FTS5
    table gets from the same text (its stems, ``fts_text``, cut by :data:`TOKEN`), built word by word from :data:`_WORD_TERMS` (2x
    faster than stemming the text and cutting the result again: 100 -> 45 us for both sides
    of a WMT23 sentence pair, stems memoised either way; then looked up by runs of non-space
    characters, :data:`_CHUNK_TERMS`, the terms kept quoted and the positions of a text of at
    most 256 tokens joined without the caps' checks: 200,000 sides of the bench's synthetic
    units in 4.1 s instead of 7.3, on a loaded machine)."""
    lang = "ru" if lang[:2] == "ru" else "en"
    memo = _CHUNK_TERMS[lang]
    tokens: list[str] = []
    for chunk in text.split():
        tokens += memo[chunk]
    if len(tokens) > len(_FIRST_POSITIONS):
        return _long_terms(tokens), len(tokens), set(tokens)
    where: dict[str, str] = {}
    for token, at in zip(tokens, _FIRST_POSITIONS):
        seen = where.get(token)
        where[token] = at if seen is None else f"{seen},{at}"
    return " ".join([f"{t}:{p}" for t, p in where.items()]), len(tokens), where.keys()


def _long_terms(tokens: list[str]) -> str:
    """:func:`terms`'s literal of a text of over 256 tokens: a term keeps its first 256
    positions (all tsvector keeps), and the tokens past 16383 share that position."""
    where: dict[str, list[str]] = {}
    for position, token in enumerate(tokens, 1):
        at = where.get(token)
        if at is None:
            where[token] = [_POSITIONS[min(position, 16384)]]
        elif len(at) < 256:
            at.append(_POSITIONS[min(position, 16384)])
    return " ".join([f"{t}:{','.join(p)}" for t, p in where.items()])
