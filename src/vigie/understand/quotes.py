"""Quotes and reported speech, each with its speaker.

Direct quotes are found on the text (« », “ ”, paired " "), because the parser splits a multi-sentence quote into
several sentences and mis-parses the sentence around it. The speaker comes from, in order: a post-posed
attribution (« … », a déclaré X / a-t-elle ajouté), a verb of saying before the quote (X a déclaré : « … », X a
affirmé que … « … »), "selon X", or, for a quote standing alone, the speaker of the quote just before it.
Indirect speech ("X a déclaré que …", "…, a annoncé X", "selon X, …") is found per sentence. Pronouns resolve to
the most recent person (or definite role) in subject position whose gender fits, then to any recent person;
roles ("le porte-parole du Kremlin") resolve to the person the article, or later the story, names in that role.
Where the cue is weak (a pronoun, a quote going on) or absent, a learned ranker of the article's people
(:mod:`vigie.understand.speakers`) picks the speaker, or leaves it None below its threshold.
A speaker that cannot be resolved stays None: a wrong name is worse than none.

One module, over 600 lines: finding quotations and resolving speakers share the speaker references
and sentence index of one parse, in French and in English.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from vigie.text import fold
from vigie.understand import speakers
from vigie.understand.entities import Mention, RoleKey, doc_text
from vigie.understand.lexicon import Lexicon

if TYPE_CHECKING:  # types only: importing the package must not load spaCy (the CLI and server start)
    from spacy.tokens import Doc, Span

__all__ = ["Quote", "SpeakerRef", "extract_quotes", "person_refs"]

_QUOTE_RE = re.compile(r"«\s*(?P<a>[^«»]+?)\s*»|“(?P<b>[^“”]+?)”")
_MIXED_QUOTE_RE = re.compile(r'"[^"“”«»\n]+?”|“[^"“”«»\n]+?"')
_SENT_END = re.compile(r"[.!?…](?=\s|$)")
_ADVERBS = (
    r"(?:\w+ment|encore|aussi|également|néanmoins|toutefois|ensuite|enfin|alors|d['’]ailleurs|pourtant|cependant|"
    r"plus tard|par ailleurs|de son côté|quant à lui|quant à elle|ainsi|déjà|bien|même|notamment|mardi|lundi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche)"
)
# ", a déclaré X" / ", a-t-elle néanmoins ajouté" / ", ajoute-t-il" / ", poursuit M. X"
_POST_ATTR = re.compile(
    rf"^\s*+,?\s*+(?:(?:leur|lui|nous|vous)\s+|m['’](?=a\b|avait\b|ont\b))?"
    rf"(?:s['’](?=est\b|était\b|étaient\b)|se\s+(?=sont\b))?"
    rf"(?:(?P<aux>a|avait|aurait|ont|avaient|(?<=s')est|(?<=s’)est|(?<=s')était|(?<=s’)était|(?<=se )sont)"
    rf"(?:-(?:t-)?(?P<p1>il|elle|ils|elles))?\s+)?(?:{_ADVERBS}\s+)*(?:(?:tenue?s?|voulue?s?)\s+(?:à\s+)?)?"
    rf"(?P<verb>[^\W\d_][\w'’-]*?)(?:-t-(?P<p2>il|elle|ils|elles)|-(?P<p3>il|elle|ils|elles))?(?=[\s,.;:!?]|$)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# The same, anchored where the search starts rather than at the start of the string (``^`` ignores ``pos``).
_POST_ATTR_AT = re.compile(_POST_ATTR.pattern.removeprefix("^"), _POST_ATTR.flags)
_SELON = re.compile(r"\bselon\s+(?!lesquel|lequel|laquelle|que\b|qu['’]|nos\b|les informations|des informations)", re.IGNORECASE)
_QUE = re.compile(
    r"\s*(?:,\s*)?(?:(?:\w+ment|aussi|également|encore|d['’]ailleurs|par ailleurs|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|hier|aujourd['’]hui|ce matin|ce soir|dimanche soir)\s+)*qu(?:e\b|['’])",
    re.IGNORECASE,
)
_PRON_GENDER = {"il": "M", "ils": "M", "elle": "F", "elles": "F", "he": "M", "she": "F", "they": "M"}
_PLURAL = {"ils", "elles", "they"}



@dataclass(slots=True)
class SpeakerRef:
    """Who said something, as far as the article tells: a canonical name, or a role to resolve across the story."""

    name: str | None = None
    role: RoleKey | None = None
    gender: str | None = None
    pos: int = 0
    subject: bool = False
    is_person: bool = True
    label: str | None = None  # a definite noun phrase ("l'avocat", "les syndicats") when no name is known
    via: str = ""  # which cue gave it (for evaluation by rule)


@dataclass(slots=True)
class Quote:
    """One quote or piece of reported speech. ``kind`` is "direct", "indirect" or "fragment" (scare quotes)."""

    text: str
    speaker: str | None
    kind: str
    start: int
    end: int
    role: RoleKey | None = None
    sent: int = 0
    label: str | None = None  # the speaker as the article describes them, when it never names them
    tok: int = 0  # token index of the opening mark
    via: str = ""  # which cue attributed it

    def to_dict(self, article: str | None = None) -> dict[str, Any]:
        return {"speaker": self.speaker or self.label, "text": self.text, "article": article, "kind": self.kind}


def person_refs(mentions: Sequence[Mention], name_map: dict[tuple[str, str], str]) -> list[SpeakerRef]:
    """People and definite roles of an article, in text order, with roles tied to names where the article says so.

    A role with no apposed name takes the name the article gives the same role elsewhere, or, when it is a bare
    role ("le ministre"), the most recent fuller role it can stand for.
    """
    role_person: dict[RoleKey, str] = {}
    for m in mentions:
        if m.type == "ROLE" and m.person and m.role is not None:
            role_person.setdefault(m.role, name_map.get(("PER", m.person), m.person))
    refs: list[SpeakerRef] = []
    for m in mentions:
        if m.type == "PER":
            refs.append(SpeakerRef(name_map.get(("PER", m.name), m.name), None, m.gender, m.tok_start, m.is_subject))
        elif m.type in ("ORG", "LOC") and m.is_subject:
            refs.append(SpeakerRef(name_map.get((m.type, m.name), m.name), None, None, m.tok_start, True, False))
        elif m.type == "ROLE" and m.role is not None and m.definite:
            key = m.role
            name = name_map.get(("PER", m.person), m.person) if m.person else role_person.get(key)
            if name is None:
                for prev in reversed(refs):
                    if prev.role is not None and key.covers(prev.role) and prev.is_person:
                        key, name = prev.role, prev.name
                        break
            # A role the article never ties to a name still says who spoke ("a ajouté l'ex-otage"): its words.
            refs.append(SpeakerRef(name, key, m.gender, m.tok_start, m.is_subject, label=None if name else m.text))
    return refs


def _ref_at(refs: Sequence[SpeakerRef], tok_start: int, tok_end: int) -> SpeakerRef | None:
    """The first reference whose mention starts inside [tok_start, tok_end); a role wins over its apposed name."""
    inside = [r for r in refs if tok_start <= r.pos < tok_end]
    if not inside:
        return None
    first = inside[0]
    # "le porte-parole du Kremlin Dmitri Peskov": the role comes first; the name it is tied to is the speaker.
    if first.role is not None and first.name is None and len(inside) > 1 and inside[1].role is None and inside[1].is_person:
        return inside[1]
    return first


def _resolve_pronoun(refs: Sequence[SpeakerRef], before: int, pron: str, quotes: Sequence[Quote]) -> SpeakerRef | None:
    """The person an "il"/"elle" of an attribution stands for: the latest subject whose gender is known to agree,
    then the latest speaker of the article who agrees, then a recent subject of unknown gender; plural pronouns and
    a gender that contradicts every candidate give None."""
    low = pron.lower()
    if low in _PLURAL:
        return None
    gender = _PRON_GENDER.get(low)
    named = [r for r in refs if r.pos < before and r.is_person and (r.name is not None or r.role is not None)]
    if gender is None:
        return next((r for r in reversed(named) if r.subject), named[-1] if named else None)
    for r in reversed(named):
        if r.subject and r.gender == gender and before - r.pos <= 150:
            return r
    genders = {r.name: r.gender for r in named if r.name and r.gender}
    for q in reversed(quotes):
        if q.kind == "direct" and q.speaker and genders.get(q.speaker) == gender:
            return SpeakerRef(q.speaker, q.role, gender, q.start)
    for r in reversed(named):
        if r.subject and r.gender is None and before - r.pos <= 60:
            return r
    # '"…," he told E! News. … "…," O'Connor said': the speaker of the quote just before, when nobody of that
    # gender came between.
    prev = next((q for q in reversed(quotes) if q.kind == "direct" and q.speaker and q.tok < before), None)
    close = prev is not None and before - prev.tok <= 120 and genders.get(prev.speaker or "") in (gender, None)
    if prev is not None and close and not any(prev.tok < r.pos < before and r.gender == gender for r in named):
        return SpeakerRef(prev.speaker, prev.role, gender, prev.tok)
    for r in reversed(named):
        if r.gender == gender:
            return r
    # Nobody of that gender at all (an English first name the lexicon does not know): the article's main person,
    # when the latest subject of unknown gender is them.
    counts: dict[str, int] = {}
    for r in named:
        if r.name and r.role is None:
            counts[r.name] = counts.get(r.name, 0) + 1
    latest = next((r for r in reversed(named) if r.subject and r.name and r.gender is None), None)
    if latest is not None and counts and counts.get(latest.name or "", 0) == max(counts.values()):
        return latest
    return None


def extract_quotes(
    doc: Doc, mentions: Sequence[Mention], name_map: dict[tuple[str, str], str], lex: Lexicon, lang: str = "fr"
) -> list[Quote]:
    """Direct quotes, indirect speech and scare-quote fragments of a parsed article, in text order."""
    refs = person_refs(mentions, name_map)
    if lang == "en":
        return _direct_quotes(doc, refs, lex, _attribute_en, lang)
    quotes = _direct_quotes(doc, refs, lex, _attribute, lang)
    quotes.extend(_indirect(doc, refs, quotes, lex))
    quotes.sort(key=lambda q: q.start)
    return quotes


Attribute: TypeAlias = (
    "Callable[[Doc, str, tuple[int, int, int, int], int, int, Sequence[SpeakerRef], Sequence[Quote], Lexicon], "
    "tuple[bool, SpeakerRef | None]]"
)


def _direct_quotes(doc: Doc, refs: Sequence[SpeakerRef], lex: Lexicon, attribute: Attribute, lang: str) -> list[Quote]:
    """The quotations in marks, each attributed by the language's ``attribute`` rule, then, where the rule's cue is
    weak or absent, by the learned speaker ranker (:mod:`vigie.understand.speakers`)."""
    text = _index(doc).text
    quotes: list[Quote] = []
    spans = _quote_spans(text)
    doc.user_data["vigie_quote_spans"] = spans
    model = speakers.model_for(lang)
    ranker = _RankerContext(doc, spans) if model is not None or speakers.SINK is not None else None
    for qs, qe, cs, ce in spans:
        content = text[cs:ce].strip().rstrip(",").strip()  # '"We will win," said X': the comma is punctuation
        pre_start = _sentence_start(text, qs, spans)
        post_end = _sentence_end(text, qe, spans)
        pre, post = text[pre_start:qs], text[qe:post_end]
        standalone = not pre.strip(" \n\t:") and not post.strip(" \n\t.;!?")
        heading = _heading(text, qs, qe, content)
        found, ref = (False, None) if heading else attribute(doc, text, (qs, qe, cs, ce), pre_start, post_end, refs, quotes, lex)
        # A quote with no attribution inside running text is a scare quote or a title: a fragment, not shown.
        kind = "direct" if found or (standalone and not heading) else "fragment"
        # The ranker decides where the rules found nobody, or somebody by a weak cue (a pronoun, a quote going on,
        # a clause's subject); a description from a strong cue ("a déclaré l'avocat") stays.
        # A role with no name is a description the ranker may still put a name on.
        unresolved = ref is None or (ref.name is None and (ref.label is None or ref.role is not None))
        # A cue found with nobody resolved ("a-t-elle affirmé" with no woman of known gender) still says the quote
        # is someone's: only who is in doubt, as with a weak cue.
        weak = found and ref is not None and ref.via not in speakers.STRONG_CUES
        # A heading, or a term in marks with no attribution ("mis en examen pour « abus de confiance »"), is nobody's.
        if ranker is not None and (unresolved or weak) and not heading and not (kind == "fragment" and _bare_term(doc, cs, ce)):
            cands = speakers.candidates(
                refs, ranker.sent_of, ranker.line_of, _tok(doc, qs), _tok(doc, qe), ranker.in_quote, quotes,
                speakers.cue_pronoun(post, pre, text[cs:ce]), ref, len(content.split()), kind == "fragment",
            )
            if speakers.SINK is not None:
                speakers.SINK.append((qs, qe, weak, ref, cands))
            best = model.best(cands, weak=weak) if model is not None else None
            if best is not None:
                ref, kind = SpeakerRef(best.name, best.role, via="ranker"), "direct"
        speaker, role = _speaker(ref)
        label = ref.label if ref is not None and speaker is None and kind != "fragment" else None
        quotes.append(
            Quote(content, speaker if kind != "fragment" else None, kind, qs, qe, role if kind != "fragment" else None,
                  _sent_of(doc, cs), label, _tok(doc, qs), ref.via if ref is not None else "")
        )
    return quotes


def _heading(text: str, qs: int, qe: int, content: str) -> bool:
    """A quote that is a whole short line with no sentence end, or in capitals: a headline or a subheading that
    repeats someone's words («Je ne demande aucune indemnité»), not a quotation of its own."""
    line_start = text.rfind("\n", 0, qs) + 1
    line_end = text.find("\n", qe)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if line.strip() != text[qs:qe].strip():
        return False
    words = content.split()
    return (len(words) <= 10 and not content.rstrip(" »”\"").endswith((".", "!", "?", "…"))) or content.isupper()


