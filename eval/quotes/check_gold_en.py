#!/usr/bin/env python3
"""Validate a quote-attribution gold file against its source corpus.

Usage: python3 check_gold_en.py /work/gold/gold_en.jsonl [--stats] [--show]

Checks, per record:
  * schema: corpus, doc, group, sha1, quotes[start,end,speaker,aliases,kind,partial]
  * the document exists in the corpus and sha1(maintext, UTF-8) matches
  * group == "ecb/<topic>" for ecbplus-dev
  * 0 <= start < end <= len(text); quotes sorted and non-overlapping
  * spans carry no surrounding whitespace and do not begin/end with a
    quotation mark (marks are excluded from spans)
  * a quotation mark (or a sentence boundary for mark-less continuations)
    sits next to each span, i.e. the span really is quoted text
  * speaker is a non-empty string or null; aliases a list of strings;
    kind in {named, pronoun, role, earlier}; partial a bool
  * no document annotated twice
Only standard library; reads the corpus once.
"""
import hashlib
import json
import sys
from collections import Counter

SOURCES = {
    "ecbplus-dev": ("/work/shared/data/ecbplus-dev/ecbplus-dev.jsonl", "id", "maintext"),
}
KINDS = {"named", "pronoun", "role", "earlier"}
MARKS = set('"\u201c\u201d\u201e\u00ab\u00bb')
QKEYS = {"start", "end", "speaker", "aliases", "kind", "partial"}


def load(corpus):
    path, idf, textf = SOURCES[corpus]
    docs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d[idf]] = d
    return docs, textf


def near_mark(text, pos, step):
    """True if a quotation mark is reachable from pos over whitespace, or the
    span edge is a line boundary (mark-less continuation / missing mark) or
    is followed by an attribution comma (missing closing mark)."""
    i = pos - 1 if step < 0 else pos
    while 0 <= i < len(text) and text[i] in " \t":
        i += step
    if i < 0 or i >= len(text):
        return True
    return text[i] in MARKS or text[i] == "\n"


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path = argv[1]
    errors, warnings = [], []
    cache = {}
    seen = set()
    stats = Counter()
    per_group = Counter()
    per_kind = Counter()
    docs_with_quotes = set()
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as ex:
                errors.append("line %d: bad JSON (%s)" % (ln, ex))
                continue
            where = "line %d (%s)" % (ln, r.get("doc"))
            for k in ("corpus", "doc", "group", "sha1", "quotes"):
                if k not in r:
                    errors.append("%s: missing key %s" % (where, k))
            corpus = r.get("corpus")
            if corpus not in SOURCES:
                errors.append("%s: corpus %r not handled" % (where, corpus))
                continue
            if corpus not in cache:
                cache[corpus] = load(corpus)
            docs, textf = cache[corpus]
            d = docs.get(r.get("doc"))
            if d is None:
                errors.append("%s: unknown doc" % where)
                continue
            if (corpus, r["doc"]) in seen:
                errors.append("%s: document annotated twice" % where)
            seen.add((corpus, r["doc"]))
            text = d[textf]
            sha = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if r.get("sha1") != sha:
                errors.append("%s: sha1 mismatch" % where)
            if corpus == "ecbplus-dev" and r.get("group") != "ecb/%d" % d["topic"]:
                errors.append("%s: group %r != ecb/%d" % (where, r.get("group"), d["topic"]))
            stats["docs"] += 1
            prev_end = -1
            qs = r.get("quotes", [])
            if not isinstance(qs, list):
                errors.append("%s: quotes not a list" % where)
                continue
            for qi, q in enumerate(qs):
                w = "%s quote %d" % (where, qi)
                if set(q) != QKEYS:
                    errors.append("%s: keys %s" % (w, sorted(q)))
                    continue
                s, e = q["start"], q["end"]
                if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
                    errors.append("%s: bad offsets %r-%r" % (w, s, e))
                    continue
                if s < prev_end:
                    errors.append("%s: overlaps or unsorted (start %d < previous end %d)" % (w, s, prev_end))
                prev_end = e
                span = text[s:e]
                if span != span.strip():
                    errors.append("%s: span has surrounding whitespace" % w)
                if span[0] in MARKS or span[-1] in MARKS:
                    errors.append("%s: span includes a quotation mark" % w)
                if not near_mark(text, s, -1):
                    warnings.append("%s: no quotation mark before span: %r" % (w, text[max(0, s - 20):s]))
                if not near_mark(text, e, +1):
                    warnings.append("%s: no quotation mark after span: %r" % (w, text[e:e + 20]))
                sp = q["speaker"]
                if sp is not None and (not isinstance(sp, str) or not sp.strip()):
                    errors.append("%s: speaker must be a non-empty string or null" % w)
                if not isinstance(q["aliases"], list) or not all(isinstance(a, str) and a for a in q["aliases"]):
                    errors.append("%s: aliases must be a list of non-empty strings" % w)
                if q["kind"] not in KINDS:
                    errors.append("%s: kind %r" % (w, q["kind"]))
                if not isinstance(q["partial"], bool):
                    errors.append("%s: partial must be bool" % w)
                stats["quotes"] += 1
                docs_with_quotes.add(r["doc"])
                if sp is not None:
                    stats["non_null"] += 1
                    per_kind[q["kind"]] += 1
                    per_group[r["group"]] += 1
                else:
                    stats["null"] += 1
                if q["partial"]:
                    stats["partial"] += 1
    for x in errors:
        print("ERROR", x)
    for x in warnings:
        print("WARN ", x)
    print("%s: %d docs (%d with quotes, %d without), %d quotes, %d non-null speakers, %d null, %d partial; %d errors, %d warnings" % (
        path, stats["docs"], len(docs_with_quotes), stats["docs"] - len(docs_with_quotes), stats["quotes"],
        stats["non_null"], stats["null"], stats["partial"], len(errors), len(warnings)))
    if "--stats" in argv:
        print("non-null per kind:", dict(sorted(per_kind.items())))
        print("topics with non-null quotes: %d" % len(per_group))
        print("non-null per group:", ", ".join("%s=%d" % kv for kv in sorted(per_group.items(), key=lambda kv: int(kv[0].split("/")[1]))))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
