"""PostgreSQL: ``units`` (with each side's index terms) and their links to documents; ONE
insert path, the same rules as SQLite's (tm.store.sqlite.units)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tm.store.interface import Inserted
from tm.store.postgres.postings import Gathered, PgPostings
from tm.store.postgres.schema import keyed_terms, terms
from tm.store.rows import UNIT_SELECT, Key, iter_units, new_row, place_units, unit_of
from tm.store.types import MAX_SEGMENT, Unit, UnitIn, text_key

if TYPE_CHECKING:
    import psycopg

_DOCS = ("(SELECT coalesce(json_agg(json_build_array(doc_id, position) ORDER BY doc_id,"
         " position), '[]') FROM unit_docs l WHERE l.unit_id = u.id)")
_COPY = ("COPY units (id, en, ru, en_lang, ru_lang, en_markup, ru_markup, score, origin,"
         " created, changed, meta, en_key, ru_key, created_by, changed_by, en_terms, ru_terms,"
         " en_len, ru_len) FROM STDIN")
"""New units go in by ``COPY`` (the tsvector literals parsed by the server as they are): a
million-unit TMX import spent most of its time in row-by-row ``INSERT``s before."""
BIGINT = 2**63
TEXT_INDEXES = ("units_en_terms", "units_ru_terms")
"""The GIN indexes of the tsvectors (tm.store.postgres.schema). A bulk load into an empty
memory drops them and builds them once at its end: 100,000 units' two indexes build in 4 s,
where row-by-row upkeep through GIN's pending list cost the load much more."""
ANALYZE_AFTER = 10_000
"""Units a transaction adds from which it refreshes the planner's statistics of ``units``
before it commits (``ANALYZE``, about a second at a million units). Without them, right after
a bulk import, the planner guesses how many rows a word's tsquery matches, and the lookups'
``ORDER BY id DESC LIMIT`` may walk the primary key backwards filtering every row."""
BULK_LINKS = 500
"""Links from which a batch goes in by ``COPY`` into a staging table (then one ``INSERT ... ON
CONFLICT DO NOTHING``) rather than row by row."""


def index_row(en: str, ru: str, unit_id: int = 0,
              gather: Gathered | None = None) -> tuple[str, str, int, int]:
    """``(en_terms, ru_terms, en_len, ru_len)`` of a text (its terms counted into ``gather``
    for unit ``unit_id`` when given)."""
    if gather is None:
        (en_terms, en_len), (ru_terms, ru_len) = terms(en, "en"), terms(ru, "ru")
        return en_terms, ru_terms, en_len, ru_len
    (en_terms, en_len, en_keys), (ru_terms, ru_len, ru_keys) = (
        keyed_terms(en, "en"), keyed_terms(ru, "ru"))
    gather.add(unit_id, en_keys, ru_keys)
    return en_terms, ru_terms, en_len, ru_len