def _bare_term(doc: Doc, cs: int, ce: int) -> bool:
    """A few quoted words with no verb: a term or a name in marks, which says nothing by itself."""
    toks = _toks(doc, cs, ce)
    if toks is None:
        return True
    words = [t for t in doc[toks[0] : toks[1]] if not t.is_punct and not t.is_space]
    return len(words) <= 4 and not any(t.pos_ in ("VERB", "AUX") for t in words)


class _RankerContext:
    """Per-document lookups the speaker ranker needs: sentence and line of a token, and whether it is quoted."""

    def __init__(self, doc: Doc, spans: Sequence[tuple[int, int, int, int]]) -> None:
        index = _index(doc)
        self.sent_of = [k - 1 for k in index.n_starts]
        self._idx: list[int] = doc.to_array("IDX").tolist() if len(doc) else []
        self._lines = [m.start() for m in re.finditer("\n", index.text)]
        self._quoted = [(s, e) for s, e, _, _ in spans]
        self._q_starts = [s for s, _ in self._quoted]

    def line_of(self, t: int) -> int:
        return bisect.bisect_right(self._lines, self._idx[t]) if t < len(self._idx) else len(self._lines)

    def in_quote(self, t: int) -> bool:
        if t >= len(self._idx):
            return False
        c = self._idx[t]
        k = bisect.bisect_right(self._q_starts, c) - 1
        return k >= 0 and self._quoted[k][0] < c < self._quoted[k][1]


