"""Routes that build a story or an entity run on a few server threads of their own (``heavy_slots``): a burst of
them, however slow, leaves the thread pool to every other request (issue 18: 45 story requests in flight made an
article wait behind them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from vigie import stories
from vigie.errors import VigieError
from vigie.serve import create_app
from vigie.serve.data import Data
from vigie.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
HANG = 120  # seconds: only a guard against a hang, nothing here measures speed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vigie.pipeline import ingest

    db = tmp_path_factory.mktemp("heavy") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        stories.update_stories(store)
    return db


class Gate:
    """Holds every story answer until released, counting how many are being built at once."""

    def __init__(self, original: Any) -> None:
        self.original = original
        self.release = threading.Event()
        self.cond = threading.Condition()
        self.active = 0
        self.most = 0
        self.entered = 0

    def __call__(self, data: Data, story_id: str) -> Any:
        with self.cond:
            self.active += 1
            self.entered += 1
            self.most = max(self.most, self.active)
            self.cond.notify_all()
        try:
            assert self.release.wait(HANG), "never released"
            return self.original(data, story_id)
        finally:
            with self.cond:
                self.active -= 1


@pytest.fixture
def gated(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Gate, str, str]]:
    gate = Gate(Data.detail_now)
    monkeypatch.setattr(Data, "detail_now", lambda data, story_id: gate(data, story_id))  # a method, bound
    with Store(seeded) as store:
        sid = stories.list_stories(store)[0].id
        aid = next(iter(store.known_ids()))
    with TestClient(create_app(str(seeded), token=None, heavy_slots=2)) as c:
        try:
            yield c, gate, sid, aid
        finally:
            gate.release.set()


def test_serve_heavy_light_gets_answered_while_45_story_requests_are_held(
    gated: tuple[TestClient, Gate, str, str],
) -> None:
    c, gate, sid, aid = gated
    with ThreadPoolExecutor(60) as pool:
        urls = [f"/api/stories/{sid}", f"/stories/{sid}", f"/stories/{sid}.md"]
        held = [pool.submit(c.get, urls[k % len(urls)]) for k in range(45)]
        with gate.cond:
            assert gate.cond.wait_for(lambda: gate.active == 2, HANG)
        light: list[Future[Any]] = [pool.submit(c.get, u) for u in
                                    (f"/api/articles/{aid}", "/api/stories", f"/articles/{aid}", "/")]
        wait(light, HANG)
        assert all(f.done() for f in light), "a light GET waited behind the held story requests"
        assert [f.result().status_code for f in light] == [200, 200, 200, 200]
        assert not any(f.done() for f in held) and gate.entered == 2  # the others wait their turn, no thread held
        gate.release.set()
        wait(held, HANG)
    assert {f.result().status_code for f in held} <= {200, 202}
    assert gate.entered == 45 and gate.most == 2


def test_serve_heavy_slots_checked_up_front(seeded: Path) -> None:
    with pytest.raises(VigieError, match="heavy_slots must be >= 1"):
        create_app(str(seeded), token=None, heavy_slots=0)
