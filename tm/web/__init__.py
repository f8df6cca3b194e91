"""The translator's desk in the browser (``diptych serve``): pages and a JSON API over the
same library the CLI uses.

May import tm.service, tm.cli's shared options and align; the memory only through backend.py.

Layout: ``backend.py`` (the only module that calls the memory), ``security.py`` (token, host,
cross-site and size checks), ``app.py`` (assembles the routers), one router per page group
(``lookup.py``, ``pretranslate.py``, ``memory.py``, ``api.py``), ``templates/`` extending
``base.html``, and ``static/`` (plain JS and CSS, no CDN). Needs the ``web`` extra.
"""

from __future__ import annotations

__all__ = ["serve"]


def serve(*args: object, **kwargs: object) -> None:
    """See :func:`tm.web.cli.serve` (imported lazily: the web stack loads only when serving)."""
    from tm.web.cli import serve as run

    run(*args, **kwargs)  # type: ignore[arg-type]
