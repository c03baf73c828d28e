#!/usr/bin/env python3
"""Score the plain-text cleaner on real French pages dumped to noisy text, beside three baselines.

Each page of ``../shared/data/html-fr/pages`` is dumped to plain text the way a text-only crawler does
(``../shared/tools/textdump.py``: menus, share bars, footers and comments included), cleaned with
``vigie.clean.clean_text`` and scored against ``gold.json``:

- ``with``: share of the snippets that must appear in the body that do;
- ``without``: share of the snippets that must not appear that are absent;
- ``mean``: the mean of the two (trafilatura's own evaluation measure);
- ``F1``: token F1 of the body against ``trafilatura.extract`` of the original HTML (a proxy for the true body).

Baselines, same run: (a) the raw dump unchanged, (b) jusText on the dump (one paragraph per line, French
stoplist), (c) trafilatura on the original HTML (the reference, so its F1 is 1 by construction).

    .venv/bin/python eval/eval_textdump.py [--verbose] [--json]

Data is read from ../shared only (never copied into the repo).
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "html-fr"
TEXTDUMP = SHARED / "tools" / "textdump.py"
sys.path.insert(0, str(ROOT / "src"))

from vigie.extract.clean import clean_text  # noqa: E402

_TOKEN = re.compile(r"\w+")
_WS = re.compile(r"\s+")


def _load_textdump() -> ModuleType:
    spec = importlib.util.spec_from_file_location("textdump", TEXTDUMP)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {TEXTDUMP}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _flat(text: str) -> str:
    return _WS.sub(" ", text).strip()


def token_f1(pred: str, ref: str) -> float:
    """Bag-of-tokens F1 (lower-cased ``\\w+`` tokens)."""
    p, r = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(ref.lower()))
    overlap = sum((p & r).values())
    if not overlap:
        return 0.0
    prec, rec = overlap / sum(p.values()), overlap / sum(r.values())
    return 2 * prec * rec / (prec + rec)


def justext_body(dump: str) -> str:
    """jusText over the dump, one paragraph per line (what a line-based cleaner could do off the shelf)."""
    import justext

    doc = "<html><body>" + "".join(f"<p>{html.escape(ln)}</p>" for ln in dump.splitlines() if ln.strip())
    doc += "</body></html>"
    paras = justext.justext(doc.encode("utf-8"), justext.get_stoplist("French"), encoding="utf-8")
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verbose", action="store_true", help="per-page scores and missed snippets")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    if not (DATA / "gold.json").is_file() or not TEXTDUMP.is_file():
        print(f"eval_textdump: needs {DATA}/gold.json and {TEXTDUMP} (the ../shared folder beside the repo); "
              "it is absent, nothing to evaluate.", file=sys.stderr)
        return 2
    import trafilatura

    textdump = _load_textdump()
    gold: dict[str, dict[str, object]] = json.loads((DATA / "gold.json").read_text(encoding="utf-8"))
    systems: dict[str, Callable[[str, str], str]] = {
        "vigie.extract.clean (dump)": lambda dump, page: clean_text(dump).body,
        "raw dump": lambda dump, page: dump,
        "justext (dump)": lambda dump, page: justext_body(dump),
        "trafilatura (html)": lambda dump, page: trafilatura.extract(page) or "",
    }
    totals = {name: {"with": 0.0, "without": 0.0, "f1": 0.0, "secs": 0.0} for name in systems}
    n_with = n_without = 0
    for _url, g in sorted(gold.items()):
        page = (DATA / str(g["file"])).read_bytes().decode("utf-8", "replace")
        dump = textdump.html_dump(page)
        ref = trafilatura.extract(page) or ""
        withs = [str(s) for s in g.get("with", [])]  # type: ignore[attr-defined]
        withouts = [str(s) for s in g.get("without", [])]  # type: ignore[attr-defined]
        n_with += len(withs)
        n_without += len(withouts)
        for name, fn in systems.items():
            t0 = time.perf_counter()
            body = fn(dump, page)
            totals[name]["secs"] += time.perf_counter() - t0
            flat = _flat(body)
            found = [s for s in withs if _flat(s) in flat]
            leaked = [s for s in withouts if _flat(s) in flat]
            totals[name]["with"] += len(found)
            totals[name]["without"] += len(withouts) - len(leaked)
            f1 = token_f1(body, ref)
            totals[name]["f1"] += f1
            if args.verbose and name.startswith("vigie"):
                missed = [s for s in withs if s not in found]
                print(f"{g['file']:<45} with {len(found)}/{len(withs)} without {len(withouts) - len(leaked)}/"
                      f"{len(withouts)} F1 {f1:.3f}  missed={missed} leaked={leaked}")
    n = len(gold)
    summary = {}
    for name, t in totals.items():
        w, wo = t["with"] / max(n_with, 1), t["without"] / max(n_without, 1)
        summary[name] = {"with": round(w, 3), "without_absent": round(wo, 3), "mean": round((w + wo) / 2, 3),
                         "token_f1_vs_trafilatura": round(t["f1"] / n, 3), "ms_per_page": round(1000 * t["secs"] / n, 2)}
    if args.json:
        print(json.dumps({"pages": n, "systems": summary}, ensure_ascii=False, indent=2))
        return 0
    print(f"{n} pages, {n_with} 'with' snippets, {n_without} 'without' snippets")
    print(f"{'system':<22} {'with':>6} {'without':>8} {'mean':>6} {'F1':>6} {'ms/page':>8}")
    for name, s in summary.items():
        print(f"{name:<22} {s['with']:>6.3f} {s['without_absent']:>8.3f} {s['mean']:>6.3f} "
              f"{s['token_f1_vs_trafilatura']:>6.3f} {s['ms_per_page']:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
