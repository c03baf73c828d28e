"""Story records: to_dict() gives the JSON shape (keys and order) the CLI and API print, from_dict reads it back;
entity and outlet views from the library; the LLM endpoint is passed in, never read by the story stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.errors import NotFoundError
from vigie.models import Article, RawDocument
from vigie.pipeline import ingest
from vigie.store import Store
from vigie.stories.views import EventView, StoryArticle, StoryView, outlet_view, outlet_views
from vigie.text import slug
from vigie.understand.entities import Entity
from vigie.understand.summarize import SummarySentence
from vigie.understand.timeline import Disagreement, TimelineEntry
from vigie.understand.views import (
    Coverage,
    CoverageFact,
    EventDetail,
    OutletProfile,
    OutletQuote,
    PoliticalEvent,
    StoryDetail,
    StoryQuote,
    entity_from_details,
)

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

VIEW_KEYS = ["id", "title", "articles", "events", "outlets", "first_published", "last_published", "media"]
DETAIL_KEYS = [*VIEW_KEYS, "headline", "summary", "abstract", "sentences", "entities", "quotes", "timeline",
               "political_events", "disagreements", "coverage", "notes", "chronology"]


def _view() -> StoryView:
    return StoryView(
        id="s-1",
        title="Moscou suspend sa mission",
        articles=[StoryArticle("a1", "x/001.txt", "Titre 1", "Sputnik France", None, "2021-10-18T10:00:00+02:00"),
                  StoryArticle("a2", "x/002.txt", "Titre 2", "Actu Cameroun", "Le Point", "2021-10-19", None),
                  StoryArticle("a3", "x/copy.txt", "Titre 1", "Sputnik France", None, None, "a1")],
        events=[EventView("e-1", "Titre 1", ["a1", "a3"]), EventView("e-2", None, ["a2"])],
        outlets=["Sputnik France", "Actu Cameroun", "Le Point"],
        first_published="2021-10-18T10:00:00+02:00",
        last_published="2021-10-19",
    )


def _detail() -> StoryDetail:
    view = _view()
    act = PoliticalEvent("Russie", "REDUCE_RELATIONS", "Otan", "La Russie suspend sa mission", "2021-10-18", "a1",
                         False, "asserted")
    return StoryDetail(
        story=view,
        events=[EventDetail("e-1", "Titre 1", ["a1", "a3"], "Moscou suspend", "La Russie suspend sa mission.", [act]),
                EventDetail("e-2", None, ["a2"])],
        headline="Moscou suspend sa mission",
        summary="La Russie suspend sa mission.",
        abstract=None,
        sentences=[SummarySentence("La Russie suspend sa mission.", ["a1", "a2"])],
        entities=[Entity("Jens Stoltenberg", "PER", 4), Entity("Otan", "ORG", 9)],
        quotes=[StoryQuote("Jens Stoltenberg", "Nous regrettons", "a1", "direct"),
                StoryQuote(None, "Rien à rompre", "a2", "indirect")],
        timeline=[TimelineEntry("2021-10-18", "day", "La Russie suspend sa mission", ["a1", "a2"])],
        political_events=[act],
        disagreements=[Disagreement("date", [{"value": "2021-10-05", "sources": ["a1"]},
                                             {"value": "2021-10-07", "sources": ["a2"]}])],
        coverage=Coverage(
            outlets=[OutletProfile("Sputnik France", ["a1"], "2021-10-18T10:00:00+02:00", True, "RU", "Rossiya Segodnya",
                                   "state", True, [OutletQuote("Jens Stoltenberg", "Nous regrettons")],
                                   ["Jens Stoltenberg: « Nous regrettons »"], []),
                     OutletProfile("Le Point via Actu Cameroun", ["a2"], "2021-10-19")],
            facts=[CoverageFact("quote", "Jens Stoltenberg: « Nous regrettons »", "Nous regrettons",
                                ["Sputnik France"], ["a1"])],
            only={"Sputnik France": ["Jens Stoltenberg: « Nous regrettons »"], "Le Point via Actu Cameroun": []},
            missing={"Sputnik France": [], "Le Point via Actu Cameroun": []},
            first="Sputnik France",
            disagreements=[Disagreement("date", [{"value": "2021-10-05", "sources": ["a1"]}])],
        ),
        notes=["a3: no NER for language 'en': entities, quotes, dates and events skipped"],
    )


def test_story_views_story_view_round_trip() -> None:
    v = _view()
    d = v.to_dict()
    assert list(d) == VIEW_KEYS
    assert list(d["articles"][0]) == ["id", "source", "title", "outlet", "original_outlet", "published",
                                      "duplicate_of"]
    assert d["events"][1] == {"id": "e-2", "title": None, "articles": ["a2"]}
    assert StoryView.from_dict(d) == v
    assert StoryView.from_dict(json.loads(json.dumps(d))).to_dict() == d
    assert v.voices == 2 and v.article_ids == ["a1", "a2", "a3"]


def test_story_views_detail_round_trip_and_key_order() -> None:
    detail = _detail()
    d = detail.to_dict()
    assert list(d) == DETAIL_KEYS
    # The detailed events replace the view's in place; one without a voice has no headline or summary keys.
    assert list(d["events"][0]) == ["id", "title", "articles", "headline", "summary", "actions"]
    assert list(d["events"][1]) == ["id", "title", "articles", "actions"]
    assert list(d["political_events"][0]) == ["actor", "action", "label", "target", "text", "date", "article",
                                              "negated", "modality"]
    assert d["quotes"][1] == {"speaker": None, "text": "Rien à rompre", "article": "a2", "kind": "indirect"}
    assert list(d["coverage"]) == ["outlets", "facts", "only", "missing", "first", "disagreements"]
    assert list(d["coverage"]["outlets"][0]) == ["name", "articles", "first", "first_to_report", "country", "owner",
                                                 "funding", "state_affiliated", "quotes", "only", "missing"]
    assert list(d["coverage"]["facts"][0]) == ["kind", "label", "text", "outlets", "sources"]
    back = StoryDetail.from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert back == detail
    assert back.to_dict() == d
    # The cached part plus a current view make the same record (how the store's cache is read).
    assert StoryDetail.from_dict(json.loads(json.dumps(detail.details_dict())), story=_view()) == detail
    assert (detail.id, detail.title, detail.outlets, detail.first_published) == (
        "s-1", "Moscou suspend sa mission", ["Sputnik France", "Actu Cameroun", "Le Point"],
        "2021-10-18T10:00:00+02:00")


def test_story_views_bare_detail_has_every_key_and_nothing_computed() -> None:
    bare = StoryDetail.bare(_view())
    d = bare.to_dict()
    assert list(d) == DETAIL_KEYS
    assert d["events"] == [{"id": "e-1", "title": "Titre 1", "articles": ["a1", "a3"], "actions": []},
                           {"id": "e-2", "title": None, "articles": ["a2"], "actions": []}]
    assert (d["headline"], d["summary"], d["coverage"], d["quotes"], d["notes"]) == (None, None, None, [], [])
    assert StoryDetail.from_dict(d) == bare


def test_story_views_from_dict_fills_missing_keys_with_defaults() -> None:
    view = _view().to_dict()
    d = StoryDetail.from_dict({**view, "headline": "H", "coverage": {"outlets": [{"name": "X"}]}})
    assert d.headline == "H" and d.summary is None and d.quotes == []
    assert [e.actions for e in d.events] == [[], []]  # the view's events, not detailed
    assert d.coverage is not None and d.coverage.outlets == [OutletProfile("X")]


def test_story_views_entity_across_details() -> None:
    one = _detail()
    other = StoryDetail.from_dict({
        **StoryView("s-2", "Autre").to_dict(), "headline": "Deuxième",
        "entities": [{"name": "Stoltenberg", "type": "PER", "count": 1}, {"name": "Jens Stoltenberg", "type": "PER",
                                                                          "count": 2}],
        "quotes": [{"speaker": "Jens Stoltenberg", "text": "Encore", "article": "b1", "kind": "direct"}],
    })
    e = entity_from_details("jens-stoltenberg", [one, other])
    d = e.to_dict()
    assert list(d) == ["id", "name", "names", "types", "stories", "quotes", "status"] and d["status"] == "ready"
    assert (d["name"], d["names"], d["types"]) == ("Jens Stoltenberg", ["Jens Stoltenberg"], ["PER"])
    assert d["stories"] == [
        {"id": "s-1", "title": "Moscou suspend sa mission", "mentions": 4, "quotes": 1,
         "first_published": "2021-10-18T10:00:00+02:00", "last_published": "2021-10-19", "articles": None,
         "status": "ready"},
        {"id": "s-2", "title": "Deuxième", "mentions": 2, "quotes": 1, "first_published": None,
         "last_published": None, "articles": None, "status": "ready"}]
    assert d["quotes"][1] == {"speaker": "Jens Stoltenberg", "text": "Encore", "article": "b1", "kind": "direct",
                              "story": "s-2", "story_title": "Deuxième"}
    only_quoted = entity_from_details(slug("Sergueï Lavrov"), [StoryDetail.from_dict({
        "id": "s-3", "quotes": [{"speaker": "Sergueï Lavrov", "text": "Rien", "article": "c1"}]})])
    assert (only_quoted.name, only_quoted.types, only_quoted.stories[0].mentions) == ("Sergueï Lavrov", [], 0)
    with pytest.raises(NotFoundError, match="no entity nobody"):
        entity_from_details("nobody", [one, other])


@pytest.fixture(scope="module")
def seeds_store() -> Store:
    store = Store(":memory:")
    ingest(store, [str(SEEDS)])
    raw = RawDocument(source="x.txt", format="text", content="Le maire a parlé hier soir devant le conseil.")
    store.add(raw, Article(id=raw.id, source="x.txt", title="Le maire", body="Le maire a parlé.",
                           outlet="Gazette de Nulle Part", published="2024-01-02T10:00:00"))
    return store


def test_story_views_outlets_registry_and_store(seeds_store: Store) -> None:
    every = outlet_views(seeds_store)
    present = outlet_views(seeds_store, present=True)
    assert len(every) > len(present) and all(o.articles + o.reprints > 0 for o in present)
    by_name = {o.name: o for o in present}
    sputnik = by_name["Sputnik France"]
    assert sputnik.registered and sputnik.id == "sputnik-france" and sputnik.articles == 3
    assert sputnik.to_dict()["state_affiliated"] is True and sputnik.to_dict()["country"] == "RU"
    unknown = by_name["Gazette de Nulle Part"]
    assert not unknown.registered
    # Key orders as the API has always given them: the list entry and the profile differ for an unknown outlet.
    assert list(unknown.to_dict()) == ["name", "id", "registered", "articles", "state_affiliated", "reprints"]
    assert list(unknown.profile_dict()) == ["name", "state_affiliated", "id", "registered", "articles", "reprints"]
    assert sputnik.profile_dict() == sputnik.to_dict()
    sizes = [o.articles + o.reprints for o in present]
    assert sizes == sorted(sizes, reverse=True)


def test_story_views_outlets_are_never_authors_or_urls_and_list_reprinted_outlets(seeds_store: Store) -> None:
    """The seed reprint "Le Point via Actu Cameroun" lists both: Actu Cameroun published it, Le Point wrote it."""
    by_name = {o.name: o for o in outlet_views(seeds_store, present=True)}
    assert (by_name["Actu Cameroun"].articles, by_name["Actu Cameroun"].reprints) == (1, 0)
    assert (by_name["Le Point"].articles, by_name["Le Point"].reprints) == (0, 1)
    assert by_name["Le Point"].to_dict()["reprints"] == 1
    assert not [n for n in by_name if "://" in n or n.startswith("www.")]
    page = outlet_view(seeds_store, "le-point")
    assert [a.outlet for a in page.articles] == ["Actu Cameroun"] and page.outlet.articles == 0


def test_story_views_outlet_page(seeds_store: Store) -> None:
    page = outlet_view(seeds_store, "sputnik-france")
    assert page.outlet.name == "Sputnik France" and page.outlet.articles == len(page.articles) == 3
    dates = [a.published or "" for a in page.articles]
    assert dates == sorted(dates, reverse=True)
    assert outlet_view(seeds_store, "gazette-de-nulle-part").outlet.profile_dict()["registered"] is False
    with pytest.raises(NotFoundError, match="no outlet nowhere"):
        outlet_view(seeds_store, "nowhere")


@pytest.mark.slow
def test_story_views_llm_endpoint_is_passed_in(http_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The story stage never reads $VIGIE_LLM_URL: only the ``llm`` it is given makes an abstract."""
    from vigie.stories import list_stories, story_detail, update_stories
    from vigie.understand.abstractive import LLMConfig

    reply = {"choices": [{"message": {"role": "assistant", "content": "Moscou rompt avec l'Otan."}}]}
    http_server.routes["/v1/chat/completions"] = lambda _h: (200, {"Content-Type": "application/json"},
                                                            json.dumps(reply).encode())
    monkeypatch.setenv("VIGIE_LLM_URL", http_server.url + "/v1")
    store = Store(":memory:")
    ingest(store, [str(SEEDS)])
    update_stories(store)
    (story,) = list_stories(store)
    plain = story_detail(store, story.id, max_words=60)
    assert plain.abstract is None and http_server.requests == []
    rewritten = story_detail(store, story.id, max_words=60, llm=LLMConfig(url=http_server.url + "/v1", timeout=5))
    assert rewritten.abstract == "Moscou rompt avec l'Otan." and len(http_server.requests) == 1
    assert rewritten.summary == plain.summary and rewritten.quotes == plain.quotes
    again = story_detail(store, story.id, max_words=60, llm=LLMConfig(url=http_server.url + "/v1", timeout=5))
    assert again == rewritten and len(http_server.requests) == 1  # cached per endpoint
    assert story_detail(store, story.id, max_words=60) == plain


