"""Evaluate multi-document summaries on RPM2 (French news, 10 documents and 4 human summaries per cluster).

Systems, all in the same run: ours (``vigie.understand.summarize``), lead (first sentences of the first article), a TF-IDF
centroid summariser (sentences ranked by cosine to the cluster centroid, a redundancy threshold), LexRank and TextRank
from ``sumy`` fed our sentence splitter, and a human ceiling (each reference scored against the other three).
Scores: ROUGE-1 and ROUGE-2 recall at 100 words (summaries cut at 100 tokens; tokens are lower-cased ``\\w+``
matches, accents kept; clipped n-gram counts; recall against each reference, averaged over references, then over
clusters).

Usage: python eval/eval_summaries.py [--data ../shared/data/rpm2-dev] [--show N] [--systems ours,lead,...]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.text import split_sentences  # noqa: E402
from vigie.understand.summarize import SummaryOptions, summarize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "rpm2-dev"
LIMIT = 100
_TOKEN = re.compile(r"\w+")

Doc = tuple[str, str, str]  # (doc_id, title, body)
System = Callable[[Sequence[Doc]], str]


# --------------------------------------------------------------------------------------------------------------------
# Data and ROUGE


def load(data: Path) -> tuple[dict[str, list[Doc]], dict[str, list[str]]]:
    """Clusters (``TNN_Ck`` -> documents) and their reference summaries."""
    clusters: dict[str, list[Doc]] = {}
    for path in sorted((data / "documents").glob("T*_C*_*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
        lines = [ln for ln in lines if ln]
        key = path.stem.rsplit("_", 1)[0]
        clusters.setdefault(key, []).append((path.stem, lines[0] if lines else "", "\n".join(lines[1:])))
    refs: dict[str, list[str]] = {}
    for path in sorted((data / "references").glob("T*_C*_A*.txt")):
        refs.setdefault(path.stem.rsplit("_", 1)[0], []).append(path.read_text(encoding="utf-8-sig").strip())
    return {k: v for k, v in clusters.items() if k in refs}, refs


def tokens(text: str, limit: int | None = LIMIT) -> list[str]:
    toks = _TOKEN.findall(text.lower())
    return toks if limit is None else toks[:limit]


def ngrams(toks: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def recall(system: str, references: Sequence[str], n: int) -> float:
    """ROUGE-n recall of ``system`` (cut at 100 tokens), averaged over references (clipped counts)."""
    sys_grams = ngrams(tokens(system), n)
    scores = []
    for ref in references:
        ref_grams = ngrams(tokens(ref), n)
        total = sum(ref_grams.values())
        hit = sum(min(c, sys_grams[g]) for g, c in ref_grams.items())
        scores.append(hit / total if total else 0.0)
    return float(np.mean(scores)) if scores else 0.0


# --------------------------------------------------------------------------------------------------------------------
# Baselines


def _fill(sentences: Sequence[str]) -> str:
    """Sentences in the given order until 100 tokens are reached (the scorer cuts the rest)."""
    out, n = [], 0
    for s in sentences:
        out.append(s)
        n += len(tokens(s, None))
        if n >= LIMIT:
            break
    return " ".join(out)


def lead(docs: Sequence[Doc]) -> str:
    return _fill(split_sentences(docs[0][2]))


def centroid(docs: Sequence[Doc], redundancy: float = 0.5) -> str:
    """Sentences by cosine to the cluster's TF-IDF centroid, skipping repeats of chosen ones.

    The strongest of the quick variants we tried: French stop words removed, idf over the cluster's documents.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sumy.utils import get_stop_words

    sents = [s for _, _, body in docs for s in split_sentences(body) if len(tokens(s, None)) >= 5]
    vec = TfidfVectorizer(
        token_pattern=r"(?u)\b\w+\b", lowercase=True, sublinear_tf=True, stop_words=sorted(get_stop_words("french"))
    )
    vec.fit([body for _, _, body in docs])
    x = vec.transform(sents)
    c = np.asarray(x.mean(axis=0)).ravel()
    score = x @ c / max(float(np.linalg.norm(c)), 1e-12)
    chosen: list[int] = []
    n = 0
    for i in np.argsort(-score, kind="stable"):
        if chosen and float((x[chosen] @ x[i].T).max()) >= redundancy:
            continue
        chosen.append(int(i))
        n += len(tokens(sents[i], None))
        if n >= LIMIT:
            break
    return " ".join(sents[i] for i in chosen)


