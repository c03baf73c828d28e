"""The understand stage's shortcuts give what the slow way gives: array forms of spaCy's attribute ruler and French
lemmatiser, worker processes that analyse their share, calendar dates built without dateparser. Each is compared
with the reference on real text (the five seeds), never with stored answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

spacy = pytest.importorskip("spacy")

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> Any:
    import vigie
    from vigie.understand import get_nlp

    try:
        nlp = get_nlp("fr")
    except Exception as exc:
        pytest.skip(f"French model unavailable: {exc}")
    return nlp, [a for p in sorted(SEEDS.glob("*.txt")) for a in vigie.extract_file(str(p))]


def _json(analyses: Any) -> list[str]:
    from vigie.records import encode

    return [json.dumps(encode(a), ensure_ascii=False, sort_keys=True) for a in analyses]


def test_cue_parse_shortcuts_match_spacy_components(seeds: Any) -> None:
    from vigie.understand import analyze_articles
    from vigie.understand.cues import ArrayAttributeRuler, KeyedLemmatizer

    nlp, articles = seeds
    cue = nlp.get_pipe("vigie_cue_parse")
    kinds = {n: type(p) for n, p in cue.procs}
    assert kinds["attribute_ruler"] is ArrayAttributeRuler and kinds["lemmatizer"] is KeyedLemmatizer
    fast = _json(analyze_articles(articles))
    saved = cue.procs
    cue.procs = [(n, nlp.get_pipe(n)) for n, _ in saved]  # spaCy's own components
    try:
        reference = _json(analyze_articles(articles))
    finally:
        cue.procs = saved
    assert fast == reference
    assert any('"quotes": [{' in a for a in fast)  # the seeds do have attributed quotes to compare


def test_attribute_ruler_arrays_equal_the_component(seeds: Any) -> None:
    from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG
    from spacy.tokens import Doc

    from vigie.understand.cues import ArrayAttributeRuler

    nlp, articles = seeds
    ruler = nlp.get_pipe("attribute_ruler")
    fast = ArrayAttributeRuler.compile(ruler)
    assert fast is not None
    texts = [a.body for a in articles] + ["Il  a dit\n\n« oui » .  \t Fin", " "]
    with nlp.select_pipes(enable=["tok2vec", "morphologizer", "parser"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:
        a = ruler(Doc(doc.vocab).from_bytes(doc.to_bytes()))
        b = fast(Doc(doc.vocab).from_bytes(doc.to_bytes()))
        assert (a.to_array([TAG, POS, MORPH, DEP, LEMMA]) == b.to_array([TAG, POS, MORPH, DEP, LEMMA])).all()


def test_attribute_ruler_of_another_kind_is_not_compiled() -> None:
    from vigie.understand.cues import ArrayAttributeRuler

    other = spacy.blank("fr").add_pipe("attribute_ruler")
    other.add([[{"LOWER": "le"}, {"POS": "NOUN"}]], {"TAG": "X"})  # two tokens: only the Matcher can run it
    assert ArrayAttributeRuler.compile(other) is None


def test_worker_processes_give_the_analyses_of_one_process(seeds: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import vigie.understand as u

    _, articles = seeds
    here = _json(u.analyze_articles(articles))
    monkeypatch.setattr(u, "_CHUNK", 2)  # several tasks for two workers out of five articles
    steps: list[int] = []
    there = u.analyze_articles(articles, n_process=2, on_progress=steps.append)
    assert _json(there) == here
    assert sum(steps) == len(articles)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_calendar_days_as_dateparser_gives_them(lang: str) -> None:
    from vigie.understand import dates as d

    months = (d._MONTHS if lang == "fr" else d._MONTHS_EN.replace("\\.", ".")).split("|")
    for month in months:
        for spelling in {month, month.upper()}:
            for day in ("1", "09", "29", "31"):
                for year, base in (("2016", None), (None, date(2010, 3, 17)), (None, date(2016, 12, 31))):
                    text = f"{day} {spelling} {year}" if year else f"{day} {spelling}"
                    assert d._calendar(day, spelling, year, base, lang) == d._dp.__wrapped__(text, base, lang), text


def test_an_article_that_kills_its_worker_costs_only_itself(seeds: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import os

    import vigie.understand as u

    _, articles = seeds
    here = _json(u.analyze_articles(articles))
    boom = dataclasses.replace(articles[0], id="boom")
    real = u._analyze_here

    def crashing(batch: Any, *args: Any, **kwargs: Any) -> Any:
        if any(a.id == "boom" for a in batch):
            os._exit(1)  # as a segfault in the model's C code would
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(u, "_CHUNK", 2)
    monkeypatch.setattr(u, "_analyze_here", crashing)  # the forked workers inherit it
    got = u.analyze_articles([*articles[:3], boom, *articles[3:]], n_process=2)
    assert [a.article_id for a in got] == [a.id for a in articles[:3]] + ["boom"] + [a.id for a in articles[3:]]
    assert "crashed" in (got[3].note or "")
    assert _json(got[:3] + got[4:]) == here


def test_one_thread_at_a_time_runs_the_shared_model(seeds: Any) -> None:
    """`select_pipes` switches components on the one loaded pipeline: a second thread must wait for the first rather
    than parse with the other's components (a story's details made while a posted article is analysed)."""
    import threading

    from vigie.understand import ParseOptions, model_lock, parse_texts

    nlp, articles = seeds
    text = articles[0].body[:2000]
    alone = [t.dep_ for t in parse_texts([text], "fr", parse=ParseOptions("full"))[0]]
    out: list[list[str]] = []
    worker = threading.Thread(target=lambda: out.append(
        [t.dep_ for t in parse_texts([text], "fr", parse=ParseOptions("full"))[0]]))
    with model_lock(), nlp.select_pipes(disable=["parser"]):  # another user holds the model, with its own choice
        worker.start()
        worker.join(1.0)
        assert worker.is_alive() and not out  # waiting, not parsing with the parser switched off
    worker.join(120)
    assert out == [alone]
