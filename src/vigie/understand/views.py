"""Records of what the understand stage says about a story: its details, the outlet coverage, an entity's page.

A record's ``to_dict()`` is exactly the JSON ``vigie story ID --json`` and the API have always printed (key order
included); ``from_dict`` reads it back (the store caches details as that JSON), with a record's defaults for keys
it lacks.

Example::

    from vigie.stories import story_detail
    d = story_detail(store, "s-9e821bf2")
    print(d.headline, [(q.speaker, q.text) for q in d.quotes])
    print({o.name: o.first_to_report for o in d.coverage.outlets} if d.coverage else {})
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from vigie.errors import NotFoundError
from vigie.store import ArticleMention, ArticleStore
from vigie.stories.views import EventView, StoryArticle, StoryView
from vigie.text import slug as slugify
from vigie.understand.chronology import Chronology, ChronologyEntry, ChronologySentence
from vigie.understand.entities import Entity
from vigie.understand.summarize import SummarySentence
from vigie.understand.timeline import Disagreement, TimelineEntry

__all__ = [
    "Coverage", "CoverageFact", "EntityQuote", "EntityStory", "EntityView", "EventDetail", "OutletProfile",
    "OutletQuote", "PoliticalEvent", "StoryDetail", "StoryQuote", "entity_view", "stored_entity_view",
]

DetailState = Literal["ready", "pending"]


@dataclass(slots=True)
class StoryQuote:
    """A quote of a story with its speaker across the story (None when no article resolves it)."""

    speaker: str | None
    text: str
    article: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "text": self.text, "article": self.article, "kind": self.kind}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StoryQuote:
        return cls(d.get("speaker"), d.get("text") or "", d.get("article"), d.get("kind"))


@dataclass(slots=True)
class PoliticalEvent:
    """Who did what (a PLOVER category) to whom, in which article, with actor and target named as in the story."""

    actor: str | None
    action: str
    target: str | None
    text: str
    date: str | None = None
    article: str | None = None
    negated: bool = False
    modality: str | None = None
    label: str = ""  # the category in French, for a reader

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "action": self.action, "label": self.label, "target": self.target,
                "text": self.text, "date": self.date, "article": self.article, "negated": self.negated,
                "modality": self.modality}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PoliticalEvent:
        return cls(d.get("actor"), d.get("action") or "", d.get("target"), d.get("text") or "", d.get("date"),
                   d.get("article"), bool(d.get("negated", False)), d.get("modality"), d.get("label") or "")


def _entity(d: Mapping[str, Any]) -> Entity:
    return Entity(name=d.get("name") or "", type=d.get("type") or "", count=int(d.get("count") or 0))


def _chronology(d: Mapping[str, Any]) -> Chronology:
    return Chronology([ChronologyEntry(str(e.get("date") or ""), [ChronologySentence(str(s.get("text") or ""),
                                                                                     list(s.get("sources") or []))
                                                                 for s in e.get("sentences") or []])
                       for e in d.get("entries") or []])  # fmt: skip


def _timeline(d: Mapping[str, Any]) -> TimelineEntry:
    return TimelineEntry(d.get("date") or "", d.get("precision") or "", d.get("text") or "",
                         list(d.get("sources") or []), bool(d.get("background", False)))


def _disagreement(d: Mapping[str, Any]) -> Disagreement:
    return Disagreement(d.get("about") or "", [dict(v) for v in d.get("values") or []])


def _sentence(d: Mapping[str, Any]) -> SummarySentence:
    return SummarySentence(d.get("text") or "", list(d.get("sources") or []))


# -- coverage ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class CoverageFact:
    """One fact of the coverage matrix (a timeline entry, a quote or a key entity) and who reports it."""

    kind: str
    label: str
    text: str = ""
    outlets: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "text": self.text, "outlets": list(self.outlets),
                "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CoverageFact:
        return cls(d.get("kind") or "", d.get("label") or "", d.get("text") or "", list(d.get("outlets") or []),
                   list(d.get("sources") or []))


@dataclass(slots=True)
class OutletQuote:
    speaker: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "text": self.text}


@dataclass(slots=True)
class OutletProfile:
    """One voice of a story: its articles, when it first reported, its registry profile, what it alone reports
    (``only``) and what it leaves out that most others report (``missing``)."""

    name: str
    articles: list[str] = field(default_factory=list)
    first: str | None = None
    first_to_report: bool = False
    country: str | None = None
    owner: str | None = None
    funding: str | None = None
    state_affiliated: bool | None = None
    quotes: list[OutletQuote] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "articles": list(self.articles), "first": self.first,
                "first_to_report": self.first_to_report, "country": self.country, "owner": self.owner,
                "funding": self.funding, "state_affiliated": self.state_affiliated,
                "quotes": [q.to_dict() for q in self.quotes], "only": list(self.only), "missing": list(self.missing)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OutletProfile:
        return cls(d.get("name") or "", list(d.get("articles") or []), d.get("first"),
                   bool(d.get("first_to_report", False)), d.get("country"), d.get("owner"), d.get("funding"),
                   d.get("state_affiliated"),
                   [OutletQuote(q.get("speaker"), q.get("text") or "") for q in d.get("quotes") or []],
                   list(d.get("only") or []), list(d.get("missing") or []))


@dataclass(slots=True)
class Coverage:
    """Facts x outlets of a story (see :func:`vigie.understand.compare.coverage`)."""

    outlets: list[OutletProfile] = field(default_factory=list)
    facts: list[CoverageFact] = field(default_factory=list)
    only: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    first: str | None = None
    disagreements: list[Disagreement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"outlets": [o.to_dict() for o in self.outlets], "facts": [f.to_dict() for f in self.facts],
                "only": {k: list(v) for k, v in self.only.items()},
                "missing": {k: list(v) for k, v in self.missing.items()}, "first": self.first,
                "disagreements": [d.to_dict() for d in self.disagreements]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Coverage:
        return cls([OutletProfile.from_dict(o) for o in d.get("outlets") or []],
                   [CoverageFact.from_dict(f) for f in d.get("facts") or []],
                   {k: list(v) for k, v in (d.get("only") or {}).items()},
                   {k: list(v) for k, v in (d.get("missing") or {}).items()}, d.get("first"),
                   [_disagreement(x) for x in d.get("disagreements") or []])


# -- story details ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class EventDetail:
    """An event with its own headline and summary (None when none of its articles is a voice) and its actions."""

    id: str
    title: str | None = None
    articles: list[str] = field(default_factory=list)
    headline: str | None = None
    summary: str | None = None
    actions: list[PoliticalEvent] = field(default_factory=list)

    @classmethod
    def of(cls, event: EventView) -> EventDetail:
        return cls(event.id, event.title, list(event.articles))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "articles": list(self.articles)}
        if self.summary is not None:  # an event without a voice never had a summary: no keys rather than nulls
            out["headline"] = self.headline
            out["summary"] = self.summary
        out["actions"] = [a.to_dict() for a in self.actions]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EventDetail:
        return cls(d["id"], d.get("title"), list(d.get("articles") or []), d.get("headline"), d.get("summary"),
                   [PoliticalEvent.from_dict(a) for a in d.get("actions") or []])


@dataclass(slots=True)
class StoryDetail:
    """A story with everything the understand stage says about it (see :func:`vigie.stories.story_detail`).

    ``story`` is the plain view; its fields are also read through this record (``detail.articles``...), and
    ``events`` replaces the view's events with their detailed form. ``abstract`` is the optional LLM rewrite.
    """

    story: StoryView
    events: list[EventDetail] = field(default_factory=list)
    headline: str | None = None
    summary: str | None = None
    abstract: str | None = None
    sentences: list[SummarySentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[StoryQuote] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    political_events: list[PoliticalEvent] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    coverage: Coverage | None = None
    notes: list[str] = field(default_factory=list)
    chronology: Chronology | None = None

    @classmethod
    def bare(cls, story: StoryView) -> StoryDetail:
        """The view alone: nothing computed yet."""
        return cls(story, [EventDetail.of(e) for e in story.events])

    @property
    def id(self) -> str:
        return self.story.id

    @property
    def title(self) -> str | None:
        return self.story.title

    @property
    def articles(self) -> list[StoryArticle]:
        return self.story.articles

    @property
    def outlets(self) -> list[str]:
        return self.story.outlets

    @property
    def first_published(self) -> str | None:
        return self.story.first_published

    @property
    def last_published(self) -> str | None:
        return self.story.last_published

    def details_dict(self) -> dict[str, Any]:
        """What the understand stage adds to the view (the part the store caches)."""
        return {
            "headline": self.headline,
            "summary": self.summary,
            "abstract": self.abstract,
            "sentences": [{"text": s.text, "sources": list(s.sources)} for s in self.sentences],
            "events": [e.to_dict() for e in self.events],
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "timeline": [t.to_dict() for t in self.timeline],
            "political_events": [p.to_dict() for p in self.political_events],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "coverage": self.coverage.to_dict() if self.coverage is not None else None,
            "notes": list(self.notes),
            "chronology": self.chronology.to_dict() if self.chronology is not None else None,
        }

    def to_dict(self) -> dict[str, Any]:
        # The view's keys first (its "events" replaced in place), then the details: the order the JSON always had.
        return {**self.story.to_dict(), **self.details_dict()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, story: StoryView | None = None) -> StoryDetail:
        """A detail from its JSON; ``story`` (the current view) stands for the view keys when given."""
        view = story or StoryView.from_dict(d)
        events = d.get("events")
        return cls(
            story=view,
            events=([EventDetail.from_dict(e) for e in events] if events is not None
                    else [EventDetail.of(e) for e in view.events]),
            headline=d.get("headline"),
            summary=d.get("summary"),
            abstract=d.get("abstract"),
            sentences=[_sentence(s) for s in d.get("sentences") or []],
            entities=[_entity(e) for e in d.get("entities") or []],
            quotes=[StoryQuote.from_dict(q) for q in d.get("quotes") or []],
            timeline=[_timeline(t) for t in d.get("timeline") or []],
            political_events=[PoliticalEvent.from_dict(p) for p in d.get("political_events") or []],
            disagreements=[_disagreement(x) for x in d.get("disagreements") or []],
            coverage=Coverage.from_dict(d["coverage"]) if d.get("coverage") else None,
            notes=list(d.get("notes") or []),
            chronology=_chronology(d["chronology"]) if d.get("chronology") else None,
        )


# -- entities across stories ------------------------------------------------------------------------------------


@dataclass(slots=True)
class EntityStory:
    """A story that mentions or quotes an entity. ``articles``: how many of its articles' stored analyses name it
    (None when the store holds no such index for it); ``status``: "ready" when its counts come from the story's
    details, "pending" while those are not made (counts and quotes then come from its articles' analyses)."""

    id: str
    title: str | None
    mentions: int
    quotes: int
    first_published: str | None = None
    last_published: str | None = None
    articles: int | None = None
    status: DetailState = "ready"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "mentions": self.mentions, "quotes": self.quotes,
                "first_published": self.first_published, "last_published": self.last_published,
                "articles": self.articles, "status": self.status}


