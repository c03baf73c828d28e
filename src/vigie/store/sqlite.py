"""The SQLite article store (the default back end): migrations table, WAL, content-hash ids, raw input kept beside
the clean article, FTS5. One writer at a time
(SQLite's own lock, with a busy timeout); readers never block it thanks to WAL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self, cast

from vigie.errors import NotFoundError, StoreError
from vigie.models import Article, RawDocument
from vigie.store.base import (
    _ARTICLE_COLS,
    FeatureRow,
    Placement,
    _article_row,
    _mask,
    _now,
    _row_article,
    is_postgres_url,
    resolve_db_path,
    search_text,
)

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    """Register a schema migration; they run in version order, each once, recorded in `migrations`."""

    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return register


_M1 = [
    """
        CREATE TABLE raw (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            content TEXT NOT NULL,
            meta TEXT NOT NULL,
            read_at TEXT NOT NULL
        );
    """,
    """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY REFERENCES raw(id),
            source TEXT NOT NULL,
            title TEXT,
            published TEXT,
            url TEXT,
            outlet TEXT,
            original_outlet TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            body TEXT NOT NULL DEFAULT '',
            standfirst TEXT,
            comments TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            ingested_at TEXT NOT NULL
        );
    """,
    """
        CREATE INDEX articles_published ON articles(published);
    """,
    """
        CREATE INDEX articles_outlet ON articles(outlet);
    """,
    """
        CREATE TABLE article_sources (
            article_id TEXT NOT NULL REFERENCES articles(id),
            source TEXT NOT NULL,
            PRIMARY KEY (article_id, source)
        );
    """,
    """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, standfirst, body, content='articles', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
    """,
    """
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, standfirst, body)
            VALUES (new.rowid, new.title, new.standfirst, new.body);
        END;
    """,
    """
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
            VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
        END;
    """,
    """
        CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
            VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
            INSERT INTO articles_fts(rowid, title, standfirst, body)
            VALUES (new.rowid, new.title, new.standfirst, new.body);
        END;
    """,
]


@migration(1, "articles")
def _m1(conn: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would commit the migration transaction half-way.
    for stmt in _M1:
        conn.execute(stmt)


@migration(2, "stories")
def _m2(conn: sqlite3.Connection) -> None:
    for stmt in (
        # One row per article the story stage has seen: its exact-copy key, MinHash signature, USE vector
        # (float16; None for duplicates, which reuse their original's placement) and cheap clustering features.
        """CREATE TABLE article_features (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            seq INTEGER NOT NULL,
            text_key TEXT NOT NULL,
            minhash BLOB,
            vector BLOB,
            features TEXT
        )""",
        "CREATE TABLE duplicates (article_id TEXT PRIMARY KEY REFERENCES articles(id), duplicate_of TEXT NOT NULL)",
        "CREATE INDEX duplicates_of ON duplicates(duplicate_of)",
        """CREATE TABLE assignments (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            event_id TEXT NOT NULL,
            story_id TEXT NOT NULL
        )""",
        "CREATE INDEX assignments_story ON assignments(story_id)",
        "CREATE INDEX assignments_event ON assignments(event_id)",
        "CREATE TABLE cluster_state (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    ):
        conn.execute(stmt)


@migration(3, "story cache")
def _m3(conn: sqlite3.Connection) -> None:
    # Story details (analysis, summary, coverage) are costly; they are kept until the story's article set changes.
    conn.execute("CREATE TABLE story_cache (story_id TEXT PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)")


@migration(6, "article analyses")
def _m6(conn: sqlite3.Connection) -> None:
    # The understand stage's result per article (entities, quotes, dates, events), computed once at ingest, so a
    # story's details are assembled without parsing again. ``version`` is the record shape it was written with.
    conn.execute("CREATE TABLE analyses (article_id TEXT PRIMARY KEY REFERENCES articles(id), version TEXT NOT NULL, "
                 "data TEXT NOT NULL)")


@migration(4, "incremental cluster state")
def _m4(conn: sqlite3.Connection) -> None:
    # The clusterer's state kept row by row, so a batch writes only what it changed, not the whole corpus again.
    for stmt in (
        "CREATE TABLE cluster_articles (row INTEGER PRIMARY KEY, data TEXT NOT NULL, vector BLOB NOT NULL)",
        "CREATE TABLE cluster_edges (i INTEGER NOT NULL, j INTEGER NOT NULL, s REAL NOT NULL, PRIMARY KEY (i, j))",
        "DELETE FROM cluster_state",
        "DELETE FROM assignments",
        "DELETE FROM duplicates",
        "DELETE FROM article_features",
        "DELETE FROM story_cache",
    ):
        conn.execute(stmt)


class SQLiteStore:
    """An article store on one SQLite file (or ``:memory:``); ``Store`` is its historical name.

    Example:
        >>> store = SQLiteStore(":memory:")
        >>> store.count()
        0
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 30.0) -> None:
        self.path = resolve_db_path(path)
        if is_postgres_url(self.path):
            raise StoreError(f"{_mask(self.path)}: a PostgreSQL URL; open it with vigie.open_store(), not Store()")
        if self.path != ":memory:":
            parent = Path(self.path).resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{self.path}: folder {parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._lock = threading.RLock()
            self._stories_lock = threading.RLock()
            self._depth = 0
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: cannot open as a Vigie database ({e})") from e

    # -- plumbing ---------------------------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls become savepoints, so a failure rolls back only the inner block."""
        with self._lock:
            name = f"sp{self._depth}"
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
            else:
                self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(f"RELEASE {name}")

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT)"
        )
        done = {r[0] for r in self.conn.execute("SELECT version FROM migrations")}
        known = {v for v, _, _ in MIGRATIONS}
        if done - known:
            raise StoreError(f"{self.path}: made by a newer Vigie (schema {max(done)}); upgrade Vigie to open it")
        for version, name, fn in MIGRATIONS:
            if version in done:
                continue
            with self.atomic() as conn:
                # Another process may have migrated between our read and our write lock.
                if conn.execute("SELECT 1 FROM migrations WHERE version=?", (version,)).fetchone():
                    continue
                fn(conn)
                conn.execute("INSERT INTO migrations VALUES (?, ?, ?)", (version, name, _now()))

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    # -- writes -----------------------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM raw WHERE id=?", (article_id,)).fetchone() is not None

    def known_ids(self) -> Iterator[str]:
        """Every stored content id (for executors that check on remote workers)."""
        return (str(r[0]) for r in self.conn.execute("SELECT id FROM raw").fetchall())

    def add(self, raw: RawDocument, article: Article) -> bool:
        """Store one raw input and its clean article in one transaction; False if the id was already stored."""
        if article.id != raw.id:
            raise ValueError("article.id must be the raw document's content hash")
        with self.atomic() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO raw VALUES (?, ?, ?, ?, ?, ?)",
                (raw.id, raw.source, raw.format, raw.content, json.dumps(raw.meta, ensure_ascii=False, default=str),
                 _now()),
            )
            new = cur.rowcount == 1
            if new:
                row = _article_row(article)
                conn.execute(
                    f"INSERT INTO articles ({', '.join(_ARTICLE_COLS)}, ingested_at) "
                    f"VALUES ({', '.join('?' * len(_ARTICLE_COLS))}, ?)",
                    (*row, _now()),
                )
            conn.execute("INSERT OR IGNORE INTO article_sources VALUES (?, ?)", (raw.id, raw.source))
        return new

    def add_source(self, article_id: str, source: str) -> None:
        """Remember that another input held the same article (same content hash)."""
        with self.atomic() as conn:
            conn.execute("INSERT OR IGNORE INTO article_sources VALUES (?, ?)", (article_id, source))

    def update_article(self, article: Article) -> None:
        """Replace the clean fields of a stored article (after re-cleaning its raw input)."""
        row = _article_row(article)
        with self.atomic() as conn:
            sets = ", ".join(f"{c}=?" for c in _ARTICLE_COLS[1:])
            cur = conn.execute(f"UPDATE articles SET {sets} WHERE id=?", (*row[1:], article.id))
            if cur.rowcount == 0:
                raise NotFoundError(f"no article {article.id}")
            conn.execute("DELETE FROM analyses WHERE article_id=?", (article.id,))  # analysed again when needed

    # -- reads ------------------------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def get(self, article_id: str) -> Article:
        """The article with this id (a unique prefix of at least 6 characters is enough)."""
        row = self.conn.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None and len(article_id) >= 6:
            rows = self.conn.execute(
                "SELECT * FROM articles WHERE id LIKE ? || '%' LIMIT 2", (article_id,)
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        if row is None:
            raise NotFoundError(f"no article {article_id}")
        return _row_article(row)

    def raw(self, article_id: str) -> RawDocument:
        row = self.conn.execute("SELECT * FROM raw WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no raw input for article {article_id}")
        return RawDocument(source=row["source"], format=row["format"], content=row["content"],
                           meta=json.loads(row["meta"]))

    def raws(self) -> Iterator[RawDocument]:
        for row in self.conn.execute("SELECT * FROM raw ORDER BY rowid"):
            yield RawDocument(source=row["source"], format=row["format"], content=row["content"],
                              meta=json.loads(row["meta"]))

    def sources(self, article_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT source FROM article_sources WHERE article_id=? ORDER BY source", (article_id,))]

    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]:
        """Stored articles, newest publication first (undated last), then by source."""
        sql = "SELECT * FROM articles ORDER BY published IS NULL, published DESC, source, id LIMIT ? OFFSET ?"
        return [_row_article(r) for r in self.conn.execute(sql, (-1 if limit is None else limit, offset))]

    def search(self, query: str, *, limit: int = 20) -> list[tuple[Article, str]]:
        """Full-text search (FTS5, accent-insensitive); returns (article, snippet) best first.

        Plain words are matched as terms (all required); FTS5 syntax (quotes, OR, NEAR, prefix*) is passed through.
        """
        fts = _fts_query(search_text(query))
        if not fts:
            return []
        sql = (
            "SELECT a.*, snippet(articles_fts, 2, '[', ']', '…', 12) AS snip FROM articles_fts "
            "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
            "ORDER BY bm25(articles_fts, 5.0, 2.0, 1.0) LIMIT ?"
        )
        try:
            rows = self.conn.execute(sql, (fts, limit)).fetchall()
        except sqlite3.OperationalError:
            # Unbalanced quotes or stray operators: fall back to quoting every word.
            rows = self.conn.execute(sql, (_fts_query(search_text(query), literal=True), limit)).fetchall()
        return [(_row_article(r), r["snip"]) for r in rows]

    def outlet_counts(self) -> dict[str, int]:
        """Articles per outlet name (articles without an outlet are not counted)."""
        rows = self.conn.execute("SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet")
        return {str(r[0]): int(r[1]) for r in rows}

    def outlet_article_ids(self, outlet: str) -> list[str]:
        """Ids of an outlet's articles, newest publication first (undated last)."""
        return [str(r[0]) for r in self.conn.execute(
            "SELECT id FROM articles WHERE outlet = ? ORDER BY published IS NULL, published DESC, id", (outlet,))]

    # -- story stage ------------------------------------------------------------------------------------------

    @contextmanager
    def stories_lock(self) -> Iterator[None]:
        """Held by the story stage from reading the clusterer state to saving its last batch.

        Per store object only: SQLite serialises each batch's writes, not two processes' whole stage.
        """
        with self._stories_lock:
            yield

    def stories_version(self) -> tuple[int, ...]:
        """A cheap value that changes whenever a placement does (the server's story caches key on it)."""
        row = self.conn.execute(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM article_features), (SELECT COUNT(*) FROM assignments), "
            "(SELECT COALESCE(MAX(rowid), 0) FROM assignments), (SELECT COUNT(*) FROM duplicates)"
        ).fetchone()
        return tuple(int(v) for v in row)

    def unplaced(self) -> list[Article]:
        """Articles the story stage has not seen yet, in (published or '', id) order, the clusterer's own order."""
        sql = (
            "SELECT a.* FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
            "WHERE f.article_id IS NULL ORDER BY COALESCE(a.published, ''), a.id"
        )
        return [_row_article(r) for r in self.conn.execute(sql)]

    def count_unplaced(self) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
            "WHERE f.article_id IS NULL").fetchone()[0])

    def reset_stories(self) -> None:
        """Forget every placement (after a clusterer upgrade): the next story update places all articles again."""
        with self.atomic() as conn:
            for table in ("article_features", "duplicates", "assignments", "cluster_state", "cluster_articles",
                          "cluster_edges", "story_cache"):
                conn.execute(f"DELETE FROM {table}")

    def dedup_rows(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(article id, exact-copy key, MinHash signature bytes) of every placed article, in placement order."""
        for r in self.conn.execute("SELECT article_id, text_key, minhash FROM article_features ORDER BY seq"):
            yield r[0], r[1], r[2]

    def state_blob(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT value FROM cluster_state WHERE key=?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def cluster_rows(self) -> Iterator[tuple[int, str, bytes]]:
        for r in self.conn.execute("SELECT row, data, vector FROM cluster_articles ORDER BY row"):
            yield r[0], r[1], r[2]

    def cluster_edges(self) -> Iterator[tuple[int, int, float]]:
        for r in self.conn.execute("SELECT i, j, s FROM cluster_edges ORDER BY i, j"):
            yield r[0], r[1], r[2]

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
        with self.atomic() as conn:
            conn.executemany("INSERT OR REPLACE INTO cluster_articles VALUES (?, ?, ?)", list(cluster_rows))
            conn.executemany("INSERT OR REPLACE INTO cluster_edges VALUES (?, ?, ?)", list(cluster_edges))
            seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM article_features").fetchone()[0])
            conn.executemany(
                "INSERT OR REPLACE INTO article_features VALUES (?, ?, ?, ?, ?, ?)",
                [(aid, seq + i + 1, key, sig, vec, feats) for i, (aid, key, sig, vec, feats) in enumerate(features)],
            )
            conn.executemany("INSERT OR REPLACE INTO duplicates VALUES (?, ?)", list(duplicates.items()))
            conn.executemany(
                "INSERT OR REPLACE INTO assignments VALUES (?, ?, ?)",
                [(aid, ev, st) for aid, (ev, st) in assignments.items()],
            )
            conn.executemany("INSERT OR REPLACE INTO cluster_state VALUES (?, ?)", list(state.items()))

    def placements(self, story_id: str | None = None) -> list[Placement]:
        """Articles with their event, story and duplicate link; a duplicate takes its original's placement."""
        sql = (
            "SELECT a.id, a.source, a.title, a.outlet, a.original_outlet, a.published, a.language, a.url, "
            "d.duplicate_of, s.event_id, s.story_id, f.vector FROM articles a "
            "JOIN article_features f ON f.article_id = a.id "
            "LEFT JOIN duplicates d ON d.article_id = a.id "
            "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id)"
        )
        if story_id is None:
            rows = self.conn.execute(sql + " ORDER BY s.story_id, COALESCE(a.published, ''), a.id").fetchall()
        else:
            rows = self.conn.execute(
                sql + " WHERE s.story_id = ? ORDER BY COALESCE(a.published, ''), a.id", (story_id,)
            ).fetchall()
        return [cast(Placement, dict(r)) for r in rows]

    def save_analyses(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Store (article id, record version, JSON) analyses, replacing older ones, in one transaction."""
        with self.atomic() as conn:
            conn.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?)", rows)

    def analyses(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Article id -> (version, JSON) of the stored analyses among ``article_ids``."""
        out: dict[str, tuple[str, str]] = {}
        ids = list(article_ids)
        for i in range(0, len(ids), 500):  # below SQLite's limit on bound parameters
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for aid, version, data in self.conn.execute(
                f"SELECT article_id, version, data FROM analyses WHERE article_id IN ({marks})", chunk
            ):
                out[str(aid)] = (str(version), str(data))
        return out

    def cached_story(self, story_id: str, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM story_cache WHERE story_id=? AND key=?", (story_id, key)).fetchone()
        return None if row is None else str(row[0])

    def cache_story(self, story_id: str, key: str, value: str) -> None:
        with self.atomic() as conn:
            conn.execute("INSERT OR REPLACE INTO story_cache VALUES (?, ?, ?)", (story_id, key, value))

    def story_of(self, article_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT s.story_id FROM articles a LEFT JOIN duplicates d ON d.article_id = a.id "
            "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id) WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return None if row is None else str(row[0])


Store = SQLiteStore  # the SQLite store under its historical name (paths only; open_store() also takes URLs)


def _fts_query(query: str, *, literal: bool = False) -> str:
    words = query.split()
    if literal or (not any(ch in query for ch in '"*()') and not any(w in ("OR", "AND", "NOT", "NEAR") for w in words)):
        return " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return query
