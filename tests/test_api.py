"""The Python API mirrors the CLI: open a store, ingest paths, list, read, search, re-clean."""

from __future__ import annotations

from pathlib import Path

import pytest

import vigie
from vigie.pipeline import reprocess


def test_api_ingest_list_read_search(seeds_dir: Path, tmp_path: Path) -> None:
    store = vigie.open_store(str(tmp_path / "v.db"))
    report = vigie.ingest(store, [str(seeds_dir)])
    assert report.summary() == "read 5, new 5, duplicate 0, failed 0"
    assert len(report.new_ids) == 5
    arts = store.articles()
    assert [a.outlet for a in arts][:1] == ["Xinhua French"]
    one = store.get(arts[0].id)
    assert one.body.startswith("BRUXELLES, 20 octobre (Xinhua)")
    assert store.raw(one.id).content.startswith("L'OTAN affirme")
    assert [a.id for a, _ in store.search("Stoltenberg Guerre Froide")] == [one.id]


def test_api_reprocess_restores_cleaned_fields(seeds_dir: Path) -> None:
    store = vigie.open_store(":memory:")
    vigie.ingest(store, [str(seeds_dir)])
    a = store.articles()[0]
    broken = vigie.Article.from_dict({**a.to_dict(), "body": "stale", "title": "stale"})
    store.update_article(broken)
    assert reprocess(store) == 1
    assert store.get(a.id) == a
    assert reprocess(store) == 0


def test_api_extract_file_raises_input_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(vigie.InputError) as e:
        vigie.extract_file(str(p))
    assert e.value.source == str(p)
