"""Date finder: each French pattern, normalised against a publication date."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.understand.dates import find_dates

PUB = "2021-10-19T17:11+02:00"  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("La Russie a annoncé lundi 18 octobre 2021 sa décision.", "2021-10-18", "day"),
        ("L'Otan a décidé le 5 octobre de réduire la mission.", "2021-10-05", "day"),
        ("La mesure prendra effet le 1er novembre.", "2021-11-01", "day"),
        ("La suspension interviendra début novembre.", "2021-11", "month"),
        ("En mars 2018, l'Otan a expulsé sept diplomates.", "2018-03", "month"),
        ("Il y a deux ans, la Russie avait proposé un accord.", "2019", "year"),
        ("Les contacts sont restreints depuis 2014.", "2014", "year"),
        ("Il a déclaré mercredi que le dialogue continuerait.", "2021-10-13", "day"),
        ("Il a parlé hier aux journalistes.", "2021-10-18", "day"),
        ("Le 7 octobre 2021, ce nombre a été réduit.", "2021-10-07", "day"),
        ("Au début du mois, l'Otan avait expulsé huit diplomates.", "2021-10", "month"),
    ],
)
def test_understand_dates_patterns(text: str, expected: str, precision: str) -> None:
    found = find_dates(text, PUB)
    assert [(d.date, d.precision) for d in found] == [(expected, precision)]


def test_understand_dates_weekday_is_on_or_before_publication() -> None:
    assert find_dates("Il a parlé mardi.", PUB)[0].date == "2021-10-19"


def test_understand_dates_la_veille_follows_the_last_day() -> None:
    found = find_dates("Dans une interview le 6 octobre, il a rappelé ce qui s'était dit la veille.", "2021-10-07")
    assert [d.date for d in found] == ["2021-10-06", "2021-10-05"]


def test_understand_dates_without_publication_keeps_absolute_dates() -> None:
    found = find_dates("Le lundi 18 octobre 2021, Moscou a réagi ; effet le 1er novembre ; hier encore.", None)
    by_text = {d.text.strip(): d.date for d in found}
    assert by_text["Le lundi 18 octobre 2021"] == "2021-10-18"
    assert by_text["le 1er novembre"] == "2021-11-01"  # placed by the article's own full date
    assert by_text["hier"] is None


def test_understand_dates_year_less_day_near_new_year() -> None:
    assert find_dates("Il l'a dit le 30 décembre.", "2022-01-03")[0].date == "2021-12-30"


def test_understand_dates_ignores_chaque_weekday_and_plain_numbers() -> None:
    assert find_dates("Recevez chaque mardi nos nouvelles ; 2000 soldats.", PUB) == []


@given(st.text(max_size=200))
def test_understand_dates_never_crashes(text: str) -> None:
    for d in find_dates(text, PUB):
        assert d.precision in {"day", "month", "year"}


# --- years of undated text inferred from the cited dates ---


def test_dates_undated_yearless_day_stays_partial() -> None:
    from vigie.understand.dates import find_dates

    (d,) = find_dates("Elle a été libérée le 2 juillet.")
    assert (d.date, d.partial) == (None, "--07-02")


def test_dates_undated_month_with_year_places_yearless_days() -> None:
    from vigie.understand.dates import find_dates

    found = find_dates("En octobre 2021, la rupture. Le 18 octobre, Moscou suspend sa mission; début novembre, elle ferme.")
    assert [d.date for d in found] == ["2021-10", "2021-10-18", "2021-11"]


def test_dates_undated_weekday_picks_the_year() -> None:
    from vigie.understand.dates import find_dates

    # 1 September fell on a Monday in 2008, not in 2007 (the closer year to 6 February 2008).
    found = find_dates("Le 6 février 2008, il l'avait promis. Lundi 1er septembre, il est rentré.")
    assert [d.date for d in found] == ["2008-02-06", "2008-09-01"]


def test_dates_weekday_ignored_when_published() -> None:
    from vigie.understand.dates import find_dates

    # With a publication date, the closest year wins even if the weekday is wrong (a typo, not another year).
    assert [d.date for d in find_dates("Lundi 2 septembre, il est rentré.", "2008-09-05")] == ["2008-09-02"]


def test_dates_place_partial() -> None:
    from datetime import date

    from vigie.understand.dates import place_partial

    assert place_partial("--07-02", date(2008, 2, 6)) == "2008-07-02"
    assert place_partial("--12-30", date(2009, 1, 3)) == "2008-12-30"
    assert place_partial("--11", date(2021, 10, 19)) == "2021-11"
    assert place_partial("--07-02", date(2014, 3, 1), "le mercredi 2 juillet") == "2014-07-02"
    assert place_partial("--07-02", date(2009, 3, 1), "le mercredi 2 juillet") == "2008-07-02"
