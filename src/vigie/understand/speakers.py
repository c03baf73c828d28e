"""A learned ranker of candidate speakers for a direct quote, where the cue rules of ``quotes`` are weakest.

The rules are sure of a speaker the text names at the quote ("« … », a déclaré X", "X a affirmé : « … »"); a
pronoun ("a-t-elle ajouté"), a quote standing alone, or words quoted inside a clause leave a choice among the people
of the article. Each person (or organisation) mentioned before the quote, or right after it in its sentence, is a
candidate described by :data:`SPEAKER_FEATURES` (distance, subject, gender against the cue pronoun, the previous
speaker, frequency, whether the rules chose it); a logistic regression per language gives P(speaker). The model is
``vigie/data/speaker_model.json``, fitted by ``train/train_speakers.py`` on eval/quotes (held-out figures:
eval/eval_quotes.py, which refits it per group fold). Below the model's threshold the speaker stays None.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.understand.entities import RoleKey

__all__ = ["SPEAKER_FEATURES", "STRONG_CUES", "Candidate", "SpeakerModel", "cue_pronoun"]

SPEAKER_FEATURES = (
    "bias_q", "log_dist_before", "no_before", "log_sent_before", "after_in_sentence", "in_sentence", "same_line",
    "subject_near", "subject_recent", "subject_in_sentence", "is_person", "is_role", "recent_rank0", "recent_subject_rank0", "recent_person_rank0", "recent_agree_rank0",
    "log_rank",
    "cue", "cue_agree", "cue_disagree", "cue_unknown", "prev_speaker", "prev_close", "log_quotes_of", "log_count", "share",
    "rule_pick", "rule_pick_strong", "rule_none", "rule_label", "fragment", "log_words", "only_candidate",
)  # fmt: skip
# Cues whose speaker the text names at the quote: the rules keep theirs (eval/eval_quotes.py --cues: P ≥ 0.84).
STRONG_CUES = frozenset({"post", "pre-verb", "incise-named", "selon", "name-colon", "pour", "tail", "colon-line", "split",
                         "en-post", "en-pre-verb", "en-according", "en-colon-line", "en-split"})  # fmt: skip
_PRON_GENDER = {"il": "M", "elle": "F", "ils": "P", "elles": "P", "he": "M", "she": "F", "they": "P"}
_POST_PRON = re.compile(r"-(?:t-)?(il|elle|ils|elles)\b|\b(il|elle|ils|elles|he|she|they)\b", re.IGNORECASE)
_PRE_PRON = re.compile(r"\b(il|elle|ils|elles|he|she|they)\b(?!.*\b(?:il|elle|ils|elles|he|she|they)\b)", re.IGNORECASE | re.DOTALL)


def cue_pronoun(post: str, pre: str, inner: str = "") -> str | None:
    """Gender ("M", "F") or "P" (plural) of the pronoun that attributes a quote: in an incise inside it, right after
    it ("a-t-elle ajouté", "she said"), else the last one before it in its sentence ("Elle a ajouté : « … »")."""
    m = re.search(r",\s*(?:\w+-t-|\w+-)(il|elle|ils|elles)\b", inner, re.IGNORECASE)
    if m is None:
        m = _POST_PRON.search(post[:40])
    if m is None and pre.strip():
        m = _PRE_PRON.search(pre[-80:])
    if m is None:
        return None
    word = next(g for g in m.groups() if g)
    return _PRON_GENDER.get(word.lower())


@dataclass(slots=True)
class Candidate:
    """One possible speaker of a quote and its features (in :data:`SPEAKER_FEATURES` order)."""

    name: str
    role: RoleKey | None
    features: list[float]
    score: float = 0.0


@dataclass(slots=True)
class _Seen:
    before: list[Any] = field(default_factory=list)
    after: list[Any] = field(default_factory=list)


def candidates(
    refs: Sequence[Any], sent_of_tok: Sequence[int], line_of_tok: Any, q_tok: int, q_end_tok: int, in_quote: Any,
    prev_quotes: Sequence[Any], cue: str | None, rule: Any, n_words: int, fragment: bool,
) -> list[Candidate]:
    """The candidate speakers of one quote, with their features.

    ``refs`` are :class:`vigie.understand.quotes.SpeakerRef` in text order; ``sent_of_tok[i]`` the sentence number
    of token i; ``line_of_tok(i)`` its line; ``in_quote(i)`` whether token i is inside quotation marks;
    ``prev_quotes`` the direct quotes before this one; ``rule`` the rules' SpeakerRef (or None).
    """
    n = len(sent_of_tok)
    q_sent = sent_of_tok[min(q_tok, n - 1)] if n else 0
    end_sent = sent_of_tok[min(q_end_tok, n - 1)] if n else 0
    seen: dict[str, _Seen] = {}
    counts: Counter[str] = Counter()
    for r in refs:
        if not r.name or in_quote(r.pos):
            continue
        counts[r.name] += 1
        if r.pos < q_tok and q_tok - r.pos <= 600:
            seen.setdefault(r.name, _Seen()).before.append(r)
        elif r.pos >= q_end_tok and r.pos - q_end_tok <= 30 and r.pos < n and sent_of_tok[r.pos] == end_sent:
            seen.setdefault(r.name, _Seen()).after.append(r)
    prev = next((q for q in reversed(prev_quotes) if q.kind == "direct" and q.speaker), None)
    quoted = Counter(q.speaker for q in prev_quotes if q.kind == "direct" and q.speaker)
    rule_name = rule.name if rule is not None else None
    strong = rule is not None and rule.via in STRONG_CUES
    if prev is not None and prev.speaker not in seen:
        seen[prev.speaker] = _Seen()
    nearest = {name: max((r.pos for r in s.before), default=-10**6) for name, s in seen.items()}
    order = sorted(nearest, key=lambda k: -nearest[k])
    rank = {name: i for i, name in enumerate(order)}
    subj_order = [k for k in order if any(r.subject for r in seen[k].before)]
    person_order = [k for k in order if seen[k].before and any(r.is_person for r in seen[k].before)]

    def agrees(name: str) -> bool:
        g = Counter(r.gender for r in seen[name].before if r.gender).most_common(1)
        return cue not in ("M", "F") or not g or g[0][0] == cue

    agree_order = [k for k in person_order if agrees(k)]
    total = sum(counts.values()) or 1
    q_line = line_of_tok(q_tok)
    out: list[Candidate] = []
    for name, s in seen.items():
        last = max(s.before, key=lambda r: r.pos) if s.before else None
        dist = q_tok - last.pos if last is not None else 600
        sent_d = q_sent - sent_of_tok[last.pos] if last is not None else 20
        genders = [r.gender for r in (*s.before, *s.after) if r.gender]
        gender = Counter(genders).most_common(1)[0][0] if genders else None
        is_person = any(r.is_person for r in (*s.before, *s.after))
        in_sent = any(sent_of_tok[r.pos] in (q_sent, end_sent) for r in s.before) or bool(s.after)
        f = {
            "bias_q": 1.0,
            "log_dist_before": math.log1p(dist),
            "no_before": float(last is None),
            "log_sent_before": math.log1p(max(sent_d, 0)),
            "after_in_sentence": float(bool(s.after)),
            "in_sentence": float(in_sent),
            "same_line": float(any(line_of_tok(r.pos) == q_line for r in (*s.before, *s.after))),
            "subject_near": float(last is not None and last.subject),
            "subject_recent": float(any(r.subject and q_sent - sent_of_tok[r.pos] <= 2 for r in s.before)),
            "subject_in_sentence": float(any(r.subject and sent_of_tok[r.pos] in (q_sent, end_sent) for r in (*s.before, *s.after))),
            "is_person": float(is_person),
            "is_role": float(last is not None and last.role is not None),
            "recent_rank0": float(bool(order) and order[0] == name and last is not None),
            "recent_subject_rank0": float(bool(subj_order) and subj_order[0] == name),
            "recent_person_rank0": float(bool(person_order) and person_order[0] == name),
            "recent_agree_rank0": float(bool(agree_order) and agree_order[0] == name),
            "log_rank": math.log1p(rank[name]),
            "cue": float(cue in ("M", "F")),
            "cue_agree": float(cue in ("M", "F") and gender == cue),
            "cue_disagree": float(cue in ("M", "F") and gender is not None and gender != cue),
            "cue_unknown": float(cue in ("M", "F") and gender is None),
            "prev_speaker": float(prev is not None and prev.speaker == name),
            "prev_close": float(prev is not None and prev.speaker == name and q_sent - prev.sent <= 1),
            "log_quotes_of": math.log1p(quoted[name]),
            "log_count": math.log1p(counts[name]),
            "share": counts[name] / total,
            "rule_pick": float(rule_name == name),
            "rule_pick_strong": float(rule_name == name and strong),
            "rule_none": float(rule is None or (rule.name is None and rule.label is None)),
            "rule_label": float(rule is not None and rule.name is None and rule.label is not None),
            "fragment": float(fragment),
            "log_words": math.log1p(n_words),
            "only_candidate": 0.0,
        }
        role = last.role if last is not None else (s.after[0].role if s.after else None)
        out.append(Candidate(name, role, [f[k] for k in SPEAKER_FEATURES]))
    if len(out) == 1:
        out[0].features[SPEAKER_FEATURES.index("only_candidate")] = 1.0
    return out


@dataclass(frozen=True, slots=True)
class SpeakerModel:
    """Conditional logit over a quote's candidates and "none of them" (utility 0): P(candidate said the quote),
    from :data:`SPEAKER_FEATURES`, per language.

    ``threshold``: the least probability of the best candidate for it to become the speaker of a quote the rules
    leave unresolved; ``weak_threshold`` the same for one they resolve by a weak cue (a pronoun, a continuation):
    there the best candidate replaces the rules' pick.
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float
    weak_threshold: float = 0.0
    features: tuple[str, ...] = SPEAKER_FEATURES

    def __post_init__(self) -> None:
        if tuple(self.features) != SPEAKER_FEATURES or len(self.weights) != len(SPEAKER_FEATURES):
            raise ValueError(f"speaker model features {list(self.features)} are not this version's {list(SPEAKER_FEATURES)}")

    def utility(self, features: Sequence[float]) -> float:
        return max(-30.0, min(30.0, self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))))

    def probas(self, cands: Sequence[Sequence[float]]) -> list[float]:
        """P(each candidate) against the others and "none of them"."""
        ex = [math.exp(self.utility(f)) for f in cands]
        total = 1.0 + sum(ex)
        return [e / total for e in ex]

    def best(self, cands: Sequence[Candidate], weak: bool = False) -> Candidate | None:
        """The most probable candidate when it reaches the threshold (``weak``: of a quote the rules resolved by a
        weak cue); ties: the first in text order."""
        for c, p in zip(cands, self.probas([c.features for c in cands]), strict=True):
            c.score = p
        # Gender agreement is grammar, not a preference: "a-t-elle ajouté" is never a man's.
        disagree = SPEAKER_FEATURES.index("cue_disagree")
        top = max((c for c in cands if not c.features[disagree]), key=lambda c: c.score, default=None)
        return top if top is not None and top.score >= (self.weak_threshold if weak else self.threshold) else None

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias,
                "threshold": self.threshold, "weak_threshold": self.weak_threshold}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeakerModel:
        return cls(tuple(float(w) for w in d["weights"]), float(d["bias"]), float(d["threshold"]),
                   float(d.get("weak_threshold", 0.0)), tuple(d["features"]))


