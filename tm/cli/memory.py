"""``add``, ``index``, ``stats``, ``documents``, ``edit``, ``delete``: what the memory holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.clean import printable
from align.cli import Command, Group, editions_or_batch, short_name, working
from align.embed import DEFAULT_MODEL
from tm.cli.common import (
    DbOption,
    JsonOption,
    MaxSizeOption,
    ModelOption,
    TimeoutOption,
    console,
    echo_json,
    help_text,
    max_bytes,
    safe,
    warn,
)
from tm.errors import TMError

app = typer.Typer(cls=Group)

ADD_HELP = """Align an English and a Russian edition and store the pairs in the translation memory.

Pairs whose alignment confidence is below --min-score (0.5) are counted and left out unless
--keep-weak (`diptych review EN RU` opens the pair in the alignment editor to correct them
first); stored pairs under 0.85, the weak threshold `align` flags, say "unreviewed alignment" in
lookups until edited; beads with an empty side are never units. Term links are refitted in the
background afterwards ($DIPTYCH_TERMS_BACKGROUND=0 turns that off). Two texts that do not
look like editions of one story (their closest sentences hardly closer than random pairs) are
refused, unless --keep-weak. Adding the same pair twice adds
nothing, whether it came alone or in a --batch list; a sentence pair already stored from
another story is kept once and linked to both. Embeddings for semantic search are computed
right away.

[bold]Examples[/bold]

  diptych add story.en.txt story.ru.txt --title "Rail deal" --url https://... --date 2024-05-01

  diptych add a.en.txt a.ru.txt --db newsroom.db --min-score 0.7 --keep-weak

  diptych add --batch pairs.tsv   [dim]# `diptych pair`'s output, on all cores[/dim]
"""


SharedOption = Annotated[bool | None, typer.Option(
    "--shared/--alone", help="With --batch: share the list with `add --batch` runs of the same"
    " list on other machines (claims in the memory; the default on PostgreSQL), or run it alone"
    " on this machine's cores (the default on SQLite).", show_default=False)]
LeaseOption = Annotated[float | None, typer.Option(
    "--lease", min=1.0, help="With a shared --batch: seconds a worker's claim on a pair holds"
    " before another worker takes the pair over (a worker that died: its machine went down);"
    " keep it well over one pair's work.  [default: 600]", show_default=False)]
StatusOption = Annotated[bool, typer.Option(
    "--status", help="With --batch: print the shared run's progress (done, running on which"
    " host, failed and why) and exit.")]


@app.command("add", help=help_text(ADD_HELP), no_args_is_help=True, cls=Command)
def add_command(
    en_file: Annotated[str | None, typer.Argument(
        help="The English edition: a text, Markdown or HTML file, or an http(s) URL.",
        show_default=False)] = None,
    ru_file: Annotated[str | None, typer.Argument(help="The Russian edition, in the same forms.",
                                                  show_default=False)] = None,
    title: Annotated[str | None, typer.Option(help="Story title (default: the page's, else"
                                              " the file name).", show_default=False)] = None,
    url: Annotated[str | None, typer.Option(help="Story URL.", show_default=False)] = None,
    date: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD).",
                                             show_default=False)] = None,
    db: DbOption = None,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="Pairs under this alignment confidence are counted and not stored unless"
        " --keep-weak (`diptych review EN RU` corrects them first). Stored pairs under 0.85,"
        " the weak threshold align flags, say 'unreviewed alignment' in lookups until"
        " edited.")] = 0.5,
    keep_weak: Annotated[bool, typer.Option(
        "--keep-weak", help="Store the pairs under --min-score too, and texts that do not look like editions"
                            " of one story.")] = False,
    model: ModelOption = DEFAULT_MODEL,
    batch: Annotated[Path | None, typer.Option(
        "--batch", help="Add every pair of a list en<TAB>ru<TAB>confidence (`diptych pair`'s"
        " output; files or URLs) on all cores ($DIPTYCH_WORKERS to limit), resumably.",
        show_default=False)] = None,
    timeout: TimeoutOption = 20.0,
    max_size: MaxSizeOption = 10.0,
    shared: SharedOption = None,
    lease: LeaseOption = None,
    status: StatusOption = False,
) -> None:
    from tm import service

    editions_or_batch(en_file, ru_file, batch, command="add", listing="PAIRS.tsv")
    if batch is not None:
        from tm.cli.batch import add_batch, batch_status

        if status:
            return batch_status(batch, db)
        story = [o for o, v in (("--title", title), ("--url", url), ("--date", date)) if v]
        return add_batch(batch, db=db, story_options=story,
                         request=service.BatchRequest(
                             batch or Path(), min_score=min_score, keep_weak=keep_weak,
                             model=model, timeout=timeout, max_bytes=max_bytes(max_size),
                             shared=shared, lease=lease))
    req = service.AddRequest(en_file or "", ru_file or "", title=title, url=url, date=date,
                             min_score=min_score, keep_weak=keep_weak, model=model,
                             timeout=timeout, max_bytes=max_bytes(max_size))
    service.check_date(date, "--date")  # before the TM is created or the model loaded
    with service.TM.open(db) as tm:
        with working(f"aligning {short_name(req.en)} and {short_name(req.ru)} for the memory"):
            result, warnings = service.add(tm, req)
        for w in warnings:
            warn(w)
        typer.echo(result.summary(tm.shown))
        from tm.terms.background import enabled

        if note := service.term_state(tm).note(background=enabled()):
            typer.echo(f"diptych: {note}", err=True)


INDEX_HELP = """Compute the missing embeddings for semantic search.

