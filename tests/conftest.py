"""Shared fixtures: the bundled seeds, and ../shared data when present (tests needing it skip cleanly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SHARED = ROOT.parent / "shared" / "data"

# Whole modules left out of the fast loop (`make check`, `pytest -m "not slow"`); `make test` and CI run them all.
# Each costs tens of seconds: the evaluation gate, the end-to-end bench, the fuzzers, the crash and browser tests.
SLOW_MODULES = frozenset({"test_eval_gate", "test_bench", "test_api_fuzz", "test_fuzz", "test_crash", "test_browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture
def eval_module() -> Callable[[str], ModuleType]:
    """Loads ``eval/NAME.py`` as a module (the gates call the evaluation scripts' own scoring)."""

    def load(name: str) -> ModuleType:
        import importlib.util
        import sys

        spec = importlib.util.spec_from_file_location(name, ROOT / "eval" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, mod)  # dataclasses look their module up while the file runs
        spec.loader.exec_module(mod)
        return mod

    return load


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


# -- CI: a skip for a missing part of Vigie is a failure ----------------------------------------------------------
# Locally a test may skip when an optional dependency (spaCy's French model, fastapi, pyarrow, a function still
# being wired) is absent. In CI ($CI or $VIGIE_TEST_STRICT) every dependency of the project itself must be there,
# so such a skip fails, as the PostgreSQL tests already do with $VIGIE_TEST_PG_REQUIRED. What CI may legitimately
# lack stays a skip: ../shared, root privileges, PostgreSQL (its own switch), the system's Chromium, /dev/full.
_LEGITIMATE_SKIPS = ("../shared/data is absent", "only root", "root can", "PostgreSQL unavailable", "chromium",
                     "no /dev/full")  # fmt: skip


def _strict() -> bool:
    import os

    return bool(os.environ.get("VIGIE_TEST_STRICT") or os.environ.get("CI"))


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _fail_if_dependency_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not report.skipped or not _strict() or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report.longrepr)
    if any(ok in reason for ok in _LEGITIMATE_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, where every dependency of Vigie must be installed: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _fail_if_dependency_skip(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_if_dependency_skip(outcome.get_result())  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _cli_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the locale's language (see vigie.i18n.language_from_env): tests pin English, the C locale's,
    whatever the developer's locale; French tests ask with --lang fr or VIGIE_LANG."""
    for name in ("VIGIE_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
