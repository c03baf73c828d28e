"""Political events (actor, action, target) and dated facts, by rules over the dependency parse.

A verb whose lemma is in the lexicon gives the PLOVER-style category; its subject is the actor (the "par" agent of
a passive), its object or its "auprès de / avec / contre" complement the target. Under a control verb ("a annoncé
suspendre", "a décidé de réduire") the embedded verb is the event and the controller's subject its actor. Every
sentence that carries a date also yields a Fact: what the timeline merges and compares across outlets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vigie.text import fold
from vigie.understand.dates import DateExpr
from vigie.understand.entities import Mention
from vigie.understand.lexicon import Lexicon

if TYPE_CHECKING:  # types only: importing the package must not load spaCy (the CLI and server start)
    from spacy.tokens import Doc, Span, Token

__all__ = ["LABELS", "Event", "Fact", "extract_events", "extract_facts"]

# French labels of the PLOVER categories (Halterman et al., the successor of CAMEO), for a reader; the code stays.
LABELS: dict[str, str] = {
    "AGREE": "accord", "CONSULT": "consultation", "SUPPORT": "soutien", "CONCEDE": "concession",
    "COOPERATE": "coopération", "AID": "aide", "RETREAT": "retrait", "REQUEST": "demande", "DEMAND": "exigence",
    "ACCUSE": "accusation", "REJECT": "rejet", "THREATEN": "menace", "PROTEST": "protestation",
    "SANCTION": "sanction", "MOBILIZE": "mobilisation", "COERCE": "coercition", "ASSAULT": "agression",
    "FIGHT": "combat", "REDUCE_RELATIONS": "réduction des relations", "EXPEL": "expulsion", "ATTACK": "attaque",
}

_NEG = {"pas", "jamais", "plus", "aucun", "aucune", "guere", "nullement"}
_TARGET_PREPS = {"aupres", "contre", "avec", "envers", "vis-a-vis"}
_NUM_WORDS = {"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
              "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "cent": 100, "mille": 1000}
_STOP_POS = {"DET", "ADP", "PRON", "PUNCT", "SPACE", "CCONJ", "SCONJ", "AUX", "PART", "NUM", "SYM"}
_DATE_WORDS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "fevrier", "mars", "avril",
               "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "debut", "fin", "veille", "an",
               "annee", "mois", "jour", "1er", "hier"}


@dataclass(slots=True)
class Event:
    """One political event: who did what to whom, in which sentence, when, and whether it is negated or hedged.

    ``resolved`` is False when the actor or the target is a phrase rather than an entity ("ce nombre"): such an
    event dates a fact for the timeline but is not reported as a political event.
    """

    actor: str | None
    action: str
    target: str | None
    text: str
    date: str | None
    verb: str
    negated: bool = False
    modality: str | None = None
    date_source: str | None = None
    start: int = 0
    resolved: bool = True

    @property
    def label(self) -> str:
        """The category in French ("expulsion" for EXPEL)."""
        return LABELS.get(self.action, self.action.replace("_", " ").lower())

    def to_dict(self, article: str | None = None) -> dict[str, Any]:
        return {
            "actor": self.actor, "action": self.action, "label": self.label, "target": self.target, "text": self.text,
            "date": self.date, "article": article, "negated": self.negated, "modality": self.modality,
        }


@dataclass(slots=True)
class Fact:
    """A dated statement of one article: the unit the story timeline merges and compares.

    ``date`` may be partial ("--07-02") when the article has no publication date and no full date to place a
    year-less day: the story places it from its other articles. ``cited`` says the text wrote the year itself.
    """

    date: str
    precision: str
    text: str
    content: set[str] = field(default_factory=set)
    numbers: set[int] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    start: int = 0
    date_text: str = ""
    actor: str | None = None
    cited: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "precision": self.precision, "text": self.text, "content": sorted(self.content),
                "numbers": sorted(self.numbers), "actions": sorted(self.actions), "actor": self.actor,
                "date_text": self.date_text, "cited": self.cited}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fact:
        return cls(d["date"], d["precision"], d["text"], set(d.get("content", [])), set(d.get("numbers", [])),
                   set(d.get("actions", [])), date_text=d.get("date_text", ""), actor=d.get("actor"),
                   cited=bool(d.get("cited", False)))


def _verb_lemma(t: Token, lex: Lexicon) -> str:
    return lex.event_verb_forms.get(fold(t.text)) or fold(t.lemma_)


def _args(t: Token) -> list[Token]:
    return [c for c in t.children if c.dep_ in ("obj", "obl:arg", "nsubj:pass", "obl", "iobj", "obl:mod") or (c.dep_ == "nsubj" and _passive(t))]


def _passive(t: Token) -> bool:
    return any(c.dep_ in ("aux:pass",) or (c.dep_ == "cop" and fold(c.lemma_) == "etre") for c in t.children) or (
        t.pos_ == "ADJ" and any(c.dep_ == "cop" for c in t.children)
    )


def _satisfies(t: Token, lemma: str, lex: Lexicon, mentions: Sequence[Mention]) -> bool:
    needs = lex.event_constraints.get(lemma)
    if not needs:
        return True
    words: set[str] = set()
    toks: list[Token] = []
    for a in _args(t):
        toks.extend(a.subtree)
    # A passive participle's noun sits above it in "dont huit diplomates sont expulsés" / "le nombre … a été réduit".
    words |= {fold(x.lemma_) for x in toks} | {fold(x.text) for x in toks}
    if "__entity__" in needs and any(any(m.tok_start <= x.i < m.tok_end for m in mentions if m.type != "ROLE") for x in toks):
        return True
    return any(w in words or w + "s" in words for w in needs)


# A name reached through a place or time complement says where or when, not on whom: "rencontrer le chef tibétain
# à Gdansk", "appeler à la fin des violences en Colombie", "réclamer un penalty après une intervention de Morel".
_PLACE_CASES = {"en", "dans"}
_TIME_CASES = {"apres", "avant", "lors", "pendant", "depuis", "durant"}
# Categories whose target may be a place: a town shelled, a country invaded.
_PLACE_TARGETS = {"ATTACK", "ASSAULT", "FIGHT", "COERCE", "MOBILIZE"}


def _circumstance(tok: Token, root: Token, place: bool = True) -> bool:
    """Whether the path from ``tok`` up to ``root`` goes through a time complement or, for a ``place``, a place
    complement. "à" marks a place only before a bare name ("à Gdansk"); "l'aide à l'Égypte" names a recipient, and
    "démentir les informations parues dans Le Parisien" a newspaper, not a place."""
    t, hops = tok, 0
    while t.i != root.i and hops < 8:
        for c in t.children:
            if c.dep_ != "case":
                continue
            w = fold(c.text)
            if w in _TIME_CASES or (place and (w in _PLACE_CASES or (w == "a" and not any(d.dep_ == "det" for d in t.children)))):
                return True
        if t.head.i == t.i:
            break
        t, hops = t.head, hops + 1
    return False


# Common nouns that stand for the body they are "of" when they act ("le gouvernement de Morsi a rejeté", "les
# membres de la mission"), besides the role heads of the lexicon ("le porte-parole du Kremlin").
_FOR_THE_BODY = {"membre", "gouvernement", "regime", "armee", "autorite", "force", "service", "mission", "delegation",
                 "ministere", "cabinet", "bureau", "equipe", "entourage", "camp", "administration", "diplomatie",
                 "direction", "conseil", "police", "justice", "parquet", "presidence", "commission", "comite"}


def _nested_complement(tok: Token, head: Token, lex: Lexicon) -> bool:
    """Whether ``tok`` hangs, through noun complements, from ``head``, a common noun that does not stand for it: "le
    lauréat du prix Nobel", "le dernier avatar du plan Orwell" act, not the prize or Orwell."""
    if head.pos_ != "NOUN" or tok.i == head.i:
        return False
    lemma = fold(head.lemma_)
    if lemma in _FOR_THE_BODY or fold(head.text) in lex.role_heads or lemma in lex.role_heads:
        return False
    t, hops = tok, 0
    while t.i != head.i and hops < 6:
        if t.dep_ not in ("nmod", "flat:name", "appos", "amod", "nummod"):
            return False
        t, hops = t.head, hops + 1
    return t.i == head.i and tok.dep_ != "appos"


