"""Saved searches in the interface, Atom feeds, and a story for a press review (Markdown, printable page).

Routes:
    ``GET /alertes``: the saved searches, their recent matches and feeds; creating and removing one goes through
    the JSON API below from ``static/alerts.js`` (no inline script: the CSP forbids it), with the bearer token.
    ``GET|POST /api/alerts``, ``DELETE /api/alerts/{id}``: the saved searches; writes need the server's token.
    ``GET /feeds/alerts/{id}.atom``: a saved search's latest matching articles.
    ``GET /feeds/stories/{id}.atom``: a story's articles, newest first.
    ``GET /stories/{id}.md``: the story as Markdown (a download); ``GET /stories/{id}/imprimer``: a printable page.

Everything shown comes from articles (hostile text): the feeds are built by :mod:`vigie.atom`, the Markdown by
:func:`vigie.export.story_markdown`, the pages by autoescaped templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from vigie.alerts import AlertError, RecentMatches, add_alert, list_alerts, recent_matches, remove_alert
from vigie.atom import CONTENT_TYPE, AtomEntry, AtomFeed, instant
from vigie.errors import NotFoundError
from vigie.export import http_url, story_filename, story_markdown, story_sources
from vigie.models import Article
from vigie.serve.api import _check_token
from vigie.serve.data import PENDING_RETRY, Data, check_id
from vigie.serve.errors import HttpError
from vigie.serve.i18n import translator
from vigie.serve.pages import page_lang, render

__all__ = ["FEED_ENTRIES", "router"]

router = APIRouter()
FEED_ENTRIES = 50  # newest articles of an alert's feed
PAGE_MATCHES = 5  # newest matches listed under each alert on its page
SCAN = 1000  # most recent articles an alert is matched against


async def get_data(request: Request) -> Data:
    # Async: a sync dependency would take a server thread of its own for every request.
    data: Data = request.app.state.data
    return data


DataDep = Annotated[Data, Depends(get_data)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _plural(request: Request) -> Callable[..., str]:
    """``count_label(3, "n_sources")`` -> "3 sources": French takes the singular for 0 and 1, English for 1 only."""
    lang = page_lang(request)
    t = translator(lang)

    def label(n: int, key: str, **more: int) -> str:
        one = n <= 1 if lang == "fr" else n == 1
        text = t(f"{key}_one" if one else f"{key}_many").replace("{n}", str(n))
        for k, v in more.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    return label


def _alert_id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise NotFoundError(f"no alert {value[:80]}")
    return int(value)


# -- the JSON API of saved searches -----------------------------------------------------------------------------


class AlertIn(BaseModel):
    """A saved search to create: its query (see :mod:`vigie.alerts` for the syntax) and an optional webhook."""

    model_config = ConfigDict(extra="forbid")

    query: str
    webhook: str | None = None


def _alert_json(m: RecentMatches, base: str) -> dict[str, Any]:
    a = m.alert
    # A webhook URL is a secret (a chat webhook posts as whoever holds it): reads only say whether there is one.
    return {"id": a.id, "query": a.query, "has_webhook": bool(a.webhook), "created_at": a.created_at,
            "matches": m.count, "scanned": m.scanned, "feed": f"{base}/feeds/alerts/{a.id}.atom",
            "latest": [{"id": x.id, "title": x.title, "outlet": x.outlet, "published": x.published}
                       for x in m.articles]}  # fmt: skip


@router.get("/api/alerts", tags=["api"], summary="Saved searches, with their matches among recent articles")
def api_alerts(request: Request, data: DataDep) -> dict[str, Any]:
    store = data.read()
    found = recent_matches(store, list_alerts(store), limit=PAGE_MATCHES, scan=SCAN)
    items = [_alert_json(m, _base(request)) for m in found.values()]
    return {"items": items, "total": len(items)}


@router.post("/api/alerts", tags=["api"], status_code=201, summary="Save a search (needs the server's bearer token)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": AlertIn.model_json_schema()}}}})  # fmt: skip
async def api_add_alert(request: Request) -> dict[str, Any]:
    _check_token(request)  # before the body is read: no one without the token learns about validation
    try:
        payload = AlertIn.model_validate_json(await request.body() or b"null")
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise HttpError(f"{where}: {first.get('msg', 'invalid')}", status=422, code="invalid_request") from e
    data: Data = request.app.state.data
    try:
        alert = await run_in_threadpool(data.write, lambda st: add_alert(st, payload.query, payload.webhook or None))
    except AlertError as e:
        raise HttpError(str(e), status=422, code="invalid_request") from e
    return {"id": alert.id, "query": alert.query, "has_webhook": bool(alert.webhook), "created_at": alert.created_at,
            "feed": f"{_base(request)}/feeds/alerts/{alert.id}.atom"}


@router.delete("/api/alerts/{alert_id}", tags=["api"], summary="Remove a saved search (needs the bearer token)")
async def api_remove_alert(request: Request, alert_id: str) -> dict[str, Any]:
    _check_token(request)
    aid = _alert_id(alert_id)
    data: Data = request.app.state.data
    await run_in_threadpool(data.write, lambda st: remove_alert(st, aid))
    return {"id": aid, "removed": True}


# -- the page ---------------------------------------------------------------------------------------------------


@router.get("/alertes", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, data: DataDep) -> HTMLResponse:
    store = data.read()
    found = recent_matches(store, list_alerts(store), limit=PAGE_MATCHES, scan=SCAN)
    label = _plural(request)
    return render(request, "alerts.html", alerts=list(found.values()), writes=bool(request.app.state.token),
                  matches_label=lambda n, scanned: label(n, "alert_match", scanned=scanned))  # fmt: skip


# -- Atom feeds -------------------------------------------------------------------------------------------------


def _summary(a: Article, limit: int = 400) -> str:
    text = " ".join((a.standfirst or a.body or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _entry(a: Article, base: str) -> AtomEntry:
    page = f"{base}/articles/{a.id}"
    url = http_url(a.url)
    return AtomEntry(id=f"urn:vigie:article:{a.id}", title=a.title or a.id, updated=a.published,
                     published=a.published, link=url or page, related=page if url else None, summary=_summary(a),
                     author=a.outlet)  # fmt: skip


def _atom(feed: AtomFeed) -> Response:
    return Response(feed.to_xml(), media_type=CONTENT_TYPE, headers={"cache-control": "no-cache"})


@router.get("/feeds/alerts/{alert_id}.atom", include_in_schema=False)
def alert_feed(request: Request, data: DataDep, alert_id: str) -> Response:
    aid = _alert_id(alert_id)
    store = data.read()
    alert = next((a for a in list_alerts(store) if a.id == aid), None)
    if alert is None:
        raise NotFoundError(f"no alert {aid}")
    t = translator(page_lang(request))
    m = recent_matches(store, [alert], limit=FEED_ENTRIES, scan=SCAN)[aid]
    base = _base(request)
    return _atom(AtomFeed(
        id=f"urn:vigie:alert:{aid}", title=f"{t('feed_alert_title')}{t('md_colon')} {alert.query}",
        updated=None if m.articles else alert.created_at, entries=[_entry(a, base) for a in m.articles],
        self_url=f"{base}/feeds/alerts/{aid}.atom", link=f"{base}/alertes", lang=page_lang(request),
    ))


@router.get("/feeds/stories/{story_id}.atom", include_in_schema=False)
def story_feed(request: Request, data: DataDep, story_id: str) -> Response:
    from vigie import stories

    store = data.read()
    view = stories.get_story(store, check_id(story_id, "story"))
    arts = sorted((store.get(a.id) for a in view.articles), key=lambda a: (instant(a.published), a.id), reverse=True)
    base = _base(request)
    t = translator(page_lang(request))
    return _atom(AtomFeed(
        id=f"urn:vigie:story:{view.id}", title=f"{t('story')}{t('md_colon')} {view.title or view.id}",
        updated=view.last_published, entries=[_entry(a, base) for a in arts],
        self_url=f"{base}/feeds/stories/{view.id}.atom", link=f"{base}/stories/{view.id}", lang=page_lang(request),
    ))


# -- a story for a press review ---------------------------------------------------------------------------------


@router.get("/stories/{story_id}.md", include_in_schema=False)
async def story_md(request: Request, data: DataDep, story_id: str) -> Response:
    return await data.heavy(_story_md, request, data, story_id)


def _story_md(request: Request, data: Data, story_id: str) -> Response:
    # Never waits: details still being made give a short 202 (Retry-After) that says so, not the file.
    detail, status = data.detail_now(story_id)
    t = translator(page_lang(request))
    if status == "pending":
        note = f"# {detail.title or detail.id}\n\n{t('summary_pending')} {t('export_pending_note')}\n"
        return Response(note.encode("utf-8"), status_code=202, media_type="text/markdown; charset=utf-8",
                        headers={"Retry-After": str(PENDING_RETRY)})
    urls = {a.id: a.url for a in data.articles_of(detail)}
    text = story_markdown(detail, urls=urls, t=t, page_url=f"{_base(request)}/stories/{detail.id}")
    name = story_filename(detail, "md")  # ASCII letters, digits and dashes: safe in the header as is
    return Response(text.encode("utf-8"), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/stories/{story_id}/imprimer", response_class=HTMLResponse, include_in_schema=False)
async def story_print(request: Request, data: DataDep, story_id: str) -> HTMLResponse:
    return await data.heavy(_story_print, request, data, story_id)


def _story_print(request: Request, data: Data, story_id: str) -> HTMLResponse:
    # Never waits: while the details are made, the sheet shows the story's sources, says so (202) and reloads.
    detail, status = data.detail_now(story_id)
    pending = status == "pending"
    urls = {a.id: a.url for a in data.articles_of(detail)}
    sources = story_sources(detail, urls)
    response = render(request, "story_print.html", status=202 if pending else 200, story=detail, sources=sources,
                      number={s.id: s.number for s in sources}, count_label=_plural(request), pending=pending,
                      refresh=PENDING_RETRY if pending else None)  # fmt: skip
    if pending:
        response.headers["Retry-After"] = str(PENDING_RETRY)
    return response
