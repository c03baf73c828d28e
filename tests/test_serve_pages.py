"""Server-rendered pages: content of each page, both languages, escaping of hostile text, SVG plots."""

from __future__ import annotations

import html as htmllib
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from pagewait import story_page
from vigie import stories
from vigie.models import Article, RawDocument
from vigie.pipeline import ingest
from vigie.serve import create_app, plots
from vigie.serve.pages import language_url
from vigie.store import Store
from vigie.understand.views import StoryDetail

EVIL = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("pages") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
        # A hostile article: markup in the title, body, comments, and a javascript: URL.
        raw = RawDocument(source="evil.txt", format="text", content=f"Le maire {EVIL_IMG} a parlé.")
        store.add(raw, Article(id=raw.id, source="evil.txt", title=EVIL, body=f"Le maire {EVIL_IMG} a parlé.",
                               url="javascript:alert(1)", outlet=f"Evil {EVIL}", comments=[EVIL], language="fr",
                               published="2024-01-02T10:00:00"))
        stories.update_stories(store)
    return db


def evil_detail(store: Store, story_id: str, **_: Any) -> StoryDetail:
    """Every optional key of a story, with hostile text in each."""
    view = stories.get_story(store, story_id)
    ids = view.article_ids
    outlets = view.outlets
    detail = StoryDetail.from_dict({
        **view.to_dict(),
        "headline": f"Titre {EVIL}",
        "summary": f"Résumé {EVIL}",
        "sentences": [{"text": f"Phrase une {EVIL}.", "sources": ids[:2]}, {"text": "Phrase deux.", "sources": ids[-1:]}],
        "entities": [{"name": "Jens Stoltenberg", "type": "PER", "count": 4}, {"name": EVIL, "type": "ORG", "count": 1}],
        "quotes": [{"speaker": "Jens Stoltenberg", "text": "Première citation", "article": ids[0]},
                   {"speaker": "Jens Stoltenberg", "text": f"Deuxième {EVIL_IMG}", "article": ids[-1]},
                   {"speaker": "Sergueï Lavrov", "text": "Rien à rompre", "article": ids[-1]},
                   {"speaker": None, "text": "Sans auteur", "article": ids[0]}],
        "timeline": [{"date": "2021-10-18", "precision": "day", "text": f"Suspension {EVIL}", "sources": ids},
                     {"date": "2021-10", "precision": "month", "text": "Expulsions", "sources": ids[:1]},
                     {"date": "2014", "precision": "year", "text": "Crimée", "sources": ids[:1]},
                     {"date": "bientôt", "precision": "unknown", "text": "Pas de date", "sources": []}],
        "political_events": [{"actor": "Russie", "action": "REDUCE_RELATIONS", "target": EVIL, "text": "t",
                              "date": "2021-10-18", "article": ids[0]}],
        "disagreements": [{"about": f"date {EVIL}", "values": [{"value": "2021-10-05", "sources": ids[:1]},
                                                              {"value": "2021-10-07", "sources": ids[1:2]}]}],
        "coverage": {
            "outlets": [{"name": o, "country": "RU" if i == 0 else "FR", "owner": "Owner", "state_affiliated": i == 0,
                         "first": view.first_published, "articles": [ids[0]]} for i, o in enumerate(outlets)],
            "facts": [{"kind": "quote", "label": f"Fait {EVIL}", "outlets": outlets[:1]},
                      {"kind": "timeline", "label": "2014 — Crimée", "outlets": outlets}],
            "only": {outlets[0]: [f"Fait {EVIL}"]},
            "missing": {outlets[-1]: [f"Fait {EVIL}"]},
        },
    })
    store.cache_story(story_id, "fake", "{}", stories.entity_rows(detail))  # the index the entity page reads
    return detail


