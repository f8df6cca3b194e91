"""TMX written the way real CAT tools write it (tmx_data/tools/: our own small files, in each
tool's conventions): nothing lost, nothing invalid, clear words for what is not for us (issue 22).

Every file imports, exports valid against the TMX 1.4 DTD, and re-imports to the same units,
tags, tuids, props, notes, dates, header and source language; the second export is
byte-identical to the first. The five findings each have a test below.
"""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from tm.cli import app
from tm.errors import TMXError
from tm.store import TM, UnitIn
from tm.tmx import ImportReport, export_tmx, import_tmx, unit_to_tmx
from tm.tmx.header import HEADER_SETTING, SRCLANG_SETTING
from tm.tmx.model import TMXHeader
from tm.tmx.write import write_tmx

DATA = Path(__file__).parent / "tmx_data"
TOOLS = sorted((DATA / "tools").glob("*.tmx"))
XML_NS = {"xml": "http://www.w3.org/XML/1998/namespace"}


@pytest.fixture(scope="module")
def dtd(shared: Path) -> etree.DTD:
    return etree.DTD(str(shared / "standards" / "tmx14.dtd"))


def export_doc(tm: TM, dtd: etree.DTD) -> tuple[bytes, etree._Element]:
    """Export, check it against the TMX 1.4 DTD, and return the bytes and the parsed root."""
    buf = io.BytesIO()
    export_tmx(tm, buf)
    doc = etree.parse(io.BytesIO(buf.getvalue()))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    return buf.getvalue(), doc.getroot()


def state(tm: TM) -> tuple[object, ...]:
    """What a round trip must keep: every unit's text, tags, languages, meta (tuids, props,
    notes, other variants), dates the TU had; the header's props and notes; the source
    language."""
    units = []
    for u in tm.iter_units():
        undated = set(u.meta.get("undated") or ())
        units.append((u.en, u.ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score,
                      None if "creationdate" in undated else u.created,
                      None if "changedate" in undated else u.changed,
                      json.dumps(u.meta, sort_keys=True, ensure_ascii=False)))
    return (sorted(units, key=repr), tm.get_setting(HEADER_SETTING),
            tm.get_setting(SRCLANG_SETTING) or "en")


def imported(tmp_path: Path, name: str, db: str = "tm.db") -> tuple[TM, ImportReport]:
    tm = TM.open(tmp_path / db)
    return tm, import_tmx(tm, DATA / "tools" / name)


def tu_of(root: etree._Element, en: str) -> etree._Element:
    """The exported ``<tu>`` whose English plain text is ``en``."""
    (tu,) = [tu for tu in root.iter("tu") if any(
        "".join(seg.itertext()) == en or seg.xpath("string()") == en
        for seg in tu.xpath("tuv[starts-with(@xml:lang, 'en')]/seg", namespaces=XML_NS))]
    return tu


# ------------------------------------------------------------------ every tool: a round trip
@pytest.mark.parametrize("path", TOOLS, ids=[p.stem for p in TOOLS])
def test_each_tool_imports_exports_valid_and_round_trips(path: Path, tmp_path: Path,
                                                         dtd: etree.DTD) -> None:
    first = TM.open(tmp_path / "first.db")
    report = import_tmx(first, path)
    assert report.added >= 2 and report.skipped_total == 0, str(report)
    exported, _ = export_doc(first, dtd)
    (tmp_path / "export.tmx").write_bytes(exported)
    second = TM.open(tmp_path / "second.db")
    again = import_tmx(second, tmp_path / "export.tmx")
    assert (again.added, again.duplicates, again.skipped_total) == (report.added, 0, 0)
    assert state(second) == state(first)
    assert export_doc(second, dtd)[0] == exported


