"""Metadata normalisation: publication dates to ISO 8601, language codes, author and tag lists.

Dates are never invented: a string that does not name a full day gives ``None``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from vigie.text import fold

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?:à\s*)?(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
)
_DMY = re.compile(
    r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})"
    r"(?:\s*(?:à|,|-)?\s*(?P<H>\d{1,2})[:h](?P<M>\d{2}))?"
)
_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TEXTUAL = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?P<mon>{_MONTH_RE})\.?,?\s+(?P<y>\d{{4}})"
    r"(?:\s*(?:à|,|-|at)?\s*(?P<H>\d{1,2})\s*[:h]\s*(?P<M>\d{2})?)?",
    re.IGNORECASE,
)
_TEXTUAL_EN = re.compile(
    rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
    r"(?:\s*(?:at|,|-)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


def _tz(s: str | None) -> timezone | None:
    if not s:
        return None
    if s in ("Z", "UTC", "GMT"):
        return UTC
    sign = 1 if s[0] == "+" else -1
    digits = s[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _build(y: int, m: int, d: int, hh: str | None, mm: str | None, ss: str | None, tz: timezone | None) -> str | None:
    if not (1900 <= y <= 2100):
        return None
    try:
        if hh is None:
            return datetime(y, m, d).date().isoformat()
        dt = datetime(y, m, d, int(hh), int(mm or 0), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None
    return dt.isoformat()


def parse_datetime(text: str | None, *, fallback: bool = True) -> str | None:
    """ISO 8601 date-time (with its offset when the text gives one) from a date string, or None.

    Understands ISO stamps (``2021-10-19T17:11+0200``), ``19.10.2021``, ``Publié le 21 octobre 2021 à 09h50``,
    ``October 21, 2021 at 9:50 am``. Only the day is required; a time without offset stays naive.

    >>> parse_datetime("2021-10-19T17:11+0200")
    '2021-10-19T17:11:00+02:00'
    >>> parse_datetime("French.xinhuanet.com | Publié le 2021-10-21 à 09:50")
    '2021-10-21T09:50:00'
    >>> parse_datetime("octobre 2021") is None
    True
    """
    if not text:
        return None
    text = text.strip()
    if m := _ISO.search(text):
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), m["H"], m["M"], m["S"], _tz(m["tz"]))
    if m := _DMY.search(text):
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), m["H"], m["M"], None, None)
    if m := _TEXTUAL.search(text):
        mon = _MONTHS.get(fold(m["mon"]).rstrip("."))
        if mon:
            return _build(int(m["y"]), mon, int(m["d"]), m["H"], m["M"] if m["H"] else None, None, None)
    if m := _TEXTUAL_EN.search(text):
        mon = _MONTHS.get(fold(m["mon"]).rstrip("."))
        if mon:
            hh = m["H"]
            if hh and m["ampm"]:
                h = int(hh) % 12 + (12 if m["ampm"].lower().startswith("p") else 0)
                hh = str(h)
            return _build(int(m["y"]), mon, int(m["d"]), hh, m["M"], None, None)
    return _dateparser(text) if fallback else None


@lru_cache(maxsize=4096)
def _dateparser(text: str) -> str | None:
    """Last resort for other phrasings and languages; requires a full day, so nothing is filled in from today."""
    if len(text) > 200 or not re.search(r"\d", text):
        return None
    import dateparser

    dt = dateparser.parse(
        text,
        languages=["fr", "en", "de", "es", "it"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past",
                  "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "DMY"},
    )
    if dt is None or not (1900 <= dt.year <= 2100):
        return None
    if dt.hour == 0 and dt.minute == 0 and not re.search(r"\d{1,2}\s*[:h]\s*\d{2}", text):
        return dt.date().isoformat()
    return dt.isoformat()


def best_datetime(candidates: list[Any], refiners: list[str] | None = None) -> str | None:
    """The first candidate that parses, made more precise by a later one or a refiner on the same day (a time, an
    offset). Refiners (short furniture lines: bare stamps) are read with the fast patterns only.

    >>> best_datetime(["19.10.2021"], ["2021-10-19T17:11+0200"])
    '2021-10-19T17:11:00+02:00'
    """
    best: str | None = None
    items = [(c, True) for c in candidates] + [(r, False) for r in refiners or []]
    for c, fallback in items:
        if best is not None and _precision(best) == 2:
            break
        iso = parse_datetime(c, fallback=fallback) if isinstance(c, str) else None
        if iso is None:
            continue
        if best is None or (iso[:10] == best[:10] and _precision(iso) > _precision(best)):
            best = iso
    return best


def _precision(iso: str) -> int:
    return 0 if len(iso) == 10 else 2 if re.search(r"[+-]\d\d:\d\d$", iso) else 1


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), or None for too little text."""
    sample = text[:1000].strip()  # langid is linear in length; a paragraph is plenty
    if len(sample) < 20:
        return None
    import py3langid

    lang, _ = py3langid.classify(sample)
    return str(lang)


def normalise_language(code: Any) -> str | None:
    """'fr_FR', 'fr-fr', 'FR' -> 'fr'; anything else -> None."""
    if not isinstance(code, str):
        return None
    m = re.match(r"\s*([a-zA-Z]{2})(?:[-_].*)?\s*$", code)
    return m[1].lower() if m else None


def unique(items: list[str]) -> list[str]:
    """Stripped, non-empty, first occurrence kept (case-insensitive)."""
    seen: set[str] = set()
    out: list[str] = []
    for it in items:
        s = " ".join(str(it).split())
        if s and s.casefold() not in seen:
            seen.add(s.casefold())
            out.append(s)
    return out


def as_list(value: Any) -> list[str]:
    """A metadata value that may be a string, a comma list or a list, as a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return unique(value.split(",")) if "," in value else unique([value])
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            if isinstance(v, dict):
                v = v.get("name") or v.get("term") or ""
            out.append(str(v))
        return unique(out)
    return unique([str(value)])