@pytest.fixture
def client(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(stories, "story_detail", evil_detail)
    with TestClient(create_app(str(seeded), token=None)) as c:
        yield c


@pytest.fixture
def seed_story(client: TestClient) -> dict[str, Any]:
    top: dict[str, Any] = client.get("/api/stories?outlet=Sputnik%20France").json()["items"][0]
    return top


def assert_no_raw_markup(html: str) -> None:
    """Hostile strings appear only escaped: no script or img tag, no event handler attribute from data."""
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert len(re.findall(r"<script\b", html)) == 1  # ours: <script src="/static/app.js" defer>
    assert '<script src="/static/app.js" defer></script>' in html


def test_serve_pages_home_lists_the_seed_story(client: TestClient, seed_story: dict[str, Any]) -> None:
    # The first view lists the story at once and computes its details in the background; a later view shows them.
    first = client.get("/", headers={"accept-language": "fr-FR"})
    assert first.status_code == 200 and f'href="/stories/{seed_story["id"]}"' in first.text
    for _ in range(600):
        r = client.get("/", headers={"accept-language": "fr-FR"})
        if "Titre &lt;script&gt;" in r.text:
            break
        time.sleep(0.1)
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    assert "Principaux récits" in html and '<html lang="fr">' in html
    assert f'href="/stories/{seed_story["id"]}"' in html
    assert "Titre &lt;script&gt;alert(1)&lt;/script&gt;" in html  # the (hostile) headline, escaped
    assert f'{len(seed_story["articles"])} articles' in html
    assert "Sputnik France" in html and "7 oct. 2021 → 21 oct. 2021" in html
    assert '<span class="badge country">Russie</span>' in html  # countries of its outlets, from the registry
    assert_no_raw_markup(html)


def test_serve_pages_home_blindspots(client: TestClient, seed_story: dict[str, Any]) -> None:
    """Stories only state-affiliated outlets, or only one country's outlets, cover; the seed story is not one."""
    html = client.get("/?vue=angles-morts").text
    assert "<h1>Angles morts</h1>" in html and 'href="/"' in html
    assert f'href="/stories/{seed_story["id"]}"' not in html
    assert "Aucun angle mort pour l&#39;instant." in html  # the five seeds come from four countries
    assert 'href="/?vue=angles-morts"' in client.get("/").text
    assert "<h1>Blindspots</h1>" in client.get("/?vue=angles-morts&lang=en").text


def test_serve_pages_home_filters(client: TestClient, seed_story: dict[str, Any]) -> None:
    assert f'/stories/{seed_story["id"]}"' in client.get("/?q=Stoltenberg").text
    none = client.get("/?q=zzzqqq&since=not-a-date").text
    assert f'/stories/{seed_story["id"]}"' not in none and "Aucun récit" in none
    assert f'/stories/{seed_story["id"]}"' not in client.get("/?until=2020-01-01").text


def test_serve_pages_story_sections(client: TestClient, seed_story: dict[str, Any]) -> None:
    sid = seed_story["id"]
    ids = [a["id"] for a in seed_story["articles"]]
    html = story_page(client, f"/stories/{sid}").text
    order = [html.index(f'<section id="{section}">') for section in (
        "articles", "summary", "quotes", "timeline", "coverage", "outlets-plot", "disagreements", "political-events",
        "entities")]
    assert order == sorted(order)  # the articles first, the raw material last
    assert '<section id="events">' not in html  # one event: the story itself
    # Each summary sentence links to its articles.
    assert re.search(r'<span class="sentence">Phrase une &lt;script&gt;alert\(1\)&lt;/script&gt;\.</span>'
                     rf'<a class="cite" href="#a-{ids[0]}"', html)
    for aid in ids:
        assert f'<li class="article" id="a-{aid}">' in html
        assert f'href="/articles/{aid}"' in html
    # Quotes grouped by speaker, most quoted first and open, with counts; unattributed ones last.
    speakers = re.findall(r'<details class="speaker"( open)?>\s*<summary><h3>(.*?)</h3> <span class="n">(.*?)</span>',
                          html)
    assert speakers == [(" open", "Jens Stoltenberg", "2 citations"), (" open", "Sergueï Lavrov", "1 citation"),
                        ("", "Sans locuteur identifié", "1 citation")]
    assert html.count('href="/entities/jens-stoltenberg"') >= 1
    assert "Deuxième &lt;img src=x onerror=alert(1)&gt;" in html
    # Timeline: the story's own dates plotted (wide and narrow drawings), 2014 and the undated entry apart.
    svg = re.search(r'<svg class="plot timeline wide".*?</svg>', html, re.S)
    assert svg is not None and svg.group(0).count('<circle class="dot') == 2
    assert "Suspension &lt;script&gt;" in svg.group(0) and "<script>" not in svg.group(0)
    assert "Crimée" not in svg.group(0) and "(1 source)" in svg.group(0)
    assert re.search(r'<svg class="plot timeline narrow"', html)
    context = re.search(r'<details class="list context">.*?</details>', html, re.S)
    assert context is not None and "Crimée" in context.group(0) and "Pas de date" in context.group(0)
    assert re.search(r'<svg class="plot outlets wide"', html)
    # Coverage: bars by country, owner and state affiliation; per-outlet exclusives and omissions in French.
    assert "<h3>Par pays</h3>" in html and "<h3>Médias d&#39;État ou non</h3>" in html
    assert '<rect class="fill" width="' in html
    assert "Seulement ici" in html and "Ne reprend pas" in html
    assert "TIMELINE" not in html and ">quote<" not in html
    assert '<span class="kind">citation</span> Fait &lt;script&gt;alert(1)&lt;/script&gt;' in html
    matrix = re.search(r'<table class="grid matrix">.*?</table>', html, re.S)
    assert matrix is not None
    assert matrix.group(0).count("✓") == 1 + len(seed_story["outlets"])
    assert '<strong class="state">Média d&#39;État</strong>' in html
    assert "date &lt;script&gt;" in html  # disagreement
    # Political acts: compact, the category's label (its code in words when the stage gave none).
    assert "<strong>Russie</strong> → reduce relations → <strong>&lt;script&gt;" in html
    assert "<details class=\"body\">" in html and "Texte nettoyé" in html
    assert_no_raw_markup(html)


def test_serve_pages_story_without_optional_keys(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                  seed_story: dict[str, Any]) -> None:
    # The bare view: optional sections are hidden.
    monkeypatch.setattr(stories, "story_detail", lambda st, sid, **_: StoryDetail.bare(stories.get_story(st, sid)))
    with TestClient(create_app(client.app.state.data.path, token=None)) as c:  # type: ignore[attr-defined]
        html = story_page(c, f"/stories/{seed_story['id']}").text
    assert '<section id="articles">' in html
    for section in ("summary", "timeline", "quotes", "entities", "disagreements", "political-events", "events"):
        assert f'<section id="{section}">' not in html
    assert "<h3>Par pays</h3>" in html  # the bars come from the registry, not from the analysis
    assert seed_story["title"].replace("'", "&#39;") in html


def test_serve_pages_story_never_waits_for_its_details(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                        seed_story: dict[str, Any]) -> None:
    """Details not stored yet: the page shows the articles and the registry's coverage at once, says the summary
    is on its way and reloads itself; once computed, the details are there and the reloading stops."""
    release = threading.Event()

    def slow(store: Any, sid: str, **kw: Any) -> StoryDetail:
        assert release.wait(120), "never released"
        return evil_detail(store, sid)

    monkeypatch.setattr(stories, "story_detail", slow)
    sid = seed_story["id"]
    with TestClient(create_app(client.app.state.data.path, token=None)) as c:  # type: ignore[attr-defined]
        r = c.get(f"/stories/{sid}")
        assert r.status_code == 200
        html = r.text
        assert "Résumé en cours…" in html and 'role="status"' in html
        assert re.search(r'<head>.*<meta http-equiv="refresh" content="\d+">.*</head>', html, re.S)
        assert '<section id="articles">' in html and all(f'id="a-{a["id"]}"' in html for a in seed_story["articles"])
        assert "<h3>Par pays</h3>" in html  # coverage from the stored views and the registry
        assert '<section id="summary">' not in html
        release.set()
        done = story_page(c, f"/stories/{sid}").text
    assert '<section id="summary">' in done and "Résumé en cours" not in done and 'http-equiv="refresh"' not in done


def test_serve_pages_story_whose_details_fail_does_not_reload(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                              seed_story: dict[str, Any]) -> None:
    def broken(*_: Any, **__: Any) -> StoryDetail:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(stories, "story_detail", broken)
    with TestClient(create_app(client.app.state.data.path, token=None)) as c:  # type: ignore[attr-defined]
        html = story_page(c, f"/stories/{seed_story['id']}").text
    assert '<section id="articles">' in html and 'http-equiv="refresh"' not in html and "Résumé en cours" not in html


def test_serve_pages_story_export_and_feed_links(client: TestClient, seed_story: dict[str, Any]) -> None:
    sid = seed_story["id"]
    for lang, words in (("fr", ("Exporter ce récit (Markdown)", "Version imprimable", "Flux Atom du récit")),
                        ("en", ("Export this story (Markdown)", "Printable version", "Story Atom feed"))):
        html = story_page(client, f"/stories/{sid}?lang={lang}").text
        head = html[: html.index("</head>")]
        assert f'<link rel="alternate" type="application/atom+xml" href="/feeds/stories/{sid}.atom"' in head
        tools = re.search(r'<nav class="story-tools".*?</nav>', html, re.S)
        assert tools is not None
        links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', tools.group(0)))
        assert links == dict(zip(words, (f"/stories/{sid}.md", f"/stories/{sid}/imprimer",
                                         f"/feeds/stories/{sid}.atom"), strict=True))
        for href in links.values():
            assert client.get(href).status_code == 200, href


def _lang_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="langs".*?</nav>', html, re.S)
    assert nav is not None
    return {code: htmllib.unescape(href) for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav.group(0))}


