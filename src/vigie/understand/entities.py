"""Named entities: model mentions repaired by the lexicon, role phrases, and canonical entities across a story.

spaCy's French model finds most names but trips in repeatable ways: it glues a role or an acronym to a name
("OTAN Jens Stoltenberg", "Président russe Dmitri Peskov"), drags a prepositional phrase into an organisation
("Alliance de huit représentants russes"), splits or mislabels names ("Heiko" MISC) and tags "Kremlin" as a place.
Each repair here is a small rule; the lexicon supplies types and aliases. Role phrases ("le porte-parole du
Kremlin") are mentions too: an apposed name ("le porte-parole du Kremlin Dmitri Peskov") ties the role to a person,
so a later bare role, or one in another article of the story, resolves to that person.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vigie.text import fold, fold_char
from vigie.understand.lexicon import Lexicon, norm_key

if TYPE_CHECKING:  # types only: importing the package must not load spaCy (the CLI and server start)
    from spacy.tokens import Doc, Span, Token

__all__ = ["Entity", "EntityOptions", "Mention", "RoleKey", "canonicalize", "extract_mentions", "role_key"]

ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
# Model labels -> Vigie types (French models use PER/ORG/LOC/MISC, English ones OntoNotes); others are not names.
_LABELS = {
    "PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC", "PERSON": "PER", "GPE": "LOC", "FAC": "LOC", "NORP": "MISC",
    "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
}
_PARTICLES = {"de", "du", "des", "d'", "la", "le", "von", "van", "der", "den", "bin", "ben", "al", "el", "di", "da", "ibn", "y", "e", "et", "l'", "ter", "dos"}
# "Me" and "Mr" need a space after them: "Medvedev" and "Mrs" are not titles plus a name.
# Titles that do not tell gender (a lawyer, a doctor, a professor): gender comes from the first name after them.
_NEUTRAL_TITLES = frozenset({"me", "maitre", "dr", "docteur", "pr", "professeur", "mgr"})
_TITLE_RE = re.compile(r"^(?:M\.\s*|(?:Mme|Mlle|Mrs\.?|Ms\.?|Mr\.?|Dr\.?|Pr\.?|Me)\s+)", re.UNICODE)
_LEADING_DET_RE = re.compile(r"^(?:l['’]|le |la |les |de |du |des |d['’]|au |aux |the )", re.IGNORECASE)
_DEFINITE = {"le", "la", "l'", "l’", "du", "au", "de", "the", "his", "her", "its", "their"}
_FEMININE_DET = {"la", "une", "cette", "sa"}
_MASCULINE_DET = {"le", "un", "ce", "du", "au", "son"}
_ROLE_WORDS = {"president", "presidente", "premier", "ministre", "chef", "secretaire", "general", "roi", "reine", "pape"}
_FEMININE_ROLES = {"presidente", "ambassadrice", "representante", "directrice", "dirigeante", "chanceliere", "conseillere", "patronne", "deputee", "senatrice", "reine", "vice-presidente"}


@dataclass(frozen=True, slots=True)
class EntityOptions:
    """Which layers over the model's entities run; each is kept only while it raises held-out F1
    (``eval/eval_entities.py`` measures each one switched off)."""

    repair: bool = True  # split or trim glued model spans ("OTAN Jens Stoltenberg")
    lexicon: bool = True  # the lexicon's aliases and types, and the spans it finds that the model missed
    role_names: bool = True  # names apposed to a role phrase, and no place or organisation inside a role
    shape: bool = True  # drop spans a name cannot be: lower-case words, digits, more than five words for a person
    junk: bool = True  # drop the lexicon's non-entities (weekdays, verbs, pronouns)


DEFAULT_OPTIONS = EntityOptions()


@dataclass(frozen=True, slots=True)
class RoleKey:
    """A normalised role: "ministre russe des Affaires étrangères" -> (ministre de affaires etrangeres, russie)."""

    base: str
    nationality: str | None = None

    def covers(self, other: RoleKey) -> bool:
        """Whether this (possibly bare) role can refer to ``other``: "le ministre" covers the full minister role."""
        if self.nationality and self.nationality != other.nationality:
            return False
        mine, theirs = self.base.split(), other.base.split()
        return mine[0] == theirs[0] and set(mine) <= set(theirs)

    def __str__(self) -> str:
        return f"{self.base} ({self.nationality})" if self.nationality else self.base


@dataclass(slots=True)
class Mention:
    """One mention of an entity (or of a role) in one article, with character and token offsets."""

    text: str
    name: str
    type: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    sent: int
    gender: str | None = None
    role: RoleKey | None = None
    definite: bool = True
    person: str | None = None  # for a role mention: the named person it stands for, when known
    is_subject: bool = False

    @property
    def is_role(self) -> bool:
        return self.role is not None and self.type == "ROLE"


@dataclass(slots=True)
class Entity:
    """A canonical entity of an article or a story, with every surface form it was seen under."""

    name: str
    type: str
    count: int = 0
    gender: str | None = None
    forms: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "count": self.count}


def _clean_surface(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.;:!?\"'«»“”()-–—")
    prev = None
    while prev != text:
        prev = text
        text = _LEADING_DET_RE.sub("", text).strip()
    if text.endswith((" de", " du", " des", " d'", " d’")):
        text = text.rsplit(" ", 1)[0]
    return text.strip()


def _is_cap(word: str) -> bool:
    return bool(word) and (word[0].isupper() or (len(word) > 1 and word[0] in "'’" and word[1].isupper()))


def _display(name: str) -> str:
    """All-capital words of a dateline ("BRUXELLES") read better, and merge, in title case."""
    words = name.split()
    if all(w.isupper() and len(w) > 4 for w in words if w.isalpha()) and any(w.isalpha() for w in words):
        return " ".join(w.capitalize() if w.isalpha() else w for w in words)
    return name


def role_key(text: str, lex: Lexicon) -> RoleKey:
    """Normalise a role phrase: prepositions, aliases and synonyms folded, nationality pulled out."""
    s = fold(text)
    s = re.sub(r"\b(?:du|des|de la|de l'|d')\s*", "de ", s)
    s = re.sub(r"^(?:le|la|l'|les|un|une|son|sa|ce|cette)\s*", "", s)
    for syn, repl in sorted(lex.role_synonyms.items(), key=lambda kv: -len(kv[0])):
        syn_n = re.sub(r"\b(?:du|des|de la|de l'|d')\s*", "de ", syn)
        s = re.sub(rf"\b{re.escape(syn_n)}\b", repl, s)
    words: list[str] = []
    nat: str | None = None
    for w in s.split():
        if w in lex.nationalities and words:
            nat = fold(lex.nationalities[w])
            continue
        hit = lex.aliases.get(w)
        words.append(fold(hit[0]) if hit else w)
    while words and words[-1] == "de":
        words.pop()
    return RoleKey(" ".join(words), nat)


def doc_text(doc: Doc) -> str:
    """``doc.text``, made once per document (spaCy joins a Token object per token on every call) and kept in its
    ``user_data``."""
    found = doc.user_data.get("vigie_text")
    if isinstance(found, str):
        return found
    text = doc.text
    doc.user_data["vigie_text"] = text
    return text


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def _folded_words(doc: Doc) -> list[str]:
    """Each token folded, read as an array: a Token object per token cost more than the folding."""
    from spacy.attrs import ORTH

    if not len(doc):
        return []
    import numpy as np

    strings = doc.vocab.strings
    words, where = np.unique(doc.to_array(ORTH), return_inverse=True)  # each distinct word folded once
    folded = [_fold_word(strings[o]) for o in words.tolist()]
    return [folded[k] for k in where.reshape(-1).tolist()]


def _role_spans(doc: Doc, lex: Lexicon) -> list[tuple[int, int, str | None, str | None]]:
    """Token spans (start, end, determiner, gender) of role phrases: head noun plus its adjectives and complements."""
    by_first: dict[str, list[list[str]]] = {}
    for head in lex.role_heads:
        by_first.setdefault(head.split()[0], []).append(head.split())
    folded = _folded_words(doc)
    out: list[tuple[int, int, str | None, str | None]] = []
    i = 0
    n = len(doc)
    while i < n:
        matched = 0
        for h in by_first.get(folded[i], ()):
            if folded[i : i + len(h)] == h:
                matched = len(h)
                break
        if not matched:  # most words head no role: no Token object is made for them
            i += 1
            continue
        # "General Electric", "Forces armées": a capitalised head inside a model organisation or place is its name.
        inside_name = doc[i].text[:1].isupper() and doc[i].ent_type_ in ("ORG", "LOC", "MISC", "GPE", "FAC")
        if inside_name or (i > 0 and doc[i - 1].is_title and folded[i - 1] not in {"le", "la", "l'", "un", "une"}):
            i += 1
            continue
        # The determiner decides definiteness and gender; an adjective may sit between ("le dernier représentant").
        j = i - 1
        while j >= 0 and doc[j].pos_ == "ADJ" and i - j <= 2:
            j -= 1
        det = folded[j] if j >= 0 and doc[j].pos_ in {"DET", "ADP"} else None
        if det in {"les", "des", "aux"} or doc[i].morph.get("Number", []) == ["Plur"]:
            i += matched
            continue
        end = i + matched
        while end < n:
            t = doc[end]
            low = folded[end]
            if t.pos_ == "ADJ" and t.text[:1].islower():
                end += 1
                continue
            if low in {"de", "du", "des", "d'", "de la", "en"} and end + 1 < n:
                k = end + 1
                if fold(doc[k].text) in {"la", "l'", "le"}:
                    k += 1
                if k < n and doc[k].pos_ in {"NOUN", "PROPN"} and not _starts_person(doc, k):
                    end = k + 1
                    continue
            if low == "chef" and end > i:
                end += 1
                continue
            break
        gender = None
        if det in _FEMININE_DET:
            gender = "F"
        elif det in _MASCULINE_DET:
            gender = "M"
        if fold(doc[i].text) in _FEMININE_ROLES:
            gender = "F"
        out.append((i, end, det, gender))
        i = end
    return out


def _starts_person(doc: Doc, k: int) -> bool:
    t = doc[k]
    return t.ent_iob_ == "B" and t.ent_type_ == "PER" and fold(t.text) not in _ROLE_WORDS


def extract_mentions(doc: Doc, lex: Lexicon, options: EntityOptions = DEFAULT_OPTIONS) -> list[Mention]:
    """Entity and role mentions of a parsed article, repaired and typed, in text order."""
    sent_of = _sentence_index(doc)
    found: list[Mention] = []

    def add(span: Span, name: str, typ: str, gender: str | None = None) -> None:
        name = _display(name)
        if not name or len(name) < 2 or name.isdigit():
            return
        # Weekdays and months are never people or organisations ("Vendredi, Ingrid Betancourt a…"), but "Mars" is a place.
        if options.junk and fold(name) in lex.not_entities and not (typ == "LOC" and fold(name) in lex.time_words):
            return
        found.append(
            Mention(span.text, name, typ, span.start_char, span.end_char, span.start, span.end, sent_of[span.start], gender)
        )

    for ent in doc.ents:
        if ent.label_ not in _LABELS:
            continue
        pieces = _repair(doc, ent, lex) if options.repair else [(ent, _LABELS[ent.label_])]
        for span, typ in pieces:
            _add_typed(span, typ, lex, add, options)

    # "Anne-Colombe de la Taille": particles and a capitalised word the model left outside a person's name.
    for i, m in enumerate(found):
        if m.type != "PER":
            continue
        k = m.tok_end
        while k < len(doc) and fold(doc[k].text) in {"de", "la", "du", "d'", "des", "le"} and k - m.tok_end < 2:
            k += 1
        # The word may carry a model tag of its own ("Taille" LOC) only when that tag was junk.
        free = k < len(doc) and (not doc[k].ent_type_ or fold(doc[k].text) in lex.not_entities)
        if k > m.tok_end and free and _is_cap(doc[k].text) and doc[k].is_alpha:
            span = doc[m.tok_start : k + 1]
            found[i] = Mention(span.text, _clean_surface(span.text), "PER", span.start_char, span.end_char, span.start,
                               span.end, m.sent, m.gender)

    # Lexicon aliases the model missed ("l'Alliance" untagged, "Organisation du traité de l'Atlantique nord" cut).
    for span, canonical, typ in _lexicon_spans(doc, lex) if options.lexicon else ():
        found = [m for m in found if m.tok_end <= span.start or m.tok_start >= span.end or (m.tok_end - m.tok_start) > len(span)]
        if not any(m.tok_start <= span.start and m.tok_end >= span.end for m in found):
            add(span, canonical, typ)

    # Role phrases, and the name apposed to them ("le ministre allemand des Affaires étrangères Heiko Maas").
    roles = _role_spans(doc, lex)
    for start, end, det, gender in roles:
        span = doc[start:end]
        if options.role_names:
            found = [m for m in found if not (m.type in ("ORG", "LOC", "MISC") and m.tok_start < end and m.tok_end > start and m.tok_start <= start)]
        key = role_key(span.text, lex)
        m = Mention(span.text, str(key), "ROLE", span.start_char, span.end_char, start, end, sent_of[start], gender)
        m.role = key
        m.definite = det in _DEFINITE or det is None
        found.append(m)
        person = _apposed_name(doc, start, end, found) if options.role_names else None
        if person is not None:
            ps, pe = person
            if not any(x.type == "PER" and x.tok_start <= ps and x.tok_end >= pe for x in found):
                found = [x for x in found if x.tok_end <= ps or x.tok_start >= pe or x.type == "ROLE"]
                add(doc[ps:pe], _clean_surface(doc[ps:pe].text), "PER")
    found.sort(key=lambda m: (m.tok_start, m.type == "ROLE"))
    # A first name or a title outweighs the gender of a role the name is apposed to (a wrong link must not make
    # "Ingrid Betancourt" a man); the role's gender outweighs the agreement of the clause.
    for m in found:
        if m.type == "PER" and m.gender is None:
            m.gender = person_gender(m.text, lex)
    _link_roles(doc, found, roles)
    _mark_subjects(doc, found)
    for m in found:
        if m.type == "PER" and m.gender is None:
            m.gender = _agreement_gender(doc, m)
    # One person, one gender across the article: what one mention shows holds for "Betancourt" alone too.
    known: dict[str, Counter[str]] = defaultdict(Counter)
    for m in found:
        if m.type == "PER" and m.gender:
            known[surname_key(m.name)][m.gender] += 1
    for m in found:
        if m.type == "PER" and m.gender is None:
            votes = known.get(surname_key(m.name))
            if votes and len(votes) == 1:
                m.gender = next(iter(votes))
    return found


def _add_typed(span: Span, typ: str, lex: Lexicon, add: Any, options: EntityOptions = DEFAULT_OPTIONS) -> None:
    surface = _clean_surface(span.text)
    hit = lex.lookup(surface) if options.lexicon else None
    # Short aliases are acronyms only in capitals: "UN" is the UN, a sentence-initial "Un" is not.
    if hit and len(surface) <= 3 and not surface.isupper():
        hit = None
    if hit:
        add(span, hit[0], hit[1])
        return
    if not surface:
        return
    if not options.shape:
        add(span, _TITLE_RE.sub("", surface).strip() if typ == "PER" else surface, typ if typ in ENTITY_TYPES else "MISC")
        return
    words = surface.split()
    if typ == "PER" and not _is_cap(surface):
        return
    if typ == "PER":
        surface = _TITLE_RE.sub("", surface).strip()
        words = surface.split()
        if not words or len(words) > 5 or any(not _is_cap(w) and fold(w) not in _PARTICLES for w in words):
            return
        if any(ch.isdigit() for ch in surface):
            return
        add(span, surface, "PER")
        return
    if typ not in ENTITY_TYPES:
        typ = "MISC"
    # An organisation or place needs a capital somewhere ("ministère de la Culture", "Forces démocratiques
    # syriennes" are names); one that starts lower-case and is mostly lower-case is a phrase the model over-extended.
    lower = [w for w in words if not _is_cap(w) and fold(w) not in _PARTICLES]
    if not any(_is_cap(w) for w in words) or (not _is_cap(surface) and len(lower) > len(words) / 2) or len(words) > 8:
        return
    # "les Français", "Européen": a people is not a place or an organisation.
    if len(words) == 1 and typ in ("LOC", "ORG") and fold(surface) in lex.demonyms:
        typ = "MISC"
    add(span, surface, typ)


_HEAD_SETS: dict[int, tuple[Lexicon, int, frozenset[str]]] = {}


def _head_set(lex: Lexicon) -> frozenset[str]:
    """``lex.role_heads`` as a set, made once per lexicon (and again if its list changes length)."""
    got = _HEAD_SETS.get(id(lex))
    if got is None or got[0] is not lex or got[1] != len(lex.role_heads):
        got = _HEAD_SETS[id(lex)] = (lex, len(lex.role_heads), frozenset(lex.role_heads))
    return got[2]


def _repair(doc: Doc, ent: Span, lex: Lexicon) -> Iterable[tuple[Span, str]]:
    """Split or trim one model entity into the mentions it really holds."""
    label = _LABELS.get(ent.label_, "MISC")
    toks = list(ent)
    while toks and (toks[-1].is_space or toks[-1].is_punct):
        toks.pop()
    if not toks:
        return
    start, end = toks[0].i, toks[-1].i + 1
    # "Turquie - Croatie" (a match, a route): two names joined by a dash.
    dash = [t.i for t in doc[start:end] if t.text in ("-", "–", "—") and t.whitespace_ and doc[t.i - 1].whitespace_]
    if len(dash) == 1 and start < dash[0] < end - 1 and _is_cap(doc[dash[0] + 1].text):
        yield doc[start : dash[0]], label
        yield doc[dash[0] + 1 : end], label
        return
    # Leading role words or a known acronym glued to a name: "Président russe Dmitri Peskov", "OTAN Jens Stoltenberg".
    k = start
    heads = _head_set(lex)
    while k < end and (fold(doc[k].text) in heads or fold(doc[k].text) in lex.nationalities or not _is_cap(doc[k].text)):
        k += 1
    if k > start and end - k >= 1 and label == "PER":
        yield doc[k:end], "PER"
        return
    for cut in range(end - 1, start, -1):
        head = doc[start:cut]
        if lex.lookup(_clean_surface(head.text)):
            rest = doc[cut:end]
            rest_words = [t.text for t in rest]
            if len(rest_words) >= 2 and all(_is_cap(w) for w in rest_words):
                yield head, label
                yield rest, "PER"
                return
            if rest_words and not _is_cap(rest_words[0]):
                # "Alliance de huit représentants russes": keep the alias, drop the over-extension.
                yield head, label
                return
    yield doc[start:end], label


def _lexicon_spans(doc: Doc, lex: Lexicon) -> Iterable[tuple[Span, str, str]]:
    text = doc_text(doc)
    folded_aliases = sorted(lex.aliases, key=len, reverse=True)
    pattern = _alias_regex(tuple(folded_aliases))
    # Fold keeps offsets only if no character changes length; NFKD accent stripping is per character, so use a
    # length-preserving fold for matching.
    ftext = "".join(map(fold_char, text))
    for m in pattern.finditer(ftext):
        raw = text[m.start() : m.end()]
        if len(raw) <= 3 and not raw.isupper():
            continue  # acronyms only in capitals: a sentence-initial "Un" is not the UN
        if not raw[:1].isupper():
            # Lower-case aliases count only after a definite article: "l'alliance" is NATO, "une alliance" is not.
            before = ftext[max(0, m.start() - 2) : m.start()]
            if before != "l'" or " " in raw or len(raw) < 4:
                continue
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        canonical, typ = lex.aliases[m.group(0)]
        yield span, canonical, typ


_ALIAS_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _alias_regex(aliases: tuple[str, ...]) -> re.Pattern[str]:
    pat = _ALIAS_CACHE.get(aliases)
    if pat is None:
        alts = "|".join(re.escape(a) for a in aliases if len(a) > 1)
        pat = re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")
        _ALIAS_CACHE[aliases] = pat
    return pat


def _apposed_name(doc: Doc, start: int, end: int, found: list[Mention]) -> tuple[int, int] | None:
    """Token span of a name apposed to the role at [start, end): right after it (optionally after a comma), or
    right before it ("Jens Stoltenberg, secrétaire général de l'Otan")."""
    k = end
    if k < len(doc) and doc[k].text == ",":
        k += 1
    per = next((m for m in found if m.type == "PER" and m.tok_start == k), None)
    if per is not None:
        return per.tok_start, per.tok_end
    # An untagged run of capitalised words right after the role is a name the model missed.
    j = k
    while j < len(doc) and j - k < 3 and _is_cap(doc[j].text) and doc[j].is_alpha and doc[j].pos_ in {"PROPN", "NOUN", "ADJ", "X"}:
        j += 1
    if j - k >= 2 and not any(m.tok_start < j and m.tok_end > k and m.type not in ("PER", "MISC") for m in found):
        return k, j
    # Post-posed role: "Oana Lungescu, porte-parole de l'Alliance".
    det_before = start > 0 and doc[start - 1].pos_ == "DET"
    if not det_before and start >= 2 and doc[start - 1].text == ",":
        per = next((m for m in found if m.type == "PER" and m.tok_end == start - 1), None)
        if per is not None:
            return per.tok_start, per.tok_end
    return None


def _link_roles(doc: Doc, mentions: list[Mention], roles: Sequence[tuple[int, int, str | None, str | None]]) -> None:
    """Tie each role mention to the name apposed to it (its ``person``), and give that name the role's gender."""
    by_start = {m.tok_start: m for m in mentions if m.type == "PER"}
    by_end = {m.tok_end: m for m in mentions if m.type == "PER"}
    for m in mentions:
        if m.type != "ROLE":
            continue
        k = m.tok_end
        # "le directeur général de la police nationale (DGPN) Frédéric Péchenard": an acronym in brackets between.
        if k + 2 < len(doc) and doc[k].text == "(" and doc[k + 2].text == ")" and doc[k + 1].text.isupper():
            k += 3
        k += 1 if k < len(doc) and doc[k].text == "," else 0
        per = by_start.get(k)
        # "le vice-président de la Fédération internationale des comités Ingrid Betancourt (Ficib), Olivier Roubi":
        # a name followed by its organisation's acronym belongs to the organisation's name; the role holder follows.
        if per is not None and k == m.tok_end and per.tok_end < len(doc) and doc[per.tok_end].text == "(":
            close = next((i for i in range(per.tok_end + 1, min(len(doc), per.tok_end + 5)) if doc[i].text == ")"), None)
            if close is not None and close + 1 < len(doc) and doc[close + 1].text == ",":
                per = by_start.get(close + 2, per)
        if per is None and m.tok_start >= 2 and doc[m.tok_start - 1].text == "," and doc[m.tok_start - 1 : m.tok_start][0].i - 1 >= 0:
            prev = by_end.get(m.tok_start - 1)
            if prev is not None and doc[m.tok_start].pos_ != "DET":
                per = prev
        if per is not None:
            m.person = per.name
            if per.gender is None and m.gender is not None:
                per.gender = m.gender


