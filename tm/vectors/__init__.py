"""Sentence embeddings of units: the encoder tm loads, ``index``, and the IVF index semantic search reads.

May import align.embed, tm.store and tm.errors; never tm.search, tm.service, tm.cli or tm.web.
"""
