"""The JSON API of ``vigie serve``: every route, the one error shape (pinned), auth, limits, pagination, filters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner
from fastapi.testclient import TestClient

from pagewait import ready
from vigie import stories
from vigie.pipeline import ingest
from vigie.serve import SECURITY_HEADERS, create_app
from vigie.serve.i18n import STRINGS, negotiate
from vigie.store import Store
from vigie.understand.views import StoryDetail

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the seeds, placed in stories (built once: clustering loads a model)."""
    db = tmp_path_factory.mktemp("api") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
        stories.update_stories(store)
    return db


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store, so writes in one test do not leak into another."""
    copy = tmp_path / "v.db"
    with Store(seeded) as src, Store(copy) as dst:
        src.conn.backup(dst.conn)
    return copy


def fake_detail(store: Store, story_id: str, **_: Any) -> StoryDetail:
    """A story with every optional key, as the story stage gives it (fast: no analysis)."""
    view = stories.get_story(store, story_id)
    ids = view.article_ids
    detail = _fake(view, ids)
    # As the story stage does: the entity index is written with the details (the entity page reads only it).
    store.cache_story(story_id, "fake", "{}", stories.entity_rows(detail))
    return detail


def _fake(view: Any, ids: list[str]) -> StoryDetail:
    return StoryDetail.from_dict({
        **view.to_dict(),
        "headline": "Moscou suspend sa mission à l'Otan",
        "summary": "La Russie suspend sa mission. Jens Stoltenberg regrette.",
        "sentences": [{"text": "La Russie suspend sa mission.", "sources": ids[:2]},
                      {"text": "Jens Stoltenberg regrette.", "sources": ids[-1:]}],
        "entities": [{"name": "Jens Stoltenberg", "type": "PER", "count": 4}, {"name": "Otan", "type": "ORG", "count": 9}],
        "quotes": [{"speaker": "Jens Stoltenberg", "text": "Nous regrettons cette décision", "article": ids[0]},
                   {"speaker": "Sergueï Lavrov", "text": "Il n'y avait rien à rompre", "article": ids[-1]}],
        "timeline": [{"date": "2021-10-18", "precision": "day", "text": "La Russie suspend sa mission", "sources": ids},
                     {"date": "2014", "precision": "year", "text": "Annexion de la Crimée", "sources": ids[:1]}],
        "political_events": [{"actor": "Russie", "action": "REDUCE_RELATIONS", "target": "Otan",
                              "text": "La Russie suspend sa mission", "date": "2021-10-18", "article": ids[0]}],
        "disagreements": [{"about": "date", "values": [{"value": "2021-10-05", "sources": ids[:1]},
                                                       {"value": "2021-10-07", "sources": ids[1:2]}]}],
        "coverage": {
            "outlets": [{"name": o, "country": "FR", "owner": None, "state_affiliated": False, "first": None,
                         "articles": ids[:1]} for o in view.outlets],
            "facts": [{"kind": "quote", "label": "Jens Stoltenberg: Nous regrettons", "outlets": view.outlets[:1]}],
            "only": {view.outlets[0]: ["Jens Stoltenberg: Nous regrettons"]},
            "missing": {},
        },
    })


@pytest.fixture
def client(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("VIGIE_TOKEN", raising=False)
    monkeypatch.setattr(stories, "story_detail", fake_detail)
    with TestClient(create_app(str(db), token=None)) as c:
        yield c


@pytest.fixture
def story_id(client: TestClient) -> str:
    sid: str = client.get("/api/stories").json()["items"][0]["id"]
    return sid


# -- the error shape ------------------------------------------------------------------------------------------


def test_serve_api_error_shape_404_pinned(client: TestClient) -> None:
    r = client.get("/api/stories/nope")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"error": {"status": 404, "code": "not_found", "message": "no story nope"}}
    assert client.get("/api/articles/0000000000000000").json() == {
        "error": {"status": 404, "code": "not_found", "message": "no article 0000000000000000"}}
    assert client.get("/api/no-such-route").json() == {
        "error": {"status": 404, "code": "not_found", "message": "no route /api/no-such-route"}}


def test_serve_api_error_shape_403_pinned(client: TestClient) -> None:
    r = client.post("/api/articles", json={"text": "x"})
    assert r.status_code == 403
    assert r.json() == {"error": {"status": 403, "code": "forbidden",
                                  "message": "writes are disabled: start the server with VIGIE_TOKEN set to allow them"}}


def test_serve_api_error_shape_validation_and_method(client: TestClient) -> None:
    r = client.get("/api/stories?limit=0")
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == 422 and body["error"]["code"] == "invalid_request"
    assert "limit" in body["error"]["message"]
    r = client.delete("/api/stories")
    assert r.json() == {"error": {"status": 405, "code": "method_not_allowed", "message": "Method Not Allowed"}}
    r = client.get("/api/stories?since=2021-10-20&until=2021-10-01")
    assert r.json() == {"error": {"status": 400, "code": "invalid_request",
                                  "message": "since (2021-10-20) is after until (2021-10-01)"}}


def test_serve_api_ids_are_validated(client: TestClient) -> None:
    for bad in ("..%2F..%2Fetc%2Fpasswd", "a%20b", "x" * 200, "%3Cscript%3E"):
        r = client.get(f"/api/stories/{bad}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    assert client.get("/api/entities/Not_A_Slug").status_code == 404


def test_serve_api_security_headers(client: TestClient) -> None:
    for path in ("/api/stories", "/api/stories/nope", "/", "/docs"):
        r = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value, (path, name)
    csp = SECURITY_HEADERS["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


# -- stories --------------------------------------------------------------------------------------------------


def test_serve_api_stories_lists_the_seed_story(client: TestClient) -> None:
    body = client.get("/api/stories").json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert body["total"] >= 1 and (body["limit"], body["offset"]) == (20, 0)
    top = body["items"][0]
    assert "Sputnik France" in top["outlets"]
    assert len(top["articles"]) >= 3


def test_serve_api_stories_pagination(client: TestClient) -> None:
    total = client.get("/api/stories").json()["total"]
    first = client.get("/api/stories?limit=1&offset=0").json()
    assert len(first["items"]) == 1 and first["total"] == total and first["limit"] == 1
    beyond = client.get(f"/api/stories?limit=5&offset={total}").json()
    assert beyond["items"] == [] and beyond["offset"] == total
    all_ids = [s["id"] for s in client.get("/api/stories?limit=500").json()["items"]]
    paged = [client.get(f"/api/stories?limit=1&offset={i}").json()["items"][0]["id"] for i in range(total)]
    assert paged == all_ids


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("since=2021-10-10", True), ("since=2021-10-22", False), ("until=2021-10-06", False),
        ("since=2021-10-01&until=2021-10-31", True), ("language=fr", True), ("language=en", False),
        ("outlet=sputnik%20france", True), ("outlet=Nowhere%20Times", False), ("q=Stoltenberg", True),
        ("q=zzzqqqxxx", False),
    ],
)
def test_serve_api_stories_filters(client: TestClient, story_id: str, query: str, found: bool) -> None:
    ids = [s["id"] for s in client.get(f"/api/stories?{query}").json()["items"]]
    assert (story_id in ids) is found


def test_serve_api_story_is_the_cli_story_json(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``GET /api/stories/{id}`` gives what ``vigie story ID --json`` prints (the real story stage)."""
    from vigie.cli import main

    monkeypatch.delenv("VIGIE_TOKEN", raising=False)
    with TestClient(create_app(str(db), token=None)) as c:
        sid = c.get("/api/stories").json()["items"][0]["id"]
        api = ready(c, f"/api/stories/{sid}").json()
        by_prefix = ready(c, f"/api/stories/{sid[:8]}").json()
    assert api.pop("status") == "ready"  # the one key the CLI does not print: the API never waits for details
    out = CliRunner().invoke(main, ["story", sid, "--json", "--db", str(db)])
    assert out.exit_code == 0, out.output
    cli = json.loads(out.output)
    from vigie.export import public_source  # the server shows file names, never its own paths (issue 13)

    cli["articles"] = [{**a, "source": public_source(a["source"])} for a in cli["articles"]]
    assert api == cli
    assert by_prefix["id"] == sid
    assert api["articles"] and api["outlets"]


