"""TMX 1.4b import into and export from the translation memory, streaming both ways.

    report = import_tmx(tm, Path("memory.tmx"))        # one transaction: all or nothing
    n = export_tmx(tm, sys.stdout.buffer, segtype="sentence")

A ``<tu>`` becomes a unit when it has exactly one English and one Russian variant (any case
or region: ``EN-GB``, ``ru-RU``); everything else in it is kept in the unit's ``meta`` so that
import -> export -> import gives identical units: TU attributes, props and notes, each side's
attributes, props and notes, and variants in other languages. ``creationdate``/``changedate``
map to the unit's created/changed times and ``<prop type="x-diptych-score">`` to its score.

``meta`` layout (keys present only when non-empty)::

    {"attrs": [[name, value], ...],                 # <tu> attributes (tuid, creationid...)
     "props": [[type, value], [type, value, [[name, value], ...]], ...],   # in order
     "notes": ["text", ["text", [[name, value], ...]], ...],
     "en": {"attrs": ..., "props": ..., "notes": ...}, "ru": {...},         # each <tuv>'s own
     "tuv": [{"lang", "text", "markup", "attrs", "props", "notes"}, ...]}  # other languages

Segment text and markup are stripped of surrounding whitespace (CAT tools match exactly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tm.errors import TMXError
from tm.store import TM, DocumentIn, Unit, UnitIn, file_sha256
from tm.tmx_model import (
    Attrs,
    Note,
    Prop,
    TMXHeader,
    TMXUnit,
    TMXVariant,
    iso_to_tmx_date,
    normalize_lang,
    primary_lang,
    tmx_date_to_iso,
)
from tm.tmx_read import SNIFF_BYTES, TMXReader, sniff
from tm.tmx_write import write_tmx, xml_safe

SCORE_PROP = "x-diptych-score"
TOOL = "diptych"

__all__ = ["ImportReport", "export_tmx", "import_tmx", "unit_from_tmx", "unit_to_tmx"]


@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``skipped`` counts TUs left out, by reason."""

    added: int
    duplicates: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    document: int | None = None

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def __str__(self) -> str:
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
        return (f"{self.added} units added, {self.duplicates} duplicates, "
                f"{self.skipped_total} skipped" + (f" ({why})" if why else ""))


# ---------------------------------------------------------------- TMX unit <-> store unit
def _pairs(attrs: Attrs) -> list[list[str]]:
    return [[k, v] for k, v in attrs]


def _props_json(props: tuple[Prop, ...]) -> list[list[Any]]:
    return [[p.type, p.value, _pairs(p.attrs)] if p.attrs else [p.type, p.value] for p in props]


def _notes_json(notes: tuple[Note, ...]) -> list[Any]:
    return [[n.text, _pairs(n.attrs)] if n.attrs else n.text for n in notes]


