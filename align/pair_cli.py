"""The ``pair`` command (Typer): a thin adapter over :func:`align.pair.pair_sources`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

PAIR_HELP = """Find which English article is the edition of which Russian one.

Each side is a folder of articles (text, Markdown or HTML files) or a file that lists one path or http(s) URL a line. Evidence that survives translation decides: sentence embeddings in their order, numbers, links, Latin-script names, publication dates. Pairs are one-to-one.

Prints one line per pair: [bold]en_source<TAB>ru_source<TAB>confidence[/bold] (0 to 1), best first; this feeds `diptych add --batch` directly. Sources left without a partner are reported on stderr (or in --unmatched FILE as lang<TAB>source<TAB>reason).

[bold]Examples[/bold]

  diptych pair archive/en archive/ru -o pairs.tsv

  diptych pair en-urls.txt ru-urls.txt --min-confidence 0.8 --unmatched left.tsv

  diptych add --batch pairs.tsv
"""


def pair_command(
    en_sources: Annotated[Path, typer.Argument(
        help="English articles: a folder, or a file listing paths/URLs one a line.",
        show_default=False)],
    ru_sources: Annotated[Path, typer.Argument(
        help="Russian articles: a folder, or a file listing paths/URLs one a line.",
        show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the pairs here instead of stdout (written atomically).",
        show_default=False)] = None,
    unmatched: Annotated[Path | None, typer.Option(
        "--unmatched", help="Write the unmatched sources here instead of stderr.",
        show_default=False)] = None,
    min_confidence: Annotated[float, typer.Option(
        "--min-confidence", min=0.0, max=1.0,
        help="Pairs under this confidence are not printed; their sources count as unmatched.")]
        = 0.5,
    model: Annotated[str, typer.Option(
        "--model", "-m", help="Sentence encoder ('use-m3' is embedded; or 'st:NAME_OR_PATH').")]
        = "use-m3",
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds to wait for a web page.")] = 20.0,
    max_size: Annotated[float, typer.Option(
        "--max-size", min=0.001, help="Refuse documents larger than this many MB.")] = 10.0,
) -> None:
    from align.cli import write_atomically
    from align.embed import load_encoder
    from align.pair import list_sources, pair_sources

    en, ru = list_sources(en_sources), list_sources(ru_sources)
    result = pair_sources(en, ru, encoder=load_encoder(model), min_confidence=min_confidence,
                          timeout=timeout, max_bytes=int(max_size * 1e6))
    lines = "".join(f"{e}\t{r}\t{c:.3f}\n" for e, r, c in result.pairs)
    if output is None or str(output) == "-":
        sys.stdout.write(lines)
        sys.stdout.flush()
    else:
        write_atomically(output, lines.encode("utf-8"))
    if unmatched is not None:
        write_atomically(unmatched, "".join(f"{lang}\t{src}\t{why}\n"
                                            for lang, src, why in result.unmatched).encode())
    else:
        for lang, src, why in result.unmatched:
            typer.echo(f"diptych: unmatched {lang}: {src} ({why})", err=True)
    left = {lang: sum(1 for row in result.unmatched if row[0] == lang) for lang in ("en", "ru")}
    typer.echo(f"diptych: {len(result.pairs)} pairs of {len(en)} English and {len(ru)} Russian"
               f" sources; unmatched: {left['en']} English, {left['ru']} Russian", err=True)


def register(app: typer.Typer) -> None:
    """Add the ``pair`` command to the root app."""
    app.command("pair", help=PAIR_HELP, no_args_is_help=True)(pair_command)
