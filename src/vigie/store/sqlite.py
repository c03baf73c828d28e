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
from vigie.models import Article
from vigie.store.base import _ARTICLE_COLS, _mask, _row_article, is_postgres_url, resolve_db_path
from vigie.store.dialect import SQLITE
from vigie.store.migrations import MIGRATIONS, migration
from vigie.store.sql import Rows, SQLStore

__all__ = ["MIGRATIONS", "SQLiteStore", "Store", "migration"]

# The FTS5 index is an external-content table over `articles`, kept in step by triggers.
_FTS = (
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, standfirst, body, content='articles', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, standfirst, body)
        VALUES (new.rowid, new.title, new.standfirst, new.body);
    END""",
    """CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
        VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
    END""",
    """CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
        VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
        INSERT INTO articles_fts(rowid, title, standfirst, body)
        VALUES (new.rowid, new.title, new.standfirst, new.body);
    END""",
)
_SEARCH = (
    f"SELECT {', '.join(f'a.{c}' for c in _ARTICLE_COLS)}, snippet(articles_fts, 2, '[', ']', '…', 12) AS snip "
    "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
    "ORDER BY bm25(articles_fts, 5.0, 2.0, 1.0) LIMIT ?"
)


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

    def _search(self, query: str, limit: int) -> list[tuple[Article, str]]:
        """FTS5, accent-insensitive: plain words are matched as terms (all required); FTS5 syntax (quotes, OR,
        NEAR, prefix*) is passed through, and where it does not parse every word is quoted instead."""
        try:
            rows = self.conn.execute(_SEARCH, (_fts_query(query), limit)).fetchall()
        except sqlite3.OperationalError:  # unbalanced quotes or stray operators
            rows = self.conn.execute(_SEARCH, (_fts_query(query, literal=True), limit)).fetchall()
        return [(_row_article(r), r["snip"]) for r in rows]

    def _stories_process_lock(self) -> AbstractContextManager[None]:
        # Per store object only: SQLite serialises each batch's writes, not two processes' whole stage.
        return nullcontext()


Store = SQLiteStore  # the SQLite store under its historical name (paths only; open_store() also takes URLs)


def _fts_query(query: str, *, literal: bool = False) -> str:
    words = query.split()
    if literal or (not any(ch in query for ch in '"*()') and not any(w in ("OR", "AND", "NOT", "NEAR") for w in words)):
        return " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return query
