"""Moved to :mod:`align.sources.fetch`; kept so ``from align.fetch import is_url`` still works."""

from align.sources.fetch import MAX_REDIRECTS, Page, fetch, is_url

__all__ = ["MAX_REDIRECTS", "Page", "fetch", "is_url"]
