"""The JSON API fuzzed from its own OpenAPI spec (schemathesis, in-process over ASGI): no 5xx on any input, the
security headers on every response, writes refused without the token, and request bodies over the limit refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from vigie import stories
from vigie.pipeline import ingest
from vigie.serve import SECURITY_HEADERS, create_app
from vigie.store import Store

schemathesis = pytest.importorskip("schemathesis")

TOKEN = "t"
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("apifuzz") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        stories.update_stories(store)
    return db


@pytest.fixture
def app(seeded: Path) -> FastAPI:
    return create_app(str(seeded), token=TOKEN)


@pytest.fixture
def client(app: FastAPI) -> Iterator[Any]:
    """One in-process client for every call: each new one would run the app's lifespan (and close its store)."""
    from schemathesis.python import asgi

    with asgi.get_client(app) as c:
        yield c


def _operations(app: FastAPI, method: str | None = None) -> list[Any]:
    # schemathesis' pytest plugin does not support pytest 9 yet: its Hypothesis strategies are used directly.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    return [op for op in ops if method is None or op.method.upper() == method]


def _headers_ok(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == [value], name  # schemathesis lists every header's values


def test_api_fuzz_no_server_error_and_headers_on_every_response(app: FastAPI, client: Any) -> None:
    ops = _operations(app)
    assert len(ops) >= 9
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            response = case.call(session=client)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            _headers_ok(response)
            if case.method.upper() != "GET":
                assert response.status_code == 403  # no token sent: every write is refused, whatever the body

        run()


def test_api_fuzz_authorised_writes_never_fail_with_5xx(app: FastAPI, client: Any) -> None:
    ops = _operations(app, "POST")
    assert {op.path for op in ops} == {"/api/articles", "/api/alerts"}
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            response = case.call(session=client, headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code in (200, 201, 400, 413, 422), (response.status_code, response.text[:300])
            _headers_ok(response)

        run()


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic t", "Bearer ", f"bearer {TOKEN}x"])
def test_api_fuzz_write_routes_need_the_token(app: FastAPI, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    with TestClient(app) as client:
        r = client.post("/api/articles", json={"text": "Un article."}, headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert all(r.headers.get(k) == v for k, v in SECURITY_HEADERS.items())


def test_api_fuzz_body_limit_by_length_and_by_stream(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "small.db"), token=TOKEN, max_body=1024)
    big = b'{"text": "' + b"x" * 2048 + b'"}'
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def chunks() -> Any:
        for i in range(0, len(big), 256):
            yield big[i : i + 256]

    with TestClient(app) as client:
        for r in (client.post("/api/articles", content=big, headers=auth),
                  client.post("/api/articles", content=chunks(), headers=auth),  # chunked: no Content-Length
                  client.post("/api/articles", content=big),  # the limit comes before the token check
                  client.get("/api/stories", headers={"Content-Length": "99999999"})):
            assert r.status_code == 413, r.text
            assert r.json()["error"]["code"] == "too_large"
            assert all(r.headers.get(k) == v for k, v in SECURITY_HEADERS.items())
