"""Temporal expressions, normalised against the publication date.

A regex finder picks the spans ("lundi 18 octobre 2021", "le 1er novembre", "début novembre", "en mars 2018",
"il y a deux ans", "depuis 2014", "mercredi", "la veille", "hier"); dateparser, with the publication date as
RELATIVE_BASE, turns each span into a date; the finder's pattern decides the precision (day, month, year). Running
dateparser on whole sentences would be slow and would fire on numbers that are not dates.

Without a publication date, dates that carry their year are still kept; a year-less day or month ("le 1er novembre",
"début novembre") is placed near the latest full date the article cites (a day or a month with its year: journalists
drop the year of what is recent), in the year that fits its weekday when it gives one ("lundi 1er septembre"). With no
full date either, it keeps its month and day as ``partial`` ("--11-01") for the story to place from its other
articles (:func:`place_partial`); relative ones ("hier", "mercredi") get date None.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import dateparser

__all__ = ["DateExpr", "date_spans", "find_dates", "forget_texts", "parse_pub_date", "place_partial"]

_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_WD = "|".join(_WEEKDAYS)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
            "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quelques": 3}
_N = r"(?:\d+|" + "|".join(_NUMBERS) + ")"

# Order matters: longer, more specific patterns first; a span claimed by one is not matched again.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>20\d\d|19\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("numeric", re.compile(r"\b(?P<d>[0-3]?\d)[./](?P<m>[01]?\d)[./](?P<y>(?:19|20)\d\d)\b")),
    (
        "day",
        re.compile(
            rf"\b(?:(?:le|ce|du|au)\s+)?(?:(?P<wd>{_WD})\s+)?(?P<d>1er|[12]\d|3[01]|0?[1-9])\s+(?P<m>{_MONTHS})(?:\s+(?P<y>{_YEAR}))?\b",
            re.IGNORECASE,
        ),
    ),
    ("part_month", re.compile(rf"\b(?P<part>début|mi-|fin|courant|milieu)[\s-]*(?P<m>{_MONTHS})(?:\s+(?P<y>{_YEAR}))?\b", re.IGNORECASE)),
    ("month", re.compile(rf"\b(?P<m>{_MONTHS})\s+(?P<y>{_YEAR})\b", re.IGNORECASE)),
    ("part_this_month", re.compile(r"\b(?:au\s+)?(?P<part>début|fin|milieu)\s+du\s+mois(?:\s+(?P<rel>dernier|prochain))?\b", re.IGNORECASE)),
    ("ago", re.compile(rf"\bil y a\s+(?P<n>{_N})\s+(?P<unit>jours?|semaines?|mois|ans?|années?)\b", re.IGNORECASE)),
    ("rel_year", re.compile(r"\b(?:l['’]an|l['’]année)\s+(?P<rel>dernière?|prochaine?|passée?)\b", re.IGNORECASE)),
    ("rel_month", re.compile(r"\ble mois\s+(?P<rel>dernier|prochain|passé)\b", re.IGNORECASE)),
    ("year", re.compile(rf"\b(?P<prep>en|depuis|dès|d['’]ici|avant|après|jusqu['’]en|fin|début)\s+(?P<y>{_YEAR})(?P<more>(?:\s*(?:,|et|ou)\s*{_YEAR})*)\b", re.IGNORECASE)),
    ("veille", re.compile(r"\b(?P<w>la veille|le lendemain|l['’]avant-veille|le surlendemain)\b", re.IGNORECASE)),
    ("deictic", re.compile(r"\b(?P<w>avant-hier|hier|après-demain|demain)\b", re.IGNORECASE)),
    ("weekday", re.compile(rf"(?<!chaque )(?<!tous les )\b(?:(?:ce|le|dès)\s+)?(?P<wd>{_WD})(?:\s+(?:soir|matin|après-midi|dernier))?\b", re.IGNORECASE)),
]


_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
_WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD_EN = "|".join(_WEEKDAYS_EN + [w.capitalize() for w in _WEEKDAYS_EN])
# English: "January 5, 2012", "5 January 2012", "Jan. 5", "March 2012", "in 2012", "yesterday", "on Tuesday".
_PATTERNS_EN: list[tuple[str, re.Pattern[str]]] = [
    ("iso", _PATTERNS[0][1]),
    ("day", re.compile(rf"\b(?:(?P<wd>{_WD_EN}),?\s+)?(?P<m>{_MONTHS_EN})\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?:,?\s+(?P<y>{_YEAR}))?\b")),
    ("day", re.compile(rf"\b(?:(?P<wd>{_WD_EN}),?\s+)?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTHS_EN})(?:,?\s+(?P<y>{_YEAR}))?\b")),
    ("month", re.compile(rf"\b(?P<m>{_MONTHS_EN})\s+(?:of\s+)?(?P<y>{_YEAR})\b")),
    ("year", re.compile(rf"\b(?P<prep>in|since|by|until|before|after|from)\s+(?P<y>{_YEAR})(?P<more>)\b", re.IGNORECASE)),
    ("deictic", re.compile(r"\b(?P<w>yesterday|tomorrow)\b", re.IGNORECASE)),
    ("weekday", re.compile(rf"\b(?:on\s+|last\s+)?(?P<wd>{_WD_EN})\b", re.IGNORECASE)),
]
_EN_DEICTIC = {"yesterday": -1, "tomorrow": 1}


@dataclass(slots=True)
class DateExpr:
    """One temporal expression: the span, its normalised date (YYYY-MM-DD, YYYY-MM or YYYY) and precision."""

    text: str
    start: int
    end: int
    date: str | None
    precision: str
    kind: str
    relative: bool = False
    partial: str | None = None  # "--MM-DD" or "--MM": a year-less day or month nothing in the text places

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date, "precision": self.precision}


def parse_pub_date(published: str | None) -> date | None:
    """The calendar day of an ISO 8601 publication date, or None."""
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).date()
    except ValueError:
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _fmt(d: date, precision: str) -> str:
    return {"day": d.isoformat(), "month": d.strftime("%Y-%m"), "year": f"{d.year:04d}"}[precision]


@lru_cache(maxsize=4096)
def _dp(text: str, base: date | None, lang: str = "fr") -> date | None:
    """dateparser on one span the finder picked (a few milliseconds a call): the same span and reference date come
    back article after article ("le 1er novembre", "mars 2018"), so answers are kept."""
    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day, 12)
    parsed = dateparser.parse(text, languages=[lang], settings=settings)
    return parsed.date() if parsed else None


def _calendar(day: str, month: str, year: str | None, base: date | None, lang: str) -> date | None:
    """The date of "<day> <month> [<year>]" (a year-less one in the reference date's year), as dateparser gives it:
    a valid calendar day is built directly (dateparser gives the same for every month spelling the patterns
    match, checked on all of them), anything else goes to dateparser."""
    try:
        y = int(year) if year else base.year if base is not None else None
        if y is not None:
            return date(y, _month_num(month), int(day))
    except (ValueError, IndexError):
        pass
    return _dp(f"{day} {month} {year}" if year else f"{day} {month}", None if year else base, lang)


def _closest_year(d: date, base: date, weekday: int | None = None) -> date:
    """A year-less day lands in the year that puts it closest to the reference date; given its ``weekday``, in the
    closest year where that day falls on it, if one of the three does."""
    cands = []
    for y in (base.year - 1, base.year, base.year + 1):
        try:
            cands.append(d.replace(year=y))
        except ValueError:
            continue
    if weekday is not None and any(c.weekday() == weekday for c in cands):
        cands = [c for c in cands if c.weekday() == weekday]
    return min(cands, key=lambda c: abs((c - base).days), default=d)


def _weekday(text: str) -> int | None:
    low = text.lower()
    return next((i for i, w in enumerate(_WEEKDAYS) if re.search(rf"\b{w}\b", low)), None)


def place_partial(partial: str, anchor: date, text: str = "") -> str:
    """A year-less ``partial`` date ("--07-02", "--07") placed in the year that puts it closest to ``anchor`` (and,
    when ``text`` names a weekday, on that weekday if a year near it allows).

    Example:
        >>> place_partial("--09-01", date(2008, 2, 6), "lundi 1er septembre")
        '2008-09-01'
    """
    parts = partial.lstrip("-").split("-")
    month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1
    try:
        d = date(anchor.year, month, day)
    except ValueError:
        d = date(anchor.year if month != 2 else 2000, month, day)  # 29 February: a leap year to start from
    placed = _closest_year(d, anchor, _weekday(text) if len(parts) > 1 else None)
    return placed.isoformat() if len(parts) > 1 else placed.strftime("%Y-%m")


@lru_cache(maxsize=256)
def _matches(text: str, lang: str) -> tuple[tuple[str, re.Match[str]], ...]:
    """Every match of every pattern, pattern by pattern: the cue test (:func:`date_spans`, before the model runs) and
    :func:`find_dates` (after) read the same text, and the thirteen patterns are scanned once for both. The texts
    of a batch of ``nlp.pipe`` are all cue-tested before the first is analysed: the cache holds more than a batch."""
    return tuple((kind, m) for kind, pat in (_PATTERNS_EN if lang == "en" else _PATTERNS) for m in pat.finditer(text))


def forget_texts() -> None:
    """Drop the pattern matches kept for the texts of a batch (they hold the texts), once the batch is analysed."""
    _matches.cache_clear()


def date_spans(text: str, lang: str = "fr") -> list[tuple[int, int]]:
    """Character spans of every candidate temporal expression of ``text``, placeable or not: where a parse may be
    needed for the timeline, known before any model runs."""
    return [m.span() for _, m in _matches(text, "en" if lang == "en" else "fr")]


def find_dates(text: str, published: str | date | None = None, lang: str = "fr") -> list[DateExpr]:
    """Temporal expressions of ``text``, normalised against the publication date, in text order.

    Args:
        text: the article body.
        published: ISO 8601 publication date (or a date); None keeps only dates that can be placed without it.
        lang: "fr" or "en" (the patterns and month names to look for).

    Example:
        >>> [d.date for d in find_dates("Il a parlé le 5 octobre.", "2021-10-07T12:00")]
        ['2021-10-05']
    """
    pub = published if isinstance(published, date) else parse_pub_date(published)
    taken: list[tuple[int, int]] = []  # disjoint spans, sorted: the overlap test is a bisection, not a scan
    raw: list[tuple[str, re.Match[str]]] = []
    for kind, m in _matches(text, "en" if lang == "en" else "fr"):
        i = bisect.bisect_left(taken, (m.end(),))
        if i and taken[i - 1][1] > m.start():
            continue
        bisect.insort(taken, (m.start(), m.end()))
        raw.append((kind, m))
    raw.sort(key=lambda km: km[1].start())
    # Without a publication date, year-less days hang on the latest full date the article gives (a month with its
    # year counts from its middle).
    anchor = pub
    if anchor is None:
        full = [_full(m) for k, m in raw if k in ("day", "iso", "numeric") and m.group("y")]
        full += [_month_with_year(m) for k, m in raw if k in ("month", "part_month") and m.group("y")]
        full_dates = [d for d in full if d is not None]
        anchor = max(full_dates) if full_dates else None
    out: list[DateExpr] = []
    last_day: date | None = None
    for kind, m in raw:
        expr = _normalise(kind, m, pub, anchor, last_day, lang)
        if expr is None:
            continue
        if expr.precision == "day" and expr.date and kind not in ("veille",):
            last_day = date.fromisoformat(expr.date)
        out.append(expr)
    return out


def _full(m: re.Match[str]) -> date | None:
    try:
        y, mo = int(m.group("y")), m.group("m")
        d = m.group("d")
        month = int(mo) if mo.isdigit() else _month_num(mo)
        return date(y, month, 1 if d.lower() == "1er" else int(d))
    except (ValueError, TypeError, IndexError):
        return None


def _month_with_year(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group("y")), _month_num(m.group("m")), 15)
    except (ValueError, TypeError):
        return None


def _month_num(name: str) -> int:
    names = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"]
    n = name.lower().replace("é", "e").replace("û", "u").rstrip(".")
    if n in names:
        return names.index(n) + 1
    english = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    return english.index(n[:3]) + 1


def _normalise(
    kind: str, m: re.Match[str], pub: date | None, anchor: date | None, last_day: date | None, lang: str = "fr"
) -> DateExpr | None:
    span, s, e = m.group(0), m.start(), m.end()

    def make(d: date | None, precision: str, relative: bool = False, partial: str | None = None) -> DateExpr:
        return DateExpr(span, s, e, _fmt(d, precision) if d else None, precision, kind, relative, partial)

    no_pub_weekday = _weekday(m.group("wd")) if pub is None and "wd" in m.re.groupindex and m.group("wd") else None

    if kind in ("iso", "numeric"):
        return make(_full(m), "day")
    if kind == "day":
        day = "1" if m.group("d").lower() == "1er" else m.group("d")
        y = m.group("y")
        if y:
            return make(_calendar(day, m.group("m"), y, None, lang), "day")
        if anchor is None:
            try:
                return make(None, "day", True, f"--{_month_num(m.group('m')):02d}-{int(day):02d}")
            except ValueError:
                return make(None, "day", True)
        d = _calendar(day, m.group("m"), None, anchor, lang)
        return make(_closest_year(d, anchor, no_pub_weekday) if d else None, "day", True)
    if kind in ("part_month", "month"):
        y = m.group("y")
        base = None if y else anchor
        if not y and base is None:
            try:
                return make(None, "month", True, f"--{_month_num(m.group('m')):02d}")
            except ValueError:
                return make(None, "month", True)
        d = _calendar("1", m.group("m"), y, base, lang)
        if d and not y and base is not None:
            d = _closest_year(d, base)
        return make(d, "month", not y)
    if kind == "part_this_month":
        if pub is None:
            return make(None, "month", True)
        rel = (m.group("rel") or "").lower()
        d = pub.replace(day=1)
        if rel == "dernier":
            d = (d - timedelta(days=1)).replace(day=1)
        elif rel == "prochain":
            d = (d + timedelta(days=32)).replace(day=1)
        return make(d, "month", True)
    if kind == "year":
        return make(date(int(m.group("y")), 1, 1), "year")
    if kind == "ago":
        if pub is None:
            return make(None, "year", True)
        n = m.group("n").lower()
        num = _NUMBERS.get(n) or int(n)
        unit = m.group("unit").lower()
        precision = "year" if unit.startswith(("an", "ann")) else "month" if unit == "mois" else "day"
        d = _dp(f"il y a {num} {unit}", pub)
        return make(d, precision, True)
    if kind in ("rel_year", "rel_month"):
        if pub is None:
            return make(None, "year" if kind == "rel_year" else "month", True)
        step = -1 if m.group("rel").lower().startswith(("dern", "pass")) else 1
        if kind == "rel_year":
            return make(date(pub.year + step, 1, 1), "year", True)
        d = pub.replace(day=1)
        d = (d - timedelta(days=1)).replace(day=1) if step < 0 else (d + timedelta(days=32)).replace(day=1)
        return make(d, "month", True)
    if kind == "veille":
        ref = last_day or pub
        if ref is None:
            return make(None, "day", True)
        w = m.group("w").lower().replace("’", "'")
        delta = {"la veille": -1, "le lendemain": 1, "l'avant-veille": -2, "le surlendemain": 2}[w]
        return make(ref + timedelta(days=delta), "day", True)
    if kind == "deictic":
        if pub is None:
            return make(None, "day", True)
        w = m.group("w").lower()
        shift = {"avant-hier": -2, "hier": -1, "demain": 1, "après-demain": 2, **_EN_DEICTIC}[w]
        return make(pub + timedelta(days=shift), "day", True)
    if kind == "weekday":
        if pub is None:
            return make(None, "day", True)
        low = m.group("wd").lower()
        wd = _WEEKDAYS_EN.index(low) if low in _WEEKDAYS_EN else _WEEKDAYS.index(low)
        # "mercredi" in a news report is the last such day on or before publication.
        return make(pub - timedelta(days=(pub.weekday() - wd) % 7), "day", True)
    return None
