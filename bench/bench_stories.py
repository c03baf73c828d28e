"""Story stage at scale: dedup + embedding + clustering + store of N generated articles, then 1,000 more.

Articles are built from real French sentences (RPM2 dev documents, read from ../shared, never copied): each RPM2
topic is a sentence pool; an article takes a headline and 8 sentences from one pool and a publication date in one
of many 60-day "epochs", so (pool, epoch) is a known story label (the clusterer's 45-day gap keeps epochs apart).
Sentence vectors are computed once and shared through the embedder's cache, so the bench times clustering and
storage rather than re-encoding the same sentences.

    python bench/bench_stories.py --size 10000 [--add 1000] [--json] [--compare ../main/src]

``--compare SRC`` runs the story stage and the increment a second time, on a copy of the same base store, with the
code of another checkout (e.g. today's main), and reports the time ratios of the two runs side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(os.environ.get("VIGIE_BENCH_SRC") or ROOT / "src")  # the child of a --compare run imports another checkout
sys.path.insert(0, str(SRC))
RPM2 = ROOT.parent / "shared" / "data" / "rpm2-dev" / "documents"

from vigie.models import Article, RawDocument  # noqa: E402
from vigie.store import Store  # noqa: E402
from vigie.stories import list_stories, update_stories  # noqa: E402
from vigie.stories.embed import Embedder  # noqa: E402
from vigie.stories.embed import lead_sentences as split_sentences  # noqa: E402


def pools() -> list[list[str]]:
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for p in sorted(RPM2.glob("*.txt")):
        lines = [ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
        by_cluster[p.name[:3]] += [s for ln in lines for s in split_sentences(ln)]
    return [sorted(set(v)) for _, v in sorted(by_cluster.items())]


def generate(n: int, seed: int, start: int = 0) -> list[tuple[RawDocument, Article, tuple[int, int]]]:
    rng = random.Random(seed)
    ps = pools()
    epochs = max(1, n // (len(ps) * 15))  # about 15 articles per story
    out = []
    for k in range(start, start + n):
        p = rng.randrange(len(ps))
        e = rng.randrange(epochs)
        day = date(1990, 1, 1) + timedelta(days=60 * e + rng.randrange(10))
        sents = rng.sample(ps[p], min(9, len(ps[p])))
        title, body = sents[0], "\n\n".join(sents[1:])
        raw = RawDocument(source=f"gen/{k}.txt", format="text", content=f"{title}\n{body}\n{k}")
        art = Article(id=raw.id, source=raw.source, title=title, body=body, published=day.isoformat(),
                      language="fr", outlet=f"Outlet {k % 40}")
        out.append((raw, art, (p, e)))
    return out


def bcubed(pred: dict[str, str], gold: dict[str, tuple[int, int]]) -> float:
    pc: dict[str, set[str]] = defaultdict(set)
    gc: dict[tuple[int, int], set[str]] = defaultdict(set)
    for a, c in pred.items():
        pc[c].add(a)
    for a, g in gold.items():
        gc[g].add(a)
    p = sum(len(pc[pred[a]] & gc[gold[a]]) / len(pc[pred[a]]) for a in pred) / len(pred)
    r = sum(len(pc[pred[a]] & gc[gold[a]]) / len(gc[gold[a]]) for a in pred) / len(pred)
    return 2 * p * r / (p + r)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def warm_sentences() -> float:
    """Encode every pool sentence once, so the stage times clustering rather than re-encoding the same sentences."""
    t0 = time.perf_counter()
    emb = Embedder()
    emb.embed_texts(sorted({s for pool in pools() for s in pool}))
    return time.perf_counter() - t0


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "VIGIE_BENCH_SRC": str(src)}


def _stage(db: str, src: Path) -> tuple[float, float]:
    """The story stage on ``db`` in a fresh process importing vigie from ``src`` (its sentence vectors warmed first,
    as here), so its peak RSS is the stage's own and not this process's, which holds the whole generated corpus."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, __file__, "--story-stage", db], check=True,
                          capture_output=True, text=True, env=_env(src))  # fmt: skip
    secs = float(json.loads(done.stdout.strip().splitlines()[-1])["story_stage_s"])
    return secs, int(done.stderr.strip().splitlines()[-1]) / 1024


