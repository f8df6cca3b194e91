"""Storing an aligned article pair: the library behind ``diptych add`` and ``align --tm``.

Weak beads (confidence below ``min_score``) are kept out of the TM, and beads with an empty side
are not units; both are counted in the summary. The document is identified by the SHA-256 of
both files, so adding the same pair twice adds nothing. Vectors for semantic search are
computed before the write transaction (the database stays unlocked while the encoder runs),
then the document, its units and their vectors are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from align.types import Alignment
from tm.store import TM, DocumentIn, UnitIn, file_sha256, now_iso
from tm.vectors import Encoder, check_model, store_vectors, unit_vectors


@dataclass(frozen=True)
class AddResult:
    """What storing one article pair did."""

    doc_id: int
    new_document: bool
    added: int = 0
    existing: int = 0
    weak: int = 0
    one_sided: int = 0
    embedded: int = 0

    def summary(self, path: Path) -> str:
        if not self.new_document:
            return f"already in {path} (document {self.doc_id}): nothing added"
        return (f"stored document {self.doc_id} in {path}: {self.added} new units,"
                f" {self.existing} already there, {self.weak} weak pairs left out,"
                f" {self.one_sided} one-sided beads skipped, {self.embedded} embedded")


def store_alignment(tm: TM, al: Alignment, src_path: Path, tgt_path: Path, *,
                    title: str | None = None, url: str | None = None,
                    date: str | None = None, min_score: float = 0.5,
                    encoder: Encoder | None = None, model: str = "use-m3") -> AddResult:
    """Store the pairs of ``al`` (English = src, Russian = tgt) as one document."""
    en_sha, ru_sha = file_sha256(src_path), file_sha256(tgt_path)
    fingerprint = f"{en_sha}:{ru_sha}"
    known = tm.find_document(fingerprint)
    if known is not None:
        return AddResult(known, False)
    units: list[UnitIn] = []
    weak = one_sided = 0
    for position, (en, ru, bead) in enumerate(al.pairs()):
        if not en.strip() or not ru.strip():
            one_sided += 1
        elif bead.score < min_score:
            weak += 1
        else:
            units.append(UnitIn(en, ru, score=round(float(bead.score), 4), position=position))
    vecs = unit_vectors(encoder, [u.en for u in units], [u.ru for u in units]) \
        if encoder is not None and units else None
    stamp = now_iso()
    added = existing = 0
    with tm.transaction():
        doc_id, new = tm.add_document(DocumentIn(
            title=title or src_path.stem, url=url, date=date, en_path=str(src_path),
            ru_path=str(tgt_path), en_sha256=en_sha, ru_sha256=ru_sha, fingerprint=fingerprint))
        if not new:  # another process stored it meanwhile
            return AddResult(doc_id, False)
        ids = []
        for u in units:
            unit_id, is_new = tm.add_unit(u, document=doc_id, origin="aligned", stamp=stamp)
            assert unit_id is not None  # empty sides were filtered above
            ids.append(unit_id)
            added += is_new
            existing += not is_new
        if vecs is not None:
            check_model(tm, model, vecs.shape[1])
            store_vectors(tm, ids, vecs)
    return AddResult(doc_id, True, added, existing, weak, one_sided,
                     0 if vecs is None else len(ids))