_INCISE = re.compile(
    rf",\s*(?:(?:a|avait)-t-(?P<p1>il|elle|ils|elles)\s+(?:{_ADVERBS}\s+)*(?P<v1>[^\W\d_][\w'’-]*)|"
    rf"(?P<v2>[^\W\d_][\w'’]*?)-t-(?P<p2>il|elle|ils|elles)|(?P<v3>[^\W\d_][\w'’]*?)-(?P<p3>il|elle|ils|elles))"
    rf"(?:\s+{_ADVERBS})?\s*[,.;!?]",
    re.IGNORECASE,
)


def _via(tag: str, ref: SpeakerRef | None) -> tuple[bool, SpeakerRef | None]:
    """An attribution found, tagged with the cue that found it (eval/eval_quotes.py scores each cue)."""
    # A cue with nobody resolved keeps its tag on an empty reference: the ranker treats a pronoun cue apart.
    ref = ref if ref is not None else SpeakerRef()
    ref.via = tag
    return True, ref


def _attribute(
    doc: Doc, text: str, span: tuple[int, int, int, int], pre_start: int, post_end: int, refs: Sequence[SpeakerRef],
    quotes: Sequence[Quote], lex: Lexicon,
) -> tuple[bool, SpeakerRef | None]:
    """Whether the quote has an attribution, and its speaker, trying the text's cues from the most to the least sure:
    an incise inside the quote, an attribution after it, a verb of saying before it, "X :", "selon X", a verb of
    saying closing the previous line ("X a déclaré :"), then, for a quote standing alone, the previous speaker."""
    qs, qe, cs, ce = span
    pre, post = text[pre_start:qs], text[qe:post_end]
    # "« A, a-t-elle indiqué. B »": the verb inside the quote.
    inc = _INCISE.search(text, cs, ce)
    if inc is not None:
        verb = inc.group("v1") or inc.group("v2") or inc.group("v3")
        pron = inc.group("p1") or inc.group("p2") or inc.group("p3")
        if lex.is_speech_word(verb):
            return _via("incise-pronoun", _resolve_pronoun(refs, _tok(doc, qs), pron, quotes))
    # "« A, raconte son amie Anne-Colombe de la Taille. B »", "« A, a écrit Ingrid Betancourt. B »".
    for cm in re.finditer(r",", text[cs:ce]):
        at = cs + cm.start()
        inner = _POST_ATTR_AT.match(text, at, ce)
        if inner is None or inner.group("p1") or inner.group("p2") or inner.group("p3"):
            continue
        if not lex.is_speech_word(inner.group("verb")) or (inner.group("aux") is None and fold(inner.group("verb")) in {"a", "est"}):
            continue
        stop = re.search(r"[.;!?]", text[at + 1 : ce])
        seg_end = at + 1 + stop.start() if stop else ce
        rest = _toks(doc, inner.start("rest"), seg_end)
        if rest is None or rest[1] - rest[0] > 10:
            continue
        r = _ref_at(refs, rest[0], rest[1])
        if r is not None and r.pos - rest[0] <= 4:
            return _via("incise-named", r)
    # "« A », a-t-il dit, « B »": the second half of a quote split around its verb.
    if quotes and quotes[-1].kind != "fragment":
        prev = quotes[-1]
        gap = text[prev.end : qs]
        if len(gap) < 80 and "\n" not in gap and _POST_ATTR.match(gap) and gap.rstrip().endswith(","):
            return _via("split", SpeakerRef(prev.speaker, prev.role, label=prev.label))
    m = _POST_ATTR.match(post)
    if m and lex.is_speech_word(m.group("verb")) and not (m.group("aux") is None and fold(m.group("verb")) in {"a", "est"}):
        pron = m.group("p1") or m.group("p2") or m.group("p3")
        if pron:
            return _via("post-pronoun", _resolve_pronoun(refs, _tok(doc, qs), pron, quotes))
        rest_start = qe + m.start("rest")
        rest_toks = _toks(doc, rest_start, post_end)
        ref = None
        participle = fold(m.group("verb")).endswith("ant") and m.group("aux") is None
        if participle:
            # "… était « … », saluant le rôle de Nicolas Sarkozy": a name after a participle is its object; the
            # participle's subject is the clause's.
            verb = _governing_verb(doc, cs, ce)
            ref = _clause_subject(doc, verb, refs, quotes) if verb is not None else None
            if ref is not None and not (ref.name or ref.label):
                ref = None
        if rest_toks is not None and ref is None:
            ref = _ref_at(refs, rest_toks[0], min(rest_toks[1], rest_toks[0] + 14))
            ref = ref if ref is not None and ref.pos - rest_toks[0] <= 8 else None
            if ref is None:
                ref = _np_label(doc, rest_toks[0], rest_toks[1], indefinite=True)
            if ref is None:  # "… », a tenu à souligner l'Elysée": an organisation the speaker list leaves out
                first = doc[rest_toks[0]] if rest_toks[0] < len(doc) else None
                while first is not None and first.i < min(rest_toks[1], rest_toks[0] + 3) and first.is_punct:
                    first = doc[first.i + 1]
                ref = _entity_ref(doc, first) if first is not None else None
        return _via("post", ref)
    # "… « … » au sein de la banque, souligne le document.": the attribution closes the sentence.
    for cm in re.finditer(r",", post):
        tail = _POST_ATTR_AT.match(post, cm.start())
        if tail is None or not lex.is_speech_word(tail.group("verb")) or len(tail.group("rest").split()) > 12:
            continue
        pron = tail.group("p1") or tail.group("p2") or tail.group("p3")
        if pron:
            return _via("tail-pronoun", _resolve_pronoun(refs, _tok(doc, qs), pron, quotes))
        if tail.group("aux") is None and fold(tail.group("verb")) in {"a", "est"}:
            continue
        rest = _toks(doc, qe + tail.start("rest"), post_end)
        if rest is not None:
            return _via("tail", _ref_at(refs, rest[0], rest[1]) or _np_label(doc, rest[0], rest[1], indefinite=True))
    verb = _first_speech_verb(doc, pre_start, qs, lex, reach=10)
    if verb is not None:
        return _via("pre-verb", _subject_of(doc, verb, refs, quotes))
    # "Pour elle, la libération était due à « … »".
    pour = _POUR.match(text, pre_start, qs)
    if pour is not None:
        who = fold(pour.group("who"))
        if who in ("elle", "lui"):
            return _via("pour-pronoun", _resolve_pronoun(refs, _tok(doc, qs), "elle" if who == "elle" else "il", quotes))
        toks = _toks(doc, pour.start("who"), pour.end("who"))
        r = _ref_at(refs, toks[0], toks[1]) if toks is not None else None
        if r is None and toks is not None:  # "Pour la LDH, …": an organisation the speaker list leaves out
            r = _entity_ref(doc, doc[toks[1] - 1])
        if r is not None:
            return _via("pour", r)
    # "Betancourt : « … »" (a headline, a transcript).
    if pre.rstrip().endswith(":") and len(pre.split()) <= 6:
        toks = _toks(doc, pre_start, qs)
        if toks is not None:
            r = _ref_at(refs, toks[0], toks[1])
            if r is not None:
                return _via("name-colon", r)
    sel = _selon(doc, text, pre_start, post_end, refs)
    if sel is not None:
        return _via("selon", sel)
    # "X a déclaré :\n« … »": the attribution closes the line before.
    if not pre.strip() and text[:qs].rstrip().endswith(":"):
        colon = text[:qs].rstrip()
        line_start = max(colon.rfind("\n") + 1, _sentence_start(text, len(colon) - 1, []))
        verb = _first_speech_verb(doc, line_start, len(colon), lex)
        if verb is not None:
            return _via("colon-line", _subject_of(doc, verb, refs, quotes))
    standalone = not pre.strip(" \n\t:") and not post.strip(" \n\t.;!?")
    # "X avait accusé Moscou d'« activités malveillantes »", "un rapport fait état d'une « dérive »": words quoted as
    # the object of a verb of saying (or judging) are its subject's, however short, and so is a bare term further
    # down its object ("Moscou a dénoncé … pour annoncer … la décision « malhonnête »": the gold gives it to Moscou;
    # keeping bare terms to the very object of the verb lost 5 dev quotes, strict precision the same).
    if not standalone:
        verb = _saying_head(doc, cs, ce, lex)
        if verb is not None:
            ref = _clause_subject(doc, verb, refs, quotes)
            if ref is not None and (ref.name or ref.label):
                return _via("clause-speech", ref)
    # "Les banques se sont engagées à « adopter sans délai » ce code": words quoted inside a clause are its subject's,
    # when they are more than a label (one or two quoted words are scare quotes: "la décision « malhonnête »").
    if not standalone and len(text[cs:ce].split()) >= 3 and not _bare_term(doc, cs, ce):
        verb = _governing_verb(doc, cs, ce)
        if verb is not None:
            ref = _clause_subject(doc, verb, refs, quotes)
            if ref is not None and ref.name and ref.is_person:
                return _via("clause-subject", ref)
    if quotes:
        prev = quotes[-1]
        gap = text[prev.end : qs]
        if standalone and prev.kind == "direct" and len(_SENT_END.findall(gap)) <= 1 and len(gap) < 200:
            return _via("standalone-continuation", SpeakerRef(prev.speaker, prev.role, label=prev.label))
        # A sentence quoting again, right after someone's quote, with no one else in it, goes on with their words.
        if (prev.kind == "direct" and (prev.speaker or prev.label) and len(_SENT_END.findall(gap)) <= 1 and len(gap) < 250
                and not _bare_term(doc, span[2], span[3])):
            toks = _toks(doc, pre_start, post_end)
            others = [r for r in refs if toks is not None and toks[0] <= r.pos < toks[1] and r.name != prev.speaker]
            root = _sent(doc, _tok(doc, qs)).root if _tok(doc, qs) < len(doc) else None
            subj = next((c for c in root.children if c.dep_.startswith("nsubj")), None) if root is not None else None
            own_subject = subj is not None and subj.pos_ != "PRON"
            if not others and not own_subject and "\n\n" not in gap:
                return _via("sentence-continuation", SpeakerRef(prev.speaker, prev.role, label=prev.label))
    return False, None


