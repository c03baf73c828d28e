"""What the story page shows, from the story's records: grouping, capping, blindspots, French words and dates."""

from __future__ import annotations

import pytest

pytest.importorskip("babel")

from vigie.extract.outlets import Outlet, OutletRegistry
from vigie.serve import story_page as sp
from vigie.serve.i18n import translator
from vigie.stories.views import StoryArticle, StoryView
from vigie.understand.views import Coverage, CoverageFact, OutletProfile, PoliticalEvent, StoryQuote

REGISTRY = OutletRegistry([
    Outlet("Sputnik France", country="RU", owner="Rossiya Segodnya", funding="state"),
    Outlet("RT France", country="RU", owner="TV-Novosti", funding="state"),
    Outlet("Xinhua French", country="CN", owner="Xinhua", funding="state"),
    Outlet("Le Point", country="FR", owner="Artémis", funding="private"),
    Outlet("Le Monde", country="FR", owner="Groupe Le Monde", funding="private"),
    Outlet("Actu Cameroun", country="CM"),
])


def story(*outlets: str | tuple[str, str], copies: int = 0) -> StoryView:
    arts = []
    for i, o in enumerate(outlets):
        outlet, original = (o, None) if isinstance(o, str) else o
        arts.append(StoryArticle(id=f"a{i}", source=f"{i}.txt", outlet=outlet, original_outlet=original))
    arts += [StoryArticle(id=f"c{i}", source="c.txt", outlet="Le Monde", duplicate_of="a0") for i in range(copies)]
    return StoryView(id="s-x", articles=arts, outlets=sorted({a.outlet or "" for a in arts}))


def test_story_page_blindspots_from_the_registry() -> None:
    assert sp.blindspot(story("Sputnik France", "Xinhua French"), REGISTRY) == sp.Blindspot("state")
    assert sp.blindspot(story("Sputnik France", "RT France"), REGISTRY) == sp.Blindspot("state", "RU")
    assert sp.blindspot(story("Le Point", "Le Monde"), REGISTRY) == sp.Blindspot("country", "FR")
    assert sp.blindspot(story("Le Point", "Sputnik France"), REGISTRY) is None
    assert sp.blindspot(story("Le Point"), REGISTRY) is None  # one outlet of one country: no pattern yet
    assert sp.blindspot(story("Sputnik France", "Unknown Blog"), REGISTRY) is None  # the unknown may break it
    # A near copy is no voice; a reprint speaks with its original's voice.
    assert sp.blindspot(story("Sputnik France", copies=2), REGISTRY) == sp.Blindspot("state", "RU")
    assert sp.blindspot(story(("Actu Cameroun", "Le Point"), "Le Monde"), REGISTRY) == sp.Blindspot("country", "FR")
    assert sp.state_voices(story("Sputnik France", "Xinhua French", "Le Point"), REGISTRY) == 2
    assert sp.countries_of(story("Sputnik France", "RT France", "Le Point"), REGISTRY) == ["RU", "FR"]


def test_story_page_coverage_bars_count_voices() -> None:
    groups = sp.coverage_bars(story("Sputnik France", "RT France", "Le Point", "Unknown Blog", copies=3), REGISTRY,
                              country_name=lambda c: translator("fr").label("country", c), unknown="Inconnu",
                              state="Médias d'État", independent="Hors État")
    by = {g.key: [(b.label, b.count, b.percent, b.kind) for b in g.bars] for g in groups}
    assert by["country"] == [("Russie", 2, 50, ""), ("France", 1, 25, ""), ("Inconnu", 1, 25, "unknown")]
    assert by["state"] == [("Médias d'État", 2, 50, "state"), ("Hors État", 1, 25, "independent"),
                           ("Inconnu", 1, 25, "unknown")]
    assert [b.label for b in groups[1].bars][-1] == "Inconnu"  # unknown owners last


