"""Dask executor: the per-document stages of a batch run on a Dask cluster; storing, stories and alerts stay with
the runner on the driver (:func:`vigie.pipeline.run`).

Workers read and decode files, clean them (body + metadata) and, when asked, compute the new articles' story
vectors (:func:`vigie.stories.article_vectors`), one task per partition of the batch. The driver receives the
items in input order, so the store, the report and the error lines match the local executor on the same input, and
the story stage takes the workers' vectors instead of embedding again.

Workers need Vigie installed (same version) and, with a remote ``--scheduler``, the input paths visible under the
same names: files are read where the task runs. Only the driver touches the store.

Example:
    >>> from vigie.pipeline import Paths, run
    >>> from vigie.store import open_store
    >>> result = run(open_store("vigie.db"), Paths(["corpus/"]), executor=DaskExecutor())  # doctest: +SKIP
    >>> result.stories.placed                                                              # doctest: +SKIP
    1234
"""

from __future__ import annotations

import io
import logging
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vigie.errors import InputError, VigieError
from vigie.extract import ExtractOptions
from vigie.extract.readers import ReadOptions, iter_documents, iter_files
from vigie.models import RawDocument
from vigie.pipeline.executors import Batch, Documents, Extracted, Failed, Item, Stored, items

if TYPE_CHECKING:
    from vigie.understand import ParseOptions

__all__ = ["DaskExecutor"]

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT = 10.0
_TASKS_PER_WORKER = 4  # enough partitions to balance uneven files, few enough to keep task overhead low


@dataclass(frozen=True, slots=True)
class _Input:
    """One unit of reading work: a path, stdin's bytes (read by the driver), a document already read, or an error
    found while listing."""

    path: str
    data: bytes | None = None
    doc: RawDocument | None = None
    error: str | None = None


@dataclass(slots=True)
class _Part:
    items: list[Item] = field(default_factory=list)
    warning: str | None = None


# -- worker side ------------------------------------------------------------------------------------------------


def _process(
    inputs: Sequence[_Input], known: frozenset[str], read_options: ReadOptions | None,
    options: ExtractOptions | None, embed: bool, understand: bool, parse: ParseOptions | None = None,
) -> _Part:
    """One partition on a worker: read, clean and (optionally) embed and analyse; never raises for bad input."""

    def docs() -> Iterator[RawDocument | InputError]:
        for inp in inputs:
            if inp.error is not None:
                yield InputError(inp.path, inp.error)
            elif inp.doc is not None:
                yield inp.doc
            else:
                stdin = io.BytesIO(inp.data) if inp.data is not None else None
                yield from iter_documents([inp.path], read_options, stdin=stdin)

    part = _Part(list(items(docs(), known.__contains__, options)))
    new = [it for it in part.items if isinstance(it, Extracted)]
    if embed and new:
        try:
            from vigie.stories import article_vectors

            for it, vec in zip(new, article_vectors([it.article for it in new]), strict=True):
                it.vector = vec
        except Exception as e:  # no encoder on this worker: the driver embeds instead, the batch goes on
            part.warning = f"embedding on a worker failed ({type(e).__name__}: {e}); the driver will embed"
    if understand and new:
        try:
            from vigie.understand import DEFAULT_PARSE, analyze_articles

            analyses = analyze_articles([it.article for it in new], parse=parse or DEFAULT_PARSE)
            for it, analysis in zip(new, analyses, strict=True):
                it.analysis = analysis
        except Exception as e:  # no language model on this worker: the driver analyses instead
            part.warning = f"analysis on a worker failed ({type(e).__name__}: {e}); the driver will analyse"
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


@dataclass(slots=True)
class DaskExecutor:
    """Runs a batch's per-document stages on a Dask cluster.

    Args:
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); none starts a local cluster of
            ``n_workers`` processes, one thread each, for the run.
        partitions: number of tasks the batch is split into (default: 4 per worker).
        embed: workers also compute the new articles' story vectors (set it when the story stage runs).
        understand: workers also analyse the new articles (entities, quotes, dates, events; the model is loaded
            once per worker).
        parse: how much of each article the workers' model parses (default: the cue parse, as locally).

    Raises (from :meth:`run`):
        VigieError: Dask is not installed, or the scheduler cannot be reached.
    """

    scheduler: str | None = None
    partitions: int | None = None
    n_workers: int = 2
    embed: bool = True
    understand: bool = True
    parse: ParseOptions | None = None

    def __post_init__(self) -> None:
        if self.partitions is not None and self.partitions < 1:
            raise ValueError(f"partitions must be >= 1, got {self.partitions}")
        if self.n_workers < 1:
            raise ValueError(f"n_workers must be >= 1, got {self.n_workers}")

    def run(self, batch: Batch, stored: Stored, options: ExtractOptions | None) -> Iterator[Item]:
        inputs, ropts = self._inputs(batch)
        if not inputs:
            return
        client, cluster = _connect(self.scheduler, self.n_workers)
        try:
            workers = sum(client.nthreads().values()) or self.n_workers
            parts = _split(inputs, min(len(inputs), self.partitions or _TASKS_PER_WORKER * workers))
            # Ids already stored, so workers skip cleaning them (the driver checks again as it stores).
            shared = client.scatter([frozenset(stored.known_ids())], broadcast=True)[0]  # a list: a set would split
            futures = [client.submit(_process, p, shared, ropts, options, self.embed, self.understand,
                                     self.parse, pure=False) for p in parts]
            warned = False
            for p, fut in zip(parts, futures, strict=True):
                try:
                    result: _Part = fut.result()
                except Exception as e:  # a lost worker or a task error: name the partition's inputs, go on
                    result = _Part([Failed(InputError(i.path, f"worker failed ({type(e).__name__}: {e})"))
                                    for i in p])  # fmt: skip
                fut.release()
                if result.warning and not warned:
                    log.warning("%s", result.warning)
                    warned = True
                yield from result.items
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    @staticmethod
    def _inputs(batch: Batch) -> tuple[list[_Input], ReadOptions | None]:
        if isinstance(batch, Documents):
            return [_Input(d.source, error=d.reason) if isinstance(d, InputError) else _Input(d.source, doc=d)
                    for d in batch.docs], None  # fmt: skip
        ropts = batch.read_options or ReadOptions()
        inputs: list[_Input] = []
        for f in iter_files(batch.paths, ropts):
            if isinstance(f, InputError):
                inputs.append(_Input(f.source, error=f.reason))
            elif f == "-":
                stream = batch.stdin if batch.stdin is not None else sys.stdin.buffer
                inputs.append(_Input("-", data=stream.read(ropts.max_container_bytes + 1)))
            else:
                inputs.append(_Input(f))
        return inputs, ropts
