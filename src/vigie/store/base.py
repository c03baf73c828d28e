"""What every store back end shares: the :class:`ArticleStore` protocol, the record shapes it returns, and the
row conversions and query hygiene both SQL dialects apply the same way."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, Self, TypedDict

from vigie.models import Article, RawDocument
from vigie.store.search import SearchOptions, SearchResults
from vigie.text import slug

DEFAULT_DB = "vigie.db"
PG_SCHEMES = ("postgresql://", "postgres://")

_JSON_LISTS = ("authors", "comments", "tags")
_ARTICLE_COLS = (
    "id", "source", "title", "published", "url", "outlet", "original_outlet", "authors", "language", "body",
    "standfirst", "comments", "tags",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def resolve_db_path(path: str | os.PathLike[str] | None) -> str:
    """The path (or PostgreSQL URL) given, else $VIGIE_DB, else `vigie.db` in the working directory."""
    if path is not None:
        return os.fspath(path)
    return os.environ.get("VIGIE_DB") or DEFAULT_DB


class Placement(TypedDict):
    """One placed article, as :meth:`ArticleStore.placements` returns it (a duplicate carries its original's ids)."""

    id: str
    source: str
    title: str | None
    outlet: str | None
    original_outlet: str | None
    published: str | None
    language: str | None
    url: str | None
    duplicate_of: str | None
    event_id: str
    story_id: str
    vector: bytes | None


FeatureRow = tuple[str, str, bytes | None, bytes | None, str | None]


@dataclass(frozen=True, slots=True)
class Alert:
    """A saved search (:mod:`vigie.alerts`): its id is never given again once removed."""

    id: int
    query: str
    webhook: str | None = None
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One entity in one story's details, as the entity index keeps it (``slug``: :func:`vigie.text.slug` of the
    name; ``mentions``: times the details count it; ``quotes``: quotes given to it)."""

    slug: str
    name: str
    type: str | None
    mentions: int
    quotes: int
    story_id: str = ""


@dataclass(frozen=True, slots=True)
class ArticleMention:
    """One entity in one article's stored analysis, as the article entity index keeps it (``mentions``: times the
    analysis counts it; ``quotes``: quotes it gives to it); ``story_id`` is filled when read back (the story the
    article is placed in now)."""

    article_id: str
    slug: str
    name: str
    type: str | None
    mentions: int
    quotes: int
    story_id: str = ""


def entity_counts(entities: Iterable[Any], speakers: Iterable[str]) -> list[tuple[str, str, str | None, int, int]]:
    """(slug, name, type, mentions, quotes) rows of an entity index, by slug then name: each name the ``entities``
    (with ``name``, ``type``, ``count``) count, and each speaker quoted; names with no slug are left out."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for e in entities:
        if s := slug(e.name):
            row = rows.setdefault((s, e.name), [e.type or None, 0, 0])
            row[1] += e.count or 1
    for name in speakers:
        if s := slug(name):
            rows.setdefault((s, name), [None, 0, 0])[2] += 1
    return [(s, name, typ, mentions, quotes) for (s, name), (typ, mentions, quotes) in sorted(rows.items())]


