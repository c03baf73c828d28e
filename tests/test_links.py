"""Every internal link of the site answers: from the home page, two clicks deep, on a store of the bundled seeds.

Slow: the story page makes the seed story's details (the language models) on first view.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urldefrag

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from pagewait import story_page
from vigie import stories
from vigie.pipeline import ingest
from vigie.serve import create_app
from vigie.store import Store

pytestmark = pytest.mark.slow

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')


def internal_links(html: str) -> set[str]:
    """The site's own links of a page (no other host, no fragment-only link), fragments dropped."""
    out = set()
    for raw in HREF.findall(html):
        href = urldefrag(unescape(raw))[0]
        if href.startswith("/") and not href.startswith("//"):
            out.add(href)
    return out


def test_links_two_levels_from_home_answer(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(seeds_dir)])
        stories.update_stories(store)
    with TestClient(create_app(str(db), token=None)) as client:
        home = client.get("/")
        assert home.status_code == 200
        seen: dict[str, int] = {"/": 200}
        level = internal_links(home.text)
        assert any(h.startswith("/stories/") for h in level) and "/?vue=angles-morts" in level
        for _depth in (1, 2):
            found: set[str] = set()
            for href in sorted(level - set(seen)):
                # A story page answers at once and says its details are being made: the walk waits for them.
                r = story_page(client, href) if href.startswith("/stories/") else client.get(href)
                seen[href] = r.status_code
                if r.headers.get("content-type", "").startswith("text/html"):
                    found |= internal_links(r.text)
            level = found
        client.cookies.clear()
    broken = {h: s for h, s in seen.items() if s != 200}
    assert broken == {}
    # Two levels reach the story's articles, its outlets and the people it quotes.
    for prefix in ("/stories/", "/articles/", "/outlets/", "/entities/"):
        assert any(h.startswith(prefix) for h in seen), prefix
