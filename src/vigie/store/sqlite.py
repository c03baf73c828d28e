"""The SQLite article store (the default back end): WAL, one writer at a time (SQLite's own lock, with a busy
timeout) while readers never block it, FTS5 for search. The SQL is :class:`vigie.store.sql.SQLStore`'s; this
module adds the connection, transactions and the FTS5 index.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from vigie.errors import StoreError
from vigie.store.base import _mask, is_postgres_url, resolve_db_path
from vigie.store.dialect import SQLITE
from vigie.store.migrations import MIGRATIONS, migration
from vigie.store.sql import IndexRow, Rows, SQLStore
from vigie.store.terms import INDEX_CHARS, Query, Term, index_text

__all__ = ["MIGRATIONS", "SQLiteStore", "Store", "migration"]

# The search index: an FTS5 table of each article's terms (:mod:`vigie.store.terms`, stemmed in Python, one
# row per article, rowid = the article's), written by the store with the article. A delete made outside Vigie
# (the sqlite3 shell) is followed by a plain-SQL trigger; other outside writes need rebuild_search_index().
_FTS = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, standfirst, body, tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON articles BEGIN
        DELETE FROM search_fts WHERE rowid = old.rowid;
    END""",
)
# Schemas 1-7: an external-content FTS5 table kept by triggers, stemming nothing.
_LEGACY = ("DROP TRIGGER IF EXISTS articles_ai", "DROP TRIGGER IF EXISTS articles_ad",
           "DROP TRIGGER IF EXISTS articles_au", "DROP TABLE IF EXISTS articles_fts")
_MATCH = ("SELECT a.id AS id, -bm25(search_fts, 5.0, 2.0, 1.0) AS score FROM search_fts "
          "JOIN articles a ON a.rowid = search_fts.rowid WHERE search_fts MATCH ?")


class SQLiteStore(SQLStore):
    """An article store on one SQLite file (or ``:memory:``); ``Store`` is its historical name.

    Example:
        >>> store = SQLiteStore(":memory:")
        >>> store.count()
        0
    """

    dialect = SQLITE

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 30.0) -> None:
        self.path = resolve_db_path(path)
        if is_postgres_url(self.path):
            raise StoreError(f"{_mask(self.path)}: a PostgreSQL URL; open it with vigie.open_store(), not Store()")
        if self.path != ":memory:":
            parent = Path(self.path).resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{self.path}: folder {parent} does not exist")
        self._lock = threading.RLock()
        self._stories_lock = threading.RLock()
        self._depth = 0
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: cannot open as a Vigie database ({e})") from e

    def _execute(self, statement: str, params: Sequence[Any] = ()) -> Rows:
        return self.conn.execute(statement, params)

    def _executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(statement, rows)

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls become savepoints, so a failure rolls back only the inner block."""
        with self._lock:
            name = f"sp{self._depth}"
            self.conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {name}")
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
            self.conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    def create_search_index(self) -> None:
        for stmt in _FTS:
            self._execute(stmt)

    def _drop_legacy_search_index(self) -> None:
        for stmt in _LEGACY:
            self._execute(stmt)
        self.create_search_index()
        self._execute("DELETE FROM search_fts")

    def _index(self, articles: Sequence[IndexRow]) -> None:
        rows = [(a.id,) for a in articles]
        self._executemany("DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM articles WHERE id = ?)", rows)
        self._executemany(
            "INSERT INTO search_fts (rowid, title, standfirst, body) SELECT rowid, ?, ?, ? FROM articles WHERE id = ?",
            [(index_text(a.title, a.language), index_text(a.standfirst, a.language),
              index_text(a.body[:INDEX_CHARS], a.language), a.id) for a in articles],
        )

    def _match(self, query: Query, languages: Sequence[str]) -> tuple[str, list[Any]]:
        """FTS5 over the stemmed terms; titles weigh most, then standfirsts, then bodies (bm25)."""
        return _MATCH, [fts_expression(query, languages)]

    def _stories_process_lock(self) -> AbstractContextManager[None]:
        # Per store object only: SQLite serialises each batch's writes, not two processes' whole stage.
        return nullcontext()


Store = SQLiteStore  # the SQLite store under its historical name (paths only; open_store() also takes URLs)


def fts_expression(query: Query, languages: Sequence[str]) -> str:
    """The FTS5 MATCH expression of a parsed query (terms are letters and digits, so quoting is enough).

    Example:
        >>> fts_expression(Query.parse('grévistes "mission russe" -sport russ*'), ["fr"])
        '("grev") AND ("mission russ") AND ("russ"*) NOT ("sport")'
    """

    def item(t: Term) -> str:
        return " OR ".join(f'"{" ".join(seq)}"' + ("*" if t.prefix else "") for seq in t.variants(languages))

    expr = " AND ".join("(" + " OR ".join(item(t) for t in g) + ")" for g in query.groups)
    if query.excluded:
        expr += " NOT (" + " OR ".join(item(t) for t in query.excluded) + ")"
    return expr