# Verbs that, beyond saying, judge or name what they take: their quoted object is the subject's words.
_JUDGING = {
    "accuser", "qualifier", "critiquer", "reprocher", "condamner", "fustiger", "denoncer", "saluer", "evoquer",
    "pointer", "exprimer", "reclamer", "exiger", "promettre", "appeler", "exhorter", "traiter", "decrire", "parler",
    "mettre en garde", "avertir", "s'inquieter", "regretter", "deplorer", "souhaiter", "plaider", "demander",
    "trouver", "definir", "presenter",
}
# "faire état de", "faire part de": a light verb and its noun.
_LIGHT = {"etat", "part", "allusion", "mention"}


def _says(verb: Any, lex: Lexicon) -> bool:
    """Whether a verb reports words: a verb of saying or judging, or "faire état / part / allusion de"."""
    if lex.is_speech_word(verb.text, verb.lemma_) or fold(verb.lemma_) in _JUDGING:
        return True
    return fold(verb.lemma_) == "faire" and any(fold(c.text) in _LIGHT for c in verb.children)


def _saying_head(doc: Doc, cs: int, ce: int, lex: Lexicon) -> int | None:
    """The verb of saying or judging, outside the quote, that the quoted words hang from, through the verbs of its
    complements ("a accusé le gouvernement de se comporter comme « … »"), not through a relative clause."""
    toks = _toks(doc, cs, ce)
    if toks is None:
        return None
    t = doc[toks[0] : toks[1]].root
    for _ in range(8):
        if t.dep_ in ("acl:relcl", "parataxis") or t.head.i == t.i:
            break
        t = t.head
        if t.pos_ in ("VERB", "AUX") and not toks[0] <= t.i < toks[1] and _says(t, lex):
            return t.i
    return None


def _governing_verb(doc: Doc, cs: int, ce: int) -> int | None:
    """The verb outside the quote that the quoted words hang from."""
    toks = _toks(doc, cs, ce)
    if toks is None:
        return None
    t = doc[toks[0] : toks[1]].root
    for _ in range(6):
        if t.head.i == t.i:
            return t.i if t.pos_ in ("VERB", "AUX") and not toks[0] <= t.i < toks[1] else None
        t = t.head
        if t.pos_ in ("VERB", "AUX") and not toks[0] <= t.i < toks[1]:
            return t.i
    return None


def _clause_subject(doc: Doc, verb: int, refs: Sequence[SpeakerRef], quotes: Sequence[Quote]) -> SpeakerRef | None:
    """The explicit subject of a clause (through participles and coordination), as a person, organisation or
    definite description; None without one (no guessing from nearby names)."""
    v = doc[verb]
    for _ in range(4):
        agent = _agent(doc, v, refs)
        if agent is not None:
            return agent
        subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubj:pass")), None)
        if subj is not None:
            low = fold(subj.text).strip("-").removeprefix("t-")
            if low in _PRON_GENDER:
                return _resolve_pronoun(refs, subj.i, low, quotes)
            if low in ("qui", "who") and v.dep_.startswith("acl") and v.head.i != v.i:
                return _ref_covering(refs, v.head) or _entity_ref(doc, v.head)
            sub = list(subj.subtree)
            r = _ref_covering(refs, subj)
            return r if r is not None else _np_label(doc, sub[0].i, sub[-1].i + 1)
        if v.dep_ in ("conj", "xcomp", "advcl", "acl", "acl:relcl") and v.head.i != v.i:
            v = v.head
            continue
        break
    return None


def _agent(doc: Doc, v: Any, refs: Sequence[SpeakerRef]) -> SpeakerRef | None:
    """The agent of a passive verb ("qualifiée par les syndicats d'« injure »"): who did the saying."""
    agent = next((c for c in v.children if c.dep_ == "obl:agent"), None)
    if agent is None:
        return None
    sub = [t for t in agent.subtree if t.dep_ != "case"]
    if not sub:
        return None
    return _ref_covering(refs, agent) or _np_label(doc, sub[0].i, sub[-1].i + 1) or _entity_ref(doc, agent)


def _np_label(doc: Doc, start: int, end: int, indefinite: bool = False) -> SpeakerRef | None:
    """A definite noun phrase naming an unnamed speaker ("l'avocat", "les syndicats", "la Commission bancaire"):
    determiner, noun, adjectives and "de" complements; times ("la veille") are not speakers."""
    toks = [t for t in doc[start:end] if not t.is_space]
    if len(toks) < 2 or fold(toks[0].text) not in (_DEF_DETS | _INDEF_DETS if indefinite else _DEF_DETS):
        return None
    head = toks[1]
    i = 2
    # "l'ex-otage" may come as "ex", "-", "otage".
    while i + 1 < len(toks) and toks[i].text == "-" and toks[i].idx == toks[i - 1].idx + len(toks[i - 1].text):
        head = toks[i + 1]
        i += 2
    alpha = all(part.isalpha() for part in head.text.split("-"))  # "ex-otage" as one token
    if head.pos_ not in ("NOUN", "PROPN", "ADJ") or not alpha or fold(head.text) in _NOT_SPEAKERS:
        return None
    stop = i
    while i < len(toks) and i <= 7:
        t = toks[i]
        low = fold(t.text)
        # "le dalaï lama": a noun compounded to the head with no preposition.
        # The tagger sometimes calls "lama" a pronoun: one with no pronoun type is a noun.
        nounish = t.pos_ == "NOUN" or (t.pos_ == "PRON" and not t.morph.get("PronType", []) and t.is_alpha)
        compound = nounish and i == stop == 2 and t.head.i == head.i and t.dep_ in ("nmod", "compound", "flat", "appos")
        if t.pos_ in ("ADJ", "PROPN") or compound or (t.pos_ == "NOUN" and toks[i - 1].pos_ in ("ADP", "DET", "ADJ")):
            i += 1
            stop = i
        elif low in ("de", "du", "des", "d'") or (t.pos_ == "DET" and toks[i - 1].pos_ == "ADP"):
            i += 1
        else:
            break
    words = toks[:stop]
    named = _named_in_description(doc, words[1].i, words[-1].i + 1)
    if named is not None:
        return named
    return SpeakerRef(label=doc[words[0].i : words[-1].i + 1].text, pos=words[0].i)


