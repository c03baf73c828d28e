"""Dask executor: on a LocalCluster the runner stores, reports and clusters exactly what the local executor gives."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

from vigie.errors import InputError, VigieError
from vigie.pipeline import IngestReport, Paths, RunOptions, ingest, run
from vigie.pipeline.dask_engine import DaskExecutor
from vigie.store import Store
from vigie.stories import embed, list_stories, update_stories

pytestmark = pytest.mark.slow

_TOPICS = [
    ("Incendie au port de Marseille", "Un incendie s'est déclaré mardi soir dans un entrepôt du port de Marseille. "
     "Les pompiers ont mobilisé quatre-vingts hommes pour maîtriser le feu, qui n'a fait aucune victime. "
     "Selon la préfecture, l'entrepôt contenait des pneus et des palettes de bois."),
    ("Marseille : l'entrepôt du port en feu", "Les marins-pompiers de Marseille ont lutté toute la nuit contre un "
     "incendie dans un entrepôt du port autonome. Aucune victime n'est à déplorer, a indiqué la préfecture. "
     "Des pneus et des palettes stockés sur place ont alimenté les flammes."),
    ("La BCE relève ses taux d'un quart de point", "La Banque centrale européenne a relevé jeudi ses taux directeurs "
     "de 0,25 point pour lutter contre l'inflation. Christine Lagarde a justifié cette décision par la hausse "
     "persistante des prix de l'énergie. Les marchés avaient largement anticipé ce mouvement."),
]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    import logging

    from dask.distributed import LocalCluster

    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                           silence_logs=logging.ERROR)  # fmt: skip
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture
def corpus(seeds_dir: Path, tmp_path: Path) -> Path:
    """Seeds, generated articles (two on one story), an exact copy, failing inputs, hidden and skipped files."""
    root = tmp_path / "in"
    shutil.copytree(seeds_dir, root / "seeds")
    gen = root / "gen"
    gen.mkdir()
    for i, (title, body) in enumerate(_TOPICS):
        (gen / f"{i}.txt").write_text(f"{title}\n\n{body}\n\n2023-03-0{i + 1}T10:00+01:00\n", encoding="utf-8")
    shutil.copy(gen / "0.txt", gen / "0-copy.txt")
    (gen / "empty.txt").write_text("", encoding="utf-8")
    (gen / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    (gen / ".hidden.txt").write_text("Caché\n\nNe doit pas être lu par le moteur.", encoding="utf-8")
    (gen / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return root


def _snapshot(store: Store) -> dict[str, Any]:
    return {
        "articles": sorted((a.to_dict() for a in store.articles()), key=lambda d: d["id"]),
        "sources": {a.id: store.sources(a.id) for a in store.articles()},
        "stories": sorted((s["id"], sorted((a["id"], a["duplicate_of"]) for a in s["articles"]),
                           sorted(tuple(sorted(e["articles"])) for e in s["events"])) for s in list_stories(store)),
    }  # fmt: skip


def ingest_dask(store: Store, paths: list[str], *, stdin: Any = None, **executor: Any) -> IngestReport:
    """The runner with the Dask executor and no story stage: its storing report."""
    return run(store, Paths(paths, stdin=stdin), executor=DaskExecutor(embed=False, understand=False, **executor),
               options=RunOptions(stories=False, alerts=False)).report


def _summary(report: Any) -> tuple[Any, ...]:
    return report.read, report.new, report.duplicate, report.failed, [str(e) for e in report.errors], report.new_ids


def test_engine_matches_local_engine(corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: Any) -> None:
    local = Store(tmp_path / "local.db")
    errors_local: list[str] = []
    r_local = ingest(local, [str(corpus)], on_error=lambda e: errors_local.append(str(e)))
    update_stories(local)

    # The driver must not embed anything: every sentence vector comes from the workers.
    embed._CACHE.clear()

    def no_model(threads: int) -> Any:
        raise AssertionError("the driver embedded a text the workers should have embedded")

    monkeypatch.setattr(embed, "_model", no_model)
    from vigie.understand import stage

    monkeypatch.setattr(stage, "analyze_articles", no_model)  # nor analyse: the workers did
    dist = Store(tmp_path / "dask.db")
    errors_dask: list[str] = []
    progress: list[str] = []
    result = run(dist, Paths([str(corpus)]), executor=DaskExecutor(scheduler=scheduler, partitions=3),
                 options=RunOptions(alerts=False, details=False), on_error=lambda e: errors_dask.append(str(e)),
                 on_progress=progress.append)  # fmt: skip
    r_dask: IngestReport = result.report
    placed = result.stories
    assert placed is not None
    assert result.warnings == []
    voices = {p["id"] for p in dist.placements() if not p["duplicate_of"]}
    assert set(dist.analyses(sorted(voices))) == voices  # analysed on the workers, stored by the driver

    assert _summary(r_dask) == _summary(r_local)
    assert (r_dask.read, r_dask.new, r_dask.duplicate, r_dask.failed) == (9, 8, 1, 2)
    assert errors_dask == errors_local
    assert [e.split(": ", 1)[1] for e in errors_dask] == ["empty file", "unsupported file type: PDF"]
    assert len(progress) == 9
    assert placed.placed == 8
    assert _snapshot(dist) == _snapshot(local)
    assert len(list_stories(dist)) == 3  # seeds, the Marseille fire (2 reports), the ECB


def test_engine_reingest_adds_nothing(corpus: Path, scheduler: str) -> None:
    local, dist = Store(":memory:"), Store(":memory:")
    for store in (local, dist):
        ingest(store, [str(corpus / "seeds")])
    (corpus / "seeds" / "more.txt").write_text(f"{_TOPICS[2][0]}\n\n{_TOPICS[2][1]}\n", encoding="utf-8")
    r_local = ingest(local, [str(corpus)])
    r_dask = ingest_dask(dist, [str(corpus)], scheduler=scheduler)  # no vectors: no embedding on workers
    assert _summary(r_dask) == _summary(r_local)
    assert r_dask.duplicate == 6  # five seeds already stored, one exact copy
    assert sorted(dist.sources(r_dask.new_ids[0])) == sorted(local.sources(r_local.new_ids[0]))


def test_engine_stdin_and_missing_path(scheduler: str, seeds_dir: Path) -> None:
    import io

    data = (seeds_dir / "003_97844727ab504620.txt").read_bytes()
    local, dist = Store(":memory:"), Store(":memory:")
    args = (["-", "/no/such/file.txt"],)
    r_local = ingest(local, *args, stdin=io.BytesIO(data))
    r_dask = ingest_dask(dist, *args, scheduler=scheduler, stdin=io.BytesIO(data))
    assert _summary(r_dask) == _summary(r_local)
    assert r_dask.new == 1 and r_dask.failed == 1
    assert isinstance(r_dask.errors[0], InputError) and r_dask.errors[0].source == "/no/such/file.txt"


def test_engine_checks_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="partitions must be >= 1"):
        ingest_dask(Store(":memory:"), [str(tmp_path)], partitions=0)
    # Nothing to read: no cluster is started at all.
    assert ingest_dask(Store(":memory:"), [str(tmp_path)]).summary() == "read 0, new 0, duplicate 0, failed 0"


def test_engine_unreachable_scheduler(seeds_dir: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("vigie.pipeline.dask_engine._CONNECT_TIMEOUT", 1.0)
    with pytest.raises(VigieError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        ingest_dask(Store(":memory:"), [str(seeds_dir)], scheduler="tcp://127.0.0.1:9")
