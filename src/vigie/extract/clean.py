"""Plain-text article cleaner: keep the story, drop the page furniture a text-only crawler dumped around it.

Scraped plain text arrives as one block per line: menus, repeated titles, date stamps, tag lists, share bars,
author avatars, reader comments, newsletter pitches and legal footers surround a body that is sometimes one huge
line where paragraphs (and subheads) were glued together. The cleaner works on lines, in four passes:

1. **Features** per line: length, stop-word density (jusText's signal: prose is dense in function words, chrome is
   not), URL and digit ratios, terminal punctuation, furniture cues (generic French + English lexicons), shapes
   (date stamp, tag list, byline, avatar, like counter, XPath, digit soup) and repetition.
2. **Classes** good / near / short / bad, then jusText-style **context smoothing**: near-good and short lines
   between good ones are body (subheads, short quotes), the same lines among furniture are not.
   The learned decision (``BodyModel``) reads these cues with the neighbours' and the page's context (window
   means at several widths, where the line sits against the densest stretch, its length and density as z-scores
   within the page, its prose run, its overlap with the title line).
3. **Position**: the body is one dense contiguous region: a maximum-sum segment where body lines weigh their length
   and furniture weighs against it (heavily for end-of-article cues such as comment headings or newsletter
   pitches), so teasers, comments and footers after the story stay out. Repeated paragraphs are kept once.
4. **Structure**: glued paragraphs are split on sentence punctuation directly followed by a capital, glued
   subheads on a lower-to-upper case join ("…de l'OtanLe porte-parole…"), with care for abbreviations, names,
   URLs and decimals. Title, standfirst, authors, dates, URLs, outlet names, tags and comments are read from the
   dropped lines.

Pure Python and precompiled regexes: thousands of articles per second on one core.

One module, over 600 lines: the line features, the learned decision and the metadata read from the
dropped lines all walk the same line records in one pass.
"""

from __future__ import annotations

import json
import logging
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vigie.extract.cleanlex import (
    BOUNDARY_CUES,
    CAMEL_NAMES,
    CJK_FUNCTION_CHARS,
    COMMENT_HEADS,
    COMMENT_META,
    FURNITURE_CUES,
    MONTHS,
    MORE_BOUNDARY_CUES,
    MORE_FURNITURE_CUES,
    STOPWORDS,
    STOPWORDS_BY_LANG,
    STRONG_BOUNDARY_CUES,
    STRONG_FURNITURE_CUES,
    WEEKDAYS,
)
from vigie.extract.metadata import is_dateline

__all__ = [
    "BodyModel", "CleanOptions", "CleanedText", "PageLines", "TreeEnsemble", "clean_text", "page_lines", "stage2_rows",
    "viterbi",
]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CleanOptions:
    """Thresholds of the cleaner; the defaults are tuned on real French page dumps (``eval/eval_textdump.py``).

    Attributes:
        good_chars: a prose line this long (and dense in stop words) is body on its own.
        near_chars: shorter prose lines are body only next to body (context smoothing).
        good_stop_density: share of stop words for a line to count as prose.
        near_stop_density: lower share still acceptable next to body.
        max_link_density: share of characters in URLs above which a line is furniture.
        max_short_run: at most this many short lines (subheads, one-line quotes) bridged between body lines.
        furniture_cost: weight of an ordinary furniture line against extending the body region (in characters).
        boundary_cost: weight of an end-of-article cue (comments heading, newsletter, "most read").
        min_body_score: a region scoring less than this (characters, net of furniture) is not a body.
        keep_short_dialogue: keep short quoted lines ("« Non. »", "— Oui !") inside the body.
        split_glued: restore paragraph breaks lost by the crawler ("…espionnage.Comme…", "…l'OtanLe…").
        max_comment_gap: furniture lines tolerated between the body end and unmarked reader comments.
        anchor_bonus: weight added to the first body line after a repeated headline (stories follow their title).
        learned: decide body lines with the model learned from real page dumps (``train/train_cleaner.py``); when
            False, the hand-tuned densest-region rule above decides alone (kept as the baseline to beat).
        rule_trust: on a French or English page whose densest region scores this much, that rule decides instead
            of the model; None (the default) takes the body model's own ``rule_trust``, which its training chose
            by cross-validation (``math.inf``: the model decides every page).
    """

    good_chars: int = 150
    near_chars: int = 45
    good_stop_density: float = 0.24
    near_stop_density: float = 0.15
    max_link_density: float = 0.35
    max_short_run: int = 3
    furniture_cost: float = 60.0
    boundary_cost: float = 1200.0
    min_body_score: float = 1.0
    keep_short_dialogue: bool = True
    split_glued: bool = True
    max_comment_gap: int = 3
    anchor_bonus: float = 400.0
    learned: bool = True
    rule_trust: float | None = None

    def __post_init__(self) -> None:
        for name in ("good_chars", "near_chars", "max_short_run", "max_comment_gap"):
            if getattr(self, name) < 0:
                raise ValueError(f"CleanOptions.{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("good_stop_density", "near_stop_density", "max_link_density"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"CleanOptions.{name} must be between 0 and 1, got {getattr(self, name)!r}")


@dataclass(slots=True)
class CleanedText:
    """What the cleaner found: the body as paragraphs, and metadata read from the furniture around it."""

    title: str | None = None
    standfirst: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    date_strings: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)


# --------------------------------------------------------------------------------------------------- regexes

