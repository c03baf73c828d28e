"""Server-rendered pages (Jinja2, autoescaped): home, story, article, search, entity, outlets, API docs.

Article text, titles, quotes and comments are hostile input: templates never mark data safe, links are kept only
for http(s) URLs, and plots are SVG whose labels are escaped by :mod:`vigie.serve.plots`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from vigie.errors import NotFoundError
from vigie.export import public_source
from vigie.serve import plots, searchview
from vigie.serve import story_page as sp
from vigie.serve.data import PENDING_RETRY, SLUG_PATTERN, Data, StoryFilter, check_id, day_of, per_period, slugify
from vigie.serve.i18n import COOKIE, LANGUAGES, Translator, negotiate, translator

if TYPE_CHECKING:
    from vigie.understand.timeline import Disagreement
    from vigie.understand.views import StoryDetail

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


def _http_url(url: object) -> str | None:
    """The URL when it is http(s); anything else (``javascript:``, ``data:``) is never made a link."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _day(value: object) -> str:
    return str(value)[:10] if value else ""


@pass_context
def _ldate(context: Context, value: object, format: str = "long") -> str:
    """A day in words in the page's language ("5 octobre 2021"; ``"medium"``: "5 oct. 2021")."""
    return translator(context.get("lang")).date(value, format)


@pass_context
def _ltime(context: Context, value: object) -> str:
    """A timestamp in words in the page's language ("20 octobre 2021 à 10:00"); a bare day as :func:`_ldate`."""
    return translator(context.get("lang")).datetime(value)


