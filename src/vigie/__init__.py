"""Vigie: self-hosted news-story intelligence.

The Python API mirrors the CLI::

    import vigie
    store = vigie.open_store("vigie.db")
    report = vigie.ingest(store, ["examples/seeds"])
    for article in store.articles():
        print(article.title, article.outlet, article.published)
    articles = vigie.extract_file("article.html")   # clean without storing
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vigie.errors import InputError, NotFoundError, StoreError, VigieError
from vigie.models import Article, RawDocument

if TYPE_CHECKING:
    from vigie.pipeline import IngestReport, ingest
    from vigie.store import ArticleStore, Store

__version__ = "0.1.0"
__all__ = [
    "Article", "ArticleStore", "IngestReport", "InputError", "NotFoundError", "RawDocument", "Store", "StoreError",
    "VigieError",
    "__version__", "extract_file", "ingest", "open_store",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def open_store(path: str | None = None) -> ArticleStore:
    """Open (creating and migrating if needed) the store at ``path``, $VIGIE_DB or ``vigie.db``: a SQLite file, or
    a PostgreSQL database for a ``postgresql://user:pass@host/dbname`` URL (the ``postgres`` extra)."""
    from vigie.store import open_store as _open_store

    return _open_store(path)


def extract_file(path: str) -> list[Article]:
    """Clean every article in a file or folder without storing it.

    Raises:
        InputError: the first input that could not be read or cleaned.
    """
    from vigie.pipeline import extract_paths

    out: list[Article] = []
    for item in extract_paths([path]):
        if isinstance(item, InputError):
            raise item
        out.append(item[1])
    return out


def __getattr__(name: str) -> Any:
    # Heavy modules (trafilatura, lxml) load only when the API that needs them is used.
    if name in ("ingest", "IngestReport"):
        from vigie import pipeline

        return getattr(pipeline, name)
    if name in ("Store", "ArticleStore"):
        from vigie import store

        return getattr(store, name)
    raise AttributeError(f"module 'vigie' has no attribute {name!r}")
