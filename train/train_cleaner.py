#!/usr/bin/env python3
"""Train the plain-text cleaner's body model on real page dumps, and cross-validate it grouped by site.

Data (read from ../shared, never copied): the pages of ``html-eval`` dumped to text with
``../shared/tools/textdump.py``, plus the five seeds. Silver line labels, because no page comes with its body
marked line by line:

- a dump line is body when trafilatura's extraction of the same HTML (without its comments: reader comments are
  not the article) holds it. A line of 40 characters or more counts anywhere in that text; a shorter one must equal
  one of its lines and sit beside a long body line, or come next in page order, or continue a body line
  ("... laut dem Insider" / "Ming-Chi Kuo": a link dumped on its own line), so a "Werbung" or "Share" in the footer
  is not body because the same word marks an ad inside the article; the <title> line is not when it recurs;
- the gold snippets override: a line holding a ``with`` snippet is body, a line holding a ``without`` snippet is not.
  A snippet found on several lines decides only those it makes up most of (a "without" of "rail replacement" does
  not remove every paragraph of a page about rail replacement);
- the seeds' lines are labelled by the hand-checked bodies the tests pin (the previous cleaner's output on them).

The first stage is a logistic regression (``--trees``: gradient boosting instead, scikit-learn's histogram
boosting with a fixed seed and no subsampling, shipped as node arrays and scored with numpy for all lines and trees
of a page at once: ``vigie.extract.clean.TreeEnsemble``; not yet measured held out end to end) over ``vigie.extract.clean.page_lines`` rows (the line's cues, its neighbours', and page
context: window means at several widths, place against the densest stretch, within-page z-scores, prose run,
title overlap), lines weighted by their tokens within equally weighted pages (the score is token F1), an optional
second stage on the first stage's neighbourhood, then a two-state Viterbi over the page's lines; whether the second
stage is used, the decoder's switch cost and the body prior are chosen by an inner site-grouped CV on the training
pages only. Deterministic: fixed folds and seeds.

    .venv/bin/python train/train_cleaner.py [--out src/vigie/data/cleaner_model.json] [--heldout FILE] [--cache DIR]

Writes the shipped model (all pages) and the evaluation gate's model (``train/cleaner_heldout_htmlfr.json``: every
page but those of html-fr's sites). Held-out figures: ``eval/eval_textdump.py`` (5 folds grouped by site).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import math
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
TEXTDUMP = SHARED / "tools" / "textdump.py"
MODEL_OUT = ROOT / "src" / "vigie" / "data" / "cleaner_model.json"
sys.path.insert(0, str(ROOT / "src"))

from vigie.extract.clean import (  # noqa: E402
    BodyModel,
    CleanOptions,
    PageLines,
    TreeEnsemble,
    page_lines,
    stage2_rows,
)

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
SHORT_LINE = 40
SWITCH_GRID = (0.0, 0.5, 1.0, 2.0)
PRIOR_GRID = (0.0, 0.25, 0.5, 1.0)
RULE_TRUST = 1000.0  # the region score above which the rule may keep a French or English page (CleanOptions)
C = 1.0
# Gradient boosting of the first stage (fixed seed, no subsampling, no early stopping: deterministic).
TREES = {"max_iter": 120, "learning_rate": 0.15, "max_leaf_nodes": 15, "max_depth": 6, "min_samples_leaf": 20}


@dataclass(slots=True)
class Page:
    """One dumped page with what is known of its body."""

    corpus: str
    key: str
    url: str
    site: str
    dump: str
    traf: str
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    html_path: str = ""


def flat(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def site_of(url: str, key: str) -> str:
    """The group of a page for CV: its site (the archived site for web.archive.org, the file stem otherwise)."""
    if "web.archive.org" in url:
        m = re.search(r"/web/\d+\w*/(https?://.+)", url)
        url = m.group(1) if m else url
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    if not host:
        host = re.split(r"[-.](?:html?)?", key.removeprefix("hard::"))[0]
    parts = host.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 and len(parts[-1]) > 2 else ".".join(parts[-3:])


def _textdump() -> ModuleType:
    spec = importlib.util.spec_from_file_location("textdump", TEXTDUMP)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {TEXTDUMP}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_pages(cache: Path) -> list[Page]:
    """html-eval pages dumped and extracted by trafilatura (cached in ``cache``), then the seeds."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "pages-v2.json"
    if path.is_file():
        raw: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    else:
        import trafilatura

        dump = _textdump().html_dump
        raw = []
        base = DATA / "html-eval"
        gold = json.loads((base / "gold.json").read_text(encoding="utf-8"))
        for key, g in sorted(gold.items()):
            p = base / "pages" / (key + ".gz")
            html = gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
            raw.append({"corpus": "html-eval", "key": key, "url": g.get("url", key), "with": g["with"],
                        "without": g["without"], "dump": dump(html), "traf": trafilatura.extract(html, include_comments=False) or "",
                        "html_path": str(p)})
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    pages = [
        Page(r["corpus"], r["key"], r["url"], site_of(r["url"], r["key"]), r["dump"], r["traf"], r["with"],
             r["without"], r.get("html_path", ""))
        for r in raw
        if r["corpus"] == "html-eval"  # html-fr's 26 pages are html-eval pages too: scored from the same folds
    ]
    for p in sorted((DATA / "seeds").glob("*.txt")):
        pages.append(Page("seeds", p.name, p.name, "seeds", p.read_text(encoding="utf-8-sig"), ""))
    return pages