def test_the_corpus_covers_the_tools_of_the_issue() -> None:
    assert {p.stem for p in TOOLS} == {
        "trados-studio", "tw4win", "memoq", "omegat-1.1", "omegat-1.4-level2",
        "omegat-project-save", "okapi", "heartsome", "matecat", "pontoon", "zanata", "crowdin",
        "swordfish", "translate-toolkit"}
    assert (DATA / "tools" / "tw4win.tmx").read_bytes().startswith(codecs.BOM_UTF16_LE)
    assert (DATA / "tools" / "heartsome.tmx").read_bytes().startswith(codecs.BOM_UTF16_BE)


# ------------------------------------------------------------------ finding 1: markup is identity
def test_variants_that_differ_only_in_markup_are_distinct_units(tmp_path: Path,
                                                                dtd: etree.DTD) -> None:
    tm, report = imported(tmp_path, "tw4win.tmx")
    assert (report.added, report.duplicates, report.merged) == (3, 1, 1)
    simple = sorted(u.en_markup or "" for u in tm.iter_units()
                    if u.en == "A simple sentence about the vote.")
    bold = 'A simple <bpt i="1" type="bold">{\\b </bpt>sentence<ept i="1">}</ept> about the vote.'
    assert simple == ["", bold]
    omegat, report = imported(tmp_path, "omegat-1.4-level2.tmx", "omegat.db")
    assert report.added == 4 and report.duplicates == 0  # plain, <g0>, <b0>, <br1/>
    assert {u.en for u in omegat.iter_units()} == {"Penguins cannot fly."}
    okapi, report = imported(tmp_path, "okapi.tmx", "okapi.db")
    assert report.added == 4
    assert [u.en_markup is None for u in okapi.iter_units()
            if u.en == "Fishing boats returned to the harbour."] == [True, False]


def test_a_duplicates_tuid_and_props_are_merged_and_reported(tmp_path: Path,
                                                             dtd: etree.DTD) -> None:
    tm, report = imported(tmp_path, "pontoon.tmx")
    assert (report.added, report.duplicates, report.merged) == (2, 1, 1)
    assert "1 duplicates (1 merged into the stored unit: TU attributes in 1)" in str(report)
    (save,) = [u for u in tm.iter_units() if u.en == "Save"]
    assert save.meta["attrs"] == [["tuid", "newsreader:app/menu.ftl:menu-save"],
                                  ["srclang", "en-US"],
                                  ["tuid", "newsreader:app/dialog.ftl:dialog-save"]]
    tu = tu_of(export_doc(tm, dtd)[1], "Save")  # one tuid attribute, the other as a prop
    assert tu.get("tuid") == "newsreader:app/menu.ftl:menu-save"
    assert tu.xpath("prop[@type='x-diptych-attr:tuid']/text()") == [
        "newsreader:app/dialog.ftl:dialog-save"]
    sword, report = imported(tmp_path, "swordfish.tmx", "sword.db")
    assert report.merged == 1 and report.merged_keys == {"attrs": 1, "props": 1, "en": 1, "ru": 1}
    (revenue,) = [u for u in sword.iter_units() if u.en.startswith("Revenue")]
    assert ["project", "Quarterly update"] in revenue.meta["props"]
    assert ["project", "Annual report"] in revenue.meta["props"]
    again = import_tmx(sword, DATA / "tools" / "swordfish.tmx")  # nothing new: nothing merged
    assert (again.added, again.duplicates, again.merged) == (0, 3, 0)


def test_an_omegat_alternative_translation_is_a_unit_of_its_own(tmp_path: Path) -> None:
    tm, report = imported(tmp_path, "omegat-project-save.tmx")
    entry = sorted(u.ru for u in tm.iter_units() if u.en == "Entry is free on Sundays.")
    assert entry == ["В воскресенье вход бесплатный.", "По воскресеньям вход свободный."]
    (museum,) = [u for u in tm.iter_units() if u.en == "The museum opens at ten."]
    assert ["file", "city/notices.html"] in museum.meta["props"] and report.merged == 1


