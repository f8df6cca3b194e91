"""TMX 1.4b import into and export from the translation memory, streaming both ways.

May import tm.store, tm.errors and align.output; never tm.search, tm.service, tm.cli or tm.web.

    report = import_tmx(tm, Path("memory.tmx"))        # one transaction: all or nothing
    n = export_tmx(tm, sys.stdout.buffer, segtype="sentence")

Parts: :mod:`tm.tmx.model` (what a TMX file holds), :mod:`tm.tmx.read` (hardened streaming
reader), :mod:`tm.tmx.write` (streaming writer), :mod:`tm.tmx.convert` (``<tu>`` <-> unit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from align.output import tool_version
from tm.errors import TMXError
from tm.store import TM, AddCounts, DocumentIn, UnitIn, file_sha256
from tm.tmx.convert import NotAUnit, unit_from_tmx, unit_to_tmx
from tm.tmx.docs import DOCS_HEADER_PROP, doc_props, origin_of, split_props
from tm.tmx.model import Prop, TMXHeader
from tm.tmx.read import SNIFF_BYTES, TMXReader, sniff
from tm.tmx.write import write_tmx

TOOL = "diptych"

__all__ = ["ImportReport", "NotAUnit", "export_header", "export_tmx", "import_tmx",
           "unit_from_tmx", "unit_to_tmx"]


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


# ---------------------------------------------------------------- import / export
DRAFTS_SKIPPED = "draft TUs (pretranslate suggestions, not translations: confirm them in a CAT tool)"


def import_tmx(tm: TM, path: Path, *,
               on_progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a TMX file in ONE transaction: a broken or hostile file changes nothing.

    A TU that carries its documents (``x-diptych-doc`` props, as ``export`` writes them) is
    linked to those documents, restored by fingerprint; the others go to a document named after
    the file (fingerprint: its SHA-256), so ``export --doc`` can select them, unless the file is
    a diptych export that lists every TU's documents (a unit without one had none). Drafts written by
    ``pretranslate`` that are not 100% matches (``x-diptych-draft``) are left out and counted.
    ``on_progress(n)`` receives the bytes read since the last call.
    """
    reader = TMXReader(path, on_progress=on_progress)
    skipped: Counter[str] = Counter()

    def units() -> Iterator[tuple[UnitIn, list[tuple[DocumentIn, int]], str]]:
        for tu in reader:
            links, draft, rest = split_props(tu.props)
            if draft:
                skipped[DRAFTS_SKIPPED] += 1
                continue
            origin, rest = origin_of(rest)
            try:
                yield unit_from_tmx(replace(tu, props=tuple(rest))), links, origin
            except NotAUnit as why:
                skipped[f"TUs {why}"] += 1

    try:
        with open(path, "rb") as f:  # refuse junk from its first bytes, before hashing it all
            sniff(f.read(SNIFF_BYTES), str(path))
        digest = file_sha256(path)
    except OSError as exc:
        raise TMXError(f"cannot read {path}: {exc.strerror or exc}") from None
    with tm.transaction():
        counts, file_doc = _store(tm, units(), DocumentIn(title=path.name,
                                                          fingerprint="tmx:" + digest),
                                  lambda: reader.header is not None and any(
                                      p.type == DOCS_HEADER_PROP for p in reader.header.props))
    if counts.skipped:  # the store's own checks (empty after stripping)
        skipped["TUs with an empty segment"] += counts.skipped
    return ImportReport(counts.added, counts.existing, dict(skipped), file_doc)


def _store(tm: TM, units: Iterable[tuple[UnitIn, list[tuple[DocumentIn, int]], str]],
           file_doc: DocumentIn, listed: Callable[[], bool],
           batch: int = 2000) -> tuple[AddCounts, int | None]:
    """Add units in runs that go to the same document (its first link, else the file's, unless
    ``listed()`` says the file lists every TU's documents); further links are added afterwards.
    Returns the counts and the file's document id."""
    ids: dict[str, int] = {}
    file_id: int | None = None
    totals = [0, 0, 0]
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
            run.clear()

    for position, (unit, links, origin) in enumerate(units):
        if links:
            target, pos = doc_id(links[0][0]), links[0][1]
            extra += [(unit, doc_id(d), p) for d, p in links[1:]]
        elif listed():
            target, pos = None, position
        else:
            if file_id is None:
                file_id = doc_id(file_doc)
            target, pos = file_id, position
        if target != run_doc or origin != run_origin or len(run) >= batch:
            flush()
            run_doc, run_origin = target, origin
        run.append(replace(unit, position=pos))
    flush()
    for unit, d, p in extra:  # the unit is stored by now: this adds the link
        tm.add_unit(replace(unit, position=p), document=d, origin="imported")
    return AddCounts(*totals), file_id


def export_header(*, segtype: str = "sentence", version: str = "") -> TMXHeader:
    """diptych's TMX header: English source, plain text, one of TMX's segtypes; its
    ``x-diptych-docs`` prop says each TU lists all its documents (tm.tmx.docs)."""
    return TMXHeader((
        ("creationtool", TOOL), ("creationtoolversion", version or tool_version()),
        ("segtype", segtype), ("o-tmf", TOOL), ("adminlang", "en"), ("srclang", "en"),
        ("datatype", "plaintext")), (Prop(DOCS_HEADER_PROP, "yes"),))


def export_tmx(tm: TM, out: BinaryIO, *, doc: int | None = None, since: str | None = None,
               min_score: float | None = None, segtype: str = "sentence",
               version: str = "") -> int:
    """Stream the (filtered) units to ``out`` as TMX 1.4b, each with its documents as
    ``x-diptych-doc`` props; returns how many were written."""
    docs = {d.id: d for d in tm.documents()}
    units = (unit_to_tmx(u, extra_props=doc_props(u.docs, docs)) for u in tm.iter_units(
        doc=doc, since=since, min_score=min_score, with_docs=True))
    return write_tmx(out, export_header(segtype=segtype, version=version), units)
