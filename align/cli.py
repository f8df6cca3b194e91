"""The ``align`` and ``eval`` commands (Typer), registered on the root app by ``tm.cli``.

``align`` knows nothing of storage: ``diptych align ... --tm`` calls a store hook that the
translation-memory layer installs with :func:`set_store_hook` (dependency inversion keeps
``align`` importable without ``tm``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, BinaryIO, TypeVar

import typer

from align.errors import AlignError, InputError
from align.formats import Format
from align.types import Alignment

T = TypeVar("T")


@dataclass(frozen=True)
class StoreRequest:
    """What ``align --tm`` hands to the store hook."""

    alignment: Alignment
    src: str
    tgt: str
    db: Path | None
    title: str | None
    url: str | None
    date: str | None
    min_score: float
    model: str


StoreHook = Callable[[StoreRequest], str]
"""Stores the alignment and returns a one-line summary for stderr."""

_store_hook: StoreHook | None = None


def set_store_hook(hook: StoreHook) -> None:
    """Install the function ``align --tm`` calls (done by ``tm.cli``)."""
    global _store_hook
    _store_hook = hook




_SUFFIX_FORMATS = {
    ".txt": Format.text, ".tsv": Format.tsv, ".jsonl": Format.jsonl, ".ladder": Format.ladder,
    ".tmx": Format.tmx, ".html": Format.html, ".htm": Format.html,
}


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("diptych")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def warn(message: str) -> None:
    typer.echo(f"diptych: warning: {message}", err=True)


def check_writable(path: Path) -> Path:
    """``path`` (user-expanded) if a file can be written there, else an :class:`InputError`."""
    path = path.expanduser()
    if path.is_dir():
        raise InputError(f"cannot write '{path}': it is a folder; give a file name inside it")
    if path.parent.exists() and not path.parent.is_dir():
        raise InputError(f"cannot write '{path}': '{path.parent}' is a file, not a folder")
    if not path.parent.is_dir():
        raise InputError(f"cannot write '{path}': folder '{path.parent}' does not exist")
    return path


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], T]) -> T | None:
    """Write ``data`` (bytes, or a function that writes to a binary file and returns a result)
    to ``path`` through a temp file + rename: never a half-written file. Problems become one
    :class:`InputError` that names the path."""
    path = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise InputError(f"cannot write '{path}': {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes):
                f.write(data)
                result = None
            else:
                result = data(f)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write '{path}': {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def render(al: Alignment, fmt: Format, *, src_lang: str, tgt_lang: str, weak: float,
           title: str) -> bytes:
    """The alignment in ``fmt`` as bytes (UTF-8)."""
    from align import formats

    if fmt is Format.text:
        text = formats.to_text(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak)
    elif fmt is Format.tsv:
        text = formats.to_tsv(al)
    elif fmt is Format.jsonl:
        text = formats.to_jsonl(al)
    elif fmt is Format.ladder:
        text = formats.to_ladder(al)
    elif fmt is Format.html:
        text = formats.to_html(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak, title=title)
    else:
        import io

        buf = io.BytesIO()
        formats.write_tmx(al, buf, src_lang=src_lang, tgt_lang=tgt_lang,
                          tool_version=tool_version())
        return buf.getvalue()
    return text.encode("utf-8")


def _emit(al: Alignment, fmt: Format, output: Path | None, *, src_lang: str, tgt_lang: str,
          weak: float, title: str) -> None:
    if output is None and fmt is Format.text and sys.stdout.isatty():
        from rich.console import Console

        from align.formats import text_table

        Console().print(text_table(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak))
        return
    data = render(al, fmt, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak, title=title)
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(output, data)


def _read_batch(path: Path) -> list[tuple[str, str, Path | None]]:
    """Lines ``en_path<TAB>ru_path<TAB>out_path``; blank lines and ``#`` comments skipped."""
    if not path.is_file():
        raise InputError(f"batch file '{path}' does not exist")
    jobs: list[tuple[str, str, Path | None]] = []
    for no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
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


ALIGN_HELP = """Align two editions of a story into parallel segments.

Splits both files into sentences, embeds them with a multilingual sentence encoder and finds the best monotone pairing: 1-1, merges and splits of up to 4 sentences a side, and sentences with no counterpart. Every group (bead) gets a confidence in [0, 1]; weak ones are flagged.

[bold]Examples[/bold]

  diptych align story.en.txt story.ru.txt               [dim]# side by side[/dim]

  diptych align story.en.txt story.ru.txt -o review.html [dim]# review page[/dim]

  diptych align en.txt ru.txt -f jsonl | jq .score       [dim]# one bead a line[/dim]

  diptych align --presplit a.de a.fr --src-lang de --tgt-lang fr -f ladder

  diptych align --batch pairs.tsv -f tmx    [dim]# many pairs, one model load[/dim]

  diptych align en.txt ru.txt --tm --title "Rail deal"  [dim]# also store in the TM[/dim]
"""