def test_serve_pages_language_links_keep_the_query(client: TestClient) -> None:
    assert _lang_links(client.get("/?vue=angles-morts&lang=en").text) == {"fr": "/?vue=angles-morts&lang=fr"}
    links = _lang_links(client.get("/search", params={"q": "grève & \"co\"", "lang": "fr", "sort": "newest"}).text)
    assert links == {"en": "/search?q=gr%C3%A8ve+%26+%22co%22&sort=newest&lang=en"}
    assert _lang_links(client.get("/outlets?lang=fr&lang=en").text) == {"fr": "/outlets?lang=fr"}
    # The links name this site only, whatever the request path.
    assert language_url("//evil.example/x", [], "en") == "/evil.example/x?lang=en"
    assert language_url("/\\evil.example", [("a", "1")], "fr") == "/evil.example?a=1&lang=fr"
    r = client.get("/%2F%2Fevil.example/x?y=1")
    assert r.status_code == 404 and all(h.startswith("/") and not h.startswith("//")
                                         for h in _lang_links(r.text).values())


def test_serve_pages_english(client: TestClient, seed_story: dict[str, Any]) -> None:
    r = client.get("/?lang=en")
    assert "Top stories" in r.text and '<html lang="en">' in r.text
    assert r.cookies.get("vigie_lang") == "en"
    assert "Top stories" in client.get("/").text  # the cookie keeps it
    client.cookies.clear()
    assert "Top stories" in client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).text
    assert "Principaux récits" in client.get("/", headers={"accept-language": "de-DE"}).text
    story = story_page(client, f"/stories/{seed_story['id']}?lang=en").text
    assert "Coverage by outlet" in story and "Timeline" in story and "Quotes" in story


