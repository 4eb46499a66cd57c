"""Which engine answers: `--engine URL` (or TIMTIN_ENGINE) on reindex, search and serve.

    whoosh:PATH            an index folder on this machine (the default: whoosh:./index)
    sphinx://HOST:PORT     the head searchd of a Sphinx / Manticore cluster (search/sphinx/)

Both engines answer the same calls — search(SearchRequest) → SearchResult, article(id),
related(id), marks(q), health() — so the web layer and the CLI never know which one it is.
"""
from __future__ import annotations

import os

DEFAULT_INDEX = "index"


class BadEngineURL(ValueError):
    pass


def engine_url(url: str | None = None, index_dir: str | None = None) -> str:
    """The engine URL to use: the one given, else TIMTIN_ENGINE, else whoosh:INDEX_DIR
    (index_dir being --index / TIMTIN_INDEX, default ./index)."""
    url = url or os.environ.get("TIMTIN_ENGINE") or f"whoosh:{index_dir or DEFAULT_INDEX}"
    kind(url)
    return url


def kind(url: str) -> str:
    """"whoosh" or "sphinx"; BadEngineURL for anything else."""
    if url.startswith("whoosh:") and url[len("whoosh:"):]:
        return "whoosh"
    if url.startswith("sphinx://"):
        from .sphinx.client import parse_url
        try:
            parse_url(url)
        except ValueError as e:
            raise BadEngineURL(str(e)) from None
        return "sphinx"
    raise BadEngineURL(f"unknown engine {url!r}: use whoosh:PATH or sphinx://HOST:PORT")


def whoosh_path(url: str) -> str:
    return url[len("whoosh:"):]


def open_engine(url: str, warm_up: bool = False):
    """The engine behind url (engine_url())."""
    if kind(url) == "sphinx":
        from .sphinx.engine import SphinxEngine
        return SphinxEngine(url, warm_up=warm_up)
    from .engine import Engine
    return Engine(whoosh_path(url), warm_up=warm_up)


def reindex(url: str, corpus_paths, **kwargs):
    """Bring the engine's index up to date with the corpus (indexer.reindex's Summary)."""
    if kind(url) == "sphinx":
        from .sphinx.writer import reindex_cluster
        return reindex_cluster(corpus_paths, url, **kwargs)
    from .indexer import reindex as reindex_whoosh
    return reindex_whoosh(corpus_paths, whoosh_path(url), **kwargs)
