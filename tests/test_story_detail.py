"""The computed seed story: summary, who said what, timeline, disagreements and outlet coverage.

Everything is computed from the five seed articles; nothing about them is hard-coded in the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.pipeline import ingest
from vigie.store import Store
from vigie.stories import list_stories, story_detail, update_stories

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def detail() -> dict[str, Any]:
    store = Store(":memory:")
    ingest(store, [str(SEEDS)])
    update_stories(store)
    (story,) = list_stories(store)
    d = story_detail(store, story.id)
    assert story_detail(store, story.id) == d  # second read comes from the cache
    return d.to_dict()


def _source(d: dict[str, Any], stem: str) -> str:
    return next(a["id"] for a in d["articles"] if Path(a["source"]).name.startswith(stem))


def test_story_detail_summary_covers_main_facts(detail: dict[str, Any]) -> None:
    summary = detail["summary"].lower()
    assert len(detail["summary"].split()) <= 100
    assert "suspend" in summary and "mission" in summary
    assert "huit" in summary and ("diplomates" in summary or "accréditation" in summary)
    ids = {a["id"] for a in detail["articles"]}
    for s in detail["sentences"]:
        assert s["sources"] and set(s["sources"]) <= ids
    assert detail["headline"]


def test_story_detail_quotes_have_speakers(detail: dict[str, Any]) -> None:
    def speaker_of(fragment: str) -> str | None:
        return next(q["speaker"] for q in detail["quotes"] if fragment in q["text"])

    assert speaker_of("Il n'y avait rien à rompre") == "Dmitri Peskov"
    assert speaker_of("au point le plus bas depuis la fin de la Guerre Froide") == "Jens Stoltenberg"
    assert speaker_of("La politique de l'Otan envers la Russie reste cohérente") == "Oana Lungescu"


def test_story_detail_timeline_and_disagreement(detail: dict[str, Any]) -> None:
    dates = {t["date"] for t in detail["timeline"]}
    assert {"2021-10-18", "2021-11-01"} <= dates
    for t in detail["timeline"]:
        assert t["precision"] in ("day", "month", "year") and t["sources"]
    cut = [d for d in detail["disagreements"] if {v["value"] for v in d["values"]} >= {"2021-10-05", "2021-10-07"}]
    assert len(cut) == 1
    by_value = {v["value"]: v["sources"] for v in cut[0]["values"]}
    assert by_value["2021-10-05"] == [_source(detail, "001")]
    assert by_value["2021-10-07"] == [_source(detail, "003")]


def test_story_detail_coverage_exclusives(detail: dict[str, Any]) -> None:
    cov = detail["coverage"]
    facts = cov["facts"]
    stoltenberg_20 = [f for f in facts if f["kind"] == "timeline" and f["label"].startswith("2021-10-20")
                      and "Stoltenberg" in f["text"]]
    assert stoltenberg_20 and all(f["outlets"] == ["Xinhua French"] for f in stoltenberg_20)
    stoltenberg_quotes = [f for f in facts if f["kind"] == "quote" and f["label"].startswith("Jens Stoltenberg")]
    # His words are Xinhua's exclusives, but for two he is quoted with by Sputnik and Le Point ("avait accusé Moscou
    # d'« activités malveillantes »", his in eval/quotes/gold_fr.jsonl), which Xinhua does not carry.
    own = [f for f in stoltenberg_quotes if f["text"] != "activités malveillantes"]
    assert own and all(f["outlets"] == ["Xinhua French"] for f in own)
    shared = {o for f in stoltenberg_quotes if f["text"] == "activités malveillantes" for o in f["outlets"]}
    assert "Xinhua French" not in shared
    skripal = [f for f in facts if "Skripal" in f["text"]]
    assert skripal and all(f["outlets"] == ["Le Point via Actu Cameroun"] for f in skripal)
    profiles = {o["name"]: o for o in cov["outlets"]}
    assert profiles["Sputnik France"]["state_affiliated"] is True
    assert profiles["Sputnik France"]["first_to_report"] is True
    assert profiles["Xinhua French"]["country"] == "CN"


def test_story_detail_events_keep_cluster_shape(detail: dict[str, Any]) -> None:
    for ev in detail["events"]:
        assert {"id", "title", "articles", "actions"} <= set(ev)
    cats = {(e["actor"], e["action"], e["target"]) for e in detail["political_events"]}
    assert ("Russie", "REDUCE_RELATIONS", "Otan") in cats


# -- summary units kept per article --------------------------------------------------------------------------------


def _seed_docs() -> list[tuple[str, str, str]]:
    from vigie.extract import extract
    from vigie.extract.readers import iter_documents

    arts = [extract(d) for d in iter_documents([str(SEEDS)]) if not isinstance(d, Exception)]
    return [(a.id, a.title or "", a.body) for a in arts]


def test_story_detail_summary_from_kept_units_is_the_summary_made_without() -> None:
    from vigie.understand.summarize import DocUnits, SummaryOptions, prepare, summarize

    docs = _seed_docs()
    kept: dict[str, DocUnits] = {}
    for doc in docs:  # each article prepared alone and read back, as the store keeps them
        units = prepare([doc])[doc[0]]
        kept[doc[0]] = DocUnits.decode(*units.encode())
    for words in (100, 50):
        plain = summarize(docs, SummaryOptions(max_words=words))
        assert summarize(docs, SummaryOptions(max_words=words), prepared=kept).to_dict() == plain.to_dict()
        some = {docs[0][0]: kept[docs[0][0]]}  # a story whose newest article has no units yet
        assert summarize(docs, SummaryOptions(max_words=words), prepared=some).to_dict() == plain.to_dict()


def test_story_detail_remade_embeds_only_the_new_article(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.stories import embed as embed_module
    from vigie.understand.stage import stored_summary_units
    from vigie.understand.summarize import SummaryOptions

    store = Store(":memory:")
    ingest(store, [str(SEEDS)])
    update_stories(store)
    (story,) = list_stories(store)
    from vigie.stories import _compute_detail

    first = _compute_detail(store, story, 100, None)  # keeps each voice's units
    voices = [store.get(a.id) for a in story.articles if not a.duplicate_of]
    assert set(store.summary_units([a.id for a in voices])) == {a.id for a in voices}

    # The same story made again from the kept units encodes nothing: every sentence and title vector is kept.
    encoded: list[str] = []
    real = embed_module.Embedder.embed_texts

    def counting(self: embed_module.Embedder, texts: Any) -> Any:
        encoded.extend(t for t in texts if t not in embed_module._CACHE)
        return real(self, texts)

    monkeypatch.setattr(embed_module.Embedder, "embed_texts", counting)
    embed_module._CACHE.clear()
    again = _compute_detail(store, story, 100, None)
    assert encoded == []
    assert again.details_dict() == first.details_dict()

    # A re-cleaned article loses its units (its text may have changed); the next details cut it again.
    store.update_article(voices[0])
    assert voices[0].id not in store.summary_units([voices[0].id])
    kept = stored_summary_units(store, voices, SummaryOptions())
    assert set(kept) == {a.id for a in voices}
    assert encoded and voices[0].id in store.summary_units([voices[0].id])


def test_story_detail_damaged_units_are_made_again() -> None:
    from vigie.understand.stage import stored_summary_units
    from vigie.understand.summarize import SummaryOptions, units_key

    store = Store(":memory:")
    ingest(store, [str(SEEDS)])
    a = store.get(next(iter(store.known_ids())))
    good = stored_summary_units(store, [a])[a.id]
    store.save_summary_units([(a.id, units_key(SummaryOptions()), '{"units": [], "vectors": ["x", "y"]}', b"\0" * 12)])
    again = stored_summary_units(store, [a])[a.id]
    assert [u.text for u in again.units] == [u.text for u in good.units]
    assert store.summary_units([a.id])[a.id][1] == good.encode()[0]
