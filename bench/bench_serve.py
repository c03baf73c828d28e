"""Latency of the server's reads on a large store (issue 18 targets: story page and ``GET /api/stories/ID`` p95
<= 300 ms cold, entity page <= 300 ms, other GETs p99 <= 500 ms while 45 story requests are in flight).

Builds a store of ``--size`` generated articles (RPM2 sentences, as ``vigie bench``; stories made, no analyses, no
details), or reads ``--db``, then times in-process requests (Starlette's TestClient, no network):
  cold      the first GET of ``--sample`` stories, story page and API (each story once, on a fresh server);
  entity    with --entities, the entity pages of capitalised title words of the sampled stories;
  busy      45 clients GET story pages and ``/api/stories/ID`` of 45 other stories, over and over, while other GETs
            (an article, the story list, an article page) are timed, p99: every one of them is made with 45 story
            requests in flight.
A story whose details are not stored answers 202 and starts them on the server's one computation thread (spaCy,
under the GIL), which a store filled by ``vigie ingest`` never does: its details are made at ingest. ``--details``
makes and stores the details of every story timed first (as ingest does; slow the first time, the language model
parses their articles; the store keeps them, so give it a ``--db`` to reuse), so the figures are those of an ingested
store: a cold view reads its stored details. Without it, every view is "pending" (the bench says how many).
Figures are wall-clock on this machine: report them beside its load, never assert them in tests.

Usage: python bench/bench_serve.py [--size 10000] [--db store.db] [--sample 100] [--details] [--entities]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _timed_get(client: Any, url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = client.get(url)
    return time.perf_counter() - t0, r.status_code


def build(size: int, folder: Path) -> Path:
    """A store of ``size`` generated articles with their stories (no understanding, no details)."""
    from vigie.bench import generate, shared_data
    from vigie.pipeline import default_workers, ingest
    from vigie.store import Store
    from vigie.stories import update_stories

    src = folder / "in"
    src.mkdir()
    for g in generate(size, shared_data(None)):
        (src / g.name).write_text(g.text, encoding="utf-8")
    db = folder / "bench.db"
    t0 = time.perf_counter()
    with Store(db) as store:
        ingest(store, [str(src)], workers=default_workers())
        t1 = time.perf_counter()
        update_stories(store)
    print(f"store: {size} articles stored in {t1 - t0:.0f} s, stories in {time.perf_counter() - t1:.0f} s")
    return db


def ingested(db: Path, story_ids: list[str]) -> int:
    """Make these stories as ``vigie ingest`` leaves them: their articles' analyses (the understand stage) and their
    details stored (the details stage); what the store already has is kept. Returns how many stories were made."""
    from vigie.store import Store
    from vigie.stories import cached_story_detail, get_story, story_detail
    from vigie.understand.stage import read_analyses, understand_new

    made = 0
    with Store(db) as store:
        views = [get_story(store, sid) for sid in story_ids]
        todo = [v for v in views if cached_story_detail(store, v) is None]
        ids = [a.id for v in todo for a in v.articles if not a.duplicate_of]
        have = read_analyses(store, ids)
        t0 = time.perf_counter()
        understand_new(store, [i for i in ids if i not in have])
        for v in todo:
            story_detail(store, v.id)
            made += 1
    if made:
        print(f"ingest stages for {made} stories ({len(ids)} articles): {time.perf_counter() - t0:.0f} s")
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000, help="generated articles (default 10000)")
    ap.add_argument("--db", type=Path, default=None, help="time this store instead of building one")
    ap.add_argument("--sample", type=int, default=100, help="stories viewed cold (default 100)")
    ap.add_argument("--details", action="store_true",
                    help="make and store the details of the stories timed first, as ingest does (slow once; kept)")
    ap.add_argument("--entities", action="store_true",
                    help="also time entity pages (from the indexed tables and the stored details)")
    ap.add_argument("--pending", action="store_true",
                    help="leave the busy stories without details (a store ingested without understanding)")
    args = ap.parse_args(argv)
    from fastapi.testclient import TestClient

    from vigie.errors import VigieError
    from vigie.serve import create_app
    from vigie.store import Store
    from vigie.stories import list_stories

    with tempfile.TemporaryDirectory(prefix="vigie-bench-serve-") as tmp:
        try:
            db = args.db or build(args.size, Path(tmp))
        except VigieError as e:
            print(f"bench_serve: {e}", file=sys.stderr)
            return 2
        with Store(db) as store:
            views = list_stories(store)
            n_articles = store.count()
        print(f"{n_articles} articles, {len(views)} stories; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        sample = views[: args.sample]
        # One story outside the sample warms each app first: the story index (built once per store version) and the
        # page templates (compiled once per process) are the server's start-up, not a story's first view.
        warm, rest = views[args.sample : args.sample + 1], views[args.sample + 1 :]
        busy = _without_details(db, rest)[:45] if args.pending else rest[:45]
        ingested(db, [v.id for v in sample + warm + ([] if args.pending else busy)])

        def cold(prefix: str) -> tuple[list[float], list[int]]:
            """Each sampled story's first GET under ``prefix``, on a fresh app warmed outside the sample."""
            with TestClient(create_app(str(db), token=None)) as c:
                c.get("/api/stories")
                for w in warm:
                    c.get(f"{prefix}{w.id}")
                timed = [_timed_get(c, f"{prefix}{v.id}") for v in sample]
            return [dt for dt, _ in timed], [code for _, code in timed]

        page, _ = cold("/stories/")
        api, statuses = cold("/api/stories/")
        print(f"cold story page  p50 {_pct(page, .5):6.0f} ms  p95 {_pct(page, .95):6.0f} ms  (n={len(page)})")
        print(f"cold API story   p50 {_pct(api, .5):6.0f} ms  p95 {_pct(api, .95):6.0f} ms  "
              f"({statuses.count(202)} answered 202 pending, {statuses.count(200)} 200)")
        with TestClient(create_app(str(db), token=None)) as c:
            c.get("/api/stories")
            c.get(f"/articles/{sample[0].articles[0].id}")  # its template compiled, as in a running server
            if args.entities:
                _entities(c, sample)
            _busy(c, [v.id for v in busy], sample[0].articles[0].id)
    return 0