_SHIPPED: dict[str, SpeakerModel] | None = None
# Set by evaluation (a model fitted on other folds, or {} for the rules alone); None: the shipped file.
_OVERRIDE: dict[str, SpeakerModel] | None = None


def shipped_models() -> dict[str, SpeakerModel]:
    """The models of ``vigie/data/speaker_model.json`` by language (read once per process; {} when absent)."""
    global _SHIPPED
    if _SHIPPED is None:
        import json
        from importlib.resources import files

        try:
            raw = json.loads(files("vigie.data").joinpath("speaker_model.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raw = {}
        _SHIPPED = {lang: SpeakerModel.from_dict(d) for lang, d in raw.items() if not lang.startswith("_")}
    return _SHIPPED


def model_for(lang: str) -> SpeakerModel | None:
    return (_OVERRIDE if _OVERRIDE is not None else shipped_models()).get(lang)


def use_models(models: dict[str, SpeakerModel] | None) -> None:
    """Replace the shipped models (evaluation: per-fold models; ``{}``: rules only; None: back to the shipped)."""
    global _OVERRIDE
    _OVERRIDE = models


# Set by evaluation to receive every quote's candidates: (quote start, quote end, cue found, rule ref, candidates).
SINK: list[tuple[int, int, bool, Any, list[Candidate]]] | None = None
