"""The one runner: every way in (``vigie ingest``, ``vigie watch``, ``POST /api/articles``, ``--engine dask``) hands
a batch to :func:`run`, which takes it through every stage, assembled here in one visible place:

read -> extract (clean + metadata) -> store -> stories -> understand -> story details -> alerts

The per-document stages run in an executor (:mod:`vigie.pipeline.executors`: in-process or worker processes;
:mod:`vigie.pipeline.dask_engine`: a Dask cluster); storing, the story stage and alerts run here, on the caller's
store. A failing document is reported with its source and skipped, the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from vigie.errors import InputError, VigieError
from vigie.extract import ExtractOptions, extract
from vigie.extract.outlets import OutletRegistry
from vigie.extract.readers import ReadOptions, iter_documents
from vigie.models import Article, RawDocument
from vigie.pipeline.executors import (
    Batch,
    Documents,
    Executor,
    Extracted,
    Failed,
    LocalExecutor,
    Paths,
    Seen,
    default_workers,
    extract_documents,
)
from vigie.progress import OnEvent, Progress
from vigie.store import ArticleStore

if TYPE_CHECKING:
    import numpy as np

    from vigie.alerts import AlertMatch
    from vigie.stories import StoryOptions, StoryReport
    from vigie.understand import ArticleAnalysis, ParseOptions
    from vigie.understand.abstractive import LLMConfig

__all__ = [
    "Documents", "Executor", "IngestReport", "LocalExecutor", "Paths", "Progress", "RunOptions", "RunResult",
    "default_workers", "extract_documents", "extract_paths", "ingest", "reprocess", "run",
]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What the storing step of one run did."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[InputError] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"read {self.read}, new {self.new}, duplicate {self.duplicate}, failed {self.failed}"

    def merge(self, other: IngestReport) -> None:
        """Add another run's counts to these (a watch poll is several runs)."""
        self.read += other.read
        self.new += other.new
        self.duplicate += other.duplicate
        self.failed += other.failed
        self.errors.extend(other.errors)
        self.new_ids.extend(other.new_ids)


OnError = Callable[[InputError], None]
OnProgress = Callable[[str], None]


@dataclass(slots=True)
class RunOptions:
    """Which stages a run goes through after storing, and how.

    Attributes:
        stories: place the new articles in stories and events.
        understand: analyse the new articles (entities, quotes, dates, events) once and keep the result.
        details: recompute the details (summary, timeline, coverage...) of the stories the batch touched, so they
            are ready before anyone asks; needs ``stories``.
        alerts: run the saved searches on the new articles.
        nlp_processes: processes for the language model on large batches.
        parse: how much of each article the language model parses (default: NER everywhere, the parse only on
            the sentences with a cue; see :class:`vigie.understand.ParseOptions`).
        llm: the endpoint for the details' optional abstractive rewrite (the shells read it with
            ``LLMConfig.from_env()``), so the details made here are the ones a story page asks for.
    """

    stories: bool = True
    understand: bool = True
    details: bool = True
    alerts: bool = True
    story_options: StoryOptions | None = None
    nlp_processes: int = 1
    parse: ParseOptions | None = None
    webhook_timeout: float = 10.0
    llm: LLMConfig | None = None
    webhook_allow_private: bool = False  # webhooks to loopback/private addresses (vigie.net refuses them otherwise)


