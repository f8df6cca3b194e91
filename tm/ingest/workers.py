"""Worker processes that never outlive the command that started them (issue 13, item 8).

``add --batch`` aligns in a process pool. Killed with SIGKILL, a parent cannot clean up, so
each worker watches its parent itself (:func:`die_with`); on SIGTERM (or Ctrl-C, or any error)
the parent kills its workers before it exits (:func:`stopping`), instead of waiting for the
pairs they are aligning.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType

from tm.errors import TMError

PR_SET_PDEATHSIG = 1


class Terminated(TMError):
    """The command received SIGTERM; what was stored before stays."""


def die_with(parent: int) -> None:
    """End this process when ``parent`` ends, however it ends (even SIGKILL).

    On Linux the kernel sends SIGKILL when the parent goes (``PR_SET_PDEATHSIG``); everywhere a
    daemon thread checks the parent's pid twice a second, which also covers a parent that died
    before this ran."""
    if sys.platform == "linux":
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="diptych-parent-watch", daemon=True).start()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated("stopped by SIGTERM: pairs stored before it are kept; run the same command"
                     " again to go on")


@contextmanager
def stopping(pool: ProcessPoolExecutor) -> Iterator[None]:
    """Run the block with SIGTERM turned into :class:`Terminated`; if the block ends with an
    exception (SIGTERM, Ctrl-C, an error), kill the workers at once, else wait for them."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except BaseException:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.kill()  # no public API: shutdown() waits for the pairs being aligned
        # the executor's thread sees the dead workers, fails the pending pairs and ends: wait
        # for it. Without waiting, the pool dropped its pipes under the running thread, whose
        # "OSError: Bad file descriptor" traceback came after the one line SIGTERM leaves; with
        # cancel_futures, Python 3.11's thread set BrokenProcessPool on the futures it had
        # cancelled and died with InvalidStateError (each in about 1 run in 5)
        pool.shutdown(wait=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
