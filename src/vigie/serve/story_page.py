"""What the story page and the home page show, built from a story's records: short, grouped, capped, in French.

The story stage says everything it found (38 quotes, 73 coverage facts, 15 political events); a reader wants the
articles first, then the few things that matter, the rest one click away. These records do that sorting once, so
the templates only lay them out. Outlet facts (country, owner, state affiliation) come from the outlet registry,
never from the story's computed details, so the home page's blindspot view costs no analysis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vigie.extract.outlets import Outlet, OutletRegistry
from vigie.models import Article
from vigie.stories.views import StoryArticle, StoryView

if TYPE_CHECKING:
    from vigie.understand.timeline import Disagreement
    from vigie.understand.views import Coverage, PoliticalEvent, StoryQuote

__all__ = [
    "ArticleRow", "Bar", "BarGroup", "Blindspot", "DisagreementRow", "OutletFacts", "PoliticalRow", "Speaker", "article_rows",
    "blindspot", "countries_of", "coverage_bars", "disagreement_rows", "outlet_facts", "political_rows", "speakers", "state_voices",
]

OPEN_SPEAKERS = 2  # speakers whose quotes are open on arrival
QUOTES_SHOWN = 3  # quotes of a speaker before "+ N more"
FACTS_SHOWN = 3  # exclusive facts or omissions of an outlet before "+ N more"
DATE_OF = "date of: "  # how vigie.understand.timeline names a disagreement on a date
KINDS = ("timeline", "quote", "entity")  # the coverage's kinds of fact; anything else is shown as a plain "fact"


def voice_of(a: StoryArticle | Article) -> str:
    """The outlet an article speaks for: "Le Point via Actu Cameroun" for a reprint (as the coverage names it)."""
    if a.original_outlet and a.outlet and a.original_outlet != a.outlet:
        return f"{a.original_outlet} via {a.outlet}"
    return a.outlet or a.original_outlet or "?"


def _speaking_outlet(a: StoryArticle) -> str | None:
    """The outlet whose voice an article carries (the original of a reprint): the one the registry describes."""
    return a.original_outlet or a.outlet


# -- articles ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ArticleRow:
    """One line of the story's article list; ``duplicate_of`` is the number of the article it copies."""

    number: int
    article: Article
    voice: str
    duplicate_of: int | None = None


def article_rows(story: StoryView, articles: Sequence[Article]) -> list[ArticleRow]:
    """The story's articles in its order, numbered as the citations [n] of the page number them."""
    number = {a.id: i for i, a in enumerate(story.articles, 1)}
    return [ArticleRow(number[v.id], a, voice_of(v), number.get(v.duplicate_of) if v.duplicate_of else None)
            for v, a in zip(story.articles, articles, strict=True)]


# -- quotes -----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Speaker:
    """A speaker's quotes; ``name`` is None for quotes no article attributes."""

    name: str | None
    quotes: list[StoryQuote]
    open: bool = False

    @property
    def shown(self) -> list[StoryQuote]:
        return self.quotes[:QUOTES_SHOWN]

    @property
    def more(self) -> list[StoryQuote]:
        return self.quotes[QUOTES_SHOWN:]


def speakers(quotes: Iterable[StoryQuote]) -> list[Speaker]:
    """Quotes grouped by speaker, most quoted first (unattributed last); the top few are open."""
    groups: dict[str | None, list[StoryQuote]] = {}
    for q in quotes:
        groups.setdefault(q.speaker or None, []).append(q)
    order = sorted(groups, key=lambda s: (s is None, -len(groups[s]), (s or "").casefold()))
    return [Speaker(s, groups[s], open=i < OPEN_SPEAKERS and s is not None) for i, s in enumerate(order)]


# -- political events -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PoliticalRow:
    """Who did what to whom, merged over the articles that report it."""

    date: str | None
    actor: str
    label: str
    target: str
    articles: list[str] = field(default_factory=list)
    negated: bool = False
    modality: str | None = None
    text: str = ""


