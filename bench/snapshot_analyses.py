"""The understand stage's full stored records (``records.encode`` of every analysis) of the RPM2 dev documents, as
JSON lines: written before and after a speed change and compared byte for byte, so a faster stage is known to give
the same analyses. Each document is analysed twice, without a publication date and with one (relative dates,
weekdays and year-less days take the paths that need it), from one parse.

Usage: python bench/snapshot_analyses.py OUT.jsonl [--limit 120] [--parse cues+1] [--processes 1]
Then: cmp before.jsonl after.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_understand import DOCS, load

PUBLISHED = "2010-03-17T10:00:00+01:00"  # a Wednesday: weekdays land on both sides of it


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=120)
    ap.add_argument("--parse", default="cues+1")
    ap.add_argument("--processes", type=int, default=1)
    args = ap.parse_args(argv)
    if not DOCS.is_dir():
        print(f"snapshot_analyses: RPM2 documents not found at {DOCS}", file=sys.stderr)
        return 2
    from vigie.records import encode
    from vigie.understand import ParseOptions, analyze_articles

    articles = load(args.limit)
    dated = [dataclasses.replace(a, published=PUBLISHED) for a in articles]
    parse = ParseOptions.from_label(args.parse)
    with open(args.out, "w", encoding="utf-8") as f:
        for batch in (articles, dated):
            for an in analyze_articles(batch, n_process=args.processes, parse=parse):
                f.write(json.dumps(encode(an), ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
