"""TMX 1.4b import/export: tool dialects, round trips, DTD validity, the commands."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, Unit, UnitIn
from tm.tmx import NotAUnit, export_header, export_tmx, import_tmx, unit_from_tmx
from tm.tmx.model import Note, Prop, TMXUnit, TMXVariant, normalize_lang
from tm.tmx.read import TMXReader
from tm.tmx.write import write_tmx

DATA = Path(__file__).parent / "tmx_data"
SAMPLES = sorted(DATA.glob("*.tmx"))


@pytest.fixture(scope="module")
def dtd(shared: Path) -> etree.DTD:
    return etree.DTD(str(shared / "standards" / "tmx14.dtd"))


def assert_valid(data: bytes, dtd: etree.DTD) -> etree._ElementTree:
    doc = etree.parse(io.BytesIO(data))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    return doc


def export_bytes(tm: TM, dtd: etree.DTD, **options: object) -> bytes:
    """Export, and check the result against the TMX 1.4 DTD (every export in these tests)."""
    buf = io.BytesIO()
    export_tmx(tm, buf, **options)  # type: ignore[arg-type]
    assert_valid(buf.getvalue(), dtd)
    return buf.getvalue()


def snapshot(tm: TM) -> list[tuple[object, ...]]:
    """What must survive a round trip: everything of a unit but its id, origin and docs, and
    the dates a TU lacked (the import's time stands in for them: tm.tmx.convert)."""
    def dated(u: Unit, name: str, value: str) -> str | None:
        return None if name in (u.meta.get("undated") or ()) else value

    return sorted((u.en, u.ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score,
                   dated(u, "creationdate", u.created), dated(u, "changedate", u.changed),
                   json.dumps(u.meta, sort_keys=True))
                  for u in tm.iter_units())


def units_of(path: Path) -> list[TMXUnit]:
    return list(TMXReader(path))


# ------------------------------------------------------------------ what each tool writes
def test_omegat_style_old_lang_attribute_and_inline_codes() -> None:
    reader = TMXReader(DATA / "omegat-style.tmx")
    units = list(reader)
    assert reader.header is not None and reader.header.get("creationtool") == "OmegaT"
    first, tagged, alt = (unit_from_tmx(u) for u in units)
    assert isinstance(first, UnitIn) and isinstance(tagged, UnitIn) and isinstance(alt, UnitIn)
    assert (first.en_lang, first.ru_lang) == ("en-US", "ru-RU")  # from lang="EN-US"/"RU-RU"
    assert first.ru == "Министерство опубликовало данные в понедельник."
    assert tagged.en == "Prices rose by 7.5% in March."  # native codes &lt;b0&gt; stripped
    assert tagged.en_markup is not None and "&lt;b0&gt;</bpt>March<ept" in tagged.en_markup
    assert alt.meta is not None and alt.meta["props"] == [["file", "article.txt"], ["id", "12"]]
    assert ["changedate", "20240115T093000Z"] in first.meta["ru"]["attrs"]  # type: ignore[index]


def test_trados_style_utf16_props_dates_and_missing_side() -> None:
    assert (DATA / "trados-style.tmx").read_bytes()[:2] == b"\xff\xfe"  # UTF-16 LE with BOM
    rate_tu, report_tu, lonely_tu = units_of(DATA / "trados-style.tmx")
    rate, report = unit_from_tmx(rate_tu), unit_from_tmx(report_tu)
    assert isinstance(rate, UnitIn) and isinstance(report, UnitIn)
    assert rate.en == "The central bank kept its key rate at 16%."
    assert rate.ru_markup == "Центробанк сохранил ключевую ставку на уровне <ph x=\"1\" type=\"0\"/>16%."
    assert (rate.created, rate.changed) == ("2023-11-02T08:15:12Z", "2023-11-03T12:00:00Z")
    assert rate.meta is not None and rate.meta["props"][0] == ["x-Client:SinglePicklist", "Wire desk"]
    assert ["usagecount", "3"] in rate.meta["attrs"]
    assert report.ru == "Подробности — в полном отчёте."
    with pytest.raises(NotAUnit, match="^without an English or a Russian variant$"):
        unit_from_tmx(lonely_tu)


def test_memoq_style_notes_hi_and_ambiguous_variants() -> None:
    polls_tu, count_tu = units_of(DATA / "memoq-style.tmx")
    polls = unit_from_tmx(polls_tu)
    assert isinstance(polls, UnitIn)
    assert (polls.en_lang, polls.ru_lang) == ("en-US", "ru")
    assert polls.en == "Polls closed at 8 p.m. local time."  # {} codes stripped
    assert polls.meta is not None and polls.meta["notes"] == ["Checked against the agency copy."]
    assert ["x-context-pre", "<seg>Turnout was high.</seg>"] in polls.meta["props"]
    count = unit_from_tmx(count_tu)  # two Russian TUVs: the first is the unit's, one kept
    assert count.ru_lang == "ru" and [v["lang"] for v in (count.meta or {})["tuv"]] == ["ru"]


@pytest.mark.parametrize("codec, bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                        ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-8", b"")])
def test_encodings_with_and_without_bom(codec: str, bom: bytes) -> None:
    text = (DATA / "omegat-style.tmx").read_text(encoding="utf-8")
    if codec != "utf-8":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    units = list(TMXReader(io.BytesIO(bom + text.encode(codec))))
    assert units == units_of(DATA / "omegat-style.tmx")
    assert units[0].variants[1].text == "Министерство опубликовало данные в понедельник."


