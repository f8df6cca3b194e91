"""The SQLite backend: a memory in one file (WAL), one module per part of
:class:`tm.store.interface.Store`, plus its migrations (``schema``), the check that a file is
ours (``check``) and the connection with its transactions (``store``). Imports tm.store's
``interface``, ``types`` and ``location``, and tm.text (the stems it indexes)."""
