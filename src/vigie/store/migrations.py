"""The schema, stated once for both back ends: versioned migrations, run in order, each once, recorded in the
``migrations`` table. Column types come from the back end's :class:`~vigie.store.dialect.Dialect`; the full-text
index, which differs in kind (an FTS5 table, a ``tsvector`` column under a GIN index, both holding the terms
:mod:`vigie.store.terms` computes), is the back end's own :meth:`create_search_index`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from vigie.store.dialect import Dialect


class Schema(Protocol):
    """What a migration needs of the store it runs on (inside the store's migration transaction)."""

    @property
    def dialect(self) -> Dialect: ...
    def _execute(self, statement: str, params: Any = ()) -> Any: ...
    def create_search_index(self) -> None: ...
    def rebuild_search_index(self) -> int: ...


Migration = Callable[[Schema], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    """Register a schema migration; they run in version order, each once, recorded in `migrations`."""

    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return register


def _run(s: Schema, *statements: str) -> None:
    # Statement by statement: SQLite's executescript() would commit the migration transaction half-way.
    for stmt in statements:
        s._execute(stmt)


@migration(1, "articles")
def _articles(s: Schema) -> None:
    d = s.dialect
    k = d.key
    _run(
        s,
        # The counter column (PostgreSQL; SQLite's rowid) comes last, so positional INSERTs of six columns work.
        f"""CREATE TABLE raw (id {k} PRIMARY KEY, source TEXT NOT NULL, format TEXT NOT NULL, content TEXT NOT NULL,
            meta TEXT NOT NULL, read_at TEXT NOT NULL{d.counter_column("n")})""",
        f"""CREATE TABLE articles (
            id {k} PRIMARY KEY REFERENCES raw(id), source {k} NOT NULL, title {k}, published {k}, url TEXT,
            outlet {k}, original_outlet TEXT, authors TEXT NOT NULL DEFAULT '[]', language TEXT,
            body TEXT NOT NULL DEFAULT '', standfirst TEXT, comments TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]', ingested_at TEXT NOT NULL
        )""",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_outlet ON articles(outlet)",
        f"""CREATE TABLE article_sources (article_id {k} NOT NULL REFERENCES articles(id), source {k} NOT NULL,
            PRIMARY KEY (article_id, source))""",
    )
    s.create_search_index()


@migration(2, "stories")
def _stories(s: Schema) -> None:
    d = s.dialect
    k = d.key
    _run(
        s,
        # One row per article the story stage has seen: its exact-copy key, MinHash signature, USE vector
        # (float16; None for duplicates, which reuse their original's placement) and cheap clustering features.
        f"""CREATE TABLE article_features (article_id {k} PRIMARY KEY REFERENCES articles(id), seq BIGINT NOT NULL,
            text_key TEXT NOT NULL, minhash {d.blob}, vector {d.blob}, features TEXT)""",
        "CREATE INDEX article_features_seq ON article_features(seq)",
        f"CREATE TABLE duplicates (article_id {k} PRIMARY KEY REFERENCES articles(id), duplicate_of {k} NOT NULL)",
        "CREATE INDEX duplicates_of ON duplicates(duplicate_of)",
        # The `rev` counter changes on every write of a row, so the server's caches see a re-assignment.
        f"""CREATE TABLE assignments (article_id {k} PRIMARY KEY REFERENCES articles(id), event_id {k} NOT NULL,
            story_id {k} NOT NULL{d.counter_column("rev")})""",
        "CREATE INDEX assignments_story ON assignments(story_id)",
        "CREATE INDEX assignments_event ON assignments(event_id)",
        f"CREATE TABLE cluster_state (key TEXT PRIMARY KEY, value {d.blob} NOT NULL)",
    )


@migration(3, "story cache")
def _story_cache(s: Schema) -> None:
    # Story details (analysis, summary, coverage) are costly; they are kept until the story's article set changes.
    _run(s, f"CREATE TABLE story_cache (story_id {s.dialect.key} PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)")


@migration(4, "incremental cluster state")
def _cluster_state(s: Schema) -> None:
    # The clusterer's state kept row by row, so a batch writes only what it changed, not the whole corpus again;
    # the placements made with the former whole-corpus state are dropped (the next update places all again).
    d = s.dialect
    _run(
        s,
        f'CREATE TABLE cluster_articles ("row" INTEGER PRIMARY KEY, data TEXT NOT NULL, vector {d.blob} NOT NULL)',
        f"CREATE TABLE cluster_edges (i INTEGER NOT NULL, j INTEGER NOT NULL, s {d.real} NOT NULL, PRIMARY KEY (i, j))",
        *d.clear(("cluster_state", "assignments", "duplicates", "article_features", "story_cache")),
    )


@migration(5, "alerts")
def _alerts(s: Schema) -> None:
    # IF NOT EXISTS: earlier versions created this table on first use, outside the migrations. The key never gives a
    # removed alert's id to a new one.
    _run(s, f"CREATE TABLE IF NOT EXISTS alerts (id {s.dialect.serial_key}, query TEXT NOT NULL, webhook TEXT, "
            "created_at TEXT NOT NULL)")


@migration(6, "article analyses")
def _analyses(s: Schema) -> None:
    # The understand stage's result per article (entities, quotes, dates, events), computed once at ingest, so a
    # story's details are assembled without parsing again. ``version`` is the record shape it was written with.
    k = s.dialect.key
    _run(s, f"CREATE TABLE analyses (article_id {k} PRIMARY KEY REFERENCES articles(id), version TEXT NOT NULL, "
            "data TEXT NOT NULL)")


@migration(7, "story entity index")
def _story_entities(s: Schema) -> None:
    # Who each story's details name or quote, written with the details: an entity page reads the stories that
    # name it from this index instead of opening every story.
    k = s.dialect.key
    _run(
        s,
        f"""CREATE TABLE story_entities (story_id {k} NOT NULL, slug {k} NOT NULL, name TEXT NOT NULL,
            type TEXT, mentions INTEGER NOT NULL, quotes INTEGER NOT NULL, PRIMARY KEY (story_id, slug, name))""",
        "CREATE INDEX story_entities_slug ON story_entities(slug)",
    )


@migration(8, "stemmed search index")
def _stemmed_search(s: Schema) -> None:
    # Search terms are now computed in Python (vigie.store.terms: folding, the article language's Snowball stemmer,
    # French derivations), so both back ends agree; the former index (FTS5 unstemmed, PostgreSQL's french
    # config) is dropped and every stored article indexed again.
    s.rebuild_search_index()


@migration(9, "article entity index")
def _article_entities(s: Schema) -> None:
    # Who each article's stored analysis names or quotes, written with the analysis: an entity page finds the
    # stories that name it, and how many of their articles do, before (or without) their details being made.
    # Analyses stored before this schema are indexed by ``vigie reprocess`` (from the kept analyses, no parsing).
    k = s.dialect.key
    _run(
        s,
        f"""CREATE TABLE article_entities (article_id {k} NOT NULL REFERENCES articles(id), slug {k} NOT NULL,
            name TEXT NOT NULL, type TEXT, mentions INTEGER NOT NULL, quotes INTEGER NOT NULL,
            PRIMARY KEY (article_id, slug, name))""",
        "CREATE INDEX article_entities_slug ON article_entities(slug)",
    )


@migration(10, "original outlet index")
def _original_outlet_index(s: Schema) -> None:
    # Reprints per original outlet (the outlet list, every story page's outlet links) counted from an index, not
    # from a scan of every article.
    _run(s, "CREATE INDEX articles_original_outlet ON articles(original_outlet)")


@migration(11, "summary units")
def _summary_units(s: Schema) -> None:
    # What a story summary needs of each article (its sentences as the summariser cuts them, their USE vectors),
    # kept once made: a story's details made again when an article joins it cut and embed that article alone.
    # ``version`` is the summariser's units key (vigie.understand.summarize.units_key).
    k = s.dialect.key
    _run(s, f"CREATE TABLE summary_units (article_id {k} PRIMARY KEY REFERENCES articles(id), version TEXT NOT NULL, "
            f"data TEXT NOT NULL, vectors {s.dialect.blob} NOT NULL)")
