"""What a memory keeps of the headers of the TMX files imported into it, for its exports.

* The source language: the first TMX imported into an empty memory sets it from its header's
  ``srclang`` (when that is English or Russian: its primary subtag, as a region would not
  match the other units' tags), so a memory made from a Russian-source TMX exports
  ``srclang="ru"``; otherwise exports say ``en`` (alignment
  pairs have no direction, and English is the newsroom's source).
* Header props and notes (SDL Trados field definitions, memoQ's ``defclient``, Translator's
  Workbench's font table, ...): every imported file's, in order, each once; exports write
  them after diptych's own. diptych's own props (``x-diptych-*``) are not kept.

Both live in the memory's settings (``tmx.srclang``, ``tmx.header``: JSON).
"""

from __future__ import annotations

import json
from typing import Any

from tm.store import TM
from tm.tmx.model import Note, Prop, TMXHeader, primary_lang

SRCLANG_SETTING = "tmx.srclang"
HEADER_SETTING = "tmx.header"
_OURS = "x-diptych-"


def keep_header(tm: TM, header: TMXHeader | None, *, fresh: bool) -> None:
    """Remember ``header``'s source language (``fresh``: the memory was empty before this
    import) and its props and notes. Call inside the import's transaction."""
    if header is None:
        return
    src = primary_lang(header.get("srclang"))  # a region would not match other units' tags
    if fresh and src in ("en", "ru") and tm.get_setting(SRCLANG_SETTING) is None:
        tm.set_setting(SRCLANG_SETTING, src)
    props = [_prop_json(p) for p in header.props if not p.type.startswith(_OURS)]
    notes = [_note_json(n) for n in header.notes]
    if not props and not notes:
        return
    kept = _load(tm)
    more_props = [p for p in props if p not in kept["props"]]
    more_notes = [n for n in notes if n not in kept["notes"]]
    if more_props or more_notes:
        kept["props"] += more_props
        kept["notes"] += more_notes
        tm.set_setting(HEADER_SETTING, json.dumps(kept, ensure_ascii=False))


def kept_header(tm: TM) -> TMXHeader:
    """The props and notes kept from imported headers (attributes: none)."""
    kept = _load(tm)
    return TMXHeader((), tuple(Prop(str(p[0]), str(p[1]), tuple((str(k), str(v)) for k, v in p[2]))
                               for p in kept["props"]),
                     tuple(Note(str(n[0]), tuple((str(k), str(v)) for k, v in n[1]))
                           for n in kept["notes"]))


def _load(tm: TM) -> dict[str, list[Any]]:
    try:
        data = json.loads(tm.get_setting(HEADER_SETTING) or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {"props": list(data.get("props") or []), "notes": list(data.get("notes") or [])}


def _prop_json(p: Prop) -> list[Any]:
    return [p.type, p.value, [list(a) for a in p.attrs]]


def _note_json(n: Note) -> list[Any]:
    return [n.text, [list(a) for a in n.attrs]]
