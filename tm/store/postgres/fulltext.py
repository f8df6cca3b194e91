"""PostgreSQL: full-text lookups over ``units.en_terms``/``ru_terms`` (GIN-indexed tsvectors of
the same stems SQLite's FTS5 table holds), answering the FTS5 expressions the lookups build
(tm.store.interface) with the same units in the same order.

An expression becomes a ``tsquery``: a quoted phrase ``'a' <-> 'b'``, ``AND`` ``&``, ``OR``
``|``. ``NEAR(... , n)`` has no tsquery form: its terms are ANDed in the query and the rows
are kept whose positions put them within ``n`` tokens of each other (FTS5's rule), read from
the row's tsvector. :meth:`PgFullText.ranked` scores with FTS5's own BM25 (k1 1.2, b 0.75,
the IDF floor 1e-6, row length over both sides), from the totals ``diptych_state`` keeps.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tm.errors import TMError
from tm.store.interface import fts_quote
from tm.store.postgres.postings import PgPostings
from tm.store.postgres.schema import KEEP, TOKEN

if TYPE_CHECKING:
    import psycopg

_LEX = re.compile(r'\s*(?:"((?:[^"]|"")*)"|(NEAR\()|(\()|(\))|,\s*(\d+)\s*\)|(AND|OR)\b'
                  r'|([^\s"(),]+))')
K1, B = 1.2, 0.75
NEAR_DEFAULT = 10  # FTS5's distance when NEAR(...) gives none
STATS_SECONDS = 300.0
"""How long a process trusts the term statistics it read (they change only when the table is
analysed: after a bulk load, or by autovacuum)."""
SURE = 3
"""How many times a count's cap the statistics must put a word at before the count is skipped:
their share comes from a sample of 30,000 rows, so a word put at 3,000 of a million rows holds
more than 1,000 but for a stale sample."""
WALK_FROM = 10_000
"""Rows from which a lookup may walk the primary key for a common match (:meth:`PgFullText._walk`);
in a smaller table the GIN index is always quick."""
NARROW = 500
"""Most units a lookup's rare terms may leave for it to read by primary key (:meth:`PgFullText._narrow`)
rather than match from the GIN index."""
INDEX_WORDS = 3
"""Most terms of a conjunction a GIN lookup reads posting lists of (:meth:`PgFullText._by_index`)."""
EXACT_HITS = 2_000
"""Rows holding a phrase counted exactly for its BM25 weight (:meth:`PgFullText._hits`): a
memory where no phrase is that common ranks exactly as FTS5 does."""


@dataclass
class Query:
    """An FTS5 expression as a tsquery, its phrases (BM25 scores each) and NEAR groups."""

    tsquery: str
    phrases: list[list[str]] = field(default_factory=list)
    near: list[tuple[list[list[str]], int]] = field(default_factory=list)


def _phrase(text: str) -> str:
    tokens = TOKEN.findall(text.replace('""', '"').lower())
    return " <-> ".join(f"'{t}'" for t in tokens) if tokens else "''"


def parse(expr: str) -> Query:
    """The tsquery of an expression of the subset the lookups build (see the module)."""
    q = Query("")
    out: list[str] = []
    pos = 0
    group: list[list[str]] | None = None
    while pos < len(expr.rstrip()):
        m = _LEX.match(expr, pos)
        if m is None:
            raise TMError(f"unsupported full-text expression {expr[pos:pos + 40]!r}")
        pos = m.end()
        phrase, near, opening, closing, distance, op, bare = m.groups()
        if bare is not None:  # a bare word: a phrase of one
            phrase = bare
        if phrase is not None:
            tokens = TOKEN.findall(phrase.replace('""', '"').lower())
            q.phrases.append(tokens)
            if group is not None:
                group.append(tokens)
                out.append(("& " if len(group) > 1 else "") + _phrase(phrase))
                continue
            if out and out[-1] not in ("&", "|", "("):
                out.append("&")  # FTS5: juxtaposed phrases are ANDed
            out.append(f"({_phrase(phrase)})")
        elif near:
            group = []
            out.append("(")
        elif opening:
            out.append("(")
        elif closing or distance is not None:
            if group is not None:
                q.near.append((group, NEAR_DEFAULT if distance is None else int(distance)))
                group = None
            out.append(")")
        else:
            out.append("&" if op == "AND" else "|")
    q.tsquery = " ".join(out)
    return q


def positions(tsvector: str) -> dict[str, list[int]]:
    """``{term: positions}`` from a tsvector's text (``'a':1,4 'b':2``)."""
    return {m.group(1): [int(p) for p in m.group(2).split(",")]
            for m in re.finditer(r"'([^']*)':([\d,]+)", tsvector)}