_UP = "A-ZÀ-ÖØ-ÞŒ"
_LO = "a-zß-öø-ÿœ"
_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f]")
# str.replace per character present beats str.translate with a dict by far on non-ASCII text.
_REPLACE = (
    ("\r\n", "\n"), ("\r", "\n"), ("\f", "\n"), ("\v", "\n"), ("\u2028", "\n"), ("\u2029", "\n"), ("\x85", "\n"),
    ("\u00a0", " "), ("\u202f", " "), ("\u2007", " "), ("\u2009", " "), ("\u200a", " "), ("\u3000", " "), ("\t", " "),
    ("\u200b", ""), ("\u200c", ""), ("\u200d", ""), ("\u2060", ""), ("\ufeff", ""), ("\u00ad", ""),
)
_SPACES = re.compile(r" {2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.I)
# Patterns are linear in the line length: a run that may start a match is only tried from its first character
# (lookbehind), and runs that cannot give back characters are possessive, so hostile lines cannot backtrack.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif|bmp|ico|css|js|mp[34]|m4a|webm|woff2?|ttf|pdf)(?:[?#]|$)", re.I)
_WORD = re.compile(r"[^\W\d_]+")
_NUM = re.compile(r"\d+")
_TOKENS = re.compile(r"([^\W\d_]+)|\d+")  # words (group 1) and numbers ("") in one scan of the line
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:{_MONTH_ALT})\.?\s+\d{{4}}\b"
    rf"|\b(?:{_MONTH_ALT})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    r"|\b\d{1,2}\s?[h:]\s?\d{2}\b|\b\d{1,2}h\b"
    r"|\bil y a \d+\s*\w+|\b\d+\s*(?:minutes?|heures?|jours?|hours?|days?|mins?)\s+ago\b",
    re.I,
)
_DATE_FILLER = frozenset(
    ["publié", "publiée", "publie", "le", "la", "à", "a", "mis", "jour", "modifié", "modifiée", "mise", "actualisé", "updated", "update", "posted", "published", "on", "at", "du", "de", "et", "cet", "gmt", "utc", "cest", "cet", "heure", "heures", "h", "am", "pm", "the", "le", "par", "by", "édité", "edited", "dernière", "last", "in", "il", "y", "ago", *list(WEEKDAYS), *list(MONTHS)]
)
_DATE_CUE = re.compile(r"\b(?:publié|publiée|published|posted|mis à jour|mise à jour|modifié|updated|actualisé)\b", re.I)
_UPDATED = re.compile(r"\b(?:mis à jour|mise à jour|modifié|updated|actualisé)\b", re.I)
_CREDIT = re.compile(r"^(?P<text>.*?)(?:\.\.\.|…)\s*(?P<date>\d{1,2}[./]\d{1,2}[./]\d{2,4})\s*,\s*(?P<site>[^,]{2,60})$")
_LIKE = re.compile(r"^(?P<text>.*[^\d\s,:/+-])\s+(?P<n>\d{1,5})$")
_XPATH = re.compile(r"/html/|\[@|/@\w|^//\w")
_BYLINE = re.compile(
    r"^(?:par|by|auteur|author|texte|propos recueillis par|written by|rédigé par)\s*:?\s+(?P<names>.+)$", re.I
)
_NAME_TOKEN = re.compile(rf"^[{_UP}][{_LO}{_UP}.'’-]*$|^[{_UP}]\.$")
_PARTICLES = frozenset(["de", "du", "des", "d'", "van", "von", "der", "den", "la", "le", "da", "di", "dos", "del", "el", "al", "bin", "ben", "y"])
_NAME_STOP = frozenset(
    ["Le", "La", "Les", "Un", "Une", "Des", "Au", "Aux", "Du", "De", "En", "Et", "Pour", "Par", "Dans", "Sur", "The", "A", "An", "Of", "And", "In", "On", "For", "By", "Photo", "Crédits", "Crédit", "Accueil", "Menu", "Actualités", "Politique", "Économie", "Monde", "Culture", "Sport", "Sports", "Société", "International", "France", "Europe", "Lire", "Voir", "Plus", "Suivez", "Partager", "Newsletter", "Publicité", "Contact", "Recherche", "Rechercher"]
)
_TAG_HEAD = re.compile(r"^(?:tags?|mots[- ]clés|mots[- ]clefs|keywords|thèmes|sujets|topics|étiquettes)\s*:?\s*(?P<rest>.*)$", re.I)
_LOWER_TAG = re.compile(rf"^[{_LO}][{_LO}' ’-]*$")
_TITLE_SUFFIX = re.compile(r"^(?P<title>.{11,}?\S)\s++[|–—-]\s+(?P<site>[^|–—]{2,40})$")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<site>[^|,.\d][^|,]{1,40}?)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?:[|,.-]|$)", re.I)
_SITE_PHRASE = re.compile(
    r"\b(?:offres? exclusives?|newsletters?|la rédaction|l'équipe|l’équipe|abonnez-vous à|abonnement à)\s+"
    rf"(?:(?P<art>du|de la|de l'|de l’|des|de|d'|d’)\s*)?(?P<name>(?:(?:Le|La|Les) |L['’])?[{_UP}][\w’'-]+(?: [{_UP}][\w’'-]+){{0,2}})"
)
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|fr|net|org|info|ch|be|ca|cn|ru|uk|de|eu|tn|ma|dz|sn|ci|cm|io|news|tv)$", re.I)
_END_MARK = re.compile(r"(?<=[.!?»\"”)])\s+(?:Fin|FIN|\(Fin\)|\(FIN\)|-- ?Fin|\[Fin\])\s*$")
_GLUE = re.compile(r"(?<![.!?…])[.!?…]++(?=[\"“”«»]?[" + _UP + r"])")
_CAMEL = re.compile(rf"[{_LO}]{{2}}(?=[{_UP}])")
_ABBREV = frozenset(
    ["m", "mm", "mme", "mmes", "mlle", "mr", "mrs", "ms", "dr", "pr", "me", "st", "ste", "jr", "sr", "inc", "corp", "co", "ltd", "vs", "cf", "av", "bd", "no", "nº", "etc", "gen", "gén", "col", "lt", "sgt", "capt", "prof", "rev", "hon", "sen", "rep", "gov", "dept", "univ", "fig", "vol", "ed", "eds", "éd"]
)
_TITLE_ABBREV = frozenset(["m", "mm", "mme", "mmes", "mlle", "mr", "mrs", "ms", "dr", "pr", "me", "prof"])
_TERMINAL = frozenset(".!?…»\"”’)':;。！？؟")
_OPEN_QUOTES = frozenset("“«")
_SENTENCE_ENDS = (".", "!", "?", "…", '."', ".»", ". »", ".”", '!"', "!»", '?"', "?»")
_CLOSE_QUOTES = frozenset("”»")
_CONTACT = re.compile(r"\+?\d[\d .()-]{7,}\d")


class _Cues:
    """Phrase lexicon matched on word tokens (apostrophes and hyphens ignored): a dict walk, far cheaper than a
    regex alternation of hundreds of phrases."""

    __slots__ = ("first",)

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.first: dict[str, list[tuple[str, ...]]] = {}
        for p in set(phrases):
            toks = tuple(_WORD.findall(p.lower()))
            if toks:
                self.first.setdefault(toks[0], []).append(toks)

    def find(self, words: list[str], limit: int | None = None) -> int:
        """Token index of the first cue in ``words`` (only starting before ``limit``), or -1."""
        first = self.first
        scope = words if limit is None else words[:limit]
        if first.keys().isdisjoint(scope):
            return -1
        for i, w in enumerate(scope):
            cands = first.get(w)
            if cands:
                for c in cands:
                    if len(c) == 1 or tuple(words[i : i + len(c)]) == c:
                        return i
        return -1


_BOUNDARY = _Cues(BOUNDARY_CUES)
_FURN = _Cues(FURNITURE_CUES)
_STRONG_BOUNDARY = _Cues(STRONG_BOUNDARY_CUES)
_STRONG_FURN = _Cues(STRONG_FURNITURE_CUES)
_COMMENT_HEAD_RE = re.compile(
    r"^(?:\d+\s+)?(?:" + "|".join(re.escape(c) for c in COMMENT_HEADS) + r")\b\s*(?:\(\d+\)|\d+)?\s*:?$"
)
_COMMENT_FORM_RE = re.compile(
    r"^(?:écrire|laisser|laissez|ajouter|poster|publier|rédiger|donnez) (?:un |votre )?(?:commentaire|avis)"
    r"|^leave a (?:reply|comment)|^(?:add|post|write) a comment"
)
_COMMENT_META_RE = re.compile(r"^(?:" + "|".join(re.escape(c) for c in COMMENT_META) + r")\b.{0,20}$")

# Weights (in characters of body) of furniture kinds against extending the body region over them.
_KIND_COST = {
    "boundary": 1.0, "comment": 0.4, "cue": 1.0, "url": 1.0, "meta": 1.0, "contact": 1.0, "tags": 1.0,
    "author": 1.0, "byline": 0.3, "date": 0.3, "digits": 0.2, "credit": 1.0, "tagword": 0.5, "dup": 0.3,
    "lowdens": 1.0, "links": 1.0, "context": 1.0,
}


# --------------------------------------------------------------------------------------------------- lines


class _Line:
    """One non-blank input line with its features and verdicts."""

    __slots__ = (
        "alpha", "block", "chars", "cls", "idx", "key", "kind", "link", "low", "n_nums", "n_words", "stop", "terminal",
        "text", "words",
    )

    def __init__(self, text: str, idx: int, block: int) -> None:
        self.text = text
        self.idx = idx
        self.block = block
        self.low = text.lower()
        self.chars = len(text)
        toks: list[str] = _TOKENS.findall(self.low)
        self.words: list[str] = [t for t in toks if t]
        self.key = " ".join(self.words)
        self.kind: str | None = None
        self.cls = "short"
        self.link = 0.0
        self.stop = 0.0
        self.n_words = 0
        self.n_nums = len(toks) - len(self.words)
        self.alpha = 0
        self.terminal = text[-1] in _TERMINAL


def _key(text: str) -> str:
    """Comparison key for repetition: case, spacing and punctuation ignored."""
    return " ".join(_WORD.findall(text.lower()))


def _normalise(text: str) -> str:
    """Unify newlines and spaces; drop BOM, zero-width and control characters."""
    for old, new in _REPLACE:
        if old in text:
            text = text.replace(old, new)
    return _CTRL.sub("", text)


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    block = 0
    for raw in text.split("\n"):
        t = raw.strip()
        if "  " in t:
            t = _SPACES.sub(" ", t)
        if t.endswith(("Fin", "FIN", ")", "]")):  # agency end marker ("… en 2018. Fin"): not part of the text
            t = _END_MARK.sub("", t)
        if not t:
            block += 1
            continue
        lines.append(_Line(t, len(lines), block))
    return lines


def _is_name(text: str) -> bool:
    """Two to five capitalised name tokens ("Anna Dedkova", "Jean de La Fontaine")."""
    toks = text.split()
    if not 2 <= len(toks) <= 5 or toks[0] in _NAME_STOP:
        return False
    caps = 0
    for t in toks:
        if t.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(t) or t in _NAME_STOP:
            return False
        caps += 1
    return caps >= 2