def _named_in_description(doc: Doc, start: int, end: int) -> SpeakerRef | None:
    """The person or organisation a description goes on to name: "la télévision CCTV", "le directeur général de la
    police nationale (DGPN) Frédéric Péchenard" (a name inside the phrase or right after it, before any verb)."""
    reach = end
    while reach < min(len(doc), end + 8) and doc[reach].pos_ not in ("VERB", "AUX") and doc[reach].text not in ".;:!?«»\"“”":
        reach += 1
    for e in doc.ents:
        if e.start < start or e.start >= reach:
            continue
        if e.label_ in ("PER", "PERSON") or (e.label_ == "ORG" and e.start < end + 1):
            between = doc[end : e.start]
            if e.start >= end and any(t.text == "," and t.i != e.start - 1 for t in between):
                return None
            return SpeakerRef(e.text, None, None, e.start, True, e.label_ != "ORG")
    return None


_ASSOCIATES = {
    "entourage", "proche", "proches", "famille", "avocat", "avocate", "avocats", "cabinet", "equipe", "services",
    "collaborateurs", "partisans", "soutiens", "mere", "pere", "fils", "fille", "epouse", "mari", "femme", "frere", "soeur",
    "ami", "amie", "amis", "conseiller", "conseillere", "entourages", "camp", "parti", "gouvernement", "ministere",
}
_INDEF_DETS = {"un", "une", "des", "a", "an"}
_NOT_SPEAKERS = {
    "veille", "lendemain", "jour", "semaine", "mois", "annee", "an", "matin", "soir", "nuit", "fois", "suite", "fin",
    "debut", "raison", "question", "idee", "situation", "decision", "operation", "affaire", "chose", "cas",
}
_POUR = re.compile(r"\s*(?:Mais\s+|Et\s+)?[Pp]our\s+(?P<who>elle|lui|(?:l['’]|la\s+|le\s+|les\s+)?[A-ZÉ][^,]{1,40}?)\s*,")
_DEF_DETS = {"le", "la", "l'", "les", "son", "sa", "ses", "leur", "leurs", "the", "his", "her", "their", "its"}


def _speaker(ref: SpeakerRef | None) -> tuple[str | None, RoleKey | None]:
    if ref is None:
        return None, None
    return ref.name, ref.role


def _quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(open, close-end, content-start, content-end) of each direct quote. Straight quotes pair within a line; a line
    left with one open carries it to the next lines (a quote of several sentences, one per line) until a line
    closes it, at most twelve lines on (a quote of one sentence per line), or a line opens with a new mark."""
    spans = [(m.start(), m.end(), m.start() + 1, m.end() - 1) for m in _QUOTE_RE.finditer(text)]
    # '"We very much look forward …”': a straight mark closed by a curly one (or the reverse), within a line.
    for m in _MIXED_QUOTE_RE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e, _, _ in spans):
            spans.append((m.start(), m.end(), m.start() + 1, m.end() - 1))
    open_at: int | None = None
    carried = 0
    colon = False
    offset = 0
    for line in text.split("\n"):
        marks = [offset + i for i, c in enumerate(line) if c == '"' and not any(s <= offset + i < e for s, e, _, _ in spans)]
        if open_at is not None:
            reopen = bool(marks) and not line[: marks[0] - offset].strip() and line[marks[0] - offset + 1 : marks[0] - offset + 2].isupper()
            if reopen:
                # A paragraph opening with a new mark while a quote runs on: the quote ended with the paragraph
                # before (the press's convention for a quote over several paragraphs), this one opens its own.
                end = len(text[: offset - 1].rstrip())
                spans.append((open_at, end, open_at + 1, end))
                open_at = None
            elif marks:
                spans.append((open_at, marks[0] + 1, open_at + 1, marks[0]))
                marks = marks[1:]
                open_at = None
            else:
                carried += 1
                if carried > 12 or not line.strip():
                    _close_unended(text, open_at, offset, colon, spans)
                    open_at = None
        for a, b in zip(marks[::2], marks[1::2], strict=False):
            spans.append((a, b + 1, a + 1, b))
        # Only a mark that opens a passage carries: at the line start or after "said," / ":", before a capital.
        if len(marks) % 2 == 1:
            last = marks[-1]
            before = text[offset:last].rstrip()
            after = text[last + 1 : last + 2]
            # A quote opened after "X a dit :" or "…, " may start lower-case ("En échange, « nous nous engageons").
            if (not before and after.isupper()) or (before.endswith((":", ",")) and after.isalpha()):
                open_at, carried, colon = last, 0, before.endswith(":")
        offset += len(line) + 1
    if open_at is not None:
        _close_unended(text, open_at, len(text) + 1, colon, spans)
    spans.sort()
    return [s for s in spans if s[3] - s[2] > 1]


def _in_marks(doc: Doc, tok: int) -> bool:
    """Whether token ``tok`` is inside the quotation marks :func:`_direct_quotes` found in the document."""
    spans = doc.user_data.get("vigie_quote_spans") or ()
    return tok < len(doc) and _inside(doc[tok].idx, spans)


def _close_unended(text: str, open_at: int, offset: int, colon: bool, spans: list[tuple[int, int, int, int]]) -> None:
    """A quote opened after "X tweeted:" whose closing mark the text lost ends with its paragraph (before the
    line starting at ``offset``)."""
    if colon:
        end = len(text[: max(offset - 1, 0)].rstrip())
        if end > open_at + 1:
            spans.append((open_at, end, open_at + 1, end))


def _inside(pos: int, spans: Sequence[tuple[int, int, int, int]]) -> bool:
    return any(s < pos < e - 1 for s, e, _, _ in spans)


# Titles and initials whose period ends no sentence ("M. Maas", "said Lt. Gregg Hastings", "Mr. Sznewajs said").
_ABBREV = re.compile(r"(?:^|[\s(])(?:M|Mme|Mlle|Me|Dr|St|Pr|Mgr|Mr|Mrs|Ms|Lt|Sgt|Capt|Col|Gen|Gov|Sen|Rep|Prof|Jr|Sr|"
                     r"Adm|Cpl|Rev|Fr|Hon|Insp|Det|Supt|Maj|[A-Z])\.$")


def _is_end(text: str, i: int, spans: Sequence[tuple[int, int, int, int]]) -> bool:
    """A sentence-final mark outside quotes; "M. Maas": a title's period is not a sentence end."""
    return (
        text[i] in ".!?…"
        and (i + 1 >= len(text) or text[i + 1].isspace() or _glued_start(text, i))
        and not _inside(i, spans)
        and not _ABBREV.search(text[max(0, i - 6) : i + 1])
    )