Resumable: each batch is committed, so stop it any time and run it again to go on. Large
memories (50,000 vectors and more) also get an inverted-file vector index beside the database
(DB.ivf.*), which keeps semantic lookups fast and small in memory.

[bold]Examples[/bold]

  diptych import big.tmx && diptych index

  diptych index --db newsroom.db --batch 512

  diptych index --rebuild --model use-m3   [dim]# recompute every vector[/dim]
"""


@app.command("index", help=help_text(INDEX_HELP), cls=Command)
def index_command(
    db: DbOption = None,
    model: ModelOption = DEFAULT_MODEL,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Units per encoder call.")] = 256,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop all vectors first.")] = False,
) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from tm import service

    with service.TM.open(db, create=False) as tm, Progress(
            TextColumn("embedding"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(), console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("embedding", total=None)

        def progress(done: int, todo: int) -> None:
            bar.update(task, completed=done, total=todo)

        result = service.index(tm, service.IndexRequest(model, batch, rebuild), progress=progress)
    ann = f", vector index of {result.ann}" if result.ann is not None else ""
    typer.echo(f"embedded {result.embedded} units; {result.total} units in {tm.shown}{ann}")


STATS_HELP = """Show what the translation memory holds, and which file it is.

Units, documents, language codes, origins, size on disk and embedding coverage.

[bold]Examples[/bold]

  diptych stats

  diptych stats --db newsroom.db --json