def test_hi_text_is_searchable_and_sub_flows_are_not() -> None:
    seg = ('<seg>A <hi type="b">bold</hi> word<ph x="1">&lt;img alt="<sub>alt text</sub>"/&gt;'
           '</ph>.</seg>')
    data = (f'<tmx version="1.4"><header/><body><tu><tuv xml:lang="en">{seg}</tuv>'
            '<tuv xml:lang="ru"><seg>Слово</seg></tuv></tu></body></tmx>').encode()
    (unit,) = TMXReader(io.BytesIO(data))
    assert unit.variants[0].text == "A bold word."
    assert unit.variants[0].markup is not None and "<sub>alt text</sub>" in unit.variants[0].markup


def test_unknown_inline_elements_are_unwrapped() -> None:
    data = ('<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>A <g id="1">b</g> '
            'c</seg></tuv><tuv xml:lang="ru"><seg>Б</seg></tuv></tu></body></tmx>').encode()
    (unit,) = TMXReader(io.BytesIO(data))
    assert (unit.variants[0].text, unit.variants[0].markup) == ("A b c", None)


@pytest.mark.parametrize("code, tag", [("en", "en"), ("EN-GB", "en-GB"), ("ru_ru", "ru-RU"),
                                       ("en-us", "en-US"), ("zh-hant-tw", "zh-Hant-TW"),
                                       ("es-419", "es-419"), ("en-x-NEWS", "en-x-news")])
def test_language_codes_become_bcp47(code: str, tag: str) -> None:
    assert normalize_lang(code) == tag


# ------------------------------------------------------------------ round trips and validity
def test_import_export_import_is_identical(tmp_path: Path, dtd: etree.DTD) -> None:
    first = TM.open(tmp_path / "first.db")
    reports = [import_tmx(first, path) for path in SAMPLES]
    assert sum(r.added for r in reports) == 7 and sum(r.skipped_total for r in reports) == 1
    first.add_units([UnitIn("Scored & <aligned>.", "Выровнено «с оценкой».", score=0.8123456789)],
                    origin="aligned")
    exported = export_bytes(first, dtd)
    (tmp_path / "export.tmx").write_bytes(exported)
    second = TM.open(tmp_path / "second.db")
    again = import_tmx(second, tmp_path / "export.tmx")
    assert (again.added, again.skipped_total) == (8, 0)
    assert snapshot(second) == snapshot(first)
    assert export_bytes(second, dtd) == exported  # and the second export is byte-identical


def test_other_languages_and_nonstandard_attributes_survive(tmp_path: Path,
                                                           dtd: etree.DTD) -> None:
    """Extra languages and attributes the DTD lacks are kept, exported validly, read back."""
    data = ('<tmx version="1.4"><header/><body><tu x-flag="1" tuid="7" segtype="clause">'
            '<tuv xml:lang="de-de"><seg>Hallo</seg></tuv><tuv xml:lang="en" x-style="lead">'
            '<seg>Hello</seg></tuv><tuv xml:lang="ru"><prop type="x-desk" xml:lang="ru" '
            'x-bad="1">Лента</prop><seg>Привет</seg></tuv></tu></body></tmx>').encode()
    (tmp_path / "odd.tmx").write_bytes(data)
    first = TM.open(tmp_path / "first.db")
    assert import_tmx(first, tmp_path / "odd.tmx").added == 1
    exported = export_bytes(first, dtd)
    doc = etree.fromstring(exported).getroottree()
    langs = doc.xpath("//tuv/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
    assert langs == ["en", "ru", "de-DE"]
    assert doc.xpath("//tu/@tuid") == ["7"]
    assert [t for t in doc.xpath("//tu/prop/@type") if t != "x-diptych-doc"] == [
        "x-diptych-attr:x-flag", "x-diptych-attr:segtype"]
    (tmp_path / "export.tmx").write_bytes(exported)
    second = TM.open(tmp_path / "second.db")
    import_tmx(second, tmp_path / "export.tmx")
    (unit,) = second.iter_units()
    assert unit.meta["attrs"] == [["tuid", "7"], ["x-flag", "1"], ["segtype", "clause"]]
    assert unit.meta["en"] == {"attrs": [["x-style", "lead"]]}
    # a prop's own undeclared attribute is the one thing dropped (the DTD has no room for it)
    assert unit.meta["ru"] == {"props": [["x-desk", "Лента", [["xml:lang", "ru"]]]]}
    assert snapshot(second) != [] and [m for *_, m in snapshot(second)] == [
        m.replace(', ["x-bad", "1"]', "") for *_, m in snapshot(first)]


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s)
# attributes in the reader's canonical order: DTD-declared ones first (x-a is not declared,
# so it travels as a prop and comes back last)
_attrs = st.lists(st.tuples(st.sampled_from(["creationid", "changeid", "usagecount", "x-a"]),
                            _text), max_size=3, unique_by=lambda a: a[0]).map(
    lambda attrs: tuple(sorted(attrs, key=lambda a: a[0] == "x-a")))
