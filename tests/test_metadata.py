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


# -- titles and outlets (issue #19 item 8) ----------------------------------------------------------------------

from vigie.extract.article import extract  # noqa: E402
from vigie.extract.html import extract_html  # noqa: E402
from vigie.extract.metadata import first_sentence, is_dateline, strip_site_name  # noqa: E402
from vigie.models import RawDocument  # noqa: E402

_BODY = "<p>" + "La réunion des ministres a duré toute la journée à Bruxelles, sans accord final. " * 6 + "</p>"


def _page(head: str, body: str = _BODY, h1: str | None = None) -> str:
    h = f"<h1>{h1}</h1>" if h1 else ""
    return f'<html lang="fr"><head>{head}</head><body><article>{h}{body}</article></body></html>'


@pytest.mark.parametrize(
    ("title", "names", "url", "expected"),
    [
        ("A Paris-8, un peu de tension - Bondy Blog", ["Bondy Blog"], None, "A Paris-8, un peu de tension"),
        ("La retraite est un archaïsme | AOC media - Analyse Opinion Critique", ["AOC media"], None,
         "La retraite est un archaïsme"),
        ("Le Point - La Russie réagit aux sanctions", ["Le Point"], None, "La Russie réagit aux sanctions"),
        ("Le ministre de la Santé démissionne – Le Monde.fr", [], "https://www.lemonde.fr/x", "Le ministre de la Santé démissionne"),
        ("La voix des nuls | ARTE Radio", [], "https://www.arteradio.com/son/1", "La voix des nuls"),
        # Not a site: a hyphen inside a word, a headline part, a colon.
        ("Covid-19 et infox : comment une rumeur devient réalité", ["Sciences et Avenir"], None,
         "Covid-19 et infox : comment une rumeur devient réalité"),
        ("Caisse d'Epargne - Le trader arrêté", ["Les Échos"], "https://www.lesechos.fr/x", "Caisse d'Epargne - Le trader arrêté"),
        ("La crise politique - Le Monde arabe en ébullition", [], "https://www.lemonde.fr/x",
         "La crise politique - Le Monde arabe en ébullition"),
        ("Un peu de tension à Paris-8 | Bondy Blog, le média des quartiers", ["Bondy Blog"], None,
         "Un peu de tension à Paris-8"),
        # Never down to a single word.
        ("Titre | Le Monde", ["Le Monde"], None, "Titre | Le Monde"),
    ],
)
def test_metadata_strip_site_name(title: str, names: list[str], url: str | None, expected: str) -> None:
    assert strip_site_name(title, names, url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("BOGOTA (Reuters) -", True), ("PARIS, 12 juin (AFP) —", True), ("Washington (AP) --", True),
     ("WASHINGTON (AP)", True), ("Sommet du G20 (Rome)", False), ("Guerre en Ukraine (vidéo) - Le Monde", False),
     ("Moscou réagit à l'expulsion de diplomates russes", False)],
)
def test_metadata_is_dateline(text: str, expected: bool) -> None:
    assert is_dateline(text) is expected


def test_metadata_first_sentence_skips_the_dateline() -> None:
    text = "BOGOTA (Reuters) - L'ex-otage a retrouvé ses enfants jeudi à Bogota. Elle était retenue depuis 2002."
    assert first_sentence(text) == "L'ex-otage a retrouvé ses enfants jeudi à Bogota."


def test_metadata_html_title_loses_its_site_suffix() -> None:
    page = _page('<title>Titre de la page - Bondy Blog</title><meta property="og:title" '
                 'content="Un peu de tension à Paris-8 - Bondy Blog"><meta property="og:site_name" content="Bondy Blog">')
    assert extract_html(page).title == "Un peu de tension à Paris-8"


def test_metadata_html_title_names_the_site_when_metadata_does_not() -> None:
    page = _page('<title>La voix des nuls | ARTE Radio</title><link rel="canonical" href="https://www.arteradio.com/son/61">')
    h = extract_html(page)
    assert (h.title, h.site_name) == ("La voix des nuls", "ARTE Radio")


def test_metadata_html_headline_printed_whole_is_kept() -> None:
    """The page's <h1> says the leading part belongs to the headline: it stays."""
    page = _page('<title>Welpen kaufen – Tipps zu jeder Hunderasse</title>'
                 '<meta property="og:site_name" content="Welpen kaufen">', h1="Welpen kaufen – Tipps zu jeder Hunderasse")
    assert extract_html(page).title == "Welpen kaufen – Tipps zu jeder Hunderasse"


