"""Evaluate story and event clustering on RPM2 dev + French distractor pages + the bundled seeds.

Items: the 200 RPM2 dev articles (story = topic TNN, event = TNN_Ck; no dates, no outlets), the 26 pages of
html-fr (each its own story and event; text by trafilatura, published date from its metadata) and the 5 seeds (one
story; at event level they are one event, the Russia-NATO rupture of October 2021, all five reporting on it).
Ids are content hashes, as in the store, so the processing order does not follow the labels.

Systems, all in the same run: ours (``vigie.cluster.StoryClusterer``), ours without time anchors, ours fed in two
halves, a TF-IDF average-link agglomerative baseline (threshold swept, best reported) and HDBSCAN on the same USE
vectors (min_cluster_size swept, best reported). Scores: B-cubed precision, recall and F1 over articles.

Usage: python eval/eval_stories.py [--data ../shared/data] [--quick] [--grid]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.cluster import ClusterItem, ClusterOptions, StoryClusterer, featurize  # noqa: E402
from vigie.embed import Embedder  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass(slots=True)
class Labelled:
    item: ClusterItem
    story: str
    event: str


def _hid(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _seed_text(raw: str) -> tuple[str, str]:
    """Title and body of a seed: ``vigie.clean`` when it is there, else the crude longest-lines rule."""
    try:
        from vigie.clean import clean_text

        cleaned = clean_text(raw)
        return str(cleaned.title or ""), str(cleaned.body or "")
    except Exception:  # the cleaner is being written elsewhere; any failure falls back to the crude rule
        lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
        title = next((ln for ln in lines if len(ln.split()) >= 5 and "http" not in ln and len(ln) < 200), "")
        body = "\n".join(ln for ln in lines if len(ln) >= 150 and ln != title)
        return title, body


_SEED_DATES = {"000": "2021-10-19", "001": "2021-10-07", "002": "2021-10-19", "004": "2021-10-21"}


def load_items(data: Path) -> list[Labelled]:
    """RPM2 dev articles, html-fr distractor pages and the seeds, with their story and event labels."""
    import trafilatura

    out: list[Labelled] = []
    for p in sorted((data / "rpm2-dev" / "documents").glob("*.txt")):
        text = p.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        title, _, body = text.partition("\n")
        topic, cl = p.stem.split("_")[:2]
        item = ClusterItem(id=_hid(text), title=title.strip(), body=body.strip(), published=None, language="fr")
        out.append(Labelled(item, topic, f"{topic}_{cl}"))
    for p in sorted((data / "html-fr" / "pages").glob("*.html")):
        html = p.read_text(encoding="utf-8", errors="replace")
        body = trafilatura.extract(html) or ""
        meta = trafilatura.extract_metadata(html)
        title = (meta.title if meta else None) or ""
        published = (meta.date if meta else None) or None
        item = ClusterItem(id=_hid(html), title=title, body=body, published=published, language="fr")
        out.append(Labelled(item, f"page:{p.stem}", f"page:{p.stem}"))
    seeds = ROOT / "examples" / "seeds"
    for p in sorted(seeds.glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        title, body = _seed_text(raw)
        item = ClusterItem(id=_hid(raw), title=title, body=body, published=_SEED_DATES.get(p.name[:3]), language="fr")
        out.append(Labelled(item, "seeds", "seeds"))
    return out


def bcubed(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over items."""
    n = len(gold)
    pair = Counter(zip(pred, gold, strict=True))
    pc, gc = Counter(pred), Counter(gold)
    p = sum(c * c / pc[pr] for (pr, _), c in pair.items()) / n
    r = sum(c * c / gc[g] for (_, g), c in pair.items()) / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(slots=True)
class Row:
    name: str
    story: tuple[float, float, float]
    event: tuple[float, float, float]
    seconds: float
    note: str = ""


def score(
    name: str, items: list[Labelled], story: Sequence[str], event: Sequence[str], secs: float, note: str = ""
) -> Row:
    return Row(
        name,
        bcubed(story, [x.story for x in items]),
        bcubed(event, [x.event for x in items]),
        secs,
        note,
    )


