"""Story and event clustering, held out: leave-groups-out cross-validation across every dev corpus at once.

Items (eval/story_data.py): RPM2 dev (French, undated; story = topic, event = cluster), ECB+ train + dev topics
(English, mostly undated; each topic two same-kind events), crisis-dev (dated fr/es/it; story = crisis x ISO week),
and html-fr + html-eval pages + the seeds as distractors, all clustered together.

Folds: 5, by group (RPM2 topic, ECB+ topic, crisis ISO week, page), balanced within each corpus. For each fold,
everything is fitted on the other four: the pair model (train/train_pairs.py's fit), the story and attach
thresholds and the story split's modularity (the mean of the story-level figures), the event split (RPM2 event
F1); then the fold's items are clustered from scratch. The baselines get the same treatment in the same run:
TF-IDF average link, USE average link and HDBSCAN on USE, their cut chosen on the training folds (story level on
the same objective, event level on RPM2 event F1). ``--old SRC`` also runs another checkout's clusterer with its own defaults (e.g. today's main).

Scores: B-cubed P/R/F1 per corpus, a predicted cluster counting all its members (a merge with another corpus costs
precision); crisis: the share of same-crisis same-week pairs grouped together, within one language and across
languages, their ratio, and purity (B-cubed precision of the crisis label); pages: the share left alone.

Usage: python eval/eval_stories.py [--data ../shared/data] [--folds 5] [--json FILE] [--old ../main/src] [--check]
USE vectors are cached under /tmp/stories (VIGIE_EVAL_CACHE). Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from story_cv import (
    Scores,
    cluster_labels,
    crisis_ceilings,
    fit_pair_model,
    folds,
    fresh,
    score_all,
    tune_options,
)
from story_data import DEFAULT_DATA, Labelled, attach_vectors
from story_data import load_items as load_all

from vigie.stories.cluster import ClusterOptions, PairModel, StoryClusterer

CUT_GRID = tuple(round(v, 2) for v in np.arange(0.3, 1.0, 0.02))
HDBSCAN_GRID = (2, 3, 4, 5, 6, 8, 10)


@dataclass(slots=True)
class Result:
    name: str
    scores: Scores
    seconds: float
    note: str = ""


# --- the quick gate (tests/test_eval_gate.py): the shipped model on RPM2 dev + html-fr + seeds, in-sample ---------


@dataclass(slots=True)
class Row:
    name: str
    story: tuple[float, float, float]
    event: tuple[float, float, float]
    seconds: float


def load_items(data: Path) -> list[Labelled]:
    """RPM2 dev, the html-fr pages and the seeds: the quick gate's items (vectors computed when clustered)."""
    return load_all(data, ("rpm2", "page", "seeds"), ("html-fr",))


def run_ours(items: Sequence[Labelled], options: ClusterOptions) -> tuple[list[str], list[str], float]:
    t = time.perf_counter()
    cl = StoryClusterer(options)
    cl.add(fresh(items))
    s, e = cluster_labels(cl, items)
    return s, e, time.perf_counter() - t


def score(name: str, items: Sequence[Labelled], story: Sequence[str], event: Sequence[str], secs: float) -> Row:
    sc = score_all(items, story, event)
    return Row(name, sc.rpm2_story, sc.rpm2_event, secs)


# --- baselines ----------------------------------------------------------------------------------------------------


def _tfidf_sim(items: Sequence[Labelled]) -> np.ndarray:
    """Cosine similarities of scikit-learn TF-IDF vectors (sublinear tf, max_df 0.5, l2-normalised), via sparse dots."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [f"{x.item.title}\n{x.item.body}" for x in items]
    m = TfidfVectorizer(sublinear_tf=True, max_df=0.5).fit_transform(docs)
    return np.asarray((m @ m.T).toarray(), dtype=np.float64)


def _use(items: Sequence[Labelled]) -> np.ndarray:
    return np.stack([np.asarray(x.item.vector, dtype=np.float32) for x in items])


def _avg_link_cuts(sim: np.ndarray) -> Callable[[float], list[str]]:
    """Average link on cosine distance (1 - similarity), computed once; returns the labels of a cut at a distance."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(sim)
    if n < 2:
        return lambda t: ["0"] * n
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), "average")
    return lambda t: [str(v) for v in fcluster(z, t, "distance")]


def _hdbscan(x: np.ndarray) -> Callable[[float], list[str]]:
    from sklearn.cluster import HDBSCAN

    def run(m: float) -> list[str]:
        lab = HDBSCAN(min_cluster_size=int(m), min_samples=1, metric="cosine", copy=True).fit_predict(x)
        return [str(v) if v >= 0 else f"noise{i}" for i, v in enumerate(lab)]

    return run


