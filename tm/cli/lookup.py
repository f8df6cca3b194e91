"""``search`` and ``pretranslate``: look the memory up."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from align.cli import Command, Group
from tm.choices import DraftFormat, Mode
from tm.cli.common import (
    DbOption,
    Lang,
    MaxSizeOption,
    TimeoutOption,
    console,
    help_text,
    max_bytes,
    safe,
)
from tm.errors import TMError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from tm.service import Hit

app = typer.Typer(cls=Group)

SEARCH_HELP = """Look a sentence, a phrase or a word up in the translation memory.

Modes: [bold]exact[/bold] (identical text, or one sentence of a longer unit whose other side
holds its translation as a sentence of its own),
[bold]fuzzy[/bold] (CAT match %: word edits count, a changed number or punctuation costs a
little, 100 only for identical text; hits under 50% hidden unless --min-match says otherwise),
[bold]concordance[/bold] (the phrase first, then its words close together, then anywhere, in
any inflection: "мигрант" finds "мигрантов"; "quoted" for the phrase alone; the words that
translate it are highlighted on the other side, see `diptych terms`), [bold]semantic[/bold]
(same meaning, in either language, with a similarity 0-1, not a match %; needs `diptych
index`), [bold]auto[/bold] (exact, fuzzy of 75% and more, units holding the query verbatim,
fuzzy of 50-74%, semantic neighbours (all of them when nothing better exists), then units
holding the words apart). --json gives "match" (CAT %, or null), "similarity", "kind",
"translation" and "translation_span".

[bold]Examples[/bold]

  diptych search "The minister said on Tuesday that 20 people were hurt."

  diptych search мигрант --mode concordance

  diptych search "цены на нефть выросли" --mode semantic --limit 3

  diptych search - --json < sentences.txt   [dim]# one query a line; JSON adds "query": line no[/dim]
"""


def _head(hit: Hit) -> Text:
    """``87% fuzzy``, ``100% exact (part)``, ``concordance``, ``same meaning (0.83)``."""
    from rich.text import Text

    from tm.choices import Kind

    if hit.match is not None:
        head = Text(f"{hit.match:3d}% ", style="bold green" if hit.match >= 85 else "bold")
        head.append(hit.kind.value + (" (one sentence of the unit)" if hit.part else ""),
                    style="cyan")
    elif hit.kind is Kind.semantic:
        from tm.search.similarity import meaning

        head = Text(meaning(hit.similarity), style="cyan")  # the desk's words
        head.append(f" ({hit.similarity:.2f})" if hit.similarity is not None else "",
                    style="dim")
    else:
        head = Text(hit.kind.value, style="cyan")
    return head


def _marked(text: str, spans: list[tuple[int, int]], style: str) -> Text:
    from rich.text import Text

    line, pos = Text(), 0
    for a, b in sorted(spans):
        if a >= pos:
            line.append(text[pos:a])
            line.append(text[a:b], style=style)
            pos = b
    line.append(text[pos:])
    return line


def _render_hits(out: Console, query: str, hits: tuple[Hit, ...]) -> None:
    from rich.text import Text

    from align.clean import printable
    from tm.choices import Kind
    from tm.search.fuzzy import diff_spans

    if not hits:
        out.print(Text("no match", style="dim"))
    for hit in hits:
        u = hit.unit
        head = _head(hit)
        head.append(f"  #{u.id}  {printable(hit.doc or '')}", style="dim")
        if u.unreviewed:
            head.append(f"  {u.unreviewed}", style="bold magenta")
        out.print(head)
        query = printable(query)
        for lang, text in (("en", printable(u.en)), ("ru", printable(u.ru))):
            line = Text(f"  {lang}  ")
            if lang == hit.lang and hit.kind is Kind.fuzzy and not hit.part:
                for piece, flagged in diff_spans(query, text):
                    line.append(piece, style="bold red" if flagged else "")
            elif lang == hit.lang:  # the query's words, or the matched sentence
                line.append_text(_marked(text, list(hit.spans), "bold yellow"))
            elif hit.translation_span is not None:  # the words that translate them
                line.append_text(_marked(text, [hit.translation_span], "bold yellow underline"))
            else:
                line.append(text)
            out.print(line)


@app.command("search", help=help_text(SEARCH_HELP), no_args_is_help=True, cls=Command)
def search_command(
    query: Annotated[str, typer.Argument(
        help="Text to look up, or - to read one query a line from stdin.", show_default=False)],
    mode: Annotated[Mode, typer.Option("--mode", help="How to look it up.")] = Mode.auto,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language of the query (default: detected).", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000,
                                       help="Hits per query.")] = 10,
    min_match: Annotated[int | None, typer.Option(
        "--min-match", min=0, max=100, help="Hide exact/fuzzy hits below this match % "
        "(default: 50 in fuzzy mode, else 0).", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a hit.")] = False,
    db: DbOption = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Encoder for semantic queries (default: the one the TM was "
        "indexed with).", show_default=False)] = None,
) -> None:
    import json

    from tm import service
    from tm.errors import TMError
    from tm.search.searcher import MAX_QUERY, Searcher

    queries = ([line.rstrip("\n") for line in sys.stdin] if query == "-" else [query])
    for n, q in enumerate(queries, 1):  # all checked before the first lookup prints anything
        if len(q.strip()) > MAX_QUERY:
            where = f"query line {n}" if query == "-" else "the query"
            raise TMError(f"{where} is {len(q.strip()):,} characters long; look up at most"
                          f" {MAX_QUERY:,} (a sentence or a paragraph), or pretranslate a"
                          " whole article")
    with service.TM.open(db, readonly=True) as tm:
        searcher, docs, out = Searcher(tm, model=model), service.titles(tm), console()
        for n, q in enumerate(queries):
            if query == "-" and not q.strip():
                continue
            req = service.SearchRequest(q, mode=mode, lang=lang.value if lang else None,
                                        limit=limit, min_match=min_match, model=model)
            hits = service.search(tm, req, searcher=searcher, docs=docs).hits
            if as_json:
                for hit in hits:
                    obj = hit.to_json() | ({"query": n} if query == "-" else {})
                    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
                continue
            if query == "-":
                out.print(f"[bold]query {n}:[/bold] {safe(q)}")
            _render_hits(out, q, hits)


TERMS_HELP = """Learn how the memory translates words, for the translations of concordance hits.

