"""The PostgreSQL store end to end: the story stage on both back ends, two processes at once, the server, and every
`vigie` command with ``--db postgresql://...`` giving what it gives on SQLite.

PostgreSQL comes from tests/pg.py ($VIGIE_TEST_PG or a throwaway cluster); without one these tests skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pagewait import ready
from pg import BACKENDS, backend_store, fresh_database
from vigie.cli import main
from vigie.pipeline import ingest
from vigie.store import ArticleStore, open_store
from vigie.stories import get_story, list_stories, update_stories
from vigie.stories.views import StoryView

pytest.importorskip("psycopg")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[ArticleStore]:
    with backend_store(request.param) as s:
        yield s


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def _partition(store: ArticleStore) -> set[frozenset[str]]:
    return {frozenset(Path(a.source).name for a in s.articles) for s in list_stories(store)}


def test_store_backends_story_stage(store: ArticleStore) -> None:
    ingest(store, [str(SEEDS)])
    assert update_stories(store).placed == 5
    (s,) = list_stories(store)
    assert len(s.articles) == 5 and s.first_published == "2021-10-07T12:22:00+02:00"
    assert get_story(store, s.articles[0].id).id == s.id
    again = ingest(store, [str(SEEDS)])
    assert again.new == 0 and update_stories(store).placed == 0
    assert list_stories(store) == [s]


def test_store_backends_recluster(store: ArticleStore) -> None:
    """Regrouping from the saved state works on both back ends and round-trips: strict options (calibrated probabilities: 0.9999) split the seeds,
    the defaults join them again."""
    from dataclasses import replace

    from vigie.stories import recluster_stories
    from vigie.stories.cluster import ClusterOptions

    ingest(store, [str(SEEDS)])
    update_stories(store)
    strict = replace(ClusterOptions(), story_threshold=0.9999, attach_threshold=0.9999)
    assert recluster_stories(store, strict) > 0 and len(list_stories(store)) > 1
    assert recluster_stories(store) > 0 and len(list_stories(store)) == 1
    assert recluster_stories(store) == 0


def test_store_backends_same_stories(pg_url: str, tmp_path: Path) -> None:
    """Both back ends give the same stories, also when the second half arrives in a later process."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for i, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        (first if i % 2 else second).joinpath(p.name).write_bytes(p.read_bytes())
    views: dict[str, list[list[StoryView]]] = {}
    for db in (str(tmp_path / "v.db"), pg_url):
        with open_store(db) as s:
            ingest(s, [str(first)])
            update_stories(s)
        with open_store(db) as s:  # the clusterer state survives a new process
            ingest(s, [str(second)])
            update_stories(s)
            later = list_stories(s)
            assert _partition(s) == {frozenset(p.name for p in SEEDS.glob("*.txt"))}
            s.reset_stories()
            update_stories(s)
            views[db] = [later, list_stories(s)]
    assert views[pg_url] == views[str(tmp_path / "v.db")]


def test_store_pg_two_writers_place_each_article_once(pg_url: str) -> None:
    """Two processes running the story stage at once: the advisory lock makes the second wait, then find nothing."""
    with open_store(pg_url) as s:
        ingest(s, [str(SEEDS)])
    reports: list[int] = []
    errors: list[BaseException] = []

    def place() -> None:
        try:
            with open_store(pg_url) as s:
                reports.append(update_stories(s).placed)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=place) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(reports) == [0, 5]
    with open_store(pg_url) as s:
        assert s.count_unplaced() == 0 and len(s.placements()) == 5
        assert len(list(s.dedup_rows())) == 5


def test_store_pg_serve(pg_url: str) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from vigie.serve import create_app

    with open_store(pg_url) as s:
        ingest(s, [str(SEEDS)])
        update_stories(s)
    with TestClient(create_app(pg_url, token="t")) as client:
        body = client.get("/api/stories").json()
        assert len(body["items"]) == 1
        sid = body["items"][0]["id"]
        assert ready(client, f"/api/stories/{sid[:10]}").status_code == 200
        hits = client.get("/api/search", params={"q": "Skripal"}).json()["items"]
        assert hits and all(h["story"] == sid for h in hits)
        sputnik = client.get("/api/outlets/sputnik-france").json()
        assert sputnik["articles"] == len(sputnik["recent"]) >= 1
        doc = {"text": "Titre neuf\n\n" + "Le Parlement européen a voté mardi une résolution sur l'Otan. " * 5,
               "source": "post"}
        res = client.post("/api/articles", json=doc, headers={"Authorization": "Bearer t"})
        assert res.status_code in (200, 201), res.text
        assert client.get(f"/api/articles/{res.json()['id']}").status_code == 200