BASELINES: dict[str, tuple[Callable[[Sequence[Labelled]], Callable[[float], list[str]]], Sequence[float]]] = {
    "TF-IDF average link": (lambda xs: _avg_link_cuts(_tfidf_sim(xs)), CUT_GRID),
    "USE average link": (lambda xs: _avg_link_cuts(_use(xs).astype(np.float64) @ _use(xs).T.astype(np.float64)),
                         CUT_GRID),
    "HDBSCAN on USE": (lambda xs: _hdbscan(_use(xs)), HDBSCAN_GRID),
}


def _pick(train: Sequence[Labelled], make: Callable[[Sequence[Labelled]], Callable[[float], list[str]]],
          grid: Sequence[float]) -> tuple[float, float]:  # fmt: skip
    """The story-level and the event-level parameter of a baseline, chosen on the training items."""
    cut = make(train)
    corpora = {x.corpus for x in train}
    story: tuple[float, float] | None = None
    event: tuple[float, float] | None = None
    for g in grid:
        lab = cut(g)
        s = score_all(train, lab, lab)
        if story is None or s.objective(corpora) > story[0] + 1e-9:
            story = (s.objective(corpora), g)
        if event is None or s.rpm2_event[2] > event[0] + 1e-9:
            event = (s.rpm2_event[2], g)
    assert story is not None and event is not None
    return story[1], event[1]


# --- runs ---------------------------------------------------------------------------------------------------------