def test_serve_pages_article_escapes_hostile_text(client: TestClient) -> None:
    hit = client.get("/api/search?q=maire%20parl%C3%A9").json()["items"][0]
    html = client.get(f"/articles/{hit['id']}").text
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "Le maire &lt;img src=x onerror=alert(1)&gt; a parlé." in html
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in html  # reader comment
    assert "<dd>javascript:alert(1)</dd>" in html  # shown, never a link
    assert_no_raw_markup(html)


def test_serve_pages_search(client: TestClient) -> None:
    html = client.get("/search?q=Stoltenberg%20Guerre%20Froide").text
    assert "Xinhua French" in html and 'href="/articles/' in html and 'href="/stories/' in html
    assert "Aucun résultat" in client.get("/search?q=zzzqqq").text
    evil = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in evil
    assert_no_raw_markup(evil)


def test_serve_pages_entity(client: TestClient, seed_story: dict[str, Any]) -> None:
    story_page(client, f"/stories/{seed_story['id']}")  # an entity page reads stored details only
    html = client.get("/entities/jens-stoltenberg").text
    assert "<h1>Jens Stoltenberg</h1>" in html and f'href="/stories/{seed_story["id"]}"' in html
    assert "Première citation" in html and "Rien à rompre" not in html
    r = client.get("/entities/nobody")
    assert r.status_code == 404 and "Erreur 404" in r.text and r.headers["content-type"].startswith("text/html")