class _Tokenizer:
    """sumy's tokenizer interface on our splitter (sumy's own needs NLTK data we cannot download)."""

    language = "french"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _TOKEN.findall(sentence)


def _sumy(kind: str) -> System:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    base = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer

    class Rated(base):  # type: ignore[misc, valid-type]
        """Keeps sumy's ratings so the sentences can be taken best first (sumy returns document order)."""

        ratings: dict[Sentence, float] = {}  # noqa: RUF012

        def _get_best_sentences(self, sentences: Sequence[Sentence], count: int, rating: object, *a: object) -> tuple:
            self.ratings = dict(rating)  # type: ignore[call-overload]
            return ()

    summarizer = Rated(Stemmer("french"))
    summarizer.stop_words = get_stop_words("french")
    tok = _Tokenizer()

    def run(docs: Sequence[Doc]) -> str:
        paragraphs = [
            Paragraph([Sentence(s, tok) for s in split_sentences(par)])
            for _, _, body in docs
            for par in body.splitlines()
            if par.strip()
        ]
        document = ObjectDocumentModel(paragraphs)
        summarizer(document, 1)
        ranked = sorted(document.sentences, key=lambda s: -summarizer.ratings[s])
        return _fill([str(s) for s in ranked])

    return run


def ours(docs: Sequence[Doc]) -> str:
    return summarize(docs, SummaryOptions(max_words=LIMIT)).text


# --------------------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RPM2 folder with documents/ and references/")
    ap.add_argument("--systems", default="ours,lead,centroid,lexrank,textrank,human", help="comma-separated")
    ap.add_argument("--show", type=int, default=0, help="print our summaries of the first N clusters")
    args = ap.parse_args(argv)
    if not (args.data / "documents").is_dir() or not (args.data / "references").is_dir():
        print(f"RPM2 data not found under {args.data} (needs documents/ and references/); pass --data", file=sys.stderr)
        return 2
    clusters, refs = load(args.data)
    if not clusters:
        print(f"no TNN_Ck clusters with references under {args.data}", file=sys.stderr)
        return 2
    wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
    systems: dict[str, System] = {"ours": ours, "lead": lead, "centroid": centroid}
    for kind in ("lexrank", "textrank"):
        if kind in wanted:
            systems[kind] = _sumy(kind)
    rows: list[tuple[str, float, float, float]] = []
    for name in wanted:
        if name == "human":
            r1 = [recall(r, [o for o in refs[k] if o is not r], 1) for k in clusters for r in refs[k]]
            r2 = [recall(r, [o for o in refs[k] if o is not r], 2) for k in clusters for r in refs[k]]
            rows.append(("human (1 vs 3)", float(np.mean(r1)), float(np.mean(r2)), 0.0))
            continue
        t0 = time.perf_counter()
        outs = {k: systems[name](docs) for k, docs in clusters.items()}
        elapsed = time.perf_counter() - t0
        r1 = [recall(outs[k], refs[k], 1) for k in clusters]
        r2 = [recall(outs[k], refs[k], 2) for k in clusters]
        rows.append((name, float(np.mean(r1)), float(np.mean(r2)), elapsed))
        if name == "ours" and args.show:
            for k in list(clusters)[: args.show]:
                print(f"[{k}] R2={recall(outs[k], refs[k], 2):.3f}  {outs[k]}\n")
    print(f"RPM2 {args.data.name}: {len(clusters)} clusters, ROUGE recall at {LIMIT} words")
    print(f"{'system':<16} {'R-1':>7} {'R-2':>7} {'secs':>7}")
    for name, a, b, secs in rows:
        print(f"{name:<16} {a:7.4f} {b:7.4f} {secs:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