def html_fr_urls() -> set[str]:
    gold = json.loads((DATA / "html-fr" / "gold.json").read_text(encoding="utf-8"))
    return set(gold)


SHORT_AHEAD = 4


def _traf_labels(traf_text: str, flats: list[str]) -> list[int]:
    """Dump lines trafilatura's text holds: a long line anywhere in it; a short one ("Werbung", "Details", a
    subhead) equal to one of its lines only beside a long body line or, in page order, among the next few lines
    of trafilatura's text after the last long line matched. The ad marker "Werbung" inside the article is body,
    the same marker in the footer is not; the <title> line is not when the headline comes again further down."""
    # trafilatura writes a list item as "- item": the dump line is "item" (without this, the short items of a
    # list -- "Keine Vorkasse", "Windows 10" -- never equal a line of its text and come out non-body)
    tl = [flat(t).removeprefix("- ") for t in traf_text.splitlines() if t.strip()]
    joined = " ".join(tl)
    starts: list[int] = []
    at = 0
    for t in tl:
        starts.append(at)
        at += len(t) + 1
    out = [0] * len(flats)
    short: list[int] = []
    ptr = 0  # index of the next trafilatura line not yet matched
    for j, f in enumerate(flats):
        if not f or (j == 0 and f in flats[1:]):
            continue
        if len(f) < SHORT_LINE:
            short.append(j)
            continue
        k = joined.find(f)
        if k >= 0:
            out[j] = 1
    set_tl = set(tl)
    long_body = list(out)
    n = len(flats)
    for j in short:
        f = flats[j]
        while ptr < len(tl) and starts[ptr] < _last_end(flats, long_body, j, joined):
            ptr += 1
        if f in tl[ptr : ptr + SHORT_AHEAD]:  # the next line of trafilatura's text in page order
            out[j] = 1
            ptr = tl.index(f, ptr) + 1
        elif f in set_tl and any(long_body[k] for k in range(max(0, j - 2), min(n, j + 3))):
            out[j] = 1  # a subhead or a dateline beside a long body line
        elif (j and long_body[j - 1] and _continues(flats[j - 1], f, joined)) or (
            j + 1 < n and long_body[j + 1] and _continues(f, flats[j + 1], joined)
        ):
            out[j] = 1  # a link inside a paragraph, dumped on its own line ("... laut dem Insider" / "Ming-Chi Kuo")
    return out


def _continues(a: str, b: str, joined: str) -> bool:
    """Whether trafilatura's text holds ``a`` followed by ``b`` (with or without a space between)."""
    return (a + " " + b) in joined or (a + b) in joined