def _cut_short(doc: Doc, m: Mention) -> bool:
    """The parse extends the name past the mention ("Chine Nouvelle", the agency, read as "Chine")."""
    return any(c.dep_ == "flat:name" and c.i >= m.tok_end and c.text[:1].isupper()
               for t in doc[m.tok_start:m.tok_end] for c in t.children)


def _phrase_entity(tokens: Sequence[Token], mentions: Sequence[Mention], name_map: dict[tuple[str, str], str], lex: Lexicon,
                   *, strict: bool = True, root: Token | None = None, actor: bool = False) -> str | None:
    """Canonical entity a phrase stands for: a named mention (or the person a role is tied to), else the country of
    a nationality adjective ("huit diplomates russes" -> Russie), else None; ``strict=False`` falls back to the
    phrase itself. An event row must name who and whom: "d'espionnage" or "ce nombre" is no target, nor, given the
    phrase's ``root``, a name in a place or time complement. (MISC names stay: the model types companies and papers
    so, "Nexity", "Le Parisien".)"""
    if not tokens or (len(tokens) == 1 and tokens[0].pos_ == "PRON") or (len(tokens) <= 2 and tokens[-1].pos_ == "PRON"):
        return None
    lo, hi = tokens[0].i, tokens[-1].i + 1
    doc = tokens[0].doc
    mentions = [m for m in mentions if not (lo <= m.tok_start < hi and m.type != "ROLE" and _cut_short(doc, m))]
    if actor:
        head = next((t for t in tokens if not lo <= t.head.i < hi or t.head.i == t.i), None)
        if head is not None:
            mentions = [m for m in mentions if not (lo <= m.tok_start < hi and m.type != "ROLE" and
                                                    _nested_complement(doc[m.tok_start], head, lex))]
    if root is not None:
        mentions = [m for m in mentions if not (lo <= m.tok_start < hi and _circumstance(doc[m.tok_start], root, m.type == "LOC"))]
        tokens = [t for t in tokens if not (fold(t.text) in lex.nationalities and _circumstance(t, root))]
        if not tokens:
            return None
    # "huit membres de la mission russe à Bruxelles": the nationality that qualifies the noun comes before the place.
    nat = next((t for t in tokens if fold(t.text) in lex.nationalities), None)
    first = min((m.tok_start for m in mentions if lo <= m.tok_start < hi and m.type != "LOC"), default=hi)
    if nat is not None and nat.i < first and any(lo <= m.tok_start < hi and m.type == "LOC" for m in mentions):
        return lex.nationalities[fold(nat.text)]
    for m in mentions:
        if lo <= m.tok_start < hi:
            if m.type == "ROLE":
                if m.person:
                    return name_map.get(("PER", m.person), m.person)
                continue
            return name_map.get((m.type, m.name), m.name)
    for t in tokens:
        if fold(t.text) in lex.nationalities:
            return lex.nationalities[fold(t.text)]
    if strict:
        return None
    text = " ".join(t.text for t in tokens).replace(" '", "'").replace("’ ", "’").replace("' ", "'")
    return text or None


