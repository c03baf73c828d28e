"""Executors: where the per-document stages (read, clean + metadata, and for Dask the story embedding) run.

The runner (:func:`vigie.pipeline.run`) hands an executor a :class:`Batch` and a ``known`` test (content already
stored); the executor yields one :data:`Item` per input document, **in input order**, so that the store, the counts
and the error lines do not depend on where the work ran. :class:`LocalExecutor` cleans in this process or in forked
worker processes; :class:`vigie.pipeline.dask_engine.DaskExecutor` on a Dask cluster.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypeVar, cast

from vigie.errors import InputError
from vigie.extract import ExtractOptions, extract
from vigie.extract.outlets import OutletRegistry
from vigie.extract.readers import ReadOptions, iter_documents
from vigie.models import Article, RawDocument

if TYPE_CHECKING:
    import numpy as np

    from vigie.understand import ArticleAnalysis

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Paths:
    """A batch named by paths (files, folders, ``-`` for ``stdin``), read by the executor."""

    paths: list[str]
    read_options: ReadOptions | None = None
    stdin: BinaryIO | None = None


@dataclass(slots=True)
class Documents:
    """A batch already read (a fetched feed, an API request body), possibly lazily."""

    docs: Iterable[RawDocument | InputError]


Batch = Paths | Documents


@dataclass(slots=True)
class Extracted:
    """A new document, cleaned; ``vector`` (its story-stage vector) and ``analysis`` (the understand stage's) when
    the executor made them on its workers."""

    raw: RawDocument
    article: Article
    vector: np.ndarray | None = None
    analysis: ArticleAnalysis | None = None


@dataclass(frozen=True, slots=True)
class Seen:
    """A document whose content is already stored: not cleaned again, only its source is remembered."""

    raw_id: str
    source: str


@dataclass(frozen=True, slots=True)
class Failed:
    """An input that could not be read (``raw_id`` None) or was read but could not be cleaned."""

    error: InputError
    raw_id: str | None = None


Item = Extracted | Seen | Failed
Known = Callable[[str], bool]


class Stored(Protocol):
    """What an executor may ask of the store: is this content stored, and (to ship to remote workers) every id."""

    def has(self, article_id: str) -> bool: ...
    def known_ids(self) -> Iterator[str]: ...


class Executor(Protocol):
    """Runs the per-document stages of a batch; yields one item per document, in input order."""

    def run(self, batch: Batch, stored: Stored, options: ExtractOptions | None) -> Iterator[Item]: ...


# Parallel cleaning starts only after this many documents (starting worker processes costs a second or two) and
# feeds them this many at a time (bounded memory: the reader never runs far ahead of the cleaners).
PARALLEL_AFTER = 256
_WINDOW = 256

Cleaned = tuple[RawDocument, Article] | InputError
P = TypeVar("P")


def _extract_one(doc: RawDocument, options: ExtractOptions | None, reg: OutletRegistry) -> Cleaned:
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


def _extract_in_worker(doc: RawDocument) -> Cleaned:
    assert _WORKER is not None
    return _extract_one(doc, *_WORKER)


def default_workers() -> int:
    """Cleaning processes worth starting here: the CPUs this process may use, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def extract_documents(
    docs: Iterable[RawDocument | P],
    options: ExtractOptions | None = None,
    registry: OutletRegistry | None = None,
    *,
    workers: int = 1,
) -> Iterator[Cleaned | P]:
    """Clean each raw document, in input order; anything else (a reader's InputError, a skipped document) passes
    through in place, and cleaning failures become InputErrors.

    With ``workers`` > 1 and more than :data:`PARALLEL_AFTER` documents, the rest are cleaned by that many processes
    (cleaning is pure Python: threads would not run it in parallel; workers are forked where the platform can).
    A worker that dies (a crash in a C parser) costs only the document that kills it: it is reported as failed and a
    new pool takes the rest.
    """
    reg = registry or OutletRegistry.default()
    it = iter(docs)
    n_local = PARALLEL_AFTER if workers > 1 else None
    for doc in itertools.islice(it, n_local):
        yield _extract_one(doc, options, reg) if isinstance(doc, RawDocument) else doc
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
                if not isinstance(doc, RawDocument):
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


def batch_documents(batch: Batch) -> Iterator[RawDocument | InputError]:
    """The documents of a batch, read lazily for :class:`Paths`."""
    if isinstance(batch, Documents):
        return iter(batch.docs)
    return iter_documents(batch.paths, batch.read_options, stdin=batch.stdin)


def items(
    docs: Iterable[RawDocument | InputError], known: Known, options: ExtractOptions | None,
    registry: OutletRegistry | None = None, *, workers: int = 1,
) -> Iterator[Item]:
    """The executor's loop on one machine: skip stored content, clean the rest (see :func:`extract_documents`)."""

    in_flight: deque[RawDocument] = deque()  # documents handed to the cleaners, oldest first

    def marked(it: Iterable[RawDocument | InputError]) -> Iterator[RawDocument | Seen | Failed]:
        for doc in it:
            if isinstance(doc, InputError):
                yield Failed(doc)
            elif known(doc.id):
                yield Seen(doc.id, doc.source)
            else:
                in_flight.append(doc)
                yield doc

    for out in extract_documents(marked(docs), options, registry, workers=workers):
        if isinstance(out, InputError):
            yield Failed(out, in_flight.popleft().id)
        elif isinstance(out, tuple):
            in_flight.popleft()
            yield Extracted(*out)
        else:
            yield cast(Seen | Failed, out)  # passed through in place


@dataclass(slots=True)
class LocalExecutor:
    """Cleans in this process (``workers`` = 1) or in ``workers`` forked processes for large batches."""

    workers: int = 1
    registry: OutletRegistry | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")

    def run(self, batch: Batch, stored: Stored, options: ExtractOptions | None) -> Iterator[Item]:
        return items(batch_documents(batch), stored.has, options, self.registry, workers=self.workers)
