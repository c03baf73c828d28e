"""The web pages in headless Chromium: the seed story, its sections and plots, and hostile text that stays text.

Skipped when /usr/bin/chromium or the ``playwright`` package is absent; CI installs both.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "browser-token"
EVIL_TITLE = "<script>alert(1)</script>"
EVIL_BODY = ("Le maire a déclaré que la ville <img src=x onerror=alert(1)> allait reconstruire le pont détruit par "
             "la crue. Les travaux dureront deux ans, selon la préfecture, et coûteront douze millions d'euros.")

pytestmark = pytest.mark.slow

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:
    pytest.skip("the playwright package is absent (pip install playwright)", allow_module_level=True)

import uvicorn  # noqa: E402

from vigie import stories  # noqa: E402
from vigie.pipeline import ingest  # noqa: E402
from vigie.serve import create_app  # noqa: E402
from vigie.store import Store  # noqa: E402
from vigie.understand.views import StoryDetail  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(db: Path, token: str | None = None) -> Iterator[str]:
    """uvicorn in a thread on a free port; yields the base URL and stops the server afterwards."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(str(db), token=token), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "seeds.db"
    with Store(path) as store:
        ingest(store, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
        stories.update_stories(store)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def _guard(page: Page) -> list[str]:
    """Every JS dialog (alert) and page error is recorded; a test asserts there was none."""
    seen: list[str] = []

    def on_dialog(dialog: Any) -> None:
        seen.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda err: seen.append(f"error: {err}"))
    return seen


