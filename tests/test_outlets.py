"""The outlet registry: shipped data, lookups by URL, name and mention, and the user's overlay file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import vigie
from vigie.errors import VigieError
from vigie.extract import outlets as outlets_module
from vigie.extract.outlets import FUNDINGS, TYPES, Outlet, OutletRegistry, domain_of

SHIPPED = Path(vigie.__file__).parent / "data" / "outlets.json"


@pytest.fixture(autouse=True)
def no_user_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keep the developer's own ~/.config/vigie/outlets.json and $VIGIE_OUTLETS out of every test."""
    monkeypatch.delenv(outlets_module.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    outlets_module._default_registry.cache_clear()
    yield
    outlets_module._default_registry.cache_clear()


@pytest.fixture
def registry() -> OutletRegistry:
    return OutletRegistry.load()


def names(found: list[Outlet]) -> list[str]:
    return [outlet.name for outlet in found]


def write_user_file(path: Path, entries: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


# --- shipped data ---------------------------------------------------------------------------------------------------


def test_outlets_shipped_has_at_least_60_entries(registry: OutletRegistry) -> None:
    assert len(registry) >= 60
    assert len(list(registry)) == len(registry)


def test_outlets_shipped_fields_are_valid_codes(registry: OutletRegistry) -> None:
    for outlet in registry:
        assert outlet.country is None or re.fullmatch(r"[A-Z]{2}", outlet.country), outlet
        assert outlet.language is None or re.fullmatch(r"[a-z]{2}", outlet.language), outlet
        assert outlet.funding is None or outlet.funding in FUNDINGS, outlet
        assert outlet.type is None or outlet.type in TYPES, outlet
        assert outlet.domains, f"{outlet.name} has no domain"


def test_outlets_shipped_no_domain_or_name_claimed_twice() -> None:
    entries = json.loads(SHIPPED.read_text(encoding="utf-8"))
    domains = [domain for entry in entries for domain in entry["domains"]]
    assert len(domains) == len(set(domains))
    labels = [outlets_module._key(label) for entry in entries for label in [entry["name"], *entry["aliases"]]]
    assert len(labels) == len(set(labels))


def test_outlets_shipped_file_is_canonical() -> None:
    """Sorted by name, fixed key order, pretty-printed: what to_json() writes, so edits stay diffable."""
    assert SHIPPED.read_text(encoding="utf-8") == OutletRegistry.from_file(SHIPPED).to_json()


def test_outlets_sample_outlets_and_state_affiliation(registry: OutletRegistry) -> None:
    expected = {"Sputnik France": True, "Le Point": False, "Actu Cameroun": False, "Xinhua French": True}
    for name, state in expected.items():
        outlet = registry.get(name)
        assert outlet is not None, name
        assert outlet.state_affiliated is state
    france24 = registry.get("France 24")
    assert france24 is not None and france24.funding == "public" and not france24.state_affiliated


def test_outlets_to_dict_has_derived_state_affiliated(registry: OutletRegistry) -> None:
    outlet = registry.get("RT France")
    assert outlet is not None
    data = outlet.to_dict()
    assert list(data)[:3] == ["name", "domains", "aliases"]
    assert data["domains"] == ["francais.rt.com"] and data["state_affiliated"] is True


# --- by_url ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://madame.lefigaro.fr/x", "Madame Figaro"),
        ("https://www.lefigaro.fr/politique/article.html", "Le Figaro"),
        ("www.lefigaro.fr", "Le Figaro"),
        ("HTTPS://WWW.LEFIGARO.FR:8443/x?y=1", "Le Figaro"),
        ("lepoint.fr", "Le Point"),
        ("https://fr.sputniknews.com/20211019/otan-1052226158.html", "Sputnik France"),
        ("https://cdnnfr1.img.sputniknews.com/img/x.jpg", "Sputnik"),
        ("http://french.xinhuanet.com/2021-10/21/c_1310258.htm", "Xinhua French"),
        ("english.news.cn", "Xinhua"),
        ("https://www.actu-cameroun.com", "Actu Cameroun"),
        ("https://www.dw.com/fr/otan/a-1", "DW Afrique"),
        ("https://www.dw.com/fray", "Deutsche Welle"),
        ("https://www.radiofrance.fr/franceinter/podcasts", "France Inter"),
        ("https://www.radiofrance.fr/mouv", "Radio France"),
        ("lapresse.tn", "La Presse de Tunisie"),
        ("lapresse.ca", "La Presse"),
    ],
)
def test_outlets_by_url_most_specific_domain_wins(registry: OutletRegistry, url: str, expected: str) -> None:
    outlet = registry.by_url(url)
    assert outlet is not None and outlet.name == expected


