"""What the server reads and writes, kept apart from HTTP: per-thread read stores, one writer thread, caches.

SQLite takes one writer at a time, so every write goes through :meth:`Data.write`, which runs it on a single
writer thread with its own connection (a queue of one worker); reads use one connection per server thread and
never wait for a write thanks to WAL (PostgreSQL: MVCC). Only the store protocol is used, so a ``postgresql://``
URL serves as well as a file. Story lists and story details are cached by a cheap version of the story
tables, so a page view does not recompute them, and an ingest (here or by ``vigie ingest``) is seen at once.

Story details are computed on one computation thread, never on the writer and never on a request thread:
concurrent requests for one story share one computation (a future). Routes never wait for it: they answer with what
is stored and say the rest is coming (:meth:`Data.detail_now`), so reads never queue behind an analysis. The
details are cached in the store through the writer; a read-only or full store only loses that cache.

Routes that build a whole story or entity (many rows, a large page) run through :meth:`Data.heavy`, on at most
``heavy_slots`` server threads at once: a burst of them cannot take every thread of the pool (anyio's 40) nor
every share of the GIL, so an article, the story list or an article page is still answered at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import anyio
import anyio.to_thread

from vigie import stories
from vigie.errors import NotFoundError, VigieError
from vigie.export import public_source
from vigie.extract.outlets import OutletRegistry
from vigie.models import Article
from vigie.store import ArticleStore, open_store
from vigie.stories.views import OutletPage, OutletView, StoryView, outlet_view, outlet_views
from vigie.text import slug

if TYPE_CHECKING:
    from vigie.understand.views import EntityView, StoryDetail

T = TypeVar("T")
DetailStatus = Literal["ready", "pending", "failed"]
# Seconds a client is asked to wait (Retry-After, a page's reload) before asking again for details being made.
PENDING_RETRY = 3
# Server threads that may build story and entity answers at once (:meth:`Data.heavy`). Their work is Python under
# the GIL: each one more makes a light request wait longer for the GIL after each of its SQLite calls. Measured on
# 2 cores, 10k articles, 45 story clients (bench_serve): other GETs p99 84 ms with 1 slot, 363 with 2, 720 with 4,
# 1995 with 40 (anyio's pool); 2 keeps the story throughput of overlapping their store reads.
HEAVY_SLOTS = 2

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ID_RE = re.compile(ID_PATTERN)


slugify = slug  # the name the pages and the API use


def check_id(value: str, what: str) -> str:
    """The id itself, or NotFoundError when it cannot be an id (the store is never asked about odd strings)."""
    if not _ID_RE.match(value):
        raise NotFoundError(f"no {what} {value[:80]}")
    return value


def day_of(published: str | None) -> date | None:
    """The calendar day of an ISO timestamp or date, None when absent or not ISO."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


log = logging.getLogger(__name__)


@dataclass(slots=True)
class StoryIndex:
    """Every story view, best first, with the languages of its articles."""

    stories: list[StoryView]
    languages: dict[str, set[str]]


@dataclass(slots=True)
class StoryFilter:
    """Filters of the story list; None means no filter."""

    since: date | None = None
    until: date | None = None
    language: str | None = None
    outlet: str | None = None
    q: str | None = None


