#!/usr/bin/env python3
"""Score the plain-text cleaner on real page dumps it was not trained on, beside the baselines, per language.

Pages: the 945 pages of ``../shared/data/html-eval`` (html-fr's 26 French pages are among them and get their own
rows), dumped to text with ``../shared/tools/textdump.py`` the way a text-only crawler does. The cleaner's figures
are **held out**: 5 folds grouped by site, the body model of each page trained on the other folds only
(``train/train_cleaner.py``, decoder settings chosen by an inner CV on the training folds). Measures per page:

- ``F1``: token F1 of the body against the page's silver body (the dump lines trafilatura's extraction of the
  HTML holds, corrected by the gold ``with`` / ``without`` snippets; pages whose silver body is empty are left out
  of F1). trafilatura is scored against a reference mostly made from its own output: its F1 is a ceiling, not a rival;
- ``mean``: the mean of the share of ``with`` snippets found and ``without`` snippets absent (trafilatura's
  own measure, gold by hand).

Baselines, same run: today's rule (``CleanOptions(learned=False)``: the hand-tuned densest-region decision), the raw
dump, jusText on the dump lines (stoplist of the page's language), a plain 20-line densest-region heuristic, and
trafilatura on the original HTML.

    .venv/bin/python eval/eval_textdump.py [--json] [--cache DIR] [--shipped]

``--shipped`` scores the shipped model instead (trained on these pages: an in-sample figure, not a result).
Data is read from ../shared only (never copied into the repo); exits 2 when it is absent.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "train"))

import train_cleaner as T  # noqa: E402

from vigie.extract.clean import BodyModel, CleanOptions, clean_text  # noqa: E402

_JUSTEXT = {"fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
            "nl": "Dutch", "pl": "Polish", "fi": "Finnish", "ru": "Russian", "hu": "Hungarian", "no": "Norwegian_Bokmal"}


def justext_body(dump: str, language: str) -> str:
    """jusText over the dump, one paragraph per line (what a line-based cleaner could do off the shelf)."""
    import justext

    doc = "<html><body>" + "".join(f"<p>{html.escape(ln)}</p>" for ln in dump.splitlines() if ln.strip())
    doc += "</body></html>"
    stop = justext.get_stoplist(_JUSTEXT.get(language, "English"))
    paras = justext.justext(doc.encode("utf-8"), stop, encoding="utf-8")
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def densest_region(dump: str, window: int = 20) -> str:
    """The 20 consecutive non-blank lines holding the most characters."""
    lines = [ln.strip() for ln in dump.splitlines() if ln.strip()]
    if len(lines) <= window:
        return "\n".join(lines)
    sizes = [len(ln) for ln in lines]
    cur = best = sum(sizes[:window])
    at = 0
    for i in range(window, len(lines)):
        cur += sizes[i] - sizes[i - window]
        if cur > best:
            best, at = cur, i - window + 1
    return "\n".join(lines[at : at + window])


def language_of(page: T.Page) -> str:
    import py3langid

    code, _ = py3langid.classify((page.traf or page.dump)[:3000])
    return str(code)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vigie-cleaner-cache"))
    ap.add_argument("--shipped", action="store_true", help="score the shipped model (in-sample, not a result)")
    ap.add_argument("--trees", action="store_true",
                    help="also score a boosted-trees first stage (held out, same folds and labels)")
    args = ap.parse_args(argv)
    if not (T.DATA / "html-eval" / "gold.json").is_file() or not T.TEXTDUMP.is_file():
        print(f"eval_textdump: needs {T.DATA}/html-eval and {T.TEXTDUMP} (the ../shared folder beside the repo); "
              "it is absent, nothing to evaluate.", file=sys.stderr)
        return 2
    pages = T.load_pages(args.cache)
    data = T.featurise(pages, args.cache)
    if args.shipped:
        shipped = BodyModel.load()
        models: dict[int, BodyModel] = dict.fromkeys(range(len(pages)), shipped)
    else:
        models = T.cross_validated_models(pages, data)
    boosted = T.cross_validated_models(pages, data, trees=True) if args.trees and not args.shipped else {}
    html_fr = T.html_fr_urls()
    old = CleanOptions(learned=False)
    everywhere = CleanOptions(rule_trust=float("inf"))  # the model decides French and English pages with a clear region too
    systems: dict[str, Callable[[int, T.Page, str], str]] = {
        "vigie cleaner (held out)" if not args.shipped else "vigie cleaner (shipped, in-sample)":
            lambda i, p, lang: clean_text(p.dump, model=models[i]).body,
        "vigie, model on every page": lambda i, p, lang: clean_text(p.dump, everywhere, model=models[i]).body,
        **({"boosted-trees first stage (held out)": lambda i, p, lang: clean_text(p.dump, model=boosted[i]).body}
           if boosted else {}),
        "today's rule (learned=False)": lambda i, p, lang: clean_text(p.dump, old).body,
        "raw dump": lambda i, p, lang: p.dump,
        "justext (dump lines)": lambda i, p, lang: justext_body(p.dump, lang),
        "20-line densest region": lambda i, p, lang: densest_region(p.dump),
        "trafilatura (html)": lambda i, p, lang: p.traf,
    }
    # sums[group][system] = [f1 sum, f1 pages, with found, with total, without absent, without total, seconds]
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0] * 7))
    for i, page in enumerate(pages):
        if page.corpus != "html-eval":
            continue
        lang = language_of(page)
        groups = ["html-eval", f"html-eval {lang if lang in ('de', 'en', 'fr', 'es') else 'other'}"]
        if page.url in html_fr:
            groups.append("html-fr")
        ref = T.silver_body(data, i)
        withs = [T.flat(s) for s in page.with_ if T.flat(s)]
        withouts = [T.flat(s) for s in page.without if T.flat(s)]
        for name, fn in systems.items():
            t0 = time.perf_counter()
            body = fn(i, page, lang)
            secs = time.perf_counter() - t0
            fb = T.flat(body)
            f1 = T.token_f1(body, ref) if ref else None
            for g in groups:
                s = sums[g][name]
                if f1 is not None:
                    s[0] += f1
                    s[1] += 1
                s[2] += sum(w in fb for w in withs)
                s[3] += len(withs)
                s[4] += sum(w not in fb for w in withouts)
                s[5] += len(withouts)
                s[6] += secs
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for g in sorted(sums, key=lambda g: (g != "html-eval", g != "html-fr", g)):
        summary[g] = {}
        for name, s in sums[g].items():
            w, wo = s[2] / max(s[3], 1), s[4] / max(s[5], 1)
            summary[g][name] = {"f1": round(s[0] / max(s[1], 1), 4), "pages": s[1], "with": round(w, 4),
                                "without_absent": round(wo, 4), "mean": round((w + wo) / 2, 4),
                                "ms_per_page": round(1000 * s[6] / max(s[1], 1), 2)}
    floors = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))
    status = 0
    if not args.shipped:  # the held-out F1 floors (the gate test pins html-fr snippets with the held-out model)
        for key, group in (("textdump_cv_html_eval_f1", "html-eval"), ("textdump_cv_html_fr_f1", "html-fr")):
            got = next(iter(summary[group].values()))["f1"]
            if key in floors and got < floors[key]:
                print(f"eval_textdump: {group} held-out F1 {got:.3f} below the floor {floors[key]}", file=sys.stderr)
                status = 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return status
    for g, rows in summary.items():
        n = int(next(iter(rows.values()))["pages"])
        print(f"\n{g}: {n} pages scored on F1")
        print(f"  {'system':<32} {'F1':>6} {'with':>6} {'without':>8} {'mean':>6} {'ms/page':>8}")
        for name, r in rows.items():
            print(f"  {name:<32} {r['f1']:>6.3f} {r['with']:>6.3f} {r['without_absent']:>8.3f} {r['mean']:>6.3f} "
                  f"{r['ms_per_page']:>8.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