@pytest.mark.parametrize("url", ["https://example.com/lefigaro.fr", "notlefigaro.fr", "", "http://[::1", "fr"])
def test_outlets_by_url_unknown_is_none(registry: OutletRegistry, url: str) -> None:
    assert registry.by_url(url) is None


def test_outlets_domain_of() -> None:
    assert domain_of("HTTPS://www.LeFigaro.fr:443/politique") == "lefigaro.fr"
    assert domain_of("madame.lefigaro.fr/x") == "madame.lefigaro.fr"
    assert domain_of("https://user:pw@www.example.org./") == "example.org"
    assert domain_of("") is None
    assert OutletRegistry.domain_of("//www.rfi.fr") == "rfi.fr"


# --- get ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("le monde", "Le Monde"),
        ("LIBERATION", "Libération"),
        ("Libé", "Libération"),
        ("L’Humanité", "L'Humanité"),
        ("les echos", "Les Échos"),
        ("Agence France-Presse", "AFP"),
        ("  Spoutnik ", "Sputnik"),
    ],
)
def test_outlets_get_by_name_or_alias(registry: OutletRegistry, query: str, expected: str) -> None:
    outlet = registry.get(query)
    assert outlet is not None and outlet.name == expected


def test_outlets_get_unknown_is_none(registry: OutletRegistry) -> None:
    assert registry.get("Le Journal de Nulle Part") is None


# --- find_in_text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Recevez les offres exclusives Le Point.", ["Le Point"]),
        ("La rédaction du Point – plus d’une centaine de journalistes", ["Le Point"]),
        ("19.10.2021, Sputnik France", ["Sputnik France"]),
        ("BRUXELLES, 20 octobre (Xinhua) -- Le secrétaire général", ["Xinhua"]),
        ("French.xinhuanet.com | Publié le 2021-10-21", ["Xinhua French"]),
        ("Actu Cameroun - Cameroun infoshttps://www.actu-cameroun.com", ["Actu Cameroun"]),
        ("Selon Le Monde diplomatique et Le Monde, puis MEDIAPART", ["Le Monde diplomatique", "Le Monde", "Mediapart"]),
        ("comme l’a révélé l'Humanite, citée par des Échos", ["L'Humanité", "Les Échos"]),
        ("d'après l'AFP et (AP)", ["AFP", "Associated Press"]),
        ("un reportage de France 24 puis de France 2", ["France 24", "France Télévisions"]),
    ],
)
def test_outlets_find_in_text_positives(registry: OutletRegistry, text: str, expected: list[str]) -> None:
    assert names(registry.find_in_text(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Il a parcouru le monde entier.",
        "Le monde entier regarde.",
        "La Coupe du Monde de football",
        "le point de vue russe, un point c'est tout",
        "le vaccin Sputnik V et le Spoutnik-V",
        "RT @quelquun: lisez ceci",
        "les médecins de l'AP-HP",
        "la Croix de guerre",
        "",
    ],
)
def test_outlets_find_in_text_negatives(registry: OutletRegistry, text: str) -> None:
    assert registry.find_in_text(text) == []


def test_outlets_find_in_text_order_of_first_appearance(registry: OutletRegistry) -> None:
    text = "Reuters, puis Le Figaro (lefigaro.fr), puis https://madame.lefigaro.fr/a et encore Reuters"
    assert names(registry.find_in_text(text)) == ["Reuters", "Le Figaro", "Madame Figaro"]


def test_outlets_find_in_text_on_seeds(registry: OutletRegistry, seed_texts: dict[str, str]) -> None:
    found = {name: names(registry.find_in_text(text)) for name, text in seed_texts.items()}
    assert found["003_97844727ab504620.txt"] == ["Le Point", "Actu Cameroun"]
    assert found["004_d89e750bbe1b059c.txt"] == ["Xinhua French", "Xinhua"]
    assert found["000_4be715d5b9f8e314.txt"][0] == "Sputnik France"