def test_story_page_speakers_grouped_and_capped() -> None:
    quotes = [StoryQuote("Lavrov", f"l{i}", "a0") for i in range(5)] + [StoryQuote(None, "x"), StoryQuote("Maas", "m")]
    quotes += [StoryQuote("Peskov", "p1"), StoryQuote("Peskov", "p2")]
    groups = sp.speakers(quotes)
    assert [(g.name, len(g.quotes), g.open) for g in groups] == [("Lavrov", 5, True), ("Peskov", 2, True),
                                                                 ("Maas", 1, False), (None, 1, False)]
    assert [q.text for q in groups[0].shown] == ["l0", "l1", "l2"] and len(groups[0].more) == 2


def test_story_page_political_rows_resolved_and_merged() -> None:
    events = [PoliticalEvent("Otan", "EXPEL", "Russie", "t1", "2021-10", "a1", label="expulsion"),
              PoliticalEvent("Otan", "EXPEL", "Russie", "t2", "2021-10", "a2", label="expulsion"),
              PoliticalEvent(None, "ACCUSE", "Moscou", "t3", None, "a1", label="accusation"),
              PoliticalEvent("France", "PROTEST", None, "t4", None, "a1", label="protestation"),
              PoliticalEvent("Russie", "REDUCE_RELATIONS", "Otan", "t5", "2021-10-18", "a3")]
    rows = sp.political_rows(events)
    assert [(r.date, r.actor, r.label, r.target, r.articles) for r in rows] == [
        ("2021-10", "Otan", "expulsion", "Russie", ["a1", "a2"]),
        ("2021-10-18", "Russie", "reduce relations", "Otan", ["a3"])]


def test_story_page_outlet_facts_in_french_kinds() -> None:
    facts = [CoverageFact("timeline", "1949 — old", "old"), CoverageFact("timeline", "2021-10-18 — new", "new"),
             CoverageFact("quote", "Lavrov: « q »", "q"), CoverageFact("weird", "w", "w")]
    cov = Coverage(outlets=[OutletProfile("Le Point via Actu Cameroun", ["a1"], country="FR", state_affiliated=False),
                            OutletProfile("Sputnik France", ["a2", "a3"], country="RU", state_affiliated=True)],
                   facts=facts, only={"Le Point via Actu Cameroun": ["1949 — old", "2021-10-18 — new",
                                                                     "Lavrov: « q »", "w", "extra"]},
                   missing={"Sputnik France": []})
    rows = sp.outlet_facts(cov, slugs={"actu-cameroun", "sputnik-france"}, slug=lambda n: n.lower().replace(" ", "-"),
                           country_name=lambda c: translator("fr").label("country", c), background={"old"})
    point, sputnik = rows
    assert point.slug == "actu-cameroun" and point.country == "France"  # a reprint links to its publisher
    assert [(f.kind, f.label) for f in point.only_shown] == [("timeline", "2021-10-18 — new"), ("quote", "Lavrov: « q »"),
                                                              ("fact", "w")]  # the story's own days before history
    assert [f.label for f in point.only_more] == ["extra", "1949 — old"]
    assert sputnik.missing == [] and sputnik.articles == 2 and sputnik.state_affiliated


def test_story_page_words_and_dates() -> None:
    fr, en = sp.counter(translator("fr"), "fr"), sp.counter(translator("en"), "en")
    assert [fr(n, "quote") for n in (0, 1, 2)] == ["0 citation", "1 citation", "2 citations"]
    assert [en(n, "quote") for n in (0, 1, 2)] == ["0 quotes", "1 quote", "2 quotes"]
    assert fr(3, "outlet") == "3 médias" and fr(1, "source") == "1 source"
    assert sp.human_date("2021-10-18T12:22:00+02:00", "fr") == "18 oct. 2021"
    assert sp.human_date("2021-10", "fr") == "oct. 2021" and sp.human_date("1949", "fr") == "1949"
    assert sp.human_date("2021-13-45", "fr") == "2021-13-45" and sp.human_date(None, "fr") == ""
    assert sp.human_date("2021-10-18", "en") == "18 Oct 2021"