def _byline_names(text: str) -> list[str]:
    """Names from "Par Jean Dupont et Marie Curie, envoyée spéciale à Kyiv"."""
    m = _BYLINE.match(text)
    if not m:
        return []
    part = re.split(r"(?<!\s)\s*(?:[,|(–—]|\s-\s|\ble\s+\d|\bpublié|\bmis à jour|\bupdated|\bon\s+\w+\s+\d)", m.group("names"))[0]
    out = []
    for name in re.split(r"\s+(?:et|and|&)\s+|(?<!\s)\s*,\s*", part):
        name = name.strip(" .:")
        if _is_name(name):
            out.append(name)
    return out


def _date_line(ln: _Line) -> bool:
    """A line that is only a date stamp, possibly with "Publié le", a weekday, a time or a short site prefix."""
    if ln.n_words > 24 or not _DATE.search(ln.text):
        return False
    rest = _DATE.sub(" ", ln.low)
    left = [w for w in _WORD.findall(rest) if w not in _DATE_FILLER]
    return len(left) <= 3


def _tag_items(text: str) -> list[str]:
    return [t.strip(" .;:#") for t in text.split(",") if t.strip(" .;:#")]


def _is_tag_list(ln: _Line) -> bool:
    """A comma soup of short keywords: "otan, conseil russie-otan, relations"."""
    if ln.text.count(",") < 2 or ln.text[-1] in ".!?":
        return False
    items = _tag_items(ln.text)
    if len(items) < 3:
        return False
    lengths = [len(i.split()) for i in items]
    return max(lengths) <= 6 and sum(lengths) / len(lengths) <= 3.5 and ln.stop < 0.2


def _features(ln: _Line, stop: frozenset[str] = STOPWORDS) -> None:
    words = ln.words
    ln.n_words = len(words) + ln.n_nums
    ln.alpha = sum(map(len, words))
    if words:
        ln.stop = sum(map(stop.__contains__, words)) / len(words)
    if "http" in ln.low or "www." in ln.low:
        url_chars = sum(len(u) for u in _URL.findall(ln.text))
        ln.link = url_chars / ln.chars


def _classify(ln: _Line, opts: CleanOptions, cues: tuple[_Cues, _Cues] | None = None) -> None:
    """Give the line a furniture ``kind`` (or None) and a first class: good, near, short or bad."""
    text, low = ln.text, ln.low
    kind: str | None = None
    short = ln.n_words <= 40
    if short and ("/" in text or "[" in text) and _XPATH.search(text):
        kind = "meta"
    elif ln.link > 0:
        urls = _URL.findall(text)
        rest = _URL.sub(" ", text).strip(" -|,:;")
        if urls and _is_name(rest) and all(_ASSET.search(u) or "/img" in u for u in urls):
            kind = "author"
        elif ln.link >= 0.5 or len(_WORD.findall(rest.lower())) <= 3:
            kind = "url"
        elif ln.link > opts.max_link_density:
            kind = "links"
    if kind is None and short:
        has_digits = ln.n_nums > 0
        if "@" in text and _EMAIL.search(text):
            kind = "contact"
        elif _COMMENT_HEAD_RE.match(low):
            kind = "boundary"
        elif ln.alpha < 0.3 * (ln.chars - text.count(" ")) or (
            ln.n_words <= 6 and ln.n_nums * 2 >= ln.n_words and not _DATE.search(text)
        ):
            kind = "digits"
        elif has_digits and _date_line(ln):
            kind = "date"
        elif has_digits and ("..." in text or "…" in text) and _CREDIT.match(text):
            kind = "credit"
        elif (_TAG_HEAD.match(text) and len(text) < 400 and ln.stop < 0.25) or _is_tag_list(ln):
            kind = "tags"
        elif ln.n_words <= 4 and _LOWER_TAG.match(text):
            kind = "tagword"
        elif ln.n_words <= 10 and _byline_names(text):
            kind = "byline"
        elif has_digits and ln.stop < 0.2 and _CONTACT.search(text):
            kind = "contact"
        else:
            m = _LIKE.match(text) if text[-1].isdigit() else None
            if m and ln.n_words >= 6 and (m.group("text")[-1] in ".!?…»\")" or len(m.group("text")) >= 60):
                kind = "comment"
            else:
                kind = _cue_kind(ln, *(cues or (_BOUNDARY, _FURN)))
    ln.kind = kind
    if kind is not None:
        ln.cls = "bad"
    elif ln.chars < opts.near_chars or (not ln.terminal and ln.chars < 120):
        ln.cls = "short"
    elif ln.stop >= opts.good_stop_density:
        ln.cls = "good" if ln.chars >= opts.good_chars else "near"
    elif ln.stop >= opts.near_stop_density:
        ln.cls = "near"
    else:
        ln.cls = "bad"
        ln.kind = "lowdens"


def _cue_kind(ln: _Line, boundary: _Cues, furn: _Cues) -> str | None:
    """Furniture cues: any cue on a very short line, a cue opening a short line, strong cues on longer lines."""
    words, nw = ln.words, ln.n_words
    if nw > 45:
        return None
    if _STRONG_BOUNDARY.find(words) >= 0:
        return "boundary"
    if nw <= 25 and boundary.find(words, None if nw <= 6 else 2) >= 0:
        return "boundary"
    if nw <= 30 and ("©" in ln.text or _STRONG_FURN.find(words) >= 0):
        return "cue"
    if nw <= 20 and furn.find(words, None if nw <= 5 else 2) >= 0:
        return "cue"
    return None


# --------------------------------------------------------------------------------------------------- body region


def _neighbour(lines: list[_Line], i: int, step: int, skip: tuple[str, ...]) -> str | None:
    """Class of the nearest line that is not skipped; minute marks and date stamps ("80'") are transparent."""
    j = i + step
    while 0 <= j < len(lines):
        ln = lines[j]
        if ln.cls not in skip and not (ln.kind in ("digits", "date") and ln.n_words <= 4):
            return ln.cls
        j += step
    return None


def _smooth(lines: list[_Line], opts: CleanOptions) -> None:
    """jusText-style context: near-good lines join good neighbours, short runs between body lines are body."""
    for i, ln in enumerate(lines):
        if ln.cls == "near":
            prev = _neighbour(lines, i, -1, ("short", "near"))
            nxt = _neighbour(lines, i, 1, ("short", "near"))
            ln.cls = "bad_near" if (prev == "bad" and nxt == "bad") else "good_near"
    for ln in lines:
        if ln.cls == "good_near":
            ln.cls = "good"
        elif ln.cls == "bad_near":
            ln.cls = "bad"
            ln.kind = ln.kind or "context"
    i, n = 0, len(lines)
    while i < n:
        if lines[i].cls != "short":
            i += 1
            continue
        j = i
        while j < n and lines[j].cls == "short":
            j += 1
        run = lines[i:j]
        prev = lines[i - 1].cls if i > 0 else None
        nxt = lines[j].cls if j < n else None
        if prev == "good" and nxt == "good" and len(run) <= opts.max_short_run:
            for ln in run:
                ln.cls = "good"
        elif opts.keep_short_dialogue and (prev == "good" or nxt == "good"):
            for ln in run:
                if ln.text[0] in "«“\"—–-" and ln.terminal and ln.n_words >= 2:
                    ln.cls = "good"
        i = j


def _anchor_bonus(lines: list[_Line], opts: CleanOptions) -> dict[int, float]:
    """A story starts right after its headline: the first body line after a repeated title-like line gets a bonus,
    so that a short article beats a longer text box elsewhere on the page."""
    counts: Counter[str] = Counter()
    keys: list[str] = []
    for ln in lines:
        k = ""
        if 15 <= ln.chars <= 300:
            stripped, site = _strip_title_site(ln.text)
            k = _key(stripped) if site else ln.key
        keys.append(k)
        if k:
            counts[k] += 1
    bonus: dict[int, float] = {}
    for i, k in enumerate(keys):
        if k and counts[k] >= 2 and len(k) >= 15:
            for j in range(i + 1, min(i + 11, len(lines))):
                if lines[j].cls == "good":
                    if keys[j] != k:
                        bonus[j] = opts.anchor_bonus
                    break
    return bonus