# --- user overlay ---------------------------------------------------------------------------------------------------


def test_outlets_user_file_replaces_and_adds(tmp_path: Path) -> None:
    user = write_user_file(
        tmp_path / "mine.json",
        [
            {"name": "Le Point", "domains": ["lepoint.fr"], "owner": "Someone else", "funding": "private"},
            {"name": "La Gazette de Test", "domains": ["gazette.test"], "aliases": ["Gazette"], "country": "FR"},
        ],
    )
    registry = OutletRegistry.load(user)
    assert len(registry) == len(OutletRegistry.load()) + 1
    point = registry.by_url("https://www.lepoint.fr/monde")
    assert point is not None and point.owner == "Someone else" and point.aliases == ()
    gazette = registry.get("gazette")
    assert gazette is not None and gazette.name == "La Gazette de Test"
    assert names(registry.find_in_text("selon La Gazette de Test")) == ["La Gazette de Test"]


def test_outlets_user_domain_claim_wins(tmp_path: Path) -> None:
    user = write_user_file(tmp_path / "mine.json", [{"name": "Figaro Politique", "domains": ["lefigaro.fr/politique"]}])
    registry = OutletRegistry.load(user)
    assert registry.by_url("lefigaro.fr/politique/x") == registry.get("Figaro Politique")
    assert registry.by_url("lefigaro.fr/economie/x") == registry.get("Le Figaro")


def test_outlets_user_file_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = write_user_file(tmp_path / "env.json", [{"name": "Env Outlet", "domains": ["env-outlet.test"]}])
    monkeypatch.setenv(outlets_module.ENV_VAR, str(user))
    assert OutletRegistry.load().get("Env Outlet") is not None
    assert OutletRegistry.default().by_url("env-outlet.test") is not None


def test_outlets_user_file_from_config_dir(tmp_path: Path) -> None:
    (tmp_path / "config" / "vigie").mkdir(parents=True)
    write_user_file(tmp_path / "config" / "vigie" / "outlets.json", [{"name": "Config Outlet"}])
    assert OutletRegistry.load().get("config outlet") is not None


def test_outlets_missing_user_file_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(outlets_module.ENV_VAR, str(tmp_path / "absent.json"))
    with pytest.raises(VigieError, match=r"absent\.json: cannot read"):
        OutletRegistry.load()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[{"name": "A"}, {"name": "B"}, {"domains": ["x.fr"]}]', r"entry 3 has no 'name'"),
        ('{"name": "A"}', r"expected a JSON list"),
        ('[{"name": "A",}]', r"not valid JSON .* line 1"),
        ('[{"name": "A", "domain": ["a.fr"]}]', r"entry 1 has unknown key 'domain'"),
        ('[{"name": "A", "country": "FRA"}]', r"entry 1 \(A\): country 'FRA'"),
        ('[{"name": "A", "language": "fr-FR"}]', r"language 'fr-FR'"),
        ('[{"name": "A", "funding": "mixed"}]', r"funding 'mixed' is not one of state, public"),
        ('[{"name": "A", "type": "blog"}]', r"type 'blog'"),
        ('[{"name": "A", "domains": ["https://a.fr/"]}]', r"domain 'https://a.fr/' should be a bare host"),
        ('[{"name": "A", "funding": "state", "state_affiliated": false}]', r"'state_affiliated' is derived"),
        ('[{"name": "A", "domains": ["a.fr"]}, {"name": "B", "domains": ["a.fr"]}]', r"'a.fr' is claimed by both"),
        ('[{"name": "A"}, {"name": "B", "aliases": ["a"]}]', r"'a' names both 'A' and 'B'"),
    ],
)
def test_outlets_malformed_user_file_names_file_and_problem(tmp_path: Path, content: str, problem: str) -> None:
    user = tmp_path / "outlets.json"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(VigieError, match=problem) as excinfo:
        OutletRegistry.load(user)
    assert str(excinfo.value).startswith(str(user))


def test_outlets_default_is_cached() -> None:
    assert OutletRegistry.default() is OutletRegistry.default()
