"""Store: migrations, idempotent content-hash inserts, FTS5 search, atomicity."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vigie.errors import NotFoundError, StoreError
from vigie.models import Article, RawDocument
from vigie.store import MIGRATIONS, Store


def _doc(text: str, source: str = "a.txt") -> tuple[RawDocument, Article]:
    raw = RawDocument(source=source, format="text", content=text)
    art = Article(id=raw.id, source=source, title=text.split("\n")[0], body=text, authors=["Anne Dupont"],
                  tags=["otan"], comments=["bravo 3"], published="2021-10-19T17:11:00+02:00", outlet="Le Point")
    return raw, art


@pytest.fixture
def store() -> Store:
    return Store(":memory:")


def test_store_migrations_recorded(store: Store) -> None:
    rows = store.conn.execute("SELECT version, name FROM migrations").fetchall()
    assert [tuple(r) for r in rows] == [(v, n) for v, n, _ in MIGRATIONS]
    assert store.schema_version() == MIGRATIONS[-1][0]


def test_store_wal_on_file(tmp_path: Path) -> None:
    s = Store(tmp_path / "v.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_add_is_idempotent(store: Store) -> None:
    raw, art = _doc("Titre\nLa Russie suspend sa mission auprès de l'Otan.")
    assert store.add(raw, art) is True
    assert store.add(raw, art) is False
    assert store.count() == 1
    got = store.get(art.id)
    assert got == art
    assert store.raw(art.id).content == raw.content


def test_store_same_content_two_sources(store: Store) -> None:
    raw, art = _doc("Titre\nTexte identique.", "a.txt")
    store.add(raw, art)
    raw2 = RawDocument(source="b.txt", format="text", content=raw.content)
    assert raw2.id == raw.id
    store.add_source(raw2.id, raw2.source)
    assert store.sources(art.id) == ["a.txt", "b.txt"]
    assert store.count() == 1


def test_store_search_accent_insensitive(store: Store) -> None:
    store.add(*_doc("Otan\nLes diplomates russes ont été expulsés par l'Alliance."))
    store.add(*_doc("Météo\nIl pleuvra demain sur la Bretagne.", "b.txt"))
    hits = store.search("expulses diplomates")
    assert [a.title for a, _ in hits] == ["Otan"]
    assert "[" in hits[0][1]
    assert store.search('"unbalanced') == []
    assert store.search("   ") == []


def test_store_get_by_prefix_and_missing(store: Store) -> None:
    raw, art = _doc("Titre\nCorps.")
    store.add(raw, art)
    assert store.get(art.id[:8]).id == art.id
    with pytest.raises(NotFoundError):
        store.get("ffffffffffff")


def test_store_atomic_rolls_back_whole_article(store: Store) -> None:
    _raw, _art = _doc("Titre\nCorps.")
    with pytest.raises(RuntimeError), store.atomic() as conn:
        conn.execute("INSERT INTO raw VALUES ('x', 's', 'text', 'c', '{}', 'now')")
        raise RuntimeError("crash mid-article")
    assert store.conn.execute("SELECT COUNT(*) FROM raw").fetchone()[0] == 0


def test_store_update_article_refreshes_fts(store: Store) -> None:
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
