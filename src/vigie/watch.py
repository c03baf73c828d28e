"""Watch mode: poll folders and feeds, ingest what is new or changed, place it in stories, run the alerts.

Folders are polled, not watched through OS events: polling works the same on every system and network share, and
content-hash ids make a repeated read harmless. Each poll re-reads only the files whose (mtime, size) changed since
the last poll (kept in memory; the first poll reads everything, and stored content adds nothing). A file modified
less than ``settle`` seconds ago is left for the next poll, so a file still being written is not read half-way.

Feeds given as http(s) URLs are fetched through :func:`vigie.net.fetch` (one deadline for the whole fetch, the
feed size cap, redirects re-checked, no private address unless allowed), with a User-Agent and conditional requests
(ETag, Last-Modified); a feed answering 304, or the same bytes again, costs nothing more. A feed given as a file is
watched like any other file.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vigie.alerts import USER_AGENT, AlertMatch
from vigie.errors import InputError, VigieError
from vigie.extract import ExtractOptions
from vigie.extract.readers import ReadOptions, iter_documents, iter_files, read_bytes
from vigie.models import RawDocument
from vigie.net import FetchError, FetchPolicy, fetch
from vigie.pipeline import Documents, IngestReport, RunOptions, run
from vigie.stories import StoryReport

if TYPE_CHECKING:
    from vigie.store import ArticleStore
    from vigie.understand.abstractive import LLMConfig

__all__ = ["PollResult", "WatchOptions", "Watcher", "is_url"]

_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"

log = logging.getLogger(__name__)


OnWatchError = Callable[[VigieError], None]  # InputErrors, plus store, story-stage and webhook failures


def is_url(s: str) -> bool:
    return s.lower().startswith(("http://", "https://"))


@dataclass(slots=True)
class WatchOptions:
    """How often and how carefully to poll.

    Attributes:
        interval: seconds between the end of one poll and the start of the next.
        settle: files modified less than this many seconds ago wait for the next poll (still being written).
        timeout: seconds allowed for each feed fetch as a whole (and for each webhook call).
        allow_private: fetch feeds (and follow redirects) to loopback, private and link-local addresses too;
            off by default, so a feed cannot make Vigie read the local network (``$VIGIE_ALLOW_PRIVATE_URLS``
            also allows them, or only the hosts it lists).
        stories: place new articles in stories after each poll that stored some.
        alerts: run the saved alerts on each poll's new articles.
        llm: the endpoint for the story details' optional abstractive rewrite (see :class:`RunOptions`).
    """

    interval: float = 60.0
    settle: float = 2.0
    timeout: float = 20.0
    allow_private: bool = False
    stories: bool = True
    alerts: bool = True
    llm: LLMConfig | None = None

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError(f"interval must be > 0 seconds, got {self.interval}")
        if self.settle < 0:
            raise ValueError(f"settle must be >= 0 seconds, got {self.settle}")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")


@dataclass(slots=True)
class _FeedState:
    etag: str | None = None
    modified: str | None = None
    digest: str | None = None


@dataclass(slots=True)
class PollResult:
    """What the last poll did beyond ingesting: story placement and alert matches."""

    stories: StoryReport | None = None
    matches: list[AlertMatch] = field(default_factory=list)


class Watcher:
    """Poll ``paths`` (files or folders) and ``feeds`` (http(s) URLs or feed files) into ``store``.

    Args:
        store: where new articles go.
        paths: files and folders to watch.
        feeds: RSS/Atom/RDF feeds: URLs are fetched, anything else is watched as a file.
        options: polling options.
        on_error: called with each failure, one line each: inputs (an unchanged failing file is not re-read),
            feeds, the store, the story stage, webhooks.
        echo: where alert lines go (alerts with a webhook POST instead).

    Example:
        >>> w = Watcher(Store("vigie.db"), ["inbox/"], ["https://example.org/rss"])   # doctest: +SKIP
        >>> w.poll_once().summary()                                                   # doctest: +SKIP
        'read 12, new 12, duplicate 0, failed 0'
        >>> w.run(threading.Event())   # until the event is set (or Ctrl-C)            # doctest: +SKIP
    """

    def __init__(
        self,
        store: ArticleStore,
        paths: Sequence[str] = (),
        feeds: Sequence[str] = (),
        options: WatchOptions | None = None,
        *,
        read_options: ReadOptions | None = None,
        extract_options: ExtractOptions | None = None,
        on_error: OnWatchError | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        if not paths and not feeds:
            raise ValueError("nothing to watch: give at least one folder, file or feed")
        self.store = store
        self.paths = [*paths, *(f for f in feeds if not is_url(f))]
        self.urls = [f for f in feeds if is_url(f)]
        self.options = options or WatchOptions()
        self.read_options = read_options or ReadOptions()
        self.extract_options = extract_options
        self.on_error = on_error
        self.echo = echo
        self.last = PollResult()
        self._seen: dict[str, tuple[int, int]] = {}
        self._feeds: dict[str, _FeedState] = {u: _FeedState() for u in self.urls}
        self._listing_errors: set[str] = set()

    # -- polling ----------------------------------------------------------------------------------------------

    def poll_once(self) -> IngestReport:
        """Ingest what changed since the last poll, then place it in stories and run the alerts (one run)."""
        report = IngestReport()  # listing and fetch failures, reported as they happen
        changed = self._changed_files(report)
        docs = itertools.chain(iter_documents(changed, self.read_options), self._feed_documents(report))
        options = RunOptions(stories=self.options.stories, alerts=self.options.alerts,
                             webhook_timeout=self.options.timeout, llm=self.options.llm,
                             webhook_allow_private=self.options.allow_private)  # fmt: skip
        result = run(self.store, Documents(docs), options=options, extract_options=self.extract_options,
                     on_error=self._error, echo=self.echo)  # fmt: skip
        report.merge(result.report)
        for warning in result.warnings:
            self._error(VigieError(warning))
        self.last = PollResult(result.stories, result.matches)
        return report

    def run(self, stop: threading.Event, on_poll: Callable[[IngestReport], None] | None = None) -> None:
        """Poll until ``stop`` is set; a store error is reported and the next poll tries again."""
        while not stop.is_set():
            try:
                report = self.poll_once()
            except VigieError as e:
                self._error(e)
            else:
                if on_poll:
                    on_poll(report)
            stop.wait(self.options.interval)

    # -- internals --------------------------------------------------------------------------------------------

    def _error(self, err: VigieError) -> None:
        if self.on_error:
            self.on_error(err)
        else:
            log.warning("%s", err)

    def _changed_files(self, report: IngestReport) -> list[str]:
        now = time.time()
        present: set[str] = set()
        changed: list[str] = []
        for f in iter_files(self.paths, self.read_options):
            if isinstance(f, InputError):
                if str(f) not in self._listing_errors:  # an unreadable folder is reported once, not every poll
                    self._listing_errors.add(str(f))
                    report.failed += 1
                    report.errors.append(f)
                    self._error(f)
                continue
            present.add(f)
            try:
                st = os.stat(f)
                key = (st.st_mtime_ns, st.st_size)
            except OSError:
                key = (-1, -1)  # let the reader name the problem, once
            if self._seen.get(f) == key:
                continue
            if self.options.settle and key[0] >= 0 and now - key[0] / 1e9 < self.options.settle:
                continue  # still being written, perhaps: next poll
            self._seen[f] = key
            changed.append(f)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return changed

    def _fetch(self, url: str, report: IngestReport) -> bytes | None:
        """The feed's bytes when they changed since the last fetch; None when unchanged or failed (reported)."""
        state = self._feeds[url]
        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.modified:
            headers["If-Modified-Since"] = state.modified
        policy = FetchPolicy.from_env(allow_private=self.options.allow_private, deadline=self.options.timeout,
                                      max_bytes=self.read_options.max_feed_bytes)  # fmt: skip
        try:
            resp = fetch(url, policy=policy, headers=headers)
        except FetchError as e:
            reason = str(e)
        else:
            if resp.status == 304:
                return None
            if not 200 <= resp.status < 300:
                reason = f"HTTP {resp.status} {resp.reason}"
            else:
                state.etag, state.modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
                digest = hashlib.sha256(resp.body).hexdigest()
                if digest == state.digest:
                    return None
                state.digest = digest
                return resp.body
        err = InputError(url, reason)
        report.failed += 1
        report.errors.append(err)
        self._error(err)
        return None

    def _feed_documents(self, report: IngestReport) -> Iterator[RawDocument | InputError]:
        for url in self.urls:
            data = self._fetch(url, report)
            if data is not None:
                yield from read_bytes(data, url, self.read_options)
