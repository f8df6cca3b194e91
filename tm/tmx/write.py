"""Streaming TMX 1.4b writer: lxml's incremental ``xmlfile``, one ``<tu>`` at a time.

The output follows the TMX 1.4b DTD: ``<header>`` with its seven required attributes, and in
each ``<tu>``/``<tuv>`` the notes and props before the variants/segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO

from lxml import etree

from tm.errors import TMXError
from tm.tmx.inline import make_valid
from tm.tmx.model import (
    ATTR_PROP,
    NOTE_PROP_ATTRS,
    SEGTYPES,
    TU_ATTRS,
    TUV_ATTRS,
    XML_LANG,
    Attrs,
    Note,
    Prop,
    TMXHeader,
    TMXUnit,
    TMXVariant,
    declared,
)
from tm.tmx.read import UNTYPED

HEADER_REQUIRED = ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang",
                   "srclang", "datatype")
# characters XML 1.0 cannot carry (C0 controls but tab/newline/CR, surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SEG_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                              huge_tree=False, remove_comments=True, remove_pis=True)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (form feeds, NULs...)."""
    return _NOT_XML.sub("", text)


def _qname(name: str) -> str:
    return XML_LANG if name == "xml:lang" else name


def _set_attrs(el: etree._Element, attrs: Attrs, allowed: frozenset[str]) -> tuple[Prop, ...]:
    """Set the attributes the DTD declares; return the others as ``x-diptych-attr:`` props
    (also a second value of one name: a merged duplicate's ``tuid``)."""
    extra = []
    for name, value in attrs:
        if declared(name, value, allowed) and el.get(_qname(name)) is None:
            el.set(_qname(name), xml_safe(value))
        else:
            extra.append(Prop(ATTR_PROP + name, value))
    return tuple(extra)


def _add_notes_props(el: etree._Element, notes: tuple[Note, ...], props: tuple[Prop, ...]) -> None:
    """Notes then props; their attributes the DTD does not declare are left out."""
    for note in notes:
        n = etree.SubElement(el, "note")
        _set_attrs(n, note.attrs, NOTE_PROP_ATTRS)
        n.text = xml_safe(note.text)
    for prop in props:
        p = etree.SubElement(el, "prop", type=prop.type or UNTYPED)  # the DTD requires a type
        _set_attrs(p, prop.attrs, NOTE_PROP_ATTRS)
        p.text = xml_safe(prop.value)


def _seg(tuv: etree._Element, v: TMXVariant) -> None:
    if v.markup is not None:
        try:
            seg = etree.fromstring(f"<seg>{v.markup}</seg>", _SEG_PARSER)
        except etree.XMLSyntaxError as exc:
            raise TMXError(f"stored inline markup is not XML ({exc.msg}): {v.markup[:60]!r}; "
                           "edit or delete that unit") from None
        make_valid(seg)  # markup stored before the reader made it valid, or edited
        tuv.append(seg)
    else:
        etree.SubElement(tuv, "seg").text = xml_safe(v.text)


def tu_element(unit: TMXUnit) -> etree._Element:
    """The ``<tu>`` element of a unit, children in DTD order."""
    tu = etree.Element("tu")
    extra = _set_attrs(tu, unit.attrs, TU_ATTRS)
    _add_notes_props(tu, unit.notes, unit.props + extra)
    for v in unit.variants:
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: v.lang})
        extra = _set_attrs(tuv, v.attrs, TUV_ATTRS)
        _add_notes_props(tuv, v.notes, v.props + extra)
        _seg(tuv, v)
    return tu


def write_tmx(out: BinaryIO, header: TMXHeader, units: Iterable[TMXUnit]) -> int:
    """Write a TMX 1.4b document to ``out`` as ``units`` stream in; returns the unit count."""
    attrs = dict(header.attrs)
    missing = [a for a in HEADER_REQUIRED if not attrs.get(a)]
    if missing:
        raise TMXError(f"TMX header lacks {', '.join(missing)}: set them before exporting")
    if attrs["segtype"] not in SEGTYPES:
        raise TMXError(f"segtype {attrs['segtype']!r} is not one of {', '.join(SEGTYPES)}")
    ordered = [(a, attrs[a]) for a in HEADER_REQUIRED]
    ordered += [(k, v) for k, v in header.attrs if k not in HEADER_REQUIRED]
    head = etree.Element("header")
    for name, value in ordered:
        head.set(name, xml_safe(value))
    _add_notes_props(head, header.notes, header.props)
    n = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", version="1.4"):
            xf.write("\n", head, "\n")
            with xf.element("body"):
                xf.write("\n")
                for unit in units:
                    xf.write(tu_element(unit), "\n")
                    n += 1
            xf.write("\n")
    return n
