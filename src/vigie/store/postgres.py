"""PostgreSQL article store (the ``postgres`` extra): the :class:`vigie.store.ArticleStore` protocol on a server.

Same tables and versioned migrations as the SQLite store, with PostgreSQL's own tools: a stored ``tsvector``
column in the ``vigie_fr`` text search configuration (French stemming, accents folded by ``unaccent``) under a GIN
index, ``websearch_to_tsquery`` and ``ts_headline`` for search, BYTEA blobs, ``ON CONFLICT`` for idempotent
inserts, savepoints for nested :meth:`PostgresStore.atomic`, and a session advisory lock so that two processes
never run the story stage at once. Text columns use the "C" collation so ordering matches SQLite's byte order.

Open one with ``vigie.open_store("postgresql://user:pass@host/dbname")``; the user must own the database (or may
create tables and the ``unaccent`` extension in it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self, cast

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
    search_text,
)

try:
    import psycopg
    from psycopg.rows import dict_row
except ImportError as e:  # pragma: no cover - depends on the installed extras
    raise StoreError(
        "PostgreSQL stores need the 'postgres' extra: pip install 'vigie[postgres]' (psycopg 3)"
    ) from e

log = logging.getLogger(__name__)

Conn = psycopg.Connection[Any]
PgMigration = Callable[[Conn], None]
MIGRATIONS: list[tuple[int, str, PgMigration]] = []

# Advisory lock keys ("vigi" + a digit): one for migrations, one for the story stage.
_MIGRATE_LOCK = 0x76696731
_STORIES_LOCK = 0x76696732
# A tsvector holds at most 1 MB; bodies beyond this many characters are indexed by their start only.
_FTS_CHARS = 300_000
_HEADLINE = 'StartSel="[", StopSel="]", MaxWords=12, MinWords=5, ShortWord=2, MaxFragments=1'


def migration(version: int, name: str) -> Callable[[PgMigration], PgMigration]:
    """Register a PostgreSQL migration; versions and names mirror :data:`vigie.store.MIGRATIONS` one for one."""

    def register(fn: PgMigration) -> PgMigration:
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return register


T = 'TEXT COLLATE "C"'  # byte order, as in SQLite, for every text column that is sorted or compared


@migration(1, "articles")
def _m1(conn: Conn) -> None:
    _text_search_config(conn)
    fts = " || ".join(
        f"setweight(to_tsvector('vigie_fr'::regconfig, {expr}), '{w}')"
        for expr, w in (("coalesce(title, '')", "A"), ("coalesce(standfirst, '')", "B"),
                        (f"left(body, {_FTS_CHARS})", "C"))
    )
    for stmt in (
        # `n` keeps insertion order (SQLite's rowid); it comes last so positional INSERTs of the six columns work.
        f"""CREATE TABLE raw (id {T} PRIMARY KEY, source TEXT NOT NULL, format TEXT NOT NULL, content TEXT NOT NULL,
            meta TEXT NOT NULL, read_at TEXT NOT NULL, n BIGINT GENERATED ALWAYS AS IDENTITY)""",
        f"""CREATE TABLE articles (
            id {T} PRIMARY KEY REFERENCES raw(id), source {T} NOT NULL, title {T}, published {T}, url TEXT,
            outlet {T}, original_outlet TEXT, authors TEXT NOT NULL DEFAULT '[]', language TEXT,
            body TEXT NOT NULL DEFAULT '', standfirst TEXT, comments TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]', ingested_at TEXT NOT NULL,
            fts tsvector GENERATED ALWAYS AS ({fts}) STORED
        )""",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_outlet ON articles(outlet)",
        "CREATE INDEX articles_fts ON articles USING GIN (fts)",
        f"""CREATE TABLE article_sources (article_id {T} NOT NULL REFERENCES articles(id), source {T} NOT NULL,
            PRIMARY KEY (article_id, source))""",
    ):
        conn.execute(stmt)


def _text_search_config(conn: Conn) -> None:
    """``vigie_fr``: French stemming after ``unaccent``, or plain French (accent-sensitive) without the extension."""
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            conn.execute("CREATE TEXT SEARCH CONFIGURATION vigie_fr (COPY = pg_catalog.french)")
            conn.execute("ALTER TEXT SEARCH CONFIGURATION vigie_fr "
                         "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem")
    except psycopg.Error as e:
        log.warning("unaccent unavailable (%s): PostgreSQL search will be accent-sensitive", str(e).strip())
        conn.execute("CREATE TEXT SEARCH CONFIGURATION vigie_fr (COPY = pg_catalog.french)")


@migration(2, "stories")
def _m2(conn: Conn) -> None:
    for stmt in (
        f"""CREATE TABLE article_features (article_id {T} PRIMARY KEY REFERENCES articles(id), seq BIGINT NOT NULL,
            text_key TEXT NOT NULL, minhash BYTEA, vector BYTEA, features TEXT)""",
        "CREATE INDEX article_features_seq ON article_features(seq)",
        f"CREATE TABLE duplicates (article_id {T} PRIMARY KEY REFERENCES articles(id), duplicate_of {T} NOT NULL)",
        "CREATE INDEX duplicates_of ON duplicates(duplicate_of)",
        # `rev` changes on every write of a row, so the server's caches see a re-assignment (SQLite: a new rowid).
        "CREATE SEQUENCE assignments_rev",
        f"""CREATE TABLE assignments (article_id {T} PRIMARY KEY REFERENCES articles(id), event_id {T} NOT NULL,
            story_id {T} NOT NULL, rev BIGINT NOT NULL DEFAULT nextval('assignments_rev'))""",
        "CREATE INDEX assignments_story ON assignments(story_id)",
        "CREATE INDEX assignments_event ON assignments(event_id)",
        "CREATE TABLE cluster_state (key TEXT PRIMARY KEY, value BYTEA NOT NULL)",
    ):
        conn.execute(stmt)


@migration(3, "story cache")
def _m3(conn: Conn) -> None:
    conn.execute(f"CREATE TABLE story_cache (story_id {T} PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)")


@migration(6, "article analyses")
def _m6(conn: Conn) -> None:
    conn.execute(f"CREATE TABLE analyses (article_id {T} PRIMARY KEY REFERENCES articles(id), version TEXT NOT NULL, "
                 "data TEXT NOT NULL)")


@migration(4, "incremental cluster state")
def _m4(conn: Conn) -> None:
    for stmt in (
        'CREATE TABLE cluster_articles ("row" INTEGER PRIMARY KEY, data TEXT NOT NULL, vector BYTEA NOT NULL)',
        "CREATE TABLE cluster_edges (i INTEGER NOT NULL, j INTEGER NOT NULL, s DOUBLE PRECISION NOT NULL, "
        "PRIMARY KEY (i, j))",
    ):
        conn.execute(stmt)


_STORY_TABLES = ("article_features", "duplicates", "assignments", "cluster_state", "cluster_articles",
                 "cluster_edges", "story_cache")
_COLS = ", ".join(_ARTICLE_COLS)
_ARTICLE_SELECT = ", ".join(f"a.{c}" for c in _ARTICLE_COLS)


def _clean(v: Any) -> Any:
    # PostgreSQL text cannot hold NUL; SQLite can. The cleaner drops control characters, so only raw input may.
    return v.replace("\x00", "\ufffd") if isinstance(v, str) and "\x00" in v else v


class PostgresStore:
    """An article store in one PostgreSQL database.

    Args:
        url: ``postgresql://user:password@host:port/dbname`` (``postgres://`` too; libpq parameters allowed).
        timeout: seconds to wait for the server when connecting.

    Raises:
        StoreError: the server cannot be reached or refuses the login (the message masks the password), or the
            database was made by a newer Vigie.

    Example:
        >>> store = PostgresStore("postgresql://vigie:secret@localhost/vigie")  # doctest: +SKIP
        >>> store.count()  # doctest: +SKIP
        0
    """

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self.path = _mask(url)
        try:
            # Autocommit: a read is its own statement, so an idle connection never sits inside a transaction.
            self.conn: Conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(timeout)))
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: cannot connect to PostgreSQL ({_reason(e)})") from e
        self._lock = threading.RLock()
        self._stories_lock = threading.RLock()
        try:
            self._migrate()
        except psycopg.Error as e:
            self.conn.close()
            raise StoreError(f"{self.path}: cannot open as a Vigie database ({_reason(e)})") from e
        except BaseException:
            self.conn.close()
            raise

    # -- plumbing ---------------------------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[Conn]:
        """A transaction; nested calls become savepoints, so a failure rolls back only the inner block."""
        with self._lock, self.conn.transaction():
            yield self.conn

    def _migrate(self) -> None:
        known = {v for v, _, _ in MIGRATIONS}
        if self._applied() >= known:
            self._check_newer(self._applied(), known)
            return
        with self.atomic() as conn:
            # Two processes opening a fresh database at once: the second waits, then finds the work done.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS migrations "
                         "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT)")
            done = self._applied()
            self._check_newer(done, known)
            for version, name, fn in MIGRATIONS:
                if version not in done:
                    fn(conn)
                    conn.execute("INSERT INTO migrations VALUES (%s, %s, %s)", (version, name, _now()))

    def _applied(self) -> set[int]:
        if self.conn.execute("SELECT to_regclass('migrations')").fetchone() == (None,):
            return set()
        return {int(r[0]) for r in self.conn.execute("SELECT version FROM migrations")}

    def _check_newer(self, done: set[int], known: set[int]) -> None:
        if done - known:
            raise StoreError(f"{self.path}: made by a newer Vigie (schema {max(done)}); upgrade Vigie to open it")

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0) if row else 0

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.conn.execute(sql, params).fetchone()

    def _dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(sql, params).fetchall()

    # -- writes -----------------------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        return self._one("SELECT 1 FROM raw WHERE id=%s", (article_id,)) is not None

    def known_ids(self) -> Iterator[str]:
        """Every stored content id (for executors that check on remote workers)."""
        return (str(r[0]) for r in self.conn.execute("SELECT id FROM raw").fetchall())

    def add(self, raw: RawDocument, article: Article) -> bool:
        """Store one raw input and its clean article in one transaction; False if the id was already stored."""
        if article.id != raw.id:
            raise ValueError("article.id must be the raw document's content hash")
        with self.atomic() as conn:
            cur = conn.execute(
                "INSERT INTO raw (id, source, format, content, meta, read_at) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING",
                [_clean(v) for v in (raw.id, raw.source, raw.format, raw.content,
                                     json.dumps(raw.meta, ensure_ascii=False, default=str), _now())],
            )
            new = cur.rowcount == 1
            if new:
                conn.execute(
                    f"INSERT INTO articles ({_COLS}, ingested_at) VALUES ({', '.join(['%s'] * len(_ARTICLE_COLS))}, %s)",
                    [_clean(v) for v in (*_article_row(article), _now())],
                )
            conn.execute("INSERT INTO article_sources VALUES (%s, %s) ON CONFLICT DO NOTHING",
                         (raw.id, _clean(raw.source)))
        return new

    def add_source(self, article_id: str, source: str) -> None:
        """Remember that another input held the same article (same content hash)."""
        with self.atomic() as conn:
            conn.execute("INSERT INTO article_sources VALUES (%s, %s) ON CONFLICT DO NOTHING",
                         (article_id, _clean(source)))

    def update_article(self, article: Article) -> None:
        """Replace the clean fields of a stored article (after re-cleaning its raw input); the index follows."""
        row = [_clean(v) for v in _article_row(article)]
        with self.atomic() as conn:
            sets = ", ".join(f"{c}=%s" for c in _ARTICLE_COLS[1:])
            cur = conn.execute(f"UPDATE articles SET {sets} WHERE id=%s", (*row[1:], article.id))
            conn.execute("DELETE FROM analyses WHERE article_id=%s", (article.id,))  # analysed again when needed
            if cur.rowcount == 0:
                raise NotFoundError(f"no article {article.id}")

    # -- reads ------------------------------------------------------------------------------------------------

    def count(self) -> int:
        row = self._one("SELECT COUNT(*) FROM articles")
        return int(row[0]) if row else 0

    def get(self, article_id: str) -> Article:
        """The article with this id (a unique prefix of at least 6 characters is enough)."""
        rows = self._dicts(f"SELECT {_COLS} FROM articles WHERE id=%s", (article_id,))
        if not rows and len(article_id) >= 6:
            like = article_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            found = self._dicts(f"SELECT {_COLS} FROM articles WHERE id LIKE %s LIMIT 2", (like,))
            rows = found if len(found) == 1 else []
        if not rows:
            raise NotFoundError(f"no article {article_id}")
        return _row_article(rows[0])

    def raw(self, article_id: str) -> RawDocument:
        rows = self._dicts("SELECT source, format, content, meta FROM raw WHERE id=%s", (article_id,))
        if not rows:
            raise NotFoundError(f"no raw input for article {article_id}")
        r = rows[0]
        return RawDocument(source=r["source"], format=r["format"], content=r["content"], meta=json.loads(r["meta"]))

    def raws(self) -> Iterator[RawDocument]:
        for r in self._dicts("SELECT source, format, content, meta FROM raw ORDER BY n"):
            yield RawDocument(source=r["source"], format=r["format"], content=r["content"], meta=json.loads(r["meta"]))

    def sources(self, article_id: str) -> list[str]:
        return [str(r[0]) for r in self.conn.execute(
            "SELECT source FROM article_sources WHERE article_id=%s ORDER BY source", (article_id,))]

    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]:
        """Stored articles, newest publication first (undated last), then by source."""
        sql = (f"SELECT {_COLS} FROM articles ORDER BY published IS NULL, published DESC, source, id "
               "LIMIT %s OFFSET %s")
        return [_row_article(r) for r in self._dicts(sql, (limit, offset))]

    def search(self, query: str, *, limit: int = 20) -> list[tuple[Article, str]]:
        """Full-text search (French stemming, accent-insensitive); returns (article, snippet) best first.

        The query is read by ``websearch_to_tsquery``: plain words are all required, ``"a phrase"``, ``or`` and
        ``-word`` work, and no input is a syntax error. Title matches weigh most, then standfirst, then body.
        """
        query = search_text(query)
        if not query.strip():
            return []
        # Headlines are costly: computed for the page of hits only, after ranking.
        sql = (
            f"WITH q AS (SELECT websearch_to_tsquery('vigie_fr', %s) AS q), "
            f"hits AS (SELECT a.id, ts_rank(a.fts, q.q, 1) AS rank FROM articles a, q WHERE a.fts @@ q.q "
            f"ORDER BY rank DESC, a.id LIMIT %s) "
            f"SELECT {_ARTICLE_SELECT}, ts_headline('vigie_fr', a.body, q.q, %s) AS snip "
            f"FROM hits JOIN articles a ON a.id = hits.id, q ORDER BY hits.rank DESC, a.id"
        )
        return [(_row_article(r), _ellipsis(r["snip"], r["body"])) for r in self._dicts(sql, (query, limit, _HEADLINE))]

    def outlet_counts(self) -> dict[str, int]:
        """Articles per outlet name (articles without an outlet are not counted)."""
        rows = self.conn.execute("SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet")
        return {str(r[0]): int(r[1]) for r in rows}

    def outlet_article_ids(self, outlet: str) -> list[str]:
        """Ids of an outlet's articles, newest publication first (undated last)."""
        return [str(r[0]) for r in self.conn.execute(
            "SELECT id FROM articles WHERE outlet = %s ORDER BY published IS NULL, published DESC, id", (outlet,))]

    # -- story stage ------------------------------------------------------------------------------------------

    @contextmanager
    def stories_lock(self) -> Iterator[None]:
        """Held by the story stage from reading the clusterer state to saving its last batch.

        A session advisory lock, not a transaction one: the stage spans many transactions (one per batch), and a
        second process must wait for all of them, then see the first one's state. A crash frees it with the
        connection.
        """
        with self._stories_lock:
            self.conn.execute("SELECT pg_advisory_lock(%s)", (_STORIES_LOCK,))
            try:
                yield
            finally:
                if not self.conn.closed:
                    self.conn.execute("SELECT pg_advisory_unlock(%s)", (_STORIES_LOCK,))

    def stories_version(self) -> tuple[int, ...]:
        """A cheap value that changes whenever a placement does (the server's story caches key on it)."""
        row = self._one(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM article_features), (SELECT COUNT(*) FROM assignments), "
            "(SELECT COALESCE(MAX(rev), 0) FROM assignments), (SELECT COUNT(*) FROM duplicates)"
        )
        return tuple(int(v) for v in row) if row else ()

    def unplaced(self) -> list[Article]:
        """Articles the story stage has not seen yet, in (published or '', id) order, the clusterer's own order."""
        sql = (
            f"SELECT {_ARTICLE_SELECT} FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
            "WHERE f.article_id IS NULL ORDER BY COALESCE(a.published, ''), a.id"
        )
        return [_row_article(r) for r in self._dicts(sql)]

    def count_unplaced(self) -> int:
        row = self._one("SELECT COUNT(*) FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
                        "WHERE f.article_id IS NULL")
        return int(row[0]) if row else 0

    def reset_stories(self) -> None:
        """Forget every placement (after a clusterer upgrade): the next story update places all articles again."""
        with self.atomic() as conn:
            conn.execute(f"TRUNCATE {', '.join(_STORY_TABLES)}")

    def dedup_rows(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(article id, exact-copy key, MinHash signature bytes) of every placed article, in placement order."""
        for r in self.conn.execute("SELECT article_id, text_key, minhash FROM article_features ORDER BY seq"):
            yield r[0], r[1], r[2]

    def state_blob(self, key: str) -> bytes | None:
        row = self._one("SELECT value FROM cluster_state WHERE key=%s", (key,))
        return None if row is None else bytes(row[0])

    def cluster_rows(self) -> Iterator[tuple[int, str, bytes]]:
        for r in self.conn.execute('SELECT "row", data, vector FROM cluster_articles ORDER BY "row"'):
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
        with self.atomic() as conn, conn.cursor() as cur:
            cur.executemany('INSERT INTO cluster_articles VALUES (%s, %s, %s) ON CONFLICT ("row") '
                            "DO UPDATE SET data = EXCLUDED.data, vector = EXCLUDED.vector", list(cluster_rows))
            cur.executemany("INSERT INTO cluster_edges VALUES (%s, %s, %s) ON CONFLICT (i, j) "
                            "DO UPDATE SET s = EXCLUDED.s", list(cluster_edges))
            row = cur.execute("SELECT COALESCE(MAX(seq), 0) FROM article_features").fetchone()
            seq = int(row[0]) if row else 0
            cur.executemany(
                "INSERT INTO article_features VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (article_id) DO UPDATE "
                "SET seq = EXCLUDED.seq, text_key = EXCLUDED.text_key, minhash = EXCLUDED.minhash, "
                "vector = EXCLUDED.vector, features = EXCLUDED.features",
                [(aid, seq + i + 1, key, sig, vec, feats) for i, (aid, key, sig, vec, feats) in enumerate(features)],
            )
            cur.executemany("INSERT INTO duplicates VALUES (%s, %s) ON CONFLICT (article_id) "
                            "DO UPDATE SET duplicate_of = EXCLUDED.duplicate_of", list(duplicates.items()))
            cur.executemany(
                "INSERT INTO assignments (article_id, event_id, story_id) VALUES (%s, %s, %s) "
                "ON CONFLICT (article_id) DO UPDATE SET event_id = EXCLUDED.event_id, "
                "story_id = EXCLUDED.story_id, rev = nextval('assignments_rev')",
                [(aid, ev, st) for aid, (ev, st) in assignments.items()],
            )
            cur.executemany("INSERT INTO cluster_state VALUES (%s, %s) ON CONFLICT (key) "
                            "DO UPDATE SET value = EXCLUDED.value", list(state.items()))

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
            rows = self._dicts(sql + " ORDER BY s.story_id, COALESCE(a.published, ''), a.id")
        else:
            rows = self._dicts(sql + " WHERE s.story_id = %s ORDER BY COALESCE(a.published, ''), a.id", (story_id,))
        return [cast(Placement, r) for r in rows]

    def save_analyses(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Store (article id, record version, JSON) analyses, replacing older ones, in one transaction."""
        with self.atomic() as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO analyses VALUES (%s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET "
                            "version = EXCLUDED.version, data = EXCLUDED.data",
                            [(a, v, _clean(d)) for a, v, d in rows])  # fmt: skip

    def analyses(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Article id -> (version, JSON) of the stored analyses among ``article_ids``."""
        rows = self.conn.execute("SELECT article_id, version, data FROM analyses WHERE article_id = ANY(%s)",
                                 (list(article_ids),)).fetchall()  # fmt: skip
        return {str(a): (str(v), str(d)) for a, v, d in rows}

    def cached_story(self, story_id: str, key: str) -> str | None:
        row = self._one("SELECT value FROM story_cache WHERE story_id=%s AND key=%s", (story_id, key))
        return None if row is None else str(row[0])

    def cache_story(self, story_id: str, key: str, value: str) -> None:
        with self.atomic() as conn:
            conn.execute("INSERT INTO story_cache VALUES (%s, %s, %s) ON CONFLICT (story_id) "
                         "DO UPDATE SET key = EXCLUDED.key, value = EXCLUDED.value", (story_id, key, _clean(value)))

    def story_of(self, article_id: str) -> str | None:
        row = self._one(
            "SELECT s.story_id FROM articles a LEFT JOIN duplicates d ON d.article_id = a.id "
            "JOIN assignments s ON s.article_id = COALESCE(d.duplicate_of, a.id) WHERE a.id = %s",
            (article_id,),
        )
        return None if row is None else str(row[0])


def _reason(e: BaseException) -> str:
    """The server's or libpq's message on one line, without the connection string libpq sometimes repeats."""
    text = " ".join(str(e).split())
    return text or type(e).__name__


def _ellipsis(snippet: str, body: str) -> str:
    """Mark a cut like SQLite's snippet(): '…' where the fragment does not reach the start or end of the body."""
    plain = snippet.replace("[", "").replace("]", "")
    at = body.find(plain) if plain else -1
    if at < 0:
        return snippet
    head = "…" if body[:at].strip() else ""
    tail = "…" if body[at + len(plain):].strip(" \t\n.!?»\"'") else ""
    return f"{head}{snippet}{tail}"
