"""Seeds end to end through extraction: title, date, outlet, author and reprint credit for each article."""

from __future__ import annotations

from pathlib import Path

import pytest

import vigie
from vigie.extract import extract
from vigie.models import RawDocument

EXPECTED = {
    "000_4be715d5b9f8e314.txt": (
        "Otan-Russie: Paris déplore la rupture, pour Moscou il n’y avait \"rien à rompre\"",
        "2021-10-19T17:11:00+02:00", "Sputnik France", ["Anna Dedkova"], None,
    ),
    "001_37b476e53cd719ce.txt": (
        "Moscou réagit à l'expulsion de diplomates russes à l'Otan",
        "2021-10-07T12:22:00+02:00", "Sputnik France", ["Nikita Martynov"], None,
    ),
    "002_bd8ae65ee2c76035.txt": (
        "Tango d’un seul danseur, rien à rompre: Moscou décrit les liens avec l’Otan",
        "2021-10-19T22:22:00+02:00", "Sputnik France", [], None,
    ),
    "003_97844727ab504620.txt": (
        "La Russie réagit durement aux sanctions de l’OTAN", None, "Actu Cameroun", [], "Le Point",
    ),
    "004_d89e750bbe1b059c.txt": (
        "L'OTAN affirme chercher des moyens de dialoguer avec la Russie",
        "2021-10-21T09:50:00", "Xinhua French", [], None,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extract_seed_metadata(seeds_dir: Path, name: str) -> None:
    (article,) = vigie.extract_file(str(seeds_dir / name))
    title, published, outlet, authors, original = EXPECTED[name]
    assert article.title == title
    assert article.published == published
    assert article.outlet == outlet
    assert article.authors == authors
    assert article.original_outlet == original
    assert article.language == "fr"


def test_extract_seed_urls(seeds_dir: Path) -> None:
    (a,) = vigie.extract_file(str(seeds_dir / "000_4be715d5b9f8e314.txt"))
    assert a.url is not None and a.url.startswith("https://fr.sputniknews.com/20211019/")
    (b,) = vigie.extract_file(str(seeds_dir / "003_97844727ab504620.txt"))
    assert b.url is None  # the site's home page is not the article's address


def test_extract_container_meta_wins() -> None:
    doc = RawDocument(
        source="x.jsonl#L1", format="text",
        content="Un titre\nLe texte de l'article parle de la réunion des ministres de la Défense à Bruxelles.",
        meta={"title": "Titre déclaré", "url": "https://www.lemonde.fr/international/article/2021/10/19/x.html",
              "published": "2021-10-19T08:00:00+02:00", "authors": ["Jean Dupont"]},
    )
    a = extract(doc)
    assert (a.title, a.outlet, a.published, a.authors) == (
        "Titre déclaré", "Le Monde", "2021-10-19T08:00:00+02:00", ["Jean Dupont"])


def test_extract_agency_credit_is_original_outlet() -> None:
    text = (
        "Séisme au large du Japon\n\n"
        "TOKYO, 3 mars (Reuters) -- Un séisme de magnitude 6,1 a frappé mardi la côte est du Japon, sans faire de "
        "victimes selon les autorités locales, qui ont levé l'alerte au tsunami dans la soirée.\n\n"
        "Les transports ont été brièvement interrompus dans la région de Fukushima avant de reprendre normalement."
    )
    doc = RawDocument(source="x.txt", format="text", content=text,
                      meta={"url": "https://www.lemonde.fr/international/article/2023/03/03/seisme.html"})
    a = extract(doc)
    assert (a.outlet, a.original_outlet) == ("Le Monde", "Reuters")


def test_extract_no_text_is_input_error() -> None:
    with pytest.raises(vigie.InputError, match="no article text"):
        extract(RawDocument(source="e.html", format="html", content="<html><body></body></html>"))


def test_extract_rejects_non_web_urls() -> None:
    doc = RawDocument(source="x.jsonl#L1", format="text", content="Titre\n" + "Le conseil municipal a voté mardi le budget de la ville pour l année prochaine. " * 3,
                      meta={"url": "javascript:alert(1)"})
    a = extract(doc)
    assert a.url is None and a.outlet != "javascript"