@dataclass(slots=True)
class EntityQuote:
    """A quote of the entity, with the story it comes from."""

    quote: StoryQuote
    story: str
    story_title: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.quote.to_dict(), "story": self.story, "story_title": self.story_title}


@dataclass(slots=True)
class EntityView:
    """An entity (by the slug of its canonical name) across every story: its names, types, stories and quotes."""

    id: str
    name: str
    names: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    stories: list[EntityStory] = field(default_factory=list)
    quotes: list[EntityQuote] = field(default_factory=list)

    @property
    def pending(self) -> int:
        """How many of its stories have no details yet."""
        return sum(s.status == "pending" for s in self.stories)

    @property
    def status(self) -> DetailState:
        return "pending" if self.pending else "ready"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "names": list(self.names), "types": list(self.types),
                "stories": [s.to_dict() for s in self.stories], "quotes": [q.to_dict() for q in self.quotes],
                "status": self.status}


DetailFn = Callable[[ArticleStore, str], StoryDetail]
StoredFn = Callable[[StoryView], "StoryDetail | None"]


def entity_view(store: ArticleStore, slug: str, *, stories: Sequence[StoryView] | None = None,
                detail: DetailFn | None = None) -> EntityView:
    """An entity (by the slug of its canonical name, as :func:`vigie.text.slug` makes it), every story's details
    made if missing (the CLI's way; the server reads only what is stored: :func:`stored_entity_view`).

    Reads only the stories the entity indexes name (kept with each story's details, and with each article's
    analysis) plus those whose details were never made (a store filled without the runner's details step), whose
    details are then made once.

    Args:
        store: the article store.
        slug: e.g. ``"jens-stoltenberg"``.
        stories: the story views to look through (default: :func:`vigie.stories.list_stories`).
        detail: gives one story's details (default: :func:`vigie.stories.story_detail`).

    Raises:
        NotFoundError: no story mentions or quotes it.
    """
    from vigie import stories as stage

    views = stories if stories is not None else stage.list_stories(store)
    wanted = ({r.story_id for r in store.entity_stories(slug)} | {m.story_id for m in store.entity_mentions(slug)}
              | set(store.uncached_stories()))
    views = [v for v in views if v.id in wanted]
    fn: DetailFn = detail or (lambda st, sid: stage.story_detail(st, sid))
    return entity_from_details(slug, (fn(store, v.id) for v in views))


