"""A ``<tu>`` as a store unit and back, keeping everything else in the unit's ``meta``.

A ``<tu>`` becomes a unit when it has an English and a Russian variant (any case or region:
``EN-GB``, ``ru-RU``; of several, the source language's, see :func:`unit_from_tmx`); everything else in it is kept in the unit's ``meta`` so that
import -> export -> import gives identical units: TU attributes, props and notes, each side's
attributes, props and notes, and variants in other languages. ``creationdate``/``changedate``
map to the unit's created/changed times and ``<prop type="x-diptych-score">`` to its score.

``meta`` layout (keys present only when non-empty)::

    {"attrs": [[name, value], ...],                 # <tu> attributes (tuid, creationid...)
     "props": [[type, value], [type, value, [[name, value], ...]], ...],   # in order
     "notes": ["text", ["text", [[name, value], ...]], ...],
     "en": {"attrs": ..., "props": ..., "notes": ...}, "ru": {...},         # each <tuv>'s own
     "tuv": [{"lang", "text", "markup", "attrs", "props", "notes"}, ...],  # other variants
     "undated": ["creationdate", "changedate"]}     # dates the TU lacked: never exported

Segment text and markup are stripped of surrounding whitespace (CAT tools match exactly).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from align.clean import clean_text
from tm.store import MAX_SEGMENT, Unit, UnitIn
from tm.store.actor import MAX_NAME
from tm.tmx.docs import KEPT_ORIGINS, ORIGIN_PROP
from tm.tmx.model import (
    Attrs,
    Note,
    Prop,
    TMXUnit,
    TMXVariant,
    iso_to_tmx_date,
    normalize_lang,
    primary_lang,
    tmx_date_to_iso,
)
from tm.tmx.write import xml_safe

SCORE_PROP = "x-diptych-score"
UNDATED = "undated"
"""``meta`` key: the TMX dates a TU did not have (the store stamps the import time instead)."""
PEOPLE = ("creationid", "changeid")
"""The TU attributes naming who made and who last changed it: the unit's created_by and
changed_by (the CAT tools' convention: Trados, memoQ and OmegaT write the user's name)."""


class NotAUnit(Exception):
    """A ``<tu>`` that cannot be a unit; ``str(exc)`` says why ("without a Russian variant")."""


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


def _pick(variants: list[TMXVariant], srclang: str) -> TMXVariant:
    """Of several variants of one language, the one ``srclang`` names (the source side), else
    the first with text, else the first."""
    want = normalize_lang(srclang)
    return next((v for v in variants if normalize_lang(v.lang) == want), None) or next(
        (v for v in variants if v.text.strip()), variants[0])


def unit_from_tmx(tu: TMXUnit, srclang: str = "", position: int | None = None) -> UnitIn:
    """The store unit for a ``<tu>`` (at ``position`` in its document, if given);
    :class:`NotAUnit` says why it cannot be one.

    Of several variants of one language (Zanata's ``en`` + ``en-US``, translate-toolkit's
    ``en-US`` + ``en-GB``) the one the TU's ``srclang`` (else ``srclang``, the header's) names
    is the unit's side, else the first; the others are kept with the other languages' variants
    (``meta["tuv"]``) and exported in the same ``<tu>``."""
    by_lang: dict[str, list[TMXVariant]] = {"en": [], "ru": []}
    for v in tu.variants:
        by_lang.get(primary_lang(v.lang), []).append(v)
    if not by_lang["en"] or not by_lang["ru"]:
        raise NotAUnit("without an English or a Russian variant")
    source = dict(tu.attrs).get("srclang") or srclang
    en, ru = _pick(by_lang["en"], source), _pick(by_lang["ru"], source)
    others = [v for v in tu.variants if v is not en and v is not ru]
    en_text, ru_text = clean_text(en.text), clean_text(ru.text)  # controls dropped at input
    if not en_text.strip() or not ru_text.strip():
        raise NotAUnit("with an empty segment")
    if max(len(en.text), len(ru.text)) > MAX_SEGMENT or \
            max(len(en.markup or ""), len(ru.markup or "")) > 2 * MAX_SEGMENT:
        raise NotAUnit(f"with a segment over {MAX_SEGMENT:,} characters")
    attrs = dict(tu.attrs)
    created = tmx_date_to_iso(attrs.get("creationdate", ""))
    changed = tmx_date_to_iso(attrs.get("changedate", ""))
    made_by, changed_by = (attrs.get(k, "").strip()[:MAX_NAME] or None for k in PEOPLE)
    kept = tuple((k, v) for k, v in tu.attrs if not (
        k == "creationdate" and created or k == "changedate" and changed or
        k in PEOPLE and v.strip()))
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
    undated = [k for k in ("creationdate", "changedate") if k not in attrs]
    if undated:  # so that export writes no date the file did not have (the import time)
        meta[UNDATED] = undated
    for name, v in (("en", en), ("ru", ru)):
        extras = _side_json(v.attrs, v.props, v.notes)
        if extras:
            meta[name] = extras
    others = [v for v in others if v.lang]
    if others:
        meta["tuv"] = [dict(lang=normalize_lang(v.lang), text=v.text, markup=v.markup,
                            **_side_json(v.attrs, v.props, v.notes)) for v in others]
    return UnitIn(
        en=en_text, ru=ru_text, score=score,
        en_lang=normalize_lang(en.lang), ru_lang=normalize_lang(ru.lang),
        en_markup=_strip(en.markup), ru_markup=_strip(ru.markup), meta=meta or None,
        created=created, changed=changed, created_by=made_by, changed_by=changed_by,
        position=position)


def unit_to_tmx(unit: Unit, extra_props: Sequence[tuple[str, str]] = (),
                srclang: str = "en") -> TMXUnit:
    """The ``<tu>`` for a stored unit (the inverse of :func:`unit_from_tmx`), with
    ``extra_props`` (``(type, value)``: its documents, tm.tmx.docs) after its own props. The
    source side's variant comes first (the TU's own ``srclang``, else ``srclang``, the
    memory's): some tools take the first ``<tuv>`` for the source."""
    meta = unit.meta or {}
    kept = _attrs_of(meta.get("attrs"))
    attrs: list[tuple[str, str]] = []
    undated = set(meta.get(UNDATED) or ())
    if "changedate" in undated and unit.changed != unit.created:
        undated.discard("changedate")  # changed here since: that date is known
    for name, stamp in (("creationdate", unit.created), ("changedate", unit.changed)):
        date = iso_to_tmx_date(stamp or "")
        if date and name not in dict(kept) and name not in undated:
            # a date TMX could not parse stays verbatim; one the TU lacked is not invented
            attrs.append((name, date))
    for name, who in zip(PEOPLE, (unit.created_by, unit.changed_by), strict=True):
        if who and name not in dict(kept):
            attrs.append((name, xml_safe(who)))
    attrs += kept
    props = _props_of(meta.get("props"))
    if unit.score is not None:
        props = (Prop(SCORE_PROP, repr(unit.score)),) + props  # shortest exact form
    if unit.origin in KEPT_ORIGINS:
        props = (Prop(ORIGIN_PROP, unit.origin),) + props
    props += tuple(Prop(t, v) for t, v in extra_props)
    variants = []
    for lang, text, markup, side in ((unit.en_lang, unit.en, unit.en_markup, meta.get("en")),
                                     (unit.ru_lang, unit.ru, unit.ru_markup, meta.get("ru"))):
        side = side or {}
        variants.append(TMXVariant(normalize_lang(lang), xml_safe(text).strip(), markup,
                                   _attrs_of(side.get("attrs")), _props_of(side.get("props")),
                                   _notes_of(side.get("notes"))))
    if primary_lang(dict(kept).get("srclang") or srclang) == "ru":
        variants.reverse()
    for v in meta.get("tuv") or ():
        variants.append(TMXVariant(str(v["lang"]), str(v["text"]), v.get("markup"),
                                   _attrs_of(v.get("attrs")), _props_of(v.get("props")),
                                   _notes_of(v.get("notes"))))
    return TMXUnit(tuple(variants), tuple(attrs), props, _notes_of(meta.get("notes")))