# -- any record survives its JSON ------------------------------------------------------------------------------

_text = st.text(max_size=12)
_opt = st.none() | _text
_ids = st.lists(_text, max_size=3)
_article = st.builds(StoryArticle, _text, _text, _opt, _opt, _opt, _opt, _opt)
_view_st = st.builds(StoryView, _text, _opt, st.lists(_article, max_size=3),
                     st.lists(st.builds(EventView, _text, _opt, _ids), max_size=2), _ids, _opt, _opt)
_action = st.builds(PoliticalEvent, _opt, _text, _opt, _text, _opt, _opt, st.booleans(), _opt)
# A detail's events are its view's events, detailed: a headline and summary come together (a summary always has a
# headline) or not at all.
_summary = st.just((None, None)) | st.tuples(_text, _text)


@st.composite
def _events_of(draw: st.DrawFn, view: StoryView) -> list[EventDetail]:
    return [EventDetail(e.id, e.title, list(e.articles), *draw(_summary), draw(st.lists(_action, max_size=2)))
            for e in view.events]


_disagreement = st.builds(Disagreement, _text, st.lists(st.fixed_dictionaries({"value": _text, "sources": _ids}),
                                                         max_size=2))
_profile = st.builds(OutletProfile, _text, _ids, _opt, st.booleans(), _opt, _opt, _opt, st.none() | st.booleans(),
                     st.lists(st.builds(OutletQuote, _opt, _text), max_size=2), _ids, _ids)
