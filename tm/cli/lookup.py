"""``search`` and ``pretranslate``: look the memory up."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from align.cli import Command, Group
from tm.choices import DraftFormat, Mode
from tm.cli.common import DbOption, Lang, MaxSizeOption, TimeoutOption, console, help_text, safe

if TYPE_CHECKING:
    from rich.console import Console

    from tm.service import Hit

app = typer.Typer(cls=Group)

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


def _render_hits(out: Console, query: str, hits: tuple[Hit, ...]) -> None:
    from rich.text import Text

    from tm.choices import Kind
    from tm.matching import diff_spans, term_spans
    from tm.textproc import stem_words, words

    if not hits:
        out.print(Text("no match", style="dim"))
    for hit in hits:
        u = hit.unit
        head = Text(f"{hit.match:3d}% ", style="bold green" if hit.match >= 85 else "bold")
        head.append(hit.kind.value, style="cyan")
        head.append(f"  #{u.id}  {hit.doc or ''}", style="dim")
        out.print(head)
        for lang, text in (("en", u.en), ("ru", u.ru)):
            line = Text(f"  {lang}  ")
            if lang == hit.lang and hit.kind is not Kind.semantic:  # a paraphrase differs anyway
                concordance = hit.kind is Kind.concordance
                pieces = (term_spans(text, lang, set(stem_words(words(query), lang)))
                          if concordance else diff_spans(query, text))
                style = "bold yellow" if concordance else "bold red"
                for piece, flagged in pieces:
                    line.append(piece, style=style if flagged else "")
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
    min_match: Annotated[int, typer.Option(
        "--min-match", min=0, max=100, help="Hide hits below this match %.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a hit.")] = False,
    db: DbOption = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Encoder for semantic queries (default: the one the TM was "
        "indexed with).", show_default=False)] = None,
) -> None:
    import json

    from tm import service
    from tm.search import Searcher

    queries = ([line.rstrip("\n") for line in sys.stdin] if query == "-" else [query])
    with service.TM.open(db, create=False) as tm:
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


@app.command("pretranslate", help=help_text(PRETRANSLATE_HELP), no_args_is_help=True,
             cls=Command)
def pretranslate_command(
    article: Annotated[str, typer.Argument(
        help="The article (English or Russian): a text, Markdown or HTML file, or a URL.",
        show_default=False)],
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
    text = service.read_article(article, timeout=timeout, max_bytes=int(max_size * 1e6))
    with service.TM.open(db, create=False) as tm:
        req = service.PretranslateRequest(text, lang=lang.value if lang else None,
                                          min_fill=min_fill)
        result = service.pretranslate(tm, req)
    table = Table(title=f"Analysis of {safe(Path(article).name)}"
                        f" ({result.lang} → {result.target_lang})")
    for col in ("match", "segments", "words", "%"):
        table.add_column(col, justify="right" if col != "match" else "left")
    rows = result.analysis()
    total_words = rows[-1][2] or 1
    for band, segs, n_words in rows:
        table.add_row(band, str(segs), str(n_words), f"{100 * n_words / total_words:.0f}")
    console(stderr=True).print(table)
    write_output(output, service.draft(result, fmt))
    if not is_stdout(output):
        typer.echo(f"diptych: draft written to {output}", err=True)