def stored_entity_view(store: ArticleStore, slug: str, *, stories: Sequence[StoryView],
                       stored: StoredFn) -> EntityView:
    """An entity from what the store keeps, nothing computed (what the server shows).

    The stories come from the two indexed tables: the story entity index (written with each story's details) and the
    article entity index (written with each article's analysis at ingest). A story whose details ``stored`` gives
    counts as in :func:`entity_from_details`; one without (not made yet, or made for a former article set) is
    "pending": its mentions, quotes and names come from its articles' stored analyses, which is what its details
    will be made from.

    Args:
        store: the article store.
        slug: e.g. ``"jens-stoltenberg"``.
        stories: the current story views, best first (the order of the page).
        stored: a story's details if they are stored, else None; never computes them.

    Raises:
        NotFoundError: neither index names it in a current story.
    """
    by_story: dict[str, list[ArticleMention]] = {}
    for m in store.entity_mentions(slug):
        by_story.setdefault(m.story_id, []).append(m)
    story_rows = {r.story_id: r for r in store.entity_stories(slug)}
    names: Counter[str] = Counter()
    types: Counter[str] = Counter()
    found: list[EntityStory] = []
    quotes: list[EntityQuote] = []
    quoted_articles: dict[str, str] = {}  # article id -> its pending story, for the quotes read from its analysis
    for v in stories:
        mentions = by_story.get(v.id, [])
        row = story_rows.get(v.id)
        if not mentions and row is None:
            continue
        articles = len({m.article_id for m in mentions}) if mentions else None
        detail = stored(v)
        if detail is not None:
            story, said = _entity_in(slug, detail, names, types)
            if story is not None:
                story.articles = articles
                found.append(story)
                quotes.extend(said)
            continue
        if mentions:
            n_mentions, n_quotes = sum(m.mentions for m in mentions), sum(m.quotes for m in mentions)
            for m in mentions:
                names[m.name] += m.mentions
                if m.type:
                    types[m.type] += 1
                if m.quotes:
                    quoted_articles[m.article_id] = v.id
        else:  # details made for a former article set, articles analysed before the article index existed
            assert row is not None
            n_mentions, n_quotes = row.mentions, row.quotes
            names[row.name] += row.mentions
            if row.type:
                types[row.type] += 1
        found.append(EntityStory(v.id, v.title, n_mentions, n_quotes, v.first_published, v.last_published,
                                 articles, "pending"))
    if not found:
        raise NotFoundError(f"no entity {slug}")
    titles = {s.id: s.title for s in found}
    quotes.extend(EntityQuote(q, sid, titles.get(sid)) for q, sid in _stored_quotes(store, slug, quoted_articles))
    return EntityView(id=slug, name=names.most_common(1)[0][0], names=[n for n, _ in names.most_common()],
                      types=[t for t, _ in types.most_common()], stories=found, quotes=quotes)