def test_serve_api_story_detail_keys(client: TestClient, story_id: str) -> None:
    body = ready(client, f"/api/stories/{story_id}").json()
    assert body["status"] == "ready"
    for key in ("headline", "summary", "sentences", "entities", "quotes", "timeline", "coverage", "disagreements"):
        assert key in body


# -- articles, search, entities, outlets ---------------------------------------------------------------------


def test_serve_api_article(client: TestClient, story_id: str) -> None:
    aid = client.get(f"/api/stories/{story_id}").json()["articles"][0]["id"]
    body = client.get(f"/api/articles/{aid}").json()
    assert body["id"] == aid and body["story"] == story_id
    # File names only: the server's own paths are not for its readers (issue 13).
    assert body["sources"] and body["sources"][0].endswith(".txt") and "/" not in body["sources"][0]
    assert body["body"]
    assert client.get(f"/api/articles/{aid[:8]}").json()["id"] == aid  # a unique prefix is enough


def test_serve_api_search(client: TestClient, story_id: str) -> None:
    body = client.get("/api/search?q=Stoltenberg%20Guerre%20Froide").json()
    assert body["total"] == 1
    hit = body["items"][0]
    assert hit["outlet"] == "Xinhua French" and hit["story"] == story_id and hit["snippet"]
    assert any(s["match"] for s in hit["snippet_segments"]) and "[" not in hit["snippet"]
    assert body["facets"]["outlet"] == [{"value": "Xinhua French", "count": 1}]
    assert body["facets"]["story"] == [{"value": story_id, "count": 1, "title": body["facets"]["story"][0]["title"]}]
    empty = client.get("/api/search?q=zzzqqqxxx").json()
    assert (empty["q"], empty["items"], empty["total"]) == ("zzzqqqxxx", [], 0)
    assert empty["facets"] == {"outlet": [], "language": [], "month": [], "story": []}
    assert client.get("/api/search").status_code == 422


