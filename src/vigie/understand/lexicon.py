"""The shipped French lexicon: entity aliases and types, nationality adjectives, roles, speech and event verbs.

The statistical model gets institutions wrong in predictable ways ("Kremlin" as a place, "l'Alliance" as MISC or
nothing) and knows nothing of acronyms; a small curated table fixes those cases without retraining. The data lives
in ``vigie/data/lexicon_fr.json`` so it can be extended without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from vigie.text import fold

__all__ = ["Lexicon", "get_lexicon", "norm_key"]

_LEADING_DET = re.compile(r"^(?:l'|le |la |les |du |de la |de l'|des |d')", re.IGNORECASE)


def norm_key(name: str) -> str:
    """Lookup key of a name: folded, without a leading article ("l'Alliance" -> "alliance")."""
    key = fold(name)
    prev = None
    while prev != key:
        prev = key
        key = _LEADING_DET.sub("", key).strip()
    return key


def _er_forms(lemma: str) -> set[str]:
    """Inflected forms of a first-group verb (and of a second-group one: "renchérir", "se réjouir"): enough for
    speech detection without relying on the lemmatiser."""
    if lemma.endswith("ir") and len(lemma) > 4:
        st = lemma[:-2]
        return {lemma} | {st + s for s in ("i", "ie", "is", "ies", "it", "issait", "issaient", "issant", "issent",
                                            "ira", "irait", "irent")}
    if not lemma.endswith("er"):
        return {lemma}
    stem = lemma[:-2]
    alt = stem
    # "rappeler" -> "rappelle", "répéter" -> "répète": the forms with a silent ending change the stem.
    if stem.endswith("el"):
        alt = stem + "l"
    elif len(stem) > 2 and stem[-2] == "é":
        alt = stem[:-2] + "è" + stem[-1]
    elif stem.endswith("et"):
        alt = stem + "t"
    forms = {lemma}
    forms |= {stem + s for s in ("é", "ée", "és", "ées", "ait", "aient", "ant", "a", "èrent", "era", "erait", "eront")}
    forms |= {alt + s for s in ("e", "es", "ent")}
    if stem.endswith("g"):
        forms |= {stem + "eait", stem + "eant", stem + "ea", stem + "eaient"}
    return forms


@dataclass(slots=True)
class Lexicon:
    """Everything language-specific the understand stage knows beyond the model."""

    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)
    not_entities: set[str] = field(default_factory=set)
    nationalities: dict[str, str] = field(default_factory=dict)
    role_heads: list[str] = field(default_factory=list)
    role_synonyms: dict[str, str] = field(default_factory=dict)
    speech_lemmas: set[str] = field(default_factory=set)
    speech_forms: set[str] = field(default_factory=set)
    event_verbs: dict[str, str] = field(default_factory=dict)
    event_verb_forms: dict[str, str] = field(default_factory=dict)
    event_constraints: dict[str, list[str]] = field(default_factory=dict)
    control_verbs: set[str] = field(default_factory=set)
    modal_verbs: set[str] = field(default_factory=set)
    female_names: set[str] = field(default_factory=set)
    male_names_in_a: set[str] = field(default_factory=set)
    male_names: set[str] = field(default_factory=set)
    time_words: set[str] = field(default_factory=set)  # junk words that are also places ("Mars")
    demonyms: set[str] = field(default_factory=set)
    titles_male: set[str] = field(default_factory=set)
    titles_female: set[str] = field(default_factory=set)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Lexicon:
        lex = cls()
        for canonical, spec in d.get("entities", {}).items():
            for alias in [canonical, *spec.get("aliases", [])]:
                lex.aliases[norm_key(alias)] = (canonical, spec["type"])
        lex.not_entities = {fold(x) for x in d.get("not_entities", [])}
        lex.nationalities = {fold(k): v for k, v in d.get("nationalities", {}).items()}
        lex.role_heads = sorted((fold(x) for x in d.get("role_heads", [])), key=len, reverse=True)
        lex.role_synonyms = {fold(k): v for k, v in d.get("role_synonyms", {}).items()}
        lemmas = set(d.get("speech_verbs", []))
        lex.speech_lemmas = {fold(x).removeprefix("s'").removeprefix("se ") for x in lemmas}
        for lemma in lemmas:
            bare = lemma.removeprefix("s'").removeprefix("se ")
            lex.speech_forms |= {fold(f) for f in _er_forms(bare)}
        for lemma, forms in d.get("irregular_forms", {}).items():
            lex.speech_lemmas.add(fold(lemma))
            lex.speech_forms |= {fold(f) for f in forms} | {fold(lemma)}
        lex.event_verbs = {fold(k): v for k, v in d.get("event_verbs", {}).items()}
        lex.event_verb_forms = {fold(k): fold(v) for k, v in d.get("event_verb_forms", {}).items()}
        lex.event_constraints = {fold(k): [fold(x) for x in v] for k, v in d.get("event_constraints", {}).items()}
        lex.control_verbs = {fold(x).removeprefix("s'") for x in d.get("control_verbs", [])}
        lex.modal_verbs = {fold(x) for x in d.get("modal_verbs", [])}
        lex.female_names = {fold(x) for x in d.get("female_first_names", [])}
        lex.male_names_in_a = {fold(x) for x in d.get("male_first_names_ending_in_a", [])}
        lex.demonyms = {fold(x) for x in d.get("demonyms", [])} | set(lex.nationalities)
        lex.time_words = {fold(x) for x in d.get("junk_except_as_place", [])}
        lex.male_names = {fold(x) for x in d.get("male_first_names", [])} | lex.male_names_in_a
        lex.titles_male = {fold(x) for x in d.get("titles_male", [])}
        lex.titles_female = {fold(x) for x in d.get("titles_female", [])}
        return lex

    def lookup(self, name: str) -> tuple[str, str] | None:
        """Canonical name and type of a known alias ("OTAN", "l'Alliance" -> ("Otan", "ORG")), else None."""
        return self.aliases.get(norm_key(name))

    def is_speech_word(self, word: str, lemma: str | None = None) -> bool:
        """Whether a verb form (or its lemma) is a verb of saying."""
        # "s'insurgent", "s'interrogeait": a reflexive form read as one word is its verb's.
        w = fold(word).replace("’", "'").removeprefix("s'")
        return w in self.speech_forms or (lemma is not None and fold(lemma) in self.speech_lemmas)

    def first_name_gender(self, first: str) -> str | None:
        """"F", "M" or None from a first name: a list of female names, then the Slavic/Romance "-a" rule."""
        f = fold(first)
        if f in self.female_names:
            return "F"
        if f in self.male_names:
            return "M"
        if len(f) > 2 and f.endswith("a"):
            return "F"
        return None


@lru_cache(maxsize=4)
def get_lexicon(lang: str = "fr") -> Lexicon:
    """The shipped lexicon of ``lang`` (only French ships; other languages get an empty lexicon)."""
    try:
        raw = resources.files("vigie").joinpath("data", f"lexicon_{lang}.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return Lexicon()
    return Lexicon.from_dict(json.loads(raw))
