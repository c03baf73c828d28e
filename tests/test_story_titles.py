"""One story title everywhere and honest counts (issue #19 item 8): the CLI, the API, the pages and the store view
show the same title; "médias" counts independent outlets (a reprint once, never 0); the list ranks by them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner
from fastapi.testclient import TestClient

from pagewait import ready
from vigie import stories
from vigie.cli import main
from vigie.models import Article, RawDocument
from vigie.pipeline import ingest
from vigie.serve import create_app
from vigie.store import Store
from vigie.stories.views import StoryArticle, StoryView, voice_label
from vigie.understand.views import StoryDetail

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
SEED_VOICES = {"Le Point via Actu Cameroun", "Sputnik France", "Xinhua French"}


def _add(store: Store, source: str, title: str, body: str, outlet: str | None, published: str | None) -> None:
    raw = RawDocument(source=source, format="text", content=f"{title}\n{body}")
    store.add(raw, Article(id=raw.id, source=source, title=title, body=body, outlet=outlet, published=published))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, plus newer single-source articles (one with no outlet at all), placed in stories; the seed story's
    details cached as ingest leaves them (a stand-in summary: no language model needed)."""
    db = tmp_path_factory.mktemp("titles") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        _add(store, "gazette.txt", "Le maire de Nulle-Part inaugure la piscine - Gazette de Nulle Part",
             "Le maire a inauguré samedi la nouvelle piscine municipale devant trois cents habitants. " * 3,
             "Gazette de Nulle Part", "2024-01-02T10:00:00")
        _add(store, "anonyme.txt", "Une recette de tarte aux pommes",
             "Épluchez six pommes, étalez la pâte, enfournez quarante minutes à cent quatre-vingts degrés. " * 3,
             None, "2024-01-03")
        stories.update_stories(store)
        seed = next(v for v in stories.list_stories(store) if len(v.articles) == 5)
        detail = StoryDetail.bare(seed)
        detail.headline, detail.summary = "Un autre titre proposé par le résumé", "Moscou rompt avec l'Otan."
        key = stories._detail_key(seed, 100, None)
        store.cache_story(seed.id, key, json.dumps(detail.details_dict(), ensure_ascii=False), [])
    return db


def _seed_story(db: Path) -> StoryView:
    with Store(db) as store:
        return next(v for v in stories.list_stories(store) if len(v.articles) == 5)


def test_story_titles_counts_a_reprint_once(seeded: Path) -> None:
    seed = _seed_story(seeded)
    assert set(seed.outlets) == SEED_VOICES and seed.media == 3
    assert "Le Point" in seed.outlet_names and "Actu Cameroun" in seed.outlet_names


def test_story_titles_media_never_zero_and_ranking(seeded: Path) -> None:
    with Store(seeded) as store:
        views = stories.list_stories(store)
    assert all(v.media >= 1 for v in views)
    anonymous = next(v for v in views if any(a.source == "anonyme.txt" for a in v.articles))
    assert anonymous.outlets == [] and anonymous.media == 1
    # The three-outlet story first, although the single-source ones are newer.
    assert views[0].id == _seed_story(seeded).id
    assert views[0].to_dict()["media"] == 3


def test_story_titles_rank_independent_outlets_before_reports() -> None:
    """Ten reports of one source rank below three outlets; among single sources the newest comes first."""
    one = [StoryArticle(f"g{i}", "g.txt", "T", "Gazette", None, f"2024-01-0{i % 9 + 1}") for i in range(10)]
    three = [StoryArticle("a", "a.txt", "T", "Actu Cameroun", "Le Point", "2021-10-19"),
             StoryArticle("b", "b.txt", "T", "Sputnik France", None, "2021-10-18"),
             StoryArticle("c", "c.txt", "T", "Xinhua French", None, "2021-10-21"),
             StoryArticle("d", "d.txt", "T", "Sputnik France", None, None, "b")]
    newer = [StoryArticle("n", "n.txt", "T", None, None, "2025-01-01")]
    views = [StoryView("s-one", "T", one, outlets=["Gazette"], last_published="2024-01-09"),
             StoryView("s-new", "T", newer, outlets=[], last_published="2025-01-01"),
             StoryView("s-three", "T", three, outlets=["Le Point via Actu Cameroun", "Sputnik France", "Xinhua French"],
                       last_published="2021-10-21")]
    assert [v.media for v in views] == [1, 1, 3]
    assert [v.id for v in sorted(views, key=stories.story_rank)] == ["s-three", "s-new", "s-one"]
    assert voice_label("Actu Cameroun", "Le Point") == "Le Point via Actu Cameroun"
    assert voice_label(None, None) is None


def test_story_titles_site_name_stripped_from_story_title(seeded: Path) -> None:
    with Store(seeded) as store:
        gazette = next(v for v in stories.list_stories(store) if any(a.source == "gazette.txt" for a in v.articles))
    assert gazette.title == "Le maire de Nulle-Part inaugure la piscine"


def test_story_titles_one_title_everywhere(seeded: Path) -> None:
    """The store view, `vigie stories --json`, `vigie story --json`, the API list and story, the home card and the
    story page: one title, the view's (the summary's own headline does not replace it)."""
    seed = _seed_story(seeded)
    title = seed.title
    assert title and "Un autre titre" not in title
    with Store(seeded) as store:
        cached = stories.cached_story_detail(store, seed)
        assert cached is not None and cached.headline == title
        assert stories.story_detail(store, seed.id).headline == title

    runner = CliRunner()
    listed = runner.invoke(main, ["stories", "--db", str(seeded), "--json"])
    assert listed.exit_code == 0, listed.output
    assert next(s for s in json.loads(listed.output) if s["id"] == seed.id)["title"] == title
    shown = runner.invoke(main, ["story", seed.id, "--db", str(seeded), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["headline"] == json.loads(shown.output)["title"] == title
    text = runner.invoke(main, ["stories", "--db", str(seeded)]).output
    assert "None" not in text

    with TestClient(create_app(str(seeded), token=None)) as client:
        api_list = client.get("/api/stories").json()["items"]
        assert next(s for s in api_list if s["id"] == seed.id)["title"] == title
        api_story = ready(client, f"/api/stories/{seed.id}").json()
        assert api_story["headline"] == api_story["title"] == title
        home = client.get("/").text
        card = home[home.index(f'id="s-{seed.id}"'):]
        card = card[: card.index("</article>")]
        assert re.search(r"<h2><a [^>]*>([^<]*)</a>", card)[1] == title.replace("'", "&#39;")
        # The seed story's summary, made at ingest, is on the first view of a fresh server.
        assert "Moscou rompt avec l&#39;Otan." in card
        page = client.get(f"/stories/{seed.id}").text
        assert re.search(r"<h1>([^<]*)</h1>", page)[1] == title.replace("'", "&#39;")
