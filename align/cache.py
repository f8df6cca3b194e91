"""Moved to :mod:`align.embed.cache`; this name stays importable for older callers."""

from align.embed.cache import EmbeddingCache, default_cache_dir

__all__ = ["EmbeddingCache", "default_cache_dir"]