def starts(where: dict[str, list[int]], phrase: list[str]) -> list[int]:
    """Where each instance of ``phrase`` starts."""
    if not phrase:
        return []
    rest = [set(where.get(t, ())) for t in phrase[1:]]
    return [p for p in where.get(phrase[0], ())
            if all(p + k + 1 in s for k, s in enumerate(rest))]


def near_holds(where: dict[str, list[int]], group: list[list[str]], distance: int) -> bool:
    """FTS5's NEAR: one instance of each phrase, with at most ``distance`` tokens between
    them in all."""
    found = [starts(where, p) for p in group]
    if not all(found):
        return False
    size = sum(len(p) for p in group)
    for combo in itertools.islice(itertools.product(*found), 10_000):
        ends = [s + len(p) - 1 for s, p in zip(combo, group)]
        if max(ends) - min(combo) + 1 - size <= distance:
            return True
    return False


Tree = tuple[str, list[Any]]
"""A parsed expression: ``("or" | "and", [Tree...])`` or ``("terms", [term...])`` (a phrase:
a unit matching it holds every one of its terms)."""


def _tree(expr: str) -> Tree:
    """The expression as a tree (FTS5's precedence: AND binds tighter than OR); NEAR's
    phrases are ANDed (what it needs of a unit's terms)."""
    items = [m.groups() for m in _LEX.finditer(expr) if any(g is not None for g in m.groups())]
    pos = 0

    def alternatives() -> Tree:
        nonlocal pos
        branches = [conjunction()]
        while pos < len(items) and items[pos][5] == "OR":
            pos += 1
            branches.append(conjunction())
        return ("or", branches) if len(branches) > 1 else branches[0]

    def conjunction() -> Tree:
        nonlocal pos
        parts: list[Tree] = []
        while pos < len(items) and items[pos][3] is None and items[pos][4] is None \
                and items[pos][5] != "OR":
            phrase, near, opening, _, _, op, bare = items[pos]
            pos += 1
            if op == "AND":
                continue
            if phrase is not None or bare is not None:
                text = phrase if phrase is not None else bare
                parts.append(("terms", TOKEN.findall((text or "").replace('""', '"').lower())))
            elif near or opening:
                parts.append(alternatives())
                pos += 1  # its closing ")" or ", n)"
        return ("and", parts) if len(parts) != 1 else parts[0]

    return alternatives()


def _held(col: str, terms: str = "%s") -> str:
    """SQL of the text of the part of tsvector ``col`` that holds ``terms`` (an array
    parameter: a query's terms), positions only: what BM25 and NEAR read of a row, a
    fraction of the row's whole vector to send and parse (300 rows a concordance tier)."""
    return f"setweight(ts_filter(setweight({col}, 'A', {terms}), '{{a}}'), 'D')::text"


def _share(tree: Tree, shares: dict[str, float]) -> float:
    """The share of rows matching ``tree`` if its words were independent."""
    kind, items = tree
    if kind == "terms":
        return math.prod(shares.get(t, 0.0) for t in items)
    parts = [_share(t, shares) for t in items]
    return min(1.0, sum(parts)) if kind == "or" else math.prod(parts)


def _words(tree: Tree) -> list[str] | None:
    """The words of an expression that is one word or words ORed; None for another."""
    kind, items = tree
    if kind == "terms":
        return list(items) if len(items) == 1 else None
    found = [_words(t) for t in items] if kind == "or" else [None]
    return None if any(f is None for f in found) else sorted({w for f in found for w in f or ()})


def _conjunction(tree: Tree) -> bool:
    """Whether a unit matches ``tree`` only if it holds every one of its terms."""
    kind, items = tree
    return kind == "terms" or kind == "and" and all(map(_conjunction, items))


def _near(q: Query, rows: Sequence[Sequence[Any]]) -> list[tuple[int, str, int]]:
    """``(id, tsvector, tokens)`` of the rows whose positions meet ``q``'s NEAR groups."""
    out = []
    for unit_id, vector, size in rows:
        if q.near:
            held = positions(vector)
            if not all(near_holds(held, g, d) for g, d in q.near):
                continue
        out.append((int(unit_id), str(vector), int(size)))
    return out


