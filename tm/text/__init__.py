"""Words of a segment: tokens, stems, language guess, and the amounts and dates in it.

The bottom room of tm: imports nothing of tm but tm.errors.
"""