# ------------------------------------------------------------------ finding 2: several variants
def test_several_variants_of_a_language_the_srclang_one_is_the_source(tmp_path: Path,
                                                                      dtd: etree.DTD) -> None:
    tm, report = imported(tmp_path, "zanata.tmx")
    assert (report.added, report.variants) == (2, 2)
    assert "2 TUs with several English or Russian variants" in str(report)
    licence = next(u for u in tm.iter_units() if u.ru == "Прочитать лицензию")
    assert (licence.en, licence.en_lang) == ("Read the licence", "en")  # srclang="en"
    assert [(v["lang"], v["text"]) for v in licence.meta["tuv"]] == [
        ("en-US", "Read the license")]
    tu = tu_of(export_doc(tm, dtd)[1], "Read the licence")
    assert tu.xpath("tuv/@xml:lang", namespaces=XML_NS) == ["en", "ru", "en-US"]
    kit, report = imported(tmp_path, "translate-toolkit.tmx", "kit.db")
    assert report.variants == 1
    colour = next(u for u in kit.iter_units() if u.ru == "Настройки цвета")
    assert colour.en_lang == "en-US" and colour.meta["tuv"][0]["lang"] == "en-GB"
    assert colour.meta["notes"] == ["Settings screen title"]


# ------------------------------------------------------------------ finding 3: valid by construction
def test_heartsome_ph_id_comes_out_as_x(tmp_path: Path, dtd: etree.DTD) -> None:
    tm, _ = imported(tmp_path, "heartsome.tmx")
    root = export_doc(tm, dtd)[1]
    assert not root.xpath("//ph/@id") and root.xpath("//ph/@x") == ["1", "1", "2", "3", "2", "3"]
    assert root.xpath("//ph[@x='2']/@type") == ["x-ctype-x-bold"] * 2


EVERY_INLINE = (
    # the DTD's elements, each in each place it may stand, with its attributes
    '<bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>Bold<ept i="1">&lt;/b&gt;</ept> '
    '<it pos="begin" x="2" type="italic">&lt;i&gt;</it>open '
    '<ph x="3" assoc="p" type="image">&lt;img src="a.png" alt="<sub datatype="html" '
    'type="alt">A <hi type="x-term">map</hi> <ph x="9">&lt;br/&gt;</ph></sub>"/&gt;</ph> '
    '<hi x="4" type="x-name">Ivanov <ph>&lt;br/&gt;</ph></hi> <ut x="5">{\\b}</ut> '
    # what tools write that the DTD does not allow
    '<ph id="6" ctype="x-link">&lt;a&gt;</ph> <bpt id="7">[</bpt>x<ept id="7">]</ept> '
    '<bpt type="u">&lt;u&gt;</bpt>u<ept>&lt;/u&gt;</ept> <it x="8">&lt;s&gt;</it>s '
    '<g id="9">grouped</g> <x id="10"/> <ph x="11"><ph x="12">nested</ph></ph> '
    '<sub>loose</sub> <hi xmlns:v="urn:v" v:style="lead" x="13">ns</hi> <mrk mtype="term">t</mrk>')


def test_every_kind_of_inline_markup_exports_dtd_valid(tmp_path: Path, dtd: etree.DTD) -> None:
    src = tmp_path / "inline.tmx"
    src.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" '
        f'datatype="html"/><body><tu><tuv xml:lang="en"><seg>{EVERY_INLINE}</seg></tuv>'
        f'<tuv xml:lang="ru"><seg>Ру {EVERY_INLINE}</seg></tuv></tu></body></tmx>',
        encoding="utf-8")
    first = TM.open(tmp_path / "first.db")
    assert import_tmx(first, src).added == 1
    exported, root = export_doc(first, dtd)
    (seg,) = root.xpath("//tuv[@xml:lang='en']/seg", namespaces=XML_NS)
    assert [el.tag for el in seg.iter()][1:6] == ["bpt", "ept", "it", "ph", "sub"]
    assert not seg.xpath(".//@id | .//g | .//x | .//mrk | ./sub | .//ph/ph")
    assert seg.xpath("count(.//bpt[@i] | .//ept[@i])") == 6  # i supplied where missing
    (tmp_path / "export.tmx").write_bytes(exported)
    second = TM.open(tmp_path / "second.db")
    assert import_tmx(second, tmp_path / "export.tmx").added == 1
    assert state(second) == state(first) and export_doc(second, dtd)[0] == exported