def political_rows(events: Iterable[PoliticalEvent]) -> list[PoliticalRow]:
    """Resolved actions only (an unknown actor or target says nothing), one row per (date, actor, act, target)."""
    rows: dict[tuple[str | None, str, str, str, bool], PoliticalRow] = {}
    for e in events:
        if not e.actor or not e.target:
            continue
        label = e.label or e.action.replace("_", " ").lower()
        key = (e.date, e.actor, label, e.target, e.negated)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PoliticalRow(e.date, e.actor, label, e.target, negated=e.negated, modality=e.modality,
                                           text=e.text)
        if e.article and e.article not in row.articles:
            row.articles.append(e.article)
    return sorted(rows.values(), key=lambda r: (r.date is None, r.date or "", r.actor.casefold()))


# -- coverage ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Bar:
    """One bar: a label, a count and its share (0-100) of the group's total."""

    label: str
    count: int
    percent: int
    kind: str = ""  # a CSS hook: "state", "independent", "unknown"


@dataclass(slots=True)
class BarGroup:
    """Bars of one dimension (country, owner, state affiliation), largest first."""

    key: str
    bars: list[Bar]


def _bars(key: str, counts: Counter[tuple[str, str]]) -> BarGroup:
    total = sum(counts.values()) or 1
    items = sorted(counts.items(), key=lambda kv: (kv[0][1] == "unknown", -kv[1], kv[0][0].casefold()))
    return BarGroup(key, [Bar(label, n, round(100 * n / total), kind) for (label, kind), n in items])


def coverage_bars(story: StoryView, registry: OutletRegistry, *, country_name: Callable[[str], str],
                  owner_name: Callable[[str], str] = str, unknown: str, state: str,
                  independent: str) -> list[BarGroup]:
    """The story's voices (near copies left out) by country, by owner and by state affiliation, from the registry."""
    countries: Counter[tuple[str, str]] = Counter()
    owners: Counter[tuple[str, str]] = Counter()
    states: Counter[tuple[str, str]] = Counter()
    for a in story.articles:
        if a.duplicate_of:
            continue
        name = _speaking_outlet(a)
        entry = registry.get(name) if name else None
        countries[(country_name(entry.country), "") if entry and entry.country else (unknown, "unknown")] += 1
        owners[(owner_name(entry.owner), "") if entry and entry.owner else (unknown, "unknown")] += 1
        if entry is None or entry.funding is None:
            states[(unknown, "unknown")] += 1
        else:
            states[(state, "state") if entry.state_affiliated else (independent, "independent")] += 1
    if not countries:
        return []
    return [_bars("country", countries), _bars("owner", owners), _bars("state", states)]


@dataclass(slots=True)
class FactItem:
    """A coverage fact as the page lists it: its kind (a catalogue key) and its label."""

    kind: str
    label: str


@dataclass(slots=True)
class OutletFacts:
    """One voice of the story: registry profile, what it alone reports, what it leaves out."""

    name: str
    slug: str | None
    country: str | None
    owner: str | None
    state_affiliated: bool | None
    articles: int
    first_to_report: bool
    only: list[FactItem]
    missing: list[FactItem]
    only_kinds: list[tuple[str, int]]

    @property
    def only_shown(self) -> list[FactItem]:
        return self.only[:FACTS_SHOWN]

    @property
    def only_more(self) -> list[FactItem]:
        return self.only[FACTS_SHOWN:]

    @property
    def missing_shown(self) -> list[FactItem]:
        return self.missing[:FACTS_SHOWN]

    @property
    def missing_more(self) -> list[FactItem]:
        return self.missing[FACTS_SHOWN:]


def outlet_facts(coverage: Coverage, *, slugs: set[str], slug: Callable[[str], str],
                 country_name: Callable[[str], str], background: set[str] | None = None) -> list[OutletFacts]:
    """Per voice of the coverage: profile, exclusive facts and omissions with their kind, counted per kind.

    Facts about the story's own days come before the history it recalls (``background``: timeline texts), so the
    few shown are the ones that matter; "Le Point via Actu Cameroun" links to its publisher's page.
    """
    kind_of = {f.label: f.kind if f.kind in KINDS else "fact" for f in coverage.facts}
    old = {f.label for f in coverage.facts if f.kind == "timeline" and f.text in (background or set())}

    def items(labels: Iterable[str]) -> list[FactItem]:
        ordered = sorted(enumerate(labels), key=lambda il: (il[1] in old, il[0]))
        return [FactItem(kind_of.get(label, "fact"), label) for _, label in ordered]

    out = []
    for o in coverage.outlets:
        only = items(coverage.only.get(o.name) or o.only)
        missing = items(coverage.missing.get(o.name) or o.missing)
        kinds = Counter(f.kind for f in only)
        publisher = o.name.rpartition(" via ")[2]
        out.append(OutletFacts(
            name=o.name, slug=slug(publisher) if slug(publisher) in slugs else None,
            country=country_name(o.country) if o.country else None, owner=o.owner,
            state_affiliated=o.state_affiliated, articles=len(o.articles), first_to_report=o.first_to_report,
            only=only, missing=missing, only_kinds=sorted(kinds.items(), key=lambda kv: -kv[1]),
        ))
    return out


