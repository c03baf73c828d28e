"""Parallel cleaning in worker processes: same results and order as in-process cleaning; a dying worker costs only
the document that kills it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.errors import InputError
from vigie.extract.outlets import OutletRegistry
from vigie.models import Article, RawDocument
from vigie.pipeline import executors as pipeline
from vigie.pipeline import extract_documents, ingest
from vigie.store import Store


def _doc(k: int, host: str = "www.exemple.fr") -> RawDocument:
    body = " ".join(f"La phrase numéro {k} parle de la réforme et des syndicats, mot{j}." for j in range(12))
    return RawDocument(source=f"d{k}.txt", format="text",
                       content=f"Titre de l'article numéro {k} sur la réforme\nhttps://{host}/a/{k}.html\n{body}\n")  # fmt: skip


def _docs(n: int) -> Iterator[RawDocument | InputError]:
    for k in range(n):
        yield InputError(f"bad{k}.bin", "unsupported file type") if k % 37 == 5 else _doc(k)


class CrashingRegistry(OutletRegistry):
    """Kills the process that looks up a crash.example URL: a stand-in for a C parser crashing on a document."""

    def by_url(self, url_or_domain: str) -> object:  # type: ignore[override]
        if "crash.example" in url_or_domain:
            os._exit(3)
        return super().by_url(url_or_domain)


def _view(items: list[tuple[RawDocument, Article] | InputError]) -> list[tuple[str, str, str | None]]:
    return [("error", str(x), None) if isinstance(x, InputError) else (x[1].id, x[1].body, x[1].title) for x in items]


def test_parallel_extraction_matches_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_AFTER", 20)
    monkeypatch.setattr(pipeline, "_WINDOW", 50)
    alone = list(extract_documents(_docs(130)))
    together = list(extract_documents(_docs(130), workers=2))
    assert _view(together) == _view(alone)
    assert sum(isinstance(x, InputError) for x in together) == 4  # reader errors pass through, in place


def test_parallel_extraction_survives_a_dying_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_AFTER", 4)
    monkeypatch.setattr(pipeline, "_WINDOW", 30)
    docs = [_doc(k, "crash.example" if k == 17 else "www.exemple.fr") for k in range(40)]
    reg = CrashingRegistry(OutletRegistry.default())
    out = list(extract_documents(docs, registry=reg, workers=2))
    assert len(out) == 40
    failed = [x for x in out if isinstance(x, InputError)]
    assert [e.source for e in failed] == ["d17.txt"]
    assert "crashed its worker" in failed[0].reason
    assert [x[0].source for x in out if not isinstance(x, InputError)] == [f"d{k}.txt" for k in range(40) if k != 17]


def test_ingest_with_workers_stores_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_AFTER", 10)
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(60):
        doc = _doc(k)
        (folder / doc.source).write_text(doc.content, encoding="utf-8")
    one, two = Store(":memory:"), Store(":memory:")
    r1 = ingest(one, [str(folder)])
    r2 = ingest(two, [str(folder)], workers=2)
    assert (r1.read, r1.new, r1.failed) == (r2.read, r2.new, r2.failed) == (60, 60, 0)
    assert sorted(a.id for a in one.articles()) == sorted(a.id for a in two.articles())


def test_input_error_pickles_with_source_and_reason() -> None:
    import pickle

    e = pickle.loads(pickle.dumps(InputError("a.txt", "empty file")))
    assert (e.source, e.reason, str(e)) == ("a.txt", "empty file", "a.txt: empty file")
