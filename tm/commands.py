"""The translation-memory commands ``add``, ``search``, ``pretranslate``, ``stats``, ``index``.

Thin adapters: parse, call one library function (tm.ingest, tm.search, tm.pretranslate,
tm.vectors, tm.stats), render. ``register(app)`` adds them to the root app and installs the
``align --tm`` store hook.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from tm.search import Match, Mode

DbOption = Annotated[Path | None, typer.Option(
    "--db", envvar="DIPTYCH_DB", help="Translation memory file (default: ./diptych.db).",
    show_default=False)]
ModelOption = Annotated[str, typer.Option(
    "--model", "-m", help="Sentence encoder for embeddings ('use-m3' is embedded).")]


class Lang(str, Enum):
    en = "en"
    ru = "ru"


class DraftFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    tmx = "tmx"


def _help(text: str) -> str:
    """Join the wrapped lines of each prose paragraph (rich keeps line breaks as they are)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        out.append(block if block.startswith("  ") else " ".join(block.split("\n")))
    return "\n\n".join(out)


def _err_console():
    from rich.console import Console

    return Console(stderr=True)


# --------------------------------------------------------------------------- add
ADD_HELP = """Align an English and a Russian edition and store the pairs in the translation memory.

Pairs whose alignment confidence is below --min-score are left out (they are counted in the
summary), and beads with an empty side are never units. Adding the same pair of files twice adds
nothing; a sentence pair already stored from another story is kept once and linked to both.
Embeddings for semantic search are computed right away.

[bold]Examples[/bold]

  diptych add story.en.txt story.ru.txt --title "Rail deal" --url https://... --date 2024-05-01

  diptych add a.en.txt a.ru.txt --db newsroom.db --min-score 0.7

  DIPTYCH_DB=newsroom.db diptych add a.en.txt a.ru.txt
"""


def add_command(
    en_file: Annotated[str | None, typer.Argument(
        help="The English edition: a text, Markdown or HTML file, or an http(s) URL.",
        show_default=False)] = None,
    ru_file: Annotated[str | None, typer.Argument(help="The Russian edition, in the same forms.",
                                                  show_default=False)] = None,
    title: Annotated[str | None, typer.Option(help="Story title (default: file name).",
                                                 show_default=False)] = None,
    url: Annotated[str | None, typer.Option(help="Story URL.", show_default=False)] = None,
    date: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD).",
                                                show_default=False)] = None,
    db: DbOption = None,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="Pairs under this alignment confidence are not stored.")] = 0.5,
    model: ModelOption = "use-m3",
    batch: Annotated[Path | None, typer.Option(
        "--batch", help="Add every pair of a list en<TAB>ru<TAB>confidence (`diptych pair`'s"
        " output; files or URLs) on all cores ($DIPTYCH_WORKERS to limit), resumably.",
        show_default=False)] = None,
) -> None:
    if batch is not None or en_file is None or ru_file is None:
        from tm.batch_cli import add_batch

        return add_batch(
            batch, en_file, ru_file, db=db, min_score=min_score, model=model,
            story_options=[o for o, v in (("--title", title), ("--url", url), ("--date", date))
                           if v])
    from align.embed import load_encoder
    from tm.ingest import add_pair
    from tm.store import TM

    encoder = load_encoder(model)
    with TM.open(db) as tm:
        result, warnings = add_pair(tm, en_file, ru_file, encoder=encoder, model=model,
                                    min_score=min_score, title=title, url=url, date=date)
        for w in warnings:
            typer.echo(f"diptych: warning: {w}", err=True)
        typer.echo(result.summary(tm.path))


def store_hook(req: object) -> str:
    """``align --tm``: store an alignment the align command has just made."""
    from align.cli import StoreRequest
    from align.embed import load_encoder
    from tm.ingest import store_alignment
    from tm.store import TM

    assert isinstance(req, StoreRequest)
    with TM.open(req.db) as tm:
        result = store_alignment(tm, req.alignment, req.src, req.tgt, title=req.title,
                                 url=req.url, date=req.date, min_score=req.min_score,
                                 encoder=load_encoder(req.model), model=req.model)
        return result.summary(tm.path)


# --------------------------------------------------------------------------- search
SEARCH_HELP = """Look a sentence, a phrase or a word up in the translation memory.

Modes: [bold]exact[/bold] (identical text), [bold]fuzzy[/bold] (CAT match %: word edits count,
a changed number or punctuation costs a little, 100 only for identical text),
[bold]concordance[/bold] (every word anywhere, in any inflection: "мигрант" finds "мигрантов";
"quoted" for a phrase), [bold]semantic[/bold] (same meaning, in either language; needs
`diptych index`), [bold]auto[/bold] (fuzzy matches of 50% and more, then concordance hits for
up to 3 words, then semantic neighbours when embeddings exist). Fuzzy hits highlight the words
that differ from the query, concordance hits the words found.

[bold]Examples[/bold]

  diptych search "The minister said on Tuesday that 20 people were hurt."

  diptych search мигрант --mode concordance

  diptych search "цены на нефть выросли" --mode semantic --limit 3

  diptych search - --json < sentences.txt   [dim]# one query a line; JSON adds "query": line no[/dim]
"""