@dataclass(slots=True)
class DisagreementRow:
    """A disagreement as the page shows it: on a ``"date"`` or a ``"figure"``, its label, the values and sources."""

    kind: str
    label: str
    values: list[dict[str, Any]]


def disagreement_rows(disagreements: Iterable[Disagreement], *,
                      phrase: Callable[[str], str] = str) -> list[DisagreementRow]:
    """The story stage writes "date of: <fact>" for dates (values are days, shown in words) and "nombre de …" for
    figures; ``phrase`` puts the label in the page's language (:meth:`vigie.i18n.Translator.phrase`)."""
    return [DisagreementRow("date" if d.about.startswith(DATE_OF) else "figure", phrase(d.about), list(d.values))
            for d in disagreements]


# -- blindspots -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Blindspot:
    """Why a story is a blindspot: ``kind`` "state" (only state-affiliated outlets) or "country" (one country)."""

    kind: str
    country: str | None = None


def _entries(story: StoryView, registry: OutletRegistry) -> list[Outlet | None]:
    names = {n for a in story.articles if not a.duplicate_of and (n := _speaking_outlet(a))}
    return [registry.get(n) for n in sorted(names)]


def blindspot(story: StoryView, registry: OutletRegistry) -> Blindspot | None:
    """A story only state-affiliated outlets cover, or that two or more outlets of a single country cover.

    Every voice must be in the registry: an unknown outlet could be the one that breaks the pattern.
    """
    entries = _entries(story, registry)
    if not entries or any(e is None for e in entries):
        return None
    known = [e for e in entries if e is not None]
    if all(e.state_affiliated for e in known):
        return Blindspot("state", known[0].country if len({e.country for e in known}) == 1 else None)
    countries = {e.country for e in known}
    if len(known) >= 2 and len(countries) == 1 and None not in countries:
        return Blindspot("country", known[0].country)
    return None


def state_voices(story: StoryView, registry: OutletRegistry) -> int:
    """How many of a story's outlets (voices, copies left out) are state-affiliated."""
    return sum(1 for e in _entries(story, registry) if e is not None and e.state_affiliated)


def countries_of(story: StoryView, registry: OutletRegistry) -> list[str]:
    """The registry countries of a story's voices, most voices first."""
    counts = Counter(e.country for e in _entries(story, registry) if e is not None and e.country)
    return [c for c, _ in counts.most_common()]


# -- words ----------------------------------------------------------------------------------------------------


def counter(t: Callable[[str], str], lang: str) -> Callable[[int, str], str]:
    """``count(3, "quote")`` -> "3 citations": the ``<noun>_one`` or ``<noun>_many`` key, by the language's rule
    (French counts 0 and 1 in the singular, English only 1)."""

    def count(n: int, noun: str) -> str:
        one = n < 2 if lang == "fr" else n == 1
        return f"{n} {t(noun + ('_one' if one else '_many'))}"

    return count


# -- dates ------------------------------------------------------------------------------------------------------


def human_date(value: object, lang: str, *, year: bool = True) -> str:
    """ "2021-10-18" -> "18 oct. 2021", "2021-10" -> "oct. 2021" (in ``lang``); anything else unchanged."""
    from babel.dates import format_date

    from vigie.i18n import locale_of

    locale = locale_of(lang)
    s = str(value or "")
    try:
        if len(s) >= 10 and s[4] == "-" and s[7] == "-":
            return format_date(date.fromisoformat(s[:10]), "d MMM y" if year else "d MMM", locale=locale)
        if len(s) == 7 and s[4] == "-":
            return format_date(date(int(s[:4]), int(s[5:7]), 1), "MMM y", locale=locale)
    except ValueError:
        return s
    return s
