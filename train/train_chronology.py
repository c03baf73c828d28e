"""Fit the shipped chronology options (``src/vigie/data/chronology_options.json``) on every crisis-dev corpus.

The day weights (citations, relative citations, publications, later citations, relevance cut, window) are chosen for
mean Date-F1 at T/2, T and 2T of the day ranking, then the sentence choice for date-aligned ROUGE-1, over the six
corpora (Egypt and Yemen in French, Spanish and Italian) — the same search each fold of eval/eval_chronology.py runs on
one crisis. The held-out figures are that script's (tuned on one crisis, scored on the other), not this one's.

Usage: python train/train_chronology.py [--data ../shared/data/crisis-dev] [--out src/vigie/data/chronology_options.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT / "src"))

from eval_chronology import DEFAULT_DATA, GRID, SUMMARY_GRID, load, tune  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "vigie" / "data" / "chronology_options.json")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/chrono"), help="where dated sentences are cached")
    args = ap.parse_args(argv)
    if not (args.data / "crisis-dev.jsonl").exists():
        print(f"error: {args.data} has no crisis-dev.jsonl; run beside ../shared or pass --data", file=sys.stderr)
        return 2
    corpora = [c for c in load(args.data, args.cache) if c.gold and c.sentences]
    opts = tune(corpora)
    chosen = {k: getattr(opts, k) for k in (*GRID, *SUMMARY_GRID)}
    print("chosen options:", chosen)
    out = {"options": chosen, "trained_on": "crisis-dev: " + ", ".join(c.key for c in corpora),
           "objective": "mean Date-F1 at T/2, T, 2T of the day ranking; then date-aligned ROUGE-1 F1"}
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