_props = st.lists(st.builds(Prop, _text, _text), max_size=3).map(tuple)
_notes = st.lists(st.builds(Note, _text), max_size=2).map(tuple)


@st.composite
def _variant(draw: st.DrawFn, lang: str) -> TMXVariant:
    before, after = draw(_text), draw(_text)
    if draw(st.booleans()):  # a segment with a paired inline code around its last part
        markup = (f'{escape(before)}<bpt i="1" type="bold">&lt;b&gt;</bpt>{escape(after)}'
                  '<ept i="1">&lt;/b&gt;</ept>')
        return TMXVariant(lang, before + after, markup, draw(_attrs), draw(_props), draw(_notes))
    return TMXVariant(lang, before, None, draw(_attrs), draw(_props), draw(_notes))


@st.composite
def tmx_units(draw: st.DrawFn) -> TMXUnit:
    variants = (draw(_variant("en")), draw(_variant("ru-RU")))
    return TMXUnit(variants, draw(_attrs), draw(_props), draw(_notes))


@settings(max_examples=60, deadline=None)
@given(st.lists(tmx_units(), max_size=5))
def test_writer_then_reader_gives_back_the_units(dtd: etree.DTD, units: list[TMXUnit]) -> None:
    buf = io.BytesIO()
    assert write_tmx(buf, export_header(), units) == len(units)
    assert_valid(buf.getvalue(), dtd)
    buf.seek(0)
    assert list(TMXReader(buf)) == units


def test_paragraph_segtype_and_required_header(tmp_path: Path, dtd: etree.DTD) -> None:
    tm = TM.open(tmp_path / "tm.db")
    tm.add_units([UnitIn("One.", "Один.")])
    doc = etree.fromstring(export_bytes(tm, dtd, segtype="paragraph")).getroottree()
    header = doc.getroot().find("header")
    assert header is not None and header.get("segtype") == "paragraph"
    assert [header.get(a) for a in ("srclang", "adminlang", "datatype")] == ["en", "en",
                                                                               "plaintext"]


def test_illegal_xml_characters_are_dropped_on_export(tmp_path: Path, dtd: etree.DTD) -> None:
    tm = TM.open(tmp_path / "tm.db")
    tm.add_units([UnitIn("Page\x0cbreak.", "Разрыв\x00страницы.")])
    doc = etree.fromstring(export_bytes(tm, dtd)).getroottree()
    assert doc.xpath("//seg/text()") == ["Pagebreak.", "Разрывстраницы."]


def test_translate_toolkit_reads_our_export(tmp_path: Path, dtd: etree.DTD) -> None:
    tmx_storage = pytest.importorskip("translate.storage.tmx")
    tm = TM.open(tmp_path / "tm.db")
    import_tmx(tm, DATA / "omegat-style.tmx")
    tm.add_units([UnitIn("Plain & simple.", "Просто и ясно.")])
    store = tmx_storage.tmxfile.parsestring(export_bytes(tm, dtd))
    pairs = {(u.source, u.target) for u in store.units}
    assert ("Plain & simple.", "Просто и ясно.") in pairs
    assert ("No comment.", "Без комментариев.") in pairs
    assert {u.getlanguageNode(lang=None, index=1).get(
        "{http://www.w3.org/XML/1998/namespace}lang") for u in store.units} == {"ru-RU", "ru"}
    assert store.units[0].getlanguageNode(lang="en-US") is not None  # found by language