def align_command(
    en_file: Annotated[str | None, typer.Argument(
        help="The English (source) edition: a UTF-8 text file (paragraphs separated by blank"
             " lines), a Markdown or HTML file, or an http(s) URL.",
        show_default=False)] = None,
    ru_file: Annotated[str | None, typer.Argument(
        help="The Russian (target) edition, in the same forms.", show_default=False)] = None,
    fmt: Annotated[Format | None, typer.Option(
        "--format", "-f",
        help="Output format [default: from the -o suffix, else text]. ladder is Vecalign's"
             " '[0, 1]:[2]:0.870' (0-based sentence ids); jsonl is one bead a line.",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here instead of stdout (written atomically).",
        show_default=False)] = None,
    presplit: Annotated[bool, typer.Option(
        "--presplit", help="Inputs are one sentence a line; blank lines are paragraph breaks.")]
        = False,
    model: Annotated[str, typer.Option(
        "--model", "-m",
        help="Sentence encoder: 'use-m3' (embedded, no download) or 'st:NAME_OR_PATH' for a"
             " sentence-transformers model such as st:sentence-transformers/LaBSE"
             " (needs pip install 'diptych[st]').")] = "use-m3",
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
        help="Beads under this confidence are flagged as weak.")] = 0.5,
    max_size: Annotated[float, typer.Option(
        "--max-size", min=0.001, help="Refuse input files larger than this many MB.")] = 10.0,
    tm: Annotated[bool, typer.Option(
        "--tm", help="Also store the aligned pairs in the translation memory (see `diptych add`).")]
        = False,
    db: Annotated[Path | None, typer.Option(
        "--db", envvar="DIPTYCH_DB", help="Translation memory for --tm \\[default: ./diptych.db].",
        show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", help="Story title, for --tm.")]
        = None,
    url: Annotated[str | None, typer.Option("--url", help="Story URL, for --tm.")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date, for --tm.")]
        = None,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="With --tm: pairs under this confidence are not stored as trusted units.")] = 0.5,
) -> None:
    from align.embed import load_encoder
    from align.pipeline import align_files

    if batch is not None and (en_file or ru_file):
        raise InputError("give either EN_FILE RU_FILE or --batch FILE, not both")
    if tm and _store_hook is None:
        raise AlignError("--tm needs the translation memory package (tm), which is not loaded")
    if batch is not None:
        jobs = _read_batch(batch)
    elif en_file is None or ru_file is None:
        raise InputError("give the two editions: diptych align EN_FILE RU_FILE (see --help)")
    else:
        jobs = [(en_file, ru_file, output)]
    encoder = load_encoder(model)
    failures = 0

    def run(src: str, tgt: str, out: Path | None) -> None:
        suffix_fmt = None
        if out is not None:
            check_writable(out)  # before the work, not after it
            suffix_fmt = _SUFFIX_FORMATS.get(out.suffix.lower())
            if fmt is None and suffix_fmt is None:
                warn(f"{out.name}: no format is known for its suffix; writing text"
                     f" (pick one with --format {'|'.join(f.value for f in Format)})")
        al = align_files(src, tgt, encoder=encoder, src_lang=src_lang, tgt_lang=tgt_lang,
                         presplit=presplit, check_lang=lang_check,
                         max_bytes=int(max_size * 1e6))
        for w in al.warnings:
            warn(f"{_short(src)} / {_short(tgt)}: {w}" if batch else w)
        _emit(al, fmt or suffix_fmt or Format.text, out, src_lang=src_lang, tgt_lang=tgt_lang,
              weak=weak, title=title or f"{_short(src)} ↔ {_short(tgt)}")
        if tm and _store_hook is not None:
            summary = _store_hook(StoreRequest(al, src, tgt, db, title, url, date, min_score,
                                               model))
            typer.echo(f"diptych: {summary}", err=True)

    if batch is None:
        run(*jobs[0])
        return
    from rich.progress import Progress

    with Progress(transient=False, console=_stderr_console()) as progress:
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


def _short(source: str) -> str:
    """A file's name, or a URL as given, for messages and titles."""
    return source if "://" in source else Path(source).name


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


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
    from align.formats import parse_ladder
    from align.score import score

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

    def load(p: Path) -> list:
        if not p.is_file():
            raise InputError(f"ladder file '{p}' does not exist")
        try:
            return parse_ladder(p.read_text(encoding="utf-8"))
        except InputError as exc:
            raise InputError(f"{p}: {exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"{p}: not a UTF-8 text ladder file") from None

    result = score([load(p) for p in gold], [load(p) for p in test])
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


def register(app: typer.Typer) -> None:
    """Add align's commands to the root app."""
    app.command("align", help=ALIGN_HELP, no_args_is_help=True)(align_command)
    app.command("eval", no_args_is_help=True,
                context_settings={"ignore_unknown_options": True})(eval_command)
