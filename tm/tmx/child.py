"""``python -m tm.tmx.child FILE``: the second process of :func:`tm.tmx.ahead.read_ahead`,
which reads a TMX file and sends its units to the importer on its standard output (a module
of its own, which the package does not import, so that ``-m`` runs it once)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tm.tmx.ahead import child


def main() -> None:
    try:
        child(Path(sys.argv[1]), sys.stdout.buffer)
    except (KeyboardInterrupt, BrokenPipeError):  # the importer stopped: nothing to say
        os._exit(1)


if __name__ == "__main__":
    main()
