"""The understand stage on a store: each article is analysed once, when it comes in, and the result is kept.

:func:`understand_new` runs in the pipeline after storing (batched ``nlp.pipe``, in ``n_process`` processes for
large batches) and writes one row per article; :func:`stored_analyses` gives a story's analyses back without
parsing, analysing (and storing) only what is missing or was written by another shape of the records. Re-cleaning
an article (``vigie reprocess``) drops its analysis, so it is made again from the new text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from vigie.errors import StoreError
from vigie.models import Article
from vigie.records import decode, encode, fingerprint
from vigie.store import ArticleMention, ArticleStore, entity_counts
from vigie.understand import DEFAULT_PARSE, ArticleAnalysis, ParseOptions, analyze_articles
from vigie.understand.summarize import DocUnits, SummaryOptions, prepare, units_key

__all__ = [
    "VERSION", "keep_analyses", "mentions", "read_analyses", "reindex", "stored_analyses", "stored_summary_units",
    "understand_new",
]

log = logging.getLogger(__name__)

# The stored shape: changes with any field of the records, so an upgrade re-analyses instead of misreading.
VERSION = fingerprint(ArticleAnalysis)
_CHUNK = 256  # articles per nlp.pipe call and per transaction: bounded memory on large batches


def _row(analysis: ArticleAnalysis) -> tuple[str, str, str]:
    return analysis.article_id, VERSION, json.dumps(encode(analysis), ensure_ascii=False, separators=(",", ":"))


def mentions(analysis: ArticleAnalysis) -> list[ArticleMention]:
    """The entity index rows of an analysis: each name it counts or gives a quote to, by slug (what an entity page
    reads of the stories whose details are not made yet)."""
    speakers = [q.speaker for q in analysis.quotes if q.kind != "fragment" and q.speaker]  # a description names no one
    return [ArticleMention(analysis.article_id, *row) for row in entity_counts(analysis.entities, speakers)]


def _save(store: ArticleStore, analyses: Sequence[ArticleAnalysis]) -> None:
    store.save_analyses([_row(a) for a in analyses], [m for a in analyses for m in mentions(a)])


def keep_analyses(store: ArticleStore, analyses: Sequence[ArticleAnalysis]) -> None:
    """Store analyses made elsewhere (an executor's workers)."""
    for i in range(0, len(analyses), _CHUNK):
        _save(store, analyses[i : i + _CHUNK])


def understand_new(store: ArticleStore, article_ids: Sequence[str], *, n_process: int = 1,
                   on_progress: Callable[[int], None] | None = None, parse: ParseOptions = DEFAULT_PARSE) -> int:
    """Analyse these stored articles and keep the results; returns how many were analysed.

    ``on_progress`` gets the number of articles analysed, as they are (see :func:`analyze_articles`); ``parse``
    says how much of each text the model parses.

    Raises:
        VigieError: the language model is missing (nothing is stored; the caller reports it and goes on).
    """
    done = 0
    for i in range(0, len(article_ids), _CHUNK):
        articles = [store.get(aid) for aid in article_ids[i : i + _CHUNK]]
        analyses = analyze_articles(articles, n_process=n_process if len(articles) > 32 else 1,
                                    on_progress=on_progress, parse=parse)
        _save(store, analyses)
        done += len(analyses)
    return done


def read_analyses(store: ArticleStore, article_ids: Sequence[str]) -> dict[str, ArticleAnalysis]:
    """The stored analyses of these articles that can be used as they are: of this record ``VERSION`` and readable
    (a damaged row is logged and left out, never trusted); nothing is made."""
    rows = store.analyses(list(article_ids))
    found: dict[str, ArticleAnalysis] = {}
    for aid in article_ids:
        row = rows.get(aid)
        if row is None or row[0] != VERSION:
            continue
        try:
            found[aid] = decode(ArticleAnalysis, json.loads(row[1]))
        except (ValueError, KeyError, TypeError) as e:
            log.warning("%s: stored analysis of %s unreadable (%s)", store.path, aid, e)
    return found


def reindex(store: ArticleStore) -> int:
    """Write the entity index rows of every usable stored analysis again, from the analysis alone (no parsing);
    returns how many were indexed. A store whose analyses predate the index (schema 9) gets its entity pages whole
    without the cost of ``reprocess --understand``."""
    ids = sorted(store.known_ids())
    done = 0
    for i in range(0, len(ids), _CHUNK):
        found = read_analyses(store, ids[i : i + _CHUNK])
        if found:
            _save(store, list(found.values()))
            done += len(found)
    return done


def stored_analyses(store: ArticleStore, articles: Sequence[Article]) -> list[ArticleAnalysis]:
    """The analyses of ``articles``, in order: stored ones read back, missing, stale or damaged ones made (and
    stored when the store can be written; a read-only store still gets its answer)."""
    found = read_analyses(store, [a.id for a in articles])
    missing = [a for a in articles if a.id not in found]
    if missing:
        made = analyze_articles(missing)
        found.update((m.article_id, m) for m in made)
        try:
            _save(store, made)
        except StoreError as e:
            log.warning("%s: analyses not kept (%s)", store.path, e)
    return [found[a.id] for a in articles]


def stored_summary_units(store: ArticleStore, articles: Sequence[Article],
                         options: SummaryOptions | None = None) -> dict[str, DocUnits]:
    """What a summary needs of each of ``articles`` (:class:`vigie.understand.summarize.DocUnits`, id -> units):
    kept ones read back, missing, stale or damaged ones made in one batch (and kept when the store can be written).
    A story's details made again when an article joins it then cut and embed that article alone."""
    opts = options or SummaryOptions()
    key = units_key(opts)
    rows = store.summary_units([a.id for a in articles])
    found: dict[str, DocUnits] = {}
    for a in articles:
        row = rows.get(a.id)
        if row is None or row[0] != key:
            continue
        try:
            found[a.id] = DocUnits.decode(row[1], row[2])
        except (ValueError, KeyError, TypeError) as e:
            log.warning("%s: stored summary units of %s unreadable (%s)", store.path, a.id, e)
    missing = [a for a in articles if a.id not in found]
    if missing:
        made = prepare([(a.id, a.title or "", a.body) for a in missing], opts)
        found.update(made)
        try:
            store.save_summary_units([(aid, key, *units.encode()) for aid, units in made.items()])
        except StoreError as e:
            log.warning("%s: summary units not kept (%s)", store.path, e)
    return found
