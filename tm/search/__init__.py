"""Lookups in the memory: exact, fuzzy (CAT match %), concordance, semantic and auto, one query at a time.

May import tm.text, tm.terms, tm.vectors and tm.store; never tm.service, tm.cli or tm.web.
"""
