"""TMX 1.4b import into and export from the translation memory, streaming both ways.

    report = import_tmx(tm, Path("memory.tmx"))        # one transaction: all or nothing
    n = export_tmx(tm, sys.stdout.buffer, segtype="sentence")

Parts: :mod:`tm.tmx.model` (what a TMX file holds), :mod:`tm.tmx.read` (hardened streaming
reader), :mod:`tm.tmx.write` (streaming writer), :mod:`tm.tmx.convert` (``<tu>`` <-> unit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from align.output import tool_version
from tm.errors import TMXError
from tm.store import TM, DocumentIn, UnitIn, file_sha256
from tm.tmx.convert import NotAUnit, unit_from_tmx, unit_to_tmx
from tm.tmx.model import TMXHeader
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
            try:
                yield unit_from_tmx(tu)
            except NotAUnit as why:
                skipped[f"TUs {why}"] += 1

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


def export_header(*, segtype: str = "sentence", version: str = "") -> TMXHeader:
    """diptych's TMX header: English source, plain text, one of TMX's segtypes."""
    return TMXHeader((
        ("creationtool", TOOL), ("creationtoolversion", version or tool_version()),
        ("segtype", segtype), ("o-tmf", TOOL), ("adminlang", "en"), ("srclang", "en"),
        ("datatype", "plaintext")))


def export_tmx(tm: TM, out: BinaryIO, *, doc: int | None = None, since: str | None = None,
               min_score: float | None = None, segtype: str = "sentence",
               version: str = "") -> int:
    """Stream the (filtered) units to ``out`` as TMX 1.4b; returns how many were written."""
    units = (unit_to_tmx(u) for u in tm.iter_units(doc=doc, since=since, min_score=min_score))
    return write_tmx(out, export_header(segtype=segtype, version=version), units)
