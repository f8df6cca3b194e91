"""A TMX file's units, parsed and converted in a second process while this one stores them.

An import spends most of its time in Python: reading the XML into ``<tu>`` values and those into
units (about 60% of a 100,000-unit import's CPU time, measured), and indexing and storing them
(the rest). :func:`parsed` does the first part in this process; :func:`read_ahead` has a
second Python process (``python -m tm.tmx.child FILE``) do it and send the units in batches
through a pipe, so that on a machine with two cores or more both parts run at once. Both give
the same items in the same order, and the same :class:`Parsed` tallies and header at the end;
a file the reader refuses raises the same :class:`~tm.errors.TMXError` either way.

The child's messages are pickles on its standard output, read only by the process that
started it (they never cross a machine or come from a file).
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from tm.errors import TMError, TMXError
from tm.store import DocumentIn, UnitIn
from tm.tmx.convert import NotAUnit, unit_from_tmx
from tm.tmx.docs import origin_of, split_props
from tm.tmx.model import TMXHeader, TMXUnit, primary_lang
from tm.tmx.read import TMXReader

DRAFTS_SKIPPED = "draft TUs (pretranslate suggestions, not translations: confirm them in a CAT tool)"
AHEAD_BYTES = 4_000_000
"""Files from this size are read by a second process (:func:`read_ahead`): starting it costs
about half a second, which a file of 4 MB (some 9,000 TUs, 3 s to import) repays."""
BATCH = 500
"""Units a message of the child carries."""
QUEUED = 64
"""Messages held between the pipe and the importer: the reader may run this many batches
ahead while the importer waits for the database."""

Item = tuple[UnitIn, list[tuple[DocumentIn, int]], str]
"""A unit (its ``position`` set), its documents ``(document, position)`` and its origin."""


@dataclass
class Parsed:
    """What reading a file found besides its units: its header (once read), TUs left out by
    reason, the languages of its variants by TUs, and ``tally`` (``tus``, ``pairs`` with both
    an English and a Russian variant, ``variants``: pairs with several of one)."""

    header: TMXHeader | None = None
    skipped: Counter[str] = field(default_factory=Counter)
    langs: Counter[str] = field(default_factory=Counter)
    tally: Counter[str] = field(default_factory=Counter)


def parsed(path: Path, state: Parsed,
           on_progress: Callable[[int], None] | None = None) -> Iterator[Item]:
    """The units of a TMX file, read here, with their documents and origins; ``state``
    takes the header and the tallies. A unit's ``position`` is its place among the units
    (drafts and TUs that are no unit left out), or its first document link's position."""
    reader = TMXReader(path, on_progress=on_progress)
    position = 0
    for tu in reader:
        state.header = reader.header
        _count(tu, state.langs, state.tally)
        links, draft, rest = split_props(tu.props)
        if draft:
            state.skipped[DRAFTS_SKIPPED] += 1
            continue
        origin, rest = origin_of(rest)
        if len(rest) != len(tu.props):
            tu = replace(tu, props=tuple(rest))
        try:
            srclang = "" if reader.header is None else reader.header.get("srclang")
            unit = unit_from_tmx(tu, srclang, position=links[0][1] if links else position)
        except NotAUnit as why:
            state.skipped[f"TUs {why}"] += 1
            continue
        position += 1
        yield unit, links, origin
    state.header = reader.header


def _count(tu: TMXUnit, langs: Counter[str], tally: Counter[str]) -> None:
    """Tally a TU's languages: whether it pairs English with Russian, with several of one."""
    seen: set[str] = set()
    en = ru = 0
    for v in tu.variants:
        lang = primary_lang(v.lang)
        if lang:
            seen.add(lang)
            en += lang == "en"
            ru += lang == "ru"
    for lang in seen:
        langs[lang] += 1
    tally["tus"] += 1
    if en and ru:
        tally["pairs"] += 1
        tally["variants"] += en > 1 or ru > 1


def use_second_process(path: Path, wanted: bool | None) -> bool:
    """Whether to read ``path`` in a second process: ``wanted``, else when the file is big
    (:data:`AHEAD_BYTES`) and the machine has a second core."""
    if wanted is not None:
        return wanted
    try:
        return (os.cpu_count() or 1) > 1 and path.stat().st_size >= AHEAD_BYTES
    except OSError:
        return False


# ------------------------------------------------------------------ the second process
def _send(out: BinaryIO, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack("<Q", len(data)))
    out.write(data)


def child(path: Path, out: BinaryIO) -> None:
    """Read ``path`` and send ``("units", items, bytes read, header)`` per :data:`BATCH`,
    then ``("done", state, bytes read)``, or ``("error", message)`` for a file the reader
    refuses."""
    state = Parsed()
    read = [0]

    def progress(n: int) -> None:
        read[0] += n

    batch: list[Item] = []
    try:
        for item in parsed(path, state, progress):
            batch.append(item)
            if len(batch) >= BATCH:
                _send(out, ("units", batch, read[0], state.header))
                batch, read[0] = [], 0
        _send(out, ("units", batch, read[0], state.header))
        _send(out, ("done", state, 0))
    except TMXError as exc:
        _send(out, ("error", str(exc)))
    out.flush()


def _pump(stream: BinaryIO, messages: queue.Queue[bytes | None]) -> None:
    """Move the child's messages from the pipe to ``messages`` (None at its end), so the
    child keeps reading while the importer waits for the database."""
    try:
        while True:
            head = stream.read(8)
            if len(head) < 8:
                break
            messages.put(stream.read(struct.unpack("<Q", head)[0]))
    finally:
        messages.put(None)


def read_ahead(path: Path, state: Parsed,
               on_progress: Callable[[int], None] | None = None) -> Iterator[Item]:
    """:func:`parsed`, run in a second process (see the module)."""
    root = str(Path(__file__).resolve().parents[2])  # the child imports this very package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tm.tmx.child", str(path)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    except OSError:  # no interpreter to start (an embedded Python): read it here
        yield from parsed(path, state, on_progress)
        return
    messages: queue.Queue[bytes | None] = queue.Queue(QUEUED)
    assert proc.stdout is not None
    pump = threading.Thread(target=_pump, args=(proc.stdout, messages), daemon=True)
    pump.start()
    finished = False
    try:
        while (data := messages.get()) is not None:
            message = pickle.loads(data)  # our own child's output (see the module)
            if message[0] == "error":
                raise TMXError(message[1])
            if on_progress is not None and message[2]:
                on_progress(message[2])
            if message[0] == "done":
                done: Parsed = message[1]
                state.header, state.skipped, state.langs, state.tally = (
                    done.header, done.skipped, done.langs, done.tally)
                finished = True
                return
            state.header = message[3]
            yield from message[1]
        proc.wait()
        raise TMError(f"reading {path.name} in a second process failed (exit code "
                      f"{proc.returncode}): nothing imported")
    finally:
        _stop(proc, pump, messages, finished)


def _stop(proc: subprocess.Popen[bytes], pump: threading.Thread,
          messages: queue.Queue[bytes | None], finished: bool) -> None:
    """End the child (killed unless it ``finished``) and the thread reading its pipe."""
    if not finished and proc.poll() is None:
        proc.kill()  # the importer stopped early (an error, or it was interrupted)
    while pump.is_alive():  # a full queue would keep the pump from seeing the pipe's end
        try:
            messages.get(timeout=0.1)
        except queue.Empty:
            pass
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
