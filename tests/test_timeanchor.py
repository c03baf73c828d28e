"""The mentioned-date finder and the time anchor it gives undated articles."""

from __future__ import annotations

import pytest

from vigie.stories.timeanchor import TimeAnchor, anchor_distance, find_dates, parse_published, time_anchor


def test_timeanchor_finds_french_day_month_and_weekday() -> None:
    found = find_dates("Les otages ont été libérés le mercredi 2 juillet, puis reçus à l'Élysée le 4 juillet 2008.")
    assert [(m.kind, m.day, m.month, m.year) for m in found] == [("day", 2, 7, None), ("day", 4, 7, 2008)]


def test_timeanchor_finds_months_years_and_numeric_dates() -> None:
    text = "Fin décembre, le budget de 2009 sera voté ; la loi d'octobre 2008 s'applique depuis le 01/11/2008."
    kinds = [(m.kind, m.month, m.year) for m in find_dates(text)]
    assert ("month", 12, None) in kinds
    assert ("year", None, 2009) in kinds
    assert ("month", 10, 2008) in kinds
    assert ("day", 11, 2008) in kinds


def test_timeanchor_finds_english_dates() -> None:
    found = find_dates("On Wednesday, July 2, 2008 the hostages were freed; talks resumed on 5 August.")
    assert [(m.day, m.month, m.year) for m in found] == [(2, 7, 2008), (5, 8, None)]


def test_timeanchor_marks_future_mentions() -> None:
    (m,) = find_dates("Le sommet se tiendra le 20 novembre prochain.")
    assert m.future


def test_timeanchor_latest_recent_mention_wins() -> None:
    text = "Libérée le 2 juillet, elle a passé l'été en famille. Lundi 1er septembre, elle a retrouvé Paris."
    assert time_anchor(text) == TimeAnchor(None, 9, 1, "mentioned")


def test_timeanchor_ignores_background_years_and_future() -> None:
    text = "Enlevée le 23 février 2002, elle a été libérée le 2 juillet. Un livre paraîtra le 20 novembre prochain."
    a = time_anchor(text)
    assert a is not None and (a.month, a.day) == (7, 2)


def test_timeanchor_latest_wraps_around_new_year() -> None:
    a = time_anchor("Annoncé le 28 décembre, le plan est entré en vigueur le 3 janvier.")
    assert a is not None and (a.month, a.day) == (1, 3)


def test_timeanchor_published_date_wins() -> None:
    a = time_anchor("Libérée le 2 juillet.", "2008-09-03T10:00+0200")
    assert a == TimeAnchor(2008, 9, 3, "published")


def test_timeanchor_none_without_dates() -> None:
    assert time_anchor("Aucune date ici, seulement des mots.") is None


def test_timeanchor_round_trip_and_distance() -> None:
    a, b = TimeAnchor(None, 12, 28), TimeAnchor(None, 1, 3)
    assert TimeAnchor.from_str(a.to_str()) == a
    assert TimeAnchor.from_str("2008-07-02") == TimeAnchor(2008, 7, 2, "published")
    assert anchor_distance(a, b) == 6.0  # on the yearly circle
    p = parse_published("2008-07-02")
    q = parse_published("2009-07-02")
    assert anchor_distance(p, q) == 365.0
    assert anchor_distance(a, None) is None


@pytest.mark.parametrize(
    ("text", "future"),
    [
        ("Le sommet UE-Chine, prévu le 1er décembre à Lyon, est reporté.", True),
        ("Le collectif se réunira le 25 septembre pour discuter.", True),
        ("La cour d'appel doit examiner le 14 mars une demande.", True),
        ("Le recours devra être déposé avant le 2 septembre.", True),
        ("Les Prud'hommes devraient examiner l'affaire le 18 avril.", True),
        ("Ce qui était prévu par le décret du 1er juillet a changé.", False),
        ("Le trader a été mis en examen le 30 octobre.", False),
        ("Mohamed avait été trouvé seul le 5 août.", False),
        ("Il a agi à partir du 15 septembre, sans mandat.", False),
    ],
)
def test_find_dates_flags_announced_days_as_future(text: str, future: bool) -> None:
    """A day announced by its clause does not bound the writing date from below (see time_anchor)."""
    (m,) = [d for d in find_dates(text) if d.kind == "day"]
    assert m.future is future