def test_serve_api_entity(client: TestClient, story_id: str) -> None:
    assert ready(client, f"/api/stories/{story_id}").status_code == 200  # an entity page reads stored details only
    body = client.get("/api/entities/jens-stoltenberg").json()
    assert body["name"] == "Jens Stoltenberg" and body["types"] == ["PER"]
    assert [s["id"] for s in body["stories"]] == [story_id]
    assert body["stories"][0]["mentions"] == 4
    assert [q["text"] for q in body["quotes"]] == ["Nous regrettons cette décision"]
    speaker_only = client.get("/api/entities/serguei-lavrov").json()  # quoted, never listed as an entity
    assert speaker_only["name"] == "Sergueï Lavrov" and len(speaker_only["quotes"]) == 1
    assert client.get("/api/entities/nobody-at-all").json() == {
        "error": {"status": 404, "code": "not_found", "message": "no entity nobody-at-all"}}


def test_serve_api_outlets(client: TestClient) -> None:
    body = client.get("/api/outlets").json()
    by_name = {o["name"]: o for o in body["items"]}
    assert body["total"] == len(body["items"]) > 10  # the whole registry
    sputnik = by_name["Sputnik France"]
    assert sputnik["articles"] >= 1 and sputnik["state_affiliated"] is True and sputnik["country"] == "RU"
    present = client.get("/api/outlets?present=true").json()["items"]
    assert present and all(o["articles"] + o["reprints"] > 0 for o in present)  # Le Point: reprinted only
    with Store(client.app.state.data.path) as store:  # type: ignore[attr-defined]
        assert sum(o["articles"] for o in present) == sum(1 for a in store.articles() if a.outlet)