Aligns the words of the newest units (up to --limit) with the eflomal word aligner and stores a
lexicon and each unit's word links. Concordance hits then carry the words of the other side
that translate the query ("translation" in --json, highlighted in the terminal). Run it again
after adding many units (units added later use the lexicon and spelling cues alone).

[bold]Examples[/bold]

  diptych terms

  diptych terms --limit 50000   [dim]# a faster fit on the newest 50,000 units[/dim]
"""


@app.command("terms", help=help_text(TERMS_HELP), cls=Command)
def terms_command(
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Units to align, newest first.")]
        = 200_000,
) -> None:
    from tm import service

    with service.TM.open(db, create=False) as tm:
        report = service.fit_terms(tm, limit=limit)
    typer.echo(f"term translations: {report.units} units aligned, {report.entries} lexicon"
               f" entries in {tm.shown}")


PRETRANSLATE_HELP = """Pre-translate a new article from the translation memory.

Splits the article (English or Russian) into sentences, looks each one up (a sentence stored
inside a longer unit counts as 100% when the other side's sentence in the same place translates
it; else the whole unit is a fuzzy match of at most 74%), prints a CAT-style analysis (words per match band: 100%,
95-99%, 85-94%, 75-84%, 50-74%, no match) and writes a draft in the other language with every
match of at least --min-fill filled in; other sentences stay in the original language for the
translator. Every segment that is not a 100% match is marked (text: "[87% fuzzy]" before it;
jsonl: "match", "kind", "marked"; TMX: an x-diptych-draft prop, which `diptych import`
refuses), and numbers, dates and amounts that changed are rewritten in the target's
conventions ("[98% fuzzy, numbers repaired]").

[bold]Examples[/bold]

  diptych pretranslate new-story.en.txt -o draft.ru.txt

  diptych pretranslate new-story.ru.txt --format jsonl -o draft.jsonl

  diptych pretranslate story.en.txt --format tmx -o draft.tmx --min-fill 85

  cat story.en.txt | diptych pretranslate - -o draft.ru.txt
"""


def _stdin_article(max_bytes: int) -> str:
    """The article piped in (``pretranslate -``, as ``search -`` reads its queries)."""
    import sys

    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TMError(f"stdin: more than {max_bytes / 1e6:g} MB (--max-size)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TMError("stdin: not UTF-8 text") from None
    if not text.strip():
        raise TMError("stdin: empty: pipe the article in, e.g. `cat story.en.txt |"
                      " diptych pretranslate -`")
    return text


@app.command("pretranslate", help=help_text(PRETRANSLATE_HELP), no_args_is_help=True,
             cls=Command)
def pretranslate_command(
    article: Annotated[str, typer.Argument(
        help="The article (English or Russian): a text, Markdown or HTML file, a URL, or -"
        " (stdin).", show_default=False)],
    output: Annotated[str | None, typer.Option(
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
    timeout: TimeoutOption = 20.0,
    max_size: MaxSizeOption = 10.0,
) -> None:
    from pathlib import Path

    from rich.table import Table

    from align.output import check_writable, is_stdout, write_output
    from tm import service

    if not is_stdout(output):
        check_writable(output or "")  # before the work
    text = (_stdin_article(max_bytes(max_size)) if article == "-" else
            service.read_article(article, timeout=timeout, max_bytes=max_bytes(max_size)))
    with service.TM.open(db, readonly=True) as tm:
        req = service.PretranslateRequest(text, lang=lang.value if lang else None,
                                          min_fill=min_fill)
        result = service.pretranslate(tm, req)
    table = Table(title=f"Analysis of {'stdin' if article == '-' else safe(Path(article).name)}"
                        f" ({result.lang} → {result.target_lang})")
    for col in ("match", "segments", "words", "%"):
        table.add_column(col, justify="right" if col != "match" else "left")
    rows = result.analysis()
    total_words = rows[-1][2] or 1
    for band, segs, n_words in rows:
        table.add_row(band, str(segs), str(n_words), f"{100 * n_words / total_words:.0f}")
    console(stderr=True).print(table)
    marked = sum(s.fill.marked and s.fill.filled for s in result.segments)
    repaired = sum(bool(s.fill.repaired) for s in result.segments)
    unsure = sum(bool(s.fill.unrepaired) for s in result.segments)
    typer.echo(f"diptych: {marked} filled segments are not 100% matches and are marked in the"
               f" draft; numbers repaired in {repaired}, numbers to check in {unsure}", err=True)
    write_output(output, service.draft(result, fmt))
    if not is_stdout(output):
        typer.echo(f"diptych: draft written to {output}", err=True)
