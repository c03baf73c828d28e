"""Adding articles to a large store, understanding and story details included: the time and peak memory of one
``vigie ingest``-shaped run of ``--add`` new articles into a store of ``--base`` articles.

The base store is built first (read, clean, store, stories; with ``--base-understand`` also understanding and
details, else its articles have no stored analyses: only the added ones are analysed, and the details of the
stories they touch read the analyses that exist). The add runs in a fresh process, so its peak RSS is its own.
The corpus is generated from the RPM2 dev documents of ../shared (see :mod:`vigie.bench`); the added articles
continue the base corpus (same stories and windows) without sentence reuse.

Usage: python bench/bench_add.py --base 10000 [--add 1000] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _write(folder: Path, n: int, start: int, unique: bool, data: Path) -> None:
    from vigie.bench import generate

    folder.mkdir(parents=True, exist_ok=True)
    for g in generate(n, data, seed=1, start=start, unique=unique):
        (folder / g.name).write_text(g.text, encoding="utf-8")


def _ingest(db: Path, folder: Path, workers: int, understand: bool, details: bool) -> dict[str, float]:
    from vigie.pipeline import LocalExecutor, Paths, RunOptions, run
    from vigie.store import Store

    store = Store(db)
    t0 = time.perf_counter()
    result = run(store, Paths([str(folder)]), executor=LocalExecutor(workers),
                 options=RunOptions(understand=understand, details=details, nlp_processes=workers))
    dt = time.perf_counter() - t0
    out = {"seconds": round(dt, 1), "new": result.report.new, "touched": len(result.touched),
           "articles": store.count() if hasattr(store, "count") else -1,
           "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "children_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", type=int, default=10000)
    ap.add_argument("--add", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--base-understand", action="store_true")
    ap.add_argument("--base-details", action="store_true",
                    help="also make the base stories' details (the add remakes only the stories it touches: off by "
                         "default, it only lengthens building the base)")
    ap.add_argument("--keep", default=None, help="work in this folder and keep the base store (built once)")
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        print(json.dumps(_ingest(Path(args._child[0]), Path(args._child[1]), args.workers, True, True)))
        return 0
    from vigie.bench import shared_data
    from vigie.errors import VigieError

    try:
        data = shared_data(str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    except VigieError as e:
        print(f"bench_add: {e}", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vigie-bench-add-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"base{args.base}.db"
    if not db.exists():
        _write(work / "base", args.base, 0, False, data)
        t0 = time.perf_counter()
        made = _ingest(db.with_suffix(".tmp"), work / "base", args.workers, args.base_understand, args.base_details)
        db.with_suffix(".tmp").rename(db)
        print(f"base store: {made['new']} articles in {time.perf_counter() - t0:.0f} s "
              f"(understanding {'on' if args.base_understand else 'off'}; load {_load()})", flush=True)
    add = work / f"add{args.add}"
    if not add.exists():
        _write(add, args.add, args.base, True, data)
    trial = work / "trial.db"
    subprocess.run(["cp", str(db), str(trial)], check=True)
    for ext in ("-wal", "-shm"):
        if Path(str(db) + ext).exists():
            subprocess.run(["cp", str(db) + ext, str(trial) + ext], check=True)
    load0 = _load()
    out = subprocess.run([sys.executable, __file__, "--workers", str(args.workers), "--_child", str(trial), str(add)],
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"+{res['new']} articles into a {args.base}-article store, understanding and details included: "
          f"{res['seconds']} s, peak RSS {res['rss_mb']} MB (workers {res['children_rss_mb']} MB each at most), "
          f"{res['touched']} stories' details made; load before {load0}, after {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
