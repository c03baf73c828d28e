"""Figures and the outlets that disagree on them: "huit diplomates expulsés" in one report, "dix" in another.

A figure is a number with what it counts: the noun after it ("huit diplomates", "3 millions d'euros", "50 morts"),
the participle that says what happened to them ("expulsés", "tués"), whether it is approximate ("près de",
"environ", "plus de", "une dizaine") and the day it is about (a day the sentence cites, else the publication day).

Two figures of a story are compared only when they count the same thing on the same occasion:

- same class of noun (a small French lexicon groups "diplomates", "représentants", "membres"; "morts", "tués",
  "victimes") and same participle class when both have one;
- same day: a sentence that dates its figure to another month or year ("En mars 2018, sept membres...") reports
  another fact. Tolls and counts that grow (dead, injured, arrested) are compared only within one day, so a later,
  higher toll is an update, not a disagreement;
- similar sentences (shared content words besides the figure), so "dix membres du parlement" never meets "huit
  membres de la mission"; counts of things are measured on the shorter sentence, amounts and shares (of which a
  story gives many) on both and within a factor of two.

Values that one outlet rounds ("plus de 1 000" against "1 012", "près de 50" against "48") or bounds ("au moins 30")
agree. What remains is a disagreement listing each value with its sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from vigie.models import Article
from vigie.text import fold as fold_text
from vigie.understand.dates import parse_pub_date
from vigie.understand.timeline import Disagreement

__all__ = ["Figure", "FigureOptions", "figure_disagreements", "find_figures"]

_UNITS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17,
    "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "soixante-dix": 70, "quatre-vingt": 80, "quatre-vingts": 80, "quatre-vingt-dix": 90, "cent": 100,
    "cents": 100, "mille": 1000,
}
def _stem_plain(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


_APPROX_NOUNS = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
                 "quarantaine": 40, "cinquantaine": 50, "centaine": 100, "millier": 1000}
_SCALES = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9}
_NUMBER_WORDS = frozenset({*_UNITS, *(_stem_plain(w) for w in _APPROX_NOUNS), *_APPROX_NOUNS, "million", "milliard"})
_WORD_NUM = "|".join(sorted(_UNITS, key=len, reverse=True))
_APPROX_RX = "|".join(_APPROX_NOUNS)
_NUMBER = (
    rf"(?P<num>(?:une?\s+|des\s+|quelques\s+)?(?P<approxn>{_APPROX_RX})s?|\d{{1,3}}(?:[\u00a0\u202f .]\d{{3}})+(?![.,]\d)"
    rf"|\d+(?:[.,]\d+)?|(?:{_WORD_NUM})(?:[- ](?:et[- ])?(?:{_WORD_NUM}))*)"
)
_FIGURE = re.compile(
    rf"(?<![\w.,])(?P<cue>(?:près de|environ|quelque|plus de|moins de|au moins|au plus|pas moins de|jusqu['’]à|"
    rf"au total|un total de|quelques)\s+)?{_NUMBER}(?![\w-])"
    r"(?:\s+(?P<scale>millions?|milliards?|mille|mds?))?"
    r"(?:\s*(?P<sym>%|€|\$))?"
    r"(?:\s+(?:de\s+|d['’]))?"
    r"(?:\s*(?P<noun>[^\W\d_][\w'’-]{2,}))?"
    r"(?:\s+(?P<adj>[^\W\d_][\w'’-]{2,}))?"
    r"(?:\s+(?P<more>[^\W\d_][\w'’-]{2,}))?",
    re.IGNORECASE,
)
# Nouns a number goes with that are not counts a reader compares across outlets: time spans, dates, ranks.
_NOT_COUNTS = frozenset(
    """janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre
    an ans année années mois semaine semaines jour jours heure heures minute minutes seconde secondes fois reprise
    reprises reprise fin début siècle siècles h et ou à au aux en de des du le la les qui que dont sur par pour sans
    avec dans ans, ème e er ère premier première""".split()
)
_LEADING_ADJ = frozenset({"autre", "nouveau", "nouvelle", "premier", "première", "dernier", "dernière", "petit",
                          "grand", "jeune", "principau", "principale"})
# Classes of nouns or participles that name the same thing.
_CLASSES: dict[str, str] = {}
for _cls, _words in {
    "officials": "diplomate représentant membre responsable agent fonctionnaire employé personnel officier",
    "dead": "mort tué décès victime décédé tuée morte",
    "injured": "blessé blessée",
    "arrested": "arrêté arrestation interpellé détenu prisonnier interpellation",
    "expelled": "expulsé expulsion renvoyé retiré",
    "protesters": "manifestant protestataire",
    "soldiers": "soldat militaire",
    "refugees": "réfugié déplacé migrant",
    "eur": "euro €",
    "usd": "dollar $",
    "percent": "% pourcent",
}.items():
    for _w in _words.split():
        _CLASSES[_w] = _cls
# Amounts and shares: a story gives many of different quantities, so they are compared on closer sentences.
_AMOUNTS = frozenset({"eur", "usd", "percent", "%", "euro", "dollar"})
# Counts that grow as a story goes on: a later, higher value is an update.
_CUMULATIVE = frozenset({"dead", "injured", "arrested", "refugees"})
# People counted by what happened to them: "tuant au moins 22 personnes", "la mort d'environ 850 personnes",
# "850 civils tués" are tolls, to compare with "22 morts".
_PEOPLE = frozenset({"personne", "civil", "individu", "habitant"})
_TOLL_BEFORE = re.compile(r"(?:\btu(?:ant|é|ée|és|ées|er)|\bmort\s+d['’]|\bdécès\s+d['’]|\bblessant)\s*$", re.IGNORECASE)
_STOP = frozenset(
    """le la les l un une des du de d et à au aux en dans par pour sur avec sans sous qui que qu dont où ce cet cette
    ces se sa son ses leur leurs il elle ils elles on ne pas plus est sont été être a ont avait avaient fait comme
    mais ou donc selon après avant lors entre contre depuis était étaient étant sera seront serait seraient aussi très
    tout tous toute toutes""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MONTHS = ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre").split()
