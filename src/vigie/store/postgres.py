"""PostgreSQL article store (the ``postgres`` extra): the :class:`vigie.store.ArticleStore` protocol on a server.

The SQL and the migrations are those of every back end (:mod:`vigie.store.sql`, :mod:`vigie.store.migrations`);
this module adds PostgreSQL's own tools: a ``tsvector`` column of the terms :mod:`vigie.store.terms` computes (the
same as SQLite's, so both back ends find the same articles) under a GIN index, ranked by ``ts_rank``, savepoints for nested :meth:`PostgresStore.atomic`, and a session advisory lock so that
two processes never run the story stage at once. Text columns that are sorted use the "C" collation, so ordering
matches SQLite's byte order.

Open one with ``vigie.open_store("postgresql://user:pass@host/dbname")``; the user must own the database (or may
create tables in it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from vigie.errors import StoreError
from vigie.store.base import _mask
from vigie.store.dialect import POSTGRES, STORIES_LOCK
from vigie.store.migrations import MIGRATIONS
from vigie.store.sql import IndexRow, Rows, SQLStore
from vigie.store.terms import INDEX_CHARS, Query, Term, index_terms

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

_MATCH = ("SELECT a.id AS id, ts_rank(a.search, q.q, 1) AS score FROM articles a, (SELECT ?::tsquery AS q) q "
          "WHERE a.search @@ q.q")
_MAX_POS = 16383  # PostgreSQL's largest lexeme position, and most positions kept per lexeme
_MAX_POSITIONS = 256


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
        self._execute("ALTER TABLE articles ADD COLUMN IF NOT EXISTS search tsvector")
        self._execute("CREATE INDEX IF NOT EXISTS articles_search ON articles USING GIN (search)")

    def _drop_legacy_search_index(self) -> None:
        self._execute("ALTER TABLE articles DROP COLUMN IF EXISTS fts")  # its GIN index goes with it
        self._execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS vigie_fr")
        self.create_search_index()

    def _index(self, articles: Sequence[IndexRow]) -> None:
        self._executemany("UPDATE articles SET search = ?::tsvector WHERE id = ?",
                          [(tsvector_literal(a), a.id) for a in articles])

    def _match(self, query: Query, languages: Sequence[str]) -> tuple[str, list[Any]]:
        """``ts_rank`` over the stemmed terms, titles weighing most (A), then standfirsts (B), then bodies (C)."""
        return _MATCH, [tsquery_literal(query, languages)]

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


def tsvector_literal(a: IndexRow) -> str:
    """The ``tsvector`` of an article's terms, written out (no server-side parsing: the same terms as SQLite's):
    positions run on from the title to the standfirst to the body, a gap between fields so no phrase spans two.

    Example:
        >>> tsvector_literal(IndexRow("x", "Grève", None, "Les grévistes", "fr"))
        "'grev':1A,5C 'le':4C"
    """
    lexemes: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    pos = 0
    for text, weight in ((a.title, "A"), (a.standfirst, "B"), (a.body[:INDEX_CHARS], "C")):
        for t in index_terms(text, a.language):
            pos = min(pos + 1, _MAX_POS)  # beyond, every word shares the last position, as to_tsvector does
            at = lexemes.setdefault(t, [])
            if len(at) < _MAX_POSITIONS and last.get(t) != pos:
                at.append(f"{pos}{weight}")
                last[t] = pos
        pos += 1
    return " ".join(f"{_quote(t)}:{','.join(p)}" for t, p in sorted(lexemes.items()))


def tsquery_literal(query: Query, languages: Sequence[str]) -> str:
    """The ``tsquery`` of a parsed query, the same logic as SQLite's FTS5 expression.

    Example:
        >>> tsquery_literal(Query.parse('grévistes "mission russe" -sport russ*'), ["fr"])
        "('grev') & ('mission' <-> 'russ') & ('russ':*) & !('sport')"
    """

    def item(t: Term) -> str:
        return " | ".join(" <-> ".join(_quote(w) for w in seq) + (":*" if t.prefix else "")
                          for seq in t.variants(languages))

    parts = ["(" + " | ".join(item(t) for t in g) + ")" for g in query.groups]
    if query.excluded:
        parts.append("!(" + " | ".join(item(t) for t in query.excluded) + ")")
    return " & ".join(parts)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _reason(e: BaseException) -> str:
    """The server's or libpq's message on one line, without the connection string libpq sometimes repeats."""
    text = " ".join(str(e).split())
    return text or type(e).__name__