def test_serve_api_outlet(client: TestClient) -> None:
    body = client.get("/api/outlets/sputnik-france").json()
    assert body["name"] == "Sputnik France" and body["registered"] is True
    assert body["per_period"]["unit"] == "day"
    assert sum(c["articles"] for c in body["per_period"]["counts"]) == body["articles"] == len(body["recent"])
    assert client.get("/api/outlets/no-such-outlet").status_code == 404


# -- exports --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "ctype"),
    [("csv", "text/csv; charset=utf-8"), ("jsonl", "application/x-ndjson"), ("parquet", "application/vnd.apache.parquet")],
)
def test_serve_api_export_content_type_and_filename(client: TestClient, fmt: str, ctype: str) -> None:
    r = client.get(f"/api/export?format={fmt}&what=articles")
    assert r.status_code == 200
    assert r.headers["content-type"] == ctype
    assert r.headers["content-disposition"] == f'attachment; filename="vigie-articles.{fmt}"'
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == 5 and json.loads(rows[0]["sources"])
    elif fmt == "jsonl":
        assert len(r.text.splitlines()) == 5
    else:
        pq = pytest.importorskip("pyarrow.parquet")
        assert pq.read_table(io.BytesIO(r.content)).num_rows == 5


def test_serve_api_export_tables(client: TestClient, story_id: str) -> None:
    first = client.get("/api/export?format=jsonl&what=stories")  # details not made yet: exported without them
    assert first.headers["vigie-pending-stories"] == "1"
    assert [json.loads(line)["details"] for line in first.text.splitlines()] == ["pending"]
    assert ready(client, f"/api/stories/{story_id}").status_code == 200
    quotes = [json.loads(line) for line in client.get("/api/export?format=jsonl&what=quotes").text.splitlines()]
    assert {q["speaker"] for q in quotes} == {"Jens Stoltenberg", "Sergueï Lavrov"}
    assert all(q["story"] == story_id for q in quotes)
    timeline = client.get("/api/export?format=csv&what=timeline").text.splitlines()
    assert timeline[0] == "story,date,precision,text,sources" and len(timeline) == 3
    st = client.get("/api/export?format=jsonl&what=stories").text.splitlines()
    assert json.loads(st[0])["headline"] == "Moscou suspend sa mission à l'Otan"
    r = client.get("/api/export?format=xml&what=articles")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


# -- writes ---------------------------------------------------------------------------------------------------

ARTICLE = {
    "title": "Éruption du Piton de la Fournaise",
    "text": "SAINT-DENIS, 3 mars -- Le Piton de la Fournaise est entré en éruption dimanche matin, a indiqué "
            "l'observatoire volcanologique. La lave s'écoule dans l'enclos, loin des habitations, et la route des "
            "laves reste ouverte. Les autorités demandent aux randonneurs de ne pas s'approcher du volcan.",
    "url": "https://example.org/volcan",
    "published": "2024-03-03T09:00:00+04:00",
    "source": "test-suite",
}


def test_serve_api_post_needs_the_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_TOKEN", TOKEN)
    with TestClient(create_app(str(db), token=None)) as c:
        no_header = c.post("/api/articles", json=ARTICLE)
        wrong = c.post("/api/articles", json=ARTICLE, headers={"Authorization": "Bearer nope"})
        basic = c.post("/api/articles", json=ARTICLE, headers={"Authorization": f"Basic {TOKEN}"})
        bad_json_no_token = c.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"})
    expected = {"error": {"status": 403, "code": "forbidden",
                          "message": "missing or wrong token: send 'Authorization: Bearer <token>'"}}
    for r in (no_header, wrong, basic, bad_json_no_token):
        assert r.status_code == 403 and r.json() == expected


