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
