"""How the memory translates words: eflomal word links, the fitted lexicon, a term's translation.

May import tm.text and tm.store; never tm.search, tm.service, tm.cli or tm.web.
"""