def _glued_start(text: str, i: int) -> bool:
    """A sentence glued to the previous one by a scraper ("l'Otan.Le ministre", "ajouté.\"Nous"): after a lower-case
    word or a closing mark, a capital (or a quote mark and a capital). "U.S.A" and "M.Maas" are not ends."""
    if i == 0 or not (text[i - 1].islower() or text[i - 1] in "\"»”)"):
        return False
    nxt = text[i + 1 : i + 3]
    return bool(nxt) and (nxt[0].isupper() or (nxt[0] in "\"«“" and nxt[1:2].isupper()))


def _sentence_start(text: str, pos: int, spans: Sequence[tuple[int, int, int, int]]) -> int:
    i = pos - 1
    while i >= 0:
        c = text[i]
        if c == "\n":
            return i + 1
        if _is_end(text, i, spans):
            return i + 1
        i -= 1
    return 0


def _sentence_end(text: str, pos: int, spans: Sequence[tuple[int, int, int, int]]) -> int:
    i = pos
    while i < len(text):
        c = text[i]
        if c == "\n":
            return i
        if _is_end(text, i, spans):
            return i + 1
        i += 1
    return len(text)


@dataclass(slots=True)
class _DocIndex:
    """Token ends, sentence starts and text of a parse, computed once per document: ``char_span``, ``Token.sent``
    and ``Doc.text`` scan the document on every call, which made quote attribution quadratic in its length."""

    ends: list[int]
    starts: list[int]  # token index of each sentence start, ascending
    n_starts: list[int]  # sentence starts among tokens 0..i
    text: str = ""


def _index(doc: Doc) -> _DocIndex:
    found = doc.user_data.get("vigie_index")
    if isinstance(found, _DocIndex):
        return found
    from spacy.attrs import IDX, LENGTH, SENT_START

    ends = (doc.to_array(IDX) + doc.to_array(LENGTH)).tolist() if len(doc) else []
    flags = [int(v) == 1 for v in doc.to_array(SENT_START).astype("int64")] if len(doc) else []
    starts = [i for i, f in enumerate(flags) if f]
    n_starts = list(itertools.accumulate(int(f) for f in flags))
    index = _DocIndex(ends, starts, n_starts, doc_text(doc))
    doc.user_data["vigie_index"] = index
    return index


def _tok(doc: Doc, char: int) -> int:
    """The token holding a character offset (the next token for a space between two), else ``len(doc)``."""
    return bisect.bisect_right(_index(doc).ends, char)


def _sent(doc: Doc, t: int) -> Span:
    """The sentence holding token ``t`` (what ``doc[t].sent`` gives, without scanning the document)."""
    starts = _index(doc).starts
    k = bisect.bisect_right(starts, t) - 1
    start = starts[k] if k >= 0 else 0
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[start:end]


