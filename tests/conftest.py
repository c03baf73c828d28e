"""Shared fixtures: the bundled seeds, and ../shared data when present (tests needing it skip cleanly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """Seed file name -> decoded text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when this clone has no ../shared beside it."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED


class LocalServer:
    """A throwaway HTTP server on 127.0.0.1: canned answers per path, every request recorded."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes: dict[str, Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                server.requests.append((self.command, self.path, headers, body))
                route = server.routes.get(self.path)
                status, out_headers, out = route(headers) if route else (404, {}, b"not found")
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    # Vigie refuses private addresses unless allowed: allow this server's, exactly as a user would.
    monkeypatch.setenv("VIGIE_ALLOW_PRIVATE_URLS", "127.0.0.1")
    server = LocalServer()
    yield server
    server.close()
