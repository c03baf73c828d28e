"""Every dev corpus for story clustering as labelled items, with their texts and USE vectors cached under /tmp/stories.

Corpora (``Labelled.corpus``) and their fold groups (``Labelled.group``: a group never straddles two folds):

- ``rpm2``: RPM2 dev, story = topic TNN, event = cluster TNN_Ck; undated; group = the topic;
- ``ecb``: ECB+ train + dev topics (English), story = event = ``event_cluster`` (each topic holds two same-kind
  events); published = ``date_from_url`` when given; group = the topic;
- ``crisis``: crisis-dev (fr/es/it, dated), story = event = (crisis, ISO week); group = the ISO week, so every
  same-week pair is in one fold and each held-out fold holds both crises. Its labels cap the purity: 5 texts are
  in the file twice, once per crisis (10 articles), so the gold crisis-week stories themselves score 0.962 once
  those texts sit together (eval/story_cv.py:crisis_ceilings; singletons 0.990). What merges Egypt with Yemen
  beyond that (shipped model on crisis-dev alone): region-wide pieces (Libya, the "Arab spring", "Revolución en el
  mundo árabe") filed under one crisis, Global Voices posts whose first line, read as the title, is the series
  boilerplate ("Ce billet fait partie de notre dossier sur ...", "Este post es parte de nuestra cobertura
  especial ..."), and stray pages (a CSS rule, a 2020 PCR notice dated 2012) inside a two-month storyline;
- ``page``: html-fr and html-eval pages, each its own story (distractors); group = the page;
- ``seeds``: the five bundled seeds, one story and one event.

Ids are content hashes, as in the store, so no order follows the labels.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.stories.cluster import ClusterItem  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
CACHE = Path(os.environ.get("VIGIE_EVAL_CACHE", "/tmp/stories"))
_SEED_DATES = {"000": "2021-10-19", "001": "2021-10-07", "002": "2021-10-19", "004": "2021-10-21"}


@dataclass(slots=True)
class Labelled:
    item: ClusterItem
    corpus: str
    group: str
    story: str
    event: str


def _hid(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _seed_text(raw: str) -> tuple[str, str]:
    from vigie.extract.clean import clean_text

    cleaned = clean_text(raw)
    return str(cleaned.title or ""), str(cleaned.body or "")


def _pages(data: Path, which: str) -> list[tuple[str, str, str, str, str | None, str | None]]:
    """(name, hash, title, body, published, language) of every page of ``which`` (html-fr or html-eval) that holds
    an article, extracted once and cached."""
    cache = CACHE / f"pages-{which}.json"
    if cache.exists():
        return [tuple(x) for x in json.loads(cache.read_text(encoding="utf-8"))]
    import trafilatura

    from vigie.extract.metadata import detect_language

    out = []
    if which == "html-fr":
        files = [(f"html-fr/{p.stem}", p.read_bytes()) for p in sorted((data / "html-fr" / "pages").glob("*.html"))]
    else:
        files = [(f"html-eval/{p.name[:-8]}", gzip.decompress(p.read_bytes()))
                 for p in sorted((data / "html-eval" / "pages").glob("*.html.gz"))]  # fmt: skip
    for name, raw in files:
        html = raw.decode("utf-8", errors="replace")
        body = trafilatura.extract(html) or ""
        meta = trafilatura.extract_metadata(html)
        title = (meta.title if meta else None) or ""
        if len(body) < 200:
            continue  # not an article: no story to confuse
        out.append((name, _hid(html), title, body, (meta.date if meta else None) or None,
                    detect_language(f"{title}\n{body}")))  # fmt: skip
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def load_items(data: Path = DEFAULT_DATA, corpora: tuple[str, ...] = ("rpm2", "ecb", "crisis", "page", "seeds"),
               pages: tuple[str, ...] = ("html-fr", "html-eval")) -> list[Labelled]:  # fmt: skip
    out: list[Labelled] = []
    if "rpm2" in corpora:
        for p in sorted((data / "rpm2-dev" / "documents").glob("*.txt")):
            text = p.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            title, _, body = text.partition("\n")
            topic, cl = p.stem.split("_")[:2]
            item = ClusterItem(id=_hid(text), title=title.strip(), body=body.strip(), language="fr")
            out.append(Labelled(item, "rpm2", f"rpm2:{topic}", topic, f"{topic}_{cl}"))
    if "ecb" in corpora:
        for line in (data / "ecbplus-dev" / "ecbplus-dev.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            body = d["maintext"]
            if body.startswith(d["title"]):
                body = body[len(d["title"]) :].strip()
            item = ClusterItem(id=_hid(d["maintext"] + d["id"]), title=d["title"], body=body,
                               published=d.get("date_from_url") or None, language="en")  # fmt: skip
            out.append(Labelled(item, "ecb", f"ecb:{d['topic']}", d["event_cluster"], d["event_cluster"]))
    if "crisis" in corpora:
        for line in (data / "crisis-dev" / "crisis-dev.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            title, _, body = d["maintext"].strip().partition("\n")
            y, w, _ = date.fromisoformat(d["date_publish"][:10]).isocalendar()
            week = f"{y}-W{w:02d}"
            item = ClusterItem(id=_hid(d["maintext"] + d["id"]), title=title.strip(), body=body.strip(),
                               published=d["date_publish"][:10], language=d["language"])  # fmt: skip
            out.append(Labelled(item, "crisis", f"crisis:{week}", f"{d['topic']}:{week}", f"{d['topic']}:{week}"))
    if "page" in corpora:
        for name, hid, title, body, published, lang in [p for w in pages for p in _pages(data, w)]:
            item = ClusterItem(id=hid, title=title, body=body, published=published, language=lang)
            out.append(Labelled(item, "page", f"page:{name}", f"page:{name}", f"page:{name}"))
    if "seeds" in corpora:
        for p in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
            raw = p.read_text(encoding="utf-8")
            title, body = _seed_text(raw)
            item = ClusterItem(id=_hid(raw), title=title, body=body, published=_SEED_DATES.get(p.name[:3]),
                               language="fr")  # fmt: skip
            out.append(Labelled(item, "seeds", "seeds", "seeds", "seeds"))
    seen: set[str] = set()
    uniq = []
    for x in out:  # exact repeats are one stored article
        if x.item.id not in seen:
            seen.add(x.item.id)
            uniq.append(x)
    return uniq


def attach_vectors(items: list[Labelled]) -> None:
    """USE vectors of every item, from /tmp/stories/use.npz when there (keyed by id and the text's hash)."""
    from vigie.stories.embed import Embedder

    path = CACHE / "use.npz"
    cached: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as z:
            cached = {k: z[k] for k in z.files}

    def key(x: Labelled) -> str:
        return _hid(f"{x.item.id}\n{x.item.title}\n{x.item.body}")

    todo = [x for x in items if key(x) not in cached]
    if todo:
        emb = Embedder()
        for lo in range(0, len(todo), 200):
            part = todo[lo : lo + 200]
            vecs = emb.embed_articles([x.item.title for x in part], [x.item.body for x in part])
            for x, v in zip(part, vecs, strict=True):
                cached[key(x)] = v
            print(f"embedded {lo + len(part)}/{len(todo)}", file=sys.stderr)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, **cached)  # type: ignore[arg-type]
    for x in items:
        x.item.vector = cached[key(x)]


if __name__ == "__main__":
    xs = load_items()
    attach_vectors(xs)
    from collections import Counter

    print(len(xs), Counter(x.corpus for x in xs))
