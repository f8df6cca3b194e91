"""Pre-translation of a new story: the CAT analysis and a draft whose every unsure segment says so.

May import align (splitting), tm.text and tm.search; never tm.service, tm.cli or tm.web.
"""