def _mark_subjects(doc: Doc, mentions: list[Mention]) -> None:
    """Flag mentions that are the subject of their clause: pronouns resolve to recent subjects first."""
    for m in mentions:
        for t in doc[m.tok_start : m.tok_end]:
            # "Le médecin-chef de l'Elysée, Christophe Fernandez, … a examiné": a name apposed to a subject is one.
            # The parser often takes a name after a comma for a conjunct of a noun subject ("Le médecin-chef de
            # l'Elysée, Christophe Fernandez, …"): one with no "et"/"ou" is apposed to it.
            apposed = t.head.dep_ in {"nsubj", "nsubj:pass"} and (t.dep_ == "appos" or (
                t.dep_ == "conj" and t.pos_ == "PROPN" and t.head.pos_ == "NOUN" and t.i > 0 and doc[t.i - 1].text == ","
                and not any(c.dep_ == "cc" for c in t.children)))
            if t.dep_ in {"nsubj", "nsubj:pass", "obl:agent"} or apposed or (t.head.i == t.i and t.pos_ != "VERB"):
                m.is_subject = True
                break


def _sentence_index(doc: Doc) -> list[int]:
    """The sentence of each token, as ``doc.sents`` counts them (a sentence starts where SENT_START is 1), read as
    an array."""
    import numpy as np
    from spacy.attrs import SENT_START

    if not len(doc) or not doc.has_annotation("SENT_START"):
        out = [0] * len(doc)
        for si, s in enumerate(doc.sents):
            for t in s:
                out[t.i] = si
        return out
    starts = doc.to_array(SENT_START).astype("int64") == 1
    starts[0] = False
    return np.cumsum(starts).tolist()


