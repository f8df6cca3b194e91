"""Term links kept current without a manual step: after ``add`` and ``import`` a detached,
low-priority process refits them (``python -m tm.terms.background``, the memory in
``$DIPTYCH_TERMS_TARGET``).

eflomal aligns a memory's units all at once (about 30 s for 5k units and 5 min for 200k on a
loaded 2-core machine), too long to wait for in ``import`` and not worth doing for each few
units ``add`` brings (aligning only them reaches token F1 0.86 against 0.94; tm.terms.lexicon).
So the refit runs beside the user's work: one process a memory (an exclusive lock on
``DB.terms-lock``), at the lowest CPU priority, and it fits again when units came in meanwhile.
It is resumable in the only way a one-call aligner allows: a fit killed half-way leaves the old
links in place, and the next ``add``, ``import`` or ``diptych terms`` starts it again. While it
runs, ``stats`` says so (the setting :data:`RUNNING` holds when it started and on how many
units); lookups keep using the previous links, or spelling alone on a memory too small
(tm.terms.lexicon.MIN_FIT_UNITS). ``DIPTYCH_TERMS_BACKGROUND=0`` turns it off (``diptych
terms`` then refits by hand, as before).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tm.store import TM, now_iso
from tm.terms.lexicon import fit_terms, term_state

RUNNING = "terms_fit_running"
"""Setting present while a background fit runs: "since <ISO time>, <n> units"."""
ENV = "DIPTYCH_TERMS_BACKGROUND"


def behind(tm: TM) -> bool:
    """Do units wait for term links (never fitted, or units added since the last fit)?"""
    return term_state(tm).newer > 0


def enabled() -> bool:
    """Is the background refit on (``$DIPTYCH_TERMS_BACKGROUND`` is not ``0``)?"""
    return os.environ.get(ENV, "1") != "0"


def start(target: str | Path) -> bool:
    """Start the background refit of the memory ``target`` (a file, or a PostgreSQL URI:
    :attr:`tm.store.TM.target`, handed over in the environment, never on a command line that
    ``ps`` shows); True when a process was started (it exits at once if another one holds
    the memory's lock)."""
    if not enabled():
        return False
    try:
        import eflomal  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401
    except ImportError:
        return False  # no aligner: lookups use spelling cues; `diptych terms` says what to install
    subprocess.Popen(  # detached: it outlives the command that started it
        [sys.executable, "-m", "tm.terms.background"],
        env={**os.environ, TARGET: str(target)},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True)
    return True


TARGET = "DIPTYCH_TERMS_TARGET"


def _lock_path(target: str) -> str:
    """Beside the file; for a PostgreSQL memory, in the temp folder under the URI's hash."""
    if "://" not in target:
        return f"{target}.terms-lock"
    import hashlib
    import tempfile

    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return str(Path(tempfile.gettempdir()) / f"diptych-terms-{digest}.lock")


def run(target: str | Path) -> int:
    """Refit until the memory is current; returns the fits done (0: another process holds
    the lock, or nothing to do)."""
    import fcntl

    with open(_lock_path(str(target)), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        fits = 0
        with TM.open(target, create=False) as tm:
            while behind(tm) and fits < 3:  # units keep arriving: at most three rounds
                tm.set_setting(RUNNING, f"since {now_iso()}, {tm.count_units():,} units")
                try:
                    fit_terms(tm)
                finally:
                    tm.set_setting(RUNNING, "")
                fits += 1
        return fits


if __name__ == "__main__":
    os.nice(19)
    run(os.environ[TARGET])
