"""The pipeline, assembled in one visible place: read -> extract (clean + metadata) -> store.

Each stage is a plain callable; a failing document is reported with its source and skipped, the batch goes on.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from vigie.errors import InputError
from vigie.extract import ExtractOptions, extract
from vigie.extract.outlets import OutletRegistry
from vigie.extract.readers import ReadOptions, iter_documents
from vigie.models import Article, RawDocument
from vigie.store import ArticleStore

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[InputError] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"read {self.read}, new {self.new}, duplicate {self.duplicate}, failed {self.failed}"


OnError = Callable[[InputError], None]
OnProgress = Callable[[str], None]


Extracted = tuple[RawDocument, Article] | InputError

# Parallel cleaning starts only after this many documents (starting worker processes costs a second or two) and
# feeds them this many at a time (bounded memory: the reader never runs far ahead of the cleaners).
PARALLEL_AFTER = 256
_WINDOW = 256


def _extract_one(doc: RawDocument | InputError, options: ExtractOptions | None, reg: OutletRegistry) -> Extracted:
    if isinstance(doc, InputError):
        return doc
    try:
        return doc, extract(doc, options, reg)
    except InputError as e:
        return e
    except Exception as e:  # a cleaner bug must not stop the batch; the document is named and skipped
        log.exception("cleaning failed for %s", doc.source)
        return InputError(doc.source, f"cleaning failed ({type(e).__name__}: {e})")


_WORKER: tuple[ExtractOptions | None, OutletRegistry] | None = None


def _init_worker(options: ExtractOptions | None, reg: OutletRegistry) -> None:
    global _WORKER
    _WORKER = (options, reg)


def _extract_in_worker(doc: RawDocument) -> Extracted:
    assert _WORKER is not None
    return _extract_one(doc, *_WORKER)


def default_workers() -> int:
    """Cleaning processes worth starting here: the CPUs this process may use, at most 4."""
    import os

    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def extract_documents(
    docs: Iterable[RawDocument | InputError],
    options: ExtractOptions | None = None,
    registry: OutletRegistry | None = None,
    *,
    workers: int = 1,
) -> Iterator[Extracted]:
    """Clean each raw document, in input order; pass reader errors through and turn cleaning failures into
    InputErrors.

    With ``workers`` > 1 and more than :data:`PARALLEL_AFTER` documents, the rest are cleaned by that many processes
    (cleaning is pure Python: threads would not run it in parallel; workers are forked where the platform can).
    A worker that dies (a crash in a C parser) costs only the document that kills it: it is reported as failed and a
    new pool takes the rest.
    """
    reg = registry or OutletRegistry.default()
    it = iter(docs)
    n_local = PARALLEL_AFTER if workers > 1 else None
    for doc in itertools.islice(it, n_local):
        yield _extract_one(doc, options, reg)
    if workers <= 1:
        return
    window = list(itertools.islice(it, _WINDOW))
    if not window:
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Fork where there is fork: workers start in milliseconds with the loaded modules, and a caller's script is not
    # re-run in them (spawn re-imports __main__: an unguarded script would run again in every worker). Callers
    # that hold threads of their own (the web server, watch mode) clean in-process (workers=1).
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(options, reg))

    pool = new_pool()
    try:
        while window:
            todo = [d for d in window if isinstance(d, RawDocument)]
            futures = iter(pool.map(_extract_in_worker, todo, chunksize=8))
            k = 0  # documents of ``todo`` answered so far
            for doc in window:
                if isinstance(doc, InputError):
                    yield doc
                    continue
                k += 1
                try:
                    yield next(futures)
                except BrokenProcessPool:
                    # Every pending document fails with the pool: this one is tried again alone, in a new pool, to
                    # tell the document that kills a worker from those that were merely waiting beside it.
                    pool.shutdown(cancel_futures=True)
                    pool = new_pool()
                    try:
                        yield pool.submit(_extract_in_worker, doc).result()
                    except BrokenProcessPool:
                        yield InputError(doc.source, "cleaning crashed its worker process")
                        pool.shutdown(cancel_futures=True)
                        pool = new_pool()
                    futures = iter(pool.map(_extract_in_worker, todo[k:], chunksize=8))
            window = list(itertools.islice(it, _WINDOW))
    finally:
        pool.shutdown(cancel_futures=True)


def extract_paths(
    paths: Iterable[str], options: ExtractOptions | None = None, read_options: ReadOptions | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[tuple[RawDocument, Article] | InputError]:
    """Read and clean every article under ``paths`` without storing anything (``vigie extract``)."""
    return extract_documents(iter_documents(paths, read_options, stdin=stdin), options)


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
    """Read, clean and store every article under ``paths``; already stored content adds nothing.

    Each article is stored in its own transaction, so a crash never leaves half an article. ``workers`` > 1 cleans
    large batches in that many processes (see :func:`extract_documents`); reading and storing stay here.

    Example:
        >>> from vigie.store import Store
        >>> report = ingest(Store(":memory:"), ["examples/seeds"])  # doctest: +SKIP
        >>> report.summary()  # doctest: +SKIP
        'read 5, new 5, duplicate 0, failed 0'
    """
    report = IngestReport()
    reg = OutletRegistry.default()

    def fresh(docs: Iterable[RawDocument | InputError]) -> Iterator[RawDocument | InputError]:
        # Skip the cleaning of content already stored: only its extra source is remembered.
        for doc in docs:
            if isinstance(doc, RawDocument):
                report.read += 1
                if on_progress:
                    on_progress(doc.source)
                if store.has(doc.id):
                    report.duplicate += 1
                    store.add_source(doc.id, doc.source)
                    continue
            yield doc

    for item in extract_documents(fresh(iter_documents(paths, read_options, stdin=stdin)), options, reg,
                                  workers=workers):
        if isinstance(item, InputError):
            report.failed += 1
            report.errors.append(item)
            if on_error:
                on_error(item)
            continue
        raw, article = item
        if store.add(raw, article):
            report.new += 1
            report.new_ids.append(article.id)
        else:
            report.duplicate += 1
    return report


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