"""


@app.command("stats", help=help_text(STATS_HELP), cls=Command)
def stats_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    from rich.table import Table

    from tm import service
    from tm.store.location import is_uri

    with service.TM.open(db, readonly=True) as tm:
        s = service.stats(tm)
        terms = service.term_state(tm)
        from tm.terms.background import RUNNING

        fitting = tm.get_setting(RUNNING)
    coverage = s.embedding_coverage
    if as_json:
        echo_json({
            "path": str(s.path), "found_by": s.source.value, "units": s.units,
            "documents": s.documents, "document_links": s.document_links,
            "languages": dict(s.languages), "origins": dict(s.origins), "db_bytes": s.db_bytes,
            "vector_index_bytes": s.vector_index_bytes, "embedded": s.embedded,
            "embedding_coverage": coverage, "embedding_model": s.embedding_model,
            "schema_version": s.schema_version, "terms_aligned": terms.aligned,
            "terms_behind": terms.newer})
        return
    table = Table(title="Translation memory", show_header=False)
    table.add_column()
    table.add_column(overflow="fold")  # a URI's end names the schema: wrapped, never cut
    rows = [
        ("database" if is_uri(str(s.path)) else "file", str(s.path)),
        ("found by", s.source.value),
        ("units", f"{s.units:,}"), ("documents", f"{s.documents:,}"),
        ("document links", f"{s.document_links:,}"),
        ("languages", ", ".join(f"{k} {v:,}" for k, v in s.languages.items()) or "-"),
        ("origins", ", ".join(f"{k} {v:,}" for k, v in s.origins.items()) or "-"),
        ("size on disk", f"{s.db_bytes / 1e6:.1f} MB"),
        ("vector index", "in the database, counted above" if is_uri(str(s.path))
         else f"{s.vector_index_bytes / 1e6:.1f} MB"),
        ("embedded", f"{s.embedded:,}" + (f" ({100 * coverage:.1f}%)" if coverage is not None
                                          else "")),
        ("embedding model", s.embedding_model or "-"),
        ("term translations", (f"{terms.aligned:,} units aligned" + (
            f", {terms.newer:,} newer not yet: run diptych terms" if terms.newer else "")
         if terms.aligned else "not fitted: run diptych terms")
         + (f" (refitting in the background {fitting})" if fitting else "")),
        ("schema version", str(s.schema_version)),
    ]
    for key, value in rows:
        table.add_row(key, safe(value))
    console().print(table)


@app.command("documents", cls=Command)
def documents_command(
    db: DbOption = None,
    as_json: JsonOption = False,
    last: Annotated[int, typer.Option("--last", min=0, help="Only the newest N (0: all).")]
        = 0,
    units: Annotated[int | None, typer.Option(
        "--units", help="Instead, list the units of this document, in story order.",
        show_default=False)] = None,
) -> None:
    """List the documents in the memory, newest first.

    Each with its id, title, URL, date, units and when it was added; with --units ID, that document's units side by side instead.
    """
    from rich.table import Table

    from tm import service

    with service.TM.open(db, readonly=True) as tm:
        if units is not None:
            doc = service.document(tm, units)
            rows = service.document_units(tm, units)
            if as_json:
                echo_json({"document": service.document_json(doc),
                           "units": [service.unit_json(u) for u in rows]})
                return
            table = Table(title=safe(doc.title or doc.url or f"document {doc.id}"))
            for col in ("id", "en", "ru", "score", "origin", "created", "changed", "v"):
                table.add_column(col)
            for u in rows:
                table.add_row(str(u.id), safe(u.en), safe(u.ru),
                              "" if u.score is None else f"{u.score:.2f}", u.origin,
                              _who(u.created, u.created_by), _who(u.changed, u.changed_by),
                              str(u.version))
            console().print(table)
            return
        docs = service.documents(tm)[::-1]
    docs = docs[:last] if last else docs
    if as_json:
        echo_json([service.document_json(d) for d in docs])
        return
    table = Table(title=f"{len(docs)} documents (use the id with --units, export --doc,"
                        " delete --document)")
    for col in ("id", "title", "url", "date", "units", "added"):
        table.add_column(col)
    for d in docs:
        table.add_row(str(d.id), safe(d.title or ""), safe(d.url or ""), safe(d.date or ""),
                      str(d.units), d.added)
    console().print(table)


def _who(when: str, by: str | None) -> str:
    """``2024-05-01T10:00:00Z by ada`` (the name escaped: it is typed by people)."""
    return when + (f" by {safe(by)}" if by else "")


@app.command("edit", no_args_is_help=True, cls=Command)
def edit_command(
    unit_id: Annotated[int, typer.Argument(metavar="UNIT_ID", help="The unit (its id as"
                                           " search shows it).", show_default=False)],
    en: Annotated[str | None, typer.Option("--en", help="New English text.",
                                           show_default=False)] = None,
    ru: Annotated[str | None, typer.Option("--ru", help="New Russian text.",
                                           show_default=False)] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Restore the text before the last"
                                       " edit.")] = False,
    version: Annotated[int | None, typer.Option(
        "--version", min=1, help="The unit's version this change is based on (as `documents"
        " --units` or --json showed it): refused, exit 1, if someone changed it since.",
        show_default=False)] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="Confirm the alignment as it"
                                          " stands: no more 'unreviewed alignment'.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct a unit's text, or undo the last correction (recorded as $DIPTYCH_USER, else your login name).

    The unit's origin becomes 'edited' and its old text is kept, so --undo restores it. Its embedding is recomputed by the next `diptych index`.

    [bold]Examples[/bold]

      diptych edit 42 --ru "Исправленный перевод."

      diptych edit 42 --undo

      diptych edit 42 --confirm   [dim]# right as it stands: no more "unreviewed alignment"[/dim]
    """
    from tm import service

    if (undo or confirm) and (en is not None or ru is not None) or (undo and confirm):
        raise TMError("give one of --en/--ru, --undo or --confirm")
    with service.TM.open(db, create=False) as tm:
        unit = (service.undo_edit(tm, unit_id, version) if undo else
                service.confirm_unit(tm, unit_id, version) if confirm else
                service.edit_unit(tm, service.EditRequest(unit_id, en=en, ru=ru,
                                                          version=version)))
        edits = service.edits(tm, unit_id)
    if as_json:
        echo_json(service.unit_json(unit, edits=edits))
        return
    console().print(f"{'restored' if undo else 'confirmed' if confirm else 'edited'} unit"
                    f" {unit.id} ({unit.origin};"
                    f" {edits} edit(s) to undo)\n  en  {safe(unit.en)}\n  ru  {safe(unit.ru)}")


