"""Writing what a command produces: to stdout, or to a file safely; and rendering alignments.

:func:`write_output` is the ONE writer of every command (align, pair, pretranslate, export).
A file is written through a temp file in the same folder and renamed over the target, so a
reader never sees half a file and an interrupted write leaves nothing behind (on Linux the temp
file is anonymous until complete, so not even a kill leaves a ``.part`` file). Only a regular
file (or a symlink to one: its target is written) or a new path is written: a device node, a
FIFO, a folder or a symlink to one of those is refused with one line, so ``-o /dev/null`` never
replaces ``/dev/null``. An existing file keeps its mode; a new one gets ``0666 & ~umask``.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from align.errors import InputError

if TYPE_CHECKING:
    from align.formats import Format
    from align.types import Alignment

T = TypeVar("T")


def tool_version() -> str:
    """diptych's version (written into TMX headers; ``diptych --version``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("diptych")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def is_stdout(target: str | Path | None) -> bool:
    return target is None or str(target) == "-"


def check_writable(path: str | Path) -> Path:
    """The file that writing ``path`` would replace (a symlink resolved), if it may be
    written; else an :class:`InputError` that says why. Call it before long work."""
    path = Path(path).expanduser()
    try:
        st = path.stat()  # follows symlinks: what would really be written
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:
        raise InputError(f"cannot write '{path}': {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"cannot write '{path}': it is a folder; give a file name inside it")
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if
                stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise InputError(f"cannot write '{path}': it is {kind}, not a regular file; give a file"
                         " name, or - for stdout")
    if path.is_symlink():
        path = path.resolve()  # write the target, keep the link
    if path.parent.exists() and not path.parent.is_dir():
        raise InputError(f"cannot write '{path}': '{path.parent}' is a file, not a folder")
    if not path.parent.is_dir():
        raise InputError(f"cannot write '{path}': folder '{path.parent}' does not exist")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write '{path}': folder '{path.parent}' is not writable")
    return path


def _new_file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _temp_file(folder: Path, name: str) -> tuple[int, str | None]:
    """An open temp file in ``folder``: anonymous (``O_TMPFILE``, nothing to leave behind even
    after a kill) where the system has it, else a named ``.NAME.*.part`` file."""
    if hasattr(os, "O_TMPFILE") and Path("/proc/self/fd").is_dir():
        try:
            return os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600), None
        except OSError:  # a filesystem without O_TMPFILE
            pass
    return tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")


def write_atomically(path: str | Path, data: bytes | Callable[[BinaryIO], T]) -> T | None:
    """Write ``data`` (bytes, or a function that writes to a binary file and returns a result)
    to ``path`` through a temp file + rename (see the module docstring). Problems become one
    :class:`InputError` that names the path."""
    path = check_writable(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    try:
        fd, tmp = _temp_file(path.parent, path.name)
    except OSError as exc:
        raise InputError(f"cannot write '{path}': {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            if isinstance(data, bytes):
                f.write(data)
                result = None
            else:
                result = data(f)
            f.flush()
            if tmp is None:  # give the anonymous file a name only now that it is complete
                tmp = tempfile.mktemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
                fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
                try:  # linkat(..., AT_SYMLINK_FOLLOW): CPython uses it given a src_dir_fd
                    os.link(str(f.fileno()), tmp, src_dir_fd=fds, follow_symlinks=True)
                finally:
                    os.close(fds)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write '{path}': {exc.strerror or exc}") from None
        raise
    return result


def write_output(target: str | Path | None, data: bytes | Callable[[BinaryIO], T]) -> T | None:
    """Write to stdout (``target`` None or ``-``) or atomically to a file."""
    if not is_stdout(target):
        assert target is not None
        return write_atomically(target, data)
    out = sys.stdout.buffer
    result = None
    if isinstance(data, bytes):
        out.write(data)
    else:
        result = data(out)
    out.flush()
    return result


SUFFIX_FORMATS = {
    ".txt": "text", ".tsv": "tsv", ".jsonl": "jsonl", ".ladder": "ladder", ".tmx": "tmx",
    ".html": "html", ".htm": "html",
}


def render(al: Alignment, fmt: Format, *, src_lang: str, tgt_lang: str, weak: float,
           title: str) -> bytes:
    """The alignment in ``fmt`` as bytes (UTF-8)."""
    import io

    from align import formats
    from align.formats import Format

    if fmt is Format.tmx:
        buf = io.BytesIO()
        formats.write_tmx(al, buf, src_lang=src_lang, tgt_lang=tgt_lang,
                          tool_version=tool_version())
        return buf.getvalue()
    if fmt is Format.text:
        text = formats.to_text(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak)
    elif fmt is Format.html:
        text = formats.to_html(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak, title=title)
    else:
        text = {Format.tsv: formats.to_tsv, Format.jsonl: formats.to_jsonl,
                Format.ladder: formats.to_ladder}[fmt](al)
    return text.encode("utf-8")
