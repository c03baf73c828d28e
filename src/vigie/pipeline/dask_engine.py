"""Dask batch engine: the per-article stages run on a Dask cluster, the store and the story stage stay on the driver.

Workers read and decode files, clean them (body + metadata) and embed the new articles' title and lead sentences,
one task per partition of the input files. The driver stores the results in input order, so the store, the report
and the error lines match :func:`vigie.pipeline.ingest` on the same input. The story stage then runs on the driver
(:func:`place_stories`); the clusterer's result depends only on the set of articles, and the workers' sentence
vectors are handed to it through the embedder's sentence cache, so nothing is embedded twice.

Workers need Vigie installed (same version) and, with a remote ``--scheduler``, the input paths visible under the
same names: files are read where the task runs. Only the driver touches the store.

Example:
    >>> from vigie.store import open_store
    >>> store = open_store("vigie.db")                         # doctest: +SKIP
    >>> vectors = SentenceVectors()
    >>> report = ingest_dask(store, ["corpus/"], vectors=vectors)  # doctest: +SKIP
    >>> place_stories(store, vectors).placed                   # doctest: +SKIP
    1234
"""

from __future__ import annotations

import io
import logging
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from vigie.errors import InputError, VigieError
from vigie.extract import ExtractOptions
from vigie.extract.readers import ReadOptions, iter_documents, iter_files
from vigie.models import Article, RawDocument
from vigie.pipeline import IngestReport, OnError, OnProgress, extract_documents

if TYPE_CHECKING:
    from vigie.store import ArticleStore
    from vigie.stories import StoryOptions, StoryReport

__all__ = ["SentenceVectors", "ingest_dask", "place_stories"]

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT = 10.0
_TASKS_PER_WORKER = 4  # enough partitions to balance uneven files, few enough to keep task overhead low


@dataclass(frozen=True, slots=True)
class _Input:
    """One unit of reading work: a path, stdin's bytes (read by the driver), or an error found while listing."""

    path: str
    data: bytes | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Seen:
    """Content already stored before this run: not cleaned again, only its source is remembered."""

    raw_id: str
    source: str


@dataclass(frozen=True, slots=True)
class _Failed:
    """An InputError in transit (InputError does not survive pickling: its __init__ takes two arguments)."""

    source: str
    reason: str
    raw_id: str | None = None  # set when the document was read but could not be cleaned


_Doc = tuple[RawDocument, Article]


@dataclass(slots=True)
class _Part:
    items: list[_Doc | _Seen | _Failed] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # article id -> texts the embedder will look up
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # text -> USE vector
    warning: str | None = None


class SentenceVectors:
    """Sentence vectors computed by the workers, fed to the embedder's cache one story batch at a time.

    Seeding batch by batch keeps the cache (bounded, LRU) from evicting vectors before the clusterer asks for them.
    """

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}
        self.vectors: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def update(self, texts: dict[str, list[str]], vectors: dict[str, np.ndarray]) -> None:
        self.texts.update(texts)
        self.vectors.update(vectors)

    def seed(self, article_ids: Iterable[str]) -> int:
        """Put the vectors of these articles' texts into the process-wide sentence cache; returns how many."""
        from vigie.stories import embed

        n = 0
        with embed._LOCK:
            for aid in article_ids:
                for t in self.texts.get(aid, ()):
                    v = self.vectors.get(t)
                    if v is not None:
                        embed._CACHE[t] = v
                        embed._CACHE.move_to_end(t)
                        n += 1
        return n

    def clear(self) -> None:
        self.texts.clear()
        self.vectors.clear()


# -- worker side ------------------------------------------------------------------------------------------------


def _lead_texts(title: str | None, body: str, sentences: int) -> list[str]:
    """The texts :meth:`Embedder.embed_articles` encodes for one article (kept in step with it; a drift only costs
    re-embedding on the driver, which the tests catch)."""
    from vigie.stories.embed import _MAX_CHARS, split_sentences

    parts = [title.strip()] if title and title.strip() else []
    parts += split_sentences(body, sentences)
    return parts or [(body or title or "").strip()[:_MAX_CHARS] or "-"]