def person_gender(name: str, lex: Lexicon) -> str | None:
    """Gender hint from a title ("M.", "Mme") or a first name."""
    words = name.replace(".", ". ").split()
    if not words:
        return None
    first = fold(words[0])
    if first in lex.titles_male:
        return "M"
    if first in lex.titles_female:
        return "F"
    # "Me Cécile Bernaille", "Dr Jane Smith": a title that says nothing of gender; the first name after it does.
    if first.rstrip(".") in _NEUTRAL_TITLES and len(words) >= 3:
        words = words[1:]
    if len(words) >= 2:
        # An unknown first name says nothing: guessing "M" gave women's words to men.
        return lex.first_name_gender(words[0])
    return None


def _agreement_gender(doc: Doc, m: Mention) -> str | None:
    """Gender a person's clause shows: "Ingrid Betancourt est arrivée", "l'ex-otage, libérée mercredi"."""
    head = doc[m.tok_start : m.tok_end].root
    votes: list[str] = []
    if head.dep_ in ("nsubj", "nsubj:pass"):
        verb = head.head
        for t in [verb, *verb.children]:
            if t.i != head.i and (t.pos_ == "ADJ" or t.morph.get("VerbForm", []) == ["Part"]) and t.dep_ not in ("obj", "obl"):
                votes.extend(g for g in t.morph.get("Gender", []) if t.morph.get("Number", []) != ["Plur"])
    for t in head.children:
        if t.dep_ in ("amod", "acl", "appos") and (t.pos_ == "ADJ" or t.morph.get("VerbForm", []) == ["Part"]):
            votes.extend(t.morph.get("Gender", []))
    if "Fem" in votes and "Masc" not in votes:
        return "F"
    if "Masc" in votes and "Fem" not in votes:
        return "M"
    return None