class PgUnits:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.added = 0
        """Units inserted by the open transaction (tm.store.postgres.store analyses the
        table before a commit that added many)."""
        self.deferred = False
        """Whether the open transaction dropped the text indexes for a bulk load into an
        empty memory (:meth:`finish`, before its commit, builds them again)."""
        self.postings = PgPostings(conn)
        """``term_stats``, kept up to date with the units' terms."""
        self.gathered: Gathered | None = None
        """``term_stats`` of the open transaction's bulk load (:attr:`deferred`), gathered as
        its units went in, which :meth:`finish` writes."""

    def _tokens(self, delta: int, count: int) -> None:
        """Keep the totals BM25 reads (tm.store.postgres.fulltext) up to date."""
        if delta or count:
            self.conn.execute("UPDATE diptych_state SET tokens = tokens + %s, units = units + %s",
                              (delta, count))

    def insert(self, buf: Sequence[tuple[int, UnitIn]], document: int | None, origin: str,
               stamp: str) -> Inserted:
        conn = self.conn
        keys = list({text_key(u.en.strip()) for _, u in buf})
        known: dict[Key, int] = {
            (en, ru, em, rm): int(i) for i, en, ru, em, rm in conn.execute(
                "SELECT id, en, ru, en_markup, ru_markup FROM units WHERE en_key = ANY(%s)",
                (keys,))}
        row = conn.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()
        next_id = int(row[0] if row else 0) + 1
        empty = next_id == 1
        wanted = [u.id for _, u in buf if u.id is not None]
        taken = {int(r[0]) for r in conn.execute(
            "SELECT id FROM units WHERE id = ANY(%s)", (wanted,))} if wanted else set()
        new_units: list[tuple[Any, ...]] = []
        tokens = 0
        gather = self.gathered if self.deferred else Gathered() if empty else None

        def new(unit_id: int, en: str, ru: str, u: UnitIn) -> None:
            nonlocal tokens
            extra = index_row(en, ru, unit_id, gather)
            tokens += extra[2] + extra[3]
            new_units.append((*new_row(unit_id, en, ru, u, origin, stamp), *extra))

        out, scores, links = place_units(buf, document, known, taken, next_id, new)
        self._write(new_units, scores, links, empty=empty)
        if self.deferred and self.gathered is None:
            self.gathered = gather  # this batch began the bulk load
        if not self.deferred:
            self.postings.note(unit[0] for unit in new_units)
        self._tokens(tokens, len(new_units))
        self.added += len(new_units)
        return out

    def _write(self, new_units: list[tuple[Any, ...]], scores: list[tuple[float, int, float]],
               links: list[tuple[int, int, int]], *, empty: bool) -> None:
        """New units by ``COPY`` (the text indexes dropped first for a bulk load into an
        ``empty`` memory), better scores, and document links."""
        conn = self.conn
        if empty and len(new_units) >= BULK_LINKS and not self.deferred:
            for index in TEXT_INDEXES:  # transactional DDL: a rollback brings them back
                conn.execute(f"DROP INDEX IF EXISTS {index}")
            self.deferred = True
        with conn.cursor() as cur:
            if new_units:
                with cur.copy(_COPY) as copy:
                    for unit in new_units:
                        copy.write_row(unit)
            cur.executemany("UPDATE units SET score = %s WHERE id = %s AND (score IS NULL OR"
                            " score < %s)", scores)
            if len(links) < BULK_LINKS:
                cur.executemany("INSERT INTO unit_docs (doc_id, position, unit_id) VALUES"
                                " (%s, %s, %s) ON CONFLICT DO NOTHING", links)
            else:  # a TMX import links every unit to the file's document: COPY, then one insert
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS unit_docs_in (doc_id bigint,"
                             " position int, unit_id bigint) ON COMMIT DELETE ROWS")
                with cur.copy("COPY unit_docs_in FROM STDIN") as copy:
                    for link in links:
                        copy.write_row(link)
                cur.execute("INSERT INTO unit_docs SELECT * FROM unit_docs_in ON CONFLICT DO"
                            " NOTHING")
                cur.execute("TRUNCATE unit_docs_in")

    def finish(self) -> None:
        """Before the commit of a transaction: the text indexes a bulk load dropped, built in
        one pass (with ``maintenance_work_mem`` for the whole build); the planner's statistics
        after many new units."""
        if self.deferred:
            self.conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for index in TEXT_INDEXES:
                side = index.split("_")[1]
                self.conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON units USING gin"
                                  f" ({side}_terms)")
            self.conn.execute("RESET maintenance_work_mem")
            self.postings.rebuild(self.gathered)  # the memory was empty: every unit is new
        else:
            self.postings.flush()
        if self.added >= ANALYZE_AFTER:
            self.conn.execute("ANALYZE units")
        self.deferred, self.added, self.gathered = False, 0, None

    def metas(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = [i for i in dict.fromkeys(ids) if 0 < i < BIGINT]
        if not wanted:
            return {}
        return {int(i): json.loads(m) if m else {} for i, m in self.conn.execute(
            "SELECT id, meta FROM units WHERE id = ANY(%s)", (wanted,))}

    def set_metas(self, updates: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany("UPDATE units SET meta = %s WHERE id = %s", [
                (json.dumps(meta, ensure_ascii=False) if meta else None, unit_id)
                for unit_id, meta in updates])

    def get(self, ids: Iterable[int]) -> dict[int, Unit]:
        wanted = [i for i in dict.fromkeys(ids) if 0 < i < BIGINT]
        if not wanted:  # no round trip for nothing (a lookup asks for none often)
            return {}
        out = {int(r[0]): unit_of(r) for r in self.conn.execute(
            f"SELECT {UNIT_SELECT}, {_DOCS} FROM units u WHERE u.id = ANY(%s)", (wanted,))}
        return {i: out[i] for i in wanted if i in out}

    def iter(self, doc: int | None, since: str | None, min_score: float | None, *,
             with_docs: bool, batch: int) -> Iterator[Unit]:
        return iter_units(self.conn, "%s", _DOCS, doc, since, min_score,
                          with_docs=with_docs, batch=batch)

    def count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM units").fetchone()
        return int(row[0]) if row else 0

    def find_exact(self, text: str, side: str) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM units WHERE {side}_key = %s AND {side} = %s ORDER BY id",
            (text_key(text), text))]

    def texts(self, ids: Sequence[int], side: str) -> dict[int, str]:
        wanted = [i for i in ids if 0 < i < BIGINT]
        if not wanted:
            return {}
        return {int(i): str(t) for i, t in self.conn.execute(
            f"SELECT id, {side} FROM units WHERE id = ANY(%s) AND length({side}) <= {MAX_SEGMENT}",
            (wanted,))}

    def holder(self, en: str, ru: str, en_markup: str | None, ru_markup: str | None,
               besides: int) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM units WHERE en_key = %s AND ru_key = %s AND en = %s AND ru = %s"
            " AND en_markup IS NOT DISTINCT FROM %s AND ru_markup IS NOT DISTINCT FROM %s"
            " AND id != %s", (text_key(en), text_key(ru), en, ru, en_markup, ru_markup,
                              besides)).fetchone()
        return None if row is None else int(row[0])

    def bump(self, old: Unit, stamp: str, by: str) -> bool:
        return self.conn.execute(
            "UPDATE units SET version = version + 1, changed = %s, changed_by = %s"
            " WHERE id = %s AND version = %s",
            (stamp, by, old.id, old.version)).rowcount == 1

    def set_text(self, old: Unit, en: str, ru: str, en_markup: str | None,
                 ru_markup: str | None, origin: str, changed: str, by: str) -> bool:
        """False (nothing changed) when the unit is no longer at ``old.version``."""
        if self.gathered is not None:  # what the bulk load gathered no longer holds
            self.gathered.broken = True
        en_terms, ru_terms, en_len, ru_len = index_row(en, ru)
        row = self.conn.execute("SELECT en_len + ru_len FROM units WHERE id = %s AND"
                                " version = %s", (old.id, old.version)).fetchone()
        if row is None:
            return False
        self.postings.forget([old.id])
        cur = self.conn.execute(
            "UPDATE units SET en = %s, ru = %s, en_markup = %s, ru_markup = %s, origin = %s,"
            " changed = %s, en_key = %s, ru_key = %s, en_terms = %s::tsvector,"
            " ru_terms = %s::tsvector, en_len = %s, ru_len = %s, changed_by = %s,"
            " version = version + 1 WHERE id = %s AND version = %s",
            (en, ru, en_markup, ru_markup, origin, changed, text_key(en), text_key(ru), en_terms,
             ru_terms, en_len, ru_len, by, old.id, old.version))
        if cur.rowcount != 1:
            return False
        self.postings.note([old.id])
        self._tokens(en_len + ru_len - int(row[0] if row else 0), 0)
        self.conn.execute("DELETE FROM embeddings WHERE unit_id = %s", (old.id,))
        self.conn.execute("DELETE FROM unit_links WHERE unit_id = %s", (old.id,))
        return True

    def delete(self, units: Iterable[Unit]) -> int:
        ids = [u.id for u in units]
        if self.gathered is not None:
            self.gathered.broken = True
        self.postings.forget(ids)
        row = self.conn.execute("SELECT coalesce(sum(en_len + ru_len), 0), count(*) FROM units"
                                " WHERE id = ANY(%s)", (ids,)).fetchone()
        self.conn.execute("DELETE FROM units WHERE id = ANY(%s)", (ids,))
        self._tokens(-int(row[0] if row else 0), -int(row[1] if row else 0))
        return len(ids)

    def unlinked(self, ids: Iterable[int]) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM units u WHERE id = ANY(%s) AND NOT EXISTS"
            " (SELECT 1 FROM unit_docs l WHERE l.unit_id = u.id) ORDER BY id",
            (sorted(set(ids)),))]

    def newest(self, limit: int) -> list[tuple[int, str, str]]:
        return [(int(i), str(e), str(r)) for i, e, r in self.conn.execute(
            "SELECT id, en, ru FROM units ORDER BY id DESC LIMIT %s", (limit,))]
