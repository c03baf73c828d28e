"""PostgreSQL article store (the ``postgres`` extra): the :class:`vigie.store.ArticleStore` protocol on a server.

The SQL and the migrations are those of every back end (:mod:`vigie.store.sql`, :mod:`vigie.store.migrations`);
this module adds PostgreSQL's own tools: a stored ``tsvector`` column in the ``vigie_fr`` text search
configuration (French stemming, accents folded by ``unaccent``) under a GIN index, ``websearch_to_tsquery`` and
``ts_headline`` for search, savepoints for nested :meth:`PostgresStore.atomic`, and a session advisory lock so that
two processes never run the story stage at once. Text columns that are sorted use the "C" collation, so ordering
matches SQLite's byte order.

Open one with ``vigie.open_store("postgresql://user:pass@host/dbname")``; the user must own the database (or may
create tables and the ``unaccent`` extension in it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from vigie.errors import StoreError
from vigie.models import Article
from vigie.store.base import _ARTICLE_COLS, _mask, _row_article
from vigie.store.dialect import POSTGRES, STORIES_LOCK
from vigie.store.migrations import MIGRATIONS
from vigie.store.sql import Rows, SQLStore

try:
    import psycopg
    from psycopg.rows import dict_row
except ImportError as e:  # pragma: no cover - depends on the installed extras
    raise StoreError(
        "PostgreSQL stores need the 'postgres' extra: pip install 'vigie[postgres]' (psycopg 3)"
    ) from e

__all__ = ["MIGRATIONS", "PostgresStore"]

log = logging.getLogger(__name__)

Conn = psycopg.Connection[Any]

# A tsvector holds at most 1 MB; bodies beyond this many characters are indexed by their start only.
_FTS_CHARS = 300_000
_HEADLINE = 'StartSel="[", StopSel="]", MaxWords=12, MinWords=5, ShortWord=2, MaxFragments=1'
_FTS = " || ".join(
    f"setweight(to_tsvector('vigie_fr'::regconfig, {expr}), '{w}')"
    for expr, w in (("coalesce(title, '')", "A"), ("coalesce(standfirst, '')", "B"), (f"left(body, {_FTS_CHARS})", "C"))
)
# Headlines are costly: computed for the page of hits only, after ranking.
_SEARCH = (
    "WITH q AS (SELECT websearch_to_tsquery('vigie_fr', ?) AS q), "
    "hits AS (SELECT a.id, ts_rank(a.fts, q.q, 1) AS rank FROM articles a, q WHERE a.fts @@ q.q "
    "ORDER BY rank DESC, a.id LIMIT ?) "
    f"SELECT {', '.join(f'a.{c}' for c in _ARTICLE_COLS)}, ts_headline('vigie_fr', a.body, q.q, ?) AS snip "
    "FROM hits JOIN articles a ON a.id = hits.id, q ORDER BY hits.rank DESC, a.id"
)


class PostgresStore(SQLStore):
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

    dialect = POSTGRES

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

    def _execute(self, statement: str, params: Sequence[Any] = ()) -> Rows:
        cur = self.conn.cursor(row_factory=dict_row)
        return cur.execute(self.dialect.sql(statement), params)

    def _executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self.dialect.sql(statement), rows)

    @contextmanager
    def atomic(self) -> Iterator[Conn]:
        """A transaction; nested calls become savepoints, so a failure rolls back only the inner block."""
        with self._lock, self.conn.transaction():
            yield self.conn

    def create_search_index(self) -> None:
        _text_search_config(self.conn)
        self._execute(f"ALTER TABLE articles ADD COLUMN fts tsvector GENERATED ALWAYS AS ({_FTS}) STORED")
        self._execute("CREATE INDEX articles_fts ON articles USING GIN (fts)")

    def _search(self, query: str, limit: int) -> list[tuple[Article, str]]:
        """French stemming, accent-insensitive, read by ``websearch_to_tsquery``: ``"a phrase"``, ``or`` and
        ``-word`` work, and no input is a syntax error. Title matches weigh most, then standfirst, then body."""
        rows = self._execute(_SEARCH, (query, limit, _HEADLINE)).fetchall()
        return [(_row_article(r), _ellipsis(r["snip"], r["body"])) for r in rows]

    @contextmanager
    def _stories_process_lock(self) -> Iterator[None]:
        # A session advisory lock, not a transaction one: the stage spans many transactions (one per batch), and a
        # second process must wait for all of them, then see the first one's state. A crash frees it with the
        # connection.
        self._execute("SELECT pg_advisory_lock(?)", (STORIES_LOCK,))
        try:
            yield
        finally:
            if not self.conn.closed:
                self._execute("SELECT pg_advisory_unlock(?)", (STORIES_LOCK,))


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
