"""Latency of the server's reads on a large store (issue 18 targets: story page and ``GET /api/stories/ID`` p95
<= 300 ms cold, entity page <= 300 ms, other GETs p99 <= 500 ms while 45 story requests are in flight).

Builds a store of ``--size`` generated articles (RPM2 sentences, as ``vigie bench``; stories made, details not, so
every story is cold: its first view is the one after ingest), or reads ``--db``, then times in-process requests
(Starlette's TestClient, no network):
  cold      the first GET of ``--sample`` stories, story page and API (each story once: a cold view);
  entity    with --entities, the entity pages of capitalised title words of the sampled stories;
  busy      45 concurrent GETs of uncached stories while other GETs (an article, the story list, an article page)
            are timed, p99.
Figures are wall-clock on this machine: report them beside its load, never assert them in tests. The generated store
has no analyses, so every cold view also starts its story's details on the server's computation thread (spaCy,
under the GIL): the busy figures are a worst case beside a store filled by ``vigie ingest``, whose details are made.

Usage: python bench/bench_serve.py [--size 10000] [--db store.db] [--sample 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000, help="generated articles (default 10000)")
    ap.add_argument("--db", type=Path, default=None, help="time this store instead of building one")
    ap.add_argument("--sample", type=int, default=100, help="stories viewed cold (default 100)")
    ap.add_argument("--entities", action="store_true",
                    help="also time entity pages: they still read every story's details, so on a cold store they "
                         "compute them all (minutes to hours); off by default")
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
        busy_ids = [v.id for v in views[args.sample : args.sample + 45]]
        with TestClient(create_app(str(db), token=None)) as c:
            c.get("/api/stories")  # the story index, built once per store version
            page, api, statuses = [], [], []
            for v in sample:
                dt, code = _timed_get(c, f"/stories/{v.id}")
                page.append(dt)
                dt, code = _timed_get(c, f"/api/stories/{v.id}")
                api.append(dt)
                statuses.append(code)
            print(f"cold story page  p50 {_pct(page, .5):6.0f} ms  p95 {_pct(page, .95):6.0f} ms  (n={len(page)})")
            print(f"cold API story   p50 {_pct(api, .5):6.0f} ms  p95 {_pct(api, .95):6.0f} ms  "
                  f"({statuses.count(202)} answered 202 pending, {statuses.count(200)} 200)")
            if args.entities:
                _entities(c, sample)
            _busy(c, busy_ids, sample[0].articles[0].id)
    return 0


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


def _busy(c: Any, story_ids: list[str], article_id: str) -> None:
    """Other GETs timed while 45 uncached story requests are in flight."""
    others = [f"/api/articles/{article_id}", "/api/stories", f"/articles/{article_id}"]
    with ThreadPoolExecutor(60) as pool:
        flood = [pool.submit(_timed_get, c, f"/api/stories/{sid}") for sid in story_ids]
        timed: list[float] = []
        for k in range(60):
            dt, _ = pool.submit(_timed_get, c, others[k % len(others)]).result()
            timed.append(dt)
        story = [f.result() for f in flood]
    st = [dt for dt, _ in story]
    print(f"45 story GETs    p50 {_pct(st, .5):6.0f} ms  p99 {_pct(st, .99):6.0f} ms  "
          f"({sum(1 for _, s in story if s == 202)} pending)")
    print(f"other GETs then  p50 {_pct(timed, .5):6.0f} ms  p99 {_pct(timed, .99):6.0f} ms  (n={len(timed)}), "
          f"mean {statistics.mean(timed) * 1000:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