def _best_region(lines: list[_Line], opts: CleanOptions) -> tuple[int, int, float]:
    """Maximum-sum contiguous segment: body lines weigh their length, furniture its cost (Kadane).

    A comment-section heading is a wall the body never crosses, and whatever follows the first wall (reader
    comments, however long) only wins when little came before it.
    """
    best, best_lo, best_hi = 0.0, 0, -1
    cur, lo = 0.0, 0
    discount = 1.0
    seen: set[str] = set()
    bonus = _anchor_bonus(lines, opts)
    for i, ln in enumerate(lines):
        if ln.cls == "good":
            v = float(ln.chars) + bonus.get(i, 0.0) if ln.key not in seen else 0.0
            seen.add(ln.key)
        elif ln.cls == "short":
            v = -5.0
        elif ln.kind == "boundary":
            if _COMMENT_HEAD_RE.match(ln.low) or _COMMENT_FORM_RE.match(ln.low):
                cur, lo = 0.0, i + 1
                discount = 0.25
                continue
            v = -opts.boundary_cost
        else:
            v = -opts.furniture_cost * _KIND_COST.get(ln.kind or "", 1.0)
        if cur <= 0:
            cur, lo = v, i
        else:
            cur += v
        if cur * discount > best:
            best, best_lo, best_hi = cur * discount, lo, i
    return best_lo, best_hi, best


# --------------------------------------------------------------------------------------------------- learned body


_KINDS = (
    "boundary", "cue", "url", "links", "meta", "date", "tags", "tagword", "byline", "digits", "comment", "contact",
    "credit", "author", "dup", "lowdens", "context",
)
_STOP_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS_BY_LANG.items():
    for _w in _words:
        _STOP_LANGS[_w] = (*_STOP_LANGS.get(_w, ()), _lang)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENT_END = re.compile(r"[.!?…。！？؟](?:\s|$)|[。！？]")
_PUNCT = re.compile(r"[^\w\s]")
_MORE_BOUNDARY = _Cues(MORE_BOUNDARY_CUES + BOUNDARY_CUES)
_MORE_FURN = _Cues(MORE_FURNITURE_CUES + FURNITURE_CUES)
_BULLETS = frozenset("•·|>»▶►→-–—*+©")
# Neighbour offsets whose features join a line's own (the context a reader uses to tell a subhead from a menu).
_OFFSETS = (-3, -2, -1, 1, 2, 3)
_N_CONTEXT = 7
_VETO = frozenset(
    ["url", "meta", "contact", "comment", "digits", "author", "credit", "date", "tags", "byline", "links", "boundary",
     "cue"]
)


@dataclass(slots=True)
class PageLines:
    """Lines of one dump with the feature rows the body model reads (also what ``train/train_cleaner.py`` fits).

    Attributes:
        lines, rows: the non-blank lines and one feature row per line.
        language: the page's language by its function words (``"cjk"``, ``"und"`` when none is known).
        region: first and last line of the hand-tuned rule's densest region (``hi < lo`` when it found none).
        region_score: that region's score (characters of body net of furniture).
    """

    lines: list[_Line]
    rows: list[list[float]]
    language: str
    region: tuple[int, int] = (0, -1)
    region_score: float = 0.0
    stop: frozenset[str] | None = None

    def rule_lines(self) -> list[bool]:
        """The lines the hand-tuned rule keeps: the good lines of its densest region."""
        lo, hi = self.region
        return [lo <= ln.idx <= hi and ln.cls == "good" for ln in self.lines]

    def decode(self, scores: list[float], switch_cost: float, rule_trust: float = math.inf) -> list[bool]:
        """The body lines given a model's log-odds per line, as ``clean_text`` keeps them: the rule's region on a
        French or English page where it scores ``rule_trust`` or more; else shape vetoes, the Viterbi decoding, the
        prose extension, and the rule's region when the model keeps nothing."""
        if self.region_score >= rule_trust and self.language in ("fr", "en"):
            return self.rule_lines()
        # Lines the shape rules call furniture (URLs, XPath, contacts, like counters, stamps, tags, bylines,
        # end-of-article cues, furniture cues such as "Lire aussi : …") stay out: the metadata and comments are read
        # from them (held out: -0.002 F1; the furniture cues alone +0.0002 on stage-1 out-of-fold scores).
        vetoed = [-20.0 if ln.kind in _VETO else v for ln, v in zip(self.lines, scores, strict=True)]
        labels = _extend(self.lines, viterbi(vetoed, switch_cost), (self.language, self.stop))
        return labels if any(labels) else self.rule_lines()


