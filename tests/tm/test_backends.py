"""SQLite and PostgreSQL give the same answers; a memory copies between them without loss;
writers on PostgreSQL (batch processes, desks) share one memory (issue 19)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.tm.pair_lists import write_pairs
from tm.cli import app
from tm.errors import TMError
from tm.search.searcher import Searcher
from tm.store import TM, DocumentIn, UnitIn

PAIRS = [
    ("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
    ("Oil prices fell by 3% in June.", "Цены на нефть упали на 3% в июне."),
    ("Gas prices fell.", "Цены на газ упали."),
    ("The government approved the new budget.", "Правительство одобрило новый бюджет."),
    ("The new budget was approved late.", "Новый бюджет утвердили с опозданием."),
    ("Migrants crossed the border at night.", "Мигранты пересекли границу ночью."),
    ("The border guards counted the migrants.", "Пограничники пересчитали мигрантов."),
    ("Press the red button to stop the machine.", "Нажмите красную кнопку, чтобы остановить станок."),
    ("The weather will be sunny tomorrow.", "Завтра будет солнечная погода."),
    ("Prices of oil and gas rose again.", "Цены на нефть и газ снова выросли."),
]
QUERIES = [
    ("Oil prices rose by 7% in May.", "auto"), ("Oil prices rose by 7% in May.", "fuzzy"),
    ("oil prices", "concordance"), ("мигрантов", "concordance"), ("new budget", "auto"),
    ("The government approved the budget.", "fuzzy"), ("Gas prices fell.", "exact"),
    ("prices rose", "concordance"), ("цены на нефть", "auto"), ("border migrants", "auto"),
]


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def fill(tm: TM, *, vectors: bool = True) -> None:
    """Documents, units, an edit, a replaced document, vectors and term links."""
    doc, _ = tm.add_document(DocumentIn(title="Prices", url="https://x.example/p",
                                        date="2024-05-01", fingerprint="p", meta={"k": 1}))
    tm.add_units([UnitIn(e, r, score=0.9 - i / 100, meta={"i": i} if i % 3 else None)
                  for i, (e, r) in enumerate(PAIRS[:6])], document=doc, origin="aligned")
    other, _ = tm.add_document(DocumentIn(title="Other", fingerprint="o"))
    tm.add_units([UnitIn(e, r, en_markup=f"<b>{e}</b>" if i == 1 else None)
                  for i, (e, r) in enumerate(PAIRS[4:])], document=other)
    tm.edit_unit(2, ru="Цены на нефть снизились на 3% в июне.")
    tm.replace_document(other, [(UnitIn(*PAIRS[4]), "aligned"),
                                (UnitIn("A new line.", "Новая строка."), "edited")],
                        title="Other, corrected")
    if vectors:
        tm.set_setting("embedding_model", "test")
        tm.set_setting("embedding_dim", "4")
        tm.store_vectors([(i, bytes([i, 256 - i, 7, 0])) for i in (1, 3, 5)])
    tm.replace_terms([("oil", "нефть", 0.8), ("price", "цена", 0.7)], [(1, {(0, 2), (1, 0)})])


def test_same_answers_on_both_backends(tmp_path: Path, pg_uri: str, encoder: object) -> None:
    from tm.vectors import embed

    hits = {}
    for name, where in (("sqlite", str(tmp_path / "t.db")), ("postgres", pg_uri)):
        with TM.open(where) as tm:
            fill(tm, vectors=False)
            embed.index(tm, encoder)  # type: ignore[arg-type]
            searcher = Searcher(tm, encoder=encoder)  # type: ignore[arg-type]
            hits[name] = [[(m.unit.id, m.match, m.kind, m.tier, m.spans, m.translation,
                            None if m.similarity is None else round(m.similarity, 4))
                           for m in searcher.search(q, mode=mode, limit=10)]
                          for q, mode in QUERIES]
            hits[name].append([tm.fts_ranked("en", 'NEAR("oil" "price", 2)', 100, 10),
                               tm.fts_ranked("en", '"price" AND "oil"', 100, 10),
                               tm.fts_ids("ru", '"цен" "нефт"', 10),
                               tm.fts_most_shared("en", ["price", "oil", "rose"], 100, 10)])
    assert hits["postgres"] == hits["sqlite"]
    assert sum(map(len, hits["sqlite"])) > 15 and hits["sqlite"][-1][0]


def test_semantic_search_runs_in_postgres_and_agrees(tmp_path: Path, pg_uri: str,
                                                     encoder: object) -> None:
    from tm.vectors import embed

    found = {}
    for name, where in (("sqlite", str(tmp_path / "t.db")), ("postgres", pg_uri)):
        with TM.open(where) as tm:
            tm.add_units([UnitIn(e, r) for e, r in PAIRS])
            embed.index(tm, encoder)  # type: ignore[arg-type]
            hits = Searcher(tm, encoder=encoder).search(  # type: ignore[arg-type]
                "How much did oil cost in May?", mode="semantic", limit=5)
            found[name] = [(m.unit.id, round(m.similarity or 0, 4)) for m in hits]
    assert found["postgres"] == found["sqlite"] and found["sqlite"][0][0] == 1


def test_without_pgvector_semantic_search_says_so_in_one_line(pg_uri: str) -> None:
    with TM.open(pg_uri) as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS[:2]])
        tm.set_setting("embedding_dim", "4")
        tm.store_vectors([(1, bytes(4))])
        tm.conn.execute("ALTER TABLE embeddings DROP COLUMN v")  # a server without pgvector
    with TM.open(pg_uri, readonly=True) as tm, \
            pytest.raises(TMError, match="needs the pgvector extension") as caught:
        tm.nearest_vectors([1.0, 0, 0, 0], 3)
    assert "\n" not in str(caught.value)


def test_copy_sqlite_to_postgres_and_back_is_lossless(tmp_path: Path, pg_uri: str) -> None:
    first, back = tmp_path / "first.db", tmp_path / "back.db"
    with TM.open(first) as tm:
        fill(tm)
    assert "6 documents" not in run("copy", str(first), pg_uri)
    run("copy", pg_uri, str(back))

    def seen(db: str) -> tuple[object, ...]:
        stats = json.loads(run("stats", "--db", db, "--json"))
        for varying in ("path", "found_by", "size_bytes", "db_bytes"):
            stats.pop(varying, None)
        if db == pg_uri:  # each backend counts its own migrations
            stats["schema_version"] = original[0]["schema_version"]  # type: ignore[index]
        out = tmp_path / f"{abs(hash(db))}.tmx"
        run("export", str(out), "--db", db)
        with TM.open(db, readonly=True) as tm:
            units = list(tm.iter_units(with_docs=True))
            inside = (units, [tm.history(u.id) for u in units], tm.vectors_after(0),
                      tm.unit_links([u.id for u in units]), tm.lexicon_rows(["oil"], "en"),
                      tm.replacements(2), tm.get_setting("embedding_dim"))
        return (stats, run("documents", "--db", db, "--json"), out.read_bytes(), inside)

    original: tuple[object, ...] = ()
    original = seen(str(first))
    assert seen(pg_uri) == original
    assert seen(str(back)) == original
    result = CliRunner().invoke(app, ["copy", str(first), pg_uri])
    assert result.exit_code == 1 and "already holds" in result.output


# ------------------------------------------------------------------ several processes
def _diptych(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("diptych")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tm.cli"]
    return subprocess.Popen([*cmd, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _contents(db: str) -> tuple[object, ...]:
    """What a memory holds, independent of the order writers stored it in."""
    with TM.open(db, readonly=True) as tm:
        units = {u.id: u for u in tm.iter_units(with_docs=True)}
        docs = {d.id: d for d in tm.documents()}
        vecs = dict(tm.vectors_after(0))
        text = {i: (u.en, u.ru) for i, u in units.items()}
        return (
            sorted((d.fingerprint, d.title, d.url, d.en_sha256, d.units) for d in docs.values()),
            sorted((*text[i], u.score, u.origin, json.dumps(dict(u.meta), sort_keys=True),
                    vecs.get(i)) for i, u in units.items()),
            sorted((docs[d].fingerprint, p, text[i]) for i, u in units.items()
                   for d, p in u.docs))


@pytest.mark.slow
def test_three_batch_processes_one_killed_give_what_one_run_gives(
        tmp_path: Path, shared: Path, pg_uri: str) -> None:
    # 12 pairs: with 6, a victim whose first "stored" line the (starved) test read late had
    # finished the whole job before the kill, once under load
    listing = write_pairs(tmp_path, shared, 12)
    env = {**os.environ, "DIPTYCH_WORKERS": "1"}
    alone = tmp_path / "alone.db"
    one = _diptych("add", "--batch", str(listing), "--db", str(alone), env=env)
    assert one.wait(timeout=900) == 0, one.communicate()[1]

    shared = ("add", "--batch", str(listing), "--db", pg_uri, "--lease", "20")  # not 600 s
    runs = [_diptych(*shared, env=env) for _ in range(3)]
    victim = runs[0]
    assert victim.stderr is not None
    for line in victim.stderr:  # one line a pair: kill it once it has stored or skipped one
        if "] stored:" in line or "] skipped:" in line:
            os.killpg(victim.pid, signal.SIGKILL)
            break
    assert victim.wait(timeout=900) == -signal.SIGKILL
    for other in runs[1:]:
        assert other.wait(timeout=900) == 0, other.communicate()[1]
    again = _diptych(*shared, env=env)
    assert again.wait(timeout=900) == 0, again.communicate()[1]
    assert _contents(pg_uri) == _contents(str(alone))
    assert len(_contents(pg_uri)[1]) > 30  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tm.web", "--db", db, "--port", str(port),
                             "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/health", timeout=2).close()
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start: {proc.communicate()[1]}") from None
            time.sleep(0.2)


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


@pytest.mark.slow
def test_two_desks_on_one_postgres_memory_see_each_others_edits(pg_uri: str) -> None:
    pytest.importorskip("fastapi")
    with TM.open(pg_uri) as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
    (a, base_a), (b, base_b) = _serve(pg_uri), _serve(pg_uri)
    try:
        query = "/api/search?mode=concordance&q=" + urllib.parse.quote("bicycle")
        assert _get(base_b + query)["hits"] == []  # type: ignore[index]
        body = json.dumps({"en": "Press the red button to stop the bicycle."}).encode()
        req = urllib.request.Request(f"{base_a}/api/units/8", data=body, method="PATCH",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).close()
        edited = time.monotonic()
        while not _get(base_b + query)["hits"]:  # type: ignore[index]
            assert time.monotonic() - edited < 1.0, "the other desk did not see the edit"
            time.sleep(0.05)
        unit = _get(f"{base_b}/api/units/8")
        assert unit["origin"] == "edited"  # type: ignore[index]
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.communicate(timeout=30)


def test_another_applications_tables_are_refused_and_left_alone(pg_uri: str) -> None:
    import psycopg

    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute("CREATE TABLE units (id int)")
    with pytest.raises(TMError, match="another application"):
        TM.open(pg_uri)
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('diptych_schema')").fetchone() == (None,)


def test_writers_wait_for_each_other_within_a_memory_not_across_schemas(
        pg_uri: str, pg_server: str) -> None:
    """The write lock is the memory's: a write held open in one schema does not hold up a
    write to a memory in another schema of the same database (it did: advisory locks are per
    database), and still holds up another writer of the same memory."""
    import psycopg

    schema = f"other{os.getpid()}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    other = f"{pg_server}{'&' if '?' in pg_server else '?'}options=-csearch_path%3D{schema}"
    try:
        with TM.open(pg_uri) as a, TM.open(pg_uri) as same, TM.open(other) as b:
            with a.transaction():
                a.set_setting("held", "1")
                with b.patience(5000):
                    b.set_setting("free", "1")
                with pytest.raises(TMError, match="locked"), same.patience(100):
                    same.set_setting("waits", "1")
            assert b.get_setting("free") == "1" and same.get_setting("waits") is None
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
