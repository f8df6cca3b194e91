"""Storing aligned pairs: one pair's document and units in one transaction, ``add --batch`` workers.

May import align, tm.store and tm.vectors; never tm.search, tm.service, tm.cli or tm.web.
"""
