"""Metadata normalisation: publication dates to ISO 8601, language codes, author and tag lists.

Dates are never invented: a string that does not name a full day gives ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


# -- titles ---------------------------------------------------------------------------------------------------------

# A separator between a headline and a site name: spaced so that "Covid-19" or "Paris-8" never splits. A colon is
# not one: "Glyphosate : radiographie…" is a headline.
_TITLE_SEP = re.compile(r"(?<!\s)\s+(?:\|{1,2}|-{1,2}|[–—·•»]|::)\s+")  # from a run's start only: linear
# A dateline and nothing else: "BOGOTA (Reuters) -", "PARIS, 12 juin (AFP) —", "Washington (AP) --". It opens an
# agency dispatch; it is never its headline.
_DATELINE = re.compile(
    r"^\W*(?:[A-ZÀ-Þ][\w'’. /-]{0,40}?)(?:,\s*[\w .]{1,25}?)?\s*\((?P<src>[A-Z][\w .&/-]{0,30})\)\s*(?P<dash>--|[-–—:])?\s*$"
)
# Labels of a host that name nobody: "www.", country and generic top-level parts.
_HOST_NOISE = frozenset({"www", "m", "amp", "com", "org", "net", "info", "fr", "be", "ch", "ca", "de", "uk", "co",
                         "eu", "tn", "cz", "media", "news", "online", "tv", "radio", "blog"})


def is_dateline(title: str | None) -> bool:
    """A title that is only a dispatch's dateline ("BOGOTA (Reuters) -"), not a headline.

    >>> is_dateline("BOGOTA (Reuters) -"), is_dateline("Sommet du G20 (Rome)")
    (True, False)
    """
    if not title or len(title) > 80:
        return False
    m = _DATELINE.match(title.strip())
    if m is None:
        return False
    place = title[: m.start("src")].strip(" (,")
    # Without a trailing dash, only an upper-case place ("WASHINGTON (AP)") marks a dateline.
    return bool(m["dash"]) or place.isupper()


def site_key(text: str) -> str:
    """Comparison form of a site name or host: folded, letters and digits only ("Le Monde.fr" -> "lemondefr")."""
    k = fold(text)
    k = re.sub(r"^(?:https?:)?/*(?:www\.)?", "", k)
    return re.sub(r"[^0-9a-z]+", "", k)


def site_keys(names: Sequence[str | None], url: str | None = None) -> set[str]:
    """The keys a site-name segment of a title may have: each name, and the host of ``url`` whole and by its
    distinctive labels ("madame.lefigaro.fr" -> madamelefigarofr, madamelefigaro, madame, lefigaro)."""
    keys = {k for n in names if n and len(k := site_key(n)) >= 2}
    hosts = [url] if url else []
    hosts += [n for n in names if n and re.fullmatch(r"(?:https?://)?[\w.-]+\.[a-z]{2,}/?", n.strip(), re.I)]
    for h in hosts:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", h.strip().lower()).split("/")[0].split(":")[0]
        labels = [lb for lb in host.split(".") if lb]
        if not labels:
            continue
        keys.add(site_key(host))
        named = [lb for lb in labels[:-1] if lb not in _HOST_NOISE]
        if named:
            keys.add(site_key("".join(named)))
            keys.update(site_key(lb) for lb in named if len(lb) >= 4)
    return keys


def title_segments(title: str) -> list[str]:
    """The parts of a title between spaced separators ("Titre | Rubrique - Site" -> 3 parts)."""
    return [x for x in _TITLE_SEP.split(title) if x.strip()]


def title_site_name(title: str | None, url: str | None) -> str | None:
    """The part of a "Titre | ARTE Radio" title that names the site of ``url`` (its host spelt as a name)."""
    if not title or not url:
        return None
    keys = site_keys([], url)
    for seg in reversed(title_segments(title)[1:]):
        if len(seg.split()) <= 5 and _is_site(seg, keys):
            return seg.strip()
    return None


def _is_site(segment: str, keys: set[str]) -> bool:
    k = site_key(segment)
    if not k:
        return False
    if k in keys:
        return True
    # "Bondy Blog, le média des quartiers": a known name, then a tagline after a comma, a colon or a parenthesis
    # (a name running on, "Le Monde arabe en ébullition", is a headline).
    head = re.split(r"\s*[,:(]\s*", segment, maxsplit=1)[0]
    return len(segment.split()) <= 8 and head != segment and site_key(head) in keys


def strip_site_name(title: str | None, names: Sequence[str | None] = (), url: str | None = None) -> str | None:
    """A headline without the site name a page puts before or after it.

    A segment (between spaced separators ``|``, ``-``, ``–``, ``—``, ``·``) that names the site (``names``: the
    page's site name, its registered outlet and aliases; the host of ``url``) is dropped with everything after it
    when it follows the headline ("Titre | AOC media - Analyse Opinion Critique"), alone when it leads ("Le Point -
    Titre"). A title that would be left with less than two words stays whole.

    >>> strip_site_name("A Paris-8, un peu de tension - Bondy Blog", ["Bondy Blog"])
    'A Paris-8, un peu de tension'
    >>> strip_site_name("Le ministre démissionne – Le Monde.fr", url="https://www.lemonde.fr/x")
    'Le ministre démissionne'
    """
    if not title:
        return title
    keys = site_keys(list(names), url)
    if not keys:
        return title
    seps = list(_TITLE_SEP.finditer(title))
    if not seps:
        return title
    bounds = [0, *(m.end() for m in seps)]
    ends = [m.start() for m in seps] + [len(title)]
    segments = [title[b:e] for b, e in zip(bounds, ends, strict=True)]
    out = title
    for i in range(1, len(segments)):
        if _is_site(segments[i], keys):
            out = title[: ends[i - 1]]
            break
    if len(segments) > 1 and _is_site(segments[0], keys) and out.startswith(segments[0]):
        rest = out[bounds[1]:] if bounds[1] <= len(out) else ""
        out = rest or out
    out = out.strip()
    return out if len(out.split()) >= 2 else title


def first_sentence(text: str | None, *, max_words: int = 20) -> str | None:
    """The first sentence of a text, cut at ``max_words`` words: a headline for a dispatch that has none."""
    if not text:
        return None
    para = next((p.strip() for p in text.split("\n") if p.strip()), "")
    para = re.sub(r"^\W*[A-ZÀ-Þ][\w'’. /-]{0,40}?(?:,\s*[\w .]{1,25}?)?\s*\([A-Z][\w .&/-]{0,30}\)\s*(?:--|[-–—:])\s*",
                  "", para)  # the dateline that opens it
    m = re.match(r"(.+?[.!?…])(?:\s|$)", para)
    sentence = (m[1] if m else para).strip()
    words = sentence.split()
    if not words:
        return None
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
