"""tm.lexicon: the fitted lexicon and unit links stored in the memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.lexicon import (
    SCHEMA,
    StoredLexicon,
    decode_links,
    encode_links,
    fit_terms,
    has_lexicon,
    unit_links,
)
from tm.store import TM, UnitIn
from tm.termalign import translate


def test_links_round_trip_through_bytes() -> None:
    links = {(0, 1), (2, 2), (5, 0)}
    assert decode_links(encode_links(links)) == links
    assert decode_links(encode_links({(300, 1), (1, 1)})) == {(1, 1)}  # past 255: dropped


def test_fit_stores_what_a_lookup_reads(tmp_path: Path) -> None:
    pytest.importorskip("eflomal")
    pairs = [("the dam is closed", "дамба закрыта"), ("the dam is open", "дамба открыта"),
             ("the gate is closed", "ворота закрыты"), ("the gate is open", "ворота открыты")]
    with TM.open(tmp_path / "t.db") as tm:
        if tm.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'lexicon'").fetchone() is None:
            tm.conn.executescript(SCHEMA)  # until the store's migration lands with issue 9
        tm.add_units([UnitIn(e + f" {n}", r + f" {n}") for n in range(5) for e, r in pairs])
        assert not has_lexicon(tm)
        report = fit_terms(tm)
        assert report.units == 20 and report.entries > 0 and has_lexicon(tm)
        lex = StoredLexicon(tm, ["dam"], "en")
        assert max(lex.row("dam", "en"), key=lex.row("dam", "en").get) == "дамб"
        assert lex.row("dam", "ru") == {}
        back = StoredLexicon(tm, ["дамб"], "ru")
        assert "dam" in back.row("дамб", "ru")
        links = unit_links(tm, [1, 2, 999])
        assert set(links) == {1, 2} and all(links.values())
        u = tm.get_unit(1)
        assert u is not None
        span = translate(u.en, "en", "dam", u.ru, lex, links[1])
        assert span is not None and span.text == "дамба"
