"""The pipeline, assembled in one visible place: read -> extract (clean + metadata) -> store.

Each stage is a plain callable; a failing document is reported with its source and skipped, the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from vigie.errors import InputError
from vigie.extract import ExtractOptions, extract
from vigie.models import Article, RawDocument
from vigie.outlets import OutletRegistry
from vigie.readers import ReadOptions, iter_documents
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


def extract_documents(
    docs: Iterable[RawDocument | InputError],
    options: ExtractOptions | None = None,
    registry: OutletRegistry | None = None,
) -> Iterator[tuple[RawDocument, Article] | InputError]:
    """Clean each raw document; pass reader errors through and turn cleaning failures into InputErrors."""
    reg = registry or OutletRegistry.default()
    for doc in docs:
        if isinstance(doc, InputError):
            yield doc
            continue
        try:
            yield doc, extract(doc, options, reg)
        except InputError as e:
            yield e
        except Exception as e:  # a cleaner bug must not stop the batch; the document is named and skipped
            log.exception("cleaning failed for %s", doc.source)
            yield InputError(doc.source, f"cleaning failed ({type(e).__name__}: {e})")


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
) -> IngestReport:
    """Read, clean and store every article under ``paths``; already stored content adds nothing.

    Each article is stored in its own transaction, so a crash never leaves half an article.

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

    for item in extract_documents(fresh(iter_documents(paths, read_options, stdin=stdin)), options, reg):
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
