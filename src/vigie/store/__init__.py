"""Article stores: one :class:`ArticleStore` protocol, implemented once in SQL (:mod:`vigie.store.sql`, with the
schema in :mod:`vigie.store.migrations` and what differs between SQL dialects in :mod:`vigie.store.dialect`) on two
back ends (:mod:`vigie.store.sqlite`, the default, and :mod:`vigie.store.postgres`), and :func:`open_store`, which
picks the back end from the path or URL (a file or ``:memory:`` -> SQLite, ``postgresql://`` -> PostgreSQL).
No SQL runs outside this package."""

from __future__ import annotations

import os

from vigie.store.base import (
    DEFAULT_DB,
    Alert,
    ArticleMention,
    ArticleStore,
    EntityRow,
    FeatureRow,
    Placement,
    entity_counts,
    is_postgres_url,
    resolve_db_path,
    search_text,
)
from vigie.store.migrations import MIGRATIONS
from vigie.store.search import FacetCount, Facets, SearchHit, SearchOptions, SearchResults, Segment
from vigie.store.sqlite import SQLiteStore, Store

__all__ = [
    "DEFAULT_DB", "MIGRATIONS", "Alert", "ArticleMention", "ArticleStore", "EntityRow", "FacetCount", "Facets", "FeatureRow", "Placement",
    "SQLiteStore", "SearchHit", "SearchOptions", "SearchResults", "Segment", "Store",
    "entity_counts", "is_postgres_url", "open_store", "resolve_db_path", "search_text",
]


def open_store(path: str | os.PathLike[str] | None = None) -> ArticleStore:
    """Open (creating and migrating if needed) the store named by ``path``, else $VIGIE_DB, else ``vigie.db``.

    A ``postgresql://`` (or ``postgres://``) URL opens a PostgreSQL store (the ``postgres`` extra); anything else is
    a SQLite file, or ``:memory:``.

    Raises:
        StoreError: the store cannot be opened (bad path or URL, server down, newer schema, extra missing).

    Example:
        >>> store = open_store(":memory:")
        >>> store.count()
        0
    """
    target = resolve_db_path(path)
    if is_postgres_url(target):
        from vigie.store.postgres import PostgresStore

        return PostgresStore(target)
    return SQLiteStore(target)
