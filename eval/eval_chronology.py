"""Evaluate chronologies on crisis-dev (dated fr/es/it articles on Egypt and Yemen, human chronologies per language).

Scored as in the timeline-summarisation literature (Martschat & Markert 2017, 2018; La Quatra et al. 2021): Date-F1
(the set of days against the human chronology's days), ROUGE-1 and ROUGE-2 F1 of all entries concatenated, and
date-aligned ("agreement") ROUGE F1, where n-grams only match inside the same day. As in that literature the system
is told T, the number of days of the human chronology, and the average number of sentences per day. Tokens are
lower-cased ``\\w+`` matches, accents kept.

Held out by crisis: the options are tuned on one crisis (all languages) and reported on the other, both ways; the
volume baseline (the T busiest publication days with their lead sentences) runs in the same process on the same
articles. Figures on the tuning crisis are printed apart and are not results.

Usage: python eval/eval_chronology.py [--data ../shared/data/crisis-dev] [--json]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.models import Article  # noqa: E402
from vigie.understand.chronology import (  # noqa: E402
    Chronology,
    ChronologyOptions,
    DatedSentence,
    chronology_from_sentences,
    dated_sentences,
    echoes,
    rank_days,
    relevance,
    volume_baseline,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "crisis-dev"
LANGS = ("fr", "es", "it")
CRISES = ("egypt", "yemen")
_TOKEN = re.compile(r"\w+")


@dataclass(slots=True)
class Corpus:
    """One language and crisis: its dated sentences and the human chronology (day -> sentences)."""

    key: str
    sentences: list[DatedSentence]
    gold: dict[str, list[str]]
    rel: list[float] = field(default_factory=list)
    echo: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rel = relevance(self.sentences)
        self.echo = echoes(self.sentences)

    @property
    def t(self) -> int:
        return len(self.gold)

    @property
    def per_date(self) -> int:
        return max(1, round(sum(len(v) for v in self.gold.values()) / max(1, len(self.gold))))


def load(data: Path, cache: Path | None = None) -> list[Corpus]:
    """The six corpora; dated sentences are cached under ``cache`` keyed on the data and the chronology code."""
    if cache is not None:
        import hashlib
        import pickle

        import vigie.understand.chronology as mod

        h = hashlib.sha1(Path(mod.__file__).read_bytes())
        for name in ("crisis-dev.jsonl", "crisis-dev-timelines.json"):
            h.update(str((data / name).stat().st_mtime_ns).encode())
        path = cache / f"crisis-{h.hexdigest()[:12]}.pkl"
        if path.exists():
            # Plain records only (a Corpus pickled from __main__ would not load from an import).
            return [Corpus(k, s, g) for k, s, g in pickle.loads(path.read_bytes())]
        corpora = load(data)
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps([(c.key, c.sentences, c.gold) for c in corpora]))
        return corpora
    timelines = json.loads((data / "crisis-dev-timelines.json").read_text(encoding="utf-8"))
    articles: dict[str, list[Article]] = defaultdict(list)
    with (data / "crisis-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            key = f"{r['language']}/{r['topic']}"
            articles[key].append(Article(r["id"], r["id"], published=r["date_publish"], language=r["language"],
                                         body=r["maintext"]))
    out = []
    for lang, crisis in itertools.product(LANGS, CRISES):
        key = f"{lang}/{crisis}"
        gold: dict[str, list[str]] = defaultdict(list)
        for e in timelines.get(key, []):
            gold[e["date"]].extend(e["sentences"])
        sentences = [s for a in articles.get(key, []) for s in dated_sentences(a)]
        out.append(Corpus(key, sentences, dict(gold)))
    return out


# --------------------------------------------------------------------------------------------------------------------
# Scores


def _grams(text: str, n: int) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text.lower())
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlap(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> int:
    return sum(min(c, b[g]) for g, c in a.items())


def date_f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    p, g = set(pred), set(gold)
    hit = len(p & g)
    return _f1(hit / len(p) if p else 0.0, hit / len(g) if g else 0.0)


def rouge_concat(pred: Chronology, gold: dict[str, list[str]], n: int) -> float:
    sys_g = _grams(" ".join(e.summary for e in pred.entries), n)
    ref_g = _grams(" ".join(" ".join(v) for v in gold.values()), n)
    hit = _overlap(sys_g, ref_g)
    return _f1(hit / max(1, sum(sys_g.values())), hit / max(1, sum(ref_g.values())))


def rouge_agreement(pred: Chronology, gold: dict[str, list[str]], n: int) -> float:
    """Date-aligned ROUGE F1: n-grams count only against the human entry of the same day."""
    hit = sys_total = ref_total = 0
    for e in pred.entries:
        sys_g = _grams(e.summary, n)
        sys_total += sum(sys_g.values())
        if e.date in gold:
            hit += _overlap(sys_g, _grams(" ".join(gold[e.date]), n))
    for v in gold.values():
        ref_total += sum(_grams(" ".join(v), n).values())
    return _f1(hit / max(1, sys_total), hit / max(1, ref_total))


def score(pred: Chronology, gold: dict[str, list[str]]) -> dict[str, float]:
    return {
        "date_f1": date_f1([e.date for e in pred.entries], list(gold)),
        "r1": rouge_concat(pred, gold, 1),
        "r2": rouge_concat(pred, gold, 2),
        "ar1": rouge_agreement(pred, gold, 1),
        "ar2": rouge_agreement(pred, gold, 2),
    }


def run(corpus: Corpus, options: ChronologyOptions) -> Chronology:
    return chronology_from_sentences(corpus.sentences,
                                     replace(options, max_dates=corpus.t, sentences_per_date=corpus.per_date))


# --------------------------------------------------------------------------------------------------------------------
# Tuning (on one crisis) and held-out report (on the other)

GRID: dict[str, list[float | int]] = {
    "cite_weight": [1.0],
    "relative_weight": [0.0, 0.25, 0.5],
    "published_weight": [0.5, 1.0, 2.0],
    "next_day_weight": [0.5, 1.0],
    "later_weight": [0.0, 0.5, 1.0],
    "article_cap": [1, 3],
    "before_days": [0, 30],
    "min_relevance": [0.0, 0.3],
}
SUMMARY_GRID: dict[str, list[float | int]] = {
    "lead_sentences": [1, 3], "redundancy": [0.3, 0.5], "max_words": [40, 60], "topic_weight": [0.0, 1.0, 2.0],
}


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def ranking_f1(ranked: Sequence[str], gold: Sequence[str], t: int) -> float:
    """Mean Date-F1 of the first T/2, T and 2T days of a ranking: steadier to tune on than the one cut at T, where a
    day more or less flips the choice on corpora of a few dozen days."""
    return _mean([date_f1(ranked[:k], gold) for k in (max(1, t // 2), t, 2 * t)])


def tune(corpora: Sequence[Corpus]) -> ChronologyOptions:
    """Best day scoring for mean :func:`ranking_f1`, then best sentence choice for mean date-aligned ROUGE-1, on
    ``corpora``."""
    base = ChronologyOptions()
    best, best_f = base, -1.0
    for values in itertools.product(*GRID.values()):
        opts = replace(base, **dict(zip(GRID, values, strict=True)))  # type: ignore[arg-type]
        f = _mean([ranking_f1([d.isoformat() for d, _ in rank_days(c.sentences, opts, c.rel, c.echo)], list(c.gold), c.t)
                   for c in corpora])
        if f > best_f + 1e-9:
            best, best_f = opts, f
    top, top_r = best, -1.0
    for values in itertools.product(*SUMMARY_GRID.values()):
        opts = replace(best, **dict(zip(SUMMARY_GRID, values, strict=True)))  # type: ignore[arg-type]
        r = _mean([score(run(c, opts), c.gold)["ar1"] for c in corpora])
        if r > top_r + 1e-9:
            top, top_r = opts, r
    return top


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", action="store_true", help="print the held-out figures as JSON")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/chrono"), help="where dated sentences are cached")
    args = ap.parse_args(argv)
    if not (args.data / "crisis-dev.jsonl").exists():
        print(f"crisis-dev not found at {args.data}: skipping", file=sys.stderr)
        return 2
    corpora = [c for c in load(args.data, args.cache) if c.gold and c.sentences]
    results: dict[str, dict[str, dict[str, float]]] = {}
    tuned: dict[str, dict[str, float | int]] = {}
    for held in CRISES:
        tune_on = [c for c in corpora if not c.key.endswith("/" + held)]
        opts = tune(tune_on)
        tuned[held] = {k: getattr(opts, k) for k in (*GRID, *SUMMARY_GRID)}
        for c in corpora:
            if c.key.endswith("/" + held):
                results[c.key] = {"ours": score(run(c, opts), c.gold),
                                  "volume": score(volume_baseline(c.sentences, c.t, c.per_date), c.gold)}
    summary: dict[str, dict[str, float]] = {}
    for lang in LANGS:
        keys = [k for k in results if k.startswith(lang + "/")]
        for system in ("ours", "volume"):
            summary[f"{lang}/{system}"] = {m: _mean([results[k][system][m] for k in keys])
                                           for m in ("date_f1", "r1", "r2", "ar1", "ar2")}
    if args.json:
        print(json.dumps({"held_out": results, "mean": summary, "tuned": tuned}, indent=2))
        return 0
    print("Chronologies on crisis-dev, held out by crisis (options tuned on the other crisis, all languages)")
    for held, t in tuned.items():
        print(f"  report on {held}, tuned on the other: {t}")
    head = f"{'corpus':<11} {'system':<8} {'T':>4} {'Date-F1':>8} {'R1 F1':>7} {'R2 F1':>7} {'aR1 F1':>7} {'aR2 F1':>7}"
    print(head)
    by_key = {c.key: c for c in corpora}
    for key, systems in results.items():
        for system, s in systems.items():
            print(f"{key:<11} {system:<8} {by_key[key].t:>4} {s['date_f1']:>8.3f} {s['r1']:>7.3f} {s['r2']:>7.3f} "
                  f"{s['ar1']:>7.3f} {s['ar2']:>7.3f}")
    print("mean per language over both held-out crises:")
    for key, s in summary.items():
        print(f"{key:<20} Date-F1 {s['date_f1']:.3f}  R1 {s['r1']:.3f}  R2 {s['r2']:.3f}  aR1 {s['ar1']:.3f}  "
              f"aR2 {s['ar2']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