def _stored_quotes(store: ArticleStore, slug: str, articles: Mapping[str, str]) -> list[tuple[StoryQuote, str]]:
    """The quotes given to the entity in the stored analyses of these articles (id -> story), read back, not made."""
    from vigie.understand.stage import read_analyses

    out: list[tuple[StoryQuote, str]] = []
    found = read_analyses(store, list(articles))  # stale or damaged ones are left to the story's details
    for aid, sid in articles.items():
        analysis = found.get(aid)
        if analysis is None:
            continue
        out.extend((StoryQuote(q.speaker, q.text, aid, q.kind), sid) for q in analysis.quotes
                   if q.kind != "fragment" and slugify(q.speaker or "") == slug)  # fmt: skip
    return out


def _entity_in(slug: str, d: StoryDetail, names: Counter[str],
               types: Counter[str]) -> tuple[EntityStory | None, list[EntityQuote]]:
    """The entity in one story's details (None when they neither name nor quote it), counting its names and types."""
    ents = [e for e in d.entities if slugify(e.name) == slug]
    mentions = sum(e.count or 1 for e in ents)
    for e in ents:
        names[e.name] += e.count or 1
        if e.type:
            types[e.type] += 1
    said = [q for q in d.quotes if slugify(q.speaker or "") == slug]
    title = d.headline or d.title
    for q in said:
        names[str(q.speaker)] += 0
    if not (mentions or said):
        return None, []
    return (EntityStory(d.id, title, mentions, len(said), d.first_published, d.last_published),
            [EntityQuote(q, d.id, title) for q in said])


def entity_from_details(slug: str, details: Iterable[StoryDetail]) -> EntityView:
    """:func:`entity_view` over given story details.

    Raises:
        NotFoundError: no detail mentions or quotes it.
    """
    names: Counter[str] = Counter()
    types: Counter[str] = Counter()
    found: list[EntityStory] = []
    quotes: list[EntityQuote] = []
    for d in details:
        story, said = _entity_in(slug, d, names, types)
        if story is not None:
            found.append(story)
            quotes.extend(said)
    if not found:
        raise NotFoundError(f"no entity {slug}")
    return EntityView(id=slug, name=names.most_common(1)[0][0], names=[n for n, _ in names.most_common()],
                      types=[t for t, _ in types.most_common()], stories=found, quotes=quotes)