@app.command("add-unit", no_args_is_help=True, cls=Command)
def add_unit_command(
    en: Annotated[str, typer.Option("--en", help="The English text.", show_default=False)],
    ru: Annotated[str, typer.Option("--ru", help="The Russian text.", show_default=False)],
    document: Annotated[int | None, typer.Option(
        "--document", help="Put it at the end of this document (`diptych documents` lists"
        " them).", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add one unit written by hand (origin 'edited').

    The same pair stored already is not stored twice: it is linked to --document. Its embedding is computed by the next `diptych index`.

    [bold]Examples[/bold]

      diptych add-unit --en "The harbour froze early." --ru "Гавань замёрзла рано." --document 3
    """
    from tm import service

    with service.TM.open(db, create=False) as tm:
        unit, new = service.add_unit(tm, en, ru, doc_id=document)
    if as_json:
        echo_json({**service.unit_json(unit), "new": new})
        return
    console().print(f"{'added' if new else 'already stored:'} unit {unit.id}"
                    + (f" (document {document})" if document is not None else "")
                    + f"\n  en  {safe(unit.en)}\n  ru  {safe(unit.ru)}")


@app.command("delete", no_args_is_help=True, cls=Command)
def delete_command(
    unit: Annotated[int | None, typer.Option("--unit", help="Delete this unit.",
                                             show_default=False)] = None,
    document: Annotated[int | None, typer.Option(
        "--document", help="Delete this document; its units that no other document holds go"
        " with it.", show_default=False)] = None,
    version: Annotated[int | None, typer.Option(
        "--version", min=1, help="With --unit: the version the deletion is based on (refused,"
        " exit 1, if someone changed the unit since).", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a unit or a document from the memory (one transaction)."""
    from tm import service

    if (unit is None) == (document is None):
        raise TMError("give one of --unit ID or --document ID")
    with service.TM.open(db, create=False) as tm:
        if unit is not None:
            gone = service.delete_unit(tm, unit, version)
            if as_json:
                echo_json({"deleted": "unit", "unit": service.unit_json(gone)})
            else:
                typer.echo(f"deleted unit {gone.id}: {printable(gone.en)} /"
                           f" {printable(gone.ru)}")
            return
        assert document is not None
        res = service.delete_document(tm, document)
    if as_json:
        echo_json({"deleted": "document", "document": service.document_json(res.document),
                   "links": res.links, "units": res.units})
        return
    typer.echo(f"deleted document {res.document.id}"
               f" ({printable(res.document.title or res.document.url or '')}):"
               f" {res.links} links, {res.units} units no other document held")
