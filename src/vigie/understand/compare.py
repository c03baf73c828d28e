"""Outlet comparison: who reports which fact, who alone, who leaves out what most others report, who was first.

Facts are the story's timeline entries, quotes and key entities; an outlet covers a fact when one of its articles is
among the fact's sources. A reprint speaks with its original outlet's voice ("Le Point via Actu Cameroun").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vigie.extract.outlets import OutletRegistry
from vigie.models import Article
from vigie.stories.views import voice_label
from vigie.understand.timeline import Disagreement
from vigie.understand.views import Coverage, CoverageFact, OutletProfile, OutletQuote

_KEY_ENTITY_TYPES = ("PER", "ORG")


def voice(article: Article) -> str:
    """The outlet an article speaks for: its original outlet for a reprint, else its publisher."""
    return voice_label(article.outlet, article.original_outlet) or "(unknown outlet)"


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def coverage(
    articles: Sequence[Article],
    analysis: dict[str, Any],
    article_entities: dict[str, set[str]],
    *,
    registry: OutletRegistry | None = None,
    key_entities: int = 12,
) -> Coverage:
    """Coverage matrix of facts x outlets, with per-outlet exclusives, omissions, quotes and profiles.

    Args:
        articles: the story's articles (near copies excluded: they are no extra voice).
        analysis: the story analysis dict (``timeline``, ``quotes``, ``entities``, ``disagreements``).
        article_entities: article id -> story-level entity names it mentions.
        registry: outlet registry for profiles.
        key_entities: how many of the most mentioned people and organisations become facts.
    """
    reg = registry or OutletRegistry.default()
    voice_of = {a.id: voice(a) for a in articles}
    outlets = sorted(set(voice_of.values()), key=lambda v: (min((a.published or "~") for a in articles
                                                                 if voice_of[a.id] == v), v))
    facts: list[dict[str, Any]] = []
    for t in analysis.get("timeline", []):
        facts.append({"kind": "timeline", "label": f"{t['date']} — {_short(t['text'])}", "text": t["text"],
                      "sources": t["sources"]})
    for q in analysis.get("quotes", []):
        who = q.get("speaker") or "?"
        facts.append({"kind": "quote", "label": f"{who}: « {_short(q['text'], 70)} »", "text": q["text"],
                      "sources": [q["article"]]})
    ents = [e for e in analysis.get("entities", []) if e["type"] in _KEY_ENTITY_TYPES][:key_entities]
    for e in ents:
        srcs = [aid for aid, names in article_entities.items() if e["name"] in names and aid in voice_of]
        facts.append({"kind": "entity", "label": e["name"], "text": e["name"], "sources": srcs})
    for f in facts:
        f["outlets"] = sorted({voice_of[s] for s in f["sources"] if s in voice_of}, key=outlets.index)

    only: dict[str, list[str]] = {o: [] for o in outlets}
    missing: dict[str, list[str]] = {o: [] for o in outlets}
    for f in facts:
        if f["kind"] == "entity":
            continue
        if len(f["outlets"]) == 1 and len(outlets) > 1:
            only[f["outlets"][0]].append(f["label"])
        # Left out: a fact that most of the other outlets report (and at least two do).
        for o in outlets:
            others = len(outlets) - 1
            n = len(set(f["outlets"]) - {o})
            if o not in f["outlets"] and n >= 2 and n > others / 2:
                missing[o].append(f["label"])

    quotes_by: dict[str, list[OutletQuote]] = {o: [] for o in outlets}
    for q in analysis.get("quotes", []):
        if q["article"] in voice_of:
            quotes_by[voice_of[q["article"]]].append(OutletQuote(q.get("speaker"), q["text"]))

    profiles = []
    dated = sorted((a.published, voice_of[a.id]) for a in articles if a.published)
    first_voice = dated[0][1] if dated else None
    for o in outlets:
        arts = [a for a in articles if voice_of[a.id] == o]
        name = arts[0].original_outlet or arts[0].outlet
        entry = reg.get(name) if name else None
        times = sorted(a.published for a in arts if a.published)
        profiles.append(OutletProfile(
            name=o,
            articles=[a.id for a in arts],
            first=times[0] if times else None,
            first_to_report=o == first_voice,
            country=entry.country if entry else None,
            owner=entry.owner if entry else None,
            funding=entry.funding if entry else None,
            state_affiliated=entry.state_affiliated if entry else None,
            quotes=quotes_by[o],
            only=only[o],
            missing=missing[o],
        ))
    return Coverage(
        outlets=profiles,
        facts=[CoverageFact(f["kind"], f["label"], f["text"], f["outlets"], f["sources"]) for f in facts],
        only=only,
        missing=missing,
        first=first_voice,
        disagreements=[Disagreement(d["about"], d["values"]) for d in analysis.get("disagreements", [])],
    )