def _embed(part: _Part, articles: list[Article]) -> None:
    from vigie.stories.embed import Embedder

    emb = Embedder(threads=1)
    for a in articles:
        # What the story stage hands the clusterer (stories.update_stories builds ClusterItem this way).
        title = a.title or ""
        body = a.body or f"{title}\n{a.body}"
        part.texts[a.id] = _lead_texts(title, body, emb.sentences)
    todo = list(dict.fromkeys(t for ts in part.texts.values() for t in ts))
    if todo:
        part.vectors = dict(zip(todo, emb.embed_texts(todo), strict=True))


def _process(
    inputs: Sequence[_Input], known: frozenset[str], read_options: ReadOptions | None,
    options: ExtractOptions | None, embed: bool,
) -> _Part:
    """One partition on a worker: read, clean and (optionally) embed; never raises for bad input."""
    from vigie.extract.outlets import OutletRegistry

    reg = OutletRegistry.default()
    part = _Part()
    new: list[Article] = []
    for inp in inputs:
        if inp.error is not None:
            part.items.append(_Failed(inp.path, inp.error))
            continue
        stdin = io.BytesIO(inp.data) if inp.data is not None else None
        for doc in iter_documents([inp.path], read_options, stdin=stdin):
            if isinstance(doc, InputError):
                part.items.append(_Failed(doc.source, doc.reason))
                continue
            rid = doc.id
            if rid in known:  # the local engine does not clean stored content again either
                part.items.append(_Seen(rid, doc.source))
                continue
            out = next(extract_documents([doc], options, reg))
            if isinstance(out, InputError):
                part.items.append(_Failed(out.source, out.reason, rid))
            else:
                part.items.append(out)
                new.append(out[1])
    if embed and new:
        try:
            _embed(part, new)
        except Exception as e:  # no encoder on this worker: the driver embeds instead, the batch goes on
            part.texts, part.vectors = {}, {}
            part.warning = f"embedding on a worker failed ({type(e).__name__}: {e}); the driver will embed"
    return part


# -- driver side ------------------------------------------------------------------------------------------------


def _connect(scheduler: str | None, n_workers: int) -> tuple[Any, Any]:
    """(client, cluster); the cluster is ours to close when no scheduler was given."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        raise VigieError("the Dask engine needs Dask: pip install 'vigie[dask]'") from e
    if scheduler:
        try:
            return Client(scheduler, timeout=_CONNECT_TIMEOUT), None
        except (OSError, TimeoutError) as e:
            raise VigieError(f"cannot reach the Dask scheduler at {scheduler} ({e})") from e
    cluster = LocalCluster(processes=True, n_workers=n_workers, threads_per_worker=1, dashboard_address=None,
                           silence_logs=logging.ERROR)  # fmt: skip
    return Client(cluster), cluster


def _split(inputs: list[_Input], partitions: int) -> list[list[_Input]]:
    """Contiguous, near-equal chunks: input order is kept, so results can be stored in the local engine's order."""
    size = max(1, math.ceil(len(inputs) / partitions))
    return [inputs[i : i + size] for i in range(0, len(inputs), size)]