def _increment(db: str, extra_file: str, src: Path) -> tuple[float, float]:
    """`vigie ingest` of the extra articles in a fresh process (cold caches): seconds and peak RSS (MB)."""
    t = time.perf_counter()
    # Through /usr/bin/time: a child forked from this (large) process would report this process's pages as its own.
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "vigie.cli", "ingest", "-q", "--db", db,
                           extra_file], check=True, capture_output=True, text=True, env=_env(src))  # fmt: skip
    return time.perf_counter() - t, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--add", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", type=Path, help="copy the base store (before the increment) and the increment's JSONL "
                    "into this folder, to profile the increment again without rebuilding")
    ap.add_argument("--compare", type=Path, metavar="SRC", help="also run the stage with the vigie package under SRC")
    ap.add_argument("--story-stage", metavar="DB", help=argparse.SUPPRESS)  # internal: the child process
    args = ap.parse_args()
    if not RPM2.is_dir():
        print(f"bench_stories: {RPM2} is absent (it reads ../shared/data/rpm2-dev)", file=sys.stderr)
        return 2
    t_warm = warm_sentences()
    if args.story_stage:
        store = Store(args.story_stage)
        t = time.perf_counter()
        update_stories(store)
        print(json.dumps({"story_stage_s": time.perf_counter() - t}))
        return 0
    data = generate(args.size + args.add, args.seed)
    base, extra = data[: args.size], data[args.size :]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.db")
        store = Store(db)
        t = time.perf_counter()
        for raw, art, _ in base:
            store.add(raw, art)
        t_store = time.perf_counter() - t
        store.close()
        if args.compare:
            import shutil

            shutil.copy(db, os.path.join(tmp, "compare.db"))
        t_cluster, stage_rss = _stage(db, SRC)
        rss_base = rss_mb()
        # The increment runs as a user would run it: `vigie ingest` in a fresh process (cold caches), its own RSS.
        extra_file = os.path.join(tmp, "extra.jsonl")
        with open(extra_file, "w", encoding="utf-8") as f:
            for _, art, _ in extra:
                f.write(json.dumps({"title": art.title, "maintext": art.body, "date_publish": art.published,
                                    "language": "fr"}, ensure_ascii=False) + "\n")
        if args.keep:
            import shutil

            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(db, args.keep / "base.db")
            shutil.copy(extra_file, args.keep / "extra.jsonl")
        t_add, add_rss = _increment(db, extra_file, SRC)
        compare: dict[str, float] = {}
        if args.compare:
            cdb = os.path.join(tmp, "compare.db")
            c_stage, c_rss = _stage(cdb, args.compare.resolve())
            c_add, c_add_rss = _increment(cdb, extra_file, args.compare.resolve())
            compare = {"compare_story_stage_s": round(c_stage, 1), "compare_story_stage_peak_rss_mb": round(c_rss),
                       f"compare_add_{args.add}_s": round(c_add, 1), "compare_add_peak_rss_mb": round(c_add_rss),
                       "story_stage_time_ratio_ours_to_compare": round(t_cluster / c_stage, 2),
                       "add_time_ratio_ours_to_compare": round(t_add / c_add, 2)}  # fmt: skip
        store = Store(db)
        gold = {a.id: g for _, a, g in base}
        pred = {a.id: s.id for s in list_stories(store) for a in s.articles}
        f1 = bcubed({a: s for a, s in pred.items() if a in gold}, gold)
        size_mb = os.path.getsize(db) / 1e6
        n_stories = len({*pred.values()})
    res = {
        "articles": args.size,
        "sentence_warmup_s": round(t_warm, 1),
        "store_articles_per_s": round(args.size / t_store, 1),
        "story_stage_s": round(t_cluster, 1),
        "story_stage_articles_per_s": round(args.size / t_cluster, 1),
        "story_stage_peak_rss_mb": round(stage_rss),
        f"add_{args.add}_vigie_ingest_s": round(t_add, 1),
        "add_peak_rss_mb": round(add_rss),
        "bench_process_peak_rss_mb": round(max(rss_base, rss_mb()), 0),
        "db_mb": round(size_mb, 1),
        "stories": n_stories,
        "story_b3_f1_synthetic": round(f1, 3),
        **compare,
    }
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:<28} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
