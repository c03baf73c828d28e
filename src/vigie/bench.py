"""`vigie bench`: a realistic generated corpus run through every stage, timed, with peers side by side.

The corpus is built from real French text read from ``../shared/data`` (RPM2 sentences grouped by topic, never
copied into the repo): each article takes a headline and paragraphs from one topic, a publication date in one of many
60-day windows (so topic x window is a known story label), and site furniture around it (repeated titles, stamps,
tags, author avatars, reader comments, newsletter and legal lines, sometimes a glued or duplicated body). One in ten
articles is a reprint of another (same body, other furniture) and one in twenty a near copy (small edits).
"""

from __future__ import annotations

import os
import random
import re
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vigie.errors import VigieError

SITES = ["Le Quotidien du Soir", "Infos Express", "La Gazette du Monde", "Actu Plus", "Le Courrier National"]
NAMES = ["Marie Dupont", "Jean Martin", "Sophie Bernard", "Luc Moreau", "Anna Petit"]
USERS = ["lecteur75", "Jacques D.", "citoyen_libre", "MarieC", "Pierre"]
TAGS = ["politique", "international", "société", "économie", "justice", "sport", "culture"]
FOOTER = [
    "Recevez chaque matin l'essentiel de l'actualité avec notre newsletter.",
    "Pour nous lire, abonnez-vous ou acceptez les cookies.", "Mentions légales", "Politique de confidentialité",
    "CGV", "Contactez-nous", "Tous droits réservés", "Partager sur Facebook", "Les plus lus", "À lire aussi",
]


@dataclass(slots=True)
class GenArticle:
    name: str
    text: str
    label: tuple[int, int]


def shared_data(path: str | None = None) -> Path:
    """The shared data folder, or a VigieError saying where it was looked for."""
    base = Path(path) if path else Path(os.environ.get("VIGIE_SHARED", "../shared/data"))
    if not (base / "rpm2-dev" / "documents").is_dir():
        raise VigieError(
            f"benchmark data not found: {base}/rpm2-dev/documents is absent "
            "(run beside ../shared, or set $VIGIE_SHARED / --data to the shared data folder)"
        )
    return base


