"""``vigie serve``: a FastAPI app over one store — a JSON API under ``/api`` and server-rendered pages.

Example:
    >>> app = create_app(":memory:", token=None)  # doctest: +SKIP
    >>> run("vigie.db", "127.0.0.1", 8000)  # doctest: +SKIP

Security: every response carries a strict Content-Security-Policy (no inline script or style, nothing from another
origin), ``nosniff``, ``DENY`` framing and a same-origin referrer policy, 500s included; request bodies over
``max_body`` bytes are refused with 413; static files come only from the package folder, by an allow-listed name.
``vigie serve`` answers only requests whose ``Host`` is the bound address, ``localhost`` or one the user allows
(``--allowed-host``, ``$VIGIE_ALLOWED_HOSTS``), so a DNS-rebinding page cannot read the API from a browser.
``HEAD`` is answered as ``GET`` without the body.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from vigie import __version__
from vigie.errors import NotFoundError, VigieError
from vigie.export import MissingDependencyError
from vigie.serve import api, feeds, pages
from vigie.serve.data import HEAVY_SLOTS, Data
from vigie.serve.errors import HttpError, TooLarge, Unavailable, code_of, describe, error_body, page_message
from vigie.serve.i18n import translator

__all__ = ["MAX_BODY", "SECURITY_HEADERS", "allowed_hosts_for", "create_app", "run"]

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|js)$")
_STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response, errors included.

    An unexpected exception is answered here (Starlette's own last-resort handler sits outside every middleware,
    so its 500 would carry none of the headers): the one JSON error shape for the API, the error page otherwise.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:  # too late for another answer: the client sees a cut response
                raise
            request = None if _is_api(scope.get("path", "")) else Request(scope)
            await _error_response(scope, exc, request)(scope, receive, send_with_headers)


class HeadAsGet:
    """Answers ``HEAD`` like ``GET``, headers only (routes are declared for GET)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)


class HostCheck:
    """Refuses (400) a request whose ``Host`` header is not allowed: the defence against DNS rebinding."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1").strip().lower()
        host = _host_part(raw)
        if host not in self.hosts:
            shown = raw[:100] or "(none)"
            err = HttpError(f"host {shown!r} is not allowed: serve with --allowed-host {host or 'NAME'} to accept it",
                            status=400, code="invalid_host")  # fmt: skip
            await _error_response(scope, err)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_part(value: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts_for(bound: str, extra: Iterable[str] = ()) -> list[str]:
    """The Host names ``vigie serve`` accepts: the bound address, localhost, and ``extra`` plus
    ``$VIGIE_ALLOWED_HOSTS`` (comma-separated). A wildcard bind (``0.0.0.0``) adds this machine's names."""
    hosts = {bound.strip("[]").lower(), "localhost", "127.0.0.1", "::1"}
    if bound in ("0.0.0.0", "::", ""):
        hosts.update({socket.gethostname().lower(), socket.getfqdn().lower()})
    hosts.update(h.strip().lower() for h in extra if h.strip())
    hosts.update(h.strip().lower() for h in os.environ.get("VIGIE_ALLOWED_HOSTS", "").split(",") if h.strip())
    return sorted(hosts)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, by Content-Length or while reading the body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        too_big = TooLarge(f"request body over the {self.limit // (1024 * 1024)} MB limit")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _error_response(scope, too_big)(scope, receive, send)
            return
        # Without a trustworthy length (chunked upload), read the body here, counting, then replay it.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _error_response(scope, too_big)(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _error_response(scope: Scope, exc: BaseException, request: Request | None = None) -> Response:
    status, code, message = describe(exc)
    if isinstance(exc, MissingDependencyError):
        status, code, message = describe(Unavailable(str(exc)))
    if status >= 500 and not isinstance(exc, VigieError):
        log.error("internal error on %s", scope.get("path"), exc_info=exc)
    if _is_api(scope.get("path", "")) or request is None:
        return JSONResponse(error_body(status, code, message), status_code=status)
    shown = page_message(status, code, message, translator(pages.page_lang(request)))
    return pages.render(request, "error.html", status=status, error_status=status, error_code=code, message=shown)


