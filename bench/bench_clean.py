#!/usr/bin/env python3
"""Benchmark the plain-text cleaner alone: speed, and body quality on synthetic noisy articles.

Articles are built from real text (the RPM2 documents in ../shared/data/rpm2-dev/documents: first line headline,
then one paragraph per line) wrapped in randomised furniture shaped like the seeds': repeated titles, a truncated
standfirst with a "dd.mm.yyyy, Site" credit, ISO date stamps, tag lines, XPath and image URLs, author + avatar
lines, reader comments with like counters, newsletter / legal / contact lines, image size lines, a page id, and
sometimes a duplicated body or paragraphs glued into one line. The true body is known, so the cleaned body is
scored with token F1.

    .venv/bin/python bench/bench_clean.py [--size 10000] [--seed 0] [--workers 2] [--json]

The learned decision and the hand-tuned rule it replaced (``CleanOptions(learned=False)``) run side by side: the
speed ratio between them is the figure that does not depend on the machine.

Exits 2 with a message when ../shared is absent (the RPM2 text is never copied into the repo).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT.parent / "shared" / "data" / "rpm2-dev" / "documents"
sys.path.insert(0, str(ROOT / "src"))

from vigie.extract.clean import CleanOptions, clean_text  # noqa: E402

_TOKEN = re.compile(r"\w+")
SITES = ["Le Quotidien", "Sputnik France", "Info Matin", "La Gazette du Sud", "Actu Monde", "Nouvelles.fr"]
NAMES = ["Anna Dedkova", "Jean Dupont", "Marie Curie", "Paul Martin", "Sophie Lambert", "Karim Benali"]
USERS = ["full-up", "Michelvsrin", "Serge Favaro", "lecteur75", "Jeanne D.", "citoyen_libre"]
MENU = ["Accueil", "International", "Politique", "Économie", "Société", "Culture", "Sport", "Vidéos", "Podcasts",
        "Se connecter", "S'abonner", "Rechercher", "Menu"]
TAGS = ["otan", "russie", "international", "élections", "économie", "justice", "santé", "climat", "diplomatie"]
FOOTER = [
    "Recevez chaque matin l'essentiel de l'actualité dans votre boîte mail avec notre newsletter.",
    "Pour nous lire, abonnez-vous ou acceptez les cookies.",
    "Mentions légales", "Politique de confidentialité", "Politique relative aux cookies", "CGV", "FAQ",
    "Contactez-nous", "Plan du site", "Tous droits réservés", "Partager sur Facebook", "Partager sur Twitter",
    "Les plus lus", "À lire aussi", "Suivez-nous sur les réseaux sociaux", "Charte de modération",
]


def load_docs() -> list[tuple[str, list[str]]]:
    docs = []
    for p in sorted(DOCS.glob("*.txt")):
        lines = [ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
        if len(lines) >= 3:
            docs.append((lines[0], lines[1:]))
    return docs


def make_article(rng: random.Random, docs: list[tuple[str, list[str]]]) -> tuple[str, str]:
    """One noisy article and its true body (paragraphs joined by blank lines)."""
    title, body = rng.choice(docs)
    body = list(body)
    while sum(len(p) for p in body) < 2500:  # reach the 3-6 KB of a real page
        body.extend(rng.choice(docs)[1])
    site, name = rng.choice(SITES), rng.choice(NAMES)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    stamp = f"2021-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}+0200"
    avatar = f"https://cdn.example.net/img/{rng.randint(1000, 9999)}/{rng.randint(10**8, 10**9)}_100x100.jpg"
    out: list[str] = []
    if rng.random() < 0.5:
        out.append(f"https://www.example.net/{2021}{month:02d}{day:02d}/article-{rng.randint(10**6, 10**7)}.html")
    if rng.random() < 0.4:
        out.extend(rng.sample(MENU, rng.randint(3, len(MENU))))
    out.extend([title] * rng.randint(1, 3))
    if rng.random() < 0.6:
        first = body[0]
        out.append(f"{first[: rng.randint(min(60, len(first)), min(200, len(first)))].rstrip()}... {day:02d}.{month:02d}.2021, {site}")
    if rng.random() < 0.5:
        out.extend([stamp] * rng.randint(1, 3))
    else:
        out.append(f"Publié le {day} mars 2021 à {rng.randint(0, 23)}h{rng.randint(10, 59)}")
    if rng.random() < 0.5:
        out.extend(rng.sample(TAGS, rng.randint(1, 4)))
    if rng.random() < 0.3:
        out.append("/html/head/meta[@name='og:title']/@content /html/head/meta[@name='og:description']/@content")
    if rng.random() < 0.5:
        out.append(f"https://cdn.example.net/img/{rng.randint(10**6, 10**7)}_1920x0_80.jpg")
    if rng.random() < 0.4:
        out.append(f"Par {name}")
    body_lines: list[str] = []
    if rng.random() < 0.3:
        body_lines.append("".join(body))  # the crawler glued every paragraph
    else:
        for i, p in enumerate(body):
            body_lines.append(p)
            if i and rng.random() < 0.08:
                body_lines.append(rng.choice(["Publicité", f"Lire aussi : {rng.choice(docs)[0]}", "Advertisement"]))
    out.extend(body_lines)
    for _ in range(rng.randint(0, 3)):
        sent = rng.choice(rng.choice(docs)[1]).split(". ")[0][:160]
        out.append(f"{rng.choice(USERS)} {sent} {rng.randint(0, 40)}")
    if rng.random() < 0.5:
        out.append(f"{site} feedback@example.net +33 1 23 45 67 89")
    if rng.random() < 0.5:
        out.extend(["1920 1080 true", "1920 1440 true"])
    if rng.random() < 0.5:
        out.extend([f"{name} {avatar}"] * rng.randint(1, 2))
    out.extend(rng.sample(FOOTER, rng.randint(2, 8)))
    if rng.random() < 0.15:
        out.extend([title, *body_lines])  # the whole article dumped twice
    if rng.random() < 0.5:
        out.append(", ".join(rng.sample(TAGS, 4)))
    if rng.random() < 0.3:
        out.append("".join(str(rng.randint(0, 9)) for _ in range(40)))
    sep = "\r\n" if rng.random() < 0.5 else "\n"
    text = (sep * rng.choice((1, 2))).join(out)
    if rng.random() < 0.3:
        text = "\ufeff" + text.replace(" :", "\u00a0:")
    return text, "\n\n".join(body)


def token_f1(pred: str, ref: str) -> float:
    p, r = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(ref.lower()))
    overlap = sum((p & r).values())
    if not overlap:
        return 0.0
    prec, rec = overlap / sum(p.values()), overlap / sum(r.values())
    return 2 * prec * rec / (prec + rec)


def _body(job: tuple[str, bool]) -> str:
    text, learned = job
    return clean_text(text, CleanOptions(learned=learned)).body


def _run(texts: list[str], learned: bool, workers: int) -> tuple[float, list[str]]:
    """Seconds to clean every text (``workers`` processes; 1 = in this process) and the bodies."""
    jobs = [(t, learned) for t in texts]
    if workers <= 1:
        t0 = time.perf_counter()
        bodies = [_body(j) for j in jobs]
        return time.perf_counter() - t0, bodies
    ctx = mp.get_context("spawn" if sys.platform == "darwin" else "fork")
    with ctx.Pool(workers) as pool:
        pool.map(_body, jobs[: workers * 4])  # warm the workers (imports, model load) outside the timing
        t0 = time.perf_counter()
        bodies = pool.map(_body, jobs, chunksize=64)
        return time.perf_counter() - t0, bodies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="number of generated articles (default 10000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = ap.parse_args(argv)
    if args.size < 1:
        ap.error(f"--size must be >= 1, got {args.size}")
    if not DOCS.is_dir():
        print(f"bench_clean: needs {DOCS} (the ../shared folder beside the repo); it is absent.", file=sys.stderr)
        return 2
    docs = load_docs()
    rng = random.Random(args.seed)
    articles = [make_article(rng, docs) for _ in range(args.size)]
    texts = [a for a, _ in articles]
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    report: dict[str, object] = {"articles": args.size, "mean_kb": round(n_bytes / args.size / 1024, 2),
                                 "workers": args.workers}
    # Both decisions in the same run, alternated, so the ratio does not depend on the machine's load of the moment.
    for name, learned in (("clean", True), ("old_rule", False)):
        secs, bodies = _run(texts, learned, args.workers)
        f1s = [token_f1(b, truth) for b, (_, truth) in zip(bodies, articles, strict=True)]
        report[f"{name}_articles_per_s"] = round(args.size / secs, 1)
        report[f"{name}_mb_per_s"] = round(n_bytes / secs / 1e6, 2)
        report[f"{name}_body_token_f1"] = round(sum(f1s) / len(f1s), 4)
        report[f"{name}_body_f1_below_0.9"] = round(sum(f < 0.9 for f in f1s) / len(f1s), 4)
    report["speed_ratio_to_old_rule"] = round(
        float(report["clean_articles_per_s"]) / float(report["old_rule_articles_per_s"]), 3)  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(report))
        return 0
    width = max(len(k) for k in report)
    for k, v in report.items():
        print(f"{k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