def topic_pools(data: Path) -> list[tuple[list[str], list[str]]]:
    """(headlines, paragraphs) of each RPM2 topic."""
    pools: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for p in sorted((data / "rpm2-dev" / "documents").glob("*.txt")):
        lines = [ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
        if len(lines) >= 3:
            pools[p.name[:3]][0].append(lines[0])
            pools[p.name[:3]][1].extend(lines[1:])
    return [pools[k] for k in sorted(pools)]


def _furnish(rng: random.Random, title: str, body: list[str], day: date) -> str:
    site, name = rng.choice(SITES), rng.choice(NAMES)
    out = [title] * rng.randint(1, 2)
    out.append(f"{day.isoformat()}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}+0200")
    out += rng.sample(TAGS, rng.randint(0, 3))
    if rng.random() < 0.5:
        out.append(f"{name} https://cdn.example.net/img/{rng.randint(10**6, 10**7)}_100x100.jpg")
    out += ["".join(body)] if rng.random() < 0.2 else body
    for _ in range(rng.randint(0, 2)):
        out.append(f"{rng.choice(USERS)} {rng.choice(body).split('. ')[0][:120]} {rng.randint(0, 30)}")
    out += rng.sample(FOOTER, rng.randint(2, 6))
    out.append(f"{site} contact@example.net")
    return "\n\n".join(out)


_SENT_STOP = re.compile(r"([.!?])(?=\s|$)")


def generate(n: int, data: Path, seed: int = 1, start: int = 0, unique: bool = False) -> list[GenArticle]:
    """``n`` noisy articles with story labels; about 15 articles per story.

    The articles reuse RPM2 sentences, which the sentence-vector cache then encodes once; with ``unique`` every
    sentence of an article gets the article's number before its full stop, so nothing is reused (the cold bound).
    """
    rng = random.Random(seed + start)
    pools = topic_pools(data)
    windows = max(1, (start + n) // (len(pools) * 15))
    out: list[GenArticle] = []
    for k in range(start, start + n):
        if out and rng.random() < 0.15:
            # Reprint (same body, other furniture) or near copy (a few words changed).
            src = rng.choice(out)
            text = src.text
            if rng.random() < 0.33:
                text = text.replace(" le ", " ce ", 2).replace(" a ", " avait ", 1)
            lines = text.split("\n\n")
            text = "\n\n".join([*lines[:-1], f"{rng.choice(SITES)} — reproduction autorisée"])
            out.append(GenArticle(f"a{k:07d}.txt", text, src.label))
            continue
        p = rng.randrange(len(pools))
        w = rng.randrange(windows)
        heads, paras = pools[p]
        day = date(2000, 1, 1) + timedelta(days=60 * w + rng.randrange(10))
        body = rng.sample(paras, min(len(paras), rng.randint(5, 9)))
        if unique:
            body = [_SENT_STOP.sub(rf" ({k})\1", para) for para in body]
        out.append(GenArticle(f"a{k:07d}.txt", _furnish(rng, rng.choice(heads), body, day), (p, w)))
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bcubed(pred: dict[str, str], gold: dict[str, Any]) -> float:
    """B-cubed F1 of a clustering against gold labels, over the articles both cover."""
    ids = [a for a in pred if a in gold]
    if not ids:
        return 0.0
    pc: dict[str, set[str]] = defaultdict(set)
    gc: dict[Any, set[str]] = defaultdict(set)
    for a in ids:
        pc[pred[a]].add(a)
        gc[gold[a]].add(a)
    p = sum(len(pc[pred[a]] & gc[gold[a]]) / len(pc[pred[a]]) for a in ids) / len(ids)
    r = sum(len(pc[pred[a]] & gc[gold[a]]) / len(gc[gold[a]]) for a in ids) / len(ids)
    return 2 * p * r / (p + r) if p + r else 0.0


def run(size: int, *, data: str | None = None, add: int = 1000, seed: int = 1, sample: int = 200,
        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the benchmark; returns a flat dict of measurements (see ``vigie bench --help``).

    Raises:
        VigieError: the shared data folder is absent.
        ValueError: size below 10.
    """
    if size < 10:
        raise ValueError(f"size must be at least 10, got {size}")
    from vigie.extract import extract
    from vigie.extract.readers import iter_documents
    from vigie.pipeline import ingest
    from vigie.store import Store
    from vigie.stories import list_stories, update_stories
    from vigie.stories.embed import _CACHE, Embedder

    say = progress or (lambda _m: None)
    base = shared_data(data)
    res: dict[str, Any] = {"articles": size}
    corpus = generate(size + add, base, seed)
    main, extra = corpus[:size], corpus[size:]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        folder, more = Path(tmp) / "in", Path(tmp) / "more"
        folder.mkdir()
        more.mkdir()
        for g in main:
            (folder / g.name).write_text(g.text, encoding="utf-8")
        for g in extra:
            (more / g.name).write_text(g.text, encoding="utf-8")
        say("read")
        docs, t_read = _timed(lambda: [d for d in iter_documents([str(folder)]) if not isinstance(d, Exception)])
        say("clean")
        arts, t_clean = _timed(lambda: [extract(d) for d in docs])
        res["read_articles_per_s"] = round(size / t_read, 1)
        res["clean_articles_per_s"] = round(size / t_clean, 1)
        from vigie.pipeline import default_workers, extract_documents

        workers = default_workers()
        if workers > 1 and size > 1000:
            say(f"clean in {workers} processes")
            _, t_par = _timed(lambda: list(extract_documents(docs, workers=workers)))
            res["clean_articles_per_s_parallel"] = round(size / t_par, 1)  # incl. starting the processes
            res["clean_processes"] = workers
        gold = {a.id: g.label for a, g in zip(arts, main, strict=True)}

        say("dedup")
        from vigie.stories.dedup import Deduplicator

        dd = Deduplicator()
        dups, t_dedup = _timed(lambda: sum(dd.add(a.id, a.body) is not None for a in arts))
        res["dedup_articles_per_s"] = round(size / t_dedup, 1)
        res["near_copies_found"] = dups

        say("embed")
        _CACHE.clear()  # cold: no sentence seen before
        k = min(size, sample)
        _, t_embed = _timed(lambda: Embedder().embed_articles([a.title for a in arts[:k]], [a.body for a in arts[:k]]))
        res["embed_articles_per_s_cold"] = round(k / t_embed, 1)

        say("end to end (read, clean, store, dedup, embed, cluster)")
        _CACHE.clear()
        db = Path(tmp) / "bench.db"
        store = Store(db)
        t0 = time.perf_counter()
        ingest(store, [str(folder)], workers=workers)
        t_store_done = time.perf_counter()
        update_stories(store)
        t_end = time.perf_counter()
        res["store_articles_per_s"] = round(size / (t_store_done - t0), 1)
        res["story_stage_articles_per_s"] = round(size / (t_end - t_store_done), 1)
        res["end_to_end_articles_per_s"] = round(size / (t_end - t0), 1)
        stories = list_stories(store)
        pred = {a.id: s.id for s in stories for a in s.articles}
        res["stories"] = len(stories)
        res["story_b3_f1"] = round(bcubed(pred, gold), 3)

        say("end to end without sentence reuse")
        cold = generate(min(size, 1000), base, seed + 7, unique=True)
        cold_dir = Path(tmp) / "cold"
        cold_dir.mkdir()
        for g in cold:
            (cold_dir / g.name).write_text(g.text, encoding="utf-8")
        _CACHE.clear()
        cold_store = Store(Path(tmp) / "cold.db")
        t0 = time.perf_counter()
        ingest(cold_store, [str(cold_dir)], workers=workers)
        update_stories(cold_store)
        res["end_to_end_articles_per_s_no_sentence_reuse"] = round(len(cold) / (time.perf_counter() - t0), 1)
        cold_store.close()

        say("end to end with understanding and story details, without sentence reuse")
        res.update(_end_to_end_understood(generate(len(cold), base, seed + 8, unique=True), Path(tmp), workers))

        say("add")
        t0 = time.perf_counter()
        ingest(store, [str(more)])
        update_stories(store)
        res[f"add_{add}_s"] = round(time.perf_counter() - t0, 1)
        res["db_mb"] = round(os.path.getsize(db) / 1e6, 1)

        say("understand (NER, quotes, dates, events)")
        from vigie.understand import analyze_articles

        _, t_ner = _timed(lambda: analyze_articles(arts[:k]))
        res["ner_articles_per_s"] = round(k / t_ner, 1)

        say("summarise")
        from vigie.understand.summarize import summarize

        top = stories[: min(10, len(stories))]
        by_id = {a.id: a for a in arts}

        def summarise_top() -> None:
            for s in top:
                summarize([(i, by_id[i].title or "", by_id[i].body) for i in
                           s.article_ids if i in by_id])

        _, t_sum = _timed(summarise_top)
        res["summarise_stories_per_s"] = round(len(top) / t_sum, 2) if top else None

        say("peers")
        res.update(_peers(base, store, gold))
        store.close()
    res["peak_rss_mb"] = round(_rss_mb())
    return res


def _end_to_end_understood(corpus: list[GenArticle], tmp: Path, workers: int) -> dict[str, Any]:
    """``vigie ingest`` as it runs by default: read, clean, store, stories, understanding and the details of the
    stories touched, in ``workers`` processes, on a corpus of its own (no sentence another run embedded). The model
    is loaded before the clock starts: a watch or a server loads it once."""
    from vigie.pipeline import LocalExecutor, Paths, RunOptions
    from vigie.pipeline import run as run_batch
    from vigie.store import Store
    from vigie.stories.embed import _CACHE
    from vigie.understand import get_nlp

    folder = tmp / "understood"
    folder.mkdir()
    for g in corpus:
        (folder / g.name).write_text(g.text, encoding="utf-8")
    try:
        get_nlp("fr")
    except VigieError:  # no language model: nothing to measure
        return {}
    _CACHE.clear()
    store = Store(tmp / "understood.db")
    t0 = time.perf_counter()
    result = run_batch(store, Paths([str(folder)]), executor=LocalExecutor(workers),
                       options=RunOptions(alerts=False, nlp_processes=workers))
    dt = time.perf_counter() - t0
    analysed = len(store.analyses(result.report.new_ids))
    store.close()
    return {"end_to_end_articles_per_s_no_sentence_reuse_understood": round(len(corpus) / dt, 1),
            "end_to_end_understood_analyses": analysed, "end_to_end_understood_stories_detailed": len(result.touched)}


def _peers(base: Path, store: Any, gold: dict[str, Any]) -> dict[str, Any]:
    """Trafilatura alone on the HTML pages; HDBSCAN on the same embeddings as our clusterer."""
    import numpy as np
    import trafilatura

    from vigie.extract.html import extract_html

    out: dict[str, Any] = {}
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((base / "html-fr" / "pages").glob("*"))]
    if pages:
        _, t_ours = _timed(lambda: [extract_html(h) for h in pages])
        _, t_traf = _timed(lambda: [trafilatura.extract(h) for h in pages])
        out["html_pages_per_s_ours"] = round(len(pages) / t_ours, 1)
        out["html_pages_per_s_trafilatura"] = round(len(pages) / t_traf, 1)
    rows = [r for r in store.placements() if r["vector"] and not r["duplicate_of"]]
    if len(rows) >= 10:
        from sklearn.cluster import HDBSCAN

        vecs = np.stack([np.frombuffer(r["vector"], dtype=np.float16).astype(np.float32) for r in rows])
        # min_samples=1: the least conservative density estimate, the setting that suits news stories of a few
        # articles best on RPM2 dev (eval/eval_stories.py sweeps min_cluster_size there).
        hdb = HDBSCAN(min_cluster_size=3, min_samples=1, metric="euclidean", copy=True)
        labels, t_h = _timed(lambda: hdb.fit_predict(vecs))
        pred = {r["id"]: (f"h{lab}" if lab >= 0 else f"n{r['id']}") for r, lab in zip(rows, labels, strict=True)}
        out["hdbscan_s"] = round(t_h, 2)
        out["hdbscan_story_b3_f1"] = round(bcubed(pred, gold), 3)
        ours = {r["id"]: r["story_id"] for r in rows}
        out["ours_story_b3_f1_same_articles"] = round(bcubed(ours, gold), 3)
        # Our clusterer on the same vectors, from scratch (features included), for the time ratio.
        from vigie.stories.cluster import ClusterItem, StoryClusterer

        arts = {r["id"]: store.get(r["id"]) for r in rows}
        items = [ClusterItem(id=r["id"], title=arts[r["id"]].title or "", body=arts[r["id"]].body,
                             published=arts[r["id"]].published, language=arts[r["id"]].language, vector=v)
                 for r, v in zip(rows, vecs, strict=True)]  # fmt: skip
        _, t_o = _timed(lambda: StoryClusterer().add(items))
        out["ours_cluster_s_same_articles"] = round(t_o, 2)
    return out
