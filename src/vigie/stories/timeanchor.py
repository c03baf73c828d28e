"""Time anchors: when was an article written, from its published date or from the dates it mentions.

Many articles reach Vigie without a usable published date (text dumps, stripped metadata). The dates an article
*mentions* still bound when it was written: a news report cites the recent happenings it covers ("mercredi
2 juillet", "le 17 octobre") and gives older ones a year ("le 23 février 2002"). The latest year-less day mention is
therefore a good estimate of the writing date at the week-to-month granularity that separates two events of one
story. The finder is a handful of compiled regular expressions (French and English), so it stays in the hot path;
dateparser is far too slow for that.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DateMention",
    "TimeAnchor",
    "anchor_distance",
    "find_dates",
    "latest_day_of_year",
    "parse_published",
    "time_anchor",
]

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "janvier janv jan january",
        "février fevrier févr fevr fév fev feb february",
        "mars mar march",
        "avril avr apr april",
        "mai may",
        "juin jun june",
        "juillet juil jul july",
        "août aout aug august",
        "septembre sept sep september",
        "octobre oct october",
        "novembre nov november",
        "décembre decembre déc dec december",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num

# Full month names only where a bare word could be something else ("mars", "may", "march" are kept because the
# patterns below require a day or a year or a French preposition next to them).
_MONTH_FULL_FR = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
)
_MONTH_FULL_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = "janv|févr|fevr|avr|juil|sept|déc|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
_WEEKDAY_FR = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_WEEKDAY_EN = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_YEAR = r"(?:1[89]\d\d|20\d\d)"

# "mercredi 2 juillet 2008", "1er septembre", "2 juil. 2008", "le 5 nov"
_DAY_MONTH_FR = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY_FR})\s+)?(?P<d>[12]\d|3[01]|0?[1-9])(?:er|e)?\s+"
    rf"(?P<m>{_MONTH_FULL_FR}|(?:{_MONTH_ABBR})\.?)(?![\w])(?:\s+(?P<y>{_YEAR})\b)?",
    re.IGNORECASE,
)
# "July 2, 2008", "Wednesday, July 2", "2 July 2008"
_MONTH_DAY_EN = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY_EN}),?\s+)?(?P<m>{_MONTH_FULL_EN})\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_DAY_MONTH_EN = re.compile(
    rf"\b(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH_FULL_EN})\b(?:,?\s+(?P<y>{_YEAR})\b)?"
)
# "octobre 2008", "October 2008"
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH_FULL_FR}|{_MONTH_FULL_EN})\s+(?P<y>{_YEAR})\b", re.IGNORECASE)
# "en juillet", "fin décembre", "mi-août", "début octobre", "depuis septembre", "in March", "last October"
_MONTH_ALONE = re.compile(
    rf"\b(?:en|fin|début|debut|mi-|mi|depuis|courant|dès|d'ici|in|last|early|late|mid-|since)\s*"
    rf"(?P<m>{_MONTH_FULL_FR}|{_MONTH_FULL_EN})\b(?!\s+{_YEAR})",
    re.IGNORECASE,
)
# ISO and numeric dates: "2008-07-02", "02/07/2008", "2.7.2008" (day first: Vigie's sources are European)
_ISO = re.compile(rf"\b(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b")
_NUMERIC = re.compile(rf"\b(?P<d>0?[1-9]|[12]\d|3[01])[/.](?P<m>0?[1-9]|1[0-2])[/.](?P<y>{_YEAR}|\d\d)\b")
_YEAR_ALONE = re.compile(rf"\b(?P<y>{_YEAR})\b")
# A mention followed by "prochain"/"next" is in the future: it does not bound the writing date from below.
_FUTURE_AFTER = re.compile(r"\s*(?:prochain|prochaine|à venir|next)\b", re.IGNORECASE)
# So is one whose clause announces it: a future or modal verb, "prévu", "jusqu'au", "d'ici", "avant le" within the
# few words before it ("le sommet, prévu le 1er décembre", "la cour doit examiner le 14 mars", "se réunira le 25").
# A past auxiliary around the cue ("ce qui était prévu par le décret du 1er juillet") makes it background again.
_FUTURE_CUE = re.compile(
    r"\b(?:\w{2,}(?:era|eront|ira|iront|dra|dront|vra|vront|rra|rront|ura|uront)|sera|seront|aura|auront|fera|"
    r"feront|ira|iront|doit|doivent|devrai(?:en)?t|pourrai(?:en)?t|prévue?s?|programmée?s?|attendue?s?|"
    r"jusqu'(?:au|à|a)|jusque|d'ici|avant|will|due|scheduled|until|by)\b(?P<rest>[^.;!?]*)$",
    re.IGNORECASE,
)
_PAST_AUX = re.compile(r"\b(?:était|étaient|avait|avaient|a été|ont été|had|was|were)\b", re.IGNORECASE)
_PAST_BEFORE = re.compile(r"\b(?:était|étaient|avait|avaient|été|had|was|were)\s+$", re.IGNORECASE)
_CUE_WINDOW = 48  # characters before a date searched for a future cue: a handful of words, the same clause
_PUBLISHED = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def _future_cue(text: str, start: int) -> bool:
    """A future cue in the words just before ``start``, in the same clause, with no past auxiliary after it."""
    before = text[max(0, start - _CUE_WINDOW) : start]
    m = _FUTURE_CUE.search(before)
    if m is None or _PAST_AUX.search(m["rest"]):
        return False
    return not _PAST_BEFORE.search(text, max(0, start - _CUE_WINDOW - 16), start - len(before) + m.start())


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression found in a text; ``day`` and ``year`` are None when the text does not say."""

    start: int
    end: int
    kind: str  # "day" (day and month), "month" (month, maybe with a year), "year"
    month: int | None
    day: int | None = None
    year: int | None = None
    future: bool = False


