"""English articles through the same stage: entities, quotes ("said", "told", "according to", inverted), dates."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.models import Article
from vigie.understand.dates import find_dates

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def analyze() -> Any:
    from vigie.understand import analyze_article, get_nlp

    try:
        nlp = get_nlp("en")
    except Exception as exc:
        pytest.skip(f"English model unavailable: {exc}")

    def run(body: str) -> dict[str, Any]:
        art = Article(id="t", source="t", body=body, language="en", published="2012-01-10T12:00+00:00")
        return analyze_article(art, nlp).to_dict()

    return run


def _speaker(out: dict[str, Any], fragment: str) -> str | None:
    return next(q["speaker"] for q in out["quotes"] if fragment in q["text"])


def test_understand_english_inverted_said(analyze: Any) -> None:
    out = analyze('"We will win this fight," said John Smith, the mayor of Boston.')
    assert _speaker(out, "win this fight") == "John Smith"


def test_understand_english_pronoun_added_and_told(analyze: Any) -> None:
    body = (
        'Mary Jones met the press on Monday. "Nothing has changed," she said. '
        'Robert Brown told reporters: "The plan is ready." "It will work," he added.'
    )
    out = analyze(body)
    assert _speaker(out, "Nothing has changed") == "Mary Jones"
    assert _speaker(out, "plan is ready") == "Robert Brown"
    assert _speaker(out, "It will work") == "Robert Brown"


def test_understand_english_according_to(analyze: Any) -> None:
    out = analyze('The suspect was "armed and dangerous," according to Sheriff Tom Jones.')
    assert _speaker(out, "armed and dangerous") == "Tom Jones"


def test_understand_english_entities_typed(analyze: Any) -> None:
    ents = {(e["name"], e["type"]) for e in analyze("John Smith flew from Boston to the headquarters of Google.")["entities"]}
    assert ("John Smith", "PER") in ents and ("Boston", "LOC") in ents and ("Google", "ORG") in ents
    assert not any(t not in {"PER", "ORG", "LOC", "MISC"} for _, t in ents)


def test_understand_english_dates() -> None:
    got = [(d.text, d.date) for d in find_dates("She arrived on Tuesday, January 3, 2012, and left yesterday.", "2012-01-10", "en")]
    assert ("Tuesday, January 3, 2012", "2012-01-03") in got
    assert ("yesterday", "2012-01-09") in got


def test_understand_english_long_description_after_comma_in_quote(analyze: Any) -> None:
    """'"…," the 33-year-old actress's rep Jack Ketsoyan told …': the comma inside the marks announces the speaker."""
    out = analyze('Tara Reid checked into a clinic on Monday.\n"We appreciate your respect for her privacy at this time," '
                  "the 33-year-old actress's longtime rep Jack Ketsoyan told the magazine.")
    assert _speaker(out, "respect for her privacy") == "Jack Ketsoyan"


def test_understand_english_bare_surname_takes_the_full_name(analyze: Any) -> None:
    out = analyze("The producer Matthew O'Connor worked with her last year.\n"
                  '"Absolutely not, never," O\'Connor said when asked about warning signs.')
    assert _speaker(out, "Absolutely not") == "Matthew O'Connor"


def test_understand_english_she_without_known_gender_is_the_main_person(analyze: Any) -> None:
    body = (
        "Kerry Page died on Thursday in Los Angeles. Kerry Page was 79. "
        "The photographs of the 1950s were sold in their thousands across the country, and the magazines that printed "
        "them were seized more than once by the authorities of several states. The sales went on for years, and the "
        "collectors of the period still trade the prints at fairs and in shops on both coasts of the continent today.\n"
        "\"I don't want to be photographed in my old age,\" she said in 1998."
    )
    assert _speaker(analyze(body), "photographed in my old age") in ("Kerry Page", "Page")


def test_understand_english_reported_as_saying(analyze: Any) -> None:
    body = 'Hugh Hefner was reported as saying about Page:\n"I think that she was a remarkable lady, an iconic figure."'
    assert _speaker(analyze(body), "remarkable lady") == "Hugh Hefner"


def test_understand_english_mixed_marks_pair(analyze: Any) -> None:
    body = '"It is an honor," said Paul Lee, president of ABC. "We very much look forward to having her back.”'
    assert any("look forward" in q["text"] for q in analyze(body)["quotes"])


def test_understand_english_indefinite_description_speaks(analyze: Any) -> None:
    out = analyze('Weitz was tapped to direct the sequel. "He\'s the quality-of-life choice," a source said.')
    assert _speaker(out, "quality-of-life") == "a source"


def test_understand_english_quote_over_paragraphs_reopened(analyze: Any) -> None:
    # A quote over several paragraphs reopens with a mark on each new paragraph and closes only at its end.
    body = ('Greek prime minister George Papandreou condemned the killings.\nHe added: "We will stand alongside the '
            'families.\nThis is the least we can do.\n"To those who now mourn we say that the perpetrators will be '
            'identified."\nThe strike went on.')
    out = analyze(body)
    assert _speaker(out, "least we can do") == "George Papandreou"
    assert _speaker(out, "now mourn") == "George Papandreou"


def test_understand_english_unclosed_quote_after_colon_ends_with_paragraph(analyze: Any) -> None:
    body = 'Lamas\' son, actor Lorenzo Lamas, tweeted Thursday: "My stepmom Esther Williams passed peacefully.\n\nShe was 91.'
    assert _speaker(analyze(body), "passed peacefully") == "Lorenzo Lamas"