def test_metadata_dateline_is_never_a_title() -> None:
    text = "BOGOTA (Reuters) -\nL'ex-otage Ingrid Betancourt a retrouvé ses enfants jeudi à Bogota. " + "Elle parle. " * 20
    a = extract(RawDocument(source="d.json", format="text", content=text, meta={"title": "BOGOTA (Reuters) -"}))
    assert a.title == "L'ex-otage Ingrid Betancourt a retrouvé ses enfants jeudi à Bogota."


def test_metadata_dispatch_headline_above_its_dateline() -> None:
    """An RPM2-shaped dispatch: headline, dateline, prose. The headline wins (the dateline is not title-like)."""
    text = ("Ingrid Betancourt, libérée, retrouve ses enfants\r\nBOGOTA (Reuters) -\n"
            "L'ex-otage Ingrid Betancourt, arrachée aux rebelles des Farc, a retrouvé ses enfants jeudi à Bogota.\r\n"
            "La Franco-Colombienne était retenue dans la jungle depuis le 23 février 2002 par les Farc, dont elle "
            "était l'otage la plus connue.\r\n")
    a = extract(RawDocument(source="T01.txt", format="text", content=text))
    assert a.title == "Ingrid Betancourt, libérée, retrouve ses enfants"


def test_metadata_outlet_never_a_url() -> None:
    page = _page('<title>Pétition : sauvons le choeur de Radio France</title>'
                 '<meta property="og:site_name" content="https://www.mesopinions.com/">'
                 '<link rel="canonical" href="https://www.mesopinions.com/petition/art-culture/x/1">')
    a = extract(RawDocument(source="p.html", format="html", content=page))
    assert a.outlet == "mesopinions.com"


def test_metadata_outlet_url_becomes_registered_outlet() -> None:
    text = "Un titre\nLe texte de l'article parle de la réunion des ministres de la Défense à Bruxelles. " * 3
    a = extract(RawDocument(source="x.json", format="text", content=text, meta={"outlet": "https://www.lemonde.fr/"}))
    assert a.outlet == "Le Monde"


def test_metadata_outlet_never_the_author() -> None:
    """A blog whose JSON-LD publisher is a person: the person is the author, the title names the site."""
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
          '"headline": "La voix des nuls", "author": {"@type": "Person", "name": "Kristen Falc\'hon"}, '
          '"publisher": {"type": "Person", "name": "Kristen Falc\'hon"}}</script>')
    page = _page(f'<title>La voix des nuls | ARTE Radio</title>{ld}'
                 '<link rel="canonical" href="https://www.arteradio.com/son/61">')
    a = extract(RawDocument(source="a.html", format="html", content=page))
    assert a.outlet != "Kristen Falc'hon"
    assert a.outlet in {"ARTE Radio", "Arte"}
    assert a.authors == ["Kristen Falc'hon"]


def test_metadata_declared_outlet_that_is_the_author_is_dropped() -> None:
    text = "Un titre\nLe texte de l'article parle de la réunion des ministres de la Défense à Bruxelles. " * 3
    a = extract(RawDocument(source="x.json", format="text", content=text,
                            meta={"outlet": "Jean Dupont", "authors": ["Jean Dupont"],
                                  "url": "https://blog.example.org/2021/10/x.html"}))
    assert a.outlet == "blog.example.org"


def test_metadata_reprint_keeps_publisher_and_original() -> None:
    text = ("La Russie réagit durement aux sanctions de l'OTAN - Le Point\n"
            + "Moscou a suspendu sa mission auprès de l'Otan, a annoncé lundi le ministre. " * 4
            + "\nSource : Le Point")
    a = extract(RawDocument(source="x.json", format="text", content=text,
                            meta={"url": "https://www.actucameroun.com/2021/10/19/la-russie-reagit/"}))
    assert (a.outlet, a.original_outlet) == ("Actu Cameroun", "Le Point")
    assert a.title == "La Russie réagit durement aux sanctions de l'OTAN"


def test_metadata_section_of_a_group_is_not_a_reprint() -> None:
    """DW Afrique (dw.com/fr) is a section of Deutsche Welle (dw.com): one voice, no original outlet."""
    page = _page('<title>Les éléphants en Guinée | DW | 23.05.2011</title><meta property="og:site_name" content="DW.COM">'
                 '<link rel="canonical" href="https://www.dw.com/fr/les-elephants/a-15098419">')
    a = extract(RawDocument(source="dw.html", format="html", content=page))
    assert (a.outlet, a.original_outlet) == ("DW Afrique", None)