class ArticleStore(Protocol):
    """What the pipeline, the story stage, the exports and the server need of a store, whatever its back end.

    Implemented once by :class:`vigie.store.sql.SQLStore`, on SQLite (:class:`vigie.store.sqlite.SQLiteStore`) and
    PostgreSQL (:class:`vigie.store.postgres.PostgresStore`); get one with :func:`vigie.store.open_store`.
    """

    path: str  # what names the store in messages (a PostgreSQL URL with its password masked)

    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def atomic(self) -> AbstractContextManager[Any]: ...
    def schema_version(self) -> int: ...
    # writes
    def has(self, article_id: str) -> bool: ...
    def add(self, raw: RawDocument, article: Article) -> bool: ...
    def add_source(self, article_id: str, source: str) -> None: ...
    def update_article(self, article: Article) -> None: ...
    # reads
    def count(self) -> int: ...
    def get(self, article_id: str) -> Article: ...
    def raw(self, article_id: str) -> RawDocument: ...
    def raws(self) -> Iterator[RawDocument]: ...
    def sources(self, article_id: str) -> list[str]: ...
    def known_ids(self) -> Iterator[str]: ...
    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]: ...
    def search(self, query: str, *, limit: int = 20) -> list[tuple[Article, str]]: ...
    def find(self, query: str, options: SearchOptions | None = None) -> SearchResults: ...
    def search_languages(self) -> list[str]: ...
    def rebuild_search_index(self) -> int: ...
    def outlet_counts(self) -> dict[str, int]: ...
    def original_outlet_counts(self) -> dict[str, int]: ...
    def outlet_article_ids(self, outlet: str, *, reprints: bool = False) -> list[str]: ...
    # story stage
    def stories_lock(self) -> AbstractContextManager[None]: ...
    def stories_version(self) -> tuple[int, ...]: ...
    def unplaced(self) -> list[Article]: ...
    def count_unplaced(self) -> int: ...
    def reset_stories(self) -> None: ...
    def dedup_rows(self) -> Iterator[tuple[str, str, bytes | None]]: ...
    def state_blob(self, key: str) -> bytes | None: ...
    def cluster_rows(self) -> Iterator[tuple[int, str, bytes]]: ...
    def cluster_edges(self) -> Iterator[tuple[int, int, float]]: ...
    def duplicates_of(self, article_ids: Sequence[str]) -> dict[str, str]: ...
    def save_placements(
        self,
        features: Sequence[FeatureRow],
        duplicates: dict[str, str],
        assignments: dict[str, tuple[str, str]],
        state: dict[str, bytes],
        cluster_rows: Sequence[tuple[int, str, bytes]] = (),
        cluster_edges: Sequence[tuple[int, int, float]] = (),
    ) -> None: ...
    def placements(self, story_id: str | None = None) -> list[Placement]: ...
    def save_analyses(self, rows: Sequence[tuple[str, str, str]], mentions: Sequence[ArticleMention] = ()) -> None: ...
    def analyses(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...
    def save_summary_units(self, rows: Sequence[tuple[str, str, str, bytes]]) -> None: ...
    def summary_units(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str, bytes]]: ...
    def cached_story(self, story_id: str, key: str) -> str | None: ...
    def cache_story(self, story_id: str, key: str, value: str, entities: Sequence[EntityRow] = ()) -> None: ...
    def entity_stories(self, slug: str) -> list[EntityRow]: ...
    def uncached_stories(self) -> list[str]: ...
    def entity_mentions(self, slug: str) -> list[ArticleMention]: ...
    def story_of(self, article_id: str) -> str | None: ...
    # saved alerts
    def add_alert(self, query: str, webhook: str | None = None) -> Alert: ...
    def alerts(self) -> list[Alert]: ...
    def remove_alert(self, alert_id: int) -> bool: ...


def is_postgres_url(path: str | os.PathLike[str] | None) -> bool:
    return isinstance(path, str) and path.startswith(PG_SCHEMES)


def _mask(url: str) -> str:
    """The URL with its password (in the netloc or a ``password=`` parameter) replaced by ``***``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = urlencode([(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)], safe="/:")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return url.split("://", 1)[0] + "://***"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def search_text(query: str) -> str:
    """A search query without control characters: NUL ends an FTS5 string early and PostgreSQL refuses it."""
    return _CONTROL.sub(" ", query)


def _article_row(a: Article) -> tuple[Any, ...]:
    d = a.to_dict()
    return tuple(json.dumps(d[c], ensure_ascii=False) if c in _JSON_LISTS else d[c] for c in _ARTICLE_COLS)


def _row_article(row: sqlite3.Row | Mapping[str, Any]) -> Article:
    d = {c: row[c] for c in _ARTICLE_COLS}
    for c in _JSON_LISTS:
        d[c] = json.loads(d[c] or "[]")
    return Article.from_dict(d)
