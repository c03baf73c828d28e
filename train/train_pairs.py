"""Fit the shipped pair model (``src/vigie/data/pair_model.json``) on every dev corpus, and pick the thresholds.

Pairs: every pair the clusterer's edge search scores among RPM2 dev, ECB+ (train + dev topics), crisis-dev, the
html-fr and html-eval pages and the seeds (eval/story_data.py), labelled same gold story or not; each corpus weighs
the same (eval/story_cv.py:pair_data). A logistic regression on :data:`vigie.stories.cluster.PAIR_FEATURES` gives
P(same story); the story, attach and event-split thresholds are then chosen on the same items, as each fold of
eval/eval_stories.py does on its training folds (the held-out figures are that script's, not this one's).

Usage: python train/train_pairs.py [--data ../shared/data] [--out src/vigie/data/pair_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT / "src"))

from story_cv import fit_pair_model, tune_options  # noqa: E402
from story_data import DEFAULT_DATA, attach_vectors, load_items  # noqa: E402

from vigie.stories.cluster import ClusterOptions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "vigie" / "data" / "pair_model.json")
    args = ap.parse_args(argv)
    if not (args.data / "rpm2-dev" / "documents").is_dir():
        print(f"error: {args.data} has no rpm2-dev/documents; run beside ../shared or pass --data", file=sys.stderr)
        return 2
    items = load_items(args.data)
    attach_vectors(items)
    model = fit_pair_model(items)
    print("weights:", json.dumps(model.to_dict()))
    opts = tune_options(items, model, ClusterOptions(), log=print)
    chosen = {k: getattr(opts, k) for k in ("story_threshold", "attach_threshold", "story_split_q", "split_days",
                                              "min_dated")}
    print("chosen options (set them as ClusterOptions defaults):", chosen)
    out = {**model.to_dict(), "options": chosen,
           "trained_on": "rpm2-dev, ecbplus-dev (train+dev topics), crisis-dev, html-fr, html-eval, seeds"}
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
