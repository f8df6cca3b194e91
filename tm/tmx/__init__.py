"""TMX 1.4b import into and export from the translation memory, streaming both ways.

May import tm.store, tm.errors and align.output; never tm.search, tm.service, tm.cli or tm.web.

    report = import_tmx(tm, Path("memory.tmx"))        # one transaction: all or nothing
    n = export_tmx(tm, sys.stdout.buffer, segtype="sentence")

Parts: :mod:`tm.tmx.model` (what a TMX file holds), :mod:`tm.tmx.read` (hardened streaming
reader), :mod:`tm.tmx.write` (streaming writer), :mod:`tm.tmx.convert` (``<tu>`` <-> unit),
:mod:`tm.tmx.ahead` (a big file read by a second process while this one stores its units).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from align.output import tool_version
from tm.errors import TMXError
from tm.store import TM, AddCounts, DocumentIn, UnitIn, file_sha256
from tm.tmx.ahead import Parsed, parsed, read_ahead, use_second_process
from tm.tmx.convert import NotAUnit, unit_from_tmx, unit_to_tmx
from tm.tmx.docs import DOCS_HEADER_PROP, doc_props
from tm.tmx.header import SRCLANG_SETTING, keep_header, kept_header
from tm.tmx.model import Prop, TMXHeader
from tm.tmx.read import SNIFF_BYTES, sniff
from tm.tmx.write import write_tmx

TOOL = "diptych"

__all__ = ["ImportReport", "NotAUnit", "export_header", "export_tmx", "import_tmx",
           "unit_from_tmx", "unit_to_tmx"]


@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``skipped`` counts TUs left out, by reason; ``merged`` the
    duplicates whose tuid, props or notes were merged into the stored unit; ``variants`` the
    TUs with several English or Russian variants (the source language's one became the unit's
    side, the others were kept in the unit)."""

    added: int
    duplicates: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    document: int | None = None
    merged: int = 0
    variants: int = 0
    merged_keys: Mapping[str, int] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def __str__(self) -> str:
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
        merged = "" if not self.merged else (
            f" ({self.merged} merged into the stored unit: " + ", ".join(
                f"{_MERGED_WORDS.get(k, k)} in {n}" for k, n in sorted(self.merged_keys.items()))
            + ")")
        variants = (f", {self.variants} TUs with several English or Russian variants (the "
                    "source language's one used, the others kept in the unit)"
                    if self.variants else "")
        return (f"{self.added} units added, {self.duplicates} duplicates{merged}, "
                f"{self.skipped_total} skipped" + (f" ({why})" if why else "") + variants)


# what a duplicate's meta (tm.tmx.convert) added to the stored unit, by meta key
_MERGED_WORDS = {"attrs": "TU attributes", "props": "props", "notes": "notes",
                 "en": "English variant's metadata", "ru": "Russian variant's metadata",
                 "tuv": "other variants"}


# ---------------------------------------------------------------- import / export
def import_tmx(tm: TM, path: Path, *, on_progress: Callable[[int], None] | None = None,
               second_process: bool | None = None) -> ImportReport:
    """Import a TMX file in ONE transaction: a broken or hostile file changes nothing.

    A TU that carries its documents (``x-diptych-doc`` props, as ``export`` writes them) is
    linked to those documents, restored by fingerprint; the others go to a document named after
    the file (fingerprint: its SHA-256), so ``export --doc`` can select them, unless the file is
    a diptych export that lists every TU's documents (a unit without one had none). Drafts written by
    ``pretranslate`` that are not 100% matches (``x-diptych-draft``) are left out and counted.
    ``on_progress(n)`` receives the bytes read since the last call. A big file is read by a
    second process while this one stores its units (tm.tmx.ahead; ``second_process`` forces
    it on or off): the same units either way.
    """
    try:
        with open(path, "rb") as f:  # refuse junk from its first bytes, before hashing it all
            sniff(f.read(SNIFF_BYTES), str(path))
        digest = file_sha256(path)
    except OSError as exc:
        raise TMXError(f"cannot read {path}: {exc.strerror or exc}") from None
    state = Parsed()
    units = (read_ahead if use_second_process(path, second_process) else parsed)(
        path, state, on_progress)
    with tm.transaction():
        fresh = tm.count_units() == 0
        counts, file_doc = _store(tm, units, DocumentIn(title=path.name,
                                                        fingerprint="tmx:" + digest),
                                  lambda: state.header is not None and any(
                                      p.type == DOCS_HEADER_PROP for p in state.header.props))
        if state.tally["tus"] and not state.tally["pairs"]:  # rolls back: nothing of it stays
            raise TMXError(_no_pair(path, state.langs))
        keep_header(tm, state.header, fresh=fresh)
    skipped = state.skipped
    if counts.skipped:  # the store's own checks (empty after stripping)
        skipped["TUs with an empty segment"] += counts.skipped
    return ImportReport(counts.added, counts.existing, dict(skipped), file_doc, counts.merged,
                        state.tally["variants"], counts.merged_keys)