def _side_json(attrs: Attrs, props: tuple[Prop, ...], notes: tuple[Note, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if attrs:
        out["attrs"] = _pairs(attrs)
    if props:
        out["props"] = _props_json(props)
    if notes:
        out["notes"] = _notes_json(notes)
    return out


def _attrs_of(data: Any) -> Attrs:
    return tuple((str(k), str(v)) for k, v in data or ())


def _props_of(data: Any) -> tuple[Prop, ...]:
    return tuple(Prop(str(p[0]), str(p[1]), _attrs_of(p[2] if len(p) > 2 else ()))
                 for p in data or ())


def _notes_of(data: Any) -> tuple[Note, ...]:
    return tuple(Note(n) if isinstance(n, str) else Note(str(n[0]), _attrs_of(n[1]))
                 for n in data or ())


def _strip(markup: str | None) -> str | None:
    """Inline XML without surrounding whitespace (it lies in text nodes, so XML stays valid)."""
    return None if markup is None else markup.strip()


def unit_from_tmx(tu: TMXUnit) -> UnitIn | str:
    """The store unit for a ``<tu>``, or the reason it cannot be one."""
    by_lang: dict[str, list[TMXVariant]] = {"en": [], "ru": []}
    others = []
    for v in tu.variants:
        side = by_lang.get(primary_lang(v.lang))
        if side is None:
            others.append(v)
        else:
            side.append(v)
    if not by_lang["en"] or not by_lang["ru"]:
        return "without an English or a Russian variant"
    if len(by_lang["en"]) > 1 or len(by_lang["ru"]) > 1:
        return "with several English or Russian variants"
    en, ru = by_lang["en"][0], by_lang["ru"][0]
    if not en.text.strip() or not ru.text.strip():
        return "with an empty segment"
    attrs = dict(tu.attrs)
    created = tmx_date_to_iso(attrs.get("creationdate", ""))
    changed = tmx_date_to_iso(attrs.get("changedate", ""))
    kept = tuple((k, v) for k, v in tu.attrs if not (
        k == "creationdate" and created or k == "changedate" and changed))
    score, props = None, []
    for p in tu.props:
        if p.type == SCORE_PROP and score is None and not p.attrs:
            try:
                score = float(p.value)
                continue
            except ValueError:
                pass
        props.append(p)
    meta = _side_json(kept, tuple(props), tu.notes)
    for name, v in (("en", en), ("ru", ru)):
        extras = _side_json(v.attrs, v.props, v.notes)
        if extras:
            meta[name] = extras
    others = [v for v in others if v.lang]
    if others:
        meta["tuv"] = [dict(lang=normalize_lang(v.lang), text=v.text, markup=v.markup,
                            **_side_json(v.attrs, v.props, v.notes)) for v in others]
    return UnitIn(
        en=en.text, ru=ru.text, score=score,
        en_lang=normalize_lang(en.lang), ru_lang=normalize_lang(ru.lang),
        en_markup=_strip(en.markup), ru_markup=_strip(ru.markup), meta=meta or None,
        created=created, changed=changed)


def unit_to_tmx(unit: Unit) -> TMXUnit:
    """The ``<tu>`` for a stored unit (the inverse of :func:`unit_from_tmx`)."""
    meta = unit.meta or {}
    kept = _attrs_of(meta.get("attrs"))
    attrs: list[tuple[str, str]] = []
    for name, stamp in (("creationdate", unit.created), ("changedate", unit.changed)):
        date = iso_to_tmx_date(stamp or "")
        if date and name not in dict(kept):  # a date TMX could not parse stays verbatim
            attrs.append((name, date))
    attrs += kept
    props = _props_of(meta.get("props"))
    if unit.score is not None:
        props = (Prop(SCORE_PROP, repr(unit.score)),) + props  # shortest exact form
    variants = []
    for lang, text, markup, side in ((unit.en_lang, unit.en, unit.en_markup, meta.get("en")),
                                     (unit.ru_lang, unit.ru, unit.ru_markup, meta.get("ru"))):
        side = side or {}
        variants.append(TMXVariant(normalize_lang(lang), xml_safe(text).strip(), markup,
                                   _attrs_of(side.get("attrs")), _props_of(side.get("props")),
                                   _notes_of(side.get("notes"))))
    for v in meta.get("tuv") or ():
        variants.append(TMXVariant(str(v["lang"]), str(v["text"]), v.get("markup"),
                                   _attrs_of(v.get("attrs")), _props_of(v.get("props")),
                                   _notes_of(v.get("notes"))))
    return TMXUnit(tuple(variants), tuple(attrs), props, _notes_of(meta.get("notes")))


# ---------------------------------------------------------------- import / export
def import_tmx(tm: TM, path: Path, *,
               on_progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a TMX file in ONE transaction: a broken or hostile file changes nothing.

    The file becomes a document (fingerprint: its SHA-256), so ``export --doc`` can select it;
    ``on_progress(n)`` receives the bytes read since the last call.
    """
    reader = TMXReader(path, on_progress=on_progress)
    skipped: Counter[str] = Counter()

    def units() -> Iterator[UnitIn]:
        for tu in reader:
            unit = unit_from_tmx(tu)
            if isinstance(unit, str):
                skipped[f"TUs {unit}"] += 1
            else:
                yield unit

    try:
        with open(path, "rb") as f:  # refuse junk from its first bytes, before hashing it all
            sniff(f.read(SNIFF_BYTES), str(path))
        digest = file_sha256(path)
    except OSError as exc:
        raise TMXError(f"cannot read {path}: {exc.strerror or exc}") from None
    with tm.transaction():
        doc, _ = tm.add_document(DocumentIn(title=path.name, fingerprint="tmx:" + digest))
        counts = tm.add_units(units(), document=doc, origin="imported")
    if counts.skipped:  # the store's own checks (empty after stripping)
        skipped["TUs with an empty segment"] += counts.skipped
    return ImportReport(counts.added, counts.existing, dict(skipped), doc)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("diptych")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def export_header(*, segtype: str = "sentence", version: str = "") -> TMXHeader:
    """diptych's TMX header: English source, plain text, one of TMX's segtypes."""
    return TMXHeader((
        ("creationtool", TOOL), ("creationtoolversion", version or _version()),
        ("segtype", segtype), ("o-tmf", TOOL), ("adminlang", "en"), ("srclang", "en"),
        ("datatype", "plaintext")))


def export_tmx(tm: TM, out: BinaryIO, *, doc: int | None = None, since: str | None = None,
               min_score: float | None = None, segtype: str = "sentence",
               version: str = "") -> int:
    """Stream the (filtered) units to ``out`` as TMX 1.4b; returns how many were written."""
    units = (unit_to_tmx(u) for u in tm.iter_units(doc=doc, since=since, min_score=min_score))
    return write_tmx(out, export_header(segtype=segtype, version=version), units)
