"""The store's SQL, written once: :class:`SQLStore` implements the :class:`~vigie.store.base.ArticleStore` protocol
for every back end, each of which adds only its connection, transactions, full-text search and locks
(:class:`~vigie.store.sqlite.SQLiteStore`, :class:`~vigie.store.postgres.PostgresStore`). What differs in the SQL
itself is the back end's :class:`~vigie.store.dialect.Dialect`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self, cast

from vigie.errors import NotFoundError, StoreError
from vigie.models import Article, RawDocument
from vigie.store.base import (
    _ARTICLE_COLS,
    Alert,
    ArticleMention,
    EntityRow,
    FeatureRow,
    Placement,
    _article_row,
    _now,
    _row_article,
    search_text,
)
from vigie.store.dialect import Dialect
from vigie.store.migrations import MIGRATIONS
from vigie.store.search import (
    Match,
    SearchHit,
    SearchOptions,
    SearchResults,
    facets,
    highlight,
    matcher,
    ordered,
    snippet,
)
from vigie.store.terms import DEFAULT_LANGUAGE, Query, language_key

_COLS = ", ".join(_ARTICLE_COLS)
_A_COLS = ", ".join(f"a.{c}" for c in _ARTICLE_COLS)
_UNPLACED = "FROM articles a LEFT JOIN article_features f ON f.article_id = a.id WHERE f.article_id IS NULL"
_PLACEMENTS = (
    "SELECT a.id, a.source, a.title, a.outlet, a.original_outlet, a.published, a.language, a.url, "
    "d.duplicate_of, s.event_id, s.story_id, f.vector FROM articles a "
    "JOIN article_features f ON f.article_id = a.id "
    "LEFT JOIN duplicates d ON d.article_id = a.id "
    "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id)"
)
# The articles placed in one story (?, ?): its assigned ones and the near copies of them.
_STORY_MEMBERS = (
    "SELECT article_id FROM assignments WHERE story_id = ? UNION ALL "
    "SELECT d2.article_id FROM assignments s2 JOIN duplicates d2 ON d2.duplicate_of = s2.article_id "
    "WHERE s2.story_id = ?"
)
_STORY_TABLES = ("article_features", "duplicates", "assignments", "cluster_state", "cluster_articles",
                 "cluster_edges", "story_cache", "story_entities")
_ADD_SOURCE = "INSERT INTO article_sources (article_id, source) VALUES (?, ?) ON CONFLICT DO NOTHING"
_NO_LIMIT = 2**63 - 1  # LIMIT takes no "all" both back ends accept: SQLite's is -1, PostgreSQL's NULL


class Rows(Protocol):
    """A driver cursor after execute(): rows read by column name."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class SQLStore(ABC):
    """Every store method, once; a back end supplies :attr:`dialect`, ``conn``, ``path`` and the hooks below."""

    dialect: ClassVar[Dialect]
    path: str
    conn: Any  # the driver's connection, which atomic() also yields
    _stories_lock: AbstractContextManager[Any]  # a threading.RLock, made by the back end

    # -- back end hooks ---------------------------------------------------------------------------------------

    @abstractmethod
    def _execute(self, statement: str, params: Sequence[Any] = ()) -> Rows:
        """Run one statement (``?`` placeholders) on the store's connection; rows are read by column name."""

    @abstractmethod
    def _executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""

    def _where_in(self, select: str, ids: Sequence[str]) -> Iterator[Any]:
        """Rows of ``select`` (a statement ending in ``IN``) for ``ids``, 500 bound parameters at a time, below
        SQLite's limit."""
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            yield from self._execute(f"{select} ({','.join('?' * len(chunk))})", chunk)

    @abstractmethod
    def atomic(self) -> AbstractContextManager[Any]:
        """A transaction; nested calls become savepoints, so a failure rolls back only the inner block."""

    @abstractmethod
    def create_search_index(self) -> None:
        """Create the full-text index of titles, standfirsts and bodies (run by the first migration)."""

    @abstractmethod
    def _match(self, query: Query, languages: Sequence[str]) -> tuple[str, list[Any]]:
        """A subquery (and its parameters) giving ``id`` and ``score`` (higher is better) of every article the
        query matches, its words stemmed in each of ``languages`` (:func:`vigie.store.terms.language_key`)."""

    @abstractmethod
    def _index(self, articles: Sequence[IndexRow]) -> None:
        """Write (or replace) the search terms of stored articles, inside the caller's transaction."""

    @abstractmethod
    def _drop_legacy_search_index(self) -> None:
        """Remove the full-text index of schemas before 8 (which stemmed in SQL), if this store has one."""

    @abstractmethod
    def _stories_process_lock(self) -> AbstractContextManager[None]:
        """What keeps another process out of the story stage (inside this object's own thread lock)."""

    # -- plumbing ---------------------------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _one(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._execute(statement, params).fetchone()

    def _scalar(self, statement: str, params: Sequence[Any] = ()) -> int:
        row = self._one(statement, params)
        return int(row["n"] or 0) if row is not None else 0

    def _migrate(self) -> None:
        """Apply the migrations this database lacks, in one transaction, refusing one made by a newer Vigie."""
        known = {v for v, _, _ in MIGRATIONS}
        if self._applied() >= known:  # the common case reads only, and takes no write lock
            return
        d = self.dialect
        with self.atomic():
            # Two processes opening a fresh database at once: the second waits, then finds the work done.
            if d.migration_lock:
                self._execute(d.migration_lock)
            self._execute("CREATE TABLE IF NOT EXISTS migrations "
                          "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT)")
            done = self._applied()
            for version, name, fn in MIGRATIONS:
                if version not in done:
                    fn(self)
                    self._execute("INSERT INTO migrations VALUES (?, ?, ?)", (version, name, _now()))

    def _applied(self) -> set[int]:
        """Versions recorded in ``migrations`` (none before the table exists)."""
        if self._one(self.dialect.table_exists, ("migrations",)) is None:
            return set()
        done = {int(r["version"]) for r in self._execute("SELECT version FROM migrations")}
        newer = done - {v for v, _, _ in MIGRATIONS}
        if newer:
            raise StoreError(f"{self.path}: made by a newer Vigie (schema {max(newer)}); upgrade Vigie to open it")
        return done

    def schema_version(self) -> int:
        return self._scalar("SELECT MAX(version) AS n FROM migrations")

    # -- writes -----------------------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        return self._one("SELECT 1 AS n FROM raw WHERE id = ?", (self.dialect.clean(article_id),)) is not None

    def add(self, raw: RawDocument, article: Article) -> bool:
        """Store one raw input and its clean article in one transaction; False if the id was already stored."""
        if article.id != raw.id:
            raise ValueError("article.id must be the raw document's content hash")
        clean = self.dialect.clean
        meta = json.dumps(raw.meta, ensure_ascii=False, default=str)
        with self.atomic():
            new = self._execute(
                "INSERT INTO raw (id, source, format, content, meta, read_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [clean(v) for v in (raw.id, raw.source, raw.format, raw.content, meta, _now())],
            ).rowcount == 1
            if new:
                self._execute(
                    f"INSERT INTO articles ({_COLS}, ingested_at) VALUES ({', '.join('?' * len(_ARTICLE_COLS))}, ?)",
                    [clean(v) for v in (*_article_row(article), _now())],
                )
                self._index([_index_row(article)])
            self._execute(_ADD_SOURCE, (raw.id, clean(raw.source)))
        return new

    def add_source(self, article_id: str, source: str) -> None:
        """Remember that another input held the same article (same content hash)."""
        with self.atomic():
            self._execute(_ADD_SOURCE, (article_id, self.dialect.clean(source)))

    def update_article(self, article: Article) -> None:
        """Replace the clean fields of a stored article (after re-cleaning its raw input); the index follows."""
        row = [self.dialect.clean(v) for v in _article_row(article)]
        sets = ", ".join(f"{c} = ?" for c in _ARTICLE_COLS[1:])
        with self.atomic():
            if self._execute(f"UPDATE articles SET {sets} WHERE id = ?", (*row[1:], article.id)).rowcount == 0:
                raise NotFoundError(f"no article {article.id}")
            self._index([_index_row(article)])
            # Analysed again when needed; its entity index goes with it.
            self._execute("DELETE FROM article_entities WHERE article_id = ?", (article.id,))
            self._execute("DELETE FROM analyses WHERE article_id = ?", (article.id,))
            self._execute("DELETE FROM summary_units WHERE article_id = ?", (article.id,))

    # -- reads ------------------------------------------------------------------------------------------------

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) AS n FROM articles")

    def get(self, article_id: str) -> Article:
        """The article with this id (a unique prefix of at least 6 characters is enough).

        The prefix is matched as text, not as a LIKE pattern: ``%`` and ``_`` in it are plain characters, and the
        match is case-sensitive on both back ends (ids sort in byte order, so the id range that starts with the
        prefix begins right at it).
        """
        key = self.dialect.clean(article_id)
        row = self._one(f"SELECT {_COLS} FROM articles WHERE id = ?", (key,))
        if row is None and len(key) >= 6:
            found = [r for r in self._execute(f"SELECT {_COLS} FROM articles WHERE id >= ? ORDER BY id LIMIT 2",
                                              (key,)) if str(r["id"]).startswith(key)]
            row = found[0] if len(found) == 1 else None
        if row is None:
            raise NotFoundError(f"no article {article_id}")
        return _row_article(row)

    def raw(self, article_id: str) -> RawDocument:
        row = self._one("SELECT source, format, content, meta FROM raw WHERE id = ?", (self.dialect.clean(article_id),))
        if row is None:
            raise NotFoundError(f"no raw input for article {article_id}")
        return _row_raw(row)

    def raws(self) -> Iterator[RawDocument]:
        order = self.dialect.counter("n")
        for row in self._execute(f"SELECT source, format, content, meta FROM raw ORDER BY {order}"):
            yield _row_raw(row)

    def known_ids(self) -> Iterator[str]:
        """Every stored content id (for executors that skip stored content on remote workers)."""
        return (str(r["id"]) for r in self._execute("SELECT id FROM raw").fetchall())

    def sources(self, article_id: str) -> list[str]:
        return [str(r["source"]) for r in self._execute(
            "SELECT source FROM article_sources WHERE article_id = ? ORDER BY source", (article_id,))]

    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]:
        """Stored articles, newest publication first (undated last), then by source."""
        sql = f"SELECT {_COLS} FROM articles ORDER BY published IS NULL, published DESC, source, id LIMIT ? OFFSET ?"
        return [_row_article(r) for r in self._execute(sql, (_NO_LIMIT if limit is None else limit, offset))]

    def search(self, query: str, *, limit: int = 20) -> list[tuple[Article, str]]:
        """(article, snippet) pairs best first, matched words between ``[`` ``]``: :meth:`find` in its first shape,
        kept for callers that want plain text."""
        return [(h.article, h.snippet_text("[", "]")) for h in self.find(query, SearchOptions(limit=limit)).hits]

    def find(self, query: str, options: SearchOptions | None = None) -> SearchResults:
        """Full-text search: the total, facets and one page of highlighted hits.

        Words are matched by their stem (accents and case folded; French by default, each article in its own
        language): "grève" finds "grèves" and "grévistes". Syntax (:class:`vigie.store.terms.Query`), the same on
        every back end: plain words all required, ``"a phrase"``, ``a OR b``, ``-word``, ``prefix*``; no input is
        an error, and a query without a word to look for finds nothing.

        Example:
            >>> from vigie.store import open_store
            >>> store = open_store(":memory:")
            >>> store.find("grève").total
            0
        """
        opts = options or SearchOptions()
        parsed = Query.parse(search_text(query))
        if not parsed:
            return SearchResults(query, 0, options=opts)
        languages = self.search_languages()
        sub, params = self._match(parsed, languages)
        rows = self._execute(
            "SELECT a.id, a.outlet, a.language, a.published, s.story_id, m.score "
            f"FROM ({sub}) m JOIN articles a ON a.id = m.id LEFT JOIN duplicates d ON d.article_id = a.id "
            "LEFT JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id)", params)
        found = [Match(str(r["id"]), float(r["score"] or 0.0), r["outlet"], r["language"], r["published"],
                       None if r["story_id"] is None else str(r["story_id"])) for r in rows]
        kept = [m for m in found if opts.keeps(m)]
        page = ordered(kept, opts.sort)[opts.offset : opts.offset + opts.limit]
        arts = self._articles_by_id([m.id for m in page])
        hits = []
        for m in page:
            a = arts[m.id]
            match = matcher(parsed, languages, a.language)
            hits.append(SearchHit(a, snippet(a, match), highlight(a.title, match), m.story_id, m.score))
        return SearchResults(query, len(kept), tuple(hits), facets(kept), opts)

    def search_languages(self) -> list[str]:
        """Stemmer keys of the languages present (French first): a query word is stemmed in each of them."""
        keys = {language_key(r["language"]) for r in self._execute("SELECT DISTINCT language FROM articles")}
        return sorted(keys or {DEFAULT_LANGUAGE}, key=lambda k: (k != DEFAULT_LANGUAGE, k))

    def rebuild_search_index(self) -> int:
        """Index every article again (after a change of the term rules, or writes made without Vigie, such as
        the ``sqlite3`` shell); returns the number indexed. Runs in one transaction."""
        n = 0
        with self.atomic():
            self._drop_legacy_search_index()
            last = ""
            while True:
                batch = self._execute("SELECT id, title, standfirst, body, language FROM articles WHERE id > ? "
                                      "ORDER BY id LIMIT 500", (last,)).fetchall()
                if not batch:
                    return n
                self._index([IndexRow(str(r["id"]), r["title"], r["standfirst"], r["body"] or "", r["language"])
                             for r in batch])  # fmt: skip
                n += len(batch)
                last = str(batch[-1]["id"])

    def _articles_by_id(self, ids: Sequence[str]) -> dict[str, Article]:
        return {str(r["id"]): _row_article(r) for r in self._where_in(f"SELECT {_COLS} FROM articles WHERE id IN", ids)}

    def outlet_counts(self) -> dict[str, int]:
        """Articles per outlet name (articles without an outlet are not counted)."""
        rows = self._execute("SELECT outlet, COUNT(*) AS n FROM articles WHERE outlet IS NOT NULL GROUP BY outlet")
        return {str(r["outlet"]): int(r["n"]) for r in rows}

    def original_outlet_counts(self) -> dict[str, int]:
        """Articles per original outlet: how often each outlet is reprinted by another site."""
        rows = self._execute("SELECT original_outlet AS o, COUNT(*) AS n FROM articles WHERE original_outlet IS NOT NULL "
                             "GROUP BY original_outlet")
        return {str(r["o"]): int(r["n"]) for r in rows}

    def outlet_article_ids(self, outlet: str, *, reprints: bool = False) -> list[str]:
        """Ids of an outlet's articles (with ``reprints``, also other sites' reprints of them), newest publication
        first (undated last)."""
        where = "outlet = ? OR original_outlet = ?" if reprints else "outlet = ?"
        return [str(r["id"]) for r in self._execute(
            f"SELECT id FROM articles WHERE {where} ORDER BY published IS NULL, published DESC, id",
            (outlet, outlet) if reprints else (outlet,))]

    # -- story stage ------------------------------------------------------------------------------------------

    @contextmanager
    def stories_lock(self) -> Iterator[None]:
        """Held by the story stage from reading the clusterer state to saving its last batch."""
        with self._stories_lock, self._stories_process_lock():
            yield

    def stories_version(self) -> tuple[int, ...]:
        """A cheap value that changes whenever a placement does (the server's story caches key on it)."""
        row = self._one(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM article_features) AS seq, "
            "(SELECT COUNT(*) FROM assignments) AS assigned, "
            f"(SELECT COALESCE(MAX({self.dialect.counter('rev')}), 0) FROM assignments) AS rev, "
            "(SELECT COUNT(*) FROM duplicates) AS dup"
        )
        return tuple(int(row[k]) for k in ("seq", "assigned", "rev", "dup"))

    def unplaced(self) -> list[Article]:
        """Articles the story stage has not seen yet, in (published or '', id) order, the clusterer's own order."""
        return [_row_article(r) for r in self._execute(
            f"SELECT {_A_COLS} {_UNPLACED} ORDER BY COALESCE(a.published, ''), a.id")]

    def count_unplaced(self) -> int:
        return self._scalar(f"SELECT COUNT(*) AS n {_UNPLACED}")

    def reset_stories(self) -> None:
        """Forget every placement (after a clusterer upgrade): the next story update places all articles again."""
        with self.atomic():
            for stmt in self.dialect.clear(_STORY_TABLES):
                self._execute(stmt)

    def dedup_rows(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(article id, exact-copy key, MinHash signature bytes) of every placed article, in placement order."""
        for r in self._execute("SELECT article_id, text_key, minhash FROM article_features ORDER BY seq"):
            yield r["article_id"], r["text_key"], r["minhash"]

    def state_blob(self, key: str) -> bytes | None:
        row = self._one("SELECT value FROM cluster_state WHERE key = ?", (key,))
        return None if row is None else bytes(row["value"])

    def cluster_rows(self) -> Iterator[tuple[int, str, bytes]]:
        for r in self._execute('SELECT "row", data, vector FROM cluster_articles ORDER BY "row"'):
            yield r["row"], r["data"], r["vector"]

    def cluster_edges(self) -> Iterator[tuple[int, int, float]]:
        for r in self._execute("SELECT i, j, s FROM cluster_edges ORDER BY i, j"):
            yield r["i"], r["j"], r["s"]

    def duplicates_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Article id -> the original it is a stored near copy of, for those of ``article_ids`` that are copies."""
        rows = self._where_in("SELECT article_id, duplicate_of FROM duplicates WHERE article_id IN", article_ids)
        return {str(r["article_id"]): str(r["duplicate_of"]) for r in rows}

    def save_placements(
        self,
        features: Sequence[FeatureRow],
        duplicates: dict[str, str],
        assignments: dict[str, tuple[str, str]],
        state: dict[str, bytes],
        cluster_rows: Sequence[tuple[int, str, bytes]] = (),
        cluster_edges: Sequence[tuple[int, int, float]] = (),
    ) -> None:
        """Record one batch of the story stage in one transaction: features, duplicate links, changed
        assignments and the changed part of the clusterer state, so a crash leaves the whole batch or none of it."""
        up = self.dialect.upsert
        with self.atomic():
            self._executemany(up("cluster_articles", ('"row"', "data", "vector"), ('"row"',)), list(cluster_rows))
            self._executemany(up("cluster_edges", ("i", "j", "s"), ("i", "j")), list(cluster_edges))
            seq = self._scalar("SELECT COALESCE(MAX(seq), 0) AS n FROM article_features")
            self._executemany(
                up("article_features", ("article_id", "seq", "text_key", "minhash", "vector", "features"),
                   ("article_id",)),
                [(aid, seq + i + 1, key, sig, vec, feats) for i, (aid, key, sig, vec, feats) in enumerate(features)],
            )
            self._executemany(up("duplicates", ("article_id", "duplicate_of"), ("article_id",)),
                              list(duplicates.items()))
            self._executemany(
                up("assignments", ("article_id", "event_id", "story_id"), ("article_id",), counter="rev"),
                [(aid, ev, st) for aid, (ev, st) in assignments.items()],
            )
            self._executemany(up("cluster_state", ("key", "value"), ("key",)), list(state.items()))

    def placements(self, story_id: str | None = None) -> list[Placement]:
        """Articles with their event, story and duplicate link; a duplicate takes its original's placement."""
        if story_id is None:
            rows = self._execute(_PLACEMENTS + " ORDER BY s.story_id, COALESCE(a.published, ''), a.id")
        else:
            # Driven by the story's own assignments (and its originals' near copies), both indexed: the join on
            # COALESCE(duplicate_of, id) alone cannot use an index, so it read every article of the store.
            rows = self._execute(_PLACEMENTS + " WHERE s.story_id = ? AND a.id IN (" + _STORY_MEMBERS + ") "
                                 "ORDER BY COALESCE(a.published, ''), a.id", (story_id, story_id, story_id))
        return [cast(Placement, dict(r)) for r in rows]

    def save_analyses(self, rows: Sequence[tuple[str, str, str]], mentions: Sequence[ArticleMention] = ()) -> None:
        """Store (article id, record version, JSON) analyses, replacing older ones, and the entity index rows of
        those articles (``mentions``; an article's former rows are dropped), in one transaction."""
        clean = self.dialect.clean
        with self.atomic():
            self._executemany(self.dialect.upsert("analyses", ("article_id", "version", "data"), ("article_id",)),
                              [(a, v, clean(d)) for a, v, d in rows])  # fmt: skip
            self._executemany("DELETE FROM article_entities WHERE article_id = ?", [(a,) for a, _, _ in rows])
            if mentions:
                self._executemany("INSERT INTO article_entities VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  [(m.article_id, clean(m.slug), clean(m.name), m.type, m.mentions, m.quotes)
                                   for m in mentions])  # fmt: skip

    def analyses(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Article id -> (version, JSON) of the stored analyses among ``article_ids``."""
        rows = self._where_in("SELECT article_id, version, data FROM analyses WHERE article_id IN", article_ids)
        return {str(r["article_id"]): (str(r["version"]), str(r["data"])) for r in rows}

    def save_summary_units(self, rows: Sequence[tuple[str, str, str, bytes]]) -> None:
        """Store (article id, units key, JSON, vector bytes) summary units, replacing older ones, in one transaction."""
        clean = self.dialect.clean
        with self.atomic():
            self._executemany(self.dialect.upsert("summary_units", ("article_id", "version", "data", "vectors"),
                                                  ("article_id",)),
                              [(a, v, clean(d), b) for a, v, d, b in rows])  # fmt: skip

    def summary_units(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
        """Article id -> (units key, JSON, vector bytes) of the stored summary units among ``article_ids``."""
        rows = self._where_in("SELECT article_id, version, data, vectors FROM summary_units WHERE article_id IN",
                              article_ids)
        return {str(r["article_id"]): (str(r["version"]), str(r["data"]), bytes(r["vectors"])) for r in rows}

    def cached_story(self, story_id: str, key: str) -> str | None:
        row = self._one("SELECT value FROM story_cache WHERE story_id = ? AND key = ?", (story_id, key))
        return None if row is None else str(row["value"])

    def cache_story(self, story_id: str, key: str, value: str,
                    entities: Sequence[EntityRow] = ()) -> None:
        """Keep a story's details, and the index of the entities they name or quote, in one transaction."""
        clean = self.dialect.clean
        with self.atomic():
            self._execute(self.dialect.upsert("story_cache", ("story_id", "key", "value"), ("story_id",)),
                          (story_id, key, clean(value)))
            self._execute("DELETE FROM story_entities WHERE story_id = ?", (story_id,))
            if entities:
                self._executemany("INSERT INTO story_entities VALUES (?, ?, ?, ?, ?, ?)",
                                  [(story_id, clean(e.slug), clean(e.name), e.type, e.mentions, e.quotes)
                                   for e in entities])  # fmt: skip

    def uncached_stories(self) -> list[str]:
        """Stories whose details were never made (a store filled without the runner's details step)."""
        return [str(r["story_id"]) for r in self._execute(
            "SELECT DISTINCT s.story_id FROM assignments s LEFT JOIN story_cache c ON c.story_id = s.story_id "
            "WHERE c.story_id IS NULL ORDER BY s.story_id")]

    def entity_stories(self, slug: str) -> list[EntityRow]:
        """The index rows of an entity (by slug) in the stories that exist now, most mentioned first."""
        rows = self._execute(
            "SELECT story_id, slug, name, type, mentions, quotes FROM story_entities e WHERE slug = ? "
            "AND EXISTS (SELECT 1 FROM assignments s WHERE s.story_id = e.story_id) "
            "ORDER BY mentions + quotes DESC, story_id", (slug,))  # fmt: skip
        return [EntityRow(r["slug"], r["name"], r["type"], int(r["mentions"]), int(r["quotes"]), r["story_id"])
                for r in rows]  # fmt: skip

    def entity_mentions(self, slug: str) -> list[ArticleMention]:
        """The article index rows of an entity (by slug), each with the story its article is placed in now (a near
        copy takes its original's), by story then article; articles not placed yet are left out."""
        rows = self._execute(
            "SELECT m.article_id, m.slug, m.name, m.type, m.mentions, m.quotes, s.story_id FROM article_entities m "
            "LEFT JOIN duplicates d ON d.article_id = m.article_id "
            "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, m.article_id) "
            "WHERE m.slug = ? ORDER BY s.story_id, m.article_id, m.name", (slug,))  # fmt: skip
        return [ArticleMention(str(r["article_id"]), r["slug"], r["name"], r["type"], int(r["mentions"]),
                               int(r["quotes"]), str(r["story_id"])) for r in rows]  # fmt: skip

    def story_of(self, article_id: str) -> str | None:
        row = self._one(
            "SELECT s.story_id FROM articles a LEFT JOIN duplicates d ON d.article_id = a.id "
            "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id) WHERE a.id = ?",
            (self.dialect.clean(article_id),),
        )
        return None if row is None else str(row["story_id"])

    # -- saved alerts -----------------------------------------------------------------------------------------

    def add_alert(self, query: str, webhook: str | None = None) -> Alert:
        """Save an alert as given (:func:`vigie.alerts.add_alert` checks it first); its id is never reused."""
        created = _now()
        clean = self.dialect.clean
        with self.atomic():
            # fetchall(): SQLite finishes a RETURNING statement only once its rows are read.
            rows = self._execute("INSERT INTO alerts (query, webhook, created_at) VALUES (?, ?, ?) RETURNING id",
                                 (clean(query), clean(webhook), created)).fetchall()
        return Alert(int(rows[0]["id"]), query, webhook, created)

    def alerts(self) -> list[Alert]:
        """Saved alerts, oldest first."""
        return [Alert(int(r["id"]), str(r["query"]), r["webhook"], str(r["created_at"]))
                for r in self._execute("SELECT id, query, webhook, created_at FROM alerts ORDER BY id")]

    def remove_alert(self, alert_id: int) -> bool:
        """Delete an alert; False when none has this id."""
        with self.atomic():
            return self._execute("DELETE FROM alerts WHERE id = ?", (alert_id,)).rowcount > 0


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the search index reads of one article."""

    id: str
    title: str | None
    standfirst: str | None
    body: str
    language: str | None


def _index_row(a: Article) -> IndexRow:
    return IndexRow(a.id, a.title, a.standfirst, a.body, a.language)


def _row_raw(row: Any) -> RawDocument:
    return RawDocument(source=row["source"], format=row["format"], content=row["content"], meta=json.loads(row["meta"]))