def _last_end(flats: list[str], long_body: list[int], j: int, joined: str) -> int:
    """Where in trafilatura's text the last long body line before dump line ``j`` ends (0 when none)."""
    for k in range(j - 1, -1, -1):
        if long_body[k]:
            return joined.find(flats[k]) + len(flats[k])
    return 0


def silver_labels(page: Page, lines_text: list[str]) -> list[int]:
    """Body (1) or not (0) per dump line, from trafilatura's text and the gold snippets (see the module doc)."""
    if page.corpus == "seeds":
        from vigie.extract.clean import clean_text

        body = clean_text(page.dump, CleanOptions(learned=False))
        keys = {flat(p) for p in body.paragraphs}
        full = flat(body.body)
        return [int(flat(t) in keys or (len(t) >= SHORT_LINE and flat(t) in full)) for t in lines_text]
    flats = [flat(t) for t in lines_text]
    out = _traf_labels(page.traf, flats)
    # The gold snippets override. A snippet found on several lines was picked from one of them: a "without"
    # ("rail replacement", "Projekte") then decides only the lines it makes up most of, not a paragraph that merely
    # mentions it; a "with" marks the lines it makes up most of, or, when trafilatura kept none of them, every
    # line holding it but the <title> line (which repeats the headline).
    for snippets, want in ((page.with_, 1), (page.without, 0)):  # a "without" has the last word
        for s in sorted({flat(s) for s in snippets} - {""}):
            hits = [j for j, f in enumerate(flats) if s in f]
            if len(hits) == 1:
                out[hits[0]] = want
                continue
            most = [j for j in hits if 2 * len(s) >= len(flats[j]) and not (want and j == 0)]
            if want and not most and not any(out[j] for j in hits):
                most = [j for j in hits if j]
            for j in most:
                out[j] = want
    return out


def snippet_agreement(pages: list[Page]) -> dict[str, float]:
    """How often the trafilatura-only labels agree with the gold snippets: the noise of the silver labels."""
    agree = Counter[str]()
    total = Counter[str]()
    for page in pages:
        if page.corpus == "seeds":
            continue
        texts = [flat(ln.text) for ln in page_lines(page.dump).lines]
        labels = _traf_labels(page.traf, texts)
        for kind, snippets, want in (("with", page.with_, 1), ("without", page.without, 0)):
            for s in snippets:
                fs = flat(s)
                hits = [j for j, f in enumerate(texts) if fs and fs in f]
                if not hits:
                    continue
                total[kind] += 1
                agree[kind] += int(all(labels[j] == want for j in hits))
    return {k: agree[k] / total[k] for k in total} | {f"n_{k}": float(total[k]) for k in total}


@dataclass(slots=True)
class Featurised:
    """Rows and labels of every page, stacked, with the page of each row."""

    X: np.ndarray
    y: np.ndarray
    page_of: np.ndarray
    starts: list[int]
    lines: list[list[str]]
    languages: list[str]
    pages: list[PageLines] = field(default_factory=list)  # line records (rows emptied: they are in X)


def featurise(pages: list[Page], cache: Path) -> Featurised:
    path = cache / f"features-{len(pages)}.npz"
    rows: list[list[float]] = []
    ys: list[int] = []
    page_of: list[int] = []
    starts: list[int] = []
    lines: list[list[str]] = []
    langs: list[str] = []
    pls: list[PageLines] = []
    for i, page in enumerate(pages):
        pl = page_lines(page.dump)
        texts = [ln.text for ln in pl.lines]
        starts.append(len(rows))
        rows.extend(pl.rows)
        pl.rows = []
        pls.append(pl)
        ys.extend(silver_labels(page, texts))
        page_of.extend([i] * len(texts))
        lines.append(texts)
        langs.append(pl.language)
    X = np.asarray(rows, dtype=np.float64)
    np.savez_compressed(path, X=X)
    return Featurised(X, np.asarray(ys), np.asarray(page_of), starts, lines, langs, pls)


def fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> BodyModel:
    """Logistic regression on standardised features; the standardisation is folded into the weights."""
    from sklearn.linear_model import LogisticRegression

    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd < 1e-9] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000, solver="lbfgs")
    lr.fit((X - mu) / sd, y, sample_weight=weight)
    w = lr.coef_[0] / sd
    b = float(lr.intercept_[0] - (lr.coef_[0] * mu / sd).sum())
    return BodyModel(weights=[float(v) for v in w], bias=b)


def fit_trees(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> BodyModel:
    """Gradient-boosted trees (scikit-learn's histogram boosting), flattened for numpy inference."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    gb = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **TREES)  # type: ignore[arg-type]
    gb.fit(X, y, sample_weight=weight)
    return BodyModel(weights=[], bias=0.0, trees=ensemble_of(gb), n_features=X.shape[1])


def ensemble_of(gb: Any) -> TreeEnsemble:
    """The fitted trees as node arrays (``vigie.extract.clean.TreeEnsemble``); a leaf points to itself."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0
    for (predictor,) in gb._predictors:
        off = len(feature)
        roots.append(off)
        for k, nd in enumerate(predictor.nodes):
            if nd["is_leaf"]:
                feature.append(0)
                threshold.append(float("inf"))
                left.append(off + k)
                right.append(off + k)
                value.append(float(nd["value"]))
                depth = max(depth, int(nd["depth"]))
            else:
                feature.append(int(nd["feature_idx"]))
                threshold.append(float(nd["num_threshold"]))
                left.append(off + int(nd["left"]))
                right.append(off + int(nd["right"]))
                value.append(0.0)
    return TreeEnsemble(
        np.asarray(feature, dtype=np.intp), np.asarray(threshold), np.asarray(left, dtype=np.intp),
        np.asarray(right, dtype=np.intp), np.asarray(value), np.asarray(roots, dtype=np.intp), depth,
        float(np.ravel(gb._baseline_prediction)[0]),
    )


def token_f1(pred: str, ref: str) -> float:
    p, r = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(ref.lower()))
    overlap = sum((p & r).values())
    if not overlap:
        return 1.0 if not p and not r else 0.0
    prec, rec = overlap / sum(p.values()), overlap / sum(r.values())
    return 2 * prec * rec / (prec + rec)


def lines_body(texts: list[str], labels: list[bool] | list[int]) -> str:
    """The body a labelling gives: chosen lines, each once (as the cleaner keeps them)."""
    seen: set[str] = set()
    out = []
    for t, keep in zip(texts, labels, strict=True):
        k = flat(t)
        if keep and k not in seen:
            seen.add(k)
            out.append(t)
    return "\n".join(out)


def silver_body(data: Featurised, i: int) -> str:
    lo = data.starts[i]
    return lines_body(data.lines[i], [bool(v) for v in data.y[lo : lo + len(data.lines[i])]])


def group_folds(groups: list[str], k: int) -> list[list[int]]:
    """Deterministic site-grouped folds (as GroupKFold: largest groups first into the lightest fold)."""
    from sklearn.model_selection import GroupKFold

    idx = np.arange(len(groups))
    return [list(test) for _, test in GroupKFold(n_splits=k).split(idx, groups=groups)]


def _weights(pages: list[Page], data: Featurised) -> np.ndarray:
    """Every page weighs the same whatever its length (a 3,000-line forum page must not drown the rest), and within
    a page a line weighs its tokens: the score is token F1, so a 2-word "Home" must not count as much as a paragraph
    (held out, stage 1 alone: page F1 0.860 with one weight per line, 0.866 with token weights)."""
    n_tok = np.array([len(_TOKEN.findall(t)) for texts in data.lines for t in texts], dtype=np.float64)
    per_page = np.bincount(data.page_of, weights=n_tok, minlength=len(pages))
    w = 100.0 * n_tok / np.maximum(per_page[data.page_of], 1.0)
    seed = np.array([pages[i].corpus == "seeds" for i in data.page_of])
    w[seed] *= 5.0  # the bundled sample is French news like the user's: it must stay perfect
    return w


def _rows_mask(data: Featurised, page_ids: list[int]) -> np.ndarray:
    return np.isin(data.page_of, page_ids)