@dataclass(slots=True)
class RunResult:
    """What one run did: the storing report, the story stage's report (None when it did not run), the stories the
    new articles are in, the saved-search matches, and warnings (a stage skipped, a webhook failed)."""

    report: IngestReport
    stories: StoryReport | None = None
    touched: list[str] = field(default_factory=list)
    matches: list[AlertMatch] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run(
    store: ArticleStore,
    batch: Batch,
    *,
    executor: Executor | None = None,
    options: RunOptions | None = None,
    extract_options: ExtractOptions | None = None,
    on_error: OnError | None = None,
    on_progress: OnProgress | None = None,
    echo: Callable[[str], None] | None = None,
    on_event: OnEvent | None = None,
) -> RunResult:
    """Take one batch through every stage: extract (in ``executor``), store, stories, alerts.

    Each article is stored in its own transaction, so a crash never leaves half an article; content already stored
    adds only its new source. Alert matches are printed through ``echo`` (or posted to their webhooks).
    ``on_progress`` gets the source of each document stored; ``on_event`` a :class:`vigie.progress.Progress` per
    step of each stage that runs (read, stories, understand, details), from ``done`` 0 up to ``total``. To give the
    read stage a total, a batch of paths (not stdin) is read once ahead to count its documents, only when
    ``on_event`` is given; a lazy batch of documents without a length counts up as it goes (its total follows).

    Example:
        >>> from vigie.store import Store
        >>> result = run(Store(":memory:"), Paths(["examples/seeds"]))  # doctest: +SKIP
        >>> result.report.summary()  # doctest: +SKIP
        'read 5, new 5, duplicate 0, failed 0'
    """
    opts = options or RunOptions()
    vectors: dict[str, Any] = {}  # article id -> story vector, when the executor embedded the new articles
    analyses: dict[str, Any] = {}  # article id -> analysis, when the executor analysed them
    items = (executor or LocalExecutor()).run(batch, store, extract_options)
    emit = _Emitter(on_event)
    if on_event is not None:  # counting ahead lists the inputs: only for someone who shows the total
        emit.start("read", _count(batch))
    result = RunResult(_store_items(store, items, on_error, on_progress, vectors, analyses, emit))
    emit.finish()
    if opts.stories:
        _stories(store, result, opts, vectors, emit)
    if opts.understand and result.report.new_ids:
        _understand(store, result, opts, analyses, emit)
    if opts.details and result.touched:
        _details(store, result, opts.llm, emit)
    if opts.alerts and result.report.new_ids:
        _alerts(store, result, opts, echo)
    return result


class _Emitter:
    """Sends one stage's :class:`Progress` events: ``done`` only grows, ``total`` grows when a lazy batch
    outruns its count; nothing at all without a callback."""

    def __init__(self, on_event: OnEvent | None) -> None:
        self.on_event = on_event
        self.stage = ""
        self.done = 0
        self.total = 0

    def start(self, stage: str, total: int) -> None:
        self.stage, self.done, self.total = stage, 0, max(0, total)
        if self.on_event is not None:
            self.on_event(Progress(stage, 0, self.total))

    def step(self, n: int = 1) -> None:
        if self.on_event is None or n <= 0:
            return
        self.done += n
        self.total = max(self.total, self.done)
        self.on_event(Progress(self.stage, self.done, self.total))

    def finish(self) -> None:
        """The stage is over: a total counted ahead that overshot (an unreadable file) is brought down to ``done``."""
        if self.on_event is not None and self.stage and self.done < self.total:
            self.total = self.done
            self.on_event(Progress(self.stage, self.done, self.total))


def _count(batch: Batch) -> int:
    """The batch's size ahead, from listing alone: its inputs, not their documents (reading them twice would double
    the cost of a WARC or a feed), so a container's records raise the total as they come; stdin counts up."""
    from vigie.extract.readers import iter_files

    if isinstance(batch, Documents):
        docs = batch.docs
        return len(docs) if isinstance(docs, list | tuple) else 0
    if "-" in batch.paths:
        return 0
    return sum(1 for _ in iter_files(batch.paths, batch.read_options))


def _store_items(
    store: ArticleStore, items: Iterator[Extracted | Seen | Failed], on_error: OnError | None,
    on_progress: OnProgress | None, vectors: dict[str, np.ndarray], analyses: dict[str, ArticleAnalysis],
    emit: _Emitter | None = None,
) -> IngestReport:
    """The storing step, the same for every executor: count, skip stored content, store the new."""
    report = IngestReport()
    emit = emit or _Emitter(None)

    def seen(raw_id: str, source: str) -> None:
        report.read += 1
        report.duplicate += 1
        store.add_source(raw_id, source)
        if on_progress:
            on_progress(source)

    for item in items:
        try:
            if isinstance(item, Seen):
                seen(item.raw_id, item.source)
            elif isinstance(item, Failed):
                if item.raw_id is not None and store.has(item.raw_id):
                    seen(item.raw_id, item.error.source)  # stored meanwhile from an identical input: not a failure
                    continue
                if item.raw_id is not None:
                    report.read += 1
                    if on_progress:
                        on_progress(item.error.source)
                report.failed += 1
                report.errors.append(item.error)
                if on_error:
                    on_error(item.error)
            elif store.has(item.raw.id):  # an identical input earlier in this batch
                seen(item.raw.id, item.raw.source)
            else:
                report.read += 1
                if on_progress:
                    on_progress(item.raw.source)
                if store.add(item.raw, item.article):
                    report.new += 1
                    report.new_ids.append(item.article.id)
                    if item.vector is not None:
                        vectors[item.article.id] = item.vector
                    if item.analysis is not None:
                        analyses[item.article.id] = item.analysis
                else:
                    report.duplicate += 1
        finally:  # a document counts once, whatever became of it
            emit.step()
    return report


