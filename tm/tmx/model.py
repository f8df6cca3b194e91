"""What a TMX 1.4b file holds, as immutable values shared by the reader and the writer.

A :class:`TMXUnit` is one ``<tu>``: its attributes, props and notes in document order, and one
:class:`TMXVariant` per ``<tuv>`` with the plain text (inline codes stripped, ``<hi>`` text
kept) and, when the segment carries inline tags, the ``<seg>`` inner XML verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Attrs = tuple[tuple[str, str], ...]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# inline elements a <seg> may hold (TMX 1.4b section 3.7); <sub> only inside the code elements
INLINE = frozenset({"bpt", "ept", "ph", "it", "hi", "ut", "sub"})
# elements whose content is native code (not text): stripped from the plain text
CODE = frozenset({"bpt", "ept", "ph", "it", "ut"})
# the TMX 1.4 DTD's inline content model: the children each element may hold, and each inline
# element's attributes (required ones first); tm.tmx.inline makes any segment fit it
CHILDREN: dict[str, frozenset[str]] = {
    "seg": frozenset({"bpt", "ept", "ph", "it", "hi", "ut"}),
    "hi": frozenset({"bpt", "ept", "ph", "it", "hi", "ut"}),
    "sub": frozenset({"bpt", "ept", "ph", "it", "hi", "ut"}),
    **{code: frozenset({"sub"}) for code in ("bpt", "ept", "ph", "it", "ut")}}
INLINE_ATTRS: dict[str, tuple[str, ...]] = {
    "bpt": ("i", "x", "type"), "ept": ("i",), "it": ("pos", "x", "type"),
    "ph": ("x", "assoc", "type"), "hi": ("x", "type"), "ut": ("x",), "sub": ("datatype", "type")}
# attributes the TMX 1.4 DTD declares (xml:lang of <tuv> is TMXVariant.lang)
_COMMON = ("o-encoding", "datatype", "usagecount", "lastusagedate", "creationtool",
           "creationtoolversion", "creationdate", "creationid", "changedate", "changeid", "o-tmf")
TU_ATTRS = frozenset(_COMMON + ("tuid", "segtype", "srclang"))
TUV_ATTRS = frozenset(_COMMON)
NOTE_PROP_ATTRS = frozenset({"xml:lang", "o-encoding"})
SEGTYPES = ("block", "paragraph", "sentence", "phrase")
# an attribute the DTD does not declare travels as <prop type="x-diptych-attr:NAME">value</prop>
ATTR_PROP = "x-diptych-attr:"


def declared(name: str, value: str, allowed: frozenset[str]) -> bool:
    """Whether ``name="value"`` is valid on an element whose DTD attributes are ``allowed``."""
    return name in allowed and (name != "segtype" or value in SEGTYPES)


@dataclass(frozen=True)
class Prop:
    """``<prop type="...">value</prop>``; ``attrs`` holds its other attributes (xml:lang...)."""

    type: str
    value: str
    attrs: Attrs = ()


@dataclass(frozen=True)
class Note:
    """``<note>text</note>`` with its attributes."""

    text: str
    attrs: Attrs = ()


@dataclass(frozen=True)
class TMXVariant:
    """One ``<tuv>``: BCP 47 language, plain text, ``<seg>`` inner XML if it has inline tags."""

    lang: str
    text: str
    markup: str | None = None
    attrs: Attrs = ()
    props: tuple[Prop, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class TMXUnit:
    """One ``<tu>`` with its variants in document order."""

    variants: tuple[TMXVariant, ...]
    attrs: Attrs = ()
    props: tuple[Prop, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class TMXHeader:
    """The ``<header>`` attributes, props and notes (``<ude>`` maps are not kept)."""

    attrs: Attrs = ()
    props: tuple[Prop, ...] = ()
    notes: tuple[Note, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return dict(self.attrs).get(name, default)


_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")


@lru_cache(maxsize=1024)  # a file holds a handful of distinct codes
def normalize_lang(code: str) -> str:
    """A language code in BCP 47 case: ``EN-gb`` -> ``en-GB``, ``ru_ru`` -> ``ru-RU``,
    ``zh-hant-tw`` -> ``zh-Hant-TW``. Codes that are not tags are returned stripped, unchanged."""
    parts = code.strip().replace("_", "-").split("-")
    if not all(_SUBTAG.fullmatch(p) for p in parts):
        return code.strip()
    out = [parts[0].lower()]
    extension = False  # after a singleton (x-..., u-...) every subtag stays lower case
    for p in parts[1:]:
        extension = extension or len(p) == 1
        if not extension and (len(p) == 2 and p.isalpha() or len(p) == 3 and p.isdigit()):
            out.append(p.upper())  # region
        elif not extension and len(p) == 4 and p.isalpha():
            out.append(p.title())  # script
        else:
            out.append(p.lower())
    return "-".join(out)


@lru_cache(maxsize=1024)
def primary_lang(code: str) -> str:
    """The primary language subtag, lower case: ``EN-GB`` -> ``en``."""
    return code.strip().replace("_", "-").split("-")[0].lower()


_TMX_DATE = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z")
_ISO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")


def tmx_date_to_iso(value: str) -> str | None:
    """``20240131T120000Z`` -> ``2024-01-31T12:00:00Z``; None if not in TMX's date format."""
    m = _TMX_DATE.fullmatch(value)
    return None if m is None else "{}-{}-{}T{}:{}:{}Z".format(*m.groups())


def iso_to_tmx_date(value: str) -> str | None:
    """``2024-01-31T12:00:00Z`` -> ``20240131T120000Z``; None if not in that ISO form."""
    m = _ISO_DATE.fullmatch(value)
    return None if m is None else "{}{}{}T{}{}{}Z".format(*m.groups())
