"""The service layer the CLI and the web server share: typed requests in, typed results out.

May import every room of tm below it and align; never tm.cli or tm.web.

Each function takes an open :class:`~tm.store.TM` and a request (or an id) and returns a
result; writes run in one transaction. Rendering (tables, JSON, HTML) is the caller's job.

>>> with TM.open("diptych.db") as tm:                                       # doctest: +SKIP
...     hits = search(tm, SearchRequest("The minister said", limit=3)).hits
"""

from __future__ import annotations

from align.sources.fetch import PrivateAddress
from tm.choices import DraftFormat, Kind, Mode, SegType
from tm.errors import NotFound
from tm.service.documents import (
    BeadsRequest,
    EditedBead,
    replace_beads,
    store_beads,
    stored_copy,
    undo_replace,
)
from tm.service.exchange import export_writer, import_tmx
from tm.service.lookup import (
    draft,
    fit_terms,
    pretranslate,
    read_article,
    refit_terms_later,
    search,
    searcher,
    term_state,
    titles,
)
from tm.service.memory import (
    add,
    add_batch,
    add_unit,
    backup,
    batch_status,
    confirm_unit,
    delete_document,
    delete_unit,
    document,
    document_units,
    documents,
    edit_unit,
    edits,
    get_unit,
    history,
    index,
    stats,
    undo_edit,
)
from tm.service.requests import (
    AddRequest,
    ArticleKind,
    BatchRequest,
    DocumentDeleted,
    EditRequest,
    ExportRequest,
    Hit,
    IndexRequest,
    PretranslateRequest,
    SearchRequest,
    SearchResult,
)
from tm.service.shapes import DocumentJSON, HitJSON, UnitJSON, document_json, unit_json
from tm.store import TM
from tm.text.dates import check_date

__all__ = [
    "TM",
    "AddRequest",
    "ArticleKind",
    "BatchRequest",
    "BeadsRequest",
    "DocumentDeleted",
    "DocumentJSON",
    "DraftFormat",
    "EditRequest",
    "EditedBead",
    "ExportRequest",
    "Hit",
    "HitJSON",
    "IndexRequest",
    "Kind",
    "Mode",
    "NotFound",
    "PretranslateRequest",
    "PrivateAddress",
    "SearchRequest",
    "SearchResult",
    "SegType",
    "UnitJSON",
    "add",
    "add_batch",
    "add_unit",
    "backup",
    "batch_status",
    "check_date",
    "confirm_unit",
    "delete_document",
    "delete_unit",
    "document",
    "document_json",
    "document_units",
    "documents",
    "draft",
    "edit_unit",
    "edits",
    "export_writer",
    "fit_terms",
    "get_unit",
    "history",
    "import_tmx",
    "index",
    "pretranslate",
    "read_article",
    "refit_terms_later",
    "replace_beads",
    "search",
    "searcher",
    "stats",
    "store_beads",
    "stored_copy",
    "term_state",
    "titles",
    "undo_edit",
    "undo_replace",
    "unit_json",
]