_coverage = st.builds(Coverage, st.lists(_profile, max_size=2),
                      st.lists(st.builds(CoverageFact, _text, _text, _text, _ids, _ids), max_size=2),
                      st.dictionaries(_text, _ids, max_size=2), st.dictionaries(_text, _ids, max_size=2), _opt,
                      st.lists(_disagreement, max_size=2))
_rest = st.tuples(
    _opt, _opt, _opt,
    st.lists(st.builds(SummarySentence, _text, _ids), max_size=2),
    st.lists(st.builds(Entity, _text, _text, st.integers(0, 50)), max_size=2),
    st.lists(st.builds(StoryQuote, _opt, _text, _opt, _opt), max_size=2),
    st.lists(st.builds(TimelineEntry, _text, _text, _text, _ids), max_size=2),
    st.lists(_action, max_size=2), st.lists(_disagreement, max_size=2), st.none() | _coverage, _ids,
)
_detail_st = _view_st.flatmap(lambda v: st.builds(lambda evs, rest: StoryDetail(v, evs, *rest), _events_of(v), _rest))


@settings(max_examples=60, deadline=None)
@given(_detail_st)
def test_story_views_any_detail_round_trips_through_json(detail: StoryDetail) -> None:
    d = detail.to_dict()
    back = StoryDetail.from_dict(json.loads(json.dumps(d)))
    assert back == detail and back.to_dict() == d
    assert StoryView.from_dict(json.loads(json.dumps(detail.story.to_dict()))) == detail.story
