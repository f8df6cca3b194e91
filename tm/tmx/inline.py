"""Inline markup made to fit the TMX 1.4 DTD, whatever a CAT tool wrote: valid by construction.

The reader applies :func:`make_valid` to every ``<seg>`` before it is stored, and the writer
applies it again to what it exports (markup stored by older versions, or edited), so an export
always validates against the DTD and import -> export -> import keeps the same tags.

What it changes (everything else is kept verbatim):

* an element the DTD does not allow where it stands (``<g0>``, ``<x/>``, a ``<ph>`` inside a
  ``<ph>``, a ``<sub>`` right in the segment) is unwrapped: its text stays, its tags go;
* an attribute the DTD does not declare on that element is moved to where TMX has room for it:
  ``id`` (Heartsome's ``<ph id="1">``) becomes ``i`` of a ``<bpt>``/``<ept>`` that lacks one, else
  ``x`` (TMX's own matching number); any other, or an ``id`` with no free slot, is folded into a
  free ``type`` as ``x-NAME-VALUE``; only when ``type`` is taken too is it dropped (counted);
* a required attribute that is missing is supplied: a ``<bpt>`` without ``i`` takes the next
  free number and its ``<ept>`` the same (paired by nesting order); an ``<it>`` without a valid
  ``pos`` becomes a ``<ph>`` (an isolated code either way).
"""

from __future__ import annotations

from lxml import etree

from tm.tmx.model import CHILDREN, INLINE_ATTRS

_UNWRAP = "x-diptych-unwrap"  # a name no TMX element has: strip_tags removes exactly those


def make_valid(seg: etree._Element) -> int:
    """Make ``seg`` (a ``<seg>`` element) fit the DTD in place; returns how many attributes had
    no room and were dropped (0 for what CAT tools write)."""
    _children(seg)
    dropped = 0
    for el in seg.iterdescendants():
        dropped += _attributes(el)
    _pair_codes(seg)
    etree.cleanup_namespaces(seg)  # declarations of the prefixes that went away
    return dropped


def _children(el: etree._Element) -> None:
    """Unwrap, level by level, every child the DTD does not allow in ``el``."""
    allowed = CHILDREN.get(str(el.tag), frozenset())
    while True:
        bad = [c for c in el if c.tag not in allowed]
        if not bad:
            break
        for c in bad:
            c.tag = _UNWRAP
        etree.strip_tags(el, _UNWRAP)
    for child in el:
        _children(child)


def _attributes(el: etree._Element) -> int:
    """Keep the attributes ``el`` may have; move the others (see the module docstring)."""
    if el.tag == "it" and el.get("pos") not in ("begin", "end"):
        el.tag = "ph"  # an isolated code without a valid side: a placeholder
        if "pos" in el.attrib:
            del el.attrib["pos"]
    allowed = INLINE_ATTRS[str(el.tag)]
    attrs = [(etree.QName(k).localname if k.startswith("{") else k, v)
             for k, v in el.attrib.items()]
    keep = {k: v for k, v in attrs if k in allowed}
    dropped = 0
    for name, value in attrs:
        if name in allowed:
            continue
        slot: str | None = next(
            (s for s in ("i", "x") if name == "id" and s in allowed and s not in keep), None)
        if slot is None and "type" in allowed and "type" not in keep:
            slot, value = "type", f"x-{name}-{value}"
        if slot is None:
            dropped += 1
        else:
            keep[slot] = value
    el.attrib.clear()
    for name in allowed:  # the DTD's order
        if name in keep:
            el.set(name, keep[name])
    return dropped


def _pair_codes(seg: etree._Element) -> None:
    """Give a ``<bpt>``/``<ept>`` without ``i`` one: the next free number, the same for the
    ``<ept>`` that closes that ``<bpt>`` (nesting order)."""
    codes = [el for el in seg.iter("bpt", "ept")]
    if all(el.get("i") is not None for el in codes):
        return
    used = [int(i) for el in codes if (i := el.get("i") or "").isdigit()]
    free = max(used, default=0) + 1
    open_: list[str] = []
    for el in codes:
        i = el.get("i")
        if el.tag == "bpt":
            if i is None:
                i, free = str(free), free + 1
                el.set("i", i)
            open_.append(i)
        elif i is None:
            if open_:
                i = open_.pop()
            else:
                i, free = str(free), free + 1
            el.set("i", i)
        elif open_ and open_[-1] == i:  # O(1): a hostile segment may hold 100,000 codes
            open_.pop()
    for el in codes:  # i first, as the DTD lists it
        attrs = dict(el.attrib)
        el.attrib.clear()
        el.set("i", attrs.pop("i"))
        for k, v in attrs.items():
            el.set(k, v)