class Data:
    """The server's access to one store: reads, the writer, and the caches.

    Args:
        path: SQLite file (``:memory:`` shares one connection between reads and the writer) or PostgreSQL URL.
        detail_cache: how many story details to keep.
        heavy_slots: how many story and entity answers are built at once (:meth:`heavy`); the others wait their
            turn without holding a server thread.

    Raises:
        VigieError: ``heavy_slots`` below 1, or a store that cannot be opened.
    """

    def __init__(self, path: str, *, detail_cache: int = 256, heavy_slots: int = HEAVY_SLOTS) -> None:
        if heavy_slots < 1:
            raise VigieError(f"heavy_slots must be >= 1, got {heavy_slots}")
        self.path = path
        self.heavy_slots = heavy_slots
        # Made in the event loop that first needs it (an anyio limiter belongs to one loop; a test client may run
        # several lifespans, each with its own loop).
        self._heavy: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None
        self._local = threading.local()
        self._opened: list[ArticleStore] = []
        self._open_lock = threading.Lock()
        self._writer: ThreadPoolExecutor | None = None
        self._compute: ThreadPoolExecutor | None = None
        self._inflight: dict[tuple[str, tuple[str, ...]], Future[StoryDetail]] = {}
        self._write_store: ArticleStore | None = None
        # Open once up front: a bad path or a newer schema fails at start-up, not on the first request.
        self._shared = open_store(path) if path == ":memory:" else None
        if self._shared is None:
            self.read()
        self._index: tuple[tuple[int, ...], StoryIndex] | None = None
        self._details: OrderedDict[tuple[str, tuple[str, ...]], StoryDetail] = OrderedDict()
        self._detail_cache = detail_cache
        self._detail_lock = threading.Lock()
        self._failed: OrderedDict[tuple[str, tuple[str, ...]], None] = OrderedDict()  # computations that raised
        self.registry = OutletRegistry.default()
        from vigie.understand.abstractive import LLMConfig

        # Read once, at the edge: the story stage is handed the endpoint for its optional abstractive rewrite.
        self.llm = LLMConfig.from_env()

    # -- connections ----------------------------------------------------------------------------------------

    def read(self) -> ArticleStore:
        """This thread's read connection."""
        if self._shared is not None:
            return self._shared
        store: ArticleStore | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.path)
            self._local.store = store
            with self._open_lock:
                self._opened.append(store)
        return store

    def write(self, fn: Callable[[ArticleStore], T]) -> T:
        """Run ``fn(store)`` on the writer thread, after the writes queued before it; returns its result."""
        with self._open_lock:
            if self._writer is None:  # made lazily, so an app can go through several lifespans
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-writer")
            writer = self._writer
        return writer.submit(self._run_write, fn).result()

    def _run_write(self, fn: Callable[[ArticleStore], T]) -> T:
        if self._write_store is None:
            self._write_store = self._shared or open_store(self.path)
        return fn(self._write_store)

    def close(self) -> None:
        with self._open_lock:
            pools, self._writer, self._compute = (self._compute, self._writer), None, None
        for pool in pools:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        with self._open_lock:
            for s in self._opened:
                s.close()
            self._opened.clear()
        writer, self._write_store = self._write_store, None  # the next lifespan's first write opens it again
        if writer is not None and writer is not self._shared:
            writer.close()
        if self._shared is not None:
            self._shared.close()

    async def heavy(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a server thread, at most :attr:`heavy_slots` of them at once (for the routes that build a
        story or an entity); a call beyond waits in the event loop, holding no thread."""
        loop = asyncio.get_running_loop()
        if self._heavy is None or self._heavy[0] is not loop:
            self._heavy = (loop, anyio.CapacityLimiter(self.heavy_slots))
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=self._heavy[1])

    # -- stories --------------------------------------------------------------------------------------------

    def index(self) -> StoryIndex:
        """Every story, best first (cached until the story tables change)."""
        store = self.read()
        version = store.stories_version()
        cached = self._index
        if cached is not None and cached[0] == version:
            return cached[1]
        languages: dict[str, set[str]] = {}
        for r in store.placements():
            if r["language"]:
                languages.setdefault(r["story_id"], set()).add(r["language"])
        index = StoryIndex(stories.list_stories(store), languages)
        self._index = (version, index)
        return index

    def filter_stories(self, f: StoryFilter) -> list[StoryView]:
        """The stories that pass every filter, best first."""
        index = self.index()
        wanted: set[str] | None = None
        if f.q and f.q.strip():
            wanted = self.stories_matching(f.q)
        out = []
        outlet = f.outlet.casefold() if f.outlet else None
        for s in index.stories:
            if wanted is not None and s.id not in wanted:
                continue
            if f.language and f.language.lower() not in index.languages.get(s.id, set()):
                continue
            if outlet and outlet not in {o.casefold() for o in s.outlet_names}:
                continue
            if f.since or f.until:
                first, last = day_of(s.first_published), day_of(s.last_published)
                if first is None or last is None:
                    continue
                if f.since and last < f.since:
                    continue
                if f.until and first > f.until:
                    continue
            out.append(s)
        return out

    def stories_matching(self, q: str, *, limit: int = 1000) -> set[str]:
        """Stories holding an article that matches the full-text query, or whose title contains it."""
        from vigie.store import SearchOptions

        # The story facet counts every match, so no article (nor snippet) is read for the stories' sake.
        ids = {c.value for c in self.read().find(q, SearchOptions(limit=0)).facets.story}
        needle = q.casefold().strip()
        ids.update(s.id for s in self.index().stories if needle in (s.title or "").casefold())
        return ids

    def detail(self, story_id: str) -> StoryDetail:
        """One story's details (:func:`vigie.stories.story_detail`), cached; waits for their computation.

        Raises:
            NotFoundError: no such story.
        """
        return self.detail_future(story_id).result()

    async def detail_async(self, story_id: str) -> StoryDetail:
        """:meth:`detail` for async routes: the wait holds no server thread, so other requests are served."""
        future = await asyncio.to_thread(self.detail_future, story_id)  # the story view is a store read
        return await asyncio.wrap_future(future)

    def detail_future(self, story_id: str) -> Future[StoryDetail]:
        """The details of a story as a future: done at once when cached, else shared with every request for them.

        Raises:
            NotFoundError: no such story.
        """
        view = stories.get_story(self.read(), check_id(story_id, "story"))
        return self._detail_of(view)

    def _detail_of(self, view: StoryView) -> Future[StoryDetail]:
        key = (view.id, tuple(view.article_ids))
        with self._detail_lock:
            hit = self._details.get(key)
            if hit is not None:
                done: Future[StoryDetail] = Future()
                done.set_result(hit)
                return done
            running = self._inflight.get(key)
            if running is not None:
                return running
            with self._open_lock:
                if self._compute is None:  # one computation at a time: the analysis models are not thread-safe
                    self._compute = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-detail")
                pool = self._compute
            future = pool.submit(self._computed, key, view.id)
            self._inflight[key] = future
            return future

    def _computed(self, key: tuple[str, tuple[str, ...]], sid: str) -> StoryDetail:
        try:
            # Looked up at call time, so a test may stand in for the story stage after the app was made.
            store = cast(ArticleStore, _CacheThroughWriter(self))
            result = self._public(stories.story_detail(store, sid, llm=self.llm))
            with self._detail_lock:
                self._details[key] = result
                while len(self._details) > self._detail_cache:
                    self._details.popitem(last=False)
            return result
        except BaseException:
            with self._detail_lock:
                self._failed[key] = None
                while len(self._failed) > self._detail_cache:
                    self._failed.popitem(last=False)
            raise
        finally:
            with self._detail_lock:
                self._inflight.pop(key, None)

    @staticmethod
    def _public(detail: StoryDetail) -> StoryDetail:
        """A story as the server shows it: file sources by their name, not the server's paths."""
        arts = [replace(a, source=public_source(a.source)) if a.source else a for a in detail.story.articles]
        return replace(detail, story=replace(detail.story, articles=arts))

    def cached_detail(self, view: StoryView) -> StoryDetail | None:
        """The details of a story view if already computed; otherwise start computing them in the background
        (pages that list many stories must not wait for each one) and return None.

        Details the store already keeps (made at ingest for the stories a batch touched) are read at once: the top
        stories of a freshly started server show their summaries on the first view."""
        hit = self.stored_detail(view)
        if hit is not None:
            return hit
        future = self._detail_of(view)
        if not future.done():
            return None
        if future.exception() is not None:  # a story that vanished or fails shows its plain view
            log.debug("detail failed for %s", view.id, exc_info=future.exception())
            return None
        return future.result()

    def stored_detail(self, view: StoryView) -> StoryDetail | None:
        """The details of a story view if computed here or stored for its current articles, else None; never starts
        their computation (pages that list many stories, or the stories of an entity, read only what exists)."""
        key = (view.id, tuple(view.article_ids))
        with self._detail_lock:
            hit = self._details.get(key)
        if hit is not None:
            return hit
        stored = stories.cached_story_detail(self.read(), view, llm=self.llm)
        if stored is None:
            return None
        result = self._public(stored)
        with self._detail_lock:
            self._details[key] = result
            while len(self._details) > self._detail_cache:
                self._details.popitem(last=False)
        return result

    def detail_or_pending(self, story_id: str) -> tuple[StoryDetail, bool]:
        """A story's details without waiting: the stored or computed ones and False, or the view alone
        (:meth:`StoryDetail.bare`, its computation started in the background) and True. A computation that failed
        gives the view alone and False, so a page does not wait for what will not come.

        Raises:
            NotFoundError: no such story.
        """
        detail, status = self.detail_now(story_id)
        return detail, status == "pending"

    def detail_now(self, story_id: str) -> tuple[StoryDetail, DetailStatus]:
        """A story's details without waiting, with where they stand: "ready" (stored or computed), "pending" (the view
        alone, :meth:`StoryDetail.bare`, while they are made in the background) or "failed" (the view alone: their
        computation failed, and is not retried until the story changes).

        Raises:
            NotFoundError: no such story.
        """
        from vigie.understand.views import StoryDetail

        view = stories.get_story(self.read(), check_id(story_id, "story"))
        key = (view.id, tuple(view.article_ids))
        with self._detail_lock:
            failed = key in self._failed and key not in self._details
        ready = None if failed else self.cached_detail(view)
        if ready is not None:
            return ready, "ready"
        if not failed:  # cached_detail may have seen the computation fail just now
            with self._detail_lock:
                failed = key in self._failed and key not in self._details
        return self._public(StoryDetail.bare(view)), "failed" if failed else "pending"

    def stored_details(self, pending: list[str]) -> Callable[[ArticleStore, str], StoryDetail | None]:
        """``vigie.export``'s ``detail`` argument for the server: stored details only (:meth:`stored_detail`), None
        for a story whose details are not made, its id appended to ``pending``; nothing is computed or started."""
        views = {v.id: v for v in self.index().stories}

        def stored(_store: ArticleStore, story_id: str) -> StoryDetail | None:
            view = views.get(story_id)
            found = self.stored_detail(view) if view is not None else None
            if found is None:
                pending.append(story_id)
            return found

        return stored

    def articles_of(self, story: StoryView | StoryDetail) -> list[Article]:
        store = self.read()
        return [store.get(a.id) for a in story.articles]

    # -- entities -------------------------------------------------------------------------------------------

    def entity(self, slug: str) -> EntityView:
        """An entity (by the slug of its canonical name) across the stories, from the indexed tables and the stored
        details only (:func:`vigie.understand.views.stored_entity_view`): a story whose details are not made yet is
        shown "pending" with what its articles' analyses say, and its details are not started from here (a popular
        name would queue every story behind the one a reader opens next).

        Raises:
            NotFoundError: no story mentions or quotes it.
        """
        from vigie.understand.views import stored_entity_view

        return stored_entity_view(self.read(), slug, stories=self.index().stories, stored=self.stored_detail)

    # -- outlets --------------------------------------------------------------------------------------------

    def outlets(self, *, present: bool = False) -> list[OutletView]:
        """Registry entries plus the store's unregistered outlets, with article counts, most articles first."""
        return outlet_views(self.read(), registry=self.registry, present=present)

    def outlet(self, slug: str) -> OutletPage:
        """An outlet's profile (registry entry when known) and its articles, newest first.

        Raises:
            NotFoundError: neither the registry nor the store knows it.
        """
        return outlet_view(self.read(), slug, registry=self.registry)


class _CacheThroughWriter:
    """The computation thread's view of the store: reads on its own connection, the detail cache written by the
    server's one writer. A cache write that fails (read-only store, full disk) is logged: the details are served."""

    def __init__(self, data: Data) -> None:
        self._data = data
        self._store = data.read()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def cache_story(self, *args: Any) -> None:
        try:
            self._data.write(lambda st: st.cache_story(*args))
        except (sqlite3.Error, OSError, VigieError) as e:
            log.warning("story details not cached in the store (%s); they are served from memory", e)


def per_period(days: Iterable[date]) -> tuple[str, list[tuple[date, int]]]:
    """Counts per day, or per ISO week (Mondays) when the span is over 90 days; ("day"|"week", [(start, n)])."""
    ds = sorted(days)
    if not ds:
        return "day", []
    unit = "week" if (ds[-1] - ds[0]).days > 90 else "day"
    counts: Counter[date] = Counter()
    for d in ds:
        counts[date.fromordinal(d.toordinal() - d.weekday()) if unit == "week" else d] += 1
    return unit, sorted(counts.items())
