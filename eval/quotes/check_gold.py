#!/usr/bin/env python3
"""Check a gold file of French direct quotations (gold_fr.jsonl).

usage: check_gold.py [GOLD] [DATA_DIR]
  GOLD      default: gold_fr.jsonl next to this script
  DATA_DIR  default: /work/shared/data

For every document: the text exists and its sha1 matches; every quote has
the expected fields and values, lies inside the text, is not empty, does not
begin or end with blanks, does not include its own quotation marks (the
marks inside a span must balance: only nested quotes may be included), is
bordered by a quotation mark on at least one side, and does not overlap
another quote.  Prints counts per kind, corpus and group.  Exits 1 on any
problem, 0 otherwise.  Standard library only.
"""

import collections
import hashlib
import json
import os
import re
import sys

KINDS = ("named", "pronoun", "role", "earlier")
CORPORA = ("rpm2-dev", "seeds", "crisis-dev")
FIELDS = {"start", "end", "speaker", "aliases", "kind", "partial"}
OPENING = "«“‹„\""
CLOSING = "»”›“\""
BLANK = " \t\n\r\u00a0\u202f\u2009"


def load_crisis(data):
    texts = {}
    path = os.path.join(data, "crisis-dev", "crisis-dev.jsonl")
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            texts[record["id"]] = record
    return texts


def document_text(corpus, doc, data, crisis):
    """The text a document's offsets point into, or None."""
    if corpus in ("rpm2-dev", "seeds"):
        path = os.path.join(data, corpus, doc)
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8-sig") as f:   # universal newlines
            return f.read()
    record = crisis.get(doc)
    if record is None or record.get("language") != "fr":
        return None
    return record["maintext"]


def expected_group(corpus, doc):
    if corpus == "rpm2-dev":
        m = re.fullmatch(r"documents/(T\d\d)_C[12]_\d\d\.txt", doc)
        return m and "rpm2/" + m.group(1)
    if corpus == "seeds":
        return "seeds"
    m = re.fullmatch(r"fr/(\w+)/\d{4}-\d\d-\d\d/\w+", doc)
    return m and "crisis/" + m.group(1)


def unbalanced(span):
    """True when the span holds a quotation mark without its partner, i.e.
    when it includes the marks of the quote itself."""
    if span.count("«") != span.count("»") or span.count("‹") != span.count("›"):
        return True
    if span.count('"') % 2:
        return True
    return span.count("“") != span.count("”") + span.count("„")


def bordered(text, start, end):
    i = start - 1
    while i >= 0 and text[i] in BLANK:
        i -= 1
    j = end
    while j < len(text) and text[j] in BLANK:
        j += 1
    return (i >= 0 and text[i] in OPENING + "'") or (j < len(text) and text[j] in CLOSING + "'")


