"""Fit the shipped speaker ranker (``src/vigie/data/speaker_model.json``) on the quote gold, per language.

Items: every quote of eval/quotes/gold_{fr,en}.jsonl the cue rules leave unresolved or resolve by a weak cue, with
its candidate speakers (vigie.understand.speakers); a conditional logit ranks them, and its thresholds are chosen
on the same items (eval/eval_quotes.py:fit_speaker_model). First the held-out check: eval/eval_quotes.py refits the
ranker per GroupKFold fold of groups and scores each fold left out, beside the rules alone and the nearest-person
baseline; a language ships a model only when the ranker raises its held-out recall without lowering precision.

Usage: python train/train_speakers.py [--data ../shared/data] [--out src/vigie/data/speaker_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT / "src"))

import eval_quotes as eq  # noqa: E402


def held_out(data: Path, lang: str, mode: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "q.json"
        eq.main(["--lang", lang, "--data", str(data), "--speakers", mode, "--json", str(out)])
        got = json.loads(out.read_text(encoding="utf-8"))
    return {"precision": got[f"{lang}_ours"]["precision"], "recall": got[f"{lang}_ours"]["recall"],
            "baseline_precision": got[f"{lang}_baseline"]["precision"], "baseline_recall": got[f"{lang}_baseline"]["recall"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=eq.DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "vigie" / "data" / "speaker_model.json")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: {args.data} absent; run beside ../shared or pass --data", file=sys.stderr)
        return 2
    out: dict[str, object] = {"_trained_on": "eval/quotes/gold_fr.jsonl, gold_en.jsonl (all groups)", "_held_out": {}}
    for lang in ("fr", "en"):
        rules, cv = held_out(args.data, lang, "rules"), held_out(args.data, lang, "cv-all")
        print(f"{lang} held out: rules P {rules['precision']} R {rules['recall']} | ranker (GroupKFold) P {cv['precision']} "
              f"R {cv['recall']} | nearest PER P {cv['baseline_precision']} R {cv['baseline_recall']}")
        out["_held_out"][lang] = {"rules": rules, "ranker_cv": cv}  # type: ignore[index]
        if cv["recall"] <= rules["recall"] or cv["precision"] < rules["precision"]:
            print(f"{lang}: the ranker does not help held out; no model shipped")
            continue
        docs = eq.load_gold(eq.DEFAULT_GOLD, args.data, [lang])
        items = eq.speaker_items(docs, eq._cached_docs(docs, lang))
        model = eq.fit_speaker_model(items)
        out[lang] = model.to_dict()
        print(f"{lang}: {len(items)} quotes, threshold {model.threshold}, weak threshold {model.weak_threshold}")
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