# A capital stands for its state in news French ("Moscou accuse…"): an actor and a target that are the same state
# under two names are a misread, not an event.
_CAPITALS = {"moscou": "russie", "kremlin": "russie", "washington": "etats-unis", "maison blanche": "etats-unis",
             "pekin": "chine", "paris": "france", "elysee": "france", "londres": "royaume-uni", "berlin": "allemagne",
             "kiev": "ukraine", "kyiv": "ukraine", "ankara": "turquie", "teheran": "iran", "le caire": "egypte",
             "sanaa": "yemen", "damas": "syrie", "tokyo": "japon", "rome": "italie", "madrid": "espagne"}


def _same_party(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    return _CAPITALS.get(fa, fa) == _CAPITALS.get(fb, fb)


def _subtree(t: Token) -> list[Token]:
    sub = list(t.subtree)
    # Cut at the first comma or relative clause: the argument, not everything hanging from it.
    out: list[Token] = []
    for x in sub:
        if x.i > t.i and (x.text == "," or x.dep_ in ("acl:relcl",)):
            break
        out.append(x)
    return out


def extract_events(doc: Doc, mentions: Sequence[Mention], name_map: dict[tuple[str, str], str], dates: Sequence[DateExpr],
                   lex: Lexicon, published: str | None = None) -> list[Event]:
    """Events of a parsed article, one per event verb, with the sentence's date (else the publication date)."""
    out: list[Event] = []
    from spacy.parts_of_speech import ADJ, VERB

    pos = doc.to_array("POS").tolist() if len(doc) else []
    for i in (k for k, p in enumerate(pos) if p in (VERB, ADJ)):  # a Token per token cost more than the rule
        t = doc[i]
        lemma = _verb_lemma(t, lex)
        if lemma not in lex.event_verbs:
            continue
        if t.pos_ == "ADJ" and not _passive(t):
            continue
        if not _satisfies(t, lemma, lex, mentions):
            continue
        passive = _passive(t)
        if lex.event_verbs[lemma] == "EXPEL" and not passive and not any(c.dep_ == "obj" for c in t.children):
            continue  # "renvoie aux propos du gouverneur": refers to; an expulsion expels someone
        actor_tok: Token | None = None
        target_tok: Token | None = None
        v = t
        hops = 0
        while hops < 3:
            hops += 1
            subj = next((c for c in v.children if c.dep_ == "nsubj" and not (passive and v is t)), None)
            if subj is not None:
                actor_tok = subj
                break
            if v.dep_ in ("xcomp", "conj", "ccomp") and v.head.i != v.i and (v.dep_ != "ccomp" or fold(v.head.lemma_) in lex.control_verbs):
                v = v.head
                continue
            break
        agent = next((c for c in t.children if c.dep_ == "obl:agent"), None)
        if passive:
            actor_tok = agent
            target_tok = next((c for c in t.children if c.dep_ in ("nsubj:pass", "nsubj")), None)
        else:
            target_tok = next((c for c in t.children if c.dep_ in ("obj", "obl:arg")), None)
        actor_toks: list[Token] = []
        if actor_tok is not None:
            actor_toks = _subtree(t.head) if fold(actor_tok.text) == "qui" and t.dep_.startswith("acl") else _subtree(actor_tok)
        actor = _phrase_entity(actor_toks, mentions, name_map, lex, strict=False)
        # (Not for "qui": the antecedent a relative clause hangs from is the parser's guess.)
        actor_ent = _phrase_entity(actor_toks, mentions, name_map, lex, actor=fold(actor_tok.text) != "qui" if actor_tok else False)
        target = target_ent = None
        # "suspendre sa mission auprès de l'Otan": the body named after auprès/contre/avec is the target.
        sub = list(t.subtree)
        for x in sub:
            if fold(x.text) in _TARGET_PREPS and x.i > t.i:
                after = [y for y in sub if y.i > x.i][:6]
                ent = _phrase_entity(after, [m for m in mentions if m.type != "ROLE"], name_map, lex)
                if ent and any(m.tok_start >= x.i and m.tok_start < x.i + 6 for m in mentions):
                    target = target_ent = ent
                    break
        if target is None and target_tok is not None:
            root = None if lex.event_verbs[lemma] in _PLACE_TARGETS else target_tok
            target_toks = _subtree(target_tok)
            # "a regretté Jacky Dintinger, secrétaire général de la CFTC": the phrase right after the actor is its
            # apposition, not the target.
            if actor_toks and target_toks and target_toks[0].i == actor_toks[-1].i + 1 and actor_toks[0].i > t.i:
                target_toks = []
            target = _phrase_entity(target_toks, mentions, name_map, lex, strict=False, root=root)
            target_ent = _phrase_entity(target_toks, mentions, name_map, lex, root=root)
        if actor is None and target is None:
            continue
        # Only events whose actor and target both resolve to (different) entities are reported; the others still
        # date a fact for the timeline ("L'Otan a réduit le personnel le 5 octobre").
        resolved = actor_ent is not None and target_ent is not None and not _same_party(actor_ent, target_ent)
        if resolved:
            actor, target = actor_ent, target_ent
        sent = t.sent
        negated = any(fold(c.text) in _NEG or fold(c.lemma_) == "rien" for c in t.children) or any(
            fold(c.text) in _NEG for c in t.head.children if t.dep_ == "xcomp"
        )
        modality = _modality(t, lex)
        d, source = _sentence_date(sent, t, dates, published)
        out.append(Event(actor, lex.event_verbs[lemma], target, sent.text.strip(), d, lemma, negated, modality, source,
                         sent.start_char, resolved))
    return out


def _modality(t: Token, lex: Lexicon) -> str | None:
    if "Cnd" in t.morph.get("Mood", []) or any("Cnd" in c.morph.get("Mood", []) for c in t.children if c.dep_.startswith("aux")):
        return "conditional"
    if t.dep_ == "xcomp" and fold(t.head.lemma_) in lex.modal_verbs:
        return "possible" if fold(t.head.lemma_) != "menacer" else "threatened"
    if "Fut" in t.morph.get("Tense", []) or any("Fut" in c.morph.get("Tense", []) for c in t.children if c.dep_.startswith("aux")):
        return "future"
    return None


def _sentence_date(sent: Span, t: Token, dates: Sequence[DateExpr], published: str | None) -> tuple[str | None, str | None]:
    """The date of the event's own clause: a date hanging from the event verb, or from the verbs that embed it
    ("a décidé le 5 octobre de réduire"); a date of another clause ("…, après que …") does not date the event."""
    chain = [t]
    v = t
    while v.dep_ in ("xcomp", "ccomp", "conj") and v.head.i != v.i:
        v = v.head
        chain.append(v)
    chain_ids = {c.i for c in chain}
    doc = sent.doc
    own: list[DateExpr] = []
    for d in dates:
        if not (sent.start_char <= d.start < sent.end_char and d.date):
            continue
        span = doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is None:
            continue
        h = span.root
        hops = 0
        other_event = False
        while h.pos_ not in ("VERB", "ADJ") and h.head.i != h.i and hops < 6:
            h = h.head
            hops += 1
            # "après une précédente interview en décembre 2019": the date of another happening the clause recalls.
            if h.pos_ == "NOUN" and any(c.dep_ == "case" and fold(c.text) in ("apres", "avant", "depuis") for c in h.children):
                other_event = True
        if h.i in chain_ids and not other_event:
            own.append(d)
    if own:
        best = min(own, key=lambda d: abs(d.start - t.idx))
        return best.date, "text"
    if published:
        return published[:10], "published"
    return None, None


def _numbers(sent: Span, dates: Sequence[DateExpr]) -> set[int]:
    nums: set[int] = set()
    for t in sent:
        if any(d.start <= t.idx < d.end for d in dates):
            continue
        low = fold(t.text)
        if t.like_num and re.fullmatch(r"\d{1,6}", t.text) and not re.fullmatch(r"(?:19|20)\d\d", t.text):
            nums.add(int(t.text))
        elif low in _NUM_WORDS and t.pos_ == "NUM":
            nums.add(_NUM_WORDS[low])
    return nums


def extract_facts(doc: Doc, dates: Sequence[DateExpr], events: Sequence[Event], mentions: Sequence[Mention],
                  name_map: dict[tuple[str, str], str]) -> list[Fact]:
    """Dated facts: one per event dated by its sentence, one per other dated expression (a plain dated sentence)."""
    facts: list[Fact] = []
    for d in dates:
        when = d.date or d.partial
        if not when:
            continue
        span = doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is None:
            continue
        sent = span.sent
        content = {fold(t.lemma_) for t in sent if t.pos_ not in _STOP_POS and not t.is_stop and len(t.text) > 2 and not (d.start <= t.idx < d.end)}
        content -= _DATE_WORDS
        for m in mentions:
            if sent.start <= m.tok_start < sent.end and m.type != "ROLE":
                content.add("@" + fold(name_map.get((m.type, m.name), m.name)))
        numbers = _numbers(sent, dates)
        dated = [e for e in events if e.start == sent.start_char and e.date_source == "text" and e.date == d.date]
        text = sent.text.strip()
        cited = d.date is not None and not d.relative
        if not dated:
            facts.append(Fact(when, d.precision, text, content, numbers, set(), sent.start_char, d.text, cited=cited))
        for e in dated:
            facts.append(Fact(when, d.precision, text, content | {e.verb}, numbers, {e.action}, sent.start_char, d.text,
                              e.actor, cited))
    return facts
