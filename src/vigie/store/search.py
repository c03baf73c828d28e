"""Full-text search results, the same on every back end: the options, the typed hits and facets, and the
snippets with their highlighted words (computed in Python from the article text, so both back ends show the same).

The back ends only match and score (:meth:`vigie.store.sql.SQLStore._match`); counting, facets, sorting, paging and
highlighting happen here, over every match, so facet counts never depend on the page shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.models import Article
from vigie.store.terms import Query, highlighter, term, tokens

SORTS = ("relevance", "newest", "oldest")
UNDATED = "undated"  # the month facet's value for articles without a date
_MONTH = re.compile(r"^\d{4}-\d{2}$")
SNIPPET_WORDS = 24
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """What to search among and how to order it.

    Attributes:
        outlet, language, story: keep the matches with this outlet, language code or story id.
        month: keep the matches published in this month (``YYYY-MM``), or undated ones (``"undated"``).
        sort: ``relevance`` (best first), ``newest`` or ``oldest`` (undated last either way).
        offset, limit: the page of hits returned (facets and total count every match).

    Raises:
        ValueError: an unknown sort, a month not ``YYYY-MM``/``undated``, a negative offset, a limit outside 0-1000.
    """

    outlet: str | None = None
    language: str | None = None
    month: str | None = None
    story: str | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if self.month is not None and self.month != UNDATED and not _MONTH.match(self.month):
            raise ValueError(f"month must be YYYY-MM or {UNDATED!r}, not {self.month!r}")
        if self.offset < 0:
            raise ValueError(f"offset must be 0 or more, not {self.offset}")
        if not 0 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 0 and {MAX_LIMIT}, not {self.limit}")

    def keeps(self, m: Match) -> bool:
        return ((self.outlet is None or m.outlet == self.outlet)
                and (self.language is None or m.language == self.language)
                and (self.month is None or m.month == self.month)
                and (self.story is None or m.story_id == self.story))


@dataclass(frozen=True, slots=True)
class Match:
    """One matching article as the back end reports it: what facets, filters and sorting need, no text."""

    id: str
    score: float  # higher is better
    outlet: str | None
    language: str | None
    published: str | None
    story_id: str | None

    @property
    def month(self) -> str:
        p = self.published or ""
        return p[:7] if _MONTH.match(p[:7]) else UNDATED


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a snippet or title; ``match``: a word the query matched (shown highlighted)."""

    text: str
    match: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "match": self.match}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found: its snippet and title as segments, its story (None outside any), its score."""

    article: Article
    snippet: tuple[Segment, ...]
    title: tuple[Segment, ...]
    story_id: str | None
    score: float

    def snippet_text(self, start: str = "", end: str = "") -> str:
        """The snippet as plain text, matched words between ``start`` and ``end`` (e.g. ANSI bold, or ``[ ]``)."""
        return "".join(f"{start}{s.text}{end}" if s.match else s.text for s in self.snippet)

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        return {"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published, "language": a.language,
                "url": a.url, "story": self.story_id, "score": self.score,
                "snippet": self.snippet_text(), "snippet_segments": [s.to_dict() for s in self.snippet],
                "title_segments": [s.to_dict() for s in self.title]}


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count}


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts of every match (after the filters) by outlet, language, month and story, largest first (months:
    newest first, undated last). Articles without an outlet, language or story are not counted there."""

    outlet: tuple[FacetCount, ...] = ()
    language: tuple[FacetCount, ...] = ()
    month: tuple[FacetCount, ...] = ()
    story: tuple[FacetCount, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {k: [c.to_dict() for c in getattr(self, k)] for k in ("outlet", "language", "month", "story")}


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of hits, the number of all matches, and their facets."""

    query: str
    total: int
    hits: tuple[SearchHit, ...] = ()
    facets: Facets = field(default_factory=Facets)
    options: SearchOptions = field(default_factory=SearchOptions)

    def to_dict(self) -> dict[str, Any]:
        o = self.options
        return {"q": self.query, "total": self.total, "offset": o.offset, "limit": o.limit, "sort": o.sort,
                "filters": {k: getattr(o, k) for k in ("outlet", "language", "month", "story") if getattr(o, k)},
                "facets": self.facets.to_dict(), "hits": [h.to_dict() for h in self.hits]}


# -- facets, sorting ------------------------------------------------------------------------------------------


def _counts(values: Iterable[str | None]) -> tuple[FacetCount, ...]:
    c = Counter(v for v in values if v)
    return tuple(FacetCount(v, n) for v, n in sorted(c.items(), key=lambda x: (-x[1], x[0])))


def facets(matches: Sequence[Match]) -> Facets:
    months = Counter(m.month for m in matches)
    by_month = sorted((k for k in months if k != UNDATED), reverse=True) + ([UNDATED] if UNDATED in months else [])
    return Facets(
        outlet=_counts(m.outlet for m in matches),
        language=_counts(m.language for m in matches),
        month=tuple(FacetCount(k, months[k]) for k in by_month),
        story=_counts(m.story_id for m in matches),
    )


def ordered(matches: Sequence[Match], sort: str) -> list[Match]:
    """Matches in ``sort`` order; ties broken by relevance, then id, so pages never overlap."""
    best = sorted(matches, key=lambda m: (-m.score, m.id))
    if sort == "relevance":
        return best
    dated = [m for m in best if m.published]
    dated.sort(key=lambda m: m.published or "", reverse=sort == "newest")  # stable: relevance within a date
    return dated + [m for m in best if not m.published]


# -- snippets -------------------------------------------------------------------------------------------------

Matcher = Callable[[str], bool]


def matcher(query: Query, languages: Sequence[str], article_language: str | None) -> Callable[[str], bool]:
    """Whether one word of an article in ``article_language`` is one the query asked for (stemmed as indexed)."""
    exact, prefixes = highlighter(query, languages)

    def matches(word: str) -> bool:
        t = term(word, article_language)
        return t in exact or any(t.startswith(p) for p in prefixes)

    return matches


def _segments(text: str, start: int, end: int, hits: Sequence[tuple[int, int]]) -> list[Segment]:
    out: list[Segment] = []
    at = start
    for s, e in hits:
        if s < start or e > end:
            continue
        if s > at:
            out.append(Segment(_squash(text[at:s])))
        out.append(Segment(text[s:e], True))
        at = e
    if end > at:
        out.append(Segment(_squash(text[at:end])))
    return out


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def highlight(text: str | None, matches: Matcher) -> tuple[Segment, ...]:
    """All of ``text`` (a title) as segments, the words ``matches`` accepts marked."""
    if not text:
        return ()
    hits = [(m.start(), m.end()) for m in tokens(text) if matches(m.group())]
    return tuple(_segments(text, 0, len(text), hits))


def snippet(article: Article, matches: Matcher, words: int = SNIPPET_WORDS) -> tuple[Segment, ...]:
    """About ``words`` words around the densest run of matched words of the body (else the standfirst, else the
    title), with "…" where the text goes on; the body's start when no word is marked."""
    fields = [f for f in (article.body, article.standfirst, article.title) if f]
    if not fields:
        return ()
    for text in fields:
        toks = list(tokens(text))
        marked = [i for i, m in enumerate(toks) if matches(m.group())]
        if marked:
            break
    else:
        text = fields[0]
        toks, marked = list(tokens(text)), []
    if not toks:
        return (Segment(_squash(text[:200])),)
    first, best, right = 0, -1, 0
    for left, i in enumerate(marked):  # a window from 3 words before each marked word; marked is sorted
        lo = max(0, i - 3)
        right = max(right, left)
        while right < len(marked) and marked[right] < lo + words:
            right += 1
        if right - left > best:
            first, best = lo, right - left
    last = min(len(toks), first + words) - 1
    start = 0 if first == 0 else toks[first].start()
    end = len(text) if last == len(toks) - 1 else toks[last].end()
    hits = [(toks[i].start(), toks[i].end()) for i in marked if first <= i <= last]
    segs = _segments(text, start, end, hits)
    if segs and not segs[0].match:
        segs[0] = Segment(segs[0].text.lstrip())
    if segs and not segs[-1].match:
        segs[-1] = Segment(segs[-1].text.rstrip())
    if start > 0:
        segs.insert(0, Segment("…"))
    if end < len(text) and text[end:].strip(" \t\n.!?»\"'"):
        segs.append(Segment("…"))
    return tuple(s for s in segs if s.text)