def test_serve_pages_outlets(client: TestClient) -> None:
    html = client.get("/outlets").text
    assert 'href="/outlets/sputnik-france"' in html and "Sputnik France" in html
    page = client.get("/outlets/sputnik-france").text
    assert "<dd>Russie</dd>" in page and '<strong class="state">oui</strong>' in page
    assert '<svg class="plot bars wide"' in page and '<rect class="bar"' in page
    narrow = re.search(r'<svg class="plot bars narrow"[^>]*viewBox="0 0 360 [^>]*>.*?</svg>', page, re.S)
    assert narrow is not None and narrow.group(0).count('<text class="tick-label"') == 1 + 3  # peak, three ticks
    assert "oct. 2021" in narrow.group(0)  # the axis dates in words, in the page's language
    assert "Rossiya Segodnya" in page
    evil = client.get("/outlets/evil-script-alert-1-script")
    assert evil.status_code == 200 and "Evil &lt;script&gt;" in evil.text
    assert_no_raw_markup(evil.text)


def test_serve_pages_errors_are_html(client: TestClient) -> None:
    r = client.get("/stories/nope")
    assert r.status_code == 404 and "Aucun récit nope" in r.text and 'data-code="not_found"' in r.text
    assert "no story nope" in client.get("/stories/nope?lang=en").text
    assert client.get("/nowhere").status_code == 404


def test_serve_pages_static_files_only_from_the_package(client: TestClient) -> None:
    js = client.get("/static/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/..%2F__init__.py", "/static/%2e%2e/__init__.py", "/static/../data.py", "/static/x.py",
                "/static/.hidden.css", "/static/nope.css"):
        assert client.get(bad).status_code == 404, bad


def test_serve_pages_plots_escape_and_scale() -> None:
    entries = [{"date": "2021-10-18", "text": EVIL, "sources": ["a", "b"]}, {"date": "2021-10-20", "text": "y"},
               {"date": "2020", "text": "x", "sources": []}]
    svg = plots.timeline_svg(entries, title=EVIL, sources_word="sources")
    assert svg is not None
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<circle") == 2 and "(2 sources)" in svg  # 2020, far before the story, is context
    on_axis, context = plots.split_timeline(entries)
    assert [e["date"] for e in on_axis] == ["2021-10-18", "2021-10-20"] and context == entries[2:]
    narrow = plots.timeline_svg(entries, title="t", sources_word=lambda n: f"{n} src", narrow=True)
    assert narrow is not None and 'viewBox="0 0 360 ' in narrow and "(2 src)" in narrow and "<script>" not in narrow
    assert plots.timeline_svg([{"date": "soon", "text": "x"}], title="t", sources_word="s") is None
    bars = plots.bars_svg([(date(2021, 10, 1), 2), (date(2021, 10, 3), 4)], "day", title="t")
    assert bars is not None and bars.count("<rect") == 2 and 'viewBox="0 0 760 ' in bars
    small = plots.bars_svg([(date(2021, 10, 1), 2), (date(2021, 10, 3), 4)], "day", title=EVIL, narrow=True)
    assert small is not None and 'viewBox="0 0 360 ' in small and small.count("<rect") == 2 and "<script>" not in small
    assert plots.parse_when("2021-10-18T12:00:00+02:00").hour == 10  # type: ignore[union-attr]
    assert plots.parse_when("2021-10") is not None and plots.parse_when("garbage") is None
    strip = plots.outlets_svg([{"outlet": EVIL, "published": "2021-10-18", "title": EVIL}], title="t")
    assert strip is not None and "<script>" not in strip