# An accounting period ("au premier semestre", "sur les neuf premiers mois", "au troisième trimestre") is what a
# figure covers: 948 millions over a half-year and 1,2 milliard over nine months are both right.
_PERIOD = re.compile(
    r"\b(?:(?:premier|second|deuxième|troisième|quatrième|1er|2e|3e|4e)\s+(?:semestre|trimestre)|"
    r"(?:\w+)\s+premiers\s+mois|sur\s+l['’]ensemble\s+de\s+l['’]année|(?:l['’]|cet\s+|en\s+)exercice)\b",
    re.IGNORECASE,
)
# A month or a year written in the sentence dates its figures (to the day when a day is given).
_SENT_DATE = re.compile(
    r"\b(?:(?P<d>[12]\d|3[01]|0?[1-9])(?:er)?\s+)?(?P<m>" + "|".join(_MONTHS) + r")(?:\s+(?P<y>(?:19|20)\d\d))?\b"
    r"|\b(?:en|depuis|dès|fin|début)\s+(?P<yo>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class FigureOptions:
    """How close two figures must be to count as the same one.

    Args:
        round_tolerance: relative gap a rounded or approximate value may have ("près de 50" for 48).
        context_similarity: Jaccard of content words two sentences must reach to speak of one fact.
        min_shared: content words (besides the figure) they must share.
        recent_days: a figure dated this many days or fewer before another article's publication can be the fact
            that article reports without a date.
        max_values: a group of figures with more distinct values than this is several facts, not one disputed.
        count_similarity: for counts of things ("six organisations", "205 délégations"), which name what they
            count, the share of the shorter sentence's content words the other must have (overlap, not Jaccard: a
            long sentence that says more does not hide a short one); amounts and shares (euros, dollars, %), of
            which a story gives many different quantities, keep ``context_similarity`` and ``min_shared``.
        count_min_shared: the content words counts of things must share.
        max_ratio: two amounts or shares further apart than this factor are two quantities (a 4 million fine and a
            751 million loss, 4 % and 25 %), not outlets at odds on one. Counts are not bounded so: early tolls
            from different sources can differ more than that.
    """

    round_tolerance: float = 0.12
    context_similarity: float = 0.3
    min_shared: int = 3
    recent_days: int = 31
    max_values: int = 3
    count_similarity: float = 0.2
    count_min_shared: int = 2
    max_ratio: float = 2.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.round_tolerance < 1.0:
            raise ValueError(f"round_tolerance must be in [0, 1), got {self.round_tolerance}")
        if not 0.0 <= self.context_similarity <= 1.0:
            raise ValueError(f"context_similarity must be in [0, 1], got {self.context_similarity}")
        if self.recent_days < 0:
            raise ValueError(f"recent_days must be >= 0, got {self.recent_days}")
        if self.max_values < 2:
            raise ValueError(f"max_values must be >= 2, got {self.max_values}")
        if not 0.0 <= self.count_similarity <= 1.0:
            raise ValueError(f"count_similarity must be in [0, 1], got {self.count_similarity}")
        if self.max_ratio < 1.0:
            raise ValueError(f"max_ratio must be >= 1, got {self.max_ratio}")


@dataclass(slots=True)
class Figure:
    """A number with what it counts, where it was read and the day it is about.

    ``bound`` is "=" for an exact figure, "~" for an approximate one, ">" or "<" for a bound; ``dated`` is the
    day, month or year the sentence itself gives (None when only the publication date places it).
    """

    value: float
    text: str
    counts: str
    kind: str
    action: str | None
    bound: str
    article: str
    sentence: str
    published: date | None
    dated: str | None = None
    context: set[str] = field(default_factory=set)
    period: str | None = None


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if len(w) > 3 and w.endswith(("s", "x")) and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("ée"):
        w = w[:-1]
    return w


def _number(raw: str, approxn: str | None) -> float | None:
    if approxn:
        return float(_APPROX_NOUNS[approxn.lower().rstrip("s")])
    s = raw.replace("\u00a0", "").replace("\u202f", "")
    if s[:1].isdigit():
        if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+", s):
            return float(s.replace(" ", "").replace(".", ""))  # "70 000", and the agencies' "10.600" (not 10,6)
        try:
            return float(s.replace(",", "."))
        except ValueError:
            return None
    total, current = 0.0, 0.0
    for part in re.split(r"[- ]+", s.lower()):
        if part == "et":
            continue
        n = _UNITS.get(part)
        if n is None:
            return None
        if n == 1000:
            total += max(current, 1) * 1000
            current = 0
        elif n == 100:
            current = max(current, 1) * 100
        else:
            current += n
    return total + current


def _sentence_date(sentence: str, pub: date | None) -> str | None:
    m = _SENT_DATE.search(sentence)
    if m is None:
        return None
    if m["yo"]:
        return m["yo"]
    month = _MONTHS.index(m["m"].lower()) + 1
    year = int(m["y"]) if m["y"] else None
    if year is None:
        if pub is None:
            return None
        year = pub.year if month <= pub.month else pub.year - 1
    if m["d"]:
        return f"{year:04d}-{month:02d}-{int(m['d']):02d}"
    return f"{year:04d}-{month:02d}"


def find_figures(article: Article) -> list[Figure]:
    """The figures of one French article: numbers with the noun they count, in text order.

    Example:
        >>> [(f.value, f.counts, f.kind) for f in find_figures(Article("a", "a", body="L'Otan a expulsé huit diplomates russes."))]
        [(8.0, 'diplomate', 'officials')]
    """
    from vigie.understand.summarize import split_sentences

    pub = parse_pub_date(article.published)
    out: list[Figure] = []
    for sentence in split_sentences(article.body or ""):
        dated = _sentence_date(sentence, pub)
        for m in _FIGURE.finditer(sentence):
            value = _number(m["num"], m["approxn"])
            noun = m["noun"]
            if value is None or (m["sym"] is None and noun is None):
                continue
            if m["num"].lower() in ("un", "une") and not m["scale"]:
                continue  # the article, far more often than the number
            if m["sym"]:
                counts = {"%": "%", "€": "euro", "$": "dollar"}[m["sym"]]
            else:
                assert noun is not None
                if _stem(noun) in ("autre", "premier", "dernier", "première", "dernière"):
                    continue  # "quatre autres enfants", "ses quatre premiers enfants": a part, not the whole count
                if _stem(noun) in _LEADING_ADJ and m["adj"]:
                    noun = m["adj"]  # "deux autres postes": the noun comes after the adjective
                counts = _stem(noun)
                if counts in _NOT_COUNTS or noun.lower() in _NOT_COUNTS or noun.lower() in _STOP:
                    continue
            if m["scale"]:
                value *= _SCALES[m["scale"].lower()]
            elif counts in ("million", "milliard"):
                # "3 millions d'euros": the scale came where the noun was; the noun is the next word.
                value *= _SCALES[counts + "s"]
                counts = _stem(m["adj"] or "")
                if not counts or counts in _NOT_COUNTS:
                    continue
            if re.fullmatch(r"1[89]\d\d|20\d\d", m["num"]) and counts not in _CLASSES:
                continue  # a year ("depuis 2014 progressivement"), not a count
            kind = _CLASSES.get(counts, counts)
            action = None
            for w in (m["adj"], m["more"]):
                if w and _CLASSES.get(_stem(w)) in {"dead", "injured", "arrested", "expelled"}:
                    action = _CLASSES[_stem(w)]
                    break
            if counts in _PEOPLE:
                before = _TOLL_BEFORE.search(sentence[max(0, m.start() - 30):m.start()])
                if before and action is None:
                    action = "injured" if before[0].lower().startswith("bless") else "dead"
                if action in {"dead", "injured"}:
                    kind = action
            if kind in {"dead", "injured", "arrested", "expelled"} and action is None:
                action = kind
            cue = (m["cue"] or "").strip().lower()
            bound = ">" if cue in {"plus de", "au moins", "pas moins de"} else "<" if cue in {
                "moins de", "au plus", "jusqu'à", "jusqu’à"} else "~" if cue or m["approxn"] else "="
            if m["approxn"] and (m["num"].lower().startswith(("des ", "quelques ")) or m["num"].lower().endswith("s")):
                bound = ">"  # "des milliers de personnes", "des dizaines de chefs d'Etat": at least that many
            # Folded: "État" and "Etat", "Égyptiens" and "Egyptiens" are one word to compare sentences.
            context = {fold_text(_stem(w)) for w in _WORD.findall(sentence) if w.lower() not in _STOP and len(w) > 2}
            context -= {fold_text(w) for w in (counts, _stem(m["num"]), *_NUMBER_WORDS)}
            end = m.end("noun") if m["noun"] else m.end()
            if m["adj"] and (action or (m["adj"].lower() not in _STOP and m["adj"][:1].islower() and
                             m["adj"].lower().endswith(("s", "é", "ée", "és", "ées", "ais", "aise", "ien", "ienne")))):
                end = m.end("adj")
            pm = _PERIOD.search(sentence)
            out.append(Figure(value, sentence[m.start():end].strip(), counts, kind, action, bound, article.id,
                              sentence, pub, dated, context, pm[0].lower() if pm else None))
    return out


def _is_round(v: float) -> bool:
    if v < 10 or not float(v).is_integer():
        return False
    digits = str(int(v)).rstrip("0")
    return len(digits) <= 2


def _agree(a: Figure, b: Figure, tol: float) -> bool:
    """Same value, or one rounds or bounds the other."""
    if a.value == b.value:
        return True
    for x, y in ((a, b), (b, a)):
        if x.bound == ">" and y.value >= x.value:
            return True
        if x.bound == "<" and y.value <= x.value:
            return True
    if a.bound == "~" or b.bound == "~" or _is_round(a.value) or _is_round(b.value):
        return abs(a.value - b.value) <= tol * max(a.value, b.value)
    return False


def _same_occasion(a: Figure, b: Figure, recent_days: int) -> bool:
    cumulative = a.kind in _CUMULATIVE or a.action in _CUMULATIVE
    if a.dated and b.dated:
        return a.dated == b.dated
    if a.dated or b.dated:
        dated, other = (a, b) if a.dated else (b, a)
        assert dated.dated is not None
        if len(dated.dated) < 10 or other.published is None or cumulative:
            return False  # a month or a year in the sentence: a background figure
        day = date.fromisoformat(dated.dated)
        return other.published - timedelta(days=recent_days) <= day <= other.published
    if cumulative:
        return a.published is not None and a.published == b.published
    return True


def _mentions(sentence: str, value: float) -> bool:
    """The sentence writes ``value`` in digits (as "4,9", "4.9", "1 000" or "1000")."""
    if value >= 1e6:
        for scale in (1e9, 1e6):
            if value >= scale:
                value = value / scale
                break
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    forms = {text, text.replace(".", ",")}
    if value >= 1000 and float(value).is_integer():
        n = int(value)
        forms |= {f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "."), f"{n:,}".replace(",", "\u00a0")}
    return any(re.search(rf"(?<![\d,.]){re.escape(f)}(?![\d]|[,.]\d)", sentence) for f in forms)