def _stories(store: ArticleStore, result: RunResult, opts: RunOptions, vectors: dict[str, Any],
             emit: _Emitter) -> None:
    try:
        from vigie.stories import update_stories

        if emit.on_event is not None:
            emit.start("stories", store.count_unplaced())
        result.stories = update_stories(store, opts.story_options, emit.step, vectors=vectors or None)
    except VigieError as e:  # e.g. the stories extra is missing: the articles are stored, alerts still run
        result.warnings.append(f"story stage skipped: {e}")
        return
    finally:
        emit.finish()
    result.touched = sorted({s for aid in result.report.new_ids if (s := store.story_of(aid)) is not None})


def _understand(store: ArticleStore, result: RunResult, opts: RunOptions, made: dict[str, ArticleAnalysis],
                emit: _Emitter) -> None:
    from vigie.understand import DEFAULT_PARSE
    from vigie.understand.stage import keep_analyses, understand_new

    new = result.report.new_ids
    if result.stories is not None:  # near copies are not another voice: their original's analysis stands
        new_set = set(new)
        copies = {p["id"] for sid in result.touched for p in store.placements(sid)
                  if p["duplicate_of"] and p["id"] in new_set}  # fmt: skip
        new = [aid for aid in new if aid not in copies]
    emit.start("understand", len(new))
    if made:  # analysed by the executor's workers: kept as they are
        kept = [made[aid] for aid in new if aid in made]
        keep_analyses(store, kept)
        emit.step(len(kept))
        new = [aid for aid in new if aid not in made]
    try:
        understand_new(store, new, n_process=opts.nlp_processes, on_progress=emit.step,
                       parse=opts.parse or DEFAULT_PARSE)
    except VigieError as e:  # e.g. no model for the language: articles and stories stand, details parse later
        result.warnings.append(f"understand stage skipped: {e}")
    finally:
        emit.finish()


def _details(store: ArticleStore, result: RunResult, llm: LLMConfig | None, emit: _Emitter) -> None:
    from vigie.stories import story_detail

    emit.start("details", len(result.touched))
    for sid in result.touched:
        try:
            story_detail(store, sid, llm=llm)
        except VigieError as e:
            result.warnings.append(f"story {sid}: details not made ({e})")
            emit.finish()
            return
        emit.step()


def _alerts(store: ArticleStore, result: RunResult, opts: RunOptions, echo: Callable[[str], None] | None) -> None:
    from vigie.alerts import check_alerts, notify

    result.matches = check_alerts(store, result.report.new_ids)
    notify(result.matches, echo=echo or log.info, on_error=result.warnings.append, timeout=opts.webhook_timeout,
           allow_private=opts.webhook_allow_private)  # fmt: skip


def ingest(
    store: ArticleStore,
    paths: Iterable[str],
    *,
    options: ExtractOptions | None = None,
    read_options: ReadOptions | None = None,
    stdin: BinaryIO | None = None,
    on_error: OnError | None = None,
    on_progress: OnProgress | None = None,
    workers: int = 1,
) -> IngestReport:
    """Read, clean and store every article under ``paths`` (no story stage, no alerts: :func:`run` does those).

    ``workers`` > 1 cleans large batches in that many processes (see :func:`extract_documents`).

    Example:
        >>> from vigie.store import Store
        >>> report = ingest(Store(":memory:"), ["examples/seeds"])  # doctest: +SKIP
        >>> report.summary()  # doctest: +SKIP
        'read 5, new 5, duplicate 0, failed 0'
    """
    return run(store, Paths(list(paths), read_options, stdin), executor=LocalExecutor(workers),
               options=RunOptions(stories=False, understand=False, details=False, alerts=False),
               extract_options=options, on_error=on_error,
               on_progress=on_progress).report  # fmt: skip


def extract_paths(
    paths: Iterable[str], options: ExtractOptions | None = None, read_options: ReadOptions | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[tuple[RawDocument, Article] | InputError]:
    """Read and clean every article under ``paths`` without storing anything (``vigie extract``)."""
    return extract_documents(iter_documents(paths, read_options, stdin=stdin), options)


def reprocess(store: ArticleStore, *, options: ExtractOptions | None = None, on_error: OnError | None = None) -> int:
    """Re-clean every stored raw input with the current cleaner (after an upgrade); returns how many changed."""
    changed = 0
    reg = OutletRegistry.default()
    for raw in list(store.raws()):
        try:
            article = extract(raw, options, reg)
        except InputError as e:
            if on_error:
                on_error(e)
            continue
        if store.get(raw.id) != article:
            store.update_article(article)
            changed += 1
    return changed
