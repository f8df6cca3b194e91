"""PostgreSQL: ``term_stats``, per side and index term, how many units hold it (``df``) and the
ids of the newest :data:`~tm.store.postgres.schema.KEEP` of them (``newest``, highest first),
kept exact by every write transaction.

Why: the GIN index of the tsvectors answers "which units hold this term" as a bitmap of heap
rows, so counting a term's units, or finding its 1,000 newest holders, visits one heap page
per holder (1,000-55,000 pages for a word of a fuzzy lookup at a million units: 100-370 ms
a lookup, measured), where FTS5 reads its posting lists in id order and stops. Here the same
answers are one primary-key read: ``df`` is what FTS5 counts (min(df, cap)), ``newest`` what
it reads first (``ORDER BY rowid DESC LIMIT``), so both backends pick the same candidates.

A term whose ``newest`` holds all its units (``df <= KEEP``) is *complete*: a query needing
it matches only units among those ids (tm.store.postgres.fulltext narrows its GIN lookups so).

Upkeep: the units a transaction adds or edits are noted (:meth:`PgPostings.note`) and counted
in one statement before its commit (:meth:`PgPostings.flush`); a unit deleted or edited is
taken out at once (:meth:`PgPostings.forget`), and a term left with fewer than ``KEEP`` ids of
more is topped up from the GIN index. A bulk load into an empty memory builds the table in one
pass at its end (:meth:`PgPostings.rebuild`, schema.BUILD_TERM_STATS).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tm.store.postgres.schema import BUILD_TERM_STATS, KEEP, NEWEST

if TYPE_CHECKING:
    import psycopg

SIDES = ("en", "ru")

_TERMS_OF = " UNION ALL ".join(
    f"SELECT '{s}' AS side, term, id FROM units, unnest(tsvector_to_array({s}_terms)) AS term"
    " WHERE id = ANY(%(ids)s)" for s in SIDES)
"""``(side, term, unit id)`` of the units ``ids``: what they add to (or take from) the table."""

_ADD = f"""
INSERT INTO term_stats AS s (side, term, df, newest)
SELECT side, term, df, {NEWEST} FROM (SELECT side, term, count(*) AS df, array_agg(id) AS ids
FROM ({_TERMS_OF}) t GROUP BY side, term) n
ON CONFLICT (side, term) DO UPDATE SET df = s.df + excluded.df,
    newest = CASE WHEN cardinality(s.newest) = 0
                  OR excluded.newest[cardinality(excluded.newest)] > s.newest[1]
             THEN (excluded.newest || s.newest)[1:{KEEP}]
             ELSE ARRAY(SELECT x FROM unnest(excluded.newest || s.newest) AS x
                        ORDER BY x DESC LIMIT {KEEP}) END
"""
"""Count the units ``ids`` in (new ids above all kept ones, the usual case, go in front)."""

_FORGET = f"""
UPDATE term_stats AS s SET df = s.df - d.n,
    newest = ARRAY(SELECT x FROM unnest(s.newest) AS x WHERE x <> ALL(d.ids))
FROM (SELECT side, term, count(*) AS n, array_agg(id) AS ids FROM ({_TERMS_OF}) t
      GROUP BY side, term) d