def _hit_json(hit: Match, tm_docs: dict[int, str]) -> dict[str, object]:
    u = hit.unit
    doc = u.docs[0][0] if u.docs else None
    return {"en": u.en, "ru": u.ru, "match": hit.match, "kind": hit.kind,
            "doc": tm_docs.get(doc) if doc is not None else None, "doc_id": doc, "id": u.id,
            "score": u.score, "origin": u.origin}


def _render_hits(console: object, query: str, hits: list[Match], docs: dict[int, str]) -> None:
    from rich.text import Text

    from tm.search import diff_spans, term_spans
    from tm.textproc import stem_words, words

    if not hits:
        console.print(Text("no match", style="dim"))  # type: ignore[attr-defined]
    for hit in hits:
        u = hit.unit
        doc = docs.get(u.docs[0][0], "") if u.docs else ""
        head = Text(f"{hit.match:3d}% ", style="bold green" if hit.match >= 85 else "bold")
        head.append(f"{hit.kind}", style="cyan")
        head.append(f"  #{u.id}  {doc}", style="dim")
        console.print(head)  # type: ignore[attr-defined]
        for lang, text in (("en", u.en), ("ru", u.ru)):
            line = Text(f"  {lang}  ")
            if lang == hit.lang and hit.kind != "semantic":  # a paraphrase differs everywhere
                pieces = (term_spans(text, lang, set(stem_words(words(query), lang)))
                          if hit.kind == "concordance" else diff_spans(query, text))
                style = "bold yellow" if hit.kind == "concordance" else "bold red"
                for piece, flagged in pieces:
                    line.append(piece, style=style if flagged else "")
            else:
                line.append(text)
            console.print(line)  # type: ignore[attr-defined]


def search_command(
    query: Annotated[str, typer.Argument(
        help="Text to look up, or - to read one query a line from stdin.", show_default=False)],
    mode: Annotated[Mode, typer.Option("--mode", help="How to look it up.")] = Mode.auto,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language of the query (default: detected).", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Hits per query.")] = 10,
    min_match: Annotated[int, typer.Option(
        "--min-match", min=0, max=100, help="Hide hits below this match %.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a hit.")] = False,
    db: DbOption = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Encoder for semantic queries (default: the one the TM was "
        "indexed with).", show_default=False)] = None,
) -> None:
    from rich.console import Console

    from tm.search import Searcher
    from tm.store import TM

    queries = ([line.rstrip("\n") for line in sys.stdin] if query == "-" else [query])
    with TM.open(db, create=False) as tm:
        searcher = Searcher(tm, model=model)
        docs = {d.id: d.title or d.url or str(d.id) for d in tm.documents()}
        console = Console(highlight=False)
        for n, q in enumerate(queries):
            if query == "-" and not q.strip():
                continue
            hits = searcher.search(q, mode=mode, lang=lang.value if lang else None, limit=limit,
                                   min_match=min_match)
            if as_json:
                for hit in hits:
                    obj = _hit_json(hit, docs)
                    if query == "-":
                        obj["query"] = n
                    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
                continue
            if query == "-":
                console.print(f"[bold]query {n}:[/bold] {q}", markup=True)
            _render_hits(console, q, hits, docs)


# --------------------------------------------------------------------------- pretranslate
PRETRANSLATE_HELP = """Pre-translate a new article from the translation memory.

Splits the article (English or Russian) into sentences, looks each one up, prints a CAT-style
analysis (words per match band: 100%, 95-99%, 85-94%, 75-84%, 50-74%, no match) and writes a
draft in the other language with every match of at least --min-fill filled in; other sentences
stay in the original language for the translator.

[bold]Examples[/bold]

  diptych pretranslate new-story.en.txt -o draft.ru.txt

  diptych pretranslate new-story.ru.txt --format jsonl -o draft.jsonl

  diptych pretranslate story.en.txt --format tmx -o draft.tmx --min-fill 85
"""


