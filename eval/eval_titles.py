"""Measure site names left in (or cut into) titles on trafilatura's evaluation pages (../shared/data/html-eval).

The gold has no titles, so the reference is the page's own headline: its ``<h1>`` when the ``<title>`` or
``og:title`` holds it as one of its parts ("Headline | Site" around an ``<h1>`` "Headline"). Pages without such an
agreement are not scored. Three systems on the same pages:

- ``before``: the title the HTML path gave before site names were stripped (metadata title, else ``<h1>``, else
  ``<title>``; cut to the ``<h1>`` only when that is a prefix);
- ``after``: the same title after :func:`vigie.extract.metadata.strip_site_name` with what the pipeline knows (the
  page's site name or the one its title names, the registered outlet of the URL and its aliases, the host);
- ``generic``: ``after`` plus a site-blind rule (drop a last ``|`` part of at most four words), to see whether a
  rule that knows no name would do better.

Per system: titles equal to the reference, titles with an extra part around it (a site name left in), titles
cut inside it (too much stripped). Usage: python eval/eval_titles.py [--data ../shared/data] [--verbose]
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.errors import InputError  # noqa: E402
from vigie.extract.html import _clean, _page_title, _PageMeta, _parse, _strip_site_suffix  # noqa: E402
from vigie.extract.metadata import site_key, strip_site_name, title_segments, title_site_name  # noqa: E402
from vigie.extract.outlets import OutletRegistry  # noqa: E402
from vigie.extract.readers import decode_bytes  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"


def _generic(title: str | None) -> str | None:
    if not title:
        return title
    parts = re.split(r"\s+\|\s+", title)
    if len(parts) > 1 and len(parts[-1].split()) <= 4 and len(" | ".join(parts[:-1]).split()) >= 3:
        return " | ".join(parts[:-1])
    return title


def _judge(title: str | None, ref: str) -> str:
    k, r = site_key(title or ""), site_key(ref)
    if k == r:
        return "equal"
    if r and r in k:
        return "extra"
    if k and k in r:
        return "cut"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    corpus = args.data / "html-eval"
    if not (corpus / "gold.json").is_file():
        print(f"no {corpus}/gold.json", file=sys.stderr)
        return 2
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    reg = OutletRegistry.default()
    counts: dict[str, Counter[str]] = {s: Counter() for s in ("before", "after", "generic")}
    scored = 0
    for name, entry in sorted(gold.items()):
        path = corpus / "pages" / f"{name}.gz"
        if not path.is_file():
            continue
        try:
            html = decode_bytes(gzip.decompress(path.read_bytes()), str(path))
        except InputError:
            continue
        tree = _parse(html)
        if tree is None:
            continue
        meta = _PageMeta.read(tree)
        h1 = next((t for el in tree.iter("h1") if (t := _clean(" ".join(el.itertext())))), None)
        whole = meta.title or meta.page_title
        if not h1 or not whole or len(h1.split()) < 2:
            continue
        if whole != h1 and not any(site_key(p) == site_key(h1) for p in title_segments(whole)):
            continue  # the page's headline and its title do not agree: no reference
        scored += 1
        url = meta.url or entry.get("url")
        before = _strip_site_suffix(meta.title or _page_title(tree, meta), tree)
        site = meta.site_name or title_site_name(whole, url)
        outlet = reg.by_url(url) if url else None
        names = [site, *([outlet.name, *outlet.aliases, *outlet.domains] if outlet else [])]
        after = before if before == h1 else strip_site_name(strip_site_name(before, [site], url), names, url)
        systems = {"before": before, "after": after, "generic": _generic(after)}
        for system, title in systems.items():
            verdict = _judge(title, h1)
            counts[system][verdict] += 1
            if args.verbose and system == "after" and (verdict != _judge(before, h1) or verdict == "extra"):
                print(f"{system:8} {verdict:6} {name}: {before!r} -> {title!r} (h1 {h1!r})")
    print(f"pages with a headline reference: {scored}")
    print(f"{'system':8} {'equal':>6} {'extra':>6} {'cut':>6} {'other':>6}")
    for system, c in counts.items():
        print(f"{system:8} {c['equal']:6} {c['extra']:6} {c['cut']:6} {c['other']:6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