def _toks(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    return span.start, span.end


def _sent_of(doc: Doc, char: int) -> int:
    t = _tok(doc, char)
    if t >= len(doc):
        return 0
    return _index(doc).n_starts[t] - 1


def _first_speech_verb(doc: Doc, start: int, end: int, lex: Lexicon, reach: int = 4) -> int | None:
    """Token index of the verb of saying in [start, end) that introduces the quote: the nearest one, unless an outer
    verb of saying governs it ("X a indiqué que Y regrettait que « … »" is X's)."""
    toks = _toks(doc, start, end)
    if toks is None:
        return None
    cands: list[int] = []
    for t in doc[toks[0] : toks[1]]:
        # "déclarations", "annonce": nouns are not speech acts with a subject; skip them.
        if t.pos_ in ("VERB", "AUX", "ADJ") and lex.is_speech_word(t.text, t.lemma_ if t.pos_ == "VERB" else None):
            # The verb must introduce the quote: "a déclaré : « … »", "a affirmé que … « … »", "a qualifié … de « … »".
            between = _index(doc).text[t.idx + len(t.text) : end]
            if ":" in between or re.search(r"\bqu(?:e\b|['’])", between) or len(between.split()) <= reach:
                cands.append(t.i)
    if not cands:
        return None
    last = doc[cands[-1]]
    # "X a estimé qu'il … et Y a dénoncé « … »", parsed as one clause under the other: a verb with a subject of its
    # own and no "que" before it speaks for that subject.
    own = any(ch.dep_ == "nsubj" and ch.pos_ == "PROPN" for ch in last.children) and not any(
        ch.dep_ == "mark" and fold(ch.text) in ("que", "qu'", "qu’") for ch in last.children)
    for c in cands[:-1]:
        if doc[c].is_ancestor(last) and not _coordinated(doc[c], last) and not own:
            return c
    return last.i


def _coordinated(outer: Any, inner: Any) -> bool:
    """Whether ``inner`` hangs from ``outer`` through a coordination ("X a estimé … et Y a dénoncé …")."""
    t = inner
    while t.i != outer.i and t.head.i != t.i:
        if t.dep_ == "conj":
            return True
        t = t.head
    return False


def _subject_of(doc: Doc, verb: int, refs: Sequence[SpeakerRef], quotes: Sequence[Quote]) -> SpeakerRef | None:
    """Speaker of a verb of saying: its subject (through "qui" to the antecedent, through a participle or a
    coordinated verb to the governing one), a pronoun resolved, or "d'ajouter" to the previous speaker."""
    v = doc[verb]
    # "…», a-t-elle raconté, évoquant « … »": a participle with no subject of its own goes on with the words of the
    # quote just before it in the sentence, whoever the parser hangs it on.
    if fold(v.text).endswith("ant") and not any(c.dep_.startswith("nsubj") for c in v.children) and quotes:
        prev = next((q for q in reversed(quotes) if q.end <= v.idx), quotes[-1])
        text = _index(doc).text
        if (prev.kind == "direct" and (prev.speaker or prev.label) and prev.end <= v.idx
                and not _SENT_END.search(text, prev.end, v.idx) and "\n" not in text[prev.end : v.idx]):
            return SpeakerRef(prev.speaker, prev.role, label=prev.label)
    seen = 0
    while seen < 4:
        seen += 1
        agent = _agent(doc, v, refs)
        if agent is not None:
            return agent
        subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubj:pass", "expl:subj")), None)
        if subj is not None and _in_marks(doc, subj.i):
            # '"Dirigeables équipés …", la Ligue des droits de l'Homme évoque': the parser made the quoted words
            # the subject; the speaker is named right before the verb.
            subj = None
            break
        if subj is not None:
            low = fold(subj.text).strip("-").removeprefix("t-")  # "a-t-elle": the subject token is "-t-elle"
            if low in _PRON_GENDER:
                return _resolve_pronoun(refs, subj.i, low, quotes)
            if low in ("qui", "who") and (v.dep_.startswith("acl") or v.dep_ == "relcl"):
                # "dénonce l'association qui critique « … »": the antecedent, named or described.
                return (_ref_covering(refs, v.head) or _entity_ref(doc, v.head)
                        or _np_label(doc, v.head.left_edge.i, v.head.i + 1))
            if low in ("dernier", "derniere") and any(fold(c.text) in ("ce", "cette") for c in subj.children):
                # "Ce dernier avait tenu à préciser": the latest person of that gender named before.
                gender = "F" if low == "derniere" else "M"
                return next((r for r in reversed(refs) if r.pos < subj.i and r.is_person and r.name
                             and r.gender in (gender, None)), None)
            # "l'entourage de la ministre", "la mère d'Ingrid": the speaker is the one the phrase describes.
            if subj.pos_ == "NOUN" and fold(subj.text) in _ASSOCIATES:
                # From the determiner: "Interrogé sur …, l'entourage de la ministre a rappelé" hangs the participle
                # on the subject.
                det = [c.i for c in subj.children if c.dep_ == "det" and c.i < subj.i]
                lab = _np_label(doc, det[0] if det else subj.i, subj.right_edge.i + 1)
                if lab is not None:
                    return lab
            r = _ref_covering(refs, subj)
            if r is not None and not r.is_person:
                # A dateline or place the parser took for the subject: a person right before the verb is the speaker.
                between = [x for x in refs if subj.i < x.pos < v.i and x.is_person]
                if between:
                    return _ref_at(refs, between[0].pos, v.i)
            if r is not None:
                return r
            # The subject is a noun phrase holding a name ("le porte-parole du Kremlin Dmitri Peskov"), or a
            # definite description of someone the article does not name ("l'avocat").
            sub = list(subj.subtree)
            return _ref_at(refs, sub[0].i, sub[-1].i + 1) or _np_label(doc, sub[0].i, sub[-1].i + 1)
        if v.dep_ in ("conj", "xcomp", "advcl", "acl") and v.head.i != v.i:
            v = v.head
            continue
        break
    if doc[verb].morph.get("VerbForm", []) == ["Inf"] and quotes:
        prev = quotes[-1]
        return SpeakerRef(prev.speaker, prev.role)
    # No subject in the parse: the nearest person or role before the verb in the same sentence, or an
    # organisation named right before it ("…», la Ligue des droits de l'Homme évoque un « … »").
    sent = _sent(doc, verb)
    cands = [r for r in refs if sent.start <= r.pos < verb]
    ent = next((e for e in doc.ents if e.end == verb and e.start >= sent.start and e.label_ in ("ORG", "PER", "PERSON")), None)
    if ent is not None and not (cands and cands[-1].pos >= ent.start):
        return SpeakerRef(ent.text, None, None, ent.start, True, ent.label_ != "ORG")
    return cands[-1] if cands else None


def _entity_ref(doc: Doc, tok: Any) -> SpeakerRef | None:
    """An organisation or person the parser names at ``tok`` but the article's speaker list leaves out (only
    organisations that are subjects are listed): "le PS, qui a dénoncé …" is the PS's word."""
    ent = next((e for e in doc.ents if e.start <= tok.i < e.end and e.label_ in ("PER", "PERSON", "ORG")), None)
    if ent is None:
        return None
    return SpeakerRef(ent.text, None, None, ent.start, True, ent.label_ != "ORG")


def _ref_covering(refs: Sequence[SpeakerRef], tok: Any) -> SpeakerRef | None:
    sub = list(tok.subtree)
    lo, hi = sub[0].i, sub[-1].i + 1
    inside = [r for r in refs if lo <= r.pos < hi]
    if not inside:
        return None
    # The head noun's own mention wins over names in its complements ("la décision de l'Otan"); then a person
    # inside the phrase beats a place the parser pulled in ("BRUXELLES, … -- Le secrétaire général … a déclaré").
    own = [r for r in inside if r.pos == tok.i]
    if own:
        return _ref_at(refs, own[0].pos, hi)
    people = [r for r in inside if r.is_person]
    if people:
        return _ref_at(people, people[0].pos, hi)
    return _ref_at(refs, inside[0].pos, hi) if inside[0].pos == lo else None


def _selon(doc: Doc, text: str, start: int, end: int, refs: Sequence[SpeakerRef]) -> SpeakerRef | None:
    m = _SELON.search(text, start, end)
    if m is None:
        return None
    toks = _toks(doc, m.end(), end)
    if toks is None:
        return None
    r = _ref_at(refs, toks[0], min(toks[1], toks[0] + 12))
    if r is not None and r.pos - toks[0] <= 3:
        return r
    # "selon le représentant du leader tibétain en Europe, Jampal Chosang": a name in apposition to the description.
    if r is not None and r.pos > toks[0] and doc[r.pos - 1].text == "," and not any(
            t.pos_ in ("VERB", "AUX") or t.text in ".;:" for t in doc[toks[0] : r.pos]):
        return r
    return _np_label(doc, toks[0], min(toks[1], toks[0] + 8)) or SpeakerRef()


def _tokens_of_pos(doc: Doc, tags: Sequence[str]) -> list[int]:
    """Indices of the tokens whose coarse part of speech is one of ``tags``, in order."""
    import numpy as np
    from spacy.attrs import POS
    from spacy.parts_of_speech import IDS

    if not len(doc):
        return []
    return np.flatnonzero(np.isin(doc.to_array(POS), [IDS[t] for t in tags])).tolist()


def _indirect(doc: Doc, refs: Sequence[SpeakerRef], direct: Sequence[Quote], lex: Lexicon) -> list[Quote]:
    text = _index(doc).text
    out: list[Quote] = []
    real = [q for q in direct if q.kind == "direct"]
    prior: list[Quote] = []
    verbs = _tokens_of_pos(doc, ("VERB", "AUX", "ADJ"))  # the only tokens the first rule reads, read as an array
    for sent in doc.sents:
        s_start, s_end = sent.start_char, sent.end_char
        prior = sorted([q for q in real if q.start < s_start] + out, key=lambda q: q.start)
        claimed = False
        # "X a déclaré que …": the outermost verb of saying followed by "que".
        for k in verbs[bisect.bisect_left(verbs, sent.start) : bisect.bisect_left(verbs, sent.end)]:
            t = doc[k]
            if not lex.is_speech_word(t.text, t.lemma_ if t.pos_ == "VERB" else None):
                continue
            m = _QUE.match(text, t.idx + len(t.text), s_end)
            if m is None:
                continue
            c_start = m.end()
            nl = text.find("\n", c_start, s_end)
            c_end = nl if nl >= 0 else s_end
            # A direct quote opening after the clause's full stop belongs to the next sentence.
            for q in real:
                if c_start <= q.start < c_end and _SENT_END.search(text, c_start, q.start):
                    c_end = q.start
                    break
            content = text[c_start:c_end].strip().rstrip(".").strip()
            if len(content.split()) < 3 or any(q.start < c_end and q.end > c_start and len(q.text.split()) > len(content.split()) / 2 for q in real):
                claimed = True
                break
            ref = _subject_of(doc, t.i, refs, prior)
            speaker, role = _speaker(ref)
            out.append(Quote(content, speaker, "indirect", c_start, c_end, role, _sent_of(doc, c_start)))
            claimed = True
            break
        if claimed or any(q.start < s_end and q.end > s_start for q in real):
            continue
        stext = text[s_start:s_end]
        # "…, a annoncé X." / "…, a déclaré un porte-parole …": content first, attribution last.
        for m in re.finditer(r",\s*(?:a|avait|aurait)\s+(?:" + _ADVERBS + r"\s+)*([^\W\d_][\w'’-]*)\s+(?!que\b|qu['’])", stext):
            if not lex.is_speech_word(m.group(1)) or m.start() < 20:
                continue
            rest = _toks(doc, s_start + m.end(), s_end)
            if rest is None or rest[1] - rest[0] > 16:
                continue
            ref = _ref_at(refs, rest[0], rest[1])
            if ref is None and not re.match(r"\s*(?:un|une|des)\b", stext[m.end() :]):
                continue
            speaker, role = _speaker(ref)
            content = stext[: m.start()].strip()
            out.append(Quote(content, speaker, "indirect", s_start, s_start + m.start(), role, _sent_of(doc, s_start)))
            claimed = True
            break
        if claimed:
            continue
        # "Selon X, …"
        sm = _SELON.match(stext) or (None if stext.lower().startswith("selon") else _SELON.search(stext))
        if sm is not None and sm.start() == 0:
            ref = _selon(doc, text, s_start, s_end, refs)
            if ref is not None and (ref.name or ref.role):
                after = _after_phrase(stext, sm.end())
                if after and len(after.split()) >= 3:
                    speaker, role = _speaker(ref)
                    start = s_start + stext.index(after)
                    out.append(Quote(after.rstrip(".").strip(), speaker, "indirect", start, s_end, role, _sent_of(doc, start)))
    return out


def _after_phrase(stext: str, pos: int) -> str:
    """Text after the comma that closes "Selon X, …"."""
    i = stext.find(",", pos)
    return stext[i + 1 :].strip() if i >= 0 else ""


def sentence_span(doc: Doc, char: int) -> Span | None:
    """The parsed sentence holding a character offset."""
    t = _tok(doc, char)
    return _sent(doc, t) if t < len(doc) else None


# --------------------------------------------------------------------------------------------------------------------
# English: "…," said X / X said / he added; X said: "…"; X told Reuters that "…"; according to X.

_EN_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)