def check_quote(x, text):
    """Problems with one quote, as strings."""
    out = []
    if set(x) != FIELDS:
        out.append("fields %s" % sorted(set(x) ^ FIELDS))
        return out
    s, e = x["start"], x["end"]
    if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
        return ["offsets %r-%r out of range (text has %d characters)" % (s, e, len(text))]
    span = text[s:e]
    if span[0] in BLANK or span[-1] in BLANK:
        out.append("span begins or ends with a blank")
    if unbalanced(span):
        out.append("span includes a quotation mark of its own quote")
    if not bordered(text, s, e):
        out.append("span is not next to any quotation mark")
    if x["kind"] not in KINDS:
        out.append("kind %r" % (x["kind"],))
    if not isinstance(x["partial"], bool):
        out.append("partial is not a boolean")
    if x["speaker"] is not None and not (isinstance(x["speaker"], str) and x["speaker"].strip()):
        out.append("speaker must be a non-empty string or null")
    if not (isinstance(x["aliases"], list) and all(isinstance(a, str) and a for a in x["aliases"])):
        out.append("aliases must be a list of strings")
    elif x["speaker"] is None and x["aliases"]:
        out.append("aliases without a speaker")
    return out


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    gold = argv[1] if len(argv) > 1 else os.path.join(here, "gold_fr.jsonl")
    data = argv[2] if len(argv) > 2 else "/work/shared/data"
    crisis = load_crisis(data)

    problems = []
    seen = set()
    n_docs = collections.Counter()
    n_quotes = collections.Counter()
    n_named = collections.Counter()
    kinds_all = collections.Counter()
    kinds_spk = collections.Counter()
    partial = collections.Counter()
    empty_docs = 0
    speakers = set()

    with open(gold, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    for lineno, line in enumerate(lines, 1):
        where = "line %d" % lineno
        try:
            rec = json.loads(line)
        except ValueError as err:
            problems.append("%s: not JSON (%s)" % (where, err))
            continue
        if set(rec) != {"corpus", "doc", "group", "sha1", "quotes"}:
            problems.append("%s: fields %s" % (where, sorted(rec)))
            continue
        corpus, doc = rec["corpus"], rec["doc"]
        where = "%s (%s %s)" % (where, corpus, doc)
        if corpus not in CORPORA:
            problems.append("%s: unknown corpus" % where)
            continue
        if (corpus, doc) in seen:
            problems.append("%s: document annotated twice" % where)
        seen.add((corpus, doc))
        if rec["group"] != expected_group(corpus, doc):
            problems.append("%s: group %r, expected %r"
                            % (where, rec["group"], expected_group(corpus, doc)))
        text = document_text(corpus, doc, data, crisis)
        if text is None:
            problems.append("%s: no such French document" % where)
            continue
        if hashlib.sha1(text.encode("utf-8")).hexdigest() != rec["sha1"]:
            problems.append("%s: sha1 differs from the text" % where)
            continue
        spans = []
        for k, x in enumerate(rec["quotes"]):
            errs = check_quote(x, text) if isinstance(x, dict) else ["not an object"]
            problems.extend("%s quote %d: %s" % (where, k, err) for err in errs)
            if errs:
                continue
            spans.append((x["start"], x["end"]))
            group = rec["group"]
            n_quotes[group] += 1
            kinds_all[x["kind"]] += 1
            partial[x["partial"]] += 1
            if x["speaker"]:
                n_named[group] += 1
                kinds_spk[x["kind"]] += 1
                speakers.add((doc, x["speaker"]))
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1]:
                problems.append("%s: quotes %d-%d and %d-%d overlap" % (where, a[0], a[1], b[0], b[1]))
        n_docs[rec["group"]] += 1
        empty_docs += not rec["quotes"]

    total_q, total_n = sum(n_quotes.values()), sum(n_named.values())
    print("%s: %d documents (%d without quotes), %d quotes, %d with a speaker, %d null"
          % (gold, sum(n_docs.values()), empty_docs, total_q, total_n, total_q - total_n))
    print("\nkind        all  with speaker")
    for k in KINDS:
        print("%-9s %5d %14d" % (k, kinds_all[k], kinds_spk[k]))
    print("partial: %d true, %d false;  distinct (document, speaker) pairs: %d"
          % (partial[True], partial[False], len(speakers)))
    by_corpus = collections.defaultdict(lambda: [0, 0, 0])
    print("\ngroup           docs  quotes  with speaker")
    for g in sorted(n_docs):
        print("%-14s %5d %7d %13d" % (g, n_docs[g], n_quotes[g], n_named[g]))
        c = "rpm2-dev" if g.startswith("rpm2") else "crisis-dev" if g.startswith("crisis") else "seeds"
        for i, v in enumerate((n_docs[g], n_quotes[g], n_named[g])):
            by_corpus[c][i] += v
    print("\ncorpus          docs  quotes  with speaker")
    for c in CORPORA:
        print("%-14s %5d %7d %13d" % ((c,) + tuple(by_corpus[c])))
    if problems:
        print("\n%d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("\nno problems")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