def _similar(a: Figure, b: Figure, threshold: float, min_shared: int, overlap: bool = False) -> bool:
    """Two sentences about one fact: enough content words in common, in share and in number.

    The share is of the union (Jaccard), or with ``overlap`` of the shorter sentence's words, so that a long
    sentence that says more does not hide a short one it contains.
    """
    shared = len(a.context & b.context)
    size = min(len(a.context), len(b.context)) if overlap else len(a.context | b.context)
    return size > 0 and shared >= min_shared and shared / size >= threshold


def figure_disagreements(articles: Sequence[Article], options: FigureOptions | None = None) -> list[Disagreement]:
    """Figures of one fact that the articles of a story give differently, each value with its sources.

    Only figures of different articles are compared (an article that updates its own figure is not a dispute).

    Example:
        >>> a = Article("a", "a", body="L'Otan a expulsé huit diplomates russes de sa mission.")
        >>> b = Article("b", "b", body="L'Otan a expulsé dix diplomates russes de sa mission.")
        >>> [d.to_dict()["values"] for d in figure_disagreements([a, b])]
        [[{'value': 'huit diplomates russes', 'sources': ['a']}, {'value': 'dix diplomates russes', 'sources': ['b']}]]
    """
    opts = options or FigureOptions()
    figures = [f for a in articles for f in find_figures(a)]
    # Pairs of figures from different articles that speak of one fact.
    n = len(figures)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            a, b = figures[i], figures[j]
            if a.article == b.article or a.kind != b.kind:
                continue
            if (a.action and b.action and a.action != b.action) or a.period != b.period:
                continue
            if _mentions(a.sentence, b.value) or _mentions(b.sentence, a.value):
                continue  # one sentence gives both values: two quantities ("40 à 50 milliards de positions, une
                # perte de 4,9 milliards"), not two outlets at odds
            amount = a.kind in _AMOUNTS
            if amount and max(a.value, b.value) > opts.max_ratio * min(a.value, b.value):
                continue
            similar = (_similar(a, b, opts.context_similarity, opts.min_shared) if amount else
                       _similar(a, b, opts.count_similarity, opts.count_min_shared, overlap=True))
            if similar and _same_occasion(a, b, opts.recent_days):
                parent[find(i)] = find(j)
    groups: dict[int, list[Figure]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(figures[i])
    out: list[Disagreement] = []
    for group in groups.values():
        if len({f.article for f in group}) < 2:
            continue
        per_article: dict[str, set[float]] = {}
        for f in group:
            per_article.setdefault(f.article, set()).add(f.value)
        if any(len(v) > 1 for v in per_article.values()):
            continue  # one article gives two values: the group holds two facts, not one disputed
        # Values that agree with each other (rounding, bounds) fold into one; the exact ones stand for the fold.
        folds: list[list[Figure]] = []
        for f in sorted(group, key=lambda f: (f.bound != "=", f.value)):
            for fold in folds:
                if _agree(fold[0], f, opts.round_tolerance):
                    fold.append(f)
                    break
            else:
                folds.append([f])
        if len(folds) > opts.max_values:
            continue
        if len(folds) < 2:
            continue
        exact = [fold for fold in folds if any(f.bound == "=" for f in fold)]
        if len(exact) < 2 and all(_agree(x[0], y[0], opts.round_tolerance) or _agree(y[0], x[0], opts.round_tolerance)
                                  for x in folds for y in folds):
            continue
        values = []
        for fold in sorted(folds, key=lambda fold: -len({f.article for f in fold})):
            sources = sorted({f.article for f in fold}, key=[a.id for a in articles].index)
            values.append({"value": fold[0].text, "sources": sources})
        out.append(Disagreement(_about(group[0]), values))
    return out


_ACTIONS_FR = {"dead": "tués", "injured": "blessés", "arrested": "arrêtés", "expelled": "expulsés"}


def _about(f: Figure) -> str:
    """What the figures count, in French: "nombre de diplomates expulsés", "nombre d'organisations", "montant en
    euros"."""
    if f.kind in ("eur", "euro"):
        return "montant en euros"
    if f.kind in ("usd", "dollar"):
        return "montant en dollars"
    if f.kind in ("percent", "%"):
        return "pourcentage"
    if f.kind in ("dead", "injured"):
        return "nombre de " + ("morts" if f.kind == "dead" else "blessés")
    noun = f.counts if f.counts.endswith(("s", "x", "z")) else f.counts + "s"
    if f.action and f.action != f.kind:
        noun += " " + _ACTIONS_FR.get(f.action, f.action)
    return ("nombre d'" if fold_text(noun[:1]) in "aeiouyh" else "nombre de ") + noun
