"""Every page of a store built from the seeds, in French: no English left, no "None", plurals and codes in French."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from pagewait import ready
from vigie import stories
from vigie.pipeline import ingest
from vigie.serve import create_app
from vigie.store import Store
from vigie.text import slug

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

# English that a French page must never show, whoever wrote the template.
ENGLISH_ANYWHERE = ["date of", "unknown outlet", "(unattributed)", "story(ies)", "Russian state", "Chinese state",
                    "Pinault family", "no story", "no route", "no entity", "no outlet", "None"]
# And on the pages this catalogue's templates draw (home, story and search are drawn by story-page templates).
ENGLISH_OWN = ["Funding", "Owner", "Country", "State-affiliated", "agency", "newspaper", "broadcaster", "private",
               "public service", "Outlet not in the registry", "Request body", "Body:", "Tags", "original outlet",
               "Entity", "Stories", "mentions · 0 quotes", "News-story intelligence"]
WRONG_FRENCH = [
    re.compile(r"\b[01] (sources|médias|articles|mentions|citations|récits)\b"),  # French: 0 and 1 are singular
    re.compile(r"\b([2-9]|\d\d+) (source|média|article|mention|citation|récit)\b(?!-)"),
    re.compile(r"\b(PER|LOC|ORG|MISC)\b"),
    re.compile(r"médias:|Erreurs:|Récits:"),
]


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # Only ASCII white space is collapsed: str.split() would also eat the no-break spaces under test.
    return re.sub(r"[ \t\r\n]+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("i18n") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        stories.update_stories(store)
    with TestClient(create_app(str(db), token=None)) as c:
        yield c


@pytest.fixture(scope="module")
def urls(client: TestClient) -> dict[str, str]:
    story = client.get("/api/stories").json()["items"][0]
    detail = ready(client, f"/api/stories/{story['id']}").json()
    reprint = next(a for a in detail["articles"] if a["original_outlet"])
    person = next(e for e in detail["entities"] if e["type"] == "PER")
    outlets = client.get("/api/outlets?present=true").json()["items"]
    found = {"story": f"/stories/{story['id']}", "article": f"/articles/{reprint['id']}",
             "dated_article": f"/articles/{detail['articles'][-1]['id']}", "entity": f"/entities/{slug(person['name'])}",
             "outlets": "/outlets", "docs": "/docs", "home": "/", "search": "/search?q=Otan"}
    found.update({f"outlet:{o['id']}": f"/outlets/{o['id']}" for o in outlets})
    return found


OWN = ("article", "dated_article", "entity", "outlets", "docs")


def _get(client: TestClient, url: str, lang: str = "fr", status: int = 200) -> str:
    r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert r.status_code == status, (url, r.status_code)
    return _text(r.text)


def test_i18n_pages_french_has_no_english_left(client: TestClient, urls: dict[str, str]) -> None:
    for name, url in urls.items():
        text = _get(client, url)
        for phrase in ENGLISH_ANYWHERE:
            assert phrase not in text, (name, phrase)
        if name in OWN or name.startswith("outlet:"):
            for phrase in ENGLISH_OWN:
                assert phrase not in text, (name, phrase)
            for pattern in WRONG_FRENCH:
                assert not pattern.search(text), (name, pattern.search(text))


def test_i18n_pages_french_forms(client: TestClient, urls: dict[str, str]) -> None:
    sputnik = _get(client, "/outlets/sputnik-france")
    for expected in ("Pays Russie", "Propriétaire Rossiya Segodnya (État russe)", "Financement État",
                     "Type Agence de presse", "Langue Français", "Média d'État oui"):
        assert expected in sputnik, expected
    assert re.search(r"\d{1,2} oct\. 2021", sputnik)  # dates in French
    assert "Xinhua News Agency (État chinois)" in _get(client, "/outlets")
    entity = _get(client, urls["entity"])
    assert "Entité · Personne" in entity and re.search(r"\d+ mentions? · \d+ citations?", entity)
    article = _get(client, urls["article"])
    assert "(média d'origine\u202f: Le Point)" in article and "Langue Français" in article and "Mots-clés" in article
    assert re.search(r"Publié \d{1,2} octobre 2021 à \d\d:\d\d", _get(client, urls["dated_article"]))
    docs = _get(client, "/docs")
    assert "Les récits, les meilleurs d'abord" in docs and "Corps de la requête\u202f: application/json" in docs
    assert "Erreurs\u202f:" in docs
    story = _get(client, urls["story"])
    assert "date de l'événement — " in story  # the timeline's disagreement, written "date of: " by the library
    assert "Par propriétaire" in story and "(État russe)" in story and "Russie" in story  # the coverage bars


def test_i18n_pages_home_and_cards_in_french(client: TestClient, urls: dict[str, str]) -> None:
    """The home page, its story cards and its filters: French plurals and typography, no code, no empty option."""
    for url in ("/", "/?vue=angles-morts"):
        page = client.get(url + ("&" if "?" in url else "?") + "lang=fr").text
        text = _text(page)
        for phrase in [*ENGLISH_ANYWHERE, *ENGLISH_OWN, "Récits :", "Stories"]:
            assert phrase not in text, (url, phrase)
        for pattern in WRONG_FRENCH:
            assert not pattern.search(text), (url, pattern.search(text))
        assert "<option value=\"\"></option>" not in page
        assert '<option value="">Toutes les langues</option>' in page
        assert re.search(r'<option value="fr"( selected)?>français</option>', page, re.I)
        n = client.get("/api/stories?limit=100").json()["total"] if url == "/" else None
        if n is not None:
            assert f"{n} récit" in text
    home = client.get("/?lang=fr").text
    for story in client.get("/api/stories").json()["items"]:
        card = home[home.index(f'id="s-{story["id"]}"'):]
        card = _text(card[: card.index("</article>")])
        media = story["media"]
        assert f"{media} média{'s' if media > 1 else ''}" in card, (story["id"], card)
        if story["outlets"]:
            assert f"{media} média{'s' if media > 1 else ''}\u202f: " in card


def test_i18n_pages_errors_in_the_page_language(client: TestClient) -> None:
    assert "Erreur 404 Aucun récit s-nope" in _get(client, "/stories/s-nope", status=404)
    assert "Aucune page à l'adresse /nowhere" in _get(client, "/nowhere", status=404)
    assert "Aucune entité personne" in _get(client, "/entities/personne", status=404)
    assert "Error 404 no story s-nope" in _get(client, "/stories/s-nope", "en", status=404)
    api = client.get("/api/stories/s-nope?lang=fr").json()  # the API's messages stay English
    assert api["error"]["message"] == "no story s-nope"


def test_i18n_pages_english_uses_the_same_catalogue(client: TestClient, urls: dict[str, str]) -> None:
    sputnik = _get(client, "/outlets/sputnik-france", "en")
    for expected in ("Country Russia", "Funding State", "Type News agency", "Language French", "Oct 19, 2021"):
        assert expected in sputnik, expected
    assert "Entity · Person" in _get(client, urls["entity"], "en")
    for name, url in urls.items():
        assert "None" not in _get(client, url, "en"), name


def test_i18n_pages_language_menu(client: TestClient) -> None:
    page = client.get("/outlets?lang=fr").text
    menu = re.search(r'<nav class="langs"[^>]*>(.*?)</nav>', page, re.S)
    assert menu is not None and 'aria-label="Langue de l&#39;interface"' in page
    assert re.findall(r">(\w+)<", menu[1]) == ["FR", "EN"]
