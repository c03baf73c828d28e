"""Text rules stated once, for every stage: folding (how names, queries, terms and lexicon entries are compared)
and sentence splitting (what the embedder, the summariser and the understanding stages call a sentence)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

__all__ = ["CLOSERS", "fold", "fold_char", "iter_sentences", "slug", "split_sentences", "strip_accents"]

_COMBINING = re.compile("[\u0300-\u036f]+")
# Typographic apostrophes, dashes and spaces, and the ligatures NFD leaves whole.
_PLAIN = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2010": "-", "\u2011": "-",
    "\u2013": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE",
})
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Accents off, typographic apostrophes, dashes and spaces plain, ligatures spelled out; case and length of
    words kept ("L’Œuvre" -> "L'OEuvre"). NFKD and a regex: several times faster than a per-character loop."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_PLAIN)))


def fold(text: str) -> str:
    """The comparison form: :func:`strip_accents`, lower case, single spaces, stripped ("l’Élysée " == "l'elysee")."""
    return _fold_short(text) if len(text) <= 32 else _fold(text)


def _fold(text: str) -> str:
    return _SPACES.sub(" ", strip_accents(text)).strip().casefold()


# Words and names are folded again and again (every token by several rules): their folds are kept.
_fold_short = lru_cache(maxsize=65536)(_fold)


def slug(name: str) -> str:
    """Lowercase ASCII slug of a name, for ids in URLs: "Jens Stoltenberg" -> "jens-stoltenberg", "L'Élysée" ->
    "l-elysee"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:80]


@lru_cache(maxsize=8192)
def fold_char(c: str) -> str:
    """One character folded, when it folds to one character (else lower-cased, else as is): matching on folded text
    then maps back to the original offsets."""
    f = fold(c)
    return f if len(f) == 1 else c.lower() if len(c.lower()) == 1 else c


# Words that end in a period without ending the sentence (compared lower-cased, without the period).
_ABBREVIATIONS = frozenset(
    """m mm mme mmes mlle mlles dr pr me mgr st ste sts vve gén gal col cdt lt cne sgt adj
    mr mrs ms prof sen rep gov gen jr sr st no nos nº vol ch chap art al av apr bd boul fig p pp cf env tél
    ex éd coll réf resp min max approx vs etc.al janv févr fév avr juil sept oct nov déc jan feb mar aug sep dec
    inc ltd co corp cie ets bros""".split()
)
_OPEN_QUOTE = {"«": "»", "“": "”", "„": "“"}
_SENT_PUNCT = ".!?…"
CLOSERS = "»\"”’')]"  # what may follow the end of a sentence
# End punctuation, then closers glued to it ('."', '.)') or a French closing guillemet after a space ('. »').
_BOUNDARY = re.compile(r"(?:\.{2,}|[.!?…]+)(?:[\s\u00a0]?[»”]|[\"’')\]])*[\s\u00a0]*")
_UPPER_START = re.compile(r"[\s\u00a0]*+([«\"“(\[—–-]?\s*[A-ZÀ-ÖØ-Þ0-9¿¡]|$)")
_GLUED = re.compile(r"(?<=[a-zà-öø-ÿ]{3}[.!?])(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])")  # "espionnage.Comme" (lost space)
_LONG_QUOTE = 500  # a quote this long is a multi-sentence speech: split inside it rather than keep a wall of text


def _quote_spans(par: str) -> list[tuple[int, int]]:
    """Spans of balanced quotations in a paragraph; sentence ends inside them do not split."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for i, ch in enumerate(par):
        if ch in _OPEN_QUOTE and not (ch == "“" and stack and stack[-1][0] == "„"):
            stack.append((ch, i))
        elif stack and ch == _OPEN_QUOTE[stack[-1][0]]:
            spans.append((stack.pop()[1], i))
        elif ch == '"':
            if straight is None:
                straight = i
            else:
                spans.append((straight, i))
                straight = None
    return [(a, b) for a, b in spans if b - a <= _LONG_QUOTE]


def _is_abbreviation(before: str) -> bool:
    """True when the text before a period ends in an abbreviation, an initial or a dotted acronym."""
    m = re.search(r"([\wÀ-ÿ.'’-]+)$", before)
    if not m:
        return False
    token = m.group(1)
    last = re.split(r"['’]", token)[-1]
    if last.lower() in _ABBREVIATIONS:
        return True
    if re.fullmatch(r"[A-ZÀ-Þ]", last):  # initial: "J. K. Rowling", "Jean-Claude J. Dupont"
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", last):  # dotted acronym: "U.S", "U.E", "J.-C"
        return True
    return bool(re.fullmatch(r"(?:[A-Z]\.-)?[A-Z]", last.split("-")[-1]) and "-" in last)


def split_sentences(text: str, lang: str = "fr") -> list[str]:
    """Split French or English text into sentences.

    Line breaks always end a sentence (one paragraph a line). Inside a line a sentence ends at ``. ! ? …`` (and any
    closing quote or bracket) followed by an upper-case letter, a digit or an opening quote, except after
    abbreviations (``M.``, ``Mme``, ``Dr``, ``U.S.``), initials, and inside a short balanced quotation, so that a
    quoted sentence stays whole. Decimals (``3.5``) never split. Lost spaces after a period ("fin.Début") are mended.

    Args:
        text: the text, paragraphs separated by line breaks.
        lang: "fr" or "en"; the rules cover both, the argument is kept for future language-specific rules.

    Returns:
        The sentences, stripped, empty ones dropped.

    Example:
        >>> split_sentences("M. Dupont est arrivé. « Il pleut. Tant pis », dit-il. Le taux est de 3.5 %.")
        ['M. Dupont est arrivé.', '« Il pleut. Tant pis », dit-il.', 'Le taux est de 3.5 %.']
    """
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """The sentences of :func:`split_sentences`, lazily (callers that need the first few stop early)."""
    for raw in re.split(r"[\r\n]+", text.replace("\ufeff", "")):
        par = _GLUED.sub(" ", raw.strip())
        if not par:
            continue
        spans = _quote_spans(par)
        start = 0
        for m in _BOUNDARY.finditer(par):
            end = m.end()
            nxt = _UPPER_START.match(par, end)
            if not nxt or end >= len(par):
                continue
            if not (m.group(0)[-1:].isspace() or par[m.end() - 1] in CLOSERS):
                continue  # "3.5", "www.site.fr": no space after the period
            punct_at = m.start()
            if par[m.start()] == "." and m.group(0).rstrip(CLOSERS + " \u00a0") == "." and _is_abbreviation(
                par[max(start, punct_at - 64) : punct_at]  # the last token only: linear on "M. M. M. …"
            ):
                continue
            if punct_at > 0 and par[punct_at - 1] in "([":
                continue  # "(...)" marks an elision, not an end
            if any(a < punct_at < b and not (b < end) for a, b in spans):
                continue  # inside a quotation that goes on after this point
            sentence = par[start:end].strip()
            if sentence:
                yield sentence
            start = end
        tail = par[start:].strip()
        if tail:
            yield tail