def _terms(tree: Tree) -> set[str]:
    kind, items = tree
    return set(items) if kind == "terms" else set().union(*map(_terms, items))


def _among(tree: Tree, lists: dict[str, set[int] | None]) -> set[int] | None:
    """The units that can match ``tree`` given the holders of its complete terms (``lists``:
    None for a term with more holders than kept), None when its terms do not bound them."""
    kind, items = tree
    if kind == "terms":
        known = [h for t in items if (h := lists.get(t, set())) is not None]
        return set.intersection(*known) if known else None
    found = [_among(t, lists) for t in items]
    if kind == "or":
        return None if any(f is None for f in found) else set().union(*found)  # type: ignore[arg-type]
    bound = [f for f in found if f is not None]
    return set.intersection(*bound) if bound else None


class PgFullText:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._stats: dict[str, tuple[float, dict[str, float], float, float]] = {}
        self.postings = PgPostings(conn)
        self._memo: dict[tuple[str, str], int] = {}
        self._has_stats: bool | None = None
        """Words' counts read during one lookup call (ids, ranked), forgotten at the next."""

    def _common(self, lang: str) -> tuple[dict[str, float], float]:
        """``({term: share of rows holding it}, rows)`` of a side's commonest terms, from the
        statistics ``ANALYZE`` keeps (``pg_stats.most_common_elems``: about a thousand terms,
        every term held by more than a few in a thousand rows), read again after
        :data:`STATS_SECONDS`."""
        import time

        side = lang[:2]
        now = time.monotonic()
        got = self._stats.get(side)
        if got is None or now - got[0] > STATS_SECONDS:
            row = self.conn.execute(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs,"
                " c.reltuples, c.relpages FROM pg_class c LEFT JOIN pg_stats s ON"
                " s.schemaname = current_schema() AND s.tablename = 'units' AND s.attname = %s"
                " WHERE c.oid = 'units'::regclass", (f"{side}_terms",)).fetchone()
            terms, freqs, rows, pages = row if row else (None, None, 0, 0)
            rows = max(float(rows or 0), 0.0)
            got = (now, dict(zip(terms or [], freqs or [])), rows,
                   rows / max(float(pages or 0), 1.0))
            self._stats[side] = got
        return got[1], got[2]

    def _walk_from(self, lang: str, limit: int) -> float:
        """The least share of rows a match must have for :meth:`_walk` to walk: walking the
        primary key reads ``limit / share`` rows, ``rows per page`` of them a page (they lie
        in id order after an import); the GIN index ``share * rows`` rows, one page each
        (scattered). Equal at ``share = sqrt(limit / (rows * rows per page))``: 4% for 1,000
        of 100,000 units at 5 a page, 1.4% at a million. Never below :data:`WALK_FROM` rows."""
        common, rows = self._common(lang)
        per_page = self._stats[lang[:2]][3]
        if rows < WALK_FROM or not common:
            return 2.0
        return math.sqrt(limit / (rows * min(max(per_page, 1.0), 50.0)))

    def _walk(self, lang: str, tree: Tree, tsquery: str, limit: int) -> bool:
        """Whether the ``limit`` newest rows matching ``tree`` are found faster by walking
        the primary key down from the newest (a common match) than from the GIN index (its
        whole posting list, then the newest; :meth:`_walk_from`). The share of rows matching
        is estimated from the words' counts in ``term_stats`` as the planner does from its
        statistics (words independent: a product for AND, a sum for OR), without asking it
        (an EXPLAIN: 1-20 ms on a loaded server); the choice is made here, as the planner's
        own cost model picked the walk for matches rarer than it guessed (up to 0.8 s a
        lookup at 100,000 units)."""
        walk_from = self._walk_from(lang, limit)
        if walk_from > 1:
            return False
        rows = max(self._common(lang)[1], 1.0)
        if not self._kept():  # no term_stats (see _kept): the planner's estimate
            return self._estimate(lang, tsquery) / rows >= walk_from
        df = self._df(lang, sorted(_terms(tree)))
        return _share(tree, {t: n / rows for t, n in df.items()}) >= walk_from

    def _match(self, lang: str, expr: str, limit: int) -> list[tuple[int, str, int]]:
        """``(id, the side's tsvector, the row's tokens)`` of the ``limit`` newest matches.
        A word (or words ORed) is read from its kept newest holders (:meth:`_newest_rows`);
        words that must all be there, first among the newest holders of each
        (:meth:`_window`); the rest, and other expressions, among the few units their rare
        terms allow (:meth:`_narrow`), else from the GIN index (or the primary key,
        :meth:`_walk`)."""
        q = parse(expr)
        tree = _tree(expr)
        kept = limit <= KEEP and self._kept()
        if kept and not q.near and (words := _words(tree)) is not None:
            return self._newest_rows(lang, words, limit)
        col = f"{lang[:2]}_terms"
        out: list[tuple[int, str, int]] = []
        last = 2**63 - 1
        among = None
        if kept and _conjunction(tree):
            out, floor = self._window(lang, q, sorted(_terms(tree)), limit)
            if len(out) >= limit or floor <= 0:
                return out[:limit]
            last = floor
        else:
            among = self._narrow(lang, tree) if self._kept() else None
            if among is not None and not among:
                return []
        page = limit if not q.near else max(4 * limit, 100)
        args: list[object]
        if among is not None:
            where, args = f"id = ANY(%s) AND {col} @@ %s::tsquery", [sorted(among), q.tsquery]
            order = "id"
        elif self._walk(lang, tree, q.tsquery, page):
            where, args, order = f"{col} @@ %s::tsquery", [q.tsquery], "id"
        else:  # + 0: by the index, which needs only the rarest words of a long conjunction
            (where, args), order = self._by_index(lang, tree, q), "id + 0"
        while len(out) < limit:
            rows = self.conn.execute(
                f"SELECT id, {_held(col)}, en_len + ru_len FROM units WHERE {where}"
                f" AND id < %s ORDER BY {order} DESC LIMIT %s",
                (sorted(_terms(tree)), *args, last, page)).fetchall()
            out += _near(q, rows)
            if len(rows) < page or not q.near:
                break
            last = int(rows[-1][0])
        return out[:limit]

    def _by_index(self, lang: str, tree: Tree, q: Query) -> tuple[str, list[object]]:
        """The condition of a match from the GIN index: the whole query, or for a unit that
        must hold more than :data:`INDEX_WORDS` terms, its rarest ones from the index and the
        whole query checked on the rows they find (an exact lookup's 26-word phrase read all
        26 posting lists, "the" and "of" among them: 89 ms at a million units)."""
        col = f"{lang[:2]}_terms"
        terms = sorted(_terms(tree))
        if not _conjunction(tree) or len(terms) <= INDEX_WORDS:
            return f"{col} @@ %s::tsquery", [q.tsquery]
        df = self._df(lang, terms)
        rare = sorted(terms, key=lambda t: (df[t], t))[:INDEX_WORDS]
        index = " & ".join(f"'{t}'" for t in rare)
        return (f"{col} @@ %s::tsquery AND ts_match_vq({col}, %s::tsquery)",
                [index, q.tsquery])

    def _newest_rows(self, lang: str, words: list[str], limit: int
                     ) -> list[tuple[int, str, int]]:
        """The rows of the ``limit`` newest units holding any of ``words``: the newest of
        their kept holders, read by primary key (a one-word concordance read every holder's
        row through the GIN index: 90-120 ms for a word of a few thousand units)."""
        col = f"{lang[:2]}_terms"
        return [(int(i), str(v), int(n)) for i, v, n in self.conn.execute(
            f"SELECT id, {_held(col)}, en_len + ru_len FROM units WHERE id = ANY(ARRAY("
            "SELECT DISTINCT id FROM term_stats, unnest(newest[1:%s]) AS id WHERE side = %s"
            " AND term = ANY(%s) ORDER BY id DESC LIMIT %s)) ORDER BY id DESC",
            (words, limit, lang[:2], words, limit))]

    def _window(self, lang: str, q: Query, terms: list[str], limit: int
                ) -> tuple[list[tuple[int, str, int]], int]:
        """``(rows, floor)``: the newest matches (``limit`` of them, all for NEAR) of a query
        whose ``terms`` a unit must all hold, in one statement, among the units over
        ``floor``: 0 when its complete terms (at most KEEP holders, all kept) leave at most
        :data:`NARROW` units (the rows are then every match), else the lowest id every
        term's kept holders reach (above it the units holding them all are the ids in every
        list; the caller looks below it when it needs more); -1 when a term is held by no
        unit (there is no match)."""
        col = f"{lang[:2]}_terms"
        rows = self.conn.execute(
            "WITH l AS (SELECT term, df, newest, df <= cardinality(newest) AS whole FROM term_stats"
            " WHERE side = %(side)s AND term = ANY(%(terms)s)),"
            " k AS (SELECT count(*) AS n, count(*) FILTER (WHERE whole) AS nw,"
            " coalesce(max(newest[cardinality(newest)]) FILTER (WHERE NOT whole), 0) AS low"
            " FROM l),"
            " c0 AS (SELECT id FROM l, unnest(newest) AS id WHERE whole GROUP BY id"
            " HAVING count(*) = (SELECT nw FROM k)),"
            " f AS (SELECT CASE WHEN n < %(n)s THEN -1 WHEN nw > 0 AND"
            f" (SELECT count(*) FROM c0) <= {NARROW} THEN 0 ELSE low END AS floor FROM k),"
            " c AS (SELECT id FROM c0, f WHERE f.floor = 0 UNION ALL"
            " SELECT id FROM l, unnest(newest) AS id, f WHERE f.floor > 0 AND id >= f.floor"
            " GROUP BY id HAVING count(*) = %(n)s)"
            " SELECT f.floor, (SELECT json_object_agg(term, df) FROM l),"
            f" u.id, {_held('u.' + col, '%(terms)s')}, u.en_len + u.ru_len"
            " FROM f LEFT JOIN LATERAL"
            f" (SELECT * FROM units WHERE id = ANY(ARRAY(SELECT id FROM c)) AND {col} @@"
            " %(q)s::tsquery ORDER BY id DESC LIMIT %(lim)s) u ON true",
            {"side": lang[:2], "terms": terms, "n": len(terms), "q": q.tsquery,
             "lim": None if q.near else limit}).fetchall()
        floor = int(rows[0][0]) if rows else -1
        self._memo.update({(lang[:2], t): 0 for t in terms})
        self._memo.update({(lang[:2], str(t)): int(n) for t, n in (rows[0][1] or {}).items()})
        return _near(q, [r[2:] for r in rows if r[2] is not None]), floor

    def _narrow(self, lang: str, tree: Tree) -> set[int] | None:
        """The only units that can match ``tree``, when its complete terms (``term_stats``
        holds all their holders: at most KEEP) bring them under :data:`NARROW`; else None.
        A phrase of 26 words matched from the GIN index read every word's posting list (89
        ms at a million units), where the ids its two rarest words share are a handful."""
        lists = self.postings.complete(lang[:2], sorted(_terms(tree)))
        among = _among(tree, lists)
        return among if among is not None and len(among) <= NARROW else None

    def _df(self, lang: str, terms: Sequence[str]) -> dict[str, int]:
        """Each term's count (``term_stats``), read once per lookup call (:attr:`_memo`)."""
        side = lang[:2]
        missing = [t for t in terms if (side, t) not in self._memo]
        if missing:
            found = (self.postings.df(side, missing) if self._kept()
                     else self._counted(lang, missing, EXACT_HITS))
            self._memo.update(((side, t), n) for t, n in found.items())
        return {t: self._memo[(side, t)] for t in terms}

    def ids(self, lang: str, expr: str, limit: int) -> list[int]:
        self._memo = {}
        return [unit_id for unit_id, _, _ in self._match(lang, expr, limit)]

    def ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]:
        self._memo = {}
        rows = self._match(lang, expr, pool)
        if not rows:
            return []
        phrases = parse(expr).phrases
        state = self.conn.execute("SELECT units, tokens FROM diptych_state").fetchone()
        n_rows, tokens = (int(state[0]), int(state[1])) if state else (1, 1)
        avgdl = tokens / max(n_rows, 1)
        idf = []
        words = self._df(lang, [p[0] for p in phrases if len(p) == 1])
        for phrase in phrases:
            if len(phrases) == 1:  # one phrase: its weight scales every score alike
                idf.append(1.0)
                continue
            hits = (words[phrase[0]] if len(phrase) == 1
                    else self._hits(lang, " ".join(phrase)) if phrase else 0)
            value = math.log((n_rows - hits + 0.5) / (hits + 0.5))
            idf.append(value if value > 0 else 1e-6)
        scored = []
        for unit_id, vector, size in rows:
            where = positions(vector)
            score = 0.0
            for weight, phrase in zip(idf, phrases):
                freq = len(starts(where, phrase))
                score += weight * (freq * (K1 + 1)) / (freq + K1 * (1 - B + B * size / avgdl))
            scored.append((-score, -unit_id))
        return [-neg_id for _, neg_id in sorted(scored)[:limit]]

    def _hits(self, lang: str, phrase: str) -> int:
        """The rows holding ``phrase`` for its BM25 weight: a word's from ``term_stats``
        (exact, as FTS5's); a phrase of several words counted exactly up to
        :data:`EXACT_HITS`, the planner's estimate (from ``ANALYZE``'s statistics of the
        column) beyond. A phrase of several words the planner puts at over that many rows is
        not counted at all: the index can only hand over the rows holding all its words,
        each read again to check their order ("и в", put at 144,000 of a million units: 1.7
        s to count up to 2,000). Its weight is then the same for any count over half the
        rows (BM25's IDF floor), and close for the rest."""
        words = phrase.split()
        if len(words) < 2:
            return self._df(lang, words)[words[0]] if words else 0
        among = self._narrow(lang, _tree(fts_quote(phrase))) if self._kept() else None
        tsquery, col = _phrase(phrase), f"{lang[:2]}_terms"
        if among is not None:
            row = self.conn.execute(f"SELECT count(*) FROM units WHERE id = ANY(%s) AND {col}"
                                    " @@ %s::tsquery", (sorted(among), tsquery)).fetchone()
            return int(row[0]) if row else 0
        if (guess := self._estimate(lang, tsquery)) >= EXACT_HITS:
            return int(guess)  # counting it would recheck every row holding all its words
        row = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM units WHERE {col} @@ %s::tsquery ORDER BY"
            " id + 0 LIMIT %s) t", (tsquery, EXACT_HITS)).fetchone()
        hits = int(row[0]) if row else 0
        if hits < EXACT_HITS:
            return hits
        return max(hits, int(self._estimate(lang, tsquery)))

    def _estimate(self, lang: str, tsquery: str) -> float:
        """The planner's estimate of the rows matching ``tsquery`` (from the statistics)."""
        plan = self.conn.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM units WHERE {lang[:2]}_terms @@ %s::tsquery",
            (tsquery,)).fetchone()
        return float(plan[0][0]["Plan"]["Plan Rows"]) if plan else 0.0

    def count(self, lang: str, term: str, cap: int) -> int:
        """Rows holding ``term``, counted up to ``cap`` (``term_stats``)."""
        return self.counts(lang, [term], cap)[term]

    def counts(self, lang: str, terms: Sequence[str], cap: int) -> dict[str, int]:
        """Each term's rows up to ``cap``: read from ``term_stats`` (exact, one primary-key
        read each), what FTS5 counts from its posting lists."""
        if not self._kept():
            return self._counted(lang, terms, cap)
        return {t: min(n, cap) for t, n in self.postings.df(lang[:2], terms).items()}

    def _kept(self) -> bool:
        """Whether the memory has ``term_stats`` (schema 4): a read-only connection to a
        memory no writer has upgraded yet has not, and then reads everything from the GIN
        index as before (slower at a million units, the same units)."""
        if self._has_stats is None:
            row = self.conn.execute("SELECT to_regclass('term_stats') IS NOT NULL").fetchone()
            self._has_stats = bool(row and row[0])
        return self._has_stats

    def _counted(self, lang: str, terms: Sequence[str], cap: int) -> dict[str, int]:
        """Rows holding each term counted from the GIN index up to ``cap`` (no term_stats)."""
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        part = (f"(SELECT count(*) FROM (SELECT 1 FROM units WHERE {lang[:2]}_terms @@"
                " %s::tsquery ORDER BY id + 0 LIMIT %s) t)")
        args: list[object] = []
        for t in terms:
            args += [_phrase(t), cap]
        row = self.conn.execute(f"SELECT {', '.join([part] * len(terms))}", args).fetchone()
        return dict(zip(terms, (int(n) for n in row or [0] * len(terms))))

    def most_shared(self, lang: str, terms: Sequence[str], per_term: int,
                    limit: int) -> list[int]:
        if not terms:
            return []
        if per_term <= KEEP and self._kept():  # the lookups' per_term: DF_CAP
            return self.postings.most_shared(lang[:2], terms, per_term, limit)
        parts, args = [], list[object]()
        for t in terms:
            parts.append(f"(SELECT id FROM units WHERE {lang[:2]}_terms @@ %s::tsquery"
                         " ORDER BY id DESC LIMIT %s)")
            args += [_phrase(t), per_term]
        sql = (f"SELECT id FROM ({' UNION ALL '.join(parts)}) t"
               " GROUP BY id ORDER BY count(*) DESC, id DESC LIMIT %s")
        return [int(r[0]) for r in self.conn.execute(sql, [*args, limit])]