def surname_key(name: str) -> str:
    """Fold of the last word of a person's name: "M. Lavrov" and "Sergueï Lavrov" share it."""
    return fold(_TITLE_RE.sub("", name).split()[-1]) if name.split() else ""


def canonicalize(mentions: Iterable[Mention], lex: Lexicon) -> tuple[list[Entity], dict[tuple[str, str], str]]:
    """Merge mentions (from one article or a whole story) into canonical entities.

    Returns the entities, most mentioned first, and a map (type, surface name) -> canonical name. People: a full
    name is canonical; a surname alone or with a title joins the full name ending with it; spellings that differ
    only in accents ("Valeri"/"Valéri") merge. Organisations and places: the lexicon's canonical name, else the
    accent- and case-folded form.
    """
    ms = [m for m in mentions if m.type in ENTITY_TYPES]
    name_map: dict[tuple[str, str], str] = {}
    # People first: group full names by folded form, then attach surnames.
    per_forms: Counter[str] = Counter(m.name for m in ms if m.type == "PER")
    full: dict[str, list[str]] = defaultdict(list)
    for name in per_forms:
        clean = _TITLE_RE.sub("", name).strip()
        if len(clean.split()) >= 2:
            full[fold(clean)].append(name)
    canon_of_full: dict[str, str] = {}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for key, names in full.items():
        best = max(names, key=lambda n: (per_forms[n], sum(not c.isascii() for c in n)))
        canon_of_full[key] = best
        by_surname[surname_key(best)].add(key)
    # Two spellings of one first name ("Sergeï"/"Sergueï") with the same surname and initial are one person.
    for sk, keys in by_surname.items():
        if len(keys) > 1:
            groups: dict[str, list[str]] = defaultdict(list)
            for k in sorted(keys):  # sorted: ties below go the same way whatever the hash seed
                groups[k[:1]].append(k)
            for members in groups.values():
                best_key = max(members, key=lambda k: sum(per_forms[n] for n in full[k]))
                for k in members:
                    canon_of_full[k] = canon_of_full[best_key]
            by_surname[sk] = {canon_of_full_key for canon_of_full_key in keys}
    for name in per_forms:
        clean = _TITLE_RE.sub("", name).strip()
        if fold(clean) in canon_of_full:
            name_map[("PER", name)] = canon_of_full[fold(clean)]
            continue
        cands = {canon_of_full[k] for k in by_surname.get(surname_key(clean), set())}
        name_map[("PER", name)] = next(iter(cands)) if len(cands) == 1 else clean
    # Everything else.
    other_forms: dict[str, Counter[str]] = defaultdict(Counter)
    other_type: dict[str, Counter[str]] = defaultdict(Counter)
    for m in ms:
        if m.type == "PER":
            continue
        hit = lex.lookup(m.name)
        key = fold(hit[0]) if hit else norm_key(m.name)
        other_forms[key][hit[0] if hit else m.name] += 1
        other_type[key][hit[1] if hit else m.type] += 1
    canon_other: dict[str, tuple[str, str]] = {}
    for key, forms in other_forms.items():
        hit = lex.lookup(key)
        name = hit[0] if hit else forms.most_common(1)[0][0]
        typ = hit[1] if hit else other_type[key].most_common(1)[0][0]
        canon_other[key] = (name, typ)
    entities: dict[tuple[str, str], Entity] = {}
    for m in ms:
        if m.type == "PER":
            name, typ = name_map[("PER", m.name)], "PER"
        else:
            hit = lex.lookup(m.name)
            key = fold(hit[0]) if hit else norm_key(m.name)
            name, typ = canon_other[key]
            # A lone surname the model typed as a place ("Lavrov" LOC) is the person when the story names them.
            if typ != "PER" and not hit and len(name.split()) == 1:
                cands = {canon_of_full[k] for k in by_surname.get(fold(name), set())}
                if len(cands) == 1:
                    name, typ = next(iter(cands)), "PER"
            name_map[(m.type, m.name)] = name
        ent = entities.setdefault((typ, name), Entity(name, typ))
        ent.count += 1
        ent.forms.add(m.text.strip())
        if m.gender and not ent.gender:
            ent.gender = m.gender
    ordered = sorted(entities.values(), key=lambda e: (-e.count, e.type, e.name))
    return ordered, name_map


def resolve_name(name_map: dict[tuple[str, str], str], typ: str, name: str) -> str:
    """Canonical name of one mention name, or the name itself when unseen."""
    return name_map.get((typ, name), name)


def mention_key(t: Token) -> str:
    """Folded text of a token (for sets of content words)."""
    return fold(t.lemma_ or t.text)
