"""Words of a segment: tokens, stems, Russian word forms, language guess, the amounts and dates
in it, and a lookup's query analysed once.

The bottom room of tm: imports nothing of tm but tm.errors (Russian word forms need pymorphy3).
"""
