"""Timeline: merge across outlets, disagreements on dates, no merge of different facts."""

from __future__ import annotations

from vigie.understand.events import Fact
from vigie.understand.timeline import build_timeline, same_fact


def _f(date: str, text: str, content: set[str], numbers: set[int] = frozenset(), actions: set[str] = frozenset(), actor: str | None = None) -> Fact:  # type: ignore[assignment]
    precision = {4: "year", 7: "month", 10: "day"}[len(date)]
    return Fact(date, precision, text, set(content), set(numbers), set(actions), actor=actor)


REDUCE_A = _f("2021-10-05", "L'Otan a décidé le 5 octobre de réduire de 20 à 10 le personnel.", {"reduire", "personnel", "mission", "@otan"}, {20, 10}, {"REDUCE_RELATIONS"}, "Otan")
REDUCE_B = _f("2021-10-07", "Le 7 octobre 2021, ce nombre a été réduit et ramené à 10.", {"reduire", "nombre", "ramener"}, {10}, {"REDUCE_RELATIONS"})


def test_understand_timeline_date_disagreement() -> None:
    entries, dis = build_timeline([("001", REDUCE_A), ("003", REDUCE_B)])
    assert len(dis) == 1
    assert dis[0].values == [{"value": "2021-10-05", "sources": ["001"]}, {"value": "2021-10-07", "sources": ["003"]}]
    assert [e.date for e in entries] == ["2021-10-05", "2021-10-07"]


def test_understand_timeline_same_date_merges_sources() -> None:
    a = _f("2021-10-18", "La Russie a annoncé lundi 18 octobre suspendre sa mission.", {"annoncer", "suspendre", "mission", "@russie"}, actions={"REDUCE_RELATIONS"}, actor="Russie")
    b = _f("2021-10-18", "Le lundi 18 octobre, la Russie a annoncé qu'elle suspendrait sa mission.", {"annoncer", "suspendre", "mission", "@russie"}, actions={"REDUCE_RELATIONS"}, actor="Russie")
    entries, dis = build_timeline([("000", a), ("003", b)])
    assert dis == []
    assert len(entries) == 1 and entries[0].sources == ["000", "003"]


def test_understand_timeline_contradicting_numbers_are_different_facts() -> None:
    a = _f("2021-10", "L'Otan a expulsé huit diplomates.", {"expulser", "diplomate", "@otan"}, {8}, {"EXPEL"}, "Otan")
    b = _f("2021-10", "L'Otan a expulsé sept diplomates.", {"expulser", "diplomate", "@otan"}, {7}, {"EXPEL"}, "Otan")
    assert not same_fact(a, b)


def test_understand_timeline_far_dates_are_not_a_disagreement() -> None:
    a = _f("2018-03", "En mars 2018, l'Otan a expulsé sept diplomates.", {"expulser", "diplomate", "mission"}, {7}, {"EXPEL"}, "Otan")
    b = _f("2021-10-05", "Le 5 octobre, l'Otan a expulsé sept diplomates.", {"expulser", "diplomate", "mission"}, {7}, {"EXPEL"}, "Otan")
    _, dis = build_timeline([("a", a), ("b", b)])
    assert dis == []


def test_understand_timeline_one_sentence_one_entry() -> None:
    text = "En septembre 2021, après une interview en décembre 2019, Guerassimov a rencontré Milley."
    a = _f("2021-09", text, {"rencontrer", "@guerassimov", "@milley"}, actions={"CONSULT"}, actor="Guerassimov")
    b = _f("2019-12", text, {"rencontrer", "interview", "@guerassimov"})
    entries, _ = build_timeline([("003", a), ("003", b)])
    assert [(e.date, e.sources) for e in entries] == [("2021-09", ["003"])]


def test_understand_timeline_background_apart_from_span() -> None:
    from datetime import date

    old = _f("1949", "L'alliance mise en place en 1949 avait démontré son refus.", {"alliance", "refus", "demontrer"})
    now = _f("2021-10-18", "La Russie a annoncé lundi 18 octobre suspendre sa mission.", {"annoncer", "suspendre", "mission"})
    run_up = _f("2021-10-05", "L'Otan a décidé le 5 octobre de réduire le personnel.", {"reduire", "personnel", "decider"})
    entries, _ = build_timeline([("a", old), ("a", now), ("b", run_up)], [date(2021, 10, 19), date(2021, 10, 21)])
    assert [(e.date, e.background) for e in entries] == [("1949", True), ("2021-10-05", False), ("2021-10-18", False)]
    assert entries[0].to_dict()["background"] is True


def test_understand_timeline_span_without_publication_dates() -> None:
    from vigie.understand.timeline import story_span

    facts = [("a", _f(d, "x", {"x"})) for d in ("2008-07-02", "2008-07-03", "2008-06-20", "2002-02-23")]
    span = story_span(facts)
    assert span is not None and span[0].year == 2008 and span[0] <= span[1]
    assert story_span([]) is None


# --- years of undated text inferred from the story's cited dates ---


def test_timeline_undated_article_takes_the_story_year() -> None:
    # Article a gives "le 2 juillet" and nothing else; article b cites "le 6 février 2008": the release is 2008.
    a = Fact("--07-02", "day", "Ingrid Betancourt a été libérée le 2 juillet.", {"liberer", "@ingrid betancourt"},
             date_text="le 2 juillet")
    b = Fact("2008-02-06", "day", "Le 6 février 2008, des marches ont eu lieu.", {"marche"}, cited=True)
    entries, _ = build_timeline([("a", a), ("b", b)])
    assert [(e.date, e.sources) for e in entries] == [("2008-02-06", ["b"]), ("2008-07-02", ["a"])]


def test_timeline_undated_article_takes_the_story_publication() -> None:
    from datetime import date

    a = Fact("--10-05", "day", "L'Otan a décidé le 5 octobre de réduire la mission.", {"reduire"}, date_text="le 5 octobre")
    b = Fact("2019-12-10", "day", "Une interview le 10 décembre 2019.", {"interview"}, cited=True)
    entries, _ = build_timeline([("a", a), ("b", b)], [date(2021, 10, 19)])
    assert ("2021-10-05", ["a"]) in [(e.date, e.sources) for e in entries]


def test_timeline_undated_without_reference_is_left_out() -> None:
    a = Fact("--07-02", "day", "Libérée le 2 juillet.", {"liberer"}, date_text="le 2 juillet")
    assert build_timeline([("a", a)]) == ([], [])


def test_timeline_reference_day_prefers_days_then_years() -> None:
    from datetime import date

    from vigie.understand.timeline import reference_day

    year = Fact("2015", "year", "en 2015", set(), cited=True)
    month = Fact("2021-10", "month", "Octobre 2021", set(), cited=True)
    inferred = Fact("2022-03-01", "day", "le 1er mars", set())  # placed by inference: not a cited year
    assert reference_day([("a", year), ("b", month), ("c", inferred)]) == date(2021, 10, 15)
    assert reference_day([("a", year)]) == date(2015, 7, 2)
