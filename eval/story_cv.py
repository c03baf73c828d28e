"""Held-out machinery shared by eval/eval_stories.py and train/train_pairs.py: pair labels, the pair-model fit, the
threshold choice, per-corpus scores, and leave-groups-out folds (every choice fitted on the training folds only).
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from story_data import Labelled

from vigie.stories.cluster import ClusterItem, ClusterOptions, PairModel, StoryClusterer

# Threshold grids the training folds choose from (pair probabilities).
STORY_GRID = (0.1, 0.2, 0.3, 0.4, 0.5)
ATTACH_GRID = (0.3, 0.5)
SPLIT_GRID = (7.0, 14.0, 21.0)
DATED_GRID = (2, 3, 4)
SPLIT_Q_GRID = (0.0, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08)  # story_split_q; 0: no story split


def fresh(items: Sequence[Labelled]) -> list[ClusterItem]:
    """Copies of the items without features (a clusterer attaches them), keeping the cached vectors."""
    return [replace(x.item, features=None) for x in items]


# --- scores -------------------------------------------------------------------------------------------------------


def bcubed(pred: Sequence[str], gold: Sequence[str], mask: Sequence[bool] | None = None) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over the items in ``mask`` (default all); a predicted cluster counts all its
    members, so an item merged with one of another corpus loses precision."""
    n = len(gold)
    keep = [True] * n if mask is None else list(mask)
    pc = Counter(pred)
    gc = Counter(g for g, k in zip(gold, keep, strict=True) if k)
    both = Counter((p, g) for p, g in zip(pred, gold, strict=True))
    idx = [i for i in range(n) if keep[i]]
    if not idx:
        return 0.0, 0.0, 0.0
    p = sum(both[(pred[i], gold[i])] / pc[pred[i]] for i in idx) / len(idx)
    # Recall: how much of its own gold class (restricted to masked items) shares the item's cluster.
    both_m = Counter((pred[i], gold[i]) for i in idx)
    r = sum(both_m[(pred[i], gold[i])] / gc[gold[i]] for i in idx) / len(idx)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(slots=True)
class CrisisScore:
    same: float  # same crisis, same ISO week, same language: share grouped together
    cross: float  # ... across languages
    purity: float  # B-cubed precision of the crisis label (members of other corpora count as wrong)

    @property
    def ratio(self) -> float:
        return self.cross / self.same if self.same else 0.0

    @property
    def f(self) -> float:
        g = (self.same + self.cross) / 2
        return 2 * g * self.purity / (g + self.purity) if g + self.purity else 0.0


def crisis_score(items: Sequence[Labelled], pred: Sequence[str]) -> CrisisScore:
    idx = [i for i, x in enumerate(items) if x.corpus == "crisis"]
    same = [0, 0]
    cross = [0, 0]
    by_story: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        by_story[items[i].story].append(i)
    for members in by_story.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                i, j = members[a], members[b]
                tally = same if items[i].item.language == items[j].item.language else cross
                tally[1] += 1
                tally[0] += pred[i] == pred[j]
    topic = [x.story.split(":")[0] if x.corpus == "crisis" else f"~{x.corpus}" for x in items]
    purity = bcubed(pred, topic, [x.corpus == "crisis" for x in items])[0]
    return CrisisScore(same[0] / same[1] if same[1] else 0.0, cross[0] / cross[1] if cross[1] else 0.0, purity)


def crisis_ceilings(items: Sequence[Labelled]) -> tuple[float, float]:
    """What the crisis-dev labels allow: the purity of the gold stories (crisis x ISO week) with each text filed
    under both crises in one story (no clusterer can part identical texts; recall 1), and of singletons but for
    those texts (recall 0)."""
    crisis = [x for x in items if x.corpus == "crisis"]
    crises: dict[str, set[str]] = defaultdict(set)
    for x in crisis:
        crises[x.item.title + "\n" + x.item.body].add(x.story.split(":")[0])
    parent: dict[str, str] = {x.story: x.story for x in crisis}

    def root(a: str) -> str:
        while parent[a] != a:
            a = parent[a]
        return a

    for text, found in crises.items():
        if len(found) > 1:
            stories = sorted({x.story for x in crisis if x.item.title + "\n" + x.item.body == text})
            for st in stories[1:]:
                parent[root(st)] = root(stories[0])
    gold = crisis_score(crisis, [root(x.story) for x in crisis]).purity
    alone = crisis_score(crisis, [x.item.title + "\n" + x.item.body for x in crisis]).purity
    return gold, alone