# ------------------------------------------------------------------ filters and commands
def test_export_filters(tmp_path: Path, dtd: etree.DTD) -> None:
    tm = TM.open(tmp_path / "tm.db")
    report = import_tmx(tm, DATA / "trados-style.tmx")
    tm.add_units([UnitIn("Weak.", "Слабо.", score=0.2), UnitIn("Strong.", "Сильно.", score=0.9)],
                 origin="aligned")

    def ens(**options: object) -> list[str]:
        doc = etree.fromstring(export_bytes(tm, dtd, **options))
        return ["".join(seg.itertext()) for seg in doc.iterfind("body/tu/tuv[1]/seg")]

    assert len(ens()) == 4
    trados = ["The central bank kept its key rate at 16%.", "See the full report for details."]
    assert ens(min_score=0.5) == [*trados, "Strong."]
    assert ens(doc=report.document) == trados
    assert "Weak." not in ens(since="2099-01-01") and ens(since="2000-01-01")


def test_import_and_export_commands(tmp_path: Path, dtd: etree.DTD) -> None:
    runner = CliRunner()
    db = str(tmp_path / "tm.db")
    result = runner.invoke(app, ["import", str(DATA / "trados-style.tmx"), "--db", db])
    assert result.exit_code == 0, result.output
    assert "2 units added, 0 duplicates, 1 skipped" in result.output
    again = runner.invoke(app, ["import", str(DATA / "trados-style.tmx"), "--db", db])
    assert "0 units added, 2 duplicates" in again.output
    out = runner.invoke(app, ["export", "-", "--db", db, "--segtype", "paragraph"])
    assert out.exit_code == 0
    assert_valid(out.stdout_bytes, dtd)
    assert b'segtype="paragraph"' in out.stdout_bytes
    target = tmp_path / "out.tmx"
    done = runner.invoke(app, ["export", str(target), "--db", db, "--doc", "trados-style.tmx"])
    assert done.exit_code == 0 and assert_valid(target.read_bytes(), dtd).xpath("count(//tu)") == 2
    bad = runner.invoke(app, ["export", "-", "--db", db, "--since", "last week"])
    assert bad.exit_code == 1 and "use YYYY-MM-DD" in bad.output
    missing = runner.invoke(app, ["export", "-", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no translation memory" in missing.output
    nowhere = runner.invoke(app, ["export", str(tmp_path / "no" / "out.tmx"), "--db", db])
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.output
    folder = runner.invoke(app, ["export", str(tmp_path), "--db", db])
    assert folder.exit_code == 1 and "is a folder" in folder.output
    assert folder.output.count("\n") == 1 and "Traceback" not in folder.output
    absent = runner.invoke(app, ["import", str(tmp_path / "absent.tmx"), "--db", db])
    assert absent.exit_code == 1 and "no TMX file at" in absent.output
    assert not list(tmp_path.glob("*.part"))  # no temp file left behind


def test_segments_are_exported_without_surrounding_spaces(tmp_path: Path, dtd: etree.DTD) -> None:
    """OmegaT matches byte-identical text: no leading/trailing whitespace in any <seg>."""
    (tmp_path / "spaces.tmx").write_text(
        '<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>  <ph x="1"/>Hi there  '
        '</seg></tuv><tuv xml:lang="ru"><seg>\n Привет <bpt i="1">&lt;b&gt;</bpt>мир<ept i="1">'
        '&lt;/b&gt;</ept>\n</seg></tuv></tu><tu><tuv xml:lang="en"><seg> Plain. </seg></tuv>'
        '<tuv xml:lang="ru"><seg>\tПросто.\n</seg></tuv></tu></body></tmx>', encoding="utf-8")
    tm = TM.open(tmp_path / "tm.db")
    import_tmx(tm, tmp_path / "spaces.tmx")
    segs = etree.fromstring(export_bytes(tm, dtd)).iterfind("body/tu/tuv/seg")
    inner = [etree.tostring(seg, encoding="unicode")[5:-6] for seg in segs]
    assert inner == ['<ph x="1"/>Hi there',
                     'Привет <bpt i="1">&lt;b&gt;</bpt>мир<ept i="1">&lt;/b&gt;</ept>',
                     "Plain.", "Просто."]


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    db = tmp_path / "tm.db"
    with TM.open(db) as tm:
        tm.add_units([UnitIn("Fine.", "Хорошо."), UnitIn("Bad.", "Плохо.", en_markup="<bpt i=")])
    target = tmp_path / "out.tmx"
    result = CliRunner().invoke(app, ["export", str(target), "--db", str(db)])
    assert result.exit_code == 1 and "stored inline markup is not XML" in result.output
    assert list(tmp_path.glob("*.tmx*")) == []