def _install_handlers(app: FastAPI) -> None:
    async def on_domain(request: Request, exc: Exception) -> Response:
        return _error_response(request.scope, exc, request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else code_of(exc.status_code).replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path[:200]}"
        return _error_response(request.scope, HttpError(message, status=exc.status_code,
                                                        code=code_of(exc.status_code)), request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = []
        for err in exc.errors()[:3]:
            loc = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}")
        return _error_response(request.scope, HttpError("; ".join(parts) or "invalid request", status=422,
                                                        code="invalid_request"), request)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        return _error_response(request.scope, exc, request)

    app.add_exception_handler(VigieError, on_domain)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)


def _static(name: str) -> Response:
    """A file of the package's ``static`` folder; the name is allow-listed, so no path can leave the folder."""
    m = _STATIC_NAME.match(name)
    if m is None:
        raise NotFoundError(f"no static file {name[:80]}")
    node = resources.files("vigie.serve").joinpath("static").joinpath(name)
    if not node.is_file():
        raise NotFoundError(f"no static file {name}")
    return Response(node.read_bytes(), media_type=_STATIC_TYPES[m.group(1)],
                    headers={"cache-control": "public, max-age=3600"})


def create_app(
    db: str,
    *,
    token: str | None,
    lang: str = "fr",
    max_body: int = MAX_BODY,
    home_details: int = 10,
    allowed_hosts: Sequence[str] | None = None,
    heavy_slots: int = HEAVY_SLOTS,
) -> FastAPI:
    """The Vigie web app over the store at ``db``.

    Args:
        db: SQLite file (``:memory:`` for tests).
        token: bearer token that allows ``POST /api/articles``; None reads ``$VIGIE_TOKEN``; writes are refused
            (403) when neither is set.
        lang: default page language, ``"fr"`` or ``"en"`` (a browser's Accept-Language or ``?lang=`` wins).
        max_body: largest request body in bytes (413 beyond).
        home_details: how many stories of the home page show their headline and summary (each needs the story's
            details, computed once and cached).
        allowed_hosts: the ``Host`` names answered (others get 400); None checks nothing, for an app embedded
            behind a proxy that checks it. ``vigie serve`` passes :func:`allowed_hosts_for` its address.
        heavy_slots: server threads that may build story and entity answers at once; the rest of the pool stays
            for every other request (see :meth:`vigie.serve.data.Data.heavy`).

    Raises:
        VigieError: a bad language or size, or a store that cannot be opened.
    """
    if lang not in ("fr", "en"):
        raise VigieError(f"lang must be 'fr' or 'en', got {lang!r}")
    if max_body < 1:
        raise VigieError(f"max_body must be >= 1 byte, got {max_body}")
    data = Data(db, heavy_slots=heavy_slots)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        data.close()

    app = FastAPI(
        title="Vigie", version=__version__, description="News-story intelligence: stories, articles, entities.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.data = data
    app.state.token = token if token is not None else (os.environ.get("VIGIE_TOKEN") or None)
    app.state.lang = lang
    app.state.home_details = home_details
    _install_handlers(app)
    app.include_router(api.router)
    app.include_router(feeds.router)  # before the pages: /stories/{id}.md is not a story id
    app.include_router(pages.router)
    app.add_api_route("/static/{name}", _static, methods=["GET"], include_in_schema=False)
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(HeadAsGet)
    if allowed_hosts is not None:
        app.add_middleware(HostCheck, hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


def run(db: str, host: str = "127.0.0.1", port: int = 8000, allowed_hosts: Sequence[str] = (), *,
        lang: str = "fr") -> None:
    """Serve the store at ``db`` until interrupted (``vigie serve``); the write token comes from ``$VIGIE_TOKEN``.

    Only requests for the bound address, localhost, ``allowed_hosts`` and ``$VIGIE_ALLOWED_HOSTS`` are answered;
    ``lang`` is the pages' default language (a browser's Accept-Language or ``?lang=`` wins).
    """
    import uvicorn

    app = create_app(db, token=None, lang=lang, allowed_hosts=allowed_hosts_for(host, allowed_hosts))
    uvicorn.run(app, host=host, port=port, log_level="info")