@dataclass(slots=True)
class Scores:
    rpm2_story: tuple[float, float, float]
    rpm2_event: tuple[float, float, float]
    ecb_story: tuple[float, float, float]
    crisis: CrisisScore
    pages_alone: float  # share of distractor pages (html-fr, html-eval) left in a story of their own corpus-mates

    def objective(self, corpora: set[str]) -> float:
        """What thresholds are chosen on: the mean of the story-level figures of the corpora present."""
        parts = []
        if "rpm2" in corpora:
            parts.append(self.rpm2_story[2])
        if "ecb" in corpora:
            parts.append(self.ecb_story[2])
        if "crisis" in corpora:
            parts.append(self.crisis.f)
        return float(np.mean(parts)) if parts else 0.0


def score_all(items: Sequence[Labelled], story: Sequence[str], event: Sequence[str]) -> Scores:
    gold_s = [x.story for x in items]
    gold_e = [x.event for x in items]
    is_ = [[x.corpus == c for x in items] for c in ("rpm2", "ecb")]
    size = Counter(story)
    pages = [i for i, x in enumerate(items) if x.corpus == "page"]
    alone = sum(1 for i in pages if size[story[i]] == 1) / len(pages) if pages else 1.0
    return Scores(bcubed(story, gold_s, is_[0]), bcubed(event, gold_e, is_[0]), bcubed(story, gold_s, is_[1]),
                  crisis_score(items, story), alone)  # fmt: skip


# --- pair model ---------------------------------------------------------------------------------------------------