def test_markup_stored_before_is_made_valid_by_the_writer(tmp_path: Path, dtd: etree.DTD) -> None:
    """A memory filled by an older version holds markup as the tool wrote it."""
    tm = TM.open(tmp_path / "old.db")
    tm.add_units([UnitIn("Snow tonight.", "Снег ночью.", en_markup='Snow<ph id="1">&lt;br/&gt;'
                         "</ph> tonight.", ru_markup='<g id="2">Снег</g> ночью.')])
    buf = io.BytesIO()
    header = TMXHeader((("creationtool", "t"), ("creationtoolversion", "1"),
                        ("segtype", "sentence"), ("o-tmf", "t"), ("adminlang", "en"),
                        ("srclang", "en"), ("datatype", "plaintext")))
    write_tmx(buf, header, (unit_to_tmx(u) for u in tm.iter_units()))
    doc = etree.parse(io.BytesIO(buf.getvalue()))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    assert doc.xpath("//ph/@x") == ["1"] and not doc.xpath("//g")


# ------------------------------------------------------------------ finding 4: metadata kept
def test_header_props_notes_and_prop_attributes_survive(tmp_path: Path, dtd: etree.DTD) -> None:
    tm, _ = imported(tmp_path, "memoq.tmx")
    import_tmx(tm, DATA / "tools" / "tw4win.tmx")
    import_tmx(tm, DATA / "tools" / "heartsome.tmx")
    header = export_doc(tm, dtd)[1].find("header")
    assert header is not None
    types = header.xpath("prop/@type")
    assert types[0] == "x-diptych-docs" and {"defclient", "RTFFontTable", "name"} <= set(types)
    assert header.xpath("note/text()") == ["Exported from the newsroom database."]
    trados, _ = imported(tmp_path, "trados-studio.tmx", "trados.db")
    props = export_doc(trados, dtd)[1].xpath("header/prop")
    assert ("x-Desk:SinglePicklist", None) in [(p.get("type"), p.text) for p in props]


def test_a_prop_without_type_keeps_its_name(tmp_path: Path, dtd: etree.DTD) -> None:
    src = tmp_path / "named.tmx"
    src.write_text(
        '<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence"'
        ' o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body><tu>'
        '<prop name="client">Gazette</prop><prop>loose</prop><note lang="en">Checked</note>'
        '<tuv xml:lang="en"><seg>Hello.</seg></tuv><tuv xml:lang="ru"><seg>Привет.</seg></tuv>'
        '</tu></body></tmx>', encoding="utf-8")
    tm = TM.open(tmp_path / "tm.db")
    import_tmx(tm, src)
    tu = export_doc(tm, dtd)[1].find("body/tu")
    assert tu is not None
    assert [(p.get("type"), p.text) for p in tu.iter("prop")][:2] == [
        ("client", "Gazette"), ("x-untyped", "loose")]
    assert tu.xpath("note/@xml:lang", namespaces=XML_NS) == ["en"]
    assert b'type=""' not in etree.tostring(tu)


def test_a_russian_source_memory_exports_russian_source(tmp_path: Path, dtd: etree.DTD) -> None:
    tm, _ = imported(tmp_path, "crowdin.tmx")
    root = export_doc(tm, dtd)[1]
    assert root.xpath("string(header/@srclang)") == "ru"
    assert set(root.xpath("//tu/tuv[1]/@xml:lang", namespaces=XML_NS)) == {"ru"}  # source first
    english = TM.open(tmp_path / "en.db")  # an English-source memory stays English-source
    english.add_units([UnitIn("Hello.", "Привет.")], origin="aligned")
    import_tmx(english, DATA / "tools" / "crowdin.tmx")
    assert export_doc(english, dtd)[1].xpath("string(header/@srclang)") == "en"