def _speech_verb_in(doc: Doc, start: int, end: int, lex: Lexicon, first: bool) -> int | None:
    toks = _toks(doc, start, end)
    if toks is None:
        return None
    found = [t.i for t in doc[toks[0] : toks[1]] if t.pos_ in ("VERB", "AUX") and lex.is_speech_word(t.text, t.lemma_)]
    if not found:
        return None
    return found[0] if first else found[-1]


_EN_ASSOCIATES = {
    "rep", "representative", "spokesman", "spokeswoman", "spokesperson", "lawyer", "attorney", "publicist", "agent",
    "manager", "family", "friend", "mother", "father", "son", "daughter", "wife", "husband", "sister", "brother",
    "office", "campaign", "aide", "aides", "lawyers", "attorneys", "friends", "relatives", "spokesmen",
}


def _surname_ref(refs: Sequence[SpeakerRef], subj: Any) -> SpeakerRef | None:
    """'"…," O'Connor said': a bare surname the entity tagger missed stands for the person named in full before."""
    if subj.pos_ != "PROPN" or not subj.text[:1].isupper():
        return None
    last = fold(subj.text)
    named = [r for r in refs if r.pos < subj.i and r.is_person and r.name and fold(r.name.split()[-1]) == last]
    return named[-1] if named and len({r.name for r in named}) == 1 else None


def _en_subject(doc: Doc, verb: int, refs: Sequence[SpeakerRef], quotes: Sequence[Quote]) -> SpeakerRef | None:
    """Speaker of an English verb of saying: its subject, a pronoun resolved, "Reid's rep" kept as a description,
    "Zadan and Meron" as both."""
    v = doc[verb]
    for _ in range(3):
        subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            low = subj.text.lower()
            if low in _PRON_GENDER:
                return _resolve_pronoun(refs, subj.i, low, quotes)
            if subj.pos_ == "NOUN" and low in _EN_ASSOCIATES:
                sub = list(subj.subtree)
                if 1 < len(sub) <= 6:
                    return SpeakerRef(label=doc[sub[0].i : sub[-1].i + 1].text, pos=sub[0].i)
            conj = [c for c in subj.children if c.dep_ == "conj"]
            if conj:
                first = _ref_at(refs, subj.left_edge.i, subj.i + 1)
                second = _ref_at(refs, conj[0].left_edge.i, conj[0].i + 1)
                if first is not None and second is not None and first.name and second.name:
                    return SpeakerRef(f"{first.name} and {second.name}", pos=first.pos)
            if low in ("who", "that") and v.dep_ == "relcl":
                return _ref_covering(refs, v.head) or _np_label(doc, v.head.left_edge.i, v.head.i + 1)
            sub = list(subj.subtree)
            # '"…," a source said': an indefinite description is a speaker too (the gold's "a source").
            return (_ref_at(refs, sub[0].i, sub[-1].i + 1) or _surname_ref(refs, subj)
                    or _np_label(doc, sub[0].i, sub[-1].i + 1, indefinite=True))
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head.i != v.i:
            v = v.head
            continue
        # "Hugh Hefner was reported as saying:": through the preposition to the verb it hangs on.
        if v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ in ("VERB", "AUX"):
            v = v.head.head
            continue
        break
    return None


def _attribute_en(
    doc: Doc, text: str, span: tuple[int, int, int, int], pre_start: int, post_end: int, refs: Sequence[SpeakerRef],
    quotes: Sequence[Quote], lex: Lexicon,
) -> tuple[bool, SpeakerRef | None]:
    qs, qe = span[0], span[1]
    pre, post = text[pre_start:qs], text[qe:post_end]
    if quotes and quotes[-1].kind != "fragment":
        prev = quotes[-1]
        gap = text[prev.end : qs]
        split = len(gap) < 80 and "\n" not in gap and gap.strip().startswith(",") and gap.rstrip().endswith((",", ":", "."))
        if split and _speech_verb_in(doc, prev.end, qs, lex, True) is not None:
            return _via("en-split", SpeakerRef(prev.speaker, prev.role, label=prev.label))
    # '"…," said Smith' / '"…," the spokesman said' / '"…," he added': the attribution right after the quote.
    # '"…," the actress's rep Jack Ketsoyan told': the comma closing the quoted words says the attribution follows,
    # however long the speaker's description.
    comma = post.lstrip()[:1] in (",", "", "-", "—") or text[span[2] : span[3]].rstrip().endswith(",")
    verb = _speech_verb_in(doc, qe, min(post_end, qe + (120 if comma else 80)), lex, True)
    if verb is not None and (comma or len(text[qe : doc[verb].idx].split()) <= 5):
        # '"…," said Paul Lee, president, ABC': a person right after the verb is the speaker, whatever the parse says.
        after = [r for r in refs if verb < r.pos <= verb + 2 and r.is_person and r.name]
        ref = after[0] if after and not any(c.dep_ in ("nsubj", "nsubjpass") and c.i < verb for c in doc[verb].children) else None
        if ref is not None:
            # '"…," said Laurence Mark and Bill Condon': both.
            nxt = [r for r in refs if ref.pos < r.pos <= ref.pos + 5 and r.is_person and r.name and doc[r.pos - 1].lower_ == "and"]
            if nxt:
                ref = SpeakerRef(f"{ref.name} and {nxt[0].name}", pos=ref.pos)
        ref = ref or _en_subject(doc, verb, refs, quotes)
        if ref is None:
            toks = _toks(doc, doc[verb].idx + len(doc[verb].text), post_end)
            if toks is not None:
                ref = _ref_at(refs, toks[0], min(toks[1], toks[0] + 6)) or _np_label(doc, toks[0], toks[1])
        return _via("en-post", ref)
    # 'Smith said: "…"' / 'Smith told Reuters that "…"' / 'Smith called it "…"'.
    verb = _speech_verb_in(doc, pre_start, qs, lex, False)
    if verb is not None:
        between = text[doc[verb].idx + len(doc[verb].text) : qs]
        if ":" in between or re.search(r"\bthat\b", between) or len(between.split()) <= 8:
            return _via("en-pre-verb", _en_subject(doc, verb, refs, quotes))
    m = _EN_ACCORDING.search(text, pre_start, post_end)
    if m is not None:
        toks = _toks(doc, m.end(), post_end)
        if toks is not None:
            r = _ref_at(refs, toks[0], min(toks[1], toks[0] + 6)) or _np_label(doc, toks[0], min(toks[1], toks[0] + 6))
            return _via("en-according", r)
    if not pre.strip() and text[:qs].rstrip().endswith(":"):
        colon = text[:qs].rstrip()
        line_start = max(colon.rfind("\n") + 1, _sentence_start(text, len(colon) - 1, []))
        verb = _speech_verb_in(doc, line_start, len(colon), lex, False)
        if verb is not None:
            return _via("en-colon-line", _en_subject(doc, verb, refs, quotes))
    standalone = not pre.strip(" \n\t:") and not post.strip(" \n\t.;!?")
    if standalone and quotes:
        prev = quotes[-1]
        gap = text[prev.end : qs]
        if prev.kind == "direct" and len(_SENT_END.findall(gap)) <= 1 and len(gap) < 200:
            return _via("en-continuation", SpeakerRef(prev.speaker, prev.role, label=prev.label))
    return False, None
