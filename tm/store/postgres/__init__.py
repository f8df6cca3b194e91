"""The PostgreSQL backend (``--db postgresql://...``): one module per part of
:class:`tm.store.interface.Store`, plus its migrations (``schema``) and the connection with its
transactions (``store``). Needs the ``postgres`` extra (psycopg 3), imported only when a
PostgreSQL memory is opened. Imports tm.store's ``interface``, ``types`` and tm.text."""
