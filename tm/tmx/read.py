"""Streaming, hardened TMX reader: one :class:`~tm.tmx.model.TMXUnit` per ``<tu>``, constant memory.

Reads what OmegaT, Trados and memoQ write (TMX 1.1-1.4b, ``xml:lang`` or the old ``lang``,
UTF-8 or UTF-16 with a BOM). Hostile or broken input raises :class:`~tm.errors.TMXError` with a
one-line message: junk is refused from its first bytes, entities are never expanded or loaded
(no DTD, no network), nesting is capped, and XML errors are reported with their line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from tm.errors import TMXError
from tm.tmx.inline import make_valid
from tm.tmx.model import (
    ATTR_PROP,
    CODE,
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

SNIFF_BYTES = 64 * 1024
MAX_DEPTH = 40  # tmx/body/tu/tuv/seg + inline nesting; real files stay far below
MAX_HELD = 100_000  # elements in one <tu> or <header>; real ones hold a few dozen
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FIRST_TAG = re.compile(r"<(?![?!])([^\s/>]+)")
_DECLARED = re.compile(r"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def _attr_name(name: str) -> str:
    return "xml:" + name[len(_XML_NS):] if name.startswith(_XML_NS) else name


def _attrs(el: etree._Element, skip: tuple[str, ...] = ()) -> Attrs:
    return tuple((_attr_name(k) if k[0] == "{" else k, v) for k, v in el.items()
                 if k not in skip)


def sniff(head: bytes, name: str) -> None:
    """Refuse at once what cannot be TMX, from a file's first bytes (no full read of junk).

    Checks that the start decodes to XML markup, that the root element is ``<tmx>`` when it is
    within reach, and that no entity is declared (entity bombs, external entities).
    """
    if head.startswith(codecs.BOM_UTF8):
        text = head[3:].decode("utf-8", "replace")
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[: len(head) // 2 * 2].decode("utf-16", "replace")
    elif head.startswith((b"<\0", b"\0<")):
        codec = "utf-16-le" if head[0] == 0x3C else "utf-16-be"
        text = head[: len(head) // 2 * 2].decode(codec, "replace")
    else:  # UTF-8 or an ASCII-compatible code page declared in <?xml ... encoding=?>
        text = head.decode("utf-8", "replace")
        declared_as = _DECLARED.match(text)
        if declared_as and declared_as.group(1).lower().replace("-", "").startswith(
                ("utf16", "utf32", "ucs2", "ucs4", "unicode")):
            raise TMXError(
                f"{name} declares encoding=\"{declared_as.group(1)}\" but its bytes are 8-bit "
                "(UTF-8 or a code page): the declaration is wrong; change it to "
                "encoding=\"UTF-8\" (or save the file as UTF-16)")
    start = text.lstrip()
    if not start:
        raise TMXError(f"{name} is empty: pass a TMX file")
    if not start.startswith("<") or "\0" in start[:1024]:
        raise TMXError(f"{name} is not XML (it starts with {start[:16]!r}): pass a TMX 1.4 file")
    prolog = _COMMENT.sub("", start)
    first = _FIRST_TAG.search(prolog)
    if "<!ENTITY" in (prolog if first is None else prolog[: first.start()]):
        raise TMXError(f"{name} declares XML entities, which TMX never needs (an entity bomb or "
                       "an external-entity attack?): refusing it; export it again from your tool")
    if first is not None and first.group(1) != "tmx":
        raise TMXError(f"{name} is XML but not TMX (its root element is <{first.group(1)}>, "
                       "not <tmx>): pass a TMX file")


class _Counting:
    """A binary stream that replays ``head`` first and reports bytes read to ``on_progress``."""

    def __init__(self, raw: BinaryIO, head: bytes,
                 on_progress: Callable[[int], None] | None) -> None:
        self.raw, self.head, self.on_progress, self.count = raw, head, on_progress, 0
        self.eof = False

    def read(self, n: int = -1) -> bytes:
        if self.head:
            data, self.head = (self.head, b"") if n < 0 or n >= len(self.head) else (
                self.head[:n], self.head[n:])
        else:
            data = self.raw.read(n)
            self.eof = self.eof or not data
        self.count += len(data)
        if self.on_progress is not None and data:
            self.on_progress(len(data))
        return data


class TMXReader:
    """Iterate a TMX file's units; ``header`` is set once the ``<header>`` has been read.

    >>> reader = TMXReader(Path("memory.tmx"))           # doctest: +SKIP
    >>> for unit in reader: print(unit.variants[0].text)  # doctest: +SKIP

    ``on_progress(n)`` is called with the size of each chunk read (for a progress bar by
    bytes). Iterating raises :class:`TMXError` on a broken or hostile file.
    """

    def __init__(self, source: Path | BinaryIO, *, name: str | None = None,
                 on_progress: Callable[[int], None] | None = None) -> None:
        self.source = source
        self.name = name or (str(source) if isinstance(source, Path) else "input")
        self.on_progress = on_progress
        self.header: TMXHeader | None = None

    def __iter__(self) -> Iterator[TMXUnit]:
        if isinstance(self.source, Path):
            try:
                with open(self.source, "rb") as f:
                    yield from self._read(f)
            except OSError as exc:
                raise TMXError(f"cannot read {self.name}: {exc.strerror or exc}") from None
        else:
            yield from self._read(self.source)

    def _read(self, raw: BinaryIO) -> Iterator[TMXUnit]:
        head = raw.read(SNIFF_BYTES)
        sniff(head, self.name)
        stream = _Counting(raw, head, self.on_progress)
        etree.clear_error_log()  # lxml keeps earlier parses' errors in it: name only this one's
        events = etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, load_dtd=False,
            no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
        depth = 0
        held = 0  # elements parsed since the tree was last pruned: bounded memory
        try:
            for event, el in events:
                if event == "start":
                    depth += 1
                    held += 1
                    if depth == 1:
                        self._check_root(el)
                    if depth > MAX_DEPTH:
                        raise TMXError(f"{self.name} nests elements more than {MAX_DEPTH} deep "
                                       f"(line {el.sourceline}): not a TMX file; refusing it")
                    if held > MAX_HELD:
                        raise TMXError(f"{self.name} has over {MAX_HELD:,} elements in one <tu> "
                                       f"or <header> (line {el.sourceline}): not a TMX file "
                                       "that diptych can read; refusing it")
                    continue
                depth -= 1
                if el.tag == "tu":
                    yield _unit(el, self.name)
                elif el.tag == "header":
                    self.header = TMXHeader(_attrs(el), *_props_notes(el, self.name))
                if depth == 1 or depth == 2 and el.tag == "tu":
                    # a child of <tmx> or <body> is done: prune it and its siblings (not the
                    # header's props and notes, which the header's end still reads)
                    el.clear(keep_tail=True)
                    parent = el.getparent()
                    if parent is not None:
                        while el.getprevious() is not None:
                            del parent[0]
                    held = 0
        except etree.XMLSyntaxError as exc:
            declared_as = _DECLARED.match(head.decode("latin-1"))
            raise TMXError(_syntax_message(self.name, exc, stream.eof, (
                declared_as.group(1) if declared_as else ""))) from None
        if depth != 0:
            raise TMXError(f"{self.name} ended early: it is truncated; export it again")

    def _check_root(self, root: etree._Element) -> None:
        if root.tag != "tmx":
            raise TMXError(f"{self.name} is XML but not TMX (its root element is <{root.tag}>, "
                           "not <tmx>): pass a TMX file")
        dtd = root.getroottree().docinfo.internalDTD  # entities declared past the sniffed start
        if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
            raise TMXError(f"{self.name} declares XML entities, which TMX never needs (an entity "
                           "bomb or an external-entity attack?): refusing it; export it again "
                           "from your tool")


def _syntax_message(name: str, exc: etree.XMLSyntaxError, at_end: bool, declared_as: str) -> str:
    errors = list(exc.error_log)  # this parse's (_read clears the thread's log first)
    for error in errors:  # bytes the declared (or default) encoding cannot decode
        if "Invalid bytes in character encoding" in error.message:
            said = (f'declares encoding="{declared_as}"' if declared_as
                    else "declares no encoding (so UTF-8)")
            return (f"{name} {said} but its bytes are not in that encoding (line {error.line}):"
                    " the declaration is wrong (a code page such as windows-1251?); save the "
                    "file as UTF-8, or declare the encoding it is in")
    for error in errors:  # without a DOCTYPE, libxml2 stops at the entity: not a truncation
        if error.type == etree.ErrorTypes.ERR_UNDECLARED_ENTITY:
            entity = re.search(r"'([^']*)'", error.message)
            what = f"&{entity.group(1)};" if entity else "an XML entity"
            return (f"{name} uses {what} (line {error.line}), an XML entity that TMX never "
                    "needs and the file does not declare: replace it with the character")
    msg = (exc.msg or "").split(", line ")[0]
    if errors and (not msg or msg == "no element found"):
        msg = errors[0].message
    line = exc.position[0] if exc.position and exc.position[0] else (
        errors[0].line if errors else "?")
    if at_end:
        return (f"{name} is truncated or damaged near its end (line {line}: {msg}): export it "
                "again from your tool")
    return f"{name} is not well-formed XML (line {line}: {msg}): export it again from your tool"


def _text(el: etree._Element, name: str) -> str:
    """The text of a ``<prop>`` or ``<note>`` (character content only)."""
    for child in el:
        if isinstance(child, etree._Entity):
            _refuse_entity(child, name)
    return "".join(el.itertext())


def _refuse_entity(node: etree._Entity, name: str) -> None:
    raise TMXError(f"{name} uses the XML entity {node.text} (line {node.sourceline}), which TMX "
                   "never needs and is not expanded, for safety: replace it with the character")


UNTYPED = "x-untyped"
"""The type of a ``<prop>`` that has neither ``type`` (which the DTD requires) nor ``name``."""


def _prop(el: etree._Element, name: str) -> Prop:
    """A ``<prop>``; without ``type`` its ``name`` (as some tools write it) is the type."""
    attrs = dict(_attrs(el, ("type",)))
    kind = el.get("type") or attrs.pop("name", "") or UNTYPED
    return Prop(kind, _text(el, name), tuple(attrs.items()))


def _lang_attr(attrs: Attrs) -> Attrs:
    """``lang`` (TMX 1.1) as ``xml:lang`` unless both are there."""
    names = {k for k, _ in attrs}
    return tuple(("xml:lang" if k == "lang" and "xml:lang" not in names else k, v)
                 for k, v in attrs)


def _props_notes(el: etree._Element, name: str) -> tuple[tuple[Prop, ...], tuple[Note, ...]]:
    props, notes = [], []
    for child in el:
        if child.tag == "prop":
            p = _prop(child, name)
            props.append(Prop(p.type, p.value, _lang_attr(p.attrs)))
        elif child.tag == "note":
            notes.append(Note(_text(child, name), _lang_attr(_attrs(child))))
    return tuple(props), tuple(notes)


def _canonical(attrs: Attrs, props: tuple[Prop, ...],
               allowed: frozenset[str]) -> tuple[Attrs, tuple[Prop, ...]]:
    """Attributes in one order whatever their transport: those the DTD declares first, then
    the others, then those carried as ``x-diptych-attr:`` props (see tm.tmx.write)."""
    carried: Attrs = ()
    if props and any(p.type.startswith(ATTR_PROP) for p in props):
        carried = tuple((p.type[len(ATTR_PROP):], p.value) for p in props
                        if p.type.startswith(ATTR_PROP))
        props = tuple(p for p in props if not p.type.startswith(ATTR_PROP))
    others = tuple(a for a in attrs if not declared(*a, allowed))
    if others:
        attrs = tuple(a for a in attrs if declared(*a, allowed)) + others
    return attrs + carried, props  # carried: also a merged duplicate's second tuid


def _unit(tu: etree._Element, name: str) -> TMXUnit:
    for node in tu.iter(etree.Entity):
        _refuse_entity(node, name)
    variants = []
    for tuv in tu:  # a loop over the children: lxml's find() and iterchildren() cost 3x more
        if tuv.tag != "tuv":
            continue
        lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
        seg = next((c for c in tuv if c.tag == "seg"), None)
        text, markup = ("", None) if seg is None else _segment(seg)
        props, notes = _props_notes(tuv, name) if len(tuv) > 1 or seg is None else ((), ())
        attrs, props = _canonical(_attrs(tuv, (XML_LANG, "lang")), props, TUV_ATTRS)
        variants.append(TMXVariant(lang.strip(), text, markup, attrs, props, notes))
    props, notes = _props_notes(tu, name)
    attrs, props = _canonical(_attrs(tu), props, TU_ATTRS)
    return TMXUnit(tuple(variants), attrs, props, notes)


def _segment(seg: etree._Element) -> tuple[str, str | None]:
    """Plain text and, if the segment has inline tags, its inner XML made to fit the DTD
    (tm.tmx.inline: unknown tags unwrapped, foreign attributes moved)."""
    if len(seg) == 0:
        return seg.text or "", None
    make_valid(seg)
    text = _plain(seg)
    if len(seg) == 0:
        return text, None
    xml = etree.tostring(seg, encoding="unicode", with_tail=False)
    return text, xml[xml.index(">") + 1: xml.rindex("</seg>")]


def _plain(el: etree._Element) -> str:
    """Text for search: ``<hi>`` content kept; native codes (bpt/ept/ph/it/ut) and ``<sub>``
    flows left out."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in CODE and child.tag != "sub":
            parts.append(_plain(child))
        parts.append(child.tail or "")
    return "".join(parts)