def _seed_story(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/stories?outlet=Sputnik%20France") as r:
        story: dict[str, Any] = json.load(r)["items"][0]
    return story


def test_browser_home_lists_the_seed_story(db: Path, page: Page, tmp_path: Path) -> None:
    problems = _guard(page)
    with serving(db) as base:
        story = _seed_story(base)
        page.goto(f"{base}/")
        link = page.locator(f'a[href="/stories/{story["id"]}"]')
        link.wait_for()
        assert link.is_visible()
        assert page.locator("h1").inner_text() == "Principaux récits"
        card = page.locator(f'#s-{story["id"]}')
        assert "Sputnik France" in card.inner_text()
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert (tmp_path / "home.png").stat().st_size > 1000
    assert problems == []


def test_browser_story_page(db: Path, page: Page, tmp_path: Path) -> None:
    """The real story stage when it gives every section (it does on the seeds); no script error, no dialog."""
    problems = _guard(page)
    with serving(db) as base:
        story = _seed_story(base)
        page.goto(f"{base}/stories/{story['id']}", timeout=120_000)
        detail = page.evaluate("() => document.body.innerText")
        assert page.locator("#summary .summary").is_visible()
        assert page.locator("#summary a.cite").count() >= 1
        if "quotes" in detail.lower() or page.locator("#quotes").count():
            speakers = page.locator("#quotes .speaker h3").all_inner_texts()
            assert speakers and all(s.strip() for s in speakers)
            assert page.locator("#quotes blockquote").count() >= len(speakers)
        timeline = page.locator("svg.plot.timeline")
        assert timeline.is_visible()
        box = timeline.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
        assert timeline.locator("circle.dot").count() >= 1
        assert page.locator("svg.plot.outlets circle.dot").count() == sum(1 for a in story["articles"] if a["published"])
        matrix = page.locator("table.matrix")
        assert matrix.is_visible() and matrix.locator("td.yes").count() >= 1
        assert "✓" in matrix.inner_text()
        page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
        # Clean text on demand: closed, then opened by a click.
        first = page.locator("details.body").first
        assert not first.evaluate("d => d.open")
        first.locator("summary").click()
        assert first.evaluate("d => d.open")
        # The one script (static, CSP-allowed) opens every article at once.
        page.locator("button.toggle-all").click()
        assert page.locator("details.body:not([open])").count() == 0
        # English on request.
        page.goto(f"{base}/stories/{story['id']}?lang=en")
        assert page.locator("#coverage h2").inner_text() == "Coverage by outlet"
    assert problems == []


def test_browser_hostile_article_stays_text(db: Path, page: Page, tmp_path: Path) -> None:
    problems = _guard(page)
    with serving(db, token=TOKEN) as base:
        req = urllib.request.Request(
            f"{base}/api/articles", method="POST",
            data=json.dumps({"title": EVIL_TITLE, "text": EVIL_BODY, "url": "javascript:alert(1)"}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as r:
            created = json.load(r)
        # The article page: title and body shown literally.
        page.goto(f"{base}/articles/{created['id']}")
        assert page.locator("h1").inner_text() == EVIL_TITLE
        assert page.get_by_text(EVIL_TITLE, exact=True).first.is_visible()
        assert "<img src=x onerror=alert(1)>" in page.locator(".body").inner_text()
        assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
        assert page.locator('a[href^="javascript:"]').count() == 0
        page.screenshot(path=str(tmp_path / "xss-article.png"), full_page=True)
        # Its story page, the home page and the search page.
        page.goto(f"{base}/stories/{created['story']}", timeout=120_000)
        page.locator("details.body").first.locator("summary").click()
        assert "<img src=x onerror=alert(1)>" in page.locator("#articles").inner_text()
        assert page.locator("main img").count() == 0
        page.goto(f"{base}/?q=maire")
        assert page.get_by_text(EVIL_TITLE).first.is_visible() or EVIL_TITLE in page.locator("main").inner_text()
        page.goto(f"{base}/search?q=maire")
        assert page.get_by_text(EVIL_TITLE, exact=True).first.is_visible()
        page.screenshot(path=str(tmp_path / "xss-search.png"), full_page=True)
    assert problems == [], problems


def test_browser_every_section_with_hostile_details(db: Path, page: Page, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A story whose every optional key holds markup: SVG labels, quotes and matrix render it as text."""

    def detail(store: Store, story_id: str, **_: Any) -> StoryDetail:
        view = stories.get_story(store, story_id)
        ids = view.article_ids
        return StoryDetail.from_dict({
            **view.to_dict(), "headline": EVIL_TITLE, "summary": EVIL_BODY,
            "sentences": [{"text": EVIL_BODY, "sources": ids}],
            "entities": [{"name": EVIL_TITLE, "type": "PER", "count": 2}],
            "quotes": [{"speaker": EVIL_TITLE, "text": "<img src=x onerror=alert(2)>", "article": ids[0]}],
            "timeline": [{"date": "2021-10-18", "precision": "day", "text": EVIL_TITLE, "sources": ids}],
            "political_events": [{"actor": EVIL_TITLE, "action": "X", "target": "Y", "text": "t", "date": None,
                                  "article": ids[0]}],
            "disagreements": [{"about": EVIL_TITLE, "values": [{"value": "<b>v</b>", "sources": ids}]}],
            "coverage": {"outlets": [{"name": o, "articles": ids[:1]} for o in view.outlets],
                         "facts": [{"kind": "quote", "label": EVIL_TITLE, "outlets": view.outlets}],
                         "only": {}, "missing": {}},
        })

    monkeypatch.setattr(stories, "story_detail", detail)
    problems = _guard(page)
    with serving(db) as base:
        story = _seed_story(base)
        page.goto(f"{base}/stories/{story['id']}")
        assert page.locator("h1").inner_text() == EVIL_TITLE
        assert page.locator("svg.plot.timeline text.label").first.text_content().startswith(  # type: ignore[union-attr]
            "2021-10-18 · <script>alert(1)</script>")
        assert page.locator("#quotes h3").inner_text() == EVIL_TITLE
        assert page.locator("#quotes blockquote p").inner_text() == "<img src=x onerror=alert(2)>"
        assert page.locator("table.matrix tbody th").inner_text().endswith(EVIL_TITLE)
        assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0
        assert page.locator("script").count() == 1  # only /static/app.js
        page.screenshot(path=str(tmp_path / "story-hostile.png"), full_page=True)
    assert problems == [], problems
