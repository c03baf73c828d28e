"""The JSON API: read-only routes over stories, articles, entities and outlets, exports, and one guarded write.

Every error leaves as ``{"error": {"status", "code", "message"}}`` (see :mod:`vigie.serve.errors`).
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from vigie.errors import InputError, NotFoundError
from vigie.export import CONTENT_TYPES, export, public_source
from vigie.extract.readers import read_bytes
from vigie.models import Article, RawDocument
from vigie.serve.data import PENDING_RETRY, SLUG_PATTERN, Data, StoryFilter, check_id, day_of, per_period
from vigie.serve.errors import Forbidden, HttpError
from vigie.store import ArticleStore, SearchOptions

if TYPE_CHECKING:
    from vigie.understand.abstractive import LLMConfig

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["api"])


async def get_data(request: Request) -> Data:
    # Async: a sync dependency would take a server thread of its own for every request.
    data: Data = request.app.state.data
    return data


DataDep = Annotated[Data, Depends(get_data)]


class ArticleIn(BaseModel):
    """An article to ingest: plain ``text`` or ``html`` with optional metadata; any news-please record works too
    (``maintext``, ``date_publish``, ``source_domain``, ``authors``... are read as by ``vigie ingest``)."""

    model_config = ConfigDict(extra="allow")

    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None


def _article_json(data: Data, a: Article) -> dict[str, Any]:
    store = data.read()
    sources = [public_source(s) for s in store.sources(a.id)]
    return {**a.to_dict(), "source": public_source(a.source), "sources": sources, "story": store.story_of(a.id)}


def _page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/stories", summary="List stories, best first, with filters and pagination")
def stories(
    data: DataDep,
    since: Annotated[date | None, Query(description="Stories still running on or after this day (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="Stories begun on or before this day (YYYY-MM-DD)")] = None,
    language: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$", description="ISO 639-1 code")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="An outlet name (case-insensitive)")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text query on the articles")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    if since and until and since > until:
        raise HttpError(f"since ({since}) is after until ({until})", code="invalid_request")
    items = data.filter_stories(StoryFilter(since=since, until=until, language=language, outlet=outlet, q=q))
    return _page([s.to_dict() for s in items[offset : offset + limit]], len(items), limit, offset)


@router.get("/stories/{story_id}", summary="One story with its details (as `vigie story ID --json`), never waiting",
            responses={202: {"description": "The details are being made: the story's view, empty details, "
                                            '`"status": "pending"` and a Retry-After header'}})
async def story(data: DataDep, story_id: str) -> JSONResponse:
    """The story with its details and ``status``: "ready"; "pending" (HTTP 202 with Retry-After: what the store has,
    the details empty, made in the background); or "failed" (the details could not be made: the view alone)."""
    return await data.heavy(_story, data, story_id)


def _story(data: Data, story_id: str) -> JSONResponse:
    detail, status = data.detail_now(story_id)
    body = {**detail.to_dict(), "status": status}
    if status == "pending":
        return JSONResponse(body, status_code=202, headers={"Retry-After": str(PENDING_RETRY)})
    return JSONResponse(body)


@router.get("/articles/{article_id}", summary="One article, its sources and its story")
def article(data: DataDep, article_id: str) -> dict[str, Any]:
    return _article_json(data, data.read().get(check_id(article_id, "article")))


@router.get("/search", summary="Full-text search of articles: stemmed, accent-insensitive, with facets and sorting")
def search(
    data: DataDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description=(
        'Words (all required, matched by stem: "grève" finds "grévistes"), "a phrase", a OR b, -word, prefix*'))],
    outlet: Annotated[str | None, Query(max_length=200, description="Only this outlet's articles")] = None,
    language: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$", description="ISO 639-1 code")] = None,
    month: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}|undated)$",
                                       description="YYYY-MM, or `undated`")] = None,
    story: Annotated[str | None, Query(max_length=100, description="Only this story's articles (its id)")] = None,
    sort: Annotated[Literal["relevance", "newest", "oldest"], Query()] = "relevance",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> dict[str, Any]:
    """``items``: the page of hits, each with ``snippet`` (plain text) and ``snippet_segments`` /
    ``title_segments`` (``{"text", "match"}``: matched words to highlight); ``total`` and ``facets`` (``outlet``,
    ``language``, ``month``, ``story``: ``{"value", "count"}``, story ones with their ``title``) count every match."""
    try:
        opts = SearchOptions(outlet=outlet, language=language, month=month, story=story, sort=sort, offset=offset,
                             limit=limit)
    except ValueError as e:
        raise HttpError(str(e), code="invalid_request") from e
    found = data.read().find(q, opts)
    body = found.to_dict()
    body["items"] = body.pop("hits")
    if found.facets.story:
        titles = {s.id: s.title for s in data.index().stories}
        for c in body["facets"]["story"]:
            c["title"] = titles.get(c["value"])
    return body


@router.get("/entities/{entity_id}", summary="An entity (slug of its canonical name): its stories and quotes")
async def entity(data: DataDep, entity_id: str) -> dict[str, Any]:
    if not re.match(SLUG_PATTERN, entity_id):
        raise NotFoundError(f"no entity {entity_id[:80]}")
    return await data.heavy(lambda: data.entity(entity_id).to_dict())


@router.get("/outlets", summary="Outlets of the registry and of the store, with article counts")
def outlets(
    data: DataDep,
    present: Annotated[bool, Query(description="Only outlets with articles in this store")] = False,
) -> dict[str, Any]:
    items = [o.to_dict() for o in data.outlets(present=present)]
    return {"items": items, "total": len(items)}


@router.get("/outlets/{outlet_id}", summary="One outlet: registry profile, articles per day or week, articles")
def outlet(
    data: DataDep, outlet_id: str, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    page = data.outlet(check_id(outlet_id, "outlet"))
    arts = page.articles
    unit, counts = per_period(d for a in arts if (d := day_of(a.published)))
    return {
        **page.outlet.profile_dict(),
        "per_period": {"unit": unit, "counts": [{"start": d.isoformat(), "articles": n} for d, n in counts]},
        "recent": [{"id": a.id, "title": a.title, "published": a.published, "url": a.url} for a in arts[:limit]],
    }


@router.get("/export", summary="Export a table as JSON Lines, CSV or Parquet")
def export_table(
    data: DataDep,
    format: Annotated[Literal["jsonl", "csv", "parquet"], Query()] = "jsonl",
    what: Annotated[Literal["articles", "stories", "quotes", "timeline"], Query()] = "articles",
) -> Response:
    buf = io.BytesIO()
    pending: list[str] = []  # stories whose details are not made yet: exported without them, never made here
    export(data.read(), format, what, buf, detail=data.stored_details(pending), public=True)
    headers = {"Content-Disposition": f'attachment; filename="vigie-{what}.{format}"'}
    if what != "articles":
        headers["Vigie-Pending-Stories"] = str(len(pending))
    return Response(buf.getvalue(), media_type=CONTENT_TYPES[format], headers=headers)


def _check_token(request: Request) -> None:
    token: str | None = request.app.state.token
    if not token:
        raise Forbidden("writes are disabled: start the server with VIGIE_TOKEN set to allow them")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("missing or wrong token: send 'Authorization: Bearer <token>'")


def _ingest_one(store: ArticleStore, raw: RawDocument, llm: LLMConfig | None) -> dict[str, Any]:
    from vigie.pipeline import Documents, RunOptions, run

    result = run(store, Documents([raw]), options=RunOptions(llm=llm), echo=log.info)
    if result.report.errors:
        raise result.report.errors[0]
    for warning in result.warnings:
        log.warning("%s", warning)
    return {"id": raw.id, "new": result.report.new == 1, "story": store.story_of(raw.id)}


@router.post(
    "/articles", summary="Ingest one article (needs the server's bearer token)", status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": ArticleIn.model_json_schema()}}}},
)
async def add_article(request: Request, response: Response) -> dict[str, Any]:
    # The token is checked before the body is even parsed: no one without it learns anything about validation.
    _check_token(request)
    body = await request.body()
    try:
        payload = ArticleIn.model_validate_json(body or b"null")
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise HttpError(f"{where}: {first.get('msg', 'invalid')}", status=422, code="invalid_request") from e
    record = payload.model_dump(exclude_none=True)
    source = str(record.pop("source", None) or "api")
    docs = list(read_bytes(json.dumps(record, ensure_ascii=False).encode(), "request.json"))
    if len(docs) != 1:
        raise HttpError("expected one article object", code="invalid_input")
    doc = docs[0]
    if isinstance(doc, InputError):
        raise InputError(source, doc.reason)
    doc.source = source
    data: Data = request.app.state.data
    result: dict[str, Any] = await run_in_threadpool(data.write, lambda store: _ingest_one(store, doc, data.llm))
    if not result["new"]:
        response.status_code = 200
    return result