def test_serve_api_post_ingests_and_places_the_article(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_TOKEN", TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(str(db), token=None)) as c:
        before = c.get("/api/stories").json()["total"]
        r = c.post("/api/articles", json=ARTICLE, headers=auth)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["new"] is True and created["story"]
        art = c.get(f"/api/articles/{created['id']}").json()
        assert art["title"] == ARTICLE["title"] and art["sources"] == ["test-suite"]
        assert art["published"].startswith("2024-03-03")
        listed = c.get("/api/stories?q=Fournaise").json()
        assert [s["id"] for s in listed["items"]] == [created["story"]]
        assert c.get("/api/stories").json()["total"] == before + 1
        again = c.post("/api/articles", json=ARTICLE, headers=auth)
        assert again.status_code == 200 and again.json() == {**created, "new": False}


def test_serve_api_post_news_please_record(db: Path) -> None:
    record = {"maintext": ARTICLE["text"], "title": "Volcan", "date_publish": "2024-03-03 09:00:00",
              "source_domain": "www.francetvinfo.fr", "language": "fr", "authors": ["A. B."]}
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        r = c.post("/api/articles", json=record, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text
        art = c.get(f"/api/articles/{r.json()['id']}").json()
    assert art["title"] == "Volcan" and art["authors"] == ["A. B."] and art["sources"] == ["api"]


def test_serve_api_post_invalid_bodies(db: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        empty = c.post("/api/articles", json={"title": "only a title"}, headers=auth)
        assert empty.status_code == 400
        assert empty.json() == {"error": {"status": 400, "code": "invalid_input", "message":
                                          "api: no article text (expected maintext, text, body, content or html)"}}
        broken = c.post("/api/articles", content=b"{not json", headers=auth)
        assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_request"
        typed = c.post("/api/articles", json={"text": 42}, headers=auth)
        assert typed.status_code == 422 and typed.json()["error"]["message"].startswith("text:")


def test_serve_api_413_pinned(db: Path) -> None:
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        auth = {"Authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
        r = c.post("/api/articles", content=b"x" * (5 * 1024 * 1024 + 1), headers=auth)
        assert r.status_code == 413
        assert r.json() == {"error": {"status": 413, "code": "too_large",
                                      "message": "request body over the 5 MB limit"}}
        assert r.headers["x-frame-options"] == "DENY"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            for _ in range(6):
                yield b"x" * (1024 * 1024)

        r = c.post("/api/articles", content=chunks(), headers=auth)
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


# -- docs, i18n -----------------------------------------------------------------------------------------------


def test_serve_api_openapi_and_offline_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/articles/{article_id}", "/api/search",
                 "/api/entities/{entity_id}", "/api/outlets", "/api/export", "/api/articles"):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/articles"]
    assert "requestBody" in schema["paths"]["/api/articles"]["post"]
    undocumented = [f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m, op in ops.items() if not op.get("summary")]
    assert undocumented == []
    assert not [p for p in schema["paths"] if not p.startswith("/api/")]  # pages stay out of the API schema
    docs = client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "/api/stories/{story_id}" in docs.text and "openapi.json" in docs.text
    assert "cdn" not in docs.text.lower() and "<script src=\"http" not in docs.text
    assert client.get("/redoc").status_code == 404


def test_serve_api_i18n_tables_match_and_negotiate() -> None:
    assert set(STRINGS["fr"]) == set(STRINGS["en"])
    assert negotiate(None, None, None, "fr") == "fr"
    assert negotiate("en", "fr", "fr-FR", "fr") == "en"
    assert negotiate(None, "en", "fr-FR", "fr") == "en"
    assert negotiate(None, None, "de-DE,en;q=0.8,fr;q=0.5", "fr") == "en"
    assert negotiate(None, None, "fr-CH, fr;q=0.9, en;q=0.8", "en") == "fr"
    assert negotiate(None, None, "de, es", "fr") == "fr"
    assert negotiate("xx", None, "en;q=abc", "fr") == "fr"


def test_serve_api_create_app_checks_arguments(tmp_path: Path) -> None:
    from vigie.errors import VigieError

    with pytest.raises(VigieError, match="lang must be 'fr' or 'en'"):
        create_app(str(tmp_path / "v.db"), token=None, lang="de")