def run_ours(
    items: list[Labelled], options: ClusterOptions, halves: bool = False, shuffled: int = 0
) -> tuple[list[str], list[str], float]:
    """Story and event labels from StoryClusterer; with ``halves`` the second half goes in a new process-like state,
    with ``shuffled`` the articles go in that many batches of a random order (each through a state round trip)."""
    t = time.perf_counter()
    cl = StoryClusterer(options)
    xs = [x.item for x in items]
    if shuffled:
        order = [xs[i] for i in np.random.default_rng(7).permutation(len(xs))]
        for k in range(shuffled):
            cl.add(order[k * len(order) // shuffled : (k + 1) * len(order) // shuffled])
            cl = StoryClusterer.from_state(cl.state())
    elif halves:
        order = sorted(xs, key=lambda it: (it.published or "", it.id))
        first, second = order[: len(order) // 2], order[len(order) // 2 :]
        cl.add(first)
        cl = StoryClusterer.from_state(cl.state())
        cl.add(second)
    else:
        cl.add(xs)
    got = cl.assignments()
    secs = time.perf_counter() - t
    return [got[x.item.id][1] for x in items], [got[x.item.id][0] for x in items], secs


def _tfidf_matrix(items: list[Labelled]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [f"{x.item.title}\n{x.item.body}" for x in items]
    m = TfidfVectorizer(sublinear_tf=True, min_df=1, max_df=0.5, strip_accents=None).fit_transform(docs)
    return np.asarray(m.toarray(), dtype=np.float32)


def agglomerative_labels(x: np.ndarray, threshold: float) -> list[str]:
    """Average-link agglomerative clustering on cosine distance, cut at ``threshold``."""
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold)
    return [str(v) for v in model.fit_predict(x)]


def hdbscan_labels(x: np.ndarray, min_cluster_size: int) -> list[str]:
    """HDBSCAN on cosine distance; noise points become singletons."""
    from sklearn.cluster import HDBSCAN

    lab = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=1, metric="cosine", copy=True).fit_predict(x)
    return [str(v) if v >= 0 else f"noise{i}" for i, v in enumerate(lab)]


def best_sweep(
    name: str,
    items: list[Labelled],
    fn: Callable[[float], list[str]],
    grid: Sequence[float],
) -> tuple[Row, Row]:
    """Best story-level and best event-level rows over a parameter grid (each tuned for its own level)."""
    rows = []
    for g in grid:
        t = time.perf_counter()
        lab = fn(g)
        rows.append(score(f"{name} ({g:g})", items, lab, lab, time.perf_counter() - t))
    return max(rows, key=lambda r: r.story[2]), max(rows, key=lambda r: r.event[2])


def print_table(rows: list[Row]) -> None:
    head = f"{'system':44} {'story P':>7} {'R':>6} {'F1':>6}   {'event P':>7} {'R':>6} {'F1':>6}   {'secs':>6}"
    print(head)
    print("-" * len(head))
    for r in rows:
        s, e = r.story, r.event
        print(
            f"{r.name:44} {s[0]:7.3f} {s[1]:6.3f} {s[2]:6.3f}   {e[0]:7.3f} {e[1]:6.3f} {e[2]:6.3f}   {r.seconds:6.2f}"
            + (f"  {r.note}" if r.note else "")
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default ../shared/data)")
    ap.add_argument("--quick", action="store_true", help="skip the baseline sweeps")
    ap.add_argument("--grid", action="store_true", help="also print F1 over a grid around our defaults")
    args = ap.parse_args(argv)
    if not (args.data / "rpm2-dev" / "documents").is_dir() or not (args.data / "html-fr" / "pages").is_dir():
        print(
            f"error: {args.data} has no rpm2-dev/documents or html-fr/pages; run beside ../shared or pass --data",
            file=sys.stderr,
        )
        return 2
    items = load_items(args.data)
    n_story = len({x.story for x in items})
    n_event = len({x.event for x in items})
    print(f"{len(items)} articles, {n_story} stories, {n_event} events")

    t = time.perf_counter()
    emb = Embedder()
    vecs = emb.embed_articles([x.item.title for x in items], [x.item.body for x in items])
    emb_secs = time.perf_counter() - t
    print(f"USE embeddings: {len(items) / emb_secs:.1f} articles/s (incl. model load)")
    items = [replace(x, item=replace(x.item, vector=v)) for x, v in zip(items, vecs, strict=True)]
    t = time.perf_counter()
    featurize([x.item for x in items])
    print(f"featurize: {len(items) / (time.perf_counter() - t):.0f} articles/s")

    rows: list[Row] = []
    opts = ClusterOptions()
    st, ev, secs = run_ours(items, opts)
    rows.append(score("ours (StoryClusterer)", items, st, ev, secs))
    st2, ev2, secs2 = run_ours(items, replace(opts, use_time=False))
    rows.append(score("ours without time anchors", items, st2, ev2, secs2))
    st3, ev3, secs3 = run_ours(items, opts, halves=True)
    same = st3 == st and ev3 == ev
    rows.append(score("ours, two halves via state()", items, st3, ev3, secs3, "identical" if same else "DIFFERS"))
    st4, ev4, secs4 = run_ours(items, opts, shuffled=7)
    same = st4 == st and ev4 == ev
    rows.append(score("ours, 7 shuffled batches", items, st4, ev4, secs4, "identical" if same else "DIFFERS"))
    if not args.quick:
        x_tfidf = _tfidf_matrix(items)
        grid = [round(v, 2) for v in np.arange(0.5, 1.0, 0.02)]
        rows.extend(best_sweep("tfidf avg-link, dist", items, lambda g: agglomerative_labels(x_tfidf, g), grid))
        rows.extend(best_sweep("USE avg-link, dist", items, lambda g: agglomerative_labels(vecs, g), grid))
        rows.extend(
            best_sweep(
                "HDBSCAN on USE, min_cluster_size",
                items,
                lambda g: hdbscan_labels(vecs, int(g)),
                [2, 3, 4, 5, 6, 8, 10],
            )
        )
    print_table(rows)
    if args.grid:
        robustness_grid(items, opts)
    return 0


def robustness_grid(items: list[Labelled], opts: ClusterOptions) -> None:
    """F1 of ours when each threshold moves around its default: a default on a knife edge shows here."""
    for name, level in (("story_threshold", 0), ("attach_threshold", 0), ("use_weight", 0),
                        ("event_threshold", 1), ("time_penalty", 1), ("shared_day_bonus", 1)):  # fmt: skip
        base = getattr(opts, name)
        cells = []
        for d in (-0.04, -0.02, 0.0, 0.02, 0.04):
            v = round(base + d, 3)
            st, ev, _ = run_ours(items, replace(opts, **{name: v}))
            f = score("", items, st, ev, 0.0)
            cells.append(f"{v:.2f}:{(f.story, f.event)[level][2]:.3f}")
        print(f"grid {name:18} ({('story', 'event')[level]} F1)  " + "  ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