def ingest_dask(
    store: ArticleStore,
    paths: Iterable[str],
    *,
    scheduler: str | None = None,
    partitions: int | None = None,
    n_workers: int = 2,
    options: ExtractOptions | None = None,
    read_options: ReadOptions | None = None,
    stdin: BinaryIO | None = None,
    vectors: SentenceVectors | None = None,
    on_error: OnError | None = None,
    on_progress: OnProgress | None = None,
) -> IngestReport:
    """Read, clean (and embed) on a Dask cluster, store on the driver: :func:`vigie.pipeline.ingest` at scale.

    Args:
        store: where the driver stores the articles.
        paths: files, folders or ``-`` (stdin, read by the driver and shipped to one task).
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); none starts a local cluster of
            ``n_workers`` processes, one thread each.
        partitions: number of tasks the input files are split into (default: 4 per worker).
        vectors: when given, workers also embed the new articles; pass it to :func:`place_stories` afterwards.
        on_error, on_progress: as for :func:`vigie.pipeline.ingest`, called on the driver in input order.

    Returns:
        The same report the local engine gives on the same input.

    Raises:
        VigieError: Dask is not installed, or the scheduler cannot be reached.
        ValueError: ``partitions`` or ``n_workers`` is below 1.
    """
    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions must be >= 1, got {partitions}")
    if n_workers < 1:
        raise ValueError(f"n_workers must be >= 1, got {n_workers}")
    ropts = read_options or ReadOptions()
    inputs: list[_Input] = []
    for f in iter_files(paths, ropts):
        if isinstance(f, InputError):
            inputs.append(_Input(f.source, error=f.reason))
        elif f == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            inputs.append(_Input("-", data=stream.read(ropts.max_container_bytes + 1)))
        else:
            inputs.append(_Input(f))
    report = IngestReport()
    if not inputs:
        return report

    client, cluster = _connect(scheduler, n_workers)
    try:
        workers = sum(client.nthreads().values()) or n_workers
        parts = _split(inputs, min(len(inputs), partitions or _TASKS_PER_WORKER * workers))
        known = client.scatter([store.known_ids()], broadcast=True)[0]  # a list: a bare set would be split
        futures = [client.submit(_process, p, known, ropts, options, vectors is not None, pure=False) for p in parts]
        warned = False
        for p, fut in zip(parts, futures, strict=True):
            try:
                result: _Part = fut.result()
            except Exception as e:  # a lost worker or a task error: name the partition's files, go on
                result = _Part(items=[_Failed(i.path, f"worker failed ({type(e).__name__}: {e})") for i in p])
            fut.release()
            if result.warning and not warned:
                log.warning("%s", result.warning)
                warned = True
            if vectors is not None:
                vectors.update(result.texts, result.vectors)
            _store_part(store, result, report, on_error, on_progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return report


def _store_part(
    store: ArticleStore, part: _Part, report: IngestReport, on_error: OnError | None, on_progress: OnProgress | None
) -> None:
    """Store one partition's results the way :func:`vigie.pipeline.ingest` would, item by item."""
    for item in part.items:
        if isinstance(item, _Seen):
            _duplicate(store, report, item.raw_id, item.source, on_progress)
        elif isinstance(item, _Failed):
            if item.raw_id is not None and store.has(item.raw_id):
                # Stored meanwhile from an identical input: the local engine skips it without cleaning it.
                _duplicate(store, report, item.raw_id, item.source, on_progress)
                continue
            if item.raw_id is not None:
                report.read += 1
                if on_progress:
                    on_progress(item.source)
            err = InputError(item.source, item.reason)
            report.failed += 1
            report.errors.append(err)
            if on_error:
                on_error(err)
        else:
            raw, article = item
            if store.has(raw.id):
                _duplicate(store, report, raw.id, raw.source, on_progress)
                continue
            report.read += 1
            if on_progress:
                on_progress(raw.source)
            if store.add(raw, article):
                report.new += 1
                report.new_ids.append(article.id)
            else:
                report.duplicate += 1


def _duplicate(store: ArticleStore, report: IngestReport, raw_id: str, source: str, on_progress: OnProgress | None) -> None:
    report.read += 1
    if on_progress:
        on_progress(source)
    report.duplicate += 1
    store.add_source(raw_id, source)


def place_stories(
    store: ArticleStore, vectors: SentenceVectors | None = None, options: StoryOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> StoryReport:
    """Run the story stage, seeding the sentence cache with the workers' vectors before each of its batches.

    The result is :func:`vigie.stories.update_stories`'s (the clusterer depends only on the article set); the
    vectors only spare the driver the embedding. They are released afterwards.
    """
    from vigie.stories import StoryOptions, update_stories

    opts = options or StoryOptions()
    if not vectors:
        return update_stories(store, opts, on_progress)
    # update_stories places store.unplaced() in slices of batch_size; seed each slice just before it runs.
    pending = [a.id for a in store.unplaced()]
    batches = iter([pending[i : i + opts.batch_size] for i in range(0, len(pending), opts.batch_size)])
    vectors.seed(next(batches, []))

    def progress(n: int) -> None:
        vectors.seed(next(batches, []))
        if on_progress:
            on_progress(n)

    try:
        return update_stories(store, opts, progress)
    finally:
        vectors.clear()