def _no_pair(path: Path, langs: Counter[str]) -> str:
    """The one line for a file without a single English-Russian TU."""
    found = ", ".join(f"{lang} in {n}" for lang, n in langs.most_common(6)) or "none"
    return (f"{path.name} has no TU with both an English and a Russian variant (languages "
            f"found, by TUs: {found}); this memory holds English-Russian pairs: nothing "
            "imported")


def _store(tm: TM, units: Iterable[tuple[UnitIn, list[tuple[DocumentIn, int]], str]],
           file_doc: DocumentIn, listed: Callable[[], bool],
           batch: int = 2000) -> tuple[AddCounts, int | None]:
    """Add units in runs that go to the same document (its first link, else the file's, unless
    ``listed()`` says the file lists every TU's documents); further links are added afterwards.
    Returns the counts and the file's document id."""
    ids: dict[str, int] = {}
    file_id: int | None = None
    totals = [0, 0, 0, 0]
    what: Counter[str] = Counter()
    run: list[UnitIn] = []
    run_doc: int | None = -1
    run_origin = "imported"
    extra: list[tuple[UnitIn, int, int]] = []

    def doc_id(doc: DocumentIn) -> int:
        key = doc.fingerprint or ""
        if key not in ids:
            ids[key] = tm.add_document(doc)[0]
        return ids[key]

    def flush() -> None:
        if run:
            c = tm.add_units(run, document=run_doc, origin=run_origin)  # type: ignore[arg-type]
            totals[0] += c.added
            totals[1] += c.existing
            totals[2] += c.skipped
            totals[3] += c.merged
            what.update(c.merged_keys)
            run.clear()

    for unit, links, origin in units:  # each unit's position is set (tm.tmx.ahead.parsed)
        if links:
            target = doc_id(links[0][0])
            extra += [(unit, doc_id(d), p) for d, p in links[1:]]
        elif listed():
            target = None
        else:
            if file_id is None:
                file_id = doc_id(file_doc)
            target = file_id
        if target != run_doc or origin != run_origin or len(run) >= batch:
            flush()
            run_doc, run_origin = target, origin
        run.append(unit)
    flush()
    for unit, d, p in extra:  # the unit is stored by now: this adds the link
        tm.add_unit(replace(unit, position=p), document=d, origin="imported")
    added, existing, skipped, merged = totals
    return AddCounts(added, existing, skipped, merged, dict(what)), file_id


def export_header(*, segtype: str = "sentence", version: str = "", srclang: str = "en",
                  kept: TMXHeader | None = None) -> TMXHeader:
    """diptych's TMX header: the memory's source language (English unless a TMX said
    otherwise), plain text, one of TMX's segtypes; its ``x-diptych-docs`` prop says each TU
    lists all its documents (tm.tmx.docs); then the props and notes ``kept`` from imports."""
    return TMXHeader((
        ("creationtool", TOOL), ("creationtoolversion", version or tool_version()),
        ("segtype", segtype), ("o-tmf", TOOL), ("adminlang", "en"), ("srclang", srclang),
        ("datatype", "plaintext")), (Prop(DOCS_HEADER_PROP, "yes"),) + (
            kept.props if kept else ()), kept.notes if kept else ())


def export_tmx(tm: TM, out: BinaryIO, *, doc: int | None = None, since: str | None = None,
               min_score: float | None = None, segtype: str = "sentence",
               version: str = "") -> int:
    """Stream the (filtered) units to ``out`` as TMX 1.4b, each with its documents as
    ``x-diptych-doc`` props; returns how many were written."""
    docs = {d.id: d for d in tm.documents()}
    srclang = tm.get_setting(SRCLANG_SETTING) or "en"
    units = (unit_to_tmx(u, extra_props=doc_props(u.docs, docs), srclang=srclang)
             for u in tm.iter_units(doc=doc, since=since, min_score=min_score, with_docs=True))
    header = export_header(segtype=segtype, version=version, srclang=srclang,
                           kept=kept_header(tm))
    return write_tmx(out, header, units)
