"""Precision of Vigie's political events on a hand-checked sample (eval/annotations/events_judged.json).

Vigie's event extraction (``vigie.understand``: only events whose actor and target resolve to entities, as a story
reports them) is re-run on the French dev documents and each event is looked up among the judgments by
(document, sentence start, category, actor, target). A judgment says whether the actor, the target and the category
are right and whether the text states it (not denied, not a false belief); an event is right when all four hold. Events no judgment covers are counted as unjudged, and judged
events the run no longer gives as gone, so a rule change shows what it added and what it removed.

Documents are split by topic / crisis into a tuning half (rules were fixed looking at it) and a held-out half
(only judged, never used to change a rule):

  tuning    seeds, RPM2 dev T01-T05, crisis-dev fr/yemen, html-fr pages whose name hashes even
  held out  RPM2 dev T06-T10, crisis-dev fr/egypt, html-fr pages whose name hashes odd

The judgments keep pointers only (document id, sentence offset, event fields, verdict), never the texts; parses are
cached under /tmp/vigie-events.

Usage: python eval/eval_events.py [--data ../shared/data] [--half heldout|tuning|all] [--dump FILE] [--show]
  --dump FILE  writes every event of the run (with its sentence, for judging by hand) to FILE, outside the repo.
Exit status 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vigie.models import Article  # noqa: E402
from vigie.understand import MAX_ANALYSED_CHARS, analyze_parsed, parse_texts  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
JUDGED = ROOT / "eval" / "annotations" / "events_judged.json"
CACHE = Path("/tmp/vigie-events")
TUNING_RPM2 = {f"T{i:02d}" for i in range(1, 6)}


@dataclass(slots=True)
class Doc:
    id: str
    group: str
    half: str
    body: str
    published: str | None


def _page_half(name: str) -> str:
    return "tuning" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "heldout"


def load_docs(data: Path) -> list[Doc]:
    """The French dev documents with their group and half (bodies cut where the stage cuts them)."""
    out: list[Doc] = []
    for p in sorted((data / "rpm2-dev" / "documents").glob("*.txt")):
        text = p.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        _, _, body = text.partition("\n")
        topic = p.stem.split("_")[0]
        out.append(Doc(p.stem, f"rpm2/{topic}", "tuning" if topic in TUNING_RPM2 else "heldout", body.strip(), None))
    for line in (data / "crisis-dev" / "crisis-dev.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d["language"] != "fr":
            continue
        _, _, body = d["maintext"].strip().partition("\n")
        half = "tuning" if d["topic"] == "yemen" else "heldout"
        out.append(Doc(f"crisis/{d['id']}", f"crisis/{d['topic']}", half, body.strip(), d["date_publish"][:10]))
    from vigie.extract.clean import clean_text

    for p in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
        cleaned = clean_text(p.read_text(encoding="utf-8"))
        out.append(Doc(f"seeds/{p.stem}", "seeds", "tuning", str(cleaned.body or ""), None))
    pages = data / "html-fr" / "pages"
    if pages.is_dir():
        import trafilatura

        for p in sorted(pages.glob("*.html")):
            html = p.read_text(encoding="utf-8", errors="replace")
            body = trafilatura.extract(html) or ""
            meta = trafilatura.extract_metadata(html)
            if len(body) >= 200:
                out.append(Doc(f"html-fr/{p.stem}", f"html-fr/{p.stem}", _page_half(p.stem), body,
                               (meta.date if meta else None) or None))  # fmt: skip
    for d in out:
        d.body = d.body[:MAX_ANALYSED_CHARS]
    return out


def _parses(docs: list[Doc]) -> list[Any]:
    from spacy.tokens import DocBin

    from vigie.understand import MODELS, get_nlp

    nlp = get_nlp("fr")
    key = hashlib.sha1(("\0".join(d.body for d in docs) + MODELS["fr"] + nlp.meta.get("version", "")).encode()).hexdigest()[:16]
    path = CACHE / f"fr_{key}.spacy"
    if path.is_file():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    parsed = parse_texts([d.body for d in docs], "fr")
    CACHE.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=False)
    for doc in parsed:
        db.add(doc)
    db.to_disk(path)
    return parsed


def run_events(docs: list[Doc]) -> list[dict[str, Any]]:
    """Every reported (resolved) event of the documents, as judgment keys plus the sentence."""
    out = []
    for d, parsed in zip(docs, _parses(docs), strict=True):
        analysis = analyze_parsed(Article(id=d.id, source=d.id, body=d.body, published=d.published, language="fr"), parsed, "fr")
        for e in analysis.events:
            if e.resolved:
                out.append({"doc": d.id, "half": d.half, "group": d.group, "start": e.start, "action": e.action,
                            "label": e.label, "actor": e.actor, "target": e.target, "text": e.text})
    return out


def key(e: dict[str, Any]) -> tuple[str, int, str, str, str]:
    return (e["doc"], int(e["start"]), e["action"], e["actor"] or "", e["target"] or "")


def score(events: list[dict[str, Any]], judged: list[dict[str, Any]], half: str) -> dict[str, Any]:
    """Precision over the judged events of ``half`` the run gives, with actor / target / category apart."""
    verdicts = {key(j): j for j in judged if j["half"] == half}
    mine = [e for e in events if e["half"] == half]
    hit = [verdicts[key(e)] for e in mine if key(e) in verdicts]
    given = {key(e) for e in mine}
    n = len(hit)

    def share(field: str) -> float:
        return sum(bool(j[field]) for j in hit) / n if n else float("nan")

    return {"events": len(mine), "judged": n, "unjudged": len(mine) - n,
            "gone": sum(1 for k in verdicts if k not in given),
            "precision": sum(right(j) for j in hit) / n if n else float("nan"),
            "actor": share("actor_ok"), "target": share("target_ok"), "category": share("category_ok"),
            "stated": share("stated_ok")}


def right(j: dict[str, Any]) -> bool:
    return bool(j["actor_ok"] and j["target_ok"] and j["category_ok"] and j.get("stated_ok", True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--half", choices=("heldout", "tuning", "all"), default="all")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--show", action="store_true", help="print the wrong and the unjudged events")
    args = ap.parse_args(argv)
    if not (args.data / "rpm2-dev").is_dir() or not (args.data / "crisis-dev").is_dir():
        print(f"{args.data}: shared data absent", file=sys.stderr)
        return 2
    docs = load_docs(args.data)
    events = run_events(docs)
    if args.dump:
        args.dump.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n", encoding="utf-8")
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))["events"] if JUDGED.is_file() else []
    halves = ("tuning", "heldout") if args.half == "all" else (args.half,)
    print(f"documents: {Counter(d.half for d in docs)}")
    for h in halves:
        s = score(events, judged, h)
        print(f"{h:8s} events {s['events']:4d}  judged {s['judged']:3d}  unjudged {s['unjudged']:3d}  gone {s['gone']:3d}  "
              f"precision {s['precision']:.3f}  (actor {s['actor']:.3f}, target {s['target']:.3f}, category {s['category']:.3f}, "
              f"stated {s['stated']:.3f})")
        if args.show:
            verdicts = {key(j): j for j in judged if j["half"] == h}
            for e in events:
                if e["half"] != h:
                    continue
                j = verdicts.get(key(e))
                if j is None or not right(j):
                    tag = "UNJUDGED" if j is None else "WRONG " + j.get("why", "")
                    print(f"  {tag}: {e['doc']}@{e['start']} {e['actor']} {e['action']} {e['target']} | {e['text'][:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