def pretranslate_command(
    article: Annotated[Path, typer.Argument(help="The article (UTF-8 text, English or Russian).",
                                            show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the draft here (default: stdout).", show_default=False)]
        = None,
    fmt: Annotated[DraftFormat, typer.Option("--format", "-f", help="Draft format.")]
        = DraftFormat.text,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language of the article (default: detected).", show_default=False)]
        = None,
    min_fill: Annotated[int, typer.Option(
        "--min-fill", min=50, max=100, help="Fill in matches of at least this %.")] = 75,
    db: DbOption = None,
) -> None:
    from rich.table import Table

    from align.cli import write_atomically
    from align.pipeline import read_text
    from tm.pretranslate import pretranslate
    from tm.search import Searcher
    from tm.store import TM

    text = read_text(article, role="article")
    with TM.open(db, create=False) as tm:
        result = pretranslate(Searcher(tm), text, lang=lang.value if lang else None,
                              min_fill=min_fill)
        if fmt is DraftFormat.text:
            data = result.draft_text().encode("utf-8")
        elif fmt is DraftFormat.jsonl:
            data = result.draft_jsonl().encode("utf-8")
        else:
            import io

            from align.cli import tool_version

            buf = io.BytesIO()
            result.draft_tmx(buf, version=tool_version())
            data = buf.getvalue()
    table = Table(title=f"Analysis of {article.name} ({result.lang} → {result.target_lang})")
    for col in ("match", "segments", "words", "%"):
        table.add_column(col, justify="right" if col != "match" else "left")
    rows = result.analysis()
    total_words = rows[-1][2] or 1
    for band, segs, n_words in rows:
        table.add_row(band, str(segs), str(n_words), f"{100 * n_words / total_words:.0f}")
    _err_console().print(table)
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(output, data)
        typer.echo(f"diptych: draft written to {output}", err=True)


# --------------------------------------------------------------------------- stats / index
STATS_HELP = """Show what the translation memory holds.

Units, documents, language codes, origins, size on disk and embedding coverage.

[bold]Examples[/bold]

  diptych stats

  diptych stats --db newsroom.db --json

  diptych stats --docs 100   [dim]# list the 100 newest documents[/dim]
"""


def stats_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    docs: Annotated[int, typer.Option(
        "--docs", min=0, help="List this many of the newest documents (0: none).")] = 10,
) -> None:
    from rich.console import Console
    from rich.table import Table

    from tm.stats import collect
    from tm.store import TM

    with TM.open(db, create=False) as tm:
        stats = collect(tm)
        documents = tm.documents()[-docs:] if docs else []
    if as_json:
        stats["recent_documents"] = [
            {"id": d.id, "title": d.title, "url": d.url, "date": d.date, "units": d.units,
             "added": d.added} for d in documents]
        typer.echo(json.dumps(stats, ensure_ascii=False))
        return
    table = Table(title=f"Translation memory {stats['path']}", show_header=False)
    for key, value in stats.items():
        if key != "path":
            table.add_row(key.replace("_", " "), str(value))
    console = Console()
    console.print(table)
    if documents:
        listing = Table(title=f"Newest {len(documents)} of {stats['documents']} documents"
                              " (use the id with export --doc)")
        for col in ("id", "title", "url", "date", "units", "added"):
            listing.add_column(col)
        for d in reversed(documents):
            listing.add_row(str(d.id), d.title or "", d.url or "", d.date or "", str(d.units),
                            d.added)
        console.print(listing)


INDEX_HELP = """Compute the missing embeddings for semantic search.

Resumable: each batch is committed, so stop it any time and run it again to go on. Large
memories (50,000 vectors and more) also get an inverted-file vector index beside the database
(DB.ivf.*), which keeps semantic lookups fast and small in memory.

[bold]Examples[/bold]

  diptych import big.tmx && diptych index

  diptych index --db newsroom.db --batch 512

  diptych index --rebuild --model use-m3   [dim]# recompute every vector[/dim]
"""


def index_command(
    db: DbOption = None,
    model: ModelOption = "use-m3",
    batch: Annotated[int, typer.Option("--batch", min=1, help="Units per encoder call.")] = 256,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop all vectors first.")] = False,
) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from tm.store import TM
    from tm.vectors import index, load_encoder

    with TM.open(db, create=False) as tm:
        encoder = load_encoder(model)
        with Progress(TextColumn("embedding"), BarColumn(), TextColumn("{task.completed}/"
                      "{task.total}"), TimeRemainingColumn(), console=_err_console()) as bar:
            task = bar.add_task("embedding", total=None)

            def progress(done: int, todo: int) -> None:
                bar.update(task, completed=done, total=todo)

            result = index(tm, encoder, model, batch=batch, rebuild=rebuild, progress=progress)
    ann = f", vector index of {result.ann}" if result.ann is not None else ""
    typer.echo(f"embedded {result.embedded} units; {result.total} units in {tm.path}{ann}")


def register(app: typer.Typer) -> None:
    """Add the TM commands to the root app and install the ``align --tm`` hook."""
    from align import cli as align_cli

    app.command("add", help=_help(ADD_HELP), no_args_is_help=True)(add_command)
    app.command("search", help=_help(SEARCH_HELP), no_args_is_help=True)(search_command)
    app.command("pretranslate", help=_help(PRETRANSLATE_HELP), no_args_is_help=True)(
        pretranslate_command)
    app.command("stats", help=_help(STATS_HELP))(stats_command)
    app.command("index", help=_help(INDEX_HELP))(index_command)
    align_cli.set_store_hook(store_hook)  # type: ignore[arg-type]
