"""Evaluate HTML body extraction on the French pages of trafilatura's evaluation set (../shared/data/html-fr).

Each page has snippets that must appear in the body (``with``) and snippets that must not (``without``). Two
systems in the same run: ours (``vigie.htmlextract.extract_html``, fed the page as decoded by
``vigie.readers.decode_bytes``) and ``trafilatura.extract`` alone with its default options (fed the raw bytes, as a
trafilatura user would). Scores per system, over all snippets: share of ``with`` found (recall), share of
``without`` absent, their mean, and trafilatura's own precision / recall / F1 / accuracy over the same counts.
Snippets and bodies are compared with whitespace collapsed.

Usage: python eval/eval_html.py [--data ../shared/data] [--corpus html-fr|html-eval] [--verbose]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.errors import InputError  # noqa: E402
from vigie.extract.html import extract_html  # noqa: E402
from vigie.extract.readers import decode_bytes  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass(slots=True)
class Score:
    """Snippet counts of one system, trafilatura's evaluation convention."""

    tp: int = 0  # `with` found
    fn: int = 0  # `with` missing
    tn: int = 0  # `without` absent
    fp: int = 0  # `without` present
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def with_share(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def without_share(self) -> float:
        return self.tn / max(1, self.tn + self.fp)

    @property
    def mean(self) -> float:
        return (self.with_share + self.without_share) / 2

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.with_share
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / max(1, self.tp + self.tn + self.fp + self.fn)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _ours(data: bytes, url: str) -> str:
    try:
        page = decode_bytes(data, url)
    except InputError:  # the reader refuses the bytes (e.g. NUL bytes in the page): decode leniently
        page = data.decode("utf-8", "replace")
    return extract_html(page, url=url).body


def _trafilatura(data: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(data, url=url) or ""


def score_page(body: str, gold: dict[str, list[str]], name: str, score: Score) -> None:
    text = _norm(body)
    for snippet in gold.get("with", []):
        if _norm(snippet) in text:
            score.tp += 1
        else:
            score.fn += 1
            score.failures.append(f"{name}: missing   {snippet!r}")
    for snippet in gold.get("without", []):
        if _norm(snippet) in text:
            score.fp += 1
            score.failures.append(f"{name}: unwanted  {snippet!r}")
        else:
            score.tn += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (holds html-fr/)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every missing / unwanted snippet")
    parser.add_argument("--corpus", choices=("html-fr", "html-eval"), default="html-fr",
                        help="html-fr (26 French pages) or html-eval (945 pages, many languages)")
    args = parser.parse_args(argv)

    gold_path = args.data / args.corpus / "gold.json"
    if not gold_path.is_file():
        print(f"eval_html: {gold_path} not found; pass --data pointing at the shared data folder", file=sys.stderr)
        return 2
    gold: dict[str, dict[str, object]] = json.loads(gold_path.read_text(encoding="utf-8"))

    systems: dict[str, Callable[[bytes, str], str]] = {"ours": _ours, "trafilatura": _trafilatura}
    scores = {name: Score() for name in systems}
    rows: list[tuple[str, dict[str, tuple[int, int, int, int]]]] = []
    for key, entry in gold.items():
        if args.corpus == "html-eval":  # keyed by file name, gzipped, the URL inside
            page = gold_path.parent / "pages" / f"{key}.gz"
            data, url = gzip.decompress(page.read_bytes()), str(entry["url"])
        else:
            page = gold_path.parent / str(entry["file"])
            data, url = page.read_bytes(), key
        snippets = {k: list(entry.get(k, [])) for k in ("with", "without")}  # type: ignore[call-overload]
        per: dict[str, tuple[int, int, int, int]] = {}
        for name, system in systems.items():
            s = scores[name]
            before = (s.tp, s.fn, s.tn, s.fp)
            t0 = time.perf_counter()
            body = system(data, url)
            s.seconds += time.perf_counter() - t0
            score_page(body, snippets, page.name, s)
            per[name] = (s.tp - before[0], s.fn - before[1], s.tn - before[2], s.fp - before[3])
        rows.append((page.name, per))

    print(f"{len(rows)} pages from {gold_path.parent}\n")
    if args.verbose:
        print(f"{'page':44} {'ours with':>9} {'without':>7}   {'traf with':>9} {'without':>7}")
        for name, per in rows:
            cells = []
            for sysname in systems:
                tp, fn, tn, fp = per[sysname]
                cells.append(f"{tp:>4}/{tp + fn:<4} {tn:>3}/{tn + fp:<3}")
            flag = "" if per["ours"][0] - per["ours"][3] >= per["trafilatura"][0] - per["trafilatura"][3] else "  <"
            print(f"{name[:44]:44} {cells[0]:>17}   {cells[1]:>17}{flag}")
        print()
    header = f"{'system':12} {'with found':>10} {'without absent':>14} {'mean':>6} {'precision':>9} {'F1':>6} {'accuracy':>8} {'time':>7}"
    print(header)
    print("-" * len(header))
    for name, s in scores.items():
        print(
            f"{name:12} {s.with_share:>10.3f} {s.without_share:>14.3f} {s.mean:>6.3f} {s.precision:>9.3f} "
            f"{s.f1:>6.3f} {s.accuracy:>8.3f} {s.seconds:>6.2f}s"
        )
    ours, traf = scores["ours"].seconds, scores["trafilatura"].seconds
    print(f"\npages/s: ours {len(rows) / max(ours, 1e-9):.1f}, trafilatura {len(rows) / max(traf, 1e-9):.1f}, "
          f"ratio {traf / max(ours, 1e-9):.2f}x (same run)")
    if args.verbose:
        for name, s in scores.items():
            print(f"\n{name} failures ({len(s.failures)}):")
            for line in s.failures:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
