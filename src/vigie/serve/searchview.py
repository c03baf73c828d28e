"""The search page's view: one page of :class:`~vigie.store.SearchResults` turned into what the template shows —
facet links with counts, active filters with their removal links, hits grouped by story, pagination. Plain
records built in Python; the template only loops over them (and escapes everything it prints).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from vigie.store import SearchHit, SearchOptions, SearchResults
from vigie.store.search import SORTS, UNDATED

PAGE_SIZE = 20
FILTERS = ("outlet", "language", "month", "story")


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str
    count: int | None = None
    active: bool = False


@dataclass(frozen=True, slots=True)
class FacetBlock:
    """One facet: its heading key and its values as links (the active one links to its removal)."""

    key: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class HitGroup:
    """The page's hits of one story (``story_id`` None: articles outside any story)."""

    story_id: str | None
    title: str
    hits: list[SearchHit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchPage:
    q: str
    count_label: str
    results: SearchResults | None
    facets: tuple[FacetBlock, ...] = ()
    active: tuple[Link, ...] = ()
    clear_href: str = "/search"
    groups: tuple[HitGroup, ...] = ()
    sort: str = "relevance"
    sorts: tuple[str, ...] = SORTS
    page: int = 1
    pages: int = 1
    previous_href: str | None = None
    next_href: str | None = None


def options(*, outlet: str | None, language: str | None, month: str | None, story: str | None, sort: str | None,
            page: int) -> SearchOptions:
    """Search options from the page's query parameters; a sort or month the page never offers is ignored."""
    try:
        SearchOptions(month=month or None)
    except ValueError:
        month = None
    return SearchOptions(outlet=outlet or None, language=language or None, month=month or None,
                         story=story or None, sort=sort if sort in SORTS else "relevance",
                         offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)


def count_label(t: Callable[[str], str], lang: str, n: int) -> str:
    """"1 résultat", "0 résultat", "12 résultats" (French: singular below 2); "1 result", "0 results"."""
    one = n < 2 if lang == "fr" else n == 1
    return t("search_result_one" if one else "search_result_many").replace("{n}", f"{n:,}".replace(",", "\u202f"))


def month_label(t: Callable[[str], str], value: str) -> str:
    if value == UNDATED:
        return t("search_undated")
    names = t("search_months").split(",")
    year, _, month = value.partition("-")
    return f"{names[int(month) - 1]} {year}" if len(names) == 12 and month.isdigit() and 1 <= int(month) <= 12 \
        else value


def build(q: str, results: SearchResults | None, t: Callable[[str], str], lang: str,
          story_titles: Mapping[str, str]) -> SearchPage:
    """The page for query ``q`` and its ``results`` (None before anything was asked)."""
    if results is None:
        return SearchPage(q, "", None)
    o = results.options
    current: dict[str, str | int | None] = {"q": q, **{k: getattr(o, k) for k in FILTERS}, "sort": o.sort}

    def href(**changes: str | int | None) -> str:
        params = {**current, **changes}
        if params.get("sort") == "relevance":
            params["sort"] = None
        if params.get("page") == 1:
            params["page"] = None
        return "/search?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def label(key: str, value: str) -> str:
        if key == "month":
            return month_label(t, value)
        if key == "language":
            return value.upper()
        if key == "story":
            return story_titles.get(value) or t("search_untitled_story")
        return value

    f = results.facets
    blocks = []
    for key in FILTERS:
        links = tuple(Link(label(key, c.value), href(**{key: None if getattr(o, key) == c.value else c.value}),
                           c.count, getattr(o, key) == c.value) for c in getattr(f, key))
        if links:
            blocks.append(FacetBlock(f"search_facet_{key}", links))
    active = tuple(Link(label(k, v), href(**{k: None})) for k in FILTERS if (v := getattr(o, k)))

    groups: dict[str | None, HitGroup] = {}
    for h in results.hits:
        sid = h.story_id
        if sid not in groups:
            title = (story_titles.get(sid) or t("search_untitled_story")) if sid else t("search_no_story")
            groups[sid] = HitGroup(sid, title)
        groups[sid].hits.append(h)
    loose = groups.pop(None, None)
    ordered = tuple(groups.values()) + ((loose,) if loose else ())

    page = o.offset // PAGE_SIZE + 1
    pages = max(1, -(-results.total // PAGE_SIZE))
    return SearchPage(
        q, count_label(t, lang, results.total), results, tuple(blocks), active,
        href(**dict.fromkeys(FILTERS)), ordered, o.sort, SORTS, page, pages,
        href(page=page - 1) if page > 1 else None, href(page=page + 1) if page < pages else None,
    )
