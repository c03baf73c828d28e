"""Saved searches in the interface (/alertes and /api/alerts) and the Atom feeds of saved searches and stories."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from vigie import stories
from vigie.alerts import add_alert, recent_matches
from vigie.atom import AtomEntry, AtomFeed, instant, rfc3339
from vigie.models import Article, RawDocument
from vigie.pipeline import ingest
from vigie.serve import create_app
from vigie.store import Store

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Otan \x00\x07\x1b[2J ]]> <script>alert(1)</script> & \ufffe fin"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "v.db"
    with Store(path) as store:
        ingest(store, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
        raw = RawDocument(source="evil.txt", format="text", content="hostile")
        store.add(raw, Article(id=raw.id, source="evil.txt", title=HOSTILE, body=f"Le texte {HOSTILE} de l'Otan.",
                               url="javascript:alert(1)", outlet="Evil <b>", language="fr",
                               published="2024-01-02T10:00:00"))  # fmt: skip
        stories.update_stories(store)
        add_alert(store, "Otan")
        add_alert(store, '"rien à rompre"')
    return path


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        yield c


def _feed(resp_text: bytes) -> ET.Element:
    root = ET.fromstring(resp_text)
    assert root.tag == f"{A}feed"
    return root


def _check_atom(root: ET.Element) -> None:
    """What RFC 4287 requires of every feed and entry: id, title, updated (RFC 3339), an author somewhere."""
    for node in (root, *root.findall(f"{A}entry")):
        assert (node.findtext(f"{A}id") or "").strip()
        assert node.find(f"{A}title") is not None
        updated = node.findtext(f"{A}updated") or ""
        assert rfc3339(updated) == updated, updated
    assert root.find(f"{A}author/{A}name") is not None


def test_feeds_alert_feed_lists_matching_articles(client: TestClient, db: Path) -> None:
    resp = client.get("/feeds/alerts/1.atom")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = _feed(resp.content)
    _check_atom(root)
    assert root.findtext(f"{A}id") == "urn:vigie:alert:1"
    assert "Otan" in (root.findtext(f"{A}title") or "")
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "http://testserver/feeds/alerts/1.atom"
    entries = root.findall(f"{A}entry")
    with Store(db) as store:
        expected = recent_matches(store, store.alerts()[:1], limit=50)[1].articles
    assert [e.findtext(f"{A}id") for e in entries] == [f"urn:vigie:article:{a.id}" for a in expected]
    assert len(entries) >= 5  # the seeds all speak of the Otan, and so does the hostile article
    dates = [e.findtext(f"{A}updated") or "" for e in entries]
    assert dates[0] == "2024-01-02T10:00:00Z"  # newest first; a time without an offset is read as UTC
    # The feed's updated is its newest entry's.
    assert root.findtext(f"{A}updated") == "2024-01-02T10:00:00Z"


def test_feeds_hostile_text_stays_text(client: TestClient) -> None:
    raw = client.get("/feeds/alerts/1.atom").content
    assert b"<script>" not in raw and b"\x00" not in raw and b"\x1b" not in raw
    root = _feed(raw)  # parses: the control characters XML forbids were dropped, the rest escaped
    evil = next(e for e in root.findall(f"{A}entry") if "script" in (e.findtext(f"{A}title") or ""))
    assert evil.findtext(f"{A}title") == "Otan [2J ]]> <script>alert(1)</script> &  fin"
    # A javascript: URL is never a link: the entry points at its Vigie page instead.
    links = [ln.get("href") for ln in evil.findall(f"{A}link")]
    assert links and all(h and h.startswith("http://testserver/articles/") for h in links)
    assert evil.findtext(f"{A}author/{A}name") == "Evil <b>"


def test_feeds_story_feed_newest_first(client: TestClient, db: Path) -> None:
    with Store(db) as store:
        view = max(stories.list_stories(store), key=lambda v: len(v.articles))
        urls = {a.id: store.get(a.id).url for a in view.articles}
    resp = client.get(f"/feeds/stories/{view.id}.atom")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    root = _feed(resp.content)
    _check_atom(root)
    assert root.findtext(f"{A}id") == f"urn:vigie:story:{view.id}"
    alt = root.find(f"{A}link[@rel='alternate']")
    assert alt is not None and alt.get("href") == f"http://testserver/stories/{view.id}"
    entries = root.findall(f"{A}entry")
    assert sorted(e.findtext(f"{A}id") or "" for e in entries) == sorted(f"urn:vigie:article:{a}" for a in urls)
    published = [e.findtext(f"{A}published") for e in entries]
    assert len(published) == 5
    dated = [p for p in published if p]
    assert published[: len(dated)] == dated and len(dated) >= 4  # the undated seed comes last
    assert [rfc3339(p) for p in dated] == dated
    moments = [instant(p) for p in dated]
    assert moments == sorted(moments, reverse=True)
    for e in entries:  # the original article when its URL is http(s), with the Vigie page as related
        aid = (e.findtext(f"{A}id") or "").rsplit(":", 1)[1]
        link = e.find(f"{A}link[@rel='alternate']")
        assert link is not None and link.get("href") == (urls[aid] or f"http://testserver/articles/{aid}")


def test_feeds_unknown_ids_are_404(client: TestClient) -> None:
    for path in ("/feeds/alerts/999.atom", "/feeds/alerts/abc.atom", "/feeds/stories/s-nope.atom",
                 "/feeds/stories/..%2F.atom"):
        assert client.get(path).status_code == 404, path


def test_feeds_atom_feed_without_entries_has_dates() -> None:
    root = ET.fromstring(AtomFeed("urn:x:1", "Vide", entries=[]).to_xml())
    assert root.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    feed = AtomFeed("urn:x:2", "Un", updated="2021-10-18", entries=[AtomEntry("urn:x:e", "E", published=None)])
    root = ET.fromstring(feed.to_xml())
    assert root.findtext(f"{A}updated") == "2021-10-18T00:00:00Z"
    assert root.findtext(f"{A}entry/{A}updated") == "2021-10-18T00:00:00Z"  # an undated entry takes the feed's
    assert rfc3339("2021-10-19T22:22:00+02:00") == "2021-10-19T22:22:00+02:00"
    assert rfc3339("hier") is None and rfc3339(None) is None


# -- the saved searches page and API ----------------------------------------------------------------------------


def test_feeds_alerts_page_lists_searches(client: TestClient) -> None:
    page = client.get("/alertes")
    assert page.status_code == 200
    html = page.text
    assert "Recherches enregistrées" in html
    assert "Otan" in html and "&#34;rien à rompre&#34;" in html
    assert 'href="/feeds/alerts/1.atom"' in html and 'href="/feeds/alerts/2.atom"' in html
    head = html[: html.index("</head>")]  # feed readers find each saved search's feed from the page
    assert head.count('<link rel="alternate" type="application/atom+xml" href="/feeds/alerts/') == html.count('<li class="alert" ')
    assert 'href="/feeds/alerts/1.atom" title="Flux Atom · Otan' in head
    assert '<script src="/static/alerts.js" defer></script>' in html
    assert "<script>alert" not in html  # the hostile article's title is escaped in the matches
    assert "articles correspondants parmi les" in html
    assert 'name="token" type="password"' in html
    en = client.get("/alertes?lang=en").text
    assert "Saved searches" in en and "matching article" in en
    nav = client.get("/").text
    assert 'href="/alertes"' in nav


def test_feeds_alerts_page_without_token_says_writes_need_it(db: Path) -> None:
    with TestClient(create_app(str(db), token="")) as c:
        html = c.get("/alertes").text
    assert "VIGIE_TOKEN" in html and 'id="writes-off"' in html
    assert 'id="alert-form"' not in html and "alerts.js" not in html


def test_feeds_alerts_js_is_served_under_the_csp(client: TestClient) -> None:
    js = client.get("/static/alerts.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "Authorization" in js.text and "Bearer " in js.text and "fetch(" in js.text
    assert "script-src 'self'" in client.get("/alertes").headers["content-security-policy"]


def test_feeds_api_alerts_create_and_remove_need_the_token(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Store(db).close()
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        assert c.post("/api/alerts", json={"query": "Otan"}).status_code == 403
        bad = c.post("/api/alerts", json={"query": "Otan"}, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 403 and bad.json()["error"]["code"] == "forbidden"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        made = c.post("/api/alerts", json={"query": "  Otan   Russie "}, headers=auth)
        assert made.status_code == 201
        body = made.json()
        assert body["query"] == "Otan Russie" and body["feed"].endswith(f"/feeds/alerts/{body['id']}.atom")
        empty = c.post("/api/alerts", json={"query": "-sport"}, headers=auth)
        assert empty.status_code == 422 and "no term" in empty.json()["error"]["message"]
        hook = c.post("/api/alerts", json={"query": "x", "webhook": "file:///etc/passwd"}, headers=auth)
        assert hook.status_code == 422
        secret = "https://hooks.example.org/services/T0/B0/SECRET"
        with_hook = c.post("/api/alerts", json={"query": "Kremlin", "webhook": secret}, headers=auth).json()
        assert with_hook["has_webhook"] is True
        listed = c.get("/api/alerts").json()
        assert [a["query"] for a in listed["items"]] == ["Otan Russie", "Kremlin"]
        assert listed["items"][0]["matches"] == 0 and listed["items"][0]["has_webhook"] is False
        assert "SECRET" not in c.get("/api/alerts").text and "SECRET" not in c.get("/alertes").text
        assert c.delete(f"/api/alerts/{with_hook['id']}", headers=auth).status_code == 200
        assert c.delete(f"/api/alerts/{body['id']}").status_code == 403
        assert c.delete(f"/api/alerts/{body['id']}", headers=auth).json() == {"id": body["id"], "removed": True}
        gone = c.delete(f"/api/alerts/{body['id']}", headers=auth)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
        assert c.get("/api/alerts").json()["total"] == 0
        # The feed of an alert without matches is still a valid feed, dated by the alert's creation.
        again = c.post("/api/alerts", json={"query": "introuvable"}, headers=auth).json()
        root = _feed(c.get(f"/feeds/alerts/{again['id']}.atom").content)
        _check_atom(root)
        assert root.findall(f"{A}entry") == []
        assert (root.findtext(f"{A}updated") or "").startswith(again["created_at"][:10])


@pytest.mark.slow
def test_feeds_alerts_page_in_a_browser(tmp_path: Path) -> None:
    """The form creates a search and the remove button deletes it, through fetch with the bearer token, under the
    CSP (no inline script), and the page reports a wrong token."""
    import os
    import socket
    import threading
    import time

    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("/usr/bin/chromium is absent")
    sync_api = pytest.importorskip("playwright.sync_api")
    import uvicorn

    db = tmp_path / "b.db"
    Store(db).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(str(db), token=TOKEN), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    errors: list[str] = []
    failed: list[tuple[int, str]] = []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: failed.append((r.status, r.url.split(str(port), 1)[1]))
                    if r.status >= 400 else None)
            page.goto(f"http://127.0.0.1:{port}/alertes?lang=fr")
            page.fill("#alert-query", "Otan Russie")
            page.fill("#alert-token", "wrong")
            page.click("#alert-form button[type=submit]")
            page.wait_for_selector("#alert-status:not(:empty)")  # a selector, not a JS string: the CSP forbids eval
            assert "missing or wrong token" in page.text_content("#alert-status")
            page.fill("#alert-token", TOKEN)
            with page.expect_navigation():
                page.click("#alert-form button[type=submit]")
            assert page.text_content("#alert-1 .query") == "Otan Russie"
            page.fill("#alert-token", TOKEN)
            page.click("#alert-1 button.alert-remove")
            page.wait_for_selector("#alert-1", state="detached")
            assert page.text_content("#alert-status") == "Recherche supprimée."
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    with Store(db) as store:
        assert store.alerts() == []
    assert not [e for e in errors if "Content Security Policy" in e]
    # The deliberate 403 is the only failed request (but the favicon Chromium asks for).
    assert [f for f in failed if f[1] != "/favicon.ico"] == [(403, "/api/alerts")]