def test_dates_only_where_the_tmx_had_them(tmp_path: Path, dtd: etree.DTD) -> None:
    tm, _ = imported(tmp_path, "pontoon.tmx")  # no dates at all
    root = export_doc(tm, dtd)[1]
    assert not root.xpath("//tu/@creationdate | //tu/@changedate")
    crowdin, _ = imported(tmp_path, "crowdin.tmx", "crowdin.db")  # one TU lacks a changedate
    root = export_doc(crowdin, dtd)[1]
    assert root.xpath("//tu/@changedate") == ["20230403T080000Z"]
    (unit,) = [u for u in crowdin.iter_units() if u.en == "%d new stories"]
    crowdin.edit_unit(unit.id, en="%d fresh stories")  # changed here: now that date is known
    assert len(export_doc(crowdin, dtd)[1].xpath("//tu/@changedate")) == 2


# ------------------------------------------------------------------ finding 5: clear words
def test_a_file_with_no_english_russian_tu_fails_and_leaves_no_memory(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    res = CliRunner().invoke(app, ["import", str(DATA / "other" / "german-tamil.tmx"),
                                   "--db", str(db)])
    assert res.exit_code == 1
    (line,) = res.output.strip().splitlines()
    assert "no TU with both an English and a Russian variant" in line
    assert "en in 3, de in 2, ta in 1" in line and "English-Russian" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    kept = TM.open(tmp_path / "kept.db")  # an existing memory stays, unchanged
    kept.add_units([UnitIn("Hello.", "Привет.")])
    kept.close()
    res = CliRunner().invoke(app, ["import", str(DATA / "other" / "german-tamil.tmx"),
                                   "--db", str(tmp_path / "kept.db")])
    assert res.exit_code == 1 and (tmp_path / "kept.db").exists()
    with TM.open(tmp_path / "kept.db", readonly=True) as again:
        assert again.count_units() == 1 and len(again.documents()) == 0


def test_an_encoding_that_is_not_the_declared_one_is_named(tmp_path: Path) -> None:
    src = tmp_path / "mislabelled.tmx"
    src.write_bytes(b'<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="1.4"><header/>'
                    b"<body/></tmx>")
    with pytest.raises(TMXError, match=r'declares encoding="UTF-16" but its bytes are 8-bit'):
        import_tmx(TM.open(tmp_path / "tm.db"), src)
    cyrillic = tmp_path / "cp1251.tmx"  # a code page under a UTF-8 declaration
    cyrillic.write_bytes((DATA / "tools" / "crowdin.tmx").read_text(encoding="utf-8")
                         .encode("cp1251"))
    with pytest.raises(TMXError, match=r'declares encoding="UTF-8" but its bytes are not in '
                                       r"that encoding \(line 7\): .*windows-1251"):
        import_tmx(TM.open(tmp_path / "tm.db"), cyrillic)


def test_translate_toolkit_reads_our_export_of_every_tool(tmp_path: Path, dtd: etree.DTD) -> None:
    tmx_storage = pytest.importorskip("translate.storage.tmx")
    tm = TM.open(tmp_path / "tm.db")
    tm.add_units([UnitIn("Hello.", "Привет.")], origin="aligned")  # English-source memory
    for path in TOOLS:
        import_tmx(tm, path)
    store = tmx_storage.tmxfile.parsestring(export_doc(tm, dtd)[0])
    pairs = {(u.source, u.target) for u in store.units}
    assert len(store.units) == tm.count_units()
    assert ("Heavy snow is expected tonight.<br/>Roads may close.",
            "Ночью ожидается сильный снегопад.<br/>Дороги могут закрыть.") in pairs
    assert ("Read the licence", "Прочитать лицензию") in pairs
