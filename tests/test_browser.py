"""The web pages in headless Chromium: the seed story, its sections and plots, and hostile text that stays text.

Skipped when /usr/bin/chromium or the ``playwright`` package is absent; CI installs both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import threading
import time
import urllib.error
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


def _goto(page: Page, url: str, *, wait_s: float = 900, **kwargs: Any) -> Any:
    """``page.goto`` once a story page has its details: a page still computing them says so (``p.pending``) and
    refreshes itself; the tests look at the finished page, so they wait for it outside the browser first (a
    reload racing the page's own refresh would abort the navigation)."""
    kwargs.setdefault("timeout", 180_000)
    deadline = time.monotonic() + wait_s
    while "/stories/" in url and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url) as r:
                if 'class="pending"' not in r.read().decode("utf-8", "replace"):
                    break
        except urllib.error.HTTPError:
            break  # a 404 page: nothing to wait for
        time.sleep(1)
    return page.goto(url, **kwargs)

def _seed_story(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/stories?outlet=Sputnik%20France") as r:
        story: dict[str, Any] = json.load(r)["items"][0]
    return story


def test_browser_home_lists_the_seed_story(db: Path, page: Page, tmp_path: Path) -> None:
    problems = _guard(page)
    with serving(db) as base:
        story = _seed_story(base)
        _goto(page, f"{base}/")
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
        _goto(page, f"{base}/stories/{story['id']}", timeout=120_000)
        detail = page.evaluate("() => document.body.innerText")
        assert page.locator("#summary .summary").is_visible()
        assert page.locator("#summary a.cite").count() >= 1
        if "quotes" in detail.lower() or page.locator("#quotes").count():
            speakers = page.locator("#quotes .speaker h3").all_inner_texts()
            assert speakers and all(s.strip() for s in speakers)
            assert page.locator("#quotes blockquote").count() >= len(speakers)
        timeline = page.locator("svg.plot.timeline.wide")
        assert timeline.is_visible() and not page.locator("svg.plot.timeline.narrow").is_visible()
        box = timeline.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
        assert timeline.locator("circle.dot").count() >= 1
        dated = sum(1 for a in story["articles"] if a["published"])
        assert page.locator("svg.plot.outlets.wide circle.dot").count() == dated
        # The fact matrix is one click away; kinds are French words.
        page.locator("details.matrix > summary").click()
        matrix = page.locator("table.matrix")
        assert matrix.is_visible() and matrix.locator("td.yes").count() >= 1
        assert "✓" in matrix.inner_text() and "TIMELINE" not in matrix.inner_text()
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
        _goto(page, f"{base}/stories/{story['id']}?lang=en")
        assert page.locator("#coverage h2").inner_text() == "Coverage by outlet"
        assert page.locator("#coverage .bar-group h3").first.inner_text() == "By country"
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
        _goto(page, f"{base}/articles/{created['id']}")
        assert page.locator("h1").inner_text() == EVIL_TITLE
        assert page.get_by_text(EVIL_TITLE, exact=True).first.is_visible()
        assert "<img src=x onerror=alert(1)>" in page.locator(".body").inner_text()
        assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
        assert page.locator('a[href^="javascript:"]').count() == 0
        page.screenshot(path=str(tmp_path / "xss-article.png"), full_page=True)
        # Its story page, the home page and the search page.
        _goto(page, f"{base}/stories/{created['story']}", timeout=120_000)
        page.locator("details.body").first.locator("summary").click()
        assert "<img src=x onerror=alert(1)>" in page.locator("#articles").inner_text()
        assert page.locator("main img").count() == 0
        _goto(page, f"{base}/?q=maire")
        assert page.get_by_text(EVIL_TITLE).first.is_visible() or EVIL_TITLE in page.locator("main").inner_text()
        _goto(page, f"{base}/search?q=maire")
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
    # A copy without the details earlier tests had made, so the server makes these ones (in the background).
    fresh = tmp_path / "hostile.db"
    with Store(db) as src, Store(fresh) as dst:
        src.conn.backup(dst.conn)
        dst.conn.execute("DELETE FROM story_cache")
        dst.conn.commit()
    problems = _guard(page)
    with serving(fresh) as base:
        story = _seed_story(base)
        deadline = time.monotonic() + 300
        while True:  # 202 while the details are made, then 200 with them
            with urllib.request.urlopen(f"{base}/api/stories/{story['id']}") as r:
                status, body = r.status, json.load(r)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 200 and body["headline"] == EVIL_TITLE, body
        _goto(page, f"{base}/stories/{story['id']}")
        assert page.locator("h1").inner_text() == EVIL_TITLE
        assert page.locator("svg.plot.timeline.wide text.label").first.text_content().startswith(  # type: ignore[union-attr]
            "18 oct. 2021 · <script>alert(1)</script>")
        assert page.locator("#quotes h3").inner_text() == EVIL_TITLE
        assert page.locator("#quotes blockquote p").inner_text() == "<img src=x onerror=alert(2)>"
        page.locator("details.matrix > summary").click()
        assert page.locator("table.matrix tbody th").inner_text().endswith(EVIL_TITLE)
        assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0
        assert page.locator("script").count() == 1  # only /static/app.js
        page.screenshot(path=str(tmp_path / "story-hostile.png"), full_page=True)
    assert problems == [], problems


# -- every page at desktop and phone widths: no sideways scroll, a short story page, readable plots, axe ---------

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def _axe_script() -> str:
    """axe-core as the axe-playwright-python package bundles it (no network); skip when the package is absent."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        pytest.skip("axe-playwright-python is absent (pip install axe-playwright-python)")
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


def _shots(tmp_path: Path) -> Path:
    """Where the screenshots go: $VIGIE_SCREENSHOTS when set (to look at them), else the test's tmp folder."""
    folder = Path(os.environ.get("VIGIE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _biggest_story(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/stories") as r:
        items: list[dict[str, Any]] = json.load(r)["items"]
    return max(items, key=lambda s: len(s["articles"]))


def _site(base: str) -> dict[str, str]:
    """Every kind of page, by name; the story first (its details take the longest to make)."""
    story = _biggest_story(base)
    pages = {"story": f"/stories/{story['id']}", "home": "/", "blindspots": "/?vue=angles-morts",
             "search": "/search?q=Otan", "entity": "/entities/jens-stoltenberg", "outlet": "/outlets/sputnik-france",
             "outlets": "/outlets", "docs": "/docs", "404": "/stories/s-nope", "story-en": f"/stories/{story['id']}?lang=en"}
    pages.update({f"article-{i}": f"/articles/{a['id']}" for i, a in enumerate(story["articles"], 1)})
    return pages


def _open_all(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_browser_pages_fit_the_screen(db: Path, browser: Browser, tmp_path: Path, viewport: dict[str, int]) -> None:
    """No page scrolls sideways, even with every collapsed section open; screenshots of each are kept."""
    shots = _shots(tmp_path)
    context = browser.new_context(locale="fr-FR", viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    problems = _guard(page)
    w = viewport["width"]
    try:
        with serving(db) as base:
            for name, url in _site(base).items():
                response = _goto(page, base + url, timeout=180_000)
                assert response is not None and response.status == (404 if name == "404" else 200), name
                page.screenshot(path=str(shots / f"{name}-{w}.png"), full_page=True)
                for state in ("closed", "open"):
                    width = page.evaluate("() => document.documentElement.scrollWidth")
                    assert width <= page.evaluate("() => innerWidth"), f"{name} ({state}) is {width} px wide at {w}"
                    _open_all(page)
    finally:
        context.close()
    assert (shots / f"story-{w}.png").stat().st_size > 1000
    assert problems == [], problems


def test_browser_story_page_is_short_and_articles_come_first(db: Path, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        with serving(db) as base:
            _goto(page, base + _site(base)["story"], timeout=180_000)
            height = page.evaluate("() => document.documentElement.scrollHeight")
            top = page.evaluate("() => document.querySelector('#articles').getBoundingClientRect().top + scrollY")
            sections = page.evaluate("() => [...document.querySelectorAll('main section[id]')].map(s => s.id)")
            assert page.locator("p.pending").count() == 0, "the story's details were never made"
            page.screenshot(path=str(_shots(tmp_path) / "story-first-screen.png"))
            # The clean texts are there, but closed: they do not make the page long.
            assert page.locator("details.body").count() >= 5
            assert page.locator("details.body[open]").count() == 0
    finally:
        context.close()
    assert height < 5000, f"the story page is {height} px tall"
    assert top < DESKTOP["height"], f"the article list starts at {top} px"
    assert sections[0] == "articles" and sections.index("summary") < sections.index("coverage")


_LABEL_SIZES = """() => [...document.querySelectorAll('svg.plot')]
    .filter(svg => svg.getBoundingClientRect().width > 0)
    .flatMap(svg => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    })"""


def test_browser_timeline_readable_on_a_phone(db: Path, browser: Browser, tmp_path: Path) -> None:
    """At 390 px the narrow drawings show, and every label of a visible plot is at least 11 px tall on screen:
    the story's timeline and strip plot, and the outlet page's bar chart."""
    context = browser.new_context(locale="fr-FR", viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        with serving(db) as base:
            site = _site(base)
            _goto(page, base + site["outlet"])
            assert page.locator("svg.plot.bars.narrow").is_visible()
            assert not page.locator("svg.plot.bars.wide").is_visible()
            outlet_sizes = page.evaluate(_LABEL_SIZES)
            page.locator("#over-time").screenshot(path=str(_shots(tmp_path) / "outlet-bars-390.png"))
            _goto(page, base + site["story"], timeout=180_000)
            assert page.locator("svg.plot.timeline.narrow").is_visible()
            assert not page.locator("svg.plot.timeline.wide").is_visible()
            sizes = page.evaluate(_LABEL_SIZES)
            page.locator("#timeline").screenshot(path=str(_shots(tmp_path) / "timeline-390.png"))
            # Background (1949, 2014...) is listed apart, not on the axis.
            axis = page.locator("svg.plot.timeline.narrow").inner_html()
            apart = page.locator("#timeline details.context").count()
    finally:
        context.close()
    assert sizes and min(sizes) >= 11, f"smallest plot label {min(sizes):.1f} px"
    assert outlet_sizes and min(outlet_sizes) >= 11, f"smallest label of the outlet's bars {min(outlet_sizes):.1f} px"
    assert "1949" not in axis and apart == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_browser_axe_finds_no_serious_violation(db: Path, browser: Browser, viewport: dict[str, int]) -> None:
    """axe-core on the main pages, every collapsed section open: no serious or critical violation."""
    axe = _axe_script()
    context = browser.new_context(locale="fr-FR", viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        with serving(db) as base:
            site = _site(base)
            for name in ("home", "story", "search", "entity", "outlet", "blindspots"):
                _goto(page, base + site[name], timeout=180_000)
                _open_all(page)
                page.evaluate(axe)  # evaluated, not a <script> tag: the CSP forbids inline scripts
                result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
                bad = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"] if v["impact"] in SERIOUS]
                if bad:
                    found[name] = bad
    finally:
        context.close()
    assert found == {}
