"""Metadata normalisation: dates are parsed, never invented; languages and lists are normalised."""

from __future__ import annotations

import pytest

from vigie.extract.metadata import as_list, detect_language, normalise_language, parse_datetime


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021-10-19T17:11+0200", "2021-10-19T17:11:00+02:00"),
        ("2021-10-19T17:11:05Z", "2021-10-19T17:11:05+00:00"),
        ("French.xinhuanet.com | Publié le 2021-10-21 à 09:50", "2021-10-21T09:50:00"),
        ("19.10.2021, Sputnik France", "2021-10-19"),
        ("Publié le 12 mars 2023 à 14h05, mis à jour le 13 mars", "2023-03-12T14:05:00"),
        ("le 1er novembre 2021", "2021-11-01"),
        ("October 21, 2021 at 9:50 pm", "2021-10-21T21:50:00"),
        ("Mis en ligne le mercredi 3 avril 2019", "2019-04-03"),
        ("2021-02-30", None),
    ],
)
def test_metadata_parse_datetime(text: str, iso: str | None) -> None:
    assert parse_datetime(text) == iso


@pytest.mark.parametrize("text", ["octobre 2021", "2021", "hier", "", "il y a deux ans", "1920 1080 true"])
def test_metadata_parse_datetime_never_invents(text: str) -> None:
    assert parse_datetime(text) is None


def test_metadata_language() -> None:
    assert detect_language("La Russie a annoncé suspendre sa mission auprès de l'Otan à Bruxelles.") == "fr"
    assert detect_language("Russia said on Monday it would suspend its mission to NATO in Brussels.") == "en"
    assert detect_language("ok") is None
    assert normalise_language("fr_FR") == "fr"
    assert normalise_language("EN-us") == "en"
    assert normalise_language("french") is None


def test_metadata_as_list() -> None:
    assert as_list("otan, russie, Otan") == ["otan", "russie"]
    assert as_list([{"name": "Anna Dedkova"}, "X"]) == ["Anna Dedkova", "X"]
    assert as_list(None) == []
