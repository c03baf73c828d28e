"""vigie.export: every format x table, to paths, binary and text streams; clear errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from vigie import stories
from vigie.errors import VigieError
from vigie.export import COLUMNS, FORMATS, WHATS, MissingDependencyError, export, rows
from vigie.pipeline import ingest
from vigie.store import Store
from vigie.understand.views import StoryDetail


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    db = tmp_path_factory.mktemp("export") / "seeds.db"
    s = Store(db)
    ingest(s, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
    stories.update_stories(s)
    return s


def detail(store: Store, story_id: str, **_: Any) -> StoryDetail:
    view = stories.get_story(store, story_id)
    ids = view.article_ids
    return StoryDetail.from_dict({
        **view.to_dict(), "headline": "Titre", "summary": "Résumé, avec virgule et \"guillemets\".",
        "quotes": [{"speaker": "Jens Stoltenberg", "text": "Nous regrettons", "article": ids[0], "kind": "direct"}],
        "timeline": [{"date": "2021-10-18", "precision": "day", "text": "Suspension", "sources": ids[:2]},
                     {"date": "2014", "precision": "year", "text": "Crimée", "sources": ids[:1]}],
    })


EXPECTED = {"articles": 5, "quotes": 1, "timeline": 2}


@pytest.mark.parametrize("what", WHATS)
def test_export_jsonl(store: Store, what: str) -> None:
    buf = io.StringIO()
    n = export(store, "jsonl", what, buf, detail=detail)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert n == len(lines) == EXPECTED.get(what, len(stories.list_stories(store)))
    assert all(list(r) == list(COLUMNS[what]) for r in lines)


@pytest.mark.parametrize("what", WHATS)
def test_export_csv_round_trips_lists(store: Store, what: str, tmp_path: Path) -> None:
    path = tmp_path / f"{what}.csv"
    n = export(store, "csv", what, path, detail=detail)
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == n and list(table[0]) == list(COLUMNS[what])
    jsonl = io.StringIO()
    export(store, "jsonl", what, jsonl, detail=detail)
    for got, want in zip(table, (json.loads(x) for x in jsonl.getvalue().splitlines()), strict=True):
        for col, kind in COLUMNS[what].items():
            if kind == "list":
                assert json.loads(got[col]) == want[col]
            else:
                assert got[col] == ("" if want[col] is None else str(want[col]))


@pytest.mark.parametrize("what", WHATS)
def test_export_parquet(store: Store, what: str) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    buf = io.BytesIO()
    n = export(store, "parquet", what, buf, detail=detail)
    table = pq.read_table(io.BytesIO(buf.getvalue()))
    assert table.num_rows == n and table.column_names == list(COLUMNS[what])
    assert table.to_pylist() == list(rows(store, what, detail=detail))  # type: ignore[arg-type]


def test_export_articles_content(store: Store) -> None:
    first = next(rows(store, "articles"))
    assert first["outlet"] == "Xinhua French" and first["story"] and first["sources"]
    assert isinstance(first["authors"], list) and first["body"].startswith("BRUXELLES")


def test_export_stories_use_story_detail(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories, "story_detail", detail)
    got = list(rows(store, "stories"))
    assert got[0]["headline"] == "Titre" and got[0]["articles"] == len(got[0]["article_ids"])
    monkeypatch.setattr(stories, "story_detail", lambda st, sid, **_: StoryDetail.bare(stories.get_story(st, sid)))
    assert list(rows(store, "quotes")) == []  # the bare view has no quotes


def test_export_text_to_binary_stream_keeps_it_open(store: Store) -> None:
    buf = io.BytesIO()
    export(store, "csv", "timeline", buf, detail=detail)
    assert not buf.closed
    assert buf.getvalue().decode("utf-8").splitlines()[0] == "story,date,precision,text,sources"


def test_export_errors(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(VigieError, match=r"format must be one of jsonl, csv, parquet; got 'xml'"):
        export(store, "xml", "articles", io.StringIO())
    with pytest.raises(VigieError, match=r"what must be one of articles, stories, quotes, timeline; got 'people'"):
        export(store, "csv", "people", io.StringIO())
    pytest.importorskip("pyarrow")
    with pytest.raises(VigieError, match="Parquet is binary"):
        export(store, "parquet", "articles", io.StringIO())
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingDependencyError, match="pip install pyarrow"):
        export(store, "parquet", "articles", io.BytesIO())


def test_export_formats_and_tables_are_documented() -> None:
    assert FORMATS == ("jsonl", "csv", "parquet")
    assert set(COLUMNS) == set(WHATS)
    assert export.__doc__ is not None and all(f'"{f}"' in export.__doc__ for f in FORMATS)
