"""Chronologies: the key days of a pile of articles, each with what happened and its sources.

A news-agency chronology lists the days a story turned on. The corpus says which days those are: the days it cites
("le 25 janvier", "ayer", "il 27 gennaio 2011") and the days it was published on, since a report is written the day
of, or the day after, what it reports. Each day is scored by how much the corpus says about it (Tran et al. 2015,
Martschat & Markert 2018 select dates the same way: by mention counts), the top ones are kept, and each is summarised
from its own sentences: the ones that cite the day, then the lead sentences of that day's reports, ranked by
closeness to the day's centroid (and to the story's common words) with a redundancy cut. Near-identical sentences
from several outlets become one sentence with all their sources.

A citation counts once per article; a sentence repeated word for word across pages (site furniture, "read also"
boxes) counts once in all; a day cited weeks after it happened earns more (Ghalandari & Ifrim 2020 found such
later mentions among the best date signals). The weights are fitted on the crisis-dev chronologies
(:meth:`ChronologyOptions.trained`; held out by crisis in eval/eval_chronology.py).

The day finder is a handful of regular expressions over French, Spanish, Italian and English (day and month with or
without a year, ISO and numeric dates, yesterday/today, weekdays): dateparser is too slow for whole corpora and the
chronology only needs days. A year-less day takes the year that puts it closest to the article's publication date;
without a publication date, the latest year the article writes out in full. A day written with its weekday ("jeudi
23 juillet") takes the nearby year where the weekday fits, and none when no year does: that is the furniture of a
page crawled years later.

Example::

    from vigie.understand.chronology import chronology
    result = chronology(articles, ChronologyOptions.trained(max_dates=10))
    result.to_dict()["entries"][0]   # {"date": "2011-01-25", "summary": "...", "sentences": [...]}

Over 600 lines: the date finder it needs for four languages lives here with the day scoring.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from vigie.models import Article
from vigie.understand.dates import parse_pub_date

if TYPE_CHECKING:
    from vigie.store.base import ArticleStore

__all__ = [
    "Chronology",
    "ChronologyEntry",
    "ChronologyOptions",
    "ChronologySentence",
    "DatedSentence",
    "chronology",
    "chronology_from_sentences",
    "cited_days",
    "dated_sentences",
    "echoes",
    "rank_days",
    "relevance",
    "select_days",
    "story_chronology",
    "volume_baseline",
]

# --------------------------------------------------------------------------------------------------------------------
# Options and records


@dataclass(slots=True)
class ChronologyOptions:
    """How many days a chronology keeps and how each day is scored and summarised.

    Args:
        max_dates: most days kept (the best-scored ones, then put in date order).
        sentences_per_date: sentences in each day's summary.
        cite_weight: score a day earns for each sentence citing it explicitly ("le 25 janvier").
        relative_weight: score for each sentence citing it relatively ("hier", "mercredi"), less sure.
        published_weight: score for each article published that day.
        next_day_weight: score a day earns for each article published the day after (reports of yesterday).
        later_weight: score for each article that cites the day from a publication date more than a day later: a day
            still named weeks on is one the story turned on.
        echo_once: a sentence found word for word in several articles (site furniture, a syndicated paragraph)
            cites its days once, for the first of them, not once per page.
        article_cap: most citations of one day counted per article (one long article repeating a date is one voice).
        before_days: cited days kept up to this many days before the first publication date (background dates
            further back are history, not the story's chronology).
        after_days: cited days kept up to this many days after the last publication date.
        lead_sentences: leading sentences of each article that speak for its publication day.
        min_words, max_words: sentence length range offered to a summary (shorter ones are captions, longer ones
            run-ons).
        min_relevance: share of the least on-topic sentences whose citations are ignored (0 keeps all): aggregator
            pages and site furniture cite many days that have nothing to do with the story.
        redundancy: cosine above which a candidate repeats a chosen sentence and is skipped.
        source_similarity: token Jaccard from which another article counts as carrying the same sentence.
        topic_weight: exponent of a sentence's :func:`relevance` (over the corpus mean) in its summary score: above 0,
            sentences in the story's common words are told before comments and unrelated briefs citing the same day.
    """

    max_dates: int = 10
    sentences_per_date: int = 2
    cite_weight: float = 1.0
    relative_weight: float = 0.5
    published_weight: float = 1.0
    next_day_weight: float = 0.5
    later_weight: float = 0.0
    echo_once: bool = True
    article_cap: int = 1
    before_days: int = 30
    after_days: int = 1
    lead_sentences: int = 3
    min_relevance: float = 0.0
    min_words: int = 5
    max_words: int = 60
    redundancy: float = 0.3
    source_similarity: float = 0.6
    topic_weight: float = 0.0

    @classmethod
    def trained(cls, **overrides: Any) -> ChronologyOptions:
        """The shipped options: ``vigie/data/chronology_options.json``, fitted on every crisis-dev corpus by
        train/train_chronology.py (held-out figures: eval/eval_chronology.py), with ``overrides`` on top.

        Example:
            >>> ChronologyOptions.trained(max_dates=5).max_dates
            5
        """
        global _TRAINED
        if _TRAINED is None:
            import json
            from importlib.resources import files

            try:
                _TRAINED = json.loads(files("vigie.data").joinpath("chronology_options.json").read_text())["options"]
            except FileNotFoundError:
                _TRAINED = {}
        known = {k: v for k, v in (_TRAINED or {}).items() if k in cls.__dataclass_fields__}
        return cls(**{**known, **overrides})

    def __post_init__(self) -> None:
        if self.max_dates < 1:
            raise ValueError(f"max_dates must be >= 1, got {self.max_dates}")
        if self.sentences_per_date < 1:
            raise ValueError(f"sentences_per_date must be >= 1, got {self.sentences_per_date}")
        for name in ("cite_weight", "relative_weight", "published_weight", "next_day_weight", "later_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.article_cap < 1:
            raise ValueError(f"article_cap must be >= 1, got {self.article_cap}")
        if self.before_days < 0 or self.after_days < 0:
            raise ValueError(f"before_days and after_days must be >= 0, got {self.before_days}, {self.after_days}")
        if self.topic_weight < 0:
            raise ValueError(f"topic_weight must be >= 0, got {self.topic_weight}")
        if not 0.0 <= self.min_relevance < 1.0:
            raise ValueError(f"min_relevance must be in [0, 1), got {self.min_relevance}")
        if self.lead_sentences < 0:
            raise ValueError(f"lead_sentences must be >= 0, got {self.lead_sentences}")
        if not 1 <= self.min_words <= self.max_words:
            raise ValueError(f"need 1 <= min_words <= max_words, got {self.min_words} and {self.max_words}")
        if not 0.0 < self.redundancy <= 1.0 or not 0.0 < self.source_similarity <= 1.0:
            raise ValueError(
                f"redundancy and source_similarity must be in (0, 1], got {self.redundancy}, {self.source_similarity}"
            )


_TRAINED: dict[str, Any] | None = None


@dataclass(slots=True)
class DatedSentence:
    """One sentence of one article and the days it speaks for.

    ``cited`` holds the days the sentence names explicitly, ``relative`` the days it names relatively ("hier");
    ``published`` is the article's publication day and ``position`` the sentence's rank in the article.
    """

    text: str
    article: str
    position: int
    published: date | None
    cited: list[date] = field(default_factory=list)
    relative: list[date] = field(default_factory=list)


@dataclass(slots=True)
class ChronologySentence:
    """A sentence of a chronology entry and the articles that carry it (or a near-identical sentence)."""

    text: str
    sources: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "sources": list(self.sources)}


@dataclass(slots=True)
class ChronologyEntry:
    """One day of a chronology: its date, a one-paragraph summary and the sentences with their sources."""

    date: str
    sentences: list[ChronologySentence]
    score: float = 0.0

    @property
    def summary(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "summary": self.summary, "sentences": [s.to_dict() for s in self.sentences]}


@dataclass(slots=True)
class Chronology:
    """Entries in date order. ``to_dict()`` gives ``{"entries": [{"date", "summary", "sentences"}]}``."""

    entries: list[ChronologyEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries]}


# --------------------------------------------------------------------------------------------------------------------
# Finding the days a text cites

_MONTH_NAMES = [
    "janvier janv enero ene gennaio gen january jan",
    "février fevrier févr fevr fév fev febrero feb febbraio february",
    "mars marzo mar march",
    "avril avr abril abr aprile april apr",
    "mai mayo maggio mag may",
    "juin junio giugno giu june jun",
    "juillet juil julio luglio lug july jul",
    "août aout agosto ago august aug",
    "septembre sept septiembre setiembre settembre set september sep",
    "octobre octubre ottobre ott october oct",
    "novembre noviembre nov november",
    "décembre decembre déc diciembre dic dicembre december dec",
]
_MONTHS: dict[str, int] = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
# Abbreviations only with their period or a colon after ("- 14 jan: TUNISIE", the agencies' year reviews): "mar" or
# "set" alone are words.
_FULL = sorted((n for n in _MONTHS if len(n) > 4 or n in {"mars", "mai", "juin", "mayo", "mag", "may", "june", "july"}),
               key=len, reverse=True)
_ABBR = sorted((n for n in _MONTHS if n not in _FULL), key=len, reverse=True)
_MONTH_RX = "(?:" + "|".join(_FULL) + "|(?:" + "|".join(_ABBR) + r")(?:\.|(?=\s?:)))"
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate([
    "lundi lunes lunedì lunedi monday", "mardi martes martedì martedi tuesday",
    "mercredi miércoles miercoles mercoledì mercoledi wednesday", "jeudi jueves giovedì giovedi thursday",
    "vendredi viernes venerdì venerdi friday", "samedi sábado sabado sabato saturday", "dimanche domingo domenica sunday",
]):
    for _name in _names.split():
        _WEEKDAYS[_name] = _i
_WD_RX = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

# "25 janvier 2011", "le 1er février", "25 de enero de 2011", "il 27 gennaio", "mercredi 2 février"
_DAY_MONTH = re.compile(
    rf"\b(?:(?P<wd>{_WD_RX}),?\s+)?(?P<d>[12]\d|3[01]|0?[1-9])(?:er|e|º|°|o)?\s+(?:de\s+)?(?P<m>{_MONTH_RX})(?!\w)"
    rf"(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})(?!\d))?",
    re.IGNORECASE,
)
# "le vendredi 4 ;", "el martes 8": a weekday and a day of the month, the month left to the reader.
_WEEKDAY_DAY = re.compile(rf"\b(?P<wd>{_WD_RX})\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:er|e|º|°|o)?(?![\d:h/-]|\s*[hH:\d])",
                          re.IGNORECASE)
# "January 25, 2011", "Tuesday, January 25"
_MONTH_DAY = re.compile(
    rf"\b(?:(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\s+"
    rf"(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_ISO = re.compile(rf"\b(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b")
_NUMERIC = re.compile(rf"\b(?P<d>0?[1-9]|[12]\d|3[01])[/.](?P<m>0?[1-9]|1[0-2])[/.](?P<y>{_YEAR})\b")
# A day followed by a clock time ("le 28 janvier 2013 à 11:44", "13 août 2013 11h15") is when a comment, a video or
# the page itself was posted: site furniture, not a day the story cites.
_CLOCK_AFTER = re.compile(r"[\s,]*(?:à|a las|alle|at|-|\|)?\s*\d{1,2}\s*[:h]\s*\d{2}(?!\d)", re.IGNORECASE)
# "le pont du 6 octobre", "la ville du 6-Octobre", "calle 25 de enero", "piazza 25 aprile": a name, not a day.
_NAMED_BEFORE = re.compile(
    r"\b(?:pont|rue|avenue|boulevard|bd|place|ville|cité|quai|puente|calle|avenida|plaza|ciudad|ponte|via|viale|"
    r"piazza|città|corso|bridge|street)\s+(?:du\s+|de\s+la\s+|de\s+|del\s+|della\s+|dello\s+)?$",
    re.IGNORECASE,
)
# A year-less day further ahead of publication than this is taken in the past: reports look back, and a day
# months ahead comes with its year or a "prochain" ("- 20 fév: MAROC" in a year review of late December).
_AHEAD_DAYS = 31
_DEICTIC: dict[str, int] = {
    "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "anteayer": -2, "antier": -2, "ayer": -1,
    "hoy": 0, "l'altro ieri": -2, "l’altro ieri": -2, "altroieri": -2, "ieri": -1, "oggi": 0, "yesterday": -1,
    "today": 0,
}
_DEICTIC_RX = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(_DEICTIC, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
# A bare weekday is the last such day on or before publication; "chaque lundi", "tous les lundis" are not days.
_WEEKDAY = re.compile(rf"(?<!chaque )(?<!cada )(?<!ogni )(?<!every )\b(?P<wd>{_WD_RX})\b(?!s\b)", re.IGNORECASE)


def _key(word: str) -> str:
    return word.lower().rstrip(".")


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _cost(day: date, base: date) -> int:
    """How unlikely ``day`` is as the reading of a year-less day written on ``base``: a day ahead counts double, as
    reports mostly look back, and one more than :data:`_AHEAD_DAYS` ahead loses to any day behind."""
    delta = (day - base).days
    if delta <= 0:
        return -delta
    return 2 * delta if delta <= _AHEAD_DAYS else 1000 + delta


def _closest(month: int, day: int, base: date) -> date | None:
    """The year that puts a year-less day closest to ``base`` (:func:`_cost`)."""
    best: date | None = None
    best_cost = 0
    for y in (base.year - 1, base.year, base.year + 1):
        cand = _safe_date(y, month, day)
        if cand is None:
            continue
        cost = _cost(cand, base)
        if best is None or cost < best_cost:
            best, best_cost = cand, cost
    return best


def _with_weekday(month: int, day: int, weekday: int, base: date) -> date | None:
    """The year near ``base`` in which ``day``/``month`` falls on ``weekday`` ("jeudi 23 juillet"), or None.

    A page crawled years after the story carries its own furniture ("Jeudi 23 juillet" of the crawl day): the weekday
    tells it apart from a day of the story's year, which a year-less day alone cannot.
    """
    fits = [c for y in (base.year - 1, base.year, base.year + 1)
            if (c := _safe_date(y, month, day)) is not None and c.weekday() == weekday]
    return min(fits, key=lambda c: _cost(c, base)) if fits else None


def cited_days(text: str, published: date | str | None = None) -> list[tuple[int, int, date, bool]]:
    """The days ``text`` cites, as ``(start, end, day, relative)`` in text order.

    Explicit days ("25 janvier 2011", "25 de enero", "27 gennaio") are relative=False; "hier", "ayer", "ieri" and
    bare weekdays are relative=True and need the publication date. A year-less day takes the year that puts it
    closest to the publication date, else the latest year written out in the text; without either it is skipped.

    Example:
        >>> [(d.isoformat(), rel) for _, _, d, rel in cited_days("Le 25 janvier, la foule. Hier, rien.", "2011-01-28")]
        [('2011-01-25', False), ('2011-01-27', True)]
    """
    pub = published if isinstance(published, date) or published is None else parse_pub_date(published)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, int | None, int, int, int | None]] = []  # start, end, year, month, day, weekday

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for rx in (_ISO, _NUMERIC):
        for m in rx.finditer(text):
            if free(*m.span()):
                taken.append(m.span())
                found.append((m.start(), m.end(), int(m["y"]), int(m["m"]), int(m["d"]), None))
    for rx in (_DAY_MONTH, _MONTH_DAY):
        for m in rx.finditer(text):
            month = _MONTHS.get(_key(m["m"]))
            if month is not None and free(*m.span()):
                taken.append(m.span())
                if _NAMED_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                    continue
                wd = _WEEKDAYS.get(m["wd"].lower()) if m["wd"] else None
                found.append((m.start(), m.end(), int(m["y"]) if m["y"] else None, month, int(m["d"]), wd))
    base = pub
    if base is None:
        years = [f[2] for f in found if f[2] is not None]
        base = date(max(years), 7, 1) if years else None
    out: list[tuple[int, int, date, bool]] = []
    for s, e, y, mo, d, wd in found:
        if _CLOCK_AFTER.match(text, e):
            continue
        if y is not None:
            day = _safe_date(y, mo, d)
        elif base is not None and wd is not None:
            day = _with_weekday(mo, d, wd, base)
        elif base is not None:
            day = _closest(mo, d, base)
        else:
            day = None
        if day is not None:
            out.append((s, e, day, False))
    if pub is not None:
        for m in _WEEKDAY_DAY.finditer(text):
            if free(*m.span()):
                taken.append(m.span())
                # The latest day of that number and weekday from a week after publication to six weeks before;
                # none in that span (a stamp of another year) is no day.
                wd, dom = _WEEKDAYS[m["wd"].lower()], int(m["d"])
                cand = pub + timedelta(days=7)
                while (pub - cand).days <= 42 and not (cand.day == dom and cand.weekday() == wd):
                    cand -= timedelta(days=1)
                if (pub - cand).days <= 42:
                    out.append((m.start(), m.end(), cand, False))
        for m in _DEICTIC_RX.finditer(text):
            if free(*m.span()):
                taken.append(m.span())
                out.append((m.start(), m.end(), pub + timedelta(days=_DEICTIC[m[0].lower()]), True))
        for m in _WEEKDAY.finditer(text):
            if free(*m.span()):
                taken.append(m.span())
                wd = _WEEKDAYS[m["wd"].lower()]
                out.append((m.start(), m.end(), pub - timedelta(days=(pub.weekday() - wd) % 7), True))
    out.sort()
    return out


# --------------------------------------------------------------------------------------------------------------------
# Sentences and their days

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    """le la les l un une des du de d et à a au aux en dans par pour sur avec sans sous qui que qu quoi dont où ce
    cet cette ces se sa son ses leur leurs il elle ils elles on nous vous je tu ne pas plus est sont été être a ont
    avait été fait comme mais ou donc or ni car y the of and to in on for is are was were be by with that this it as
    at from el los las lo un una unos unas del al y o que en por para con se su sus es son fue ha han como más pero
    il lo gli i un uno una dei degli delle della dello di da in con su per tra fra che è sono ha hanno come più ma
    non si""".split()
)


def _tokens(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOP or w.isdigit() or len(w) < 2:
            continue
        out.append(w[:-1] if len(w) > 4 and w[-1] in "sx" else w)
    return out


def _split(text: str, lang: str) -> list[str]:
    from vigie.understand.summarize import split_sentences

    return split_sentences(text, "fr" if lang == "fr" else "en")


def _lang(article: Article) -> str:
    return (article.language or "fr").split("-")[0].split("_")[0].lower()


def dated_sentences(article: Article) -> list[DatedSentence]:
    """The sentences of ``article`` with the days each one cites, and the article's publication day.

    Dates are read on the whole body (so a year-less day can lean on the article's publication date and on the full
    dates it gives) and assigned to the sentence that holds them.
    """
    pub = parse_pub_date(article.published)
    body = unicodedata.normalize("NFC", article.body or "")
    days = cited_days(body, pub)
    out: list[DatedSentence] = []
    pos = 0
    k = 0
    for i, text in enumerate(_split(body, _lang(article))):
        start = body.find(text, pos)
        if start < 0:
            start = pos
        end = start + len(text)
        pos = end
        while k < len(days) and days[k][0] < start:
            k += 1
        cited: list[date] = []
        relative: list[date] = []
        while k < len(days) and days[k][0] < end:
            (relative if days[k][3] else cited).append(days[k][2])
            k += 1
        out.append(DatedSentence(text, article.id, i, pub, cited, relative))
    return out


# --------------------------------------------------------------------------------------------------------------------
# Scoring days and summarising them


def relevance(sentences: Sequence[DatedSentence]) -> list[float]:
    """Each sentence's share of words that many articles use: high on the story, low on unrelated briefs."""
    arts: dict[str, set[str]] = defaultdict(set)
    toks = [_tokens(s.text) for s in sentences]
    for s, t in zip(sentences, toks, strict=True):
        arts[s.article].update(t)
    df: Counter[str] = Counter()
    for words in arts.values():
        df.update(words)
    n = max(1, len(arts))
    return [sum(df[w] for w in set(t)) / (n * len(set(t))) if t else 0.0 for t in toks]


def echoes(sentences: Sequence[DatedSentence]) -> list[bool]:
    """For each sentence, whether an earlier article (in id order) carries the same words: furniture and syndication."""
    first: dict[str, str] = {}
    for s in sentences:
        key = " ".join(_WORD.findall(s.text.lower()))
        if key and (key not in first or s.article < first[key]):
            first[key] = s.article
    return [first.get(" ".join(_WORD.findall(s.text.lower())), s.article) != s.article for s in sentences]


def _day_scores(sentences: Sequence[DatedSentence], options: ChronologyOptions,
                rel: Sequence[float] | None = None, echo: Sequence[bool] | None = None) -> dict[date, float]:
    scores: defaultdict[date, float] = defaultdict(float)
    keep = [True] * len(sentences)
    if options.min_relevance > 0 and sentences:
        rel = relevance(sentences) if rel is None else rel
        cut = sorted(rel)[int(options.min_relevance * (len(rel) - 1))]
        keep = [r >= cut for r in rel]
    if options.echo_once:
        echo = echoes(sentences) if echo is None else echo
        keep = [k and not e for k, e in zip(keep, echo, strict=True)]
    pubs = {s.article: s.published for s in sentences if s.published is not None}
    for day in pubs.values():
        scores[day] += options.published_weight
        scores[day - timedelta(days=1)] += options.next_day_weight
    per_article: Counter[tuple[str, date]] = Counter()
    later_seen: set[tuple[str, date]] = set()
    for s, kept in zip(sentences, keep, strict=True):
        if not kept:
            continue
        for days, weight in ((s.cited, options.cite_weight), (s.relative, options.relative_weight)):
            for day in set(days):
                if per_article[(s.article, day)] >= options.article_cap:
                    continue
                per_article[(s.article, day)] += 1
                scores[day] += weight
        if options.later_weight and s.published is not None:
            for day in set(s.cited):
                if (s.published - day).days > 1 and (s.article, day) not in later_seen:
                    later_seen.add((s.article, day))
                    scores[day] += options.later_weight
    if pubs:
        lo = min(pubs.values()) - timedelta(days=options.before_days)
        hi = max(pubs.values()) + timedelta(days=options.after_days)
        for day in list(scores):
            if not lo <= day <= hi:
                del scores[day]
    return scores


def rank_days(sentences: Sequence[DatedSentence], options: ChronologyOptions,
              rel: Sequence[float] | None = None, echo: Sequence[bool] | None = None) -> list[tuple[date, float]]:
    """Every day the sentences speak for, best-scored first (ties to the earlier day, so the order is stable).

    ``rel`` and ``echo`` are :func:`relevance` and :func:`echoes` of the sentences when the caller has them already
    (tuning loops).
    """
    scores = _day_scores(sentences, options, rel, echo)
    # A day only weightless evidence speaks for (say relative citations at weight 0) still ranks, last: a chronology
    # asked for more days than the scored ones gets days the text does name rather than none.
    return [(d, float(scores[d])) for d in sorted(scores, key=lambda d: (-scores[d], d))]


def select_days(sentences: Sequence[DatedSentence], options: ChronologyOptions,
                rel: Sequence[float] | None = None, echo: Sequence[bool] | None = None) -> list[tuple[date, float]]:
    """The ``max_dates`` days the sentences say most about (:func:`rank_days`), with their scores, in date order."""
    return sorted(rank_days(sentences, options, rel, echo)[: options.max_dates])


def _vector(toks: Sequence[str], idf: dict[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, 1.0) for t, c in Counter(toks).items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(slots=True)
class _Candidate:
    text: str
    sources: list[str]
    tokens: list[str]
    prior: float


def _candidates(day: date, sentences: Sequence[tuple[DatedSentence, float]], options: ChronologyOptions,
                long_ok: bool = False) -> list[_Candidate]:
    """The sentences that speak for ``day`` (each with its on-topic factor), near copies merged with all their
    sources; ``long_ok`` lifts ``max_words`` (for a day that only long sentences speak for)."""
    out: list[_Candidate] = []
    for s, topical in sentences:
        n_words = len(_WORD.findall(s.text))
        if n_words < options.min_words or (n_words > options.max_words and not long_ok):
            continue
        if day in s.cited:
            prior = 1.0
        elif day in s.relative:
            prior = 0.8
        elif s.cited or s.relative:
            continue  # a lead that names another day speaks for that day, not for its publication day
        elif s.published == day and s.position < options.lead_sentences:
            prior = 0.6
        elif s.published == day + timedelta(days=1) and s.position < options.lead_sentences:
            prior = 0.4
        else:
            continue
        prior *= topical
        toks = _tokens(s.text)
        if not toks:
            continue
        tset = set(toks)
        for c in out:
            if _jaccard(tset, set(c.tokens)) >= options.source_similarity:
                if s.article not in c.sources:
                    c.sources.append(s.article)
                c.prior = max(c.prior, prior)
                break
        else:
            out.append(_Candidate(s.text, [s.article], toks, prior))
    return out


def _summarise_day(cands: list[_Candidate], idf: dict[str, float], k: int, redundancy: float) -> list[_Candidate]:
    if not cands:
        return []
    vecs = [_vector(c.tokens, idf) for c in cands]
    centroid: defaultdict[str, float] = defaultdict(float)
    for c, v in zip(cands, vecs, strict=True):
        for t, x in v.items():
            centroid[t] += x * len(c.sources)
    norm = math.sqrt(sum(x * x for x in centroid.values())) or 1.0
    cvec = {t: x / norm for t, x in centroid.items()}
    # Salience: closeness to what the day's sentences share, weighted by how surely the sentence is about the day and
    # by how many outlets carry it.
    score = [(_cos(v, cvec) + 0.05) * c.prior * (1.0 + math.log(len(c.sources))) for c, v in zip(cands, vecs, strict=True)]
    chosen: list[int] = []
    for i in sorted(range(len(cands)), key=lambda i: -score[i]):
        if len(chosen) >= k:
            break
        if any(_cos(vecs[i], vecs[j]) >= redundancy for j in chosen):
            continue
        chosen.append(i)
    return [cands[i] for i in chosen]


def _idf(sentences: Sequence[DatedSentence]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for s in sentences:
        df.update(set(_tokens(s.text)))
    n = len(sentences)
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


def chronology_from_sentences(sentences: Sequence[DatedSentence], options: ChronologyOptions | None = None) -> Chronology:
    """A chronology from already dated sentences (:func:`dated_sentences` of each article): lets callers cache them."""
    opts = options or ChronologyOptions.trained()
    idf = _idf(sentences)
    # On-topic factor: a sentence in the words most articles share (the story) is told before a comment or a brief.
    topical = [1.0] * len(sentences)
    if opts.topic_weight and sentences:
        rel = relevance(sentences)
        mean = sum(rel) / len(rel) or 1.0
        topical = [(r / mean) ** opts.topic_weight for r in rel]
    by_day: dict[date, list[tuple[DatedSentence, float]]] = defaultdict(list)
    for s, f in zip(sentences, topical, strict=True):
        near = set(s.cited) | set(s.relative)
        if s.published is not None and s.position < opts.lead_sentences:
            near |= {s.published, s.published - timedelta(days=1)}
        for d in near:
            by_day[d].append((s, f))
    entries: list[ChronologyEntry] = []
    used: set[str] = set()  # a sentence is told once, on the best-scored day it speaks for
    # Best-scored days first; a day left with nothing new to say gives its place to the next one.
    for day, day_score in rank_days(sentences, opts):
        if len(entries) >= opts.max_dates:
            break
        cands = [c for c in _candidates(day, by_day[day], opts) if c.text not in used] or \
            [c for c in _candidates(day, by_day[day], opts, long_ok=True) if c.text not in used]
        chosen = _summarise_day(cands, idf, opts.sentences_per_date, opts.redundancy)
        used.update(c.text for c in chosen)
        if chosen:
            entries.append(ChronologyEntry(day.isoformat(), [ChronologySentence(c.text, list(c.sources)) for c in chosen],
                                           day_score))
    entries.sort(key=lambda e: e.date)
    return Chronology(entries)


def chronology(articles: Sequence[Article], options: ChronologyOptions | None = None) -> Chronology:
    """The dated chronology of a pile of articles: the days the corpus says most about, each summarised.

    Args:
        articles: cleaned articles, any of French, Spanish, Italian, English; ``published`` is used when known.
        options: how many days and sentences, and how days are scored (default: :meth:`ChronologyOptions.trained`).

    Returns:
        Entries in date order; a day none of whose sentences fits a summary is left out.

    Example:
        >>> a = Article("a1", "a1.txt", published="2011-01-26", body="Le 25 janvier, des milliers de manifestants défilent au Caire.")
        >>> [e.date for e in chronology([a]).entries]
        ['2011-01-25']
    """
    sentences = [s for a in articles for s in dated_sentences(a)]
    return chronology_from_sentences(sentences, options)


def volume_baseline(sentences: Sequence[DatedSentence], max_dates: int, sentences_per_date: int) -> Chronology:
    """The baseline every chronology is scored beside: the busiest publication days with their lead sentences."""
    by_day: dict[date, list[DatedSentence]] = defaultdict(list)
    arts: dict[date, set[str]] = defaultdict(set)
    for s in sentences:
        if s.published is not None:
            by_day[s.published].append(s)
            arts[s.published].add(s.article)
    days = sorted(sorted(arts, key=lambda d: (-len(arts[d]), d))[:max_dates])
    entries = []
    for day in days:
        # First sentence of each article of the day, then the second ones, and so on.
        leads = sorted(by_day[day], key=lambda s: (s.position, s.article))[:sentences_per_date]
        entries.append(ChronologyEntry(day.isoformat(), [ChronologySentence(s.text, [s.article]) for s in leads],
                                       float(len(arts[day]))))
    return Chronology(entries)


def story_chronology(store: ArticleStore, story_id: str, options: ChronologyOptions | None = None) -> Chronology:
    """The chronology of a stored story, from its articles (near copies left out: they would only echo).

    Raises:
        NotFoundError: no story matches ``story_id``.
    """
    from vigie.stories import get_story, story_articles

    story = get_story(store, story_id)
    articles = story_articles(store, story)
    dupes = {a.id for a in story.articles if a.duplicate_of}
    return chronology([a for a in articles if a.id not in dupes] or articles, options)