WHERE s.side = d.side AND s.term = d.term
RETURNING s.side, s.term, s.df, cardinality(s.newest)
"""
"""Take the units ``ids`` out (before their rows go or change); what each term is left with."""


class Gathered:
    """``term_stats`` of a bulk load into an empty memory, gathered as its units go in (their
    ids rising): per side and term, the holders seen, the oldest dropped once a list passes
    twice :data:`KEEP`. The importer's Python has each unit's terms at hand, so this costs it
    about 2.3 s per 200,000 units, where building the table from ``units`` after the load kept
    the server alone busy for 5.5 s per 200,000 units at the import's end (load 3; 22-25 s on
    a loaded machine, ``work_mem`` changing nothing). (A Counter and bounded deques, the loops
    in C, took 3.9 s: too many calls for a unit's 15 terms.)"""

    def __init__(self) -> None:
        self.sides: dict[str, dict[str, list[int]]] = {"en": {}, "ru": {}}
        """Per side, quoted term -> [holders dropped, their ids oldest first...]."""
        self.last = 0
        self.broken = False
        """Set when what was gathered no longer tells the table: a unit came with a lower id
        than one counted, or a gathered unit was edited or deleted (the build from ``units``
        then runs instead)."""

    def add(self, unit_id: int, en: Iterable[str], ru: Iterable[str]) -> None:
        """Count a new unit's distinct terms in (see :attr:`broken`)."""
        if self.broken or unit_id <= self.last:
            self.broken = True
            return
        self.last = unit_id
        for terms, held in ((en, self.sides["en"]), (ru, self.sides["ru"])):
            for term in terms:
                ids = held.get(term)
                if ids is None:
                    held[term] = [0, unit_id]
                    continue
                ids.append(unit_id)
                if len(ids) > 2 * KEEP + 1:
                    ids[0] += len(ids) - 1 - KEEP
                    del ids[1:len(ids) - KEEP]

    def rows(self) -> Iterator[tuple[str, str, int, list[int]]]:
        """``(side, term, df, newest)`` as BUILD_TERM_STATS makes them."""
        for side, held in self.sides.items():
            for term, ids in held.items():
                yield side, term[1:-1], ids[0] + len(ids) - 1, ids[:0:-1][:KEEP]


class PgPostings:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.pending: set[int] = set()
        """Units the open transaction added or edited, counted by :meth:`flush`."""

    def reset(self) -> None:
        """A transaction begins: nothing noted (a rolled-back one's notes are void)."""
        self.pending = set()

    def note(self, ids: Iterable[int]) -> None:
        self.pending.update(ids)

    def flush(self) -> None:
        """Before the commit: count the noted units in."""
        if self.pending:
            self.conn.execute(_ADD, {"ids": sorted(self.pending)})
        self.pending = set()

    def rebuild(self, gathered: Gathered | None = None) -> None:
        """The whole table from ``units``, in one pass (after a bulk load or a copy), or from
        what a bulk load ``gathered`` (the same rows, written by COPY)."""
        self.conn.execute("TRUNCATE term_stats")
        if gathered is None or gathered.broken:
            self.conn.execute(BUILD_TERM_STATS)
        else:
            with self.conn.cursor() as cur, cur.copy(
                    "COPY term_stats (side, term, df, newest) FROM STDIN") as copy:
                for side, term, df, newest in gathered.rows():
                    copy.write_row((side, term, df, "{" + ",".join(map(str, newest)) + "}"))
        self.pending = set()

    def forget(self, ids: Iterable[int]) -> None:
        """Take units out before they are deleted or their text changes (units noted in this
        transaction were not counted yet: they only leave the notes)."""
        ids = set(ids)
        counted = sorted(ids - self.pending)
        self.pending -= ids
        if not counted:
            return
        left = self.conn.execute(_FORGET, {"ids": counted}).fetchall()
        with self.conn.cursor() as cur:
            cur.executemany("DELETE FROM term_stats WHERE side = %s AND term = %s",
                            [(side, term) for side, term, df, _ in left if df <= 0])
        for side, term in [(s, t) for s, t, df, kept in left if 0 < df and kept < min(df, KEEP)]:
            self._top_up(side, term, counted)

    def _top_up(self, side: str, term: str, gone: Sequence[int]) -> None:
        """Refill ``newest`` of a term that lost ids while it had more holders than it keeps:
        the next holders below its lowest kept id, from the text index (``gone``: units on
        their way out, not counted)."""
        row = self.conn.execute("SELECT newest FROM term_stats WHERE side = %s AND term = %s",
                                (side, term)).fetchone()
        kept = list(row[0]) if row else []
        below = kept[-1] if kept else 2**63 - 1
        more = [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM units WHERE {side}_terms @@ %s::tsquery AND id < %s AND"
            " id <> ALL(%s) ORDER BY id DESC LIMIT %s",
            (_literal(term), below, list(gone), KEEP - len(kept)))]
        self.conn.execute("UPDATE term_stats SET newest = newest || %s::bigint[] WHERE side = %s"
                          " AND term = %s", (more, side, term))

    # ------------------------------------------------------------------ reads
    def df(self, side: str, terms: Sequence[str]) -> dict[str, int]:
        """How many units hold each of ``terms`` (0 for one no unit holds)."""
        out = dict.fromkeys(terms, 0)
        out.update((str(t), int(n)) for t, n in self.conn.execute(
            "SELECT term, df FROM term_stats WHERE side = %s AND term = ANY(%s)",
            (side, list(out))))
        return out

    def newest(self, side: str, terms: Sequence[str], n: int
               ) -> dict[str, tuple[int, list[int]]]:
        """``{term: (df, ids of its newest n holders, highest first)}`` (terms no unit holds
        left out); n at most :data:`KEEP`."""
        return {str(t): (int(df), [int(i) for i in ids]) for t, df, ids in self.conn.execute(
            "SELECT term, df, newest[1:%s] FROM term_stats WHERE side = %s AND term = ANY(%s)",
            (n, side, list(dict.fromkeys(terms))))}

    def complete(self, side: str, terms: Sequence[str]) -> dict[str, set[int] | None]:
        """Every holder of each of ``terms`` held by at most :data:`KEEP` units (an empty set
        for one no unit holds); None for the others."""
        out: dict[str, set[int] | None] = {t: set() for t in terms}
        for t, ids in self.conn.execute(
                "SELECT term, CASE WHEN df <= %s THEN newest END FROM term_stats"
                " WHERE side = %s AND term = ANY(%s)", (KEEP, side, list(out))):
            out[str(t)] = None if ids is None else {int(i) for i in ids}
        return out

    def most_shared(self, side: str, terms: Sequence[str], per_term: int,
                    limit: int) -> list[int]:
        """FTS5's most_shared (tm.store.sqlite.fulltext) from the kept ids: the units among
        each term's ``per_term`` newest holders that hold the most of ``terms``, then newest."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM term_stats, unnest(newest[1:%s]) AS id WHERE side = %s AND"
            " term = ANY(%s) GROUP BY id ORDER BY count(*) DESC, id DESC LIMIT %s",
            (per_term, side, list(dict.fromkeys(terms)), limit))]


def _literal(term: str) -> str:
    """A term as a one-term tsquery literal."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