def _doc_stopwords(lines: list[_Line]) -> tuple[str, frozenset[str] | None]:
    """The language whose function words cover most of the page, or ``("cjk", None)`` for unspaced scripts."""
    hits: Counter[str] = Counter()
    n = 0
    for ln in lines:
        for w in ln.words:
            n += 1
            langs = _STOP_LANGS.get(w)
            if langs:
                hits.update(langs)
    total_chars = sum(ln.chars for ln in lines) or 1
    sample = "".join(ln.text for ln in lines[:: max(1, len(lines) // 40)])
    if len(_CJK.findall(sample)) > 0.3 * max(1, len(sample)) or (n and n * 8 < total_chars and _CJK.search(sample)):
        return "cjk", None
    if not hits:
        return "und", None
    lang, _ = hits.most_common(1)[0]
    return lang, STOPWORDS_BY_LANG[lang]


def _density(ln: _Line, stop: frozenset[str] | None) -> float:
    if stop is None:  # CJK or no known language: function characters of CJK, else any known stop word
        cjk = _CJK.findall(ln.text)
        if cjk:
            return sum(map(CJK_FUNCTION_CHARS.__contains__, cjk)) / len(cjk) * 2.0
        words = ln.words
        return sum(w in _STOP_LANGS for w in words) / len(words) if words else 0.0
    words = ln.words
    return sum(map(stop.__contains__, words)) / len(words) if words else 0.0


def page_lines(text: str, opts: CleanOptions | None = None) -> PageLines:
    """Split a dump into lines and compute each line's feature row: its own cues, then its neighbours'."""
    lines, counts, lo, hi, score, page_lang = _prepare(text, opts or CleanOptions())
    return PageLines(lines, _rows(lines, counts, lo, hi, page_lang), page_lang[0], (lo, hi), score, page_lang[1])


_PageLang = tuple[str, frozenset[str] | None]


def _rows(
    lines: list[_Line], counts: Counter[str], lo: int, hi: int, page_lang: _PageLang | None = None
) -> list[list[float]]:
    n = len(lines)
    if not n:
        return []
    lang, stop = page_lang or _doc_stopwords(lines)
    cjk = lang == "cjk"
    total = float(sum(ln.chars for ln in lines)) or 1.0
    blocks = Counter(ln.block for ln in lines)
    own: list[list[float]] = []
    ctx: list[list[float]] = []
    prose: list[float] = []
    seen: set[str] = set()
    cum = 0.0
    prev_block = -1
    for ln in lines:
        text, chars, nw = ln.text, ln.chars, ln.n_words
        eff = chars * 2.5 if cjk else chars  # one CJK character carries about a word
        dens = _density(ln, stop)
        lc = math.log1p(eff) / 6.0
        words = ln.words
        mean_wl = (ln.alpha / len(words)) / 10.0 if words else 0.0
        kind = ln.kind
        start_cue = nw <= 25 and (_MORE_BOUNDARY.find(words, 3) >= 0)
        furn_cue = nw <= 25 and (_MORE_FURN.find(words, 3) >= 0)
        sents = len(_SENT_END.findall(text))
        is_none = kind is None
        prose_v = eff if (is_none and dens >= 0.15 and eff >= 60) else 0.0
        prose.append(prose_v)
        first_in_block = ln.block != prev_block
        prev_block = ln.block
        row = [
            lc, float(eff < 20), float(eff < 50), float(eff < 100), float(eff >= 200), float(eff >= 400),
            dens, float(dens >= 0.25), float(dens < 0.1), dens * lc,
            math.log1p(nw) / 5.0, ln.link, ln.n_nums / nw if nw else 0.0,
            len(_PUNCT.findall(text)) / chars, min(sents / nw, 0.5) if nw else 0.0, min(sents, 10) / 10.0,
            float(ln.terminal), float(ln.terminal) * lc, float(text[-1] == ":"), float(text[0].isupper()),
            float(text.isupper()), mean_wl, text.count(",") / nw if nw else 0.0, float("|" in text),
            float(text[0] in _BULLETS), float(start_cue), float(furn_cue),
            *(float(kind == k) for k in _KINDS),
            float(ln.cls == "good"), float(ln.cls == "short"), float(lo <= ln.idx <= hi),
            float(lo <= ln.idx <= hi and ln.cls == "good"),
            math.log(counts[ln.key]) if ln.key else 0.0, float(ln.key in seen),
            ln.idx / n, cum / total, float(first_in_block), math.log(blocks[ln.block]) / 3.0,
            float(cjk), float(lang == "und"),
        ]
        seen.add(ln.key)
        cum += chars
        own.append(row)
        ctx.append([lc, dens, float(ln.terminal), float(is_none), float(ln.cls == "good"), float(lo <= ln.idx <= hi),
                    float(start_cue or furn_cue)])
    # Prose mass around each line, against the densest stretch of the page (the 20-line densest-region cue).
    pre = [0.0]
    for v in prose:
        pre.append(pre[-1] + v)
    rows: list[list[float]] = []
    pad = [0.0] * _N_CONTEXT
    w10 = [pre[min(n, i + 10)] - pre[max(0, i - 10)] for i in range(n)]
    top = max(w10) or 1.0
    # The page's own scale: a line long and dense for this page (forum posts, terse agency copy) is the cue.
    lcs = sorted(r[0] for r in own)
    lc_max, lc_med = lcs[-1], lcs[len(lcs) // 2]
    dens_prose = [r[6] for r in own if r[0] > 0.55] or [0.0]
    dens_mean = sum(dens_prose) / len(dens_prose)
    for i in range(n):
        row = own[i]
        row.extend((row[0] - lc_max, row[0] - lc_med, row[6] - dens_mean, dens_mean))
        for off in _OFFSETS:
            j = i + off
            row.extend(ctx[j] if 0 <= j < n else pad)
        w3 = pre[min(n, i + 4)] - pre[max(0, i - 3)]
        row.extend((w10[i] / top, w3 / top, float(w10[i] == top), (pre[i] / (pre[n] or 1.0))))
        rows.append(row)
    _page_context(lines, own, ctx, prose, w10, rows)
    return rows


_WIDTHS = (2, 6, 15, 40)  # half-widths of the neighbour windows: a subhead, a paragraph run, a section, a page part


def _page_context(
    lines: list[_Line], own: list[list[float]], ctx: list[list[float]], prose: list[float], w10: list[float],
    rows: list[list[float]],
) -> None:
    """Page-level context features appended to each row: window means of the line cues at several widths, where
    the line sits against the densest stretch, how long and dense it is for this page (z-scores, rank), its prose
    run, and how much it shares with the page's title line. A menu of a forum and a terse wire paragraph are told
    apart by the page around them, not by their own length."""
    n = len(lines)
    # Cues whose window means are read: length, density, sentence end, no furniture kind, prose.
    cols = [[c[0] for c in ctx], [c[1] for c in ctx], [c[2] for c in ctx], [c[3] for c in ctx],
            [float(v > 0) for v in prose]]
    prefix = []
    for col in cols:
        acc = [0.0]
        for v in col:
            acc.append(acc[-1] + v)
        prefix.append(acc)
    # Densest stretch: the centre of the best 21-line window of prose, and the prose run holding each line.
    centre = max(range(n), key=w10.__getitem__)
    run_of = [0] * n
    run_mass = [0.0] * n
    i = 0
    while i < n:
        j = i
        mass = 0.0
        while j < n and (prose[j] > 0 or (j + 1 < n and prose[j + 1] > 0 and j > i and lines[j].chars < 80)):
            mass += prose[j]
            j += 1
        if j == i:
            i += 1
            continue
        for k in range(i, j):
            run_of[k], run_mass[k] = j - i, mass
        i = j
    total_prose = sum(prose) or 1.0
    lcs = [r[0] for r in own]
    dens = [r[6] for r in own]
    mu_l = sum(lcs) / n
    sd_l = math.sqrt(sum((v - mu_l) ** 2 for v in lcs) / n) or 1.0
    mu_d = sum(dens) / n
    sd_d = math.sqrt(sum((v - mu_d) ** 2 for v in dens) / n) or 1.0
    order = sorted(range(n), key=lcs.__getitem__)
    rank = [0.0] * n
    for r, k in enumerate(order):
        rank[k] = r / max(1, n - 1)
    # The page's title: its first line (a dump starts with <title>), less a " | Site" suffix.
    title_words = set(_key(_strip_title_site(lines[0].text)[0]).split()) if lines[0].chars <= 300 else set()
    for i, row in enumerate(rows):
        for h in _WIDTHS:
            a, b = max(0, i - h), min(n, i + h + 1)
            span = float(b - a)
            row.extend((acc[b] - acc[a]) / span for acc in prefix)
        d = i - centre
        row.extend((
            d / n, min(abs(d), 200) / 200.0, float(d < 0), math.log1p(run_of[i]) / 4.0, run_mass[i] / total_prose,
            (lcs[i] - mu_l) / sd_l, (dens[i] - mu_d) / sd_d, rank[i], math.log1p(n) / 8.0,
        ))
        words = lines[i].words
        if title_words and words and i:
            shared = sum(w in title_words for w in words)
            row.extend((shared / len(words), shared / len(title_words)))
        else:
            row.extend((0.0, 0.0))


@dataclass(slots=True)
class TreeEnsemble:
    """Boosted regression trees flattened into node arrays, scored on all lines and all trees at once.

    Every tree's nodes sit in one array; a leaf points to itself with an infinite threshold, so ``depth`` steps of
    one fancy index each take every line of the page from its trees' roots to their leaves together: a few dozen
    numpy operations per page instead of a Python walk per line and tree.

    Attributes:
        feature, threshold, left, right, value: per node (a line goes left when its feature is <= the threshold).
        roots: the root node of each tree.
        depth: the deepest leaf's depth.
        base: the log-odds every line starts from.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    base: float
    _child: np.ndarray | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeEnsemble:
        return cls(
            feature=np.asarray(data["feature"], dtype=np.intp), threshold=np.asarray(data["threshold"], dtype=np.float64),
            left=np.asarray(data["left"], dtype=np.intp), right=np.asarray(data["right"], dtype=np.intp),
            value=np.asarray(data["value"], dtype=np.float64), roots=np.asarray(data["roots"], dtype=np.intp),
            depth=int(data["depth"]), base=float(data["base"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "depth": self.depth, "base": self.base, "roots": self.roots.tolist(), "feature": self.feature.tolist(),
            "threshold": [v if math.isfinite(v) else 1e300 for v in self.threshold.tolist()],
            "left": self.left.tolist(), "right": self.right.tolist(), "value": self.value.tolist(),
        }

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Log-odds per row of ``X`` (lines x features)."""
        n, width = X.shape
        if not n:
            return np.zeros(0)
        if self._child is None:  # children side by side: node 2k + 1 is k's left child, 2k its right
            self._child = np.stack([self.right, self.left], axis=1).ravel()
        child, feature, threshold = self._child, self.feature, self.threshold
        flat = np.ascontiguousarray(X, dtype=np.float64).ravel()
        at = (np.arange(n) * width)[:, None]
        node = np.broadcast_to(self.roots, (n, self.roots.shape[0]))
        for _ in range(self.depth):
            node = child[2 * node + (flat[at + feature[node]] <= threshold[node])]
        return self.base + self.value[node].sum(axis=1)


@dataclass(slots=True)
class BodyModel:
    """Line scorer (logistic, or boosted trees) and a two-state decoder; fitted by ``train/train_cleaner.py``.

    Attributes:
        weights: one per feature of ``page_lines`` rows (standardisation folded in); empty with ``trees``.
        bias: intercept.
        switch_cost: log-odds paid for every change between body and furniture along the page, so the body comes
            out as coherent stretches rather than a salt-and-pepper of lines.
        threshold: body prior shift (log-odds added to every line before decoding).
        weights2: second stage (stacking), read on the first stage's probabilities of the line and its
            neighbours (``stage2_rows``): a line among body lines is body even when it looks thin on its own.
        bias2: intercept of the second stage.
        trees: the first stage as gradient-boosted trees instead of the logistic weights.
        n_features: the row width the model was fitted on.
        rule_trust: the hand-tuned rule decides a French or English page whose densest region scores this much
            (``math.inf``: never); chosen with the decoder by the inner cross-validation.
    """

    weights: list[float]
    bias: float
    switch_cost: float = 2.0
    threshold: float = 0.0
    weights2: list[float] = field(default_factory=list)
    bias2: float = 0.0
    trees: TreeEnsemble | None = None
    n_features: int = 0
    rule_trust: float = 1000.0

    @classmethod
    def load(cls, path: Path | None = None) -> BodyModel:
        """The model shipped in ``vigie/data/cleaner_model.json`` (or the file given)."""
        p = path or Path(__file__).resolve().parent.parent / "data" / "cleaner_model.json"
        data = json.loads(p.read_text(encoding="utf-8"))
        weights = [float(w) for w in data.get("weights", [])]
        return cls(
            weights=weights, bias=float(data.get("bias", 0.0)),
            switch_cost=float(data.get("switch_cost", 2.0)), threshold=float(data.get("threshold", 0.0)),
            weights2=[float(w) for w in data.get("weights2", [])], bias2=float(data.get("bias2", 0.0)),
            trees=TreeEnsemble.from_json(data["trees"]) if "trees" in data else None,
            n_features=int(data.get("features", len(weights))),
            rule_trust=math.inf if data.get("rule_trust", 1000.0) is None else float(data.get("rule_trust", 1000.0)),
        )

    def stage1(self, rows: list[list[float]]) -> list[float]:
        """First-stage log-odds that each line is body, from its own and its neighbours' cues."""
        width = self.n_features or len(self.weights)
        if rows and len(rows[0]) != width:
            raise ValueError(f"cleaner model expects {width} features per line, got {len(rows[0])}: retrain it")
        if self.trees is not None:
            return self.trees.predict(np.asarray(rows, dtype=np.float64)).tolist() if rows else []
        w, b = self.weights, self.bias
        return [b + sum(map(operator.mul, w, r)) for r in rows]

    def scores(self, rows: list[list[float]]) -> list[float]:
        """Log-odds that each line is body (both stages), shifted by the prior ``threshold``."""
        s1 = self.stage1(rows)
        if not self.weights2:
            return [v + self.threshold for v in s1]
        w2, b2 = self.weights2, self.bias2 + self.threshold
        return [b2 + sum(map(operator.mul, w2, r)) for r in stage2_rows(s1)]

    def decode(self, scores: list[float]) -> list[bool]:
        """Viterbi over body / furniture states: per line the score of its state, a cost per switch."""
        return viterbi(scores, self.switch_cost)


def _extend(lines: list[_Line], labels: list[bool], page_lang: _PageLang | None = None) -> list[bool]:
    """Prose lines (long, ending a sentence, dense in the page's function words) next to the body join it; when the
    model keeps nothing, the prose lines are the body (short pages unlike any it was trained on)."""
    lang, stop = page_lang or _doc_stopwords(lines)
    long = 40 if lang == "cjk" else 100  # one CJK character carries about a word
    prose = [
        ln.kind in (None, "lowdens", "context") and ln.terminal and ln.chars >= long and _density(ln, stop) >= 0.15
        for ln in lines
    ]
    out = list(labels)
    if not any(out):
        return prose
    n = len(lines)

    def near_body(i: int, step: int) -> bool:
        """The next line that way is body, or the one after it across a short teaser ("Lesen Sie auch: …")."""
        j = i + step
        if not 0 <= j < n:
            return False
        if out[j]:
            return True
        k = j + step
        return 0 <= k < n and out[k] and lines[j].chars < 80

    for order in (range(n), range(n - 1, -1, -1)):
        for i in order:
            if not out[i] and prose[i] and (near_body(i, -1) or near_body(i, 1)):
                out[i] = True
    return out


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v > -30 else 0.0


def stage2_rows(stage1: list[float]) -> list[list[float]]:
    """Second-stage features: the line's first-stage probability, its neighbours', and the body mass around it."""
    p = [_sigmoid(v) for v in stage1]
    n = len(p)
    pre = [0.0]
    for v in p:
        pre.append(pre[-1] + v)
    rows = []
    for i in range(n):
        nb = [p[j] if 0 <= j < n else 0.0 for j in (i - 3, i - 2, i - 1, i + 1, i + 2, i + 3)]
        lo5, hi5 = max(0, i - 5), min(n, i + 6)
        lo15, hi15 = max(0, i - 15), min(n, i + 16)
        left = max(p[lo5:i], default=0.0)
        right = max(p[i + 1 : hi5], default=0.0)
        rows.append([
            p[i], stage1[i] / 10.0, *nb, (pre[hi5] - pre[lo5]) / (hi5 - lo5), (pre[hi15] - pre[lo15]) / (hi15 - lo15),
            min(left, right), max(left, right), p[i] * min(left, right), pre[i] / (pre[n] or 1.0),
        ])
    return rows


def viterbi(scores: list[float], switch_cost: float) -> list[bool]:
    """Best labelling maximising the sum of ``score`` over body lines minus ``switch_cost`` per label change."""
    n = len(scores)
    if not n:
        return []
    out0, in1 = 0.0, scores[0]  # best totals ending in furniture / body
    back: list[tuple[bool, bool]] = []  # (previous state for furniture, previous state for body)
    for s in scores[1:]:
        f_from_b = in1 - switch_cost
        b_from_f = out0 - switch_cost + s
        b_from_b = in1 + s
        nf, pf = (out0, False) if out0 >= f_from_b else (f_from_b, True)
        nb, pb = (b_from_b, True) if b_from_b >= b_from_f else (b_from_f, False)
        back.append((pf, pb))
        out0, in1 = nf, nb
    state = in1 > out0
    labels = [state]
    for pf, pb in reversed(back):
        state = pb if state else pf
        labels.append(state)
    labels.reverse()
    return labels


_MODEL: BodyModel | None = None


def _model() -> BodyModel | None:
    global _MODEL
    if _MODEL is None:
        try:
            _MODEL = BodyModel.load()
        except (OSError, ValueError, KeyError):
            log.warning("cleaner model missing or unreadable; falling back to the densest-region rule")
            return None
    return _MODEL


# --------------------------------------------------------------------------------------------------- paragraphs


def _split_glued(text: str) -> list[str]:
    """Split paragraphs the crawler glued ("…espionnage.Comme…") but not "M.Maas", "U.S.", URLs or decimals."""
    out: list[str] = []
    start = 0
    pieces: list[str] = []
    for m in _GLUE.finditer(text):
        p = m.start()
        before = text[max(start, p - 512) : p]  # the last token is all that is read: a bounded slice keeps it linear
        tok = before.rsplit(" ", 1)[-1].lstrip("(«“\"'")
        if "://" in tok or "www." in tok or "@" in tok:
            continue
        if m.group() == ".":
            bare = tok.lower().rstrip(".")
            if len(bare) == 1 or bare in _ABBREV or re.search(r"\.\w$", tok):
                if bare in _TITLE_ABBREV and text[m.end()] != " ":
                    pieces.append(text[start : m.end()] + " ")
                    start = m.end()
                continue
        cut = m.end()
        nxt = text[cut]
        if nxt in _CLOSE_QUOTES or (nxt == '"' and (text[start:p].count('"') + "".join(pieces).count('"')) % 2 == 1):
            cut += 1
        pieces.append(text[start:cut])
        out.append("".join(pieces).strip())
        pieces = []
        start = cut
    pieces.append(text[start:])
    out.append("".join(pieces).strip())
    return [p for p in out if p]


def _split_subhead(par: str) -> list[str]:
    """Split a subhead glued to the next sentence ("Rupture programméeOctobre 2021 est devenu…")."""
    if not _CAMEL.search(par, 0, 160):
        return [par]
    toks = par.split(" ")
    for i, tok in enumerate(toks[:12]):
        m = _CAMEL.search(tok)
        if not m:
            continue
        core = tok.strip(".,;:!?\"'«»“”()")
        if core.lower() in CAMEL_NAMES or core.lower().rstrip("s") in CAMEL_NAMES:
            continue
        cut = m.end()
        suffix = tok[cut:]
        word = re.match(r"[^\W\d_]+", suffix)
        if not word:
            continue
        w = word.group()
        rest_words = len(toks) - i - 1
        head_words = i + 1
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        starter = w.lower() in STOPWORDS or w.lower() in MONTHS or w.lower() in WEEKDAYS
        named = head_words >= 2 and nxt[:1].isupper() and w[1:].islower()
        if (starter or named) and rest_words >= 4 and any(c.islower() for c in w[1:] or "x"):
            head = " ".join([*toks[:i], tok[:cut]])
            tail = " ".join([suffix, *toks[i + 1 :]])
            return [head, *_split_subhead(tail)] if head.strip() else [par]
    return [par]


def _paragraphs(text: str, opts: CleanOptions) -> list[str]:
    if not opts.split_glued:
        return [text]
    out: list[str] = []
    for p in _split_glued(text):
        out.extend(_split_subhead(p))
    return out


# --------------------------------------------------------------------------------------------------- metadata


def _add(seq: list[str], item: str | None) -> None:
    if item and item not in seq:
        seq.append(item)


def _strip_title_site(text: str) -> tuple[str, str | None]:
    """("Headline | Outlet") -> ("Headline", "Outlet"): the <title> shape."""
    if len(text) > 250 or not (" | " in text or " - " in text or " – " in text or " — " in text):
        return text, None
    m = _TITLE_SUFFIX.match(text)
    if m and len(m.group("site").split()) <= 5:
        return m.group("title").strip(), m.group("site").strip()
    return text, None


def _title_like(ln: _Line) -> bool:
    return (
        2 <= ln.n_words <= 30
        and ln.chars <= 250
        and (ln.kind in (None, "dup", "lowdens", "tagword") or (ln.kind == "tags" and _phrase_in_list(ln.text)))
        and not ln.text.endswith(".")
        and ln.link == 0
        and not is_dateline(ln.text)  # "BOGOTA (Reuters) -" opens the dispatch under its headline
    )


def _phrase_in_list(text: str) -> bool:
    """A comma "list" with a clause in it ("Ingrid Betancourt, libérée, retrouve ses enfants") is a headline; a tag
    list ("Russie, OTAN, Diplomatie") has none."""
    return any(len(w := part.split()) >= 3 and any(x[:1].islower() for x in w[1:]) for part in text.split(","))


def _pick_title(lines: list[_Line], body_start: int, body_keys: set[str]) -> tuple[_Line | None, str | None]:
    """The headline: a title-like line before the body, preferably repeated and close to the body."""
    counts: Counter[str] = Counter()
    for ln in lines:
        counts[ln.key] += 1
        stripped, site = _strip_title_site(ln.text)
        if site:
            counts[_key(stripped)] += 1
    best: tuple[float, _Line, str] | None = None
    first_text = next((ln.idx for ln in lines if ln.kind not in ("url", "meta", "digits", "date")), 0)
    for ln in lines[:body_start] if body_start > 0 else lines[:1]:
        if not _title_like(ln) or ln.key in body_keys:
            continue
        stripped, _ = _strip_title_site(ln.text)
        k = _key(stripped)
        score = 2.0 * (counts[k] - 1)
        dist = body_start - ln.idx
        score += 1.5 if dist <= 3 else (1.0 if dist <= 8 else 0.0)
        score += 1.0 if ln.idx == first_text else 0.0
        score += min(ln.n_words, 12) / 12.0
        if ln.kind == "tagword":
            score -= 1.0
        if best is None or score > best[0]:
            best = (score, ln, stripped)
    if best is None:
        return None, None
    return best[1], best[2]


def _harvest_dates(ln: _Line, out: list[tuple[int, int, str]]) -> None:
    """Date candidates from a furniture line, ranked: published, then ISO stamps, then others, updates last."""
    parts = re.split(r"(?<!\s)\s*\|\s*|,\s*(?=(?:mis|mise|modifié|updated|actualisé)\b)|(?<!\s)\s+-\s+(?=\D)", ln.text)
    for part in parts:
        if not _DATE.search(part) or len(part.split()) > 16:
            continue
        if _UPDATED.search(part):
            rank = 4
        elif _DATE_CUE.search(part):
            rank = 0
        elif re.match(r"^\d{4}-\d{2}-\d{2}", part):
            rank = 1
        else:
            rank = 3
        out.append((rank, ln.idx, part.strip(" ,;-")))


def _site_candidates(ln: _Line, out: list[str]) -> None:
    text = ln.text
    if ln.kind == "credit":
        m = _CREDIT.match(text)
        if m:
            _add(out, m.group("site").strip())
    if "|" in text and (ln.kind == "date" or _DATE_CUE.search(text)):
        for part in text.split("|"):
            part = part.strip()
            if part and not _DATE.search(part) and len(part.split()) <= 4:
                _add(out, part)
    m = _COPYRIGHT.search(text) if ("©" in text or "opyright" in text or "(c)" in ln.low) else None
    if m:
        site = re.sub(r"\b(?:tous droits réservés|all rights reserved)\b.*", "", m.group("site"), flags=re.I).strip()
        if site and len(site.split()) <= 5:
            _add(out, site)
    if ln.kind == "contact":
        m = _EMAIL.search(text)
        if m:
            head = text[: m.start()].strip()
            if head and len(head.split()) <= 4 and head[0].isupper():
                _add(out, head)
    low = ln.low
    trigger = "exclusiv" in low or "newsletter" in low or "rédaction" in low or "équipe" in low or "abonne" in low
    m = _SITE_PHRASE.search(text) if trigger and ln.n_words <= 40 else None
    if m:
        art, name = m.group("art"), m.group("name").rstrip(".")
        if art in ("du",) and not name.startswith(("Le ", "La ", "Les ", "L'", "L’")):
            name = "Le " + name
        elif art == "des" and not name.startswith("Les "):
            name = "Les " + name
        _add(out, name)


def _tags_from(lines: list[_Line], body_start: int) -> list[str]:
    """Keywords from tag lists and "Tags:" headings, plus lone lower-case words before the body (rubrics, tags)."""
    tags: list[str] = []
    seen: set[str] = set()

    def add(t: str) -> None:
        t = t.strip(" .;:#-")
        if t and len(t) <= 60 and t.lower() not in seen:
            seen.add(t.lower())
            tags.append(t)

    for i, ln in enumerate(lines):
        if ln.kind == "tags":
            m = _TAG_HEAD.match(ln.text)
            if m:
                rest = m.group("rest")
                if rest:
                    for t in _tag_items(rest):
                        add(t)
                elif i + 1 < len(lines) and lines[i + 1].n_words <= 60 and lines[i + 1].kind in ("tags", None, "tagword"):
                    for t in _tag_items(lines[i + 1].text):
                        add(t)
            else:
                for t in _tag_items(ln.text):
                    add(t)
    for ln in lines[:body_start]:
        if ln.kind == "tagword":
            add(ln.text)
    return tags


def _comments(lines: list[_Line], end: int, body_idx: set[int], opts: CleanOptions) -> tuple[list[str], set[int]]:
    """Reader comments after the body: like-counter lines anywhere, sentence-like lines after a comment heading
    or just after the body's end cue."""
    out: list[str] = []
    used: set[int] = set()
    in_zone = False
    gap = 0
    saw_boundary = False
    last_block = -1
    for ln in lines[end + 1 :]:
        if ln.idx in body_idx:
            continue
        if ln.kind == "comment":
            m = _LIKE.match(ln.text)
            out.append(m.group("text").strip() if m else ln.text)
            used.add(ln.idx)
            in_zone, gap, last_block = True, 0, -1
            continue
        if ln.kind == "boundary":
            if _COMMENT_HEAD_RE.match(ln.low):
                in_zone, gap = True, 0
                continue
            saw_boundary = True
        if in_zone and _COMMENT_META_RE.match(ln.low):
            continue
        texty = (
            ln.kind in (None, "context")
            and ln.n_words >= 3
            and ln.stop >= 0.1
            and (ln.terminal or ln.n_words >= 8)
        )
        if texty and ((in_zone and gap <= opts.max_comment_gap * 2) or (saw_boundary and gap <= opts.max_comment_gap and ln.n_words >= 4)):
            if out and ln.block == last_block:
                out[-1] += "\n" + ln.text
            else:
                out.append(ln.text)
            used.add(ln.idx)
            last_block = ln.block
            in_zone, gap = True, 0
            continue
        gap += 1
    return out, used


# --------------------------------------------------------------------------------------------------- entry point


def clean_text(text: str, options: CleanOptions | None = None, *, model: BodyModel | None = None) -> CleanedText:
    """Split a scraped plain-text article into body paragraphs and metadata, dropping page furniture.

    Args:
        text: the decoded article text (any newline convention; BOM, NBSP and zero-width characters allowed).
        options: thresholds; ``CleanOptions()`` when omitted.
        model: a body model other than the shipped one (cross-validation trains one per fold).

    Returns:
        A ``CleanedText``; empty fields for empty input. Never raises on a ``str``: should an unexpected input
        defeat the heuristics, the non-blank lines are returned as the body and the failure is logged.

    Example:
        >>> c = clean_text("Titre de l'article\\n\\nPremier paragraphe, assez long pour être du corps de texte.\\n")
        >>> c.title, c.paragraphs
        ("Titre de l'article", ['Premier paragraphe, assez long pour être du corps de texte.'])
    """
    opts = options or CleanOptions()
    try:
        return _clean(text, opts, model)
    except Exception:  # a cleaner must not stop a batch; the body survives unfiltered
        log.exception("clean_text failed; returning unfiltered lines")
        lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
        return CleanedText(paragraphs=lines)


def _prepare(text: str, opts: CleanOptions) -> tuple[list[_Line], Counter[str], int, int, float, _PageLang]:
    """Lines with their cues and hand-tuned classes, and the densest body region (``lo``..``hi``)."""
    lines = _split_lines(_normalise(text))
    # Stop words and furniture cues of the page's language: German prose is not "low density" because it is not
    # French (French and English pages keep the lists the rule was tuned on).
    lang, page_stop = _doc_stopwords(lines)
    other = page_stop is not None and lang not in ("fr", "en")
    stop = STOPWORDS | page_stop if other and page_stop is not None else STOPWORDS
    cues = (_MORE_BOUNDARY, _MORE_FURN) if other else None  # "Lesen Sie auch", "Leer más" as "Lire aussi"
    for ln in lines:
        _features(ln, stop)
        _classify(ln, opts, cues)
    # Short lines seen more than once are titles or furniture, never body.
    counts = Counter(ln.key for ln in lines)
    for ln in lines:
        if counts[ln.key] > 1 and ln.cls in ("short", "near") and ln.key and not ln.text.endswith(_SENTENCE_ENDS):
            ln.cls, ln.kind = "bad", "dup"
    _smooth(lines, opts)
    lo, hi, score = _best_region(lines, opts)
    if score < opts.min_body_score:
        lo, hi = 0, -1
    return lines, counts, lo, hi, score, (lang, page_stop)


def _clean(text: str, opts: CleanOptions, model: BodyModel | None = None) -> CleanedText:
    lines, counts, lo, hi, score, page_lang = _prepare(text, opts)
    result = CleanedText()
    if not lines:
        return result
    # Body lines: those the learned model decodes as body (else the good lines of the region), each paragraph once.
    body_model = (model or _model()) if opts.learned else None
    trust = body_model.rule_trust if opts.rule_trust is None and body_model is not None else opts.rule_trust
    if body_model is not None and score >= (math.inf if trust is None else trust) and page_lang[0] in ("fr", "en"):
        body_model = None  # a clear region on a French or English page: the rule it was tuned for keeps it
    if body_model is not None:
        pl = PageLines(lines, [], page_lang[0], (lo, hi), score, page_lang[1])
        labels = pl.decode(body_model.scores(_rows(lines, counts, lo, hi, page_lang)), body_model.switch_cost)
        chosen = [ln for ln, keep in zip(lines, labels, strict=True) if keep]
    else:
        chosen = [ln for ln in lines[lo : hi + 1] if ln.cls == "good"]
    body: list[_Line] = []
    seen: set[str] = set()
    for ln in chosen:
        if ln.key not in seen:
            body.append(ln)
            seen.add(ln.key)
    body_keys = {ln.key for ln in body}

    # Title: before the body; an RPM2-style first line (title, then prose) works too.
    start = body[0].idx if body else len(lines)
    title_ln, title = _pick_title(lines, start, body_keys)
    if title_ln is None and body and _title_like(body[0]) and not body[0].terminal and len(body) > 1:
        title_ln, title = body[0], body[0].text
        body = body[1:]
    result.title = title
    if title:
        tkey = _key(title)
        body = [ln for ln in body if ln.key != tkey]
    body_idx = {ln.idx for ln in body}

    # Standfirst: a credit line ("… 19.10.2021, Sputnik France") or prose between the title and the body.
    dates: list[tuple[int, int, str]] = []
    t_idx = title_ln.idx if title_ln is not None else -1
    for ln in lines[t_idx + 1 : body[0].idx if body else len(lines)]:
        if ln.kind == "credit":
            m = _CREDIT.match(ln.text)
            if m and result.standfirst is None:
                result.standfirst = (m.group("text").rstrip() + "…").strip()
                dates.append((2, ln.idx, m.group("date")))
            break
        if (
            ln.kind is None
            and ln.n_words >= 10
            and ln.terminal
            and ln.stop >= opts.near_stop_density
            and ln.key != _key(title or "")
        ):
            result.standfirst = ln.text
            break

    end = body[-1].idx if body else (t_idx if t_idx >= 0 else -1)
    result.comments, comment_idx = _comments(lines, end, body_idx, opts)

    # Metadata from the dropped lines.
    authors: list[str] = []
    urls: list[tuple[int, int, str]] = []
    sites: list[str] = []
    for ln in lines:
        if ln.idx in body_idx:
            continue
        result.furniture.append(ln.text)
        if ln.idx in comment_idx:
            continue
        kind = ln.kind
        if kind == "author":
            _add(authors, _URL.sub(" ", ln.text).strip(" -|,:;"))
        elif kind == "byline":
            for name in _byline_names(ln.text):
                _add(authors, name)
        if kind in ("date", "credit") or (
            ln.n_nums and ln.n_words <= 24 and _DATE_CUE.search(ln.text) and _DATE.search(ln.text)
        ):
            if kind == "credit":
                m = _CREDIT.match(ln.text)
                if m:
                    dates.append((2, ln.idx, m.group("date")))
            else:
                _harvest_dates(ln, dates)
        if ln.link > 0:
            for u in _URL.findall(ln.text):
                u = u.rstrip(".,;)")
                if _ASSET.search(u) or "/img/" in u or "/images/" in u:
                    continue
                path = u.split("//", 1)[-1].partition("/")[2]
                rank = 0 if (path.count("-") >= 2 or re.search(r"\d{4,}", path)) else (1 if path else 2)
                urls.append((rank, ln.idx, u))
        _site_candidates(ln, sites)
        if kind == "date" and not authors and ln.idx > 0:
            # A bare name right next to a date stamp, before the body, is the byline ("Jeanne Corriveau").
            for j in (ln.idx - 1, ln.idx + 1):
                if 0 <= j < len(lines) and lines[j].idx not in body_idx and j < start and _is_name(lines[j].text):
                    _add(authors, lines[j].text)
    if title_ln is not None:
        _, _site = _strip_title_site(title_ln.text)
        for ln in lines:
            stripped, s = _strip_title_site(ln.text)
            if s and _key(stripped) == _key(title or ""):
                _add(sites, s)
    result.authors = authors
    result.date_strings = []
    # Stamps after the body (comment times, "most read" lists) come last.
    for _, _, d in sorted((r + (10 if i > end else 0), i, d) for r, i, d in dates):
        _add(result.date_strings, d)
    result.urls = []
    for _, _, u in sorted(urls):
        _add(result.urls, u)
    result.site_names = sites
    result.tags = _tags_from(lines, start)

    paragraphs: list[str] = []
    for ln in body:
        for p in _paragraphs(ln.text, opts):
            if p.endswith(("Fin", "FIN", ")", "]")):
                p = _END_MARK.sub("", p).strip()
            if p:
                paragraphs.append(p)
    result.paragraphs = paragraphs
    return result
