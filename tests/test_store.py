"""Store: migrations, idempotent content-hash inserts, full-text search, atomicity — on SQLite and on PostgreSQL.

Tests taking the ``store`` fixture run on both back ends (PostgreSQL from tests/pg.py: $VIGIE_TEST_PG or a
throwaway cluster, else skipped); the others are specific to one back end.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pg import BACKENDS, backend_store, fresh_database
from vigie.errors import NotFoundError, StoreError
from vigie.models import Article, RawDocument
from vigie.store import MIGRATIONS, ArticleStore, SQLiteStore, Store, open_store


def _doc(text: str, source: str = "a.txt") -> tuple[RawDocument, Article]:
    raw = RawDocument(source=source, format="text", content=text)
    art = Article(id=raw.id, source=source, title=text.split("\n")[0], body=text, authors=["Anne Dupont"],
                  tags=["otan"], comments=["bravo 3"], published="2021-10-19T17:11:00+02:00", outlet="Le Point")
    return raw, art


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[ArticleStore]:
    with backend_store(request.param) as s:
        yield s


def test_store_migrations_recorded(store: ArticleStore) -> None:
    rows = store.conn.execute("SELECT version, name FROM migrations ORDER BY version").fetchall()  # type: ignore[attr-defined]
    assert [tuple(r) for r in rows] == [(v, n) for v, n, _ in MIGRATIONS]
    assert store.schema_version() == MIGRATIONS[-1][0]


def test_store_wal_on_file(tmp_path: Path) -> None:
    s = Store(tmp_path / "v.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_add_is_idempotent(store: ArticleStore) -> None:
    raw, art = _doc("Titre\nLa Russie suspend sa mission auprès de l'Otan.")
    assert store.add(raw, art) is True
    assert store.add(raw, art) is False
    assert store.count() == 1
    got = store.get(art.id)
    assert got == art
    assert store.raw(art.id).content == raw.content


def test_store_same_content_two_sources(store: ArticleStore) -> None:
    raw, art = _doc("Titre\nTexte identique.", "a.txt")
    store.add(raw, art)
    raw2 = RawDocument(source="b.txt", format="text", content=raw.content)
    assert raw2.id == raw.id
    store.add_source(raw2.id, raw2.source)
    assert store.sources(art.id) == ["a.txt", "b.txt"]
    assert store.count() == 1


def test_store_search_accent_insensitive(store: ArticleStore) -> None:
    store.add(*_doc("Otan\nLes diplomates russes ont été expulsés par l'Alliance."))
    store.add(*_doc("Météo\nIl pleuvra demain sur la Bretagne.", "b.txt"))
    hits = store.search("expulses diplomates")
    assert [a.title for a, _ in hits] == ["Otan"]
    assert "[" in hits[0][1]
    assert store.search('"unbalanced') == []
    assert store.search("   ") == []
    assert store.search("\x00") == [] and store.search("\x1f") == []  # control characters are not syntax errors
    assert [a.title for a, _ in store.search("expulses\x00diplomates")] == ["Otan"]


def test_store_get_by_prefix_and_missing(store: ArticleStore) -> None:
    raw, art = _doc("Titre\nCorps.")
    store.add(raw, art)
    assert store.get(art.id[:8]).id == art.id
    with pytest.raises(NotFoundError):
        store.get("ffffffffffff")


def _sharing_prefix(n: int = 6) -> tuple[tuple[RawDocument, Article], tuple[RawDocument, Article]]:
    """Two documents whose content-hash ids start with the same ``n`` characters (found in a few thousand tries)."""
    seen: dict[str, tuple[RawDocument, Article]] = {}
    for i in range(200_000):
        doc = _doc(f"Titre {i}\nCorps.", f"{i}.txt")
        other = seen.setdefault(doc[0].id[:n], doc)
        if other is not doc:
            return other, doc
    raise AssertionError("no shared prefix")


def test_store_get_prefix_is_text_not_a_pattern(store: ArticleStore) -> None:
    """A LIKE wildcard in an id prefix is a plain character (SQLite once returned an article for ``%%%%%%``)."""
    raw, art = _doc("Titre\nCorps.")
    store.add(raw, art)
    for pattern in ("%%%%%%", "______", art.id[:5] + "_", art.id[:6] + "%", "\\" * 6, art.id[:6].upper()):
        with pytest.raises(NotFoundError, match="no article"):
            store.get(pattern)
    assert store.get(art.id[:6]).id == art.id and store.get(art.id).id == art.id
    (raw1, art1), (raw2, art2) = _sharing_prefix()
    store.add(raw1, art1)
    store.add(raw2, art2)
    with pytest.raises(NotFoundError):  # ambiguous
        store.get(art1.id[:6])
    assert store.get(art1.id[:12]).id == art1.id and store.get(art2.id[:12]).id == art2.id


def test_store_known_ids(store: ArticleStore) -> None:
    assert list(store.known_ids()) == []
    docs = [_doc(f"T{i}\nCorps {i}.", f"{i}.txt") for i in range(3)]
    for raw, art in docs:
        store.add(raw, art)
    assert sorted(store.known_ids()) == sorted(raw.id for raw, _ in docs)


def test_store_alerts_round_trip(store: ArticleStore) -> None:
    assert store.alerts() == []
    a = store.add_alert("otan russie")
    b = store.add_alert("peskov", "https://hooks.example.org/x")
    assert (a.id, a.query, a.webhook) == (1, "otan russie", None) and a.created_at
    assert store.alerts() == [a, b]
    assert store.remove_alert(a.id) is True and store.remove_alert(a.id) is False
    assert store.add_alert("kremlin").id == 3  # a removed id is never given again
    assert [x.query for x in store.alerts()] == ["peskov", "kremlin"]


@contextmanager
def _reopenable(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "v.db")
    else:
        with fresh_database() as url:
            yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_alerts_migration_keeps_a_table_made_on_first_use(backend: str, tmp_path: Path) -> None:
    """Earlier versions made the alerts table on first use: migration 5 adopts it with its rows."""
    with _reopenable(backend, tmp_path) as target:
        with open_store(target) as s:
            s.add_alert("otan")
            with s.atomic() as conn:
                conn.execute("DELETE FROM migrations WHERE version = 5")
        with open_store(target) as s:
            assert s.schema_version() == MIGRATIONS[-1][0]
            assert [a.query for a in s.alerts()] == ["otan"] and s.add_alert("kremlin").id == 2


def test_store_server_close_closes_every_connection(tmp_path: Path) -> None:
    """Data.close closes the writer's connection too, not only the readers' (it once dropped it unclosed)."""
    from vigie.serve.data import Data

    data = Data(str(tmp_path / "v.db"))
    reader = data.read()
    writer = data.write(lambda s: s)
    assert writer is not reader and writer.count() == 0
    data.close()
    for s in (reader, writer):
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            s.count()
    assert data.write(lambda s: s.count()) == 0  # a later lifespan opens a new writer
    data.close()


def test_store_atomic_rolls_back_whole_article(store: ArticleStore) -> None:
    _raw, _art = _doc("Titre\nCorps.")
    with pytest.raises(RuntimeError), store.atomic() as conn:
        conn.execute("INSERT INTO raw VALUES ('x', 's', 'text', 'c', '{}', 'now')")
        raise RuntimeError("crash mid-article")
    assert store.count() == 0 and not store.has("x")


def test_store_atomic_nested_rolls_back_inner_only(store: ArticleStore) -> None:
    with store.atomic() as conn:
        conn.execute("INSERT INTO raw VALUES ('outer', 's', 'text', 'c', '{}', 'now')")
        with pytest.raises(RuntimeError), store.atomic() as inner:
            inner.execute("INSERT INTO raw VALUES ('inner', 's', 'text', 'c', '{}', 'now')")
            raise RuntimeError("inner block fails")
    assert store.has("outer") and not store.has("inner")


def test_store_articles_order_and_paging(store: ArticleStore) -> None:
    docs = [_doc(f"T{i}\nCorps {i}.", f"{i}.txt") for i in range(4)]
    docs[0][1].published = None
    docs[1][1].published = "2021-10-20"
    docs[2][1].published = "2021-10-21"
    docs[3][1].published = "2021-10-20"
    for raw, art in docs:
        store.add(raw, art)
    assert [a.source for a in store.articles()] == ["2.txt", "1.txt", "3.txt", "0.txt"]
    assert [a.source for a in store.articles(limit=2, offset=1)] == ["1.txt", "3.txt"]
    assert [r.source for r in store.raws()] == ["0.txt", "1.txt", "2.txt", "3.txt"]
    assert store.outlet_counts() == {"Le Point": 4}
    ids = [d[1].id for d in docs]
    assert store.outlet_article_ids("Le Point") == [ids[2], *sorted([ids[1], ids[3]]), ids[0]]


def test_store_placements_of_one_story_are_its_rows_of_all(store: ArticleStore) -> None:
    # One story's placements come from its own (indexed) assignments: the same rows as the whole list, a near copy
    # in its original's story even when it was assigned elsewhere itself.
    docs = [_doc(f"Titre {i}\nCorps {i}.", f"{i}.txt") for i in range(4)]
    for raw, art in docs:
        store.add(raw, art)
    a, b, c, d = (art.id for _, art in docs)
    with store.stories_lock():
        store.save_placements([(x, f"k{x}", None, None, None) for x in (a, b, c, d)], {b: a, d: a},
                              {a: ("e1", "s1"), c: ("e2", "s2"), d: ("e2", "s2")}, {})
    rows = store.placements()
    for sid in ("s1", "s2"):
        assert store.placements(sid) == [r for r in rows if r["story_id"] == sid]
    assert {r["id"] for r in store.placements("s1")} == {a, b, d} and [r["id"] for r in store.placements("s2")] == [c]


def test_store_story_tables_round_trip(store: ArticleStore) -> None:
    raw, art = _doc("Titre\nCorps.")
    raw2, art2 = _doc("Titre 2\nAutre corps.", "b.txt")
    store.add(raw, art)
    store.add(raw2, art2)
    assert store.count_unplaced() == 2 and [a.id for a in store.unplaced()] == sorted([art.id, art2.id])
    before = store.stories_version()
    with store.stories_lock():
        store.save_placements(
            [(art.id, "k1", b"\x00\x01", b"\x02\x03", '{"f": 1}'), (art2.id, "k2", None, None, None)],
            {art2.id: art.id}, {art.id: ("e1", "s1")}, {"clusterer.json": b"{}"},
            [(0, '{"a": 1}', b"\x00" * 8)], [(0, 1, 0.25)],
        )
    assert store.stories_version() != before
    assert store.count_unplaced() == 0
    assert list(store.dedup_rows()) == [(art.id, "k1", b"\x00\x01"), (art2.id, "k2", None)]
    assert store.state_blob("clusterer.json") == b"{}" and store.state_blob("nope") is None
    assert list(store.cluster_rows()) == [(0, '{"a": 1}', b"\x00" * 8)]
    assert list(store.cluster_edges()) == [(0, 1, 0.25)]
    rows = store.placements()  # by story, then (published, id)
    assert sorted((r["id"], r["story_id"], r["event_id"], r["duplicate_of"]) for r in rows) == sorted([
        (art.id, "s1", "e1", None), (art2.id, "s1", "e1", art.id)])
    assert [r["id"] for r in rows] == sorted([art.id, art2.id])
    first = next(r for r in rows if r["id"] == art.id)
    assert first["vector"] == b"\x02\x03" and first["title"] == "Titre"
    assert store.placements("s1") == rows and store.placements("s2") == []
    assert store.story_of(art2.id) == "s1" and store.story_of("nope") is None
    store.save_placements([], {}, {art.id: ("e2", "s1")}, {})  # a re-assignment is seen by the server's caches
    version = store.stories_version()
    store.save_placements([], {}, {art.id: ("e2", "s1")}, {})
    assert store.stories_version() != version
    store.cache_story("s1", "key", "valeur")
    store.cache_story("s1", "key2", "autre")
    assert store.cached_story("s1", "key") is None and store.cached_story("s1", "key2") == "autre"
    store.reset_stories()
    assert store.count_unplaced() == 2 and store.placements() == [] and store.state_blob("clusterer.json") is None


def test_store_update_article_refreshes_fts(store: ArticleStore) -> None:
    raw, art = _doc("Titre\nAncien texte.")
    store.add(raw, art)
    art.body = "Nouveau contenu sur Lavrov."
    store.update_article(art)
    assert [a.id for a, _ in store.search("Lavrov")] == [art.id]
    assert store.search("Ancien") == []


def test_store_rejects_newer_schema(tmp_path: Path) -> None:
    p = tmp_path / "v.db"
    Store(p).close()
    conn = sqlite3.connect(p)
    conn.execute("INSERT INTO migrations VALUES (999, 'future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Vigie"):
        Store(p)


def test_store_not_a_database(tmp_path: Path) -> None:
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        Store(p)


def test_store_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope" / "v.db")


def test_store_env_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_DB", str(tmp_path / "env.db"))
    assert Store().path == str(tmp_path / "env.db")
    assert isinstance(open_store(), SQLiteStore)


def test_store_sqlite_refuses_url() -> None:
    with pytest.raises(StoreError, match=r"open_store\(\)") as e:
        Store("postgresql://u:secret@localhost/db")
    assert "secret" not in str(e.value)


# -- PostgreSQL only -------------------------------------------------------------------------------------------


def test_store_pg_migrations_mirror_sqlite() -> None:
    pytest.importorskip("psycopg")
    from vigie.store.postgres import MIGRATIONS as PG_MIGRATIONS

    assert [(v, n) for v, n, _ in PG_MIGRATIONS] == [(v, n) for v, n, _ in MIGRATIONS]


def test_store_pg_rejects_newer_schema() -> None:
    with fresh_database() as url:
        open_store(url).close()
        with open_store(url) as s:
            s.conn.execute("INSERT INTO migrations VALUES (999, 'future', 'x')")  # type: ignore[attr-defined]
        with pytest.raises(StoreError, match="newer Vigie"):
            open_store(url.replace("postgresql://", "postgres://", 1))


def test_store_pg_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "vigie.store.postgres", raising=False)
    with pytest.raises(StoreError, match=r"'postgres' extra: pip install 'vigie\[postgres\]'"):
        open_store("postgresql://localhost/vigie")


def test_store_pg_connection_error_masks_password() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL \(.+\)") as e:
        open_store("postgresql://vigie:s3cret@127.0.0.1:1/vigie?connect_timeout=2")
    assert "s3cret" not in str(e.value) and "vigie:***@127.0.0.1:1/vigie" in str(e.value)


@pytest.fixture
def pg_store() -> Iterator[ArticleStore]:
    with backend_store("postgres") as s:
        yield s


def test_store_pg_search_french(pg_store: ArticleStore) -> None:
    store = pg_store
    store.add(*_doc("Skripal\nL'empoisonnement de Sergueï Skripal à Salisbury a tendu les relations."))
    store.add(*_doc("Otan\nLa mission russe auprès de l'Otan est suspendue.", "b.txt"))
    assert [a.title for a, _ in store.search("empoisonné")] == ["Skripal"]  # stemmed and accent-folded
    assert [a.title for a, _ in store.search("Serguei")] == ["Skripal"]
    assert {a.title for a, _ in store.search("skripal or otan")} == {"Skripal", "Otan"}
    assert store.search("skripal -salisbury") == []
    assert store.search('"mission russe"')[0][0].title == "Otan"


def test_store_dialects_differ_only_in_form() -> None:
    """One statement, two spellings: placeholders (and literal %) for psycopg, upserts that renew a counter."""
    from vigie.store.dialect import POSTGRES, SQLITE

    stmt = "SELECT id FROM articles WHERE title LIKE '100%' AND id = ?"
    assert SQLITE.sql(stmt) == stmt
    assert POSTGRES.sql(stmt) == "SELECT id FROM articles WHERE title LIKE '100%%' AND id = %s"
    assert SQLITE.upsert("assignments", ("article_id", "story_id"), ("article_id",), counter="rev") == (
        "INSERT OR REPLACE INTO assignments (article_id, story_id) VALUES (?, ?)")
    assert POSTGRES.upsert("assignments", ("article_id", "story_id"), ("article_id",), counter="rev") == (
        "INSERT INTO assignments (article_id, story_id) VALUES (?, ?) "
        "ON CONFLICT (article_id) DO UPDATE SET story_id = EXCLUDED.story_id, rev = DEFAULT")
    assert (SQLITE.counter("rev"), POSTGRES.counter("rev")) == ("rowid", "rev")
    assert SQLITE.clean("a\x00b") == "a\x00b" and POSTGRES.clean("a\x00b") == "a\ufffdb"
