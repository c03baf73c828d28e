"""Entities: lexicon layer, repairs of model errors, canonical names across mentions."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.models import Article
from vigie.understand.entities import role_key
from vigie.understand.lexicon import fold, get_lexicon, norm_key

spacy = pytest.importorskip("spacy")


def test_understand_entities_lexicon_aliases() -> None:
    lex = get_lexicon("fr")
    for alias in ("OTAN", "Otan", "NATO", "l'Alliance", "l’Alliance", "Organisation du traité de l'Atlantique nord"):
        assert lex.lookup(alias) == ("Otan", "ORG"), alias
    assert lex.lookup("Kremlin") == ("Kremlin", "ORG")
    assert lex.lookup("Elysée") == ("Élysée", "ORG")
    assert lex.lookup("UE") == ("Union européenne", "ORG")


def test_understand_entities_fold_and_key() -> None:
    assert fold("l’Élysée") == "l'elysee"
    assert norm_key("l'Alliance") == "alliance"


def test_understand_entities_role_synonyms() -> None:
    lex = get_lexicon("fr")
    assert role_key("le chef de la diplomatie russe", lex) == role_key("ministre russe des Affaires étrangères", lex)
    assert role_key("le porte-parole du Président russe", lex) == role_key("porte-parole du Kremlin", lex)
    assert role_key("le ministre", lex).covers(role_key("ministre russe des Affaires étrangères", lex))


@pytest.fixture(scope="module")
def entities() -> Any:
    from vigie.understand import analyze_article, analyze_story, get_nlp

    try:
        nlp = get_nlp("fr")
    except Exception as exc:
        pytest.skip(f"French model unavailable: {exc}")

    def run(*bodies: str) -> list[dict[str, Any]]:
        arts = [Article(id=f"a{i}", source="t", body=b, language="fr") for i, b in enumerate(bodies)]
        return analyze_story(arts, [analyze_article(a, nlp) for a in arts]).to_dict()["entities"]

    return run


def test_understand_entities_canonical_person_and_org(entities: Any) -> None:
    ents = entities(
        "Le chef de la diplomatie russe Sergueï Lavrov a parlé à l'OTAN. M. Lavrov a ensuite quitté l'Alliance.",
        "Lavrov a rencontré les responsables de l'Otan et de l'Organisation du traité de l'Atlantique nord.",
    )
    names = {(e["name"], e["type"]): e["count"] for e in ents}
    assert ("Sergueï Lavrov", "PER") in names and names[("Sergueï Lavrov", "PER")] >= 3
    assert not any(n == "Lavrov" for n, _ in names)
    assert names[("Otan", "ORG")] == 4


def test_understand_entities_kremlin_is_org_and_no_garbage(entities: Any) -> None:
    ents = entities("Selon le Kremlin, il n'y a rien à ajouter. Il a quitté Moscou.")
    names = {(e["name"], e["type"]) for e in ents}
    assert ("Kremlin", "ORG") in names
    assert not {n for n, _ in names} & {"Il", "Selon"}


def test_understand_entities_unsupported_language_note() -> None:
    from vigie.understand import analyze_article

    out = analyze_article(Article(id="x", source="t", body="Hallo Welt", language="de")).to_dict()
    assert "no NER for language 'de'" in out["note"]