def _without_details(db: Path, views: list[Any]) -> list[Any]:
    """The views whose details the store does not keep (an earlier run may have made some)."""
    from vigie.store import Store
    from vigie.stories import cached_story_detail

    with Store(db) as store:
        return [v for v in views if cached_story_detail(store, v) is None]


def _entities(c: Any, sample: list[Any]) -> None:
    """Entity pages of names the sampled stories' articles carry (their stored titles' capitalised words)."""
    from vigie.text import slug

    names: list[str] = []
    for v in sample:
        for w in (v.title or "").split():
            if w[:1].isupper() and len(w) > 3 and slug(w) not in names:
                names.append(slug(w))
    times, codes = [], []
    for s in names[:10]:
        t0 = time.perf_counter()
        r = c.get(f"/entities/{s}")
        times.append(time.perf_counter() - t0)
        codes.append(r.status_code)
    if times:
        print(f"entity page      p50 {_pct(times, .5):6.0f} ms  max {max(times) * 1000:6.0f} ms  "
              f"(n={len(times)}, statuses {sorted(set(codes))})")


def _make_details(db: Path, story_ids: list[str]) -> None:
    """The details of ``story_ids`` stored as ingest leaves them (each story's analyses, then its details)."""
    from vigie.store import Store
    from vigie.stories import get_story, story_detail
    from vigie.understand.stage import understand_new

    t0 = time.perf_counter()
    with Store(db) as store:
        ids = [a.id for sid in story_ids for a in get_story(store, sid).articles if not a.duplicate_of]
        parsed = understand_new(store, ids)  # only the articles not analysed yet
        for sid in story_ids:
            story_detail(store, sid)  # read back when stored already
    print(f"details: {len(story_ids)} stories ready ({parsed} articles parsed) in {time.perf_counter() - t0:.0f} s")


def _busy(c: Any, story_ids: list[str], article_id: str, n: int = 120) -> None:
    """``n`` other GETs, each timed while 45 clients keep story requests (page and API in turn) in flight."""
    others = [f"/api/articles/{article_id}", "/api/stories", f"/articles/{article_id}"]
    stop = threading.Event()
    story: list[tuple[float, int]] = []
    started = threading.Barrier(len(story_ids) + 1)

    def client(sid: str) -> None:
        urls = [f"/api/stories/{sid}", f"/stories/{sid}"]
        started.wait()
        k = 0
        while not stop.is_set():
            story.append(_timed_get(c, urls[k % 2]))
            k += 1

    with ThreadPoolExecutor(len(story_ids) + 1) as pool:
        flood = [pool.submit(client, sid) for sid in story_ids]
        started.wait()
        time.sleep(0.5)  # every client has a request in flight
        timed = [pool.submit(_timed_get, c, others[k % len(others)]).result()[0] for k in range(n)]
        stop.set()
        for f in flood:
            f.result()
    st = [dt for dt, _ in story]
    print(f"story GETs (45 clients)  p50 {_pct(st, .5):6.0f} ms  p99 {_pct(st, .99):6.0f} ms  (n={len(st)}, "
          f"{sum(1 for _, s in story if s == 202)} pending)")
    print(f"other GETs then  p50 {_pct(timed, .5):6.0f} ms  p99 {_pct(timed, .99):6.0f} ms  (n={len(timed)}), "
          f"mean {statistics.mean(timed) * 1000:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