def pair_data(items: Sequence[Labelled], options: ClusterOptions | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Features, labels (same gold story) and weights of every candidate pair among ``items``.

    Crisis pairs more than 6 days apart are left out: one crisis runs several stories, so only pairs within a week
    have a label, and the negatives must span the same gaps or the date distance would learn the labelling. Weights
    give each
    corpus (and the cross-corpus pairs) the same total, so no corpus sets the calibration alone.
    """
    by_id = {x.item.id: x for x in items}
    cl = StoryClusterer(options or ClusterOptions(), PairModel.default())
    pairs, x = cl.candidate_pairs(fresh(items))
    keep, y, kind = [], [], []
    for k, (a, b) in enumerate(pairs):
        la, lb = by_id[a], by_id[b]
        crisis = la.corpus == lb.corpus == "crisis"
        if crisis and not _within_week(la, lb):
            continue
        keep.append(k)
        # Crisis: one story = one crisis within a week (a 7-day window, not the calendar week the metric uses, or
        # Sunday and Monday would teach the date distance a boundary that is not there).
        y.append(la.story.split(":")[0] == lb.story.split(":")[0] if crisis else la.story == lb.story)
        kind.append(la.corpus if la.corpus == lb.corpus else "mixed")
    counts = Counter(kind)
    w = np.array([1.0 / counts[c] for c in kind]) * len(kind) / len(counts)
    return x[keep], np.asarray(y, dtype=int), w


def _within_week(a: Labelled, b: Labelled) -> bool:
    from datetime import date

    da, db = (date.fromisoformat(str(x.item.published)[:10]) for x in (a, b))
    return abs((da - db).days) <= 6


def fit_pair_model(items: Sequence[Labelled], c: float = 1.0, without: Sequence[str] = ()) -> PairModel:
    """The logistic pair model on ``items``' candidate pairs; features in ``without`` are held at 0 (weight 0), for an
    ablation beside the full model."""
    from sklearn.linear_model import LogisticRegression

    from vigie.stories.cluster import PAIR_FEATURES

    unknown = set(without) - set(PAIR_FEATURES)
    if unknown:
        raise ValueError(f"unknown pair features {sorted(unknown)}; known: {list(PAIR_FEATURES)}")
    x, y, w = pair_data(items)
    x[:, [PAIR_FEATURES.index(f) for f in without]] = 0.0
    lr = LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=w)
    return PairModel(tuple(float(v) for v in lr.coef_[0]), float(lr.intercept_[0]))


def cluster_labels(cl: StoryClusterer, items: Sequence[Labelled]) -> tuple[list[str], list[str]]:
    got = cl.assignments()
    return [got[x.item.id][1] for x in items], [got[x.item.id][0] for x in items]


def tune_options(items: Sequence[Labelled], model: PairModel, base: ClusterOptions | None = None,
                 log: Callable[[str], None] | None = None) -> ClusterOptions:  # fmt: skip
    """Story thresholds on the objective, then the story split's modularity on it, then the event split on RPM2
    event F1, all on ``items`` only."""
    base = base or ClusterOptions()
    corpora = {x.corpus for x in items}
    lo = min(*STORY_GRID, *ATTACH_GRID)
    cl = StoryClusterer(replace(base, story_threshold=lo, attach_threshold=lo, max_event_story=1), model)
    cl.add(fresh(items))
    best: tuple[float, float, float] | None = None
    for st in STORY_GRID:
        for at in ATTACH_GRID:
            cl.recluster(replace(cl.options, story_threshold=st, attach_threshold=at))
            s, e = cluster_labels(cl, items)
            obj = score_all(items, s, e).objective(corpora)
            if log:
                log(f"  story {st:g} attach {at:g}: {obj:.4f}")
            if best is None or obj > best[0] + 1e-9:
                best = (obj, st, at)
    assert best is not None
    opts = replace(base, story_threshold=best[1], attach_threshold=best[2])
    q_best: tuple[float, float] | None = None
    for q in SPLIT_Q_GRID:
        cl.recluster(replace(cl.options, story_threshold=best[1], attach_threshold=best[2], story_split_q=q))
        s, e = cluster_labels(cl, items)
        obj = score_all(items, s, e).objective(corpora)
        if log:
            log(f"  story split q {q:g}: {obj:.4f}")
        if q_best is None or obj > q_best[0] + 1e-9:
            q_best = (obj, q)
    assert q_best is not None
    opts = replace(opts, story_split_q=q_best[1])
    if "rpm2" not in corpora:
        return opts
    cl.recluster(replace(opts, max_event_story=base.max_event_story))
    ev_best: tuple[float, float, int] | None = None
    for sd in SPLIT_GRID:
        for md in DATED_GRID:
            cl.recluster(replace(opts, split_days=sd, min_dated=md))
            s, e = cluster_labels(cl, items)
            f = score_all(items, s, e).rpm2_event[2]
            if log:
                log(f"  split_days {sd:g} min_dated {md}: event {f:.4f}")
            if ev_best is None or f > ev_best[0] + 1e-9:
                ev_best = (f, sd, md)
    assert ev_best is not None
    return replace(opts, split_days=ev_best[1], min_dated=ev_best[2])


# --- folds --------------------------------------------------------------------------------------------------------


def folds(items: Sequence[Labelled], k: int = 5) -> list[int]:
    """Fold of each item: whole groups (a topic, a crisis week, a page) go to one fold, balanced by size within each
    corpus (largest group first into that corpus's smallest fold, ties broken by a hash of the group name)."""
    size = Counter(x.group for x in items)
    corpus = {x.group: x.corpus for x in items}
    order = sorted(size, key=lambda g: (corpus[g], -size[g], hashlib.sha1(g.encode()).hexdigest()))
    load: dict[str, list[int]] = defaultdict(lambda: [0] * k)
    fold_of: dict[str, int] = {}
    for g in order:
        ld = load[corpus[g]]
        f = min(range(k), key=lambda i: (ld[i], i))
        fold_of[g] = f
        ld[f] += size[g]
    return [fold_of[x.group] for x in items]
