"""The desk under load: `diptych serve` on a 100,000-unit memory, one client, then 8 at once.

    python bench/serve.py                   # 100k units, 20 s per phase
    python bench/serve.py --units 20000 --seconds 5 --keep /tmp/serve-bench   # quicker, reusable

Memory: synthetic units recombined from ../shared/corpora WMT sentences (bench/tm.py's
`synthetic`); 2,000 units really embedded, every other unit a noisy copy of one of those vectors
(bench/tm.py's `fill_vectors`, sigma 0.35), then the IVF index `diptych index` builds. Queries:
stored English or Russian sentences with one word dropped and a number changed (auto: fuzzy
plus semantic), and 1-2 word concordance look-ups, all through GET /api/search on 127.0.0.1.
Phases (each bounded by --seconds and by --max-requests per client): one client alone; 8
clients at once; 8 clients while `diptych add --batch` stores WMT story pairs into the same
database (SQLite WAL). Prints errors, throughput and latency percentiles per phase.
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


def build(db: Path, n: int) -> None:
    from tm.store import TM
    from tm.vectors.ann import build_ann
    from tm.vectors.model import load_encoder

    bt = _bench_tm()
    t = time.perf_counter()
    with TM.open(db) as tm:
        counts = tm.add_units(bt.synthetic(n))
        bt.fill_vectors(tm, load_encoder(), real=min(2_000, n))
        build_ann(tm)
    print(f"memory: {counts} with vectors and IVF index in {time.perf_counter() - t:.0f} s")


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


def start_server(db: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    cmd = [sys.executable, "-m", "tm.web", "--db", str(db), "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd)
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
    args = ap.parse_args()
    SHARED = args.shared
    work = args.keep or Path(tempfile.mkdtemp(prefix="serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / f"serve{args.units}.db"
    if not base.exists():  # built under another name: a failed build leaves no half memory
        partial = work / "building.db"
        for old in work.glob("building.db*"):
            old.unlink()
        build(partial, args.units)
        for part in work.glob("building.db*"):
            part.rename(work / (base.name + part.name[len(partial.name):]))
    db = work / "run.db"  # each run starts from the built memory (add --batch writes to it)
    for old in work.glob("run.db*"):
        old.unlink()
    for part in work.glob(base.name + "*"):
        if not part.name.endswith(("-wal", "-shm")):
            shutil.copyfile(part, work / ("run.db" + part.name[len(base.name):]))
    qs = queries()
    from tm.store import TM

    with TM.open(db, create=False) as tm:
        before = len(tm.documents())
    proc, base = start_server(db, args.workers)
    rows = []
    try:
        phase(base, qs, 1, min(3.0, args.seconds), 50)  # warm-up: encoders, caches, IVF pages
        rows.append(("1 client", phase(base, qs, 1, args.seconds, args.max_requests)))
        rows.append(("8 clients", phase(base, qs, 8, args.seconds, args.max_requests)))
        pairs = story_pairs(work / "stories", 100)
        cache = tempfile.mkdtemp(prefix="cache-", dir=work)  # no cached embeddings: real work
        writer = subprocess.Popen([str(BIN / "diptych"), "add", "--batch", str(pairs), "--db",
                                   str(db)], env={**os.environ, "DIPTYCH_WORKERS": "1",
                                                  "DIPTYCH_CACHE_DIR": cache},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True)  # its workers stop with it
        time.sleep(2)  # let it start writing
        rows.append(("8 clients + add --batch", phase(base, qs, 8, args.seconds,
                                                      args.max_requests)))
        os.killpg(writer.pid, signal.SIGTERM)
        _, err = writer.communicate(timeout=60)
        shutil.rmtree(cache, ignore_errors=True)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    with TM.open(db, create=False) as tm:
        stored = len(tm.documents()) - before
    cores = os.cpu_count()
    print(f"\n{args.units} units, {args.seconds:.0f} s a phase, server workers:"
          f" {args.workers or cores} ({cores} cores); add --batch stored {stored} stories"
          f" meanwhile{' (stderr: ' + err.decode()[-200:] + ')' if writer.returncode not in (0, -15) else ''}")
    print(f"{'phase':26} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'max ms':>7}")
    for name, r in rows:
        print(f"{name:26} {r['requests']:8d} {r['errors']:6d} {r['throughput']:7.1f}"
              f" {r['p50']:7.1f} {r['p95']:7.1f} {r['max']:7.1f}")
    print(f"8 clients / 1 client throughput: {rows[1][1]['throughput'] / rows[0][1]['throughput']:.2f}x")


if __name__ == "__main__":
    main()
