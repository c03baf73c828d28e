"""The server never computes on GET: while a story's details are being made, every route that shows them answers
at once with what exists and says the rest is coming (issue 18)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from pagewait import ready
from vigie import stories
from vigie.serve import create_app
from vigie.store import Store
from vigie.understand.views import StoryDetail

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vigie.pipeline import ingest

    db = tmp_path_factory.mktemp("pending") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        stories.update_stories(store)
    return db


class Held:
    """A story stage that makes details only when released, counting its calls."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []

    def __call__(self, store: Any, story_id: str, **_: Any) -> StoryDetail:
        self.calls.append(story_id)
        assert self.release.wait(120), "never released"
        return replace(StoryDetail.bare(stories.get_story(store, story_id)), headline="Fait", summary="Résumé fait.")


@pytest.fixture(scope="module")
def analysed(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds as `vigie ingest` leaves them: each article analysed (entities, quotes), no story details yet."""
    pytest.importorskip("spacy")
    from vigie.understand.stage import understand_new

    db = tmp_path_factory.mktemp("analysed") / "seeds.db"
    with Store(seeded) as src, Store(db) as dst:
        src.conn.backup(dst.conn)
    with Store(db) as store:
        assert understand_new(store, list(store.known_ids())) > 0
    return db


@pytest.fixture
def held(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str, Held]]:
    yield from _held(seeded, tmp_path, monkeypatch)


@pytest.fixture
def held_analysed(analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str, Held]]:
    yield from _held(analysed, tmp_path, monkeypatch)


def _held(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str, Held]]:
    copy = tmp_path / "v.db"
    with Store(db) as src, Store(copy) as dst:
        src.conn.backup(dst.conn)
    with Store(copy) as store:
        sid = max(stories.list_stories(store), key=lambda v: len(v.articles)).id
    stage = Held()
    monkeypatch.setattr(stories, "story_detail", stage, raising=False)
    with TestClient(create_app(str(copy), token=None)) as c:
        try:
            yield c, sid, stage
        finally:
            stage.release.set()


def test_serve_pending_api_story_answers_202_with_the_view(held: tuple[TestClient, str, Held]) -> None:
    c, sid, stage = held
    r = c.get(f"/api/stories/{sid}")
    assert r.status_code == 202 and r.headers["retry-after"].isdigit()
    body = r.json()
    assert body["status"] == "pending" and body["id"] == sid
    assert body["articles"] and body["outlets"]  # what the store has
    assert body["headline"] is None and body["summary"] is None and body["quotes"] == []  # what is being made
    stage.release.set()
    done = ready(c, f"/api/stories/{sid}")
    assert done.status_code == 200 and "retry-after" not in done.headers
    after = done.json()
    assert after["status"] == "ready" and after["headline"] == "Fait"
    assert after.keys() == body.keys()  # one shape, pending or not
    assert stage.calls == [sid]


def test_serve_pending_markdown_is_a_short_202(held: tuple[TestClient, str, Held]) -> None:
    c, sid, stage = held
    r = c.get(f"/stories/{sid}.md")
    assert r.status_code == 202 and r.headers["retry-after"].isdigit()
    assert "content-disposition" not in r.headers  # no file download of a half-made story
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.text.startswith("# ") and "Résumé en cours…" in r.text
    stage.release.set()
    done = ready(c, f"/stories/{sid}.md")
    assert done.status_code == 200 and done.headers["content-disposition"].startswith("attachment;")
    assert done.text.startswith("# Fait") and "Résumé fait." in done.text


def test_serve_pending_print_sheet_shows_sources_and_reloads(held: tuple[TestClient, str, Held]) -> None:
    c, sid, stage = held
    r = c.get(f"/stories/{sid}/imprimer?lang=en")
    assert r.status_code == 202 and r.headers["retry-after"].isdigit()
    assert 'class="pending' in r.text and "Summary in progress…" in r.text
    assert '<meta http-equiv="refresh"' in r.text and '<li id="src-1">' in r.text
    stage.release.set()
    done = ready(c, f"/stories/{sid}/imprimer")
    assert done.status_code == 200 and "pending" not in done.text and "refresh" not in done.text
    assert "Résumé fait." in done.text


def test_serve_pending_story_feed_never_needs_details(held: tuple[TestClient, str, Held]) -> None:
    c, sid, stage = held
    r = c.get(f"/feeds/stories/{sid}.atom")
    assert r.status_code == 200 and r.text.count("<entry>") >= 2
    assert stage.calls == []  # the feed is the story's articles: nothing to compute


def test_serve_pending_failed_details_say_so(held: tuple[TestClient, str, Held],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    c, sid, _ = held

    def broken(store: Any, story_id: str, **_: Any) -> StoryDetail:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(stories, "story_detail", broken, raising=False)
    r = ready(c, f"/api/stories/{sid}")
    assert r.status_code == 200 and r.json()["status"] == "failed" and r.json()["articles"]
    assert ready(c, f"/stories/{sid}.md").status_code == 200  # the view alone, as a file


def test_serve_pending_entity_reads_the_article_index(held_analysed: tuple[TestClient, str, Held]) -> None:
    """An entity in a story whose details are not made yet: the page's data come from the article index at once,
    the story is marked pending, and nothing is computed for it."""
    c, sid, stage = held_analysed
    r = c.get("/api/entities/dmitri-peskov")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "pending"
    story = next(s for s in body["stories"] if s["id"] == sid)
    assert story["status"] == "pending" and story["articles"] >= 1 and story["mentions"] >= 1
    assert stage.calls == []  # read, not computed


def test_serve_pending_export_marks_stories_without_details(held: tuple[TestClient, str, Held]) -> None:
    c, sid, stage = held
    r = c.get("/api/export", params={"what": "stories", "format": "jsonl"})
    assert r.status_code == 200 and int(r.headers["vigie-pending-stories"]) >= 1
    rows = [json.loads(line) for line in r.text.splitlines() if line.strip()]
    assert any(row["id"] == sid and row["details"] == "pending" for row in rows)
    assert stage.calls == []


def test_reindex_rebuilds_the_entity_index_of_analyses_kept_before_it(analysed: Path, tmp_path: Path) -> None:
    """A store whose analyses were written before the entity index (schema 9) gets its entity pages back from
    `vigie reprocess` without re-parsing: the rows come from the kept analyses."""
    from vigie.understand.stage import reindex

    copy = tmp_path / "old.db"
    with Store(analysed) as src, Store(copy) as dst:
        src.conn.backup(dst.conn)
    with Store(copy) as store:
        before = sorted(tuple(r) for r in store.conn.execute("SELECT * FROM article_entities"))
        assert before
        store.conn.execute("DELETE FROM article_entities")
        store.conn.commit()
        assert store.entity_mentions("otan") == []
        assert reindex(store) == len(store.analyses(list(store.known_ids())))
        after = sorted(tuple(r) for r in store.conn.execute("SELECT * FROM article_entities"))
    assert after == before