def _page_scores(model: BodyModel, data: Featurised, i: int, stage: int) -> list[float]:
    lo, n = data.starts[i], len(data.lines[i])
    if model.trees is not None and stage == 1:
        return model.trees.predict(data.X[lo : lo + n]).tolist()
    rows = data.X[lo : lo + n].tolist()
    return model.stage1(rows) if stage == 1 else model.scores(rows)


def _fit_stage2(X2: np.ndarray, y2: np.ndarray, w2: np.ndarray) -> tuple[list[float], float]:
    from sklearn.linear_model import LogisticRegression

    lr2 = LogisticRegression(C=C, max_iter=2000, solver="lbfgs").fit(X2, y2, sample_weight=w2)
    return [float(v) for v in lr2.coef_[0]], float(lr2.intercept_[0])


def train_model(pages: list[Page], data: Featurised, train_ids: list[int], k: int = 0, trees: bool = False) -> BodyModel:
    """Stage 1 on all training pages; stage 2 on stage 1's out-of-fold scores (inner folds grouped by site); then
    the decoder (whether stage 2 is used, the switch cost, the body prior, whether the rule keeps the clear French
    and English pages) by the best mean page F1 of the body ``clean_text`` would keep from out-of-fold scores.

    Stage 2 is scored there cross-fitted too (fitted without the inner fold of the page it scores): read on the
    stage-2 model's own training rows, it looked better than it is and lost to stage 1 it beats held out."""
    w = _weights(pages, data)
    fitter = fit_trees if trees else fit
    k = k or (2 if trees else 3)  # inner folds: boosting is the slow fit
    train_ids = [i for i in train_ids if data.y[data.starts[i] : data.starts[i] + len(data.lines[i])].any()]
    oof: dict[int, list[float]] = {}
    inner_folds = [[train_ids[j] for j in fold] for fold in group_folds([pages[i].site for i in train_ids], k)]
    for held in inner_folds:
        fit_ids = sorted(set(train_ids) - set(held))
        m = _rows_mask(data, fit_ids)
        inner = fitter(data.X[m], data.y[m], w[m])
        for i in held:
            oof[i] = _page_scores(inner, data, i, 1)
    m = _rows_mask(data, train_ids)
    model = fitter(data.X[m], data.y[m], w[m])

    def s2_data(ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = [np.asarray(stage2_rows(oof[i])) for i in ids]
        sel = np.concatenate([np.arange(data.starts[i], data.starts[i] + len(data.lines[i])) for i in ids])
        return np.vstack(rows), data.y[sel], w[sel]

    model.weights2, model.bias2 = _fit_stage2(*s2_data(train_ids))
    s2: dict[int, list[float]] = {}  # cross-fitted stage-2 scores
    for held in inner_folds:
        w2_, b2_ = _fit_stage2(*s2_data(sorted(set(train_ids) - set(held))))
        for i in held:
            s2[i] = (np.asarray(stage2_rows(oof[i])) @ np.asarray(w2_) + b2_).tolist()
    # The decoder, end to end. The rule's body is the same for every setting: a page it keeps scores that F1 when
    # the rule is trusted, whatever the model says.
    scored = train_ids
    grid = {(st, sw, t): 0.0 for st in (1, 2) for sw in SWITCH_GRID for t in PRIOR_GRID}
    rule_gain = dict.fromkeys(grid, 0.0)
    for i in scored:
        pl, ref = data.pages[i], silver_body(data, i)
        trusted = pl.region_score >= RULE_TRUST and pl.language in ("fr", "en")
        rule_f1 = token_f1(lines_body(data.lines[i], pl.rule_lines()), ref) if trusted else 0.0
        for st, sw, t in grid:
            base = oof[i] if st == 1 else s2[i]
            f1 = token_f1(lines_body(data.lines[i], pl.decode([v + t for v in base], sw)), ref)
            grid[(st, sw, t)] += f1
            if trusted:
                rule_gain[(st, sw, t)] += rule_f1 - f1
    options = {(*key, trust): v + (rule_gain[key] if trust else 0.0) for key, v in grid.items() for trust in (False, True)}
    (stage, model.switch_cost, model.threshold, trust), best = max(
        options.items(), key=lambda kv: (kv[1], -kv[0][0], -abs(kv[0][2]), -kv[0][1], kv[0][3]))
    model.rule_trust = RULE_TRUST if trust else math.inf
    if stage == 1:
        model.weights2, model.bias2 = [], 0.0
    print(f"  decoder: stage {stage}, switch {model.switch_cost}, prior {model.threshold}, rule trusted {trust}: "
          f"inner F1 {best / max(1, len(scored)):.4f}", file=sys.stderr)
    return model


def cross_validated_models(pages: list[Page], data: Featurised, k: int = 5, trees: bool = False) -> dict[int, BodyModel]:
    """For each page, the model trained on the other folds (no page of its site seen in training)."""
    groups = [p.site for p in pages]
    out: dict[int, BodyModel] = {}
    for n_fold, fold in enumerate(group_folds(groups, k)):
        t0 = time.perf_counter()
        train_ids = sorted(set(range(len(pages))) - set(fold))
        model = train_model(pages, data, train_ids, trees=trees)
        for i in fold:
            out[i] = model
        print(f"fold {n_fold + 1}/{k}: {len(fold)} test pages, stages {1 + bool(model.weights2)}, "
              f"switch {model.switch_cost}, prior {model.threshold}, "
              f"{time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return out


def save(model: BodyModel, path: Path, meta: dict[str, Any]) -> None:
    doc: dict[str, Any] = {
        "format": "vigie-cleaner-trees-v1" if model.trees is not None else "vigie-cleaner-logistic-v1",
        "features": model.n_features or len(model.weights),
        "bias": round(model.bias, 6),
        "weights": [round(w, 6) for w in model.weights],
        "switch_cost": model.switch_cost,
        "threshold": model.threshold,
        "bias2": round(model.bias2, 6),
        "weights2": [round(w, 6) for w in model.weights2],
        "rule_trust": model.rule_trust if math.isfinite(model.rule_trust) else None,
        **meta,
    }
    if model.trees is not None:
        doc["trees"] = model.trees.to_json()
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_OUT)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vigie-cleaner-cache"))
    ap.add_argument("--noise", action="store_true", help="print the silver labels' agreement with the snippets")
    ap.add_argument("--trees", action="store_true", help="a boosted-trees first stage instead of the logistic one")
    ap.add_argument("--heldout", type=Path, default=ROOT / "train" / "cleaner_heldout_htmlfr.json",
                    help="also write the model trained without the html-fr sites (the evaluation gate's)")
    args = ap.parse_args(argv)
    if not (DATA / "html-eval" / "gold.json").is_file() or not TEXTDUMP.is_file():
        print(f"train_cleaner: needs {DATA}/html-eval and {TEXTDUMP} (../shared beside the repo)", file=sys.stderr)
        return 2
    pages = load_pages(args.cache)
    if args.noise:
        print(json.dumps(snippet_agreement(pages), indent=1))
    data = featurise(pages, args.cache)
    print(f"{len(pages)} pages, {len(data.y)} lines, {data.y.mean():.3f} body", file=sys.stderr)
    model = train_model(pages, data, list(range(len(pages))), trees=args.trees)
    save(model, args.out, {"pages": len(pages), "lines": len(data.y),
                           "trained_on": "html-eval dumps (trafilatura eval set) + the 5 seeds, silver labels"})
    print(f"wrote {args.out}: switch {model.switch_cost}, prior {model.threshold}", file=sys.stderr)
    if args.heldout:
        # The gate's model: trained without any site of html-fr, so tests/test_eval_gate.py scores pages it never saw.
        fr_sites = {p.site for p in pages if p.url in html_fr_urls()}
        ids = [i for i, p in enumerate(pages) if p.site not in fr_sites]
        gate = train_model(pages, data, ids, trees=args.trees)
        save(gate, args.heldout, {"pages": len(ids), "trained_on": "as the shipped model, minus every html-fr site"})
        print(f"wrote {args.heldout} ({len(ids)} pages, html-fr sites left out)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