def _month(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


def find_dates(text: str) -> list[DateMention]:
    """All date mentions in ``text``, ordered by position; overlapping weaker matches are dropped.

    Example:
        >>> [(m.kind, m.month, m.day) for m in find_dates("Libérés le mercredi 2 juillet, en 2008.")]
        [('day', 7, 2), ('year', None, None)]
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []  # disjoint spans, sorted: the overlap test is a bisection, not a scan

    def free(a: int, b: int) -> bool:
        i = bisect.bisect_left(taken, (b,))
        return i == 0 or taken[i - 1][1] <= a

    def add(m: re.Match[str], kind: str, month: int | None, day: int | None, year: int | None) -> None:
        a, b = m.span()
        if not free(a, b):
            return
        future = bool(_FUTURE_AFTER.match(text, b)) or _future_cue(text, a)
        found.append(DateMention(a, b, kind, month, day, year, future))
        bisect.insort(taken, (a, b))

    def year_of(raw: str | None) -> int | None:
        if raw is None:
            return None
        y = int(raw)
        return y + 2000 if y < 100 else y

    for rx in (_ISO, _NUMERIC):
        for m in rx.finditer(text):
            add(m, "day", int(m["m"]), int(m["d"]), year_of(m["y"]))
    for rx in (_DAY_MONTH_FR, _MONTH_DAY_EN, _DAY_MONTH_EN):
        for m in rx.finditer(text):
            month = _month(m["m"])
            if month is not None:
                add(m, "day", month, int(m["d"]), year_of(m["y"]))
    for m in _MONTH_YEAR.finditer(text):
        add(m, "month", _month(m["m"]), None, int(m["y"]))
    for m in _MONTH_ALONE.finditer(text):
        add(m, "month", _month(m["m"]), None, None)
    for m in _YEAR_ALONE.finditer(text):
        add(m, "year", None, None, int(m["y"]))
    found.sort(key=lambda d: d.start)
    return found


@dataclass(frozen=True, slots=True)
class TimeAnchor:
    """Estimated writing date. ``year`` is None when only the day of the year is known (undated, year-less text).

    Serialised as ``"2008-07-02"`` or, without a year, ``"????-07-02"``; ``source`` is ``"published"`` or
    ``"mentioned"``.
    """

    year: int | None
    month: int
    day: int
    source: str = "mentioned"

    def to_str(self) -> str:
        y = f"{self.year:04d}" if self.year is not None else "????"
        return f"{y}-{self.month:02d}-{self.day:02d}{'' if self.source == 'published' else '~'}"

    @classmethod
    def from_str(cls, s: str) -> TimeAnchor:
        source = "mentioned" if s.endswith("~") else "published"
        y, m, d = s.rstrip("~").split("-")
        return cls(None if y == "????" else int(y), int(m), int(d), source)

    @property
    def day_of_year(self) -> int:
        return _CUM_DAYS[self.month - 1] + self.day

    @property
    def ordinal(self) -> int | None:
        """Days since 0001-01-01 when the year is known (clamped to a valid day)."""
        if self.year is None:
            return None
        return date(self.year, self.month, min(self.day, _MONTH_LEN[self.month - 1])).toordinal()


_MONTH_LEN = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CUM_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def anchor_distance(a: TimeAnchor | None, b: TimeAnchor | None) -> float | None:
    """Days between two anchors; None when either is unknown.

    With both years known this is the calendar distance; otherwise the distance on the yearly circle (at most 182
    days), because a year-less "2 juillet" is as near to "30 juin" of any year.
    """
    if a is None or b is None:
        return None
    oa, ob = a.ordinal, b.ordinal
    if oa is not None and ob is not None:
        return float(abs(oa - ob))
    d = abs(a.day_of_year - b.day_of_year)
    return float(min(d, 365 - d))


def parse_published(published: str | None) -> TimeAnchor | None:
    """Anchor from an ISO-like published date (``2021-10-19T17:11+0200``, ``2021-10-19``, ``2021-10``)."""
    if not published:
        return None
    m = _PUBLISHED.match(published)
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3] or 15)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return TimeAnchor(y, mo, d, "published")


def latest_day_of_year(days: Sequence[int]) -> int:
    """The latest of year-less days of the year: the one just before the widest gap on the yearly circle."""
    u = sorted(set(days))
    if len(u) == 1:
        return u[0]
    gaps = [(u[(i + 1) % len(u)] - u[i]) % 365 for i in range(len(u))]
    # Ties go to the earliest gap, which keeps the choice deterministic.
    return u[max(range(len(u)), key=lambda i: (gaps[i], -i))]


def _from_day_of_year(doy: int) -> tuple[int, int]:
    for m in range(11, -1, -1):
        if doy > _CUM_DAYS[m]:
            return m + 1, doy - _CUM_DAYS[m]
    return 1, 1


def time_anchor(text: str, published: str | None = None) -> TimeAnchor | None:
    """Estimated writing date of an article.

    A usable ``published`` date wins. Otherwise the anchor is the latest *recent* mentioned day: mentions of a day
    without a year (or with the latest year the text gives a full date for), skipping those marked as future
    ("le 20 novembre prochain"). Without any day, the latest month named alone ("fin décembre") is used, at
    mid-month. Older dates that come with an explicit earlier year are background and ignored. Returns None when
    the text names no day or month.
    """
    pub = parse_published(published)
    if pub is not None:
        return pub
    mentions = [m for m in find_dates(text) if not m.future and m.month is not None]
    if not mentions:
        return None
    for kind in ("day", "month"):
        group = [m for m in mentions if m.kind == kind]
        # Year-less mentions are the recent ones; explicitly dated ones count only when there is nothing else, and
        # then only those of the latest year given.
        cands = [m for m in group if m.year is None]
        year: int | None = None
        if not cands and group:
            year = max(m.year for m in group if m.year is not None)
            cands = [m for m in group if m.year == year]
        if not cands:
            continue
        doys = [_CUM_DAYS[m.month - 1] + (m.day or 15) for m in cands if m.month is not None]
        month, day = _from_day_of_year(latest_day_of_year(doys))
        return TimeAnchor(year, month, day, "mentioned")
    return None
