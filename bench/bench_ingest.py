"""End-to-end ingest in articles/s, side by side in one run on the same kind of corpus: read, clean, store, stories
(what ``vigie bench`` calls end to end), against the same plus understanding (entities, quotes, dates, events) and
story details (summary, timeline, coverage), as ``vigie ingest`` runs it. Without sentence reuse: every sentence of
the generated corpus is made unique, so the sentence-vector cache never answers (the cold bound).

The corpus is generated from the RPM2 dev documents of ../shared (see :mod:`vigie.bench`); two corpora of the same
size and seed family are ingested into two fresh stores, each once per system, in turn (``--repeat``, best kept).

Usage: python bench/bench_ingest.py [--size 400] [--workers 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=400, help="articles per corpus (default 400)")
    ap.add_argument("--workers", type=int, default=2, help="cleaning and language-model processes (default 2)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", default=None, help="the shared data folder (default ../shared/data or $VIGIE_SHARED)")
    args = ap.parse_args(argv)
    from vigie.bench import generate, shared_data
    from vigie.errors import VigieError
    from vigie.models import Article
    from vigie.pipeline import LocalExecutor, Paths, RunOptions, run
    from vigie.progress import Progress
    from vigie.store import Store
    from vigie.stories.embed import _CACHE
    from vigie.understand import analyze_articles, get_nlp

    try:
        base = shared_data(args.data or str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    except VigieError as e:
        print(f"bench_ingest: {e}", file=sys.stderr)
        return 2
    get_nlp("fr")  # loading the model is not ingest throughput (a watch or a server loads it once)
    analyze_articles([Article(id="w", source="w", body="Il a dit : « Nous partirons lundi. »", language="fr")])
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="vigie-bench-ingest-") as tmp:
        for rep in range(args.repeat):
            for name, understand in (("without understanding", False), ("with understanding and details", True)):
                folder = Path(tmp) / f"{rep}-{int(understand)}"
                folder.mkdir()
                # Another seed for each run: no run finds a sentence another one embedded.
                for g in generate(args.size, base, seed=101 + 2 * rep + understand, unique=True):
                    (folder / g.name).write_text(g.text, encoding="utf-8")
                _CACHE.clear()
                store = Store(Path(tmp) / f"{rep}-{int(understand)}.db")
                opts = RunOptions(stories=True, understand=understand, details=understand, alerts=True,
                                  nlp_processes=args.workers)
                stages: dict[str, float] = {}
                t0 = time.perf_counter()

                def on_event(p: Progress, stages: dict[str, float] = stages, t0: float = t0) -> None:
                    stages.setdefault(p.stage, time.perf_counter() - t0)

                result = run(store, Paths([str(folder)]), executor=LocalExecutor(args.workers), options=opts,
                             on_event=on_event)
                dt = time.perf_counter() - t0
                starts = [*sorted(stages.items(), key=lambda kv: kv[1]), ("end", dt)]
                split = ", ".join(f"{a} {t1 - t:.1f} s" for (a, t), (_, t1) in itertools.pairwise(starts))
                n = result.report.new
                analysed = len(store.analyses([a for a in result.report.new_ids])) if understand else 0
                store.close()
                best[name] = max(best.get(name, 0.0), n / dt)
                print(f"run {rep + 1}, {name}: {n} new articles in {dt:.1f} s = {n / dt:.1f} articles/s "
                      f"({analysed} analyses stored, {len(result.touched) if understand else 0} stories with details made; "
                      f"{split}; load {_load()})", flush=True)
    a, b = best["without understanding"], best["with understanding and details"]
    print(f"best: without understanding {a:.1f} articles/s; with understanding and details {b:.1f} articles/s "
          f"({b / a:.2f}x); {args.workers} processes, no sentence reuse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
