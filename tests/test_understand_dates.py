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
