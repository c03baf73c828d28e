"""Records the story stage hands to the shells (CLI, API, pages, exports): story views and outlet views.

A record's ``to_dict()`` is exactly the JSON ``vigie stories --json`` and the API have always printed (key order
included); ``from_dict`` reads it back, with a record's defaults for missing keys.

Example::

    from vigie.stories import list_stories
    from vigie.stories.views import outlet_views
    top = list_stories(store)[0]
    print(top.title, top.voices, [a.outlet for a in top.articles])
    print([(o.name, o.articles) for o in outlet_views(store, present=True)])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vigie.errors import NotFoundError
from vigie.extract.outlets import Outlet, OutletRegistry
from vigie.models import Article
from vigie.store import ArticleStore
from vigie.text import slug as slugify

__all__ = ["EventView", "OutletPage", "OutletView", "StoryArticle", "StoryView", "outlet_view", "outlet_views",
           "voice_label"]


def voice_label(outlet: str | None, original_outlet: str | None) -> str | None:
    """The voice an article speaks with: "Le Point via Actu Cameroun" for a reprint (one voice, not two), else its
    outlet; None when nothing names it.

    >>> voice_label("Actu Cameroun", "Le Point"), voice_label("Sputnik France", None)
    ('Le Point via Actu Cameroun', 'Sputnik France')
    """
    if original_outlet and outlet and original_outlet != outlet:
        return f"{original_outlet} via {outlet}"
    return outlet or original_outlet or None


@dataclass(slots=True)
class StoryArticle:
    """One article of a story as its view lists it; a near copy names its first-seen original in ``duplicate_of``."""

    id: str
    source: str
    title: str | None = None
    outlet: str | None = None
    original_outlet: str | None = None
    published: str | None = None
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "title": self.title, "outlet": self.outlet,
                "original_outlet": self.original_outlet, "published": self.published,
                "duplicate_of": self.duplicate_of}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StoryArticle:
        return cls(id=d["id"], source=d.get("source") or "", title=d.get("title"), outlet=d.get("outlet"),
                   original_outlet=d.get("original_outlet"), published=d.get("published"),
                   duplicate_of=d.get("duplicate_of"))


@dataclass(slots=True)
class EventView:
    """One event of a story (the reports of one happening): its central title and its article ids."""

    id: str
    title: str | None = None
    articles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "articles": list(self.articles)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EventView:
        return cls(id=d["id"], title=d.get("title"), articles=list(d.get("articles") or []))


@dataclass(slots=True)
class StoryView:
    """A story as the store holds it: articles, events (oldest first), outlets and the published span.

    ``outlets`` are the story's voices, one per independent outlet: a reprint is one ("Le Point via Actu
    Cameroun"), a near copy adds none (extraction names an article without an outlet by the host of its URL).
    ``media`` counts them, with the articles nothing names as one more, unknown, source: a story with articles never
    has 0 media.
    """

    id: str
    title: str | None = None
    articles: list[StoryArticle] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    first_published: str | None = None
    last_published: str | None = None

    @property
    def article_ids(self) -> list[str]:
        return [a.id for a in self.articles]

    @property
    def voices(self) -> int:
        """Articles that are not near copies: each is another report."""
        return sum(1 for a in self.articles if not a.duplicate_of)

    @property
    def media(self) -> int:
        """Distinct independent outlets (see the class docstring); at least 1 for a story with articles."""
        unnamed = any(not voice_label(a.outlet, a.original_outlet) for a in self.articles if not a.duplicate_of)
        return len(self.outlets) + (1 if unnamed or (self.articles and not self.outlets) else 0)

    @property
    def outlet_names(self) -> set[str]:
        """Every outlet its articles name, publishers and originals, near copies included (what a filter matches)."""
        return {o for a in self.articles for o in (a.outlet, a.original_outlet) if o} | set(self.outlets)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "articles": [a.to_dict() for a in self.articles],
            "events": [e.to_dict() for e in self.events],
            "outlets": list(self.outlets),
            "first_published": self.first_published,
            "last_published": self.last_published,
            "media": self.media,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StoryView:
        return cls(id=d["id"], title=d.get("title"),
                   articles=[StoryArticle.from_dict(a) for a in d.get("articles") or []],
                   events=[EventView.from_dict(e) for e in d.get("events") or []],
                   outlets=list(d.get("outlets") or []), first_published=d.get("first_published"),
                   last_published=d.get("last_published"))


# -- outlets ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class OutletView:
    """An outlet of the registry or of the store, with how many stored articles it published.

    ``outlet`` is the registry entry (None for an outlet only the store knows).
    """

    name: str
    id: str
    articles: int
    outlet: Outlet | None = None
    reprints: int = 0  # articles of other sites that reprint this outlet ("Le Point via Actu Cameroun")

    @property
    def registered(self) -> bool:
        return self.outlet is not None

    def to_dict(self) -> dict[str, Any]:
        """The entry of ``GET /api/outlets``."""
        if self.outlet is not None:
            return {**self.outlet.to_dict(), "id": self.id, "registered": True, "articles": self.articles,
                    "reprints": self.reprints}
        return {"name": self.name, "id": self.id, "registered": False, "articles": self.articles,
                "state_affiliated": None, "reprints": self.reprints}

    def profile_dict(self) -> dict[str, Any]:
        """The head of ``GET /api/outlets/{id}`` (an unregistered outlet's keys come in the order it always had)."""
        if self.outlet is not None:
            return self.to_dict()
        return {"name": self.name, "state_affiliated": None, "id": self.id, "registered": False,
                "articles": self.articles, "reprints": self.reprints}


@dataclass(slots=True)
class OutletPage:
    """One outlet and its stored articles, newest first."""

    outlet: OutletView
    articles: list[Article]


def outlet_views(store: ArticleStore, *, registry: OutletRegistry | None = None,
                 present: bool = False) -> list[OutletView]:
    """Registry entries plus the store's unregistered outlets, with article and reprint counts, most articles first.

    An outlet only reprinted by others (Le Point, reprinted by Actu Cameroun) is present too: it is a voice of the
    store.

    Args:
        store: the article store.
        registry: the outlet registry (default: :meth:`OutletRegistry.default`).
        present: only outlets with at least one stored article or reprint.
    """
    reg = registry or OutletRegistry.default()
    counts = store.outlet_counts()
    reprints = store.original_outlet_counts()
    out: list[OutletView] = []
    seen: set[str] = set()
    for o in reg:
        n, r = counts.get(o.name, 0), reprints.get(o.name, 0)
        seen.add(o.name)
        if not present or n or r:
            out.append(OutletView(o.name, slugify(o.name), n, o, r))
    for name in [*counts, *(n for n in reprints if n not in counts)]:
        if name not in seen:
            out.append(OutletView(name, slugify(name), counts.get(name, 0), None, reprints.get(name, 0)))
    return sorted(out, key=lambda o: (-o.articles - o.reprints, -o.articles, o.name.casefold()))


def outlet_view(store: ArticleStore, slug: str, *, registry: OutletRegistry | None = None) -> OutletPage:
    """An outlet (by the slug of its name: registry entry when known) and its stored articles, with the reprints of
    them by other sites, newest first.

    Raises:
        NotFoundError: neither the registry nor the store knows it.
    """
    reg_ = registry or OutletRegistry.default()
    counts = store.outlet_counts()
    reprints = store.original_outlet_counts()
    reg: Outlet | None = next((o for o in reg_ if slugify(o.name) == slug), None)
    name = reg.name if reg else next((n for n in [*counts, *reprints] if slugify(n) == slug), None)
    if name is None:
        raise NotFoundError(f"no outlet {slug}")
    ids = store.outlet_article_ids(name, reprints=True)
    view = OutletView(name, slug, counts.get(name, 0), reg, reprints.get(name, 0))
    return OutletPage(view, [store.get(i) for i in ids])
