"""Story timeline: the dated facts of all articles merged across outlets, with disagreements flagged.

Two facts are the same when their dates are close (or one contains the other: "début octobre" and "le 5
octobre"), they share an event category or enough content words, and their numbers do not contradict ("de 20 à
10" and "ramené à 10" agree; "sept membres" and "huit membres" do not). Same fact and same date: one entry with
several sources. Same fact, two different dates of the same precision from different outlets: a disagreement.

One sentence is one entry: a sentence citing two dates ("En septembre 2021, après une interview en décembre 2019")
stays under the date of its own event, not twice. Dates before the story's own span (its publication dates, else the
stretch where most of its precise dates fall) are marked ``background``: history the reader may want apart.

An article without a publication date or a full date of its own leaves its year-less days partial ("--07-02"); the
story places them (:func:`place_undated`) near its latest publication date, else near the latest day or month its
articles cite with the year, else in the latest year they cite; with none of these they are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from vigie.understand.dates import place_partial
from vigie.understand.events import Fact

__all__ = ["Disagreement", "TimelineEntry", "build_timeline", "place_undated", "reference_day", "same_fact", "story_span"]

MAX_GAP_DAYS = 60


@dataclass(slots=True)
class TimelineEntry:
    """One fact on the story timeline and the articles that report it."""

    date: str
    precision: str
    text: str
    sources: list[str]
    background: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "precision": self.precision, "text": self.text, "sources": self.sources,
                "background": self.background}


@dataclass(slots=True)
class Disagreement:
    """Outlets giving different values (a date, a number) for the same fact."""

    about: str
    values: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"about": self.about, "values": self.values}


def _bounds(value: str) -> tuple[date, date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        start = date(parts[0], parts[1], 1)
        nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return start, date.fromordinal(nxt.toordinal() - 1)
    d = date(parts[0], parts[1], parts[2])
    return d, d


def _contains(outer: str, inner: str) -> bool:
    a, b = _bounds(outer), _bounds(inner)
    return a[0] <= b[0] and b[1] <= a[1]


def _close(a: str, b: str) -> bool:
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    gap = max(0, (b0 - a1).days, (a0 - b1).days)
    return gap <= MAX_GAP_DAYS and (a1 - a0).days < 366 and (b1 - b0).days < 366


def _numbers_agree(a: set[int], b: set[int]) -> bool:
    return not a or not b or a <= b or b <= a


def same_fact(a: Fact, b: Fact) -> bool:
    """Whether two dated facts report the same happening (dates need not agree: that is what is checked next).

    Facts carrying an event must share its category, not name two different actors, agree on numbers and share
    a number or the verb plus two content words. Plain dated sentences merge only on compatible dates and a strong
    overlap of content words.
    """
    if not _close(a.date, b.date) or not _numbers_agree(a.numbers, b.numbers):
        return False
    shared = a.content & b.content
    words = {w for w in shared if not w.startswith("@")}
    if a.actions or b.actions:
        if not a.actions & b.actions:
            return False
        if a.actor and b.actor and a.actor != b.actor:
            return False
        return (bool(a.numbers & b.numbers) and len(words) >= 1) or len(words) >= 3
    if not (_contains(a.date, b.date) or _contains(b.date, a.date)):
        return False
    smaller = min(len(a.content), len(b.content)) or 1
    return len(words) >= 4 and len(shared) / smaller >= 0.5


def reference_day(facts: Sequence[tuple[str, Fact]], published: Sequence[date] = ()) -> date | None:
    """The day a story's year-less dates are placed near: its latest publication day, else the latest day or month
    its articles cite with the year (a month from its middle), else the middle of the latest year they cite."""
    if published:
        return max(published)
    cited = [f for _, f in facts if f.cited and not f.date.startswith("-")]
    days = [date.fromisoformat(f.date) for f in cited if len(f.date) == 10]
    days += [date(int(f.date[:4]), int(f.date[5:7]), 15) for f in cited if len(f.date) == 7]
    if days:
        return max(days)
    years = [int(f.date) for f in cited if len(f.date) == 4]
    return date(max(years), 7, 2) if years else None


def place_undated(facts: Sequence[tuple[str, Fact]], published: Sequence[date] = ()) -> list[tuple[str, Fact]]:
    """The facts with their partial dates ("--07-02") placed near the story's :func:`reference_day`; partial ones are
    dropped when the story gives no reference."""
    if not any(f.date.startswith("-") for _, f in facts):
        return list(facts)
    ref = reference_day(facts, published)
    out: list[tuple[str, Fact]] = []
    for aid, f in facts:
        if f.date.startswith("-"):
            if ref is None:
                continue
            f = replace(f, date=place_partial(f.date, ref, f.date_text))
        out.append((aid, f))
    return out


SPAN_MARGIN_DAYS = 31  # before the first publication: the run-up a report recounts still belongs to the story


def story_span(facts: Sequence[tuple[str, Fact]], published: Sequence[date] = ()) -> tuple[date, date] | None:
    """The story's own stretch of time: its publication dates (with a month of run-up), else the 120 days around the
    median of the precise dates it cites; None without either."""
    if published:
        return date.fromordinal(min(published).toordinal() - SPAN_MARGIN_DAYS), max(published)
    days = sorted(date.fromisoformat(f.date) for _, f in facts if len(f.date) == 10)
    if not days:
        return None
    mid = days[len(days) // 2].toordinal()
    return date.fromordinal(mid - 60), date.fromordinal(mid + 60)


def build_timeline(facts: Sequence[tuple[str, Fact]], published: Sequence[date] = ()) -> tuple[list[TimelineEntry], list[Disagreement]]:
    """Merge (article id, fact) pairs of a story into timeline entries and disagreements.

    ``published`` are the story's publication days: they set its span, and entries before it are ``background``.
    Partial dates of undated articles are placed first (:func:`place_undated`).
    """
    facts = place_undated(facts, published)
    n = len(facts)
    same = [[i == j or same_fact(facts[i][1], facts[j][1]) for j in range(n)] for i in range(n)]
    # Complete linkage: a fact joins a group only if it is the same fact as every member, so one loose link cannot
    # chain unrelated happenings together. Precise dates first, so they seed the groups.
    order = sorted(range(n), key=lambda i: (-len(facts[i][1].date), facts[i][1].date, facts[i][0], facts[i][1].start))
    groups: list[list[int]] = []
    for i in order:
        best = max(
            (g for g in groups if all(same[i][j] for j in g)),
            key=lambda g: sum(len(facts[i][1].content & facts[j][1].content) for j in g) / len(g),
            default=None,
        )
        if best is None:
            groups.append([i])
        else:
            best.append(i)
    clusters = {k: g for k, g in enumerate(groups)}
    entries: list[TimelineEntry] = []
    disagreements: list[Disagreement] = []
    for members in clusters.values():
        by_value: dict[str, list[int]] = defaultdict(list)
        for i in members:
            by_value[facts[i][1].date].append(i)
        # A coarser date ("2021-10") that fits exactly one finer one joins it; otherwise it stays an entry of its own.
        values = sorted(by_value, key=len, reverse=True)
        for v in list(values):
            finer = [w for w in values if w != v and len(w) > len(v) and _contains(v, w)]
            if len(finer) == 1:
                by_value[finer[0]].extend(by_value.pop(v))
                values.remove(v)
        for v, idx in sorted(by_value.items()):
            first = min(idx, key=lambda i: (facts[i][1].start, facts[i][0]))
            sources = sorted({facts[i][0] for i in idx})
            entries.append(TimelineEntry(v, facts[first][1].precision, facts[first][1].text, sources))
        if not any(facts[i][1].actions for i in members):
            continue
        disagreements.extend(_date_disagreements(facts, by_value))
    # Two events of one sentence give two facts with one text: show it once.
    merged: dict[tuple[str, str], TimelineEntry] = {}
    for e in entries:
        key = (e.date, e.text)
        if key in merged:
            merged[key].sources = sorted(set(merged[key].sources) | set(e.sources))
        else:
            merged[key] = e
    # One sentence under two dates: keep the date its event carries, else the most precise, else the latest.
    own = {(facts[i][1].text, facts[i][1].date) for i in range(n) if facts[i][1].actions}
    by_text: dict[str, list[TimelineEntry]] = defaultdict(list)
    for e in merged.values():
        by_text[e.text].append(e)
    kept: list[TimelineEntry] = []
    for same_text in by_text.values():
        entry = max(same_text, key=lambda e: ((e.text, e.date) in own, len(e.date), e.date))
        entry.sources = sorted({s for e in same_text for s in e.sources})
        kept.append(entry)
    span = story_span(facts, published)
    if span is not None:
        for e in kept:
            hi = _bounds(e.date)[1]
            e.background = hi < span[0]  # history; a day announced ahead ("dès début novembre") is still the story
    out = sorted(kept, key=lambda e: (_bounds(e.date)[0], -len(e.date), e.text))
    return out, disagreements


def _date_disagreements(facts: Sequence[tuple[str, Fact]], by_value: dict[str, list[int]]) -> list[Disagreement]:
    out: list[Disagreement] = []
    for precision_len in (10, 7):
        vals = {v: idx for v, idx in by_value.items() if len(v) == precision_len}
        if len(vals) < 2:
            continue
        sources = {v: {facts[i][0] for i in idx} for v, idx in vals.items()}
        # Only outlets that disagree with each other: one article giving two dates is a sequence, not a dispute.
        all_sources = [s for ss in sources.values() for s in ss]
        if len(set(all_sources)) < 2:
            continue
        first_val = min(vals)
        rep = facts[min(vals[first_val], key=lambda i: facts[i][1].start)][1]
        about = "date of: " + _short(rep.text)
        out.append(Disagreement(about, [{"value": v, "sources": sorted(sources[v])} for v in sorted(vals)]))
    return out


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