# -- the command line ------------------------------------------------------------------------------------------


def _run(runner: CliRunner, *args: str) -> Any:
    res = runner.invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res.output


@pytest.mark.slow
def test_cli_postgres_same_as_sqlite(pg_url: str, tmp_path: Path) -> None:
    """`vigie ingest` (the real executable) then every reading command: the same answers on both back ends."""
    lite = str(tmp_path / "v.db")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for db in (lite, pg_url):
        proc = subprocess.run([sys.executable, "-m", "vigie.cli", "ingest", str(SEEDS), "--db", db],
                              capture_output=True, text=True, env=env, check=False, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("read 5, new 5, duplicate 0, failed 0; 5 placed in stories")
    runner = CliRunner()
    out: dict[str, dict[str, Any]] = {}
    for name, db in (("sqlite", lite), ("postgres", pg_url)):
        o: dict[str, Any] = {}
        o["articles"] = json.loads(_run(runner, "articles", "--db", db, "--json"))
        o["article"] = json.loads(_run(runner, "article", o["articles"][0]["id"][:8], "--db", db, "--json"))
        o["stories"] = json.loads(_run(runner, "stories", "--db", db, "--json"))
        o["search"] = json.loads(_run(runner, "search", "Skripal", "--db", db, "--json"))
        o["story"] = json.loads(_run(runner, "story", o["stories"][0]["id"][:8], "--db", db, "--json"))
        o["export"] = _run(runner, "export", "--db", db, "--format", "csv")
        o["reprocess"] = _run(runner, "reprocess", "--db", db)
        out[name] = o
    lite_o, pg_o = out["sqlite"], out["postgres"]
    for key in ("articles", "article", "stories", "story", "export", "reprocess"):
        assert pg_o[key] == lite_o[key], key
    # Same hits, facets and snippets (terms and snippets are computed in Python); scores are each engine's own
    # (bm25 vs ts_rank).
    assert lite_o["search"]["total"] and pg_o["search"]["total"] == lite_o["search"]["total"]
    assert pg_o["search"]["facets"] == lite_o["search"]["facets"]
    snips = {o: {h["id"]: h["snippet_segments"] for h in out[o]["search"]["hits"]} for o in ("sqlite", "postgres")}
    assert snips["postgres"] == snips["sqlite"]
    assert any({"text": "Skripal", "match": True} in h["snippet_segments"] for h in pg_o["search"]["hits"])


def test_cli_postgres_bad_url_is_one_line() -> None:
    res = CliRunner().invoke(main, ["articles", "--db", "postgresql://me:hunter2@127.0.0.1:1/nowhere"])
    assert res.exit_code == 1
    assert "cannot connect to PostgreSQL" in res.output and "hunter2" not in res.output
    assert "me:***@127.0.0.1:1/nowhere" in res.output


def test_cli_postgres_alerts_same_as_sqlite(pg_url: str, tmp_path: Path) -> None:
    """`vigie alert add/list/remove` give the same lines on both back ends (the alerts table is a migration)."""
    runner = CliRunner()
    out: dict[str, list[str]] = {}
    for name, db in (("sqlite", str(tmp_path / "v.db")), ("postgres", pg_url)):
        lines = [
            _run(runner, "alert", "add", "Otan Russie", "--db", db),
            _run(runner, "alert", "add", "peskov", "--webhook", "https://hooks.example.org/x", "--db", db),
            _run(runner, "alert", "remove", "1", "--db", db),
            _run(runner, "alert", "add", "kremlin", "--db", db),
            _run(runner, "alert", "list", "--db", db),
        ]
        listed = json.loads(_run(runner, "alert", "list", "--json", "--db", db))
        assert all(a.pop("created_at") for a in listed)
        out[name] = [*lines, json.dumps(listed)]
        res = runner.invoke(main, ["alert", "remove", "1", "--db", db])
        assert res.exit_code == 1 and "no alert 1" in res.output
    assert out["postgres"] == out["sqlite"]
    assert out["sqlite"][2:5] == ["alert 1 removed\n", 'alert 3 saved: "kremlin"\n',
                                  '   2  "peskov"  -> https://hooks.example.org/x\n   3  "kremlin"\n2 alerts\n']