def _load_old(src: Path) -> Any:
    """Another checkout's cluster module (its own defaults), loaded beside ours under another name."""
    spec = importlib.util.spec_from_file_location("old_cluster", src / "vigie" / "stories" / "cluster.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["old_cluster"] = mod
    spec.loader.exec_module(mod)
    return mod


def cross_validate(items: list[Labelled], k: int, old: Any = None, log: Callable[[str], None] = print,
                   without: Sequence[str] = ()) -> tuple[list[Result], list[dict[str, Any]]]:  # fmt: skip
    fold = folds(items, k)
    n = len(items)
    ours = "Vigie (pair model, held out)" + (f" without {','.join(without)}" if without else "")
    names = [ours, *BASELINES]
    story = {m: [""] * n for m in names}
    event = {m: [""] * n for m in names}
    secs = dict.fromkeys(names, 0.0)
    if old is not None:
        story["today's main (its dev-tuned defaults)"] = [""] * n
        event["today's main (its dev-tuned defaults)"] = [""] * n
        secs["today's main (its dev-tuned defaults)"] = 0.0
    chosen: list[dict[str, Any]] = []
    for f in range(k):
        train = [x for x, g in zip(items, fold, strict=True) if g != f]
        test_idx = [i for i, g in enumerate(fold) if g == f]
        test = [items[i] for i in test_idx]
        t = time.perf_counter()
        model = fit_pair_model(train, without=without)
        opts = tune_options(train, model)
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        cl = StoryClusterer(opts, model)
        cl.add(fresh(test))
        s, e = cluster_labels(cl, test)
        secs[names[0]] += time.perf_counter() - t
        for i, a, b in zip(test_idx, s, e, strict=True):
            story[names[0]][i], event[names[0]][i] = f"{f}/{a}", f"{f}/{b}"
        info = {"fold": f, "train": len(train), "test": len(test), "fit_s": round(fit_s, 1),
                "story_threshold": opts.story_threshold, "attach_threshold": opts.attach_threshold,
                "story_split_q": opts.story_split_q, "split_days": opts.split_days, "min_dated": opts.min_dated,
                "weights": model.to_dict()}  # fmt: skip
        for name, (make, grid) in BASELINES.items():
            gs, ge = _pick(train, make, grid)
            t = time.perf_counter()
            cut = make(test)
            ls, le = cut(gs), cut(ge)
            secs[name] += time.perf_counter() - t
            for i, a, b in zip(test_idx, ls, le, strict=True):
                story[name][i], event[name][i] = f"{f}/{a}", f"{f}/{b}"
            info[name] = [gs, ge]
        if old is not None:
            t = time.perf_counter()
            ocl = old.StoryClusterer(old.ClusterOptions())
            ocl.add(fresh(test))
            got = ocl.assignments()
            secs["today's main (its dev-tuned defaults)"] += time.perf_counter() - t
            for i, x in zip(test_idx, test, strict=True):
                story["today's main (its dev-tuned defaults)"][i] = f"{f}/{got[x.item.id][1]}"
                event["today's main (its dev-tuned defaults)"][i] = f"{f}/{got[x.item.id][0]}"
        log(f"fold {f}: {len(train)} train / {len(test)} test, fit {fit_s:.0f}s, story {opts.story_threshold:g} "
            f"attach {opts.attach_threshold:g} story split q {opts.story_split_q:g} split {opts.split_days:g}d "
            f"min_dated {opts.min_dated}")
        chosen.append(info)
    results = [Result(m, score_all(items, story[m], event[m]), secs[m]) for m in story]
    return results, chosen


def in_sample(items: list[Labelled]) -> tuple[Result, bool]:
    """The shipped model and defaults on every dev item (what they were fitted on: not a result), and whether seven
    shuffled batches with state round trips give the same stories and events."""
    t = time.perf_counter()
    cl = StoryClusterer(ClusterOptions())
    cl.add(fresh(items))
    s, e = cluster_labels(cl, items)
    secs = time.perf_counter() - t
    xs = fresh(items)
    order = [xs[i] for i in np.random.default_rng(7).permutation(len(xs))]
    cl2 = StoryClusterer(ClusterOptions())
    for k in range(7):
        cl2.add(order[k * len(order) // 7 : (k + 1) * len(order) // 7])
        cl2 = StoryClusterer.from_state(cl2.state())
    same = cluster_labels(cl2, items) == (s, e)
    return Result("shipped model, in-sample (fitted here)", score_all(items, s, e), secs, "not held out"), same


def print_table(rows: list[Result]) -> None:
    head = (f"{'system':40} {'RPM2 story P':>12} {'R':>5} {'F1':>5} {'event F1':>8}   {'ECB+ P':>6} {'R':>5} "
            f"{'F1':>5}   {'crisis same':>11} {'cross':>5} {'ratio':>5} {'purity':>6}   {'pages':>5} {'secs':>6}")
    print(head)
    print("-" * len(head))
    for r in rows:
        s = r.scores
        print(f"{r.name:40} {s.rpm2_story[0]:12.3f} {s.rpm2_story[1]:5.3f} {s.rpm2_story[2]:5.3f} "
              f"{s.rpm2_event[2]:8.3f}   {s.ecb_story[0]:6.3f} {s.ecb_story[1]:5.3f} {s.ecb_story[2]:5.3f}   "
              f"{s.crisis.same:11.3f} {s.crisis.cross:5.3f} {s.crisis.ratio:5.3f} {s.crisis.purity:6.3f}   "
              f"{s.pages_alone:5.3f} {r.seconds:6.1f}" + (f"  {r.note}" if r.note else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default ../shared/data)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures and per-fold choices here")
    ap.add_argument("--old", type=Path, help="a src/ folder whose clusterer runs beside ours (e.g. ../main/src)")
    ap.add_argument("--without", default="", help="pair features held at 0 in every fold's model (comma list): "
                    "an ablation")
    ap.add_argument("--check", action="store_true", help="exit 1 when a held-out figure is below eval/floors.json "
                    "or shuffled batches differ")
    args = ap.parse_args(argv)
    needed = ("rpm2-dev/documents", "ecbplus-dev/ecbplus-dev.jsonl", "crisis-dev/crisis-dev.jsonl", "html-fr/pages")
    missing = [m for m in needed if not (args.data / m).exists()]
    if missing:
        print(f"error: {args.data} lacks {', '.join(missing)}; run beside ../shared or pass --data", file=sys.stderr)
        return 2
    if args.folds < 2:
        print(f"error: --folds must be >= 2, got {args.folds}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    items = load_all(args.data)
    attach_vectors(items)
    from collections import Counter

    print(f"{len(items)} articles ({dict(Counter(x.corpus for x in items))}), loaded in "
          f"{time.perf_counter() - t:.0f}s")  # fmt: skip
    old = _load_old(args.old) if args.old else None
    without = tuple(f for f in args.without.split(",") if f)
    rows, chosen = cross_validate(items, args.folds, old, without=without)
    ins, same = in_sample(items)
    rows.append(replace(ins, note=ins.note + ("; 7 shuffled batches identical" if same else "; batches DIFFER")))
    print()
    print(f"held out: {args.folds} folds by topic / crisis week / page; every choice fitted on the other folds")
    print_table(rows)
    gold, alone = crisis_ceilings(items)
    print(f"crisis purity the labels allow: {gold:.3f} for the gold crisis-week stories with identical texts together, "
          f"{alone:.3f} for singletons")
    print("shipped pair model:", json.dumps(PairModel.default().to_dict()))
    below = check_floors(rows[0].scores)
    for msg in below:
        print(f"BELOW FLOOR: {msg}", file=sys.stderr)
    if args.json:
        out = {"rows": [{"name": r.name, "seconds": r.seconds, "note": r.note, **asdict(r.scores),
                         "crisis_ratio": r.scores.crisis.ratio} for r in rows], "folds": chosen}  # fmt: skip
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 1 if args.check and (below or not same) else 0


FLOORS = Path(__file__).resolve().parent / "floors.json"


def check_floors(s: Scores) -> list[str]:
    """Held-out figures below their pinned floor (eval/floors.json ``stories_heldout_*``)."""
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    got = {"stories_heldout_rpm2_story_f1": s.rpm2_story[2], "stories_heldout_rpm2_event_f1": s.rpm2_event[2],
           "stories_heldout_ecb_story_f1": s.ecb_story[2], "stories_heldout_crisis_ratio": s.crisis.ratio,
           "stories_heldout_crisis_purity": s.crisis.purity}  # fmt: skip
    return [f"{k} {v:.3f} < {floors[k]}" for k, v in got.items() if k in floors and v < floors[k]]


if __name__ == "__main__":
    sys.exit(main())
