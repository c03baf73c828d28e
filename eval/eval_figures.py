"""Figure disagreements on dev stories against hand judgments (eval/annotations/figures_*_judged.json).

Stories: the French crisis-dev articles of one crisis and ISO week ("egypt:2013-W28", dated, several outlets), the
RPM2 dev clusters ("rpm2:T06_C1", ten outlets on one event, undated) and the five seeds ("seeds");
``vigie.understand.figures.figure_disagreements`` runs on each with the default options (or ``--relaxed``, which
surfaces candidates). Each raised disagreement is looked up among the judgments by story and its values' texts:
``disagreement`` (outlets at odds on one fact) counts right; ``false`` (two different quantities) and ``update``
(a later figure) count wrong; others are unjudged. Recall is over the true disagreements found by hand (``missed``
lists them by story, figure phrase and articles): one counts found when a raised disagreement of its story gives two
of its phrases as different values.

Halves: tuning = crisis yemen and egypt 2011-2012, RPM2 T01-T05 and the seeds; held out = crisis egypt 2013-2014
and RPM2 T06-T10 (the figure rules were only changed on what the tuning half shows). The RPM2 true disagreements
were found by reading, in every cluster, each group of figures of one counted noun with two values from two
articles (``missed`` / ``disagreement`` entries of figures_rpm2_judged.json); the crisis ones by reading every toll. The judgments keep ids and figure phrases, never the texts.

Usage: python eval/eval_figures.py [--data ../shared/data] [--relaxed] [--show]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.models import Article  # noqa: E402
from vigie.understand.figures import FigureOptions, figure_disagreements  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
JUDGED = [ROOT / "eval" / "annotations" / f"figures_{name}_judged.json" for name in ("crisis", "rpm2")]
TUNING_RPM2 = {f"T{i:02d}" for i in range(1, 6)}
RELAXED = FigureOptions(context_similarity=0.1, min_shared=2)


def half(story: str) -> str:
    if story.startswith("rpm2:"):
        return "tuning" if story[5:8] in TUNING_RPM2 else "heldout"
    return "heldout" if story.startswith("egypt:") and story.split(":")[1][:4] in ("2013", "2014") else "tuning"


def load_stories(data: Path) -> dict[str, list[Article]]:
    """French crisis-dev articles grouped by crisis and ISO week; stories of one article are left out."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for line in (data / "crisis-dev" / "crisis-dev.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d["language"] != "fr":
            continue
        title, _, body = d["maintext"].strip().partition("\n")
        y, w, _ = date.fromisoformat(d["date_publish"][:10]).isocalendar()
        groups[f"{d['topic']}:{y}-W{w:02d}"].append(Article(id=d["id"], source=d["id"], title=title.strip(),
                                                           body=body.strip()[:100_000], published=d["date_publish"][:10],
                                                           language="fr"))  # fmt: skip
    for path in sorted((data / "rpm2-dev" / "documents").glob("T*_C*_*.txt")):
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        title, _, body = text.partition("\n")
        groups[f"rpm2:{path.stem.rsplit('_', 1)[0]}"].append(Article(id=path.stem, source=path.stem, title=title.strip(),
                                                                      body=body.strip(), language="fr"))
    import vigie

    for path in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
        groups["seeds"] += vigie.extract_file(str(path))
    return {k: v for k, v in groups.items() if len(v) > 1}


def _key(story: str, values: list[dict[str, Any]] | list[list[Any]]) -> tuple[str, tuple[str, ...]]:
    texts = [v["value"] if isinstance(v, dict) else v[0] for v in values]
    return story, tuple(sorted(texts))


def load_judged() -> dict[str, list[dict[str, Any]]]:
    """The judgments of every figures_*_judged.json file, ``raised`` and ``missed`` lists merged."""
    judged: dict[str, list[dict[str, Any]]] = {"raised": [], "missed": []}
    for path in JUDGED:
        for k, v in json.loads(path.read_text(encoding="utf-8")).items():
            if k in judged:
                judged[k] += v
    return judged


def score(stories: dict[str, list[Article]], judged: dict[str, list[dict[str, Any]]],
          options: FigureOptions | None = None, show: bool = False) -> dict[str, dict[str, Any]]:
    """Per half: raised, right, wrong, unjudged, precision (of the judged), found / true and recall."""
    verdicts = {_key(j["story"], j["values"]): j for j in judged["raised"]}
    raised: dict[str, list[tuple[str, list[dict[str, Any]]]]] = defaultdict(list)
    for story, arts in sorted(stories.items()):
        for dis in figure_disagreements(arts, options):
            raised[half(story)].append((story, dis.values))
    out: dict[str, dict[str, Any]] = {}
    for h in ("tuning", "heldout"):
        right = wrong = unjudged = 0
        for story, values in raised[h]:
            j = verdicts.get(_key(story, values))
            if j is None:
                unjudged += 1
            elif j["verdict"] == "disagreement":
                right += 1
            else:
                wrong += 1
            if show:
                print(f"  {h} {story}: {[(v['value'], v['sources']) for v in values]} -> {j['verdict'] if j else 'UNJUDGED'}")
        true = [m for m in judged["missed"] if half(m["story"]) == h] + [
            j for j in judged["raised"] if half(j["story"]) == h and j["verdict"] == "disagreement"]
        found = 0
        for t in true:
            phrases = {v[0] for v in t["values"]}
            if any(story == t["story"] and len(phrases & {v["value"] for v in values}) >= 2 for story, values in raised[h]):
                found += 1
        n = right + wrong
        out[h] = {"raised": len(raised[h]), "right": right, "wrong": wrong, "unjudged": unjudged,
                  "precision": right / n if n else None, "found": found, "true": len(true),
                  "recall": found / len(true) if true else None}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--relaxed", action="store_true", help="context_similarity 0.1, min_shared 2: candidates")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "crisis-dev").is_dir():
        print(f"{args.data}: shared data absent", file=sys.stderr)
        return 2
    stories = load_stories(args.data)
    print(f"stories: {sum(half(s) == 'tuning' for s in stories)} tuning, {sum(half(s) == 'heldout' for s in stories)} "
          f"held out ({'relaxed' if args.relaxed else 'default'} options)")
    for h, r in score(stories, load_judged(), RELAXED if args.relaxed else None, args.show).items():
        p = f"{r['precision']:.3f}" if r["precision"] is not None else "n/a"
        rec = f"{r['recall']:.3f}" if r["recall"] is not None else "n/a"
        print(f"{h:8s} raised {r['raised']:3d}  judged {r['right'] + r['wrong']:3d} (right {r['right']}, wrong "
              f"{r['wrong']})  unjudged {r['unjudged']:3d}  precision {p}  recall {rec} ({r['found']}/{r['true']} "
              "known true disagreements)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