env = Environment(
    loader=PackageLoader("vigie.serve", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(http_url=_http_url, paragraphs=_paragraphs, day=_day, slug=slugify, ldate=_ldate,
                   ltime=_ltime)


def page_lang(request: Request) -> str:
    default: str = request.app.state.lang
    return negotiate(
        request.query_params.get("lang"), request.cookies.get(COOKIE), request.headers.get("accept-language"), default
    )


def local_path(path: str) -> str:
    """A request path that can only name this site: one leading slash, no backslash ("//evil.example/x" and
    "/\\evil.example" would be read by browsers as another host)."""
    return "/" + path.replace("\\", "/").lstrip("/")


def language_url(path: str, params: Iterable[tuple[str, str]], code: str) -> str:
    """The same page in language ``code``: the local path, every other query parameter kept (in order, encoded),
    ``lang`` set last.

    Example:
        >>> language_url("//evil.example/", [("vue", "angles-morts"), ("lang", "fr"), ("q", "grève & co")], "en")
        '/evil.example/?vue=angles-morts&q=gr%C3%A8ve+%26+co&lang=en'
    """
    kept = [(k, v) for k, v in params if k != "lang"]
    return local_path(path) + "?" + urlencode([*kept, ("lang", code)])


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's language; ``?lang=`` is remembered in a cookie."""
    lang = page_lang(request)
    path = local_path(request.url.path)
    params = request.query_params.multi_items()
    lang_links = {code: language_url(path, params, code) for code in LANGUAGES}
    t = translator(lang)
    # t("key"), tn("n_sources", n) and label("entity_type", "PER") in every template.
    html = env.get_template(template).render(
        t=t, tn=t.n, label=t.label, lang=lang, languages=LANGUAGES, path=path, lang_links=lang_links, **context
    )
    response = HTMLResponse(html, status_code=status)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(COOKIE, asked, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


async def get_data(request: Request) -> Data:
    # Async: a sync dependency would take a server thread of its own for every request.
    data: Data = request.app.state.data
    return data


DataDep = Annotated[Data, Depends(get_data)]


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


BLINDSPOTS = "angles-morts"  # ?vue= of the home page's blindspot view


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    data: DataDep,
    q: Annotated[str | None, Query(max_length=500)] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    language: Annotated[str | None, Query(max_length=3)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    vue: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    lang = page_lang(request)
    t = translator(lang)
    f = StoryFilter(since=_date_or_none(since), until=_date_or_none(until), language=language or None,
                    outlet=outlet or None, q=q or None)
    found = data.filter_stories(f)
    blind = vue == BLINDSPOTS
    # Blindspots from the stored story views and the registry: no story is analysed to list them.
    spots = {s.id: b for s in found if (b := sp.blindspot(s, data.registry)) is not None}
    if blind:
        found = [s for s in found if s.id in spots]
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    details_top: int = request.app.state.home_details
    cards = []
    for i, s in enumerate(shown):
        d = data.cached_detail(s) if i < details_top else None
        cards.append({**s.to_dict(), "headline": d.headline if d else None, "summary": d.summary if d else None,
                      "voices": s.voices, "blindspot": spots.get(s.id),
                      "countries": [t.label("country", c) for c in sp.countries_of(s, data.registry)],
                      "state": sp.state_voices(s, data.registry)})
    index = data.index()
    all_outlets = sorted({o for s in index.stories for o in s.outlets}, key=str.casefold)
    all_langs = sorted({lang for langs in index.languages.values() for lang in langs})
    return render(
        request, "home.html", stories=cards, total=len(found), page=page, pages=max(1, -(-len(found) // PAGE_SIZE)),
        q=q or "", outlet=outlet or "", language=language or "", since=since or "", until=until or "",
        all_outlets=all_outlets, all_languages=all_langs, vue=BLINDSPOTS if blind else "",
        blindspots=BLINDSPOTS, count=sp.counter(t, lang), when=lambda v: sp.human_date(v, lang),
        country=lambda c: t.label("country", c),
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story(request: Request, data: DataDep, story_id: str) -> HTMLResponse:
    return await data.heavy(_story, request, data, story_id)


def _story(request: Request, data: Data, story_id: str) -> HTMLResponse:
    # Reads never wait behind a computation: details not stored yet are computed in the background while the
    # page shows the articles and the registry's coverage, and reloads itself (PENDING_REFRESH) until they come.
    s, pending = data.detail_or_pending(story_id)
    return _story_page(request, data, s, pending=pending)


def _in_language(s: StoryDetail, t: Translator) -> StoryDetail:
    """A copy of a story, for its page, whose English placeholders ("(unknown outlet)", "date of: …"), registry owners
    and country codes read in ``t``'s language; the cached details (and the JSON API) keep the library's text."""
    def name(o: str) -> str:
        return t.phrase(o)

    def disagreements(ds: list[Disagreement]) -> list[Disagreement]:
        return [replace(d, about=t.phrase(d.about)) for d in ds]

    cov = s.coverage
    if cov is not None:
        cov = replace(
            cov,
            # Display copies: the registry's English owner and the country code read as words.
            outlets=[replace(o, name=name(o.name), owner=t.label("owner", o.owner) or None,
                             country=t.label("country", o.country) or None) for o in cov.outlets],
            facts=[replace(f, outlets=[name(o) for o in f.outlets]) for f in cov.facts],
            only={name(o): v for o, v in cov.only.items()}, missing={name(o): v for o, v in cov.missing.items()},
            first=name(cov.first) if cov.first else None, disagreements=disagreements(cov.disagreements),
        )
    return replace(s, disagreements=disagreements(s.disagreements), coverage=cov)


PENDING_REFRESH = PENDING_RETRY  # seconds before a story page whose details are being computed reloads


def _story_page(request: Request, data: Data, s: StoryDetail, *, pending: bool = False) -> HTMLResponse:
    lang = page_lang(request)
    t = translator(lang)
    disagreements = sp.disagreement_rows(s.disagreements, phrase=t.phrase)  # their kind read from the library's text
    s = _in_language(s, t)
    articles = data.articles_of(s)
    number = {a.id: i for i, a in enumerate(s.articles, 1)}
    outlet_of = {a.id: sp.voice_of(a) for a in s.articles}
    outlet_slugs = {o.id for o in data.outlets(present=True)}

    def country(code: str) -> str:
        return t.label("country", code)

    def when(value: str) -> str:
        return sp.human_date(value, lang)

    # The plots read plain dicts (they also draw data that never was a record).
    timeline = [e.to_dict() for e in s.timeline]
    on_axis, context = plots.split_timeline(timeline)
    count = sp.counter(t, lang)

    def timeline_plot(narrow: bool) -> Markup | None:
        return plots.timeline_svg(timeline, title=t("timeline"), sources_word=lambda n: count(n, "source"),
                                  date_label=when, narrow=narrow)

    # One dated article on a time axis says nothing: the strip plot needs two.
    dated = [a.to_dict() for a in s.articles] if sum(1 for a in s.articles if a.published) > 1 else []
    coverage = s.coverage
    return render(
        request, "story.html", story=s, rows=sp.article_rows(s.story, articles), number=number, outlet_of=outlet_of,
        speakers=sp.speakers(s.quotes), political=sp.political_rows(s.political_events),
        coverage=coverage, cov_outlets=[o.name for o in coverage.outlets] if coverage else [],
        # The coverage's countries and owners are already in words (_in_language).
        outlet_facts=sp.outlet_facts(coverage, slugs=outlet_slugs, slug=slugify, country_name=lambda c: c,
                                     background={e.text for e in s.timeline if e.background}) if coverage else [],
        bars=sp.coverage_bars(s.story, data.registry, country_name=country,
                              owner_name=lambda o: t.label("owner", o), unknown=t("unknown"),
                              state=t("state_media"), independent=t("independent")),
        disagreements=disagreements,
        blindspot=sp.blindspot(s.story, data.registry), outlet_slugs=outlet_slugs,
        on_axis=on_axis, context=context, count=count, when=when,
        country=country,
        timeline_plot=timeline_plot(False), timeline_plot_narrow=timeline_plot(True),
        outlets_plot=plots.outlets_svg(dated, title=t("articles_per_outlet"), date_label=when),
        outlets_plot_narrow=plots.outlets_svg(dated, title=t("articles_per_outlet"), date_label=when, narrow=True),
        pending=pending, refresh=PENDING_REFRESH if pending else None,
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, data: DataDep, article_id: str) -> HTMLResponse:
    store = data.read()
    a = store.get(check_id(article_id, "article"))
    sid = store.story_of(a.id)
    return render(request, "article.html", article=a, sources=[public_source(x) for x in store.sources(a.id)],
                  story_id=sid,
                  outlet_slug=slugify(a.outlet) if a.outlet else None)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    data: DataDep,
    q: Annotated[str, Query(max_length=500)] = "",
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    language: Annotated[str | None, Query(max_length=12)] = None,
    month: Annotated[str | None, Query(max_length=10)] = None,
    story: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> HTMLResponse:
    lang = page_lang(request)
    results = None
    titles: dict[str, str] = {}
    if q.strip():
        opts = searchview.options(outlet=outlet, language=language, month=month, story=story, sort=sort, page=page)
        results = data.read().find(q, opts)
        if results.facets.story:
            titles = {s.id: s.title for s in data.index().stories if s.title}
    view = searchview.build(q, results, translator(lang), lang, titles)
    return render(request, "search.html", q=q, view=view)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
async def entity(request: Request, data: DataDep, entity_id: str) -> HTMLResponse:
    if not re.match(SLUG_PATTERN, entity_id):
        raise NotFoundError(f"no entity {entity_id[:80]}")
    return await data.heavy(_entity, request, data, entity_id)


def _entity(request: Request, data: Data, entity_id: str) -> HTMLResponse:
    e = data.entity(entity_id)
    quotes: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for q in e.quotes:
        quotes.setdefault(q.story, []).append(q.to_dict())
    return render(request, "entity.html", entity=e, quotes=quotes)


@router.get("/outlets", response_class=HTMLResponse)
def outlets(request: Request, data: DataDep) -> HTMLResponse:
    return render(request, "outlets.html", outlets=[o.to_dict() for o in data.outlets(present=True)])


@router.get("/outlets/{outlet_id}", response_class=HTMLResponse)
def outlet(request: Request, data: DataDep, outlet_id: str) -> HTMLResponse:
    lang = page_lang(request)
    t = translator(lang)
    page = data.outlet(check_id(outlet_id, "outlet"))
    arts = page.articles
    unit, counts = per_period(d for a in arts if (d := day_of(a.published)))

    def when(value: str) -> str:
        return sp.human_date(value, lang)

    return render(request, "outlet.html", outlet=page.outlet.profile_dict(), articles=arts[:200], unit=unit,
                  plot=plots.bars_svg(counts, unit, title=t("articles_over_time"), date_label=when),
                  plot_narrow=plots.bars_svg(counts, unit, title=t("articles_over_time"), date_label=when,
                                             narrow=True))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """The API reference, rendered on the server from the OpenAPI schema (no CDN, no script)."""
    t = translator(page_lang(request))
    schema = request.app.openapi()
    routes = []
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            key = f"{method.upper()} {path}"
            params = [{**p, "description": t.api_doc(f"{key}?{p['name']}", p.get("description")
                                                     or (p.get("schema") or {}).get("description"))}
                      for p in op.get("parameters") or []]
            routes.append({"path": path, "method": method.upper(), "op": op, "summary": t.api_doc(key, op.get("summary")),
                           "parameters": params})
    return render(request, "docs.html", schema=schema, routes=routes)
