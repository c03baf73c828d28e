"""Story stage: duplicates, embeddings and two-level clustering of stored articles, persisted in the store.

Runs after ingest on every article it has not seen yet, in batches. A near copy is linked to its first-seen copy
and takes its placement (it is not another voice); every other article is embedded once and placed online by
:class:`vigie.stories.cluster.StoryClusterer`, whose state is saved with each batch so a later ingest continues online.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from vigie.errors import NotFoundError, VigieError
from vigie.extract.metadata import strip_site_name
from vigie.models import Article
from vigie.store import ArticleStore, EntityRow, Placement, entity_counts
from vigie.stories.cluster import ArticleFeatures, ClusterItem, ClusterOptions, StoryClusterer
from vigie.stories.dedup import Deduplicator, DedupOptions, exact_key
from vigie.stories.views import EventView, StoryArticle, StoryView, voice_label

if TYPE_CHECKING:
    from vigie.understand.abstractive import LLMConfig
    from vigie.understand.views import StoryDetail

log = logging.getLogger(__name__)

_STATE_JSON = "clusterer.json"


@dataclass(slots=True)
class StoryOptions:
    """Options of the story stage (clustering thresholds live in :class:`ClusterOptions`)."""

    dedup: DedupOptions = field(default_factory=DedupOptions)
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    batch_size: int = 512

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


@dataclass(slots=True)
class StoryReport:
    placed: int = 0
    duplicates: int = 0


class _PersistedState:
    """The clusterer's state as rows in the store: loading reassembles it, saving writes only what changed."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        self.placed: list[tuple[str, str, str]] = []  # (article, event, story) per clusterer row, as saved
        self.saved_edges = 0

    def load(self, options: ClusterOptions) -> StoryClusterer:
        meta = self.store.state_blob(_STATE_JSON)
        if meta is None:
            return StoryClusterer(options)
        state = json.loads(meta)
        # Everything streams, one row at a time, into the clusterer's own arrays: holding every row (bytes, JSON
        # text, decoded lists) besides them would double the peak memory on a large store.
        state["vsum"] = np.fromiter((np.frombuffer(v, dtype=np.float32) for _, _, v in self.store.cluster_rows()),
                                    dtype=np.dtype((np.float32, 512)))  # fmt: skip
        state["articles"] = (json.loads(data) for _, data, _ in self.store.cluster_rows())
        state["edges"] = self.store.cluster_edges()
        cl = StoryClusterer.from_state(state)
        del state
        self.placed = [cl.placement(r) for r in range(cl.n_rows)]
        self.saved_edges = cl.n_edges
        return cl

    def diff(self, cl: StoryClusterer) -> tuple[dict[str, bytes], list[tuple[int, str, bytes]],
                                                 list[tuple[int, int, float]], dict[str, tuple[str, str]]]:
        """What changed since the last save: meta, rows (new or re-placed), new edges, changed assignments."""
        rows: list[tuple[int, str, bytes]] = []
        changed: dict[str, tuple[str, str]] = {}
        for r in range(cl.n_rows):
            now = cl.placement(r)
            if r < len(self.placed) and self.placed[r] == now:
                continue
            if r < len(self.placed):
                self.placed[r] = now
            else:
                self.placed.append(now)
            rows.append((r, json.dumps(cl.row_entry(r), separators=(",", ":")), cl.row_vector(r).tobytes()))
            changed[now[0]] = (now[1], now[2])
        edges = cl.edges_since(self.saved_edges)
        self.saved_edges = cl.n_edges
        meta = {_STATE_JSON: json.dumps(cl.meta_state(), separators=(",", ":")).encode()}
        return meta, rows, edges, changed


def _load_dedup(store: ArticleStore, options: DedupOptions) -> Deduplicator:
    d = Deduplicator(options)
    for aid, key, sig in store.dedup_rows():
        d.restore(aid, key, None if sig is None else np.frombuffer(sig, dtype=np.uint32))
    return d


def cluster_item(article: Article) -> ClusterItem:
    """What the clusterer is given of an article (its vector is computed from this title and body)."""
    return ClusterItem(id=article.id, title=article.title or "", body=article.body or f"{article.title or ''}\n",
                       published=article.published, language=article.language)  # fmt: skip


def article_vectors(articles: Sequence[Article], *, threads: int = 1) -> list[np.ndarray]:
    """The story-stage vectors of these articles, as the clusterer would compute them (executors that embed on
    their workers hand them to :func:`update_stories`)."""
    from vigie.stories.embed import Embedder

    items = [cluster_item(a) for a in articles]
    return list(Embedder(threads=threads).embed_articles([it.title for it in items], [it.body for it in items]))


def update_stories(
    store: ArticleStore, options: StoryOptions | None = None, on_progress: Callable[[int], None] | None = None,
    *, vectors: Mapping[str, np.ndarray] | None = None,
) -> StoryReport:
    """Place every article the story stage has not seen yet; returns how many were placed and were duplicates.

    ``vectors`` (article id -> vector from :func:`article_vectors`) spares embedding the articles it covers.
    """
    opts = options or StoryOptions()
    report = StoryReport()
    if store.count_unplaced() == 0:
        return report
    # Another process may run the stage at the same time: it waits here, then places only what is still unplaced.
    with store.stories_lock():
        _place(store, opts, report, on_progress, vectors or {})
    return report


def _place(
    store: ArticleStore, opts: StoryOptions, report: StoryReport, on_progress: Callable[[int], None] | None,
    vectors: Mapping[str, np.ndarray],
) -> None:
    """The stage under the story lock: load the saved clusterer, place the pending articles batch by batch."""
    persisted = _PersistedState(store)
    try:
        clusterer = persisted.load(opts.cluster)
    except VigieError as e:
        log.warning("%s: %s; placing every article again", store.path, e)
        store.reset_stories()
        clusterer = persisted.load(opts.cluster)
    pending = store.unplaced()
    dedup = _load_dedup(store, opts.dedup)
    # Root of each duplicate chain: a copy of a copy points at the first-seen article.
    roots: dict[str, str] = {}

    for start in range(0, len(pending), opts.batch_size):
        batch = pending[start : start + opts.batch_size]
        features: list[tuple[str, str, bytes | None, bytes | None, str | None]] = []
        dups: dict[str, str] = {}
        items: list[ClusterItem] = []
        for a in batch:
            sig = dedup.signature(a.body)
            orig = dedup.add(a.id, a.body, sig)
            if orig is not None:
                root = roots.get(orig, orig)
                roots[a.id] = root
                dups[a.id] = root
            features.append((a.id, exact_key(a.body), None if sig is None else sig.tobytes(), None, None))
            if orig is None:
                item = cluster_item(a)
                item.vector = vectors.get(a.id)
                items.append(item)
        # A near copy may match a copy placed by an earlier run (the index keeps copies too): point it at that
        # copy's original, or it would hang on an article that has no placement of its own.
        earlier = store.duplicates_of(sorted({r for r in dups.values() if r not in roots}))
        for aid, root in dups.items():
            if root in earlier:
                dups[aid] = roots[aid] = earlier[root]
        clusterer.add(items)
        by_id = {it.id: it for it in items}
        for i, (aid, key, sig_b, _, _) in enumerate(features):
            it = by_id.get(aid)
            if it is not None and it.vector is not None:
                feats = it.features.to_dict() if isinstance(it.features, ArticleFeatures) else None
                features[i] = (aid, key, sig_b, it.vector.astype(np.float16).tobytes(),
                               json.dumps(feats) if feats else None)
        meta, rows, edges, changed = persisted.diff(clusterer)
        store.save_placements(features, dups, changed, meta, rows, edges)
        report.placed += len(batch)
        report.duplicates += len(dups)
        if on_progress:
            on_progress(len(batch))


def recluster_stories(store: ArticleStore, options: ClusterOptions | None = None) -> int:
    """Group the placed articles into stories and events again with ``options`` (default: this version's defaults),
    from the saved vectors and features: nothing is cleaned or embedded again. Returns how many articles moved.

    A store keeps the options it was clustered with; after an upgrade that changes how stories or events form,
    this brings existing stories in line with new ones.

    Raises:
        VigieError: when the new thresholds need pairs the saved edges never scored (see ``StoryClusterer.recluster``).
    """
    with store.stories_lock():
        persisted = _PersistedState(store)
        try:
            clusterer = persisted.load(options or ClusterOptions())
        except VigieError as e:
            # A state from an older clusterer (other features, other edge scores): only placing again can honour it.
            log.warning("%s: %s; placing every article again", store.path, e)
            before = {r["id"]: (r["event_id"], r["story_id"]) for r in store.placements()}
            store.reset_stories()
            _place(store, StoryOptions(cluster=options or ClusterOptions()), StoryReport(), None, {})
            return sum(1 for r in store.placements() if before.get(r["id"]) != (r["event_id"], r["story_id"]))
        clusterer.recluster(options or ClusterOptions())
        meta, rows, edges, changed = persisted.diff(clusterer)
        store.save_placements([], {}, changed, meta, rows, edges)
    return len(changed)


# -- views ------------------------------------------------------------------------------------------------------


def story_title(rows: Sequence[Placement]) -> str | None:
    """The title of a story or an event, the one every shell shows: the headline of its most central original
    article (nearest the mean vector of the articles that are not near copies), without the site name around it.

    Near copies and reprints stand back: their headline is an original's, often with another site's name. A title
    stored before site names were stripped at extraction loses it here too.
    """
    if not rows:
        return None
    originals = [r for r in rows if not r["duplicate_of"]] or list(rows)
    own = [r for r in originals if not r["original_outlet"]] or originals
    vecs = [(r, np.frombuffer(r["vector"], dtype=np.float16).astype(np.float32)) for r in own if r["vector"]]
    titled = [(r, v) for r, v in vecs if r["title"]]
    best: Placement | None
    if titled:
        mean = np.mean([v for _, v in titled], axis=0)
        best = max(titled, key=lambda rv: (float(rv[1] @ mean), -own.index(rv[0])))[0]
    else:
        best = next((r for r in [*own, *rows] if r["title"]), None)
    if best is None:
        return None
    return strip_site_name(best["title"], _site_names(best), best["url"]) or best["title"]


def _site_names(row: Placement) -> list[str | None]:
    from vigie.extract.outlets import OutletRegistry

    reg = OutletRegistry.default()
    names: list[str | None] = [row["outlet"], row["original_outlet"]]
    for name in (row["outlet"], row["original_outlet"]):
        if name and (o := reg.get(name)) is not None:
            names += [*o.aliases, *o.domains]
    return names


def _story_view(story_id: str, rows: list[Placement]) -> StoryView:
    events: dict[str, list[Placement]] = {}
    for r in rows:
        events.setdefault(r["event_id"], []).append(r)
    # One voice per independent outlet: a reprint is its original through its publisher, a near copy adds none.
    outlets: list[str] = []
    for r in rows:
        label = None if r["duplicate_of"] else voice_label(r["outlet"], r["original_outlet"])
        if label and label not in outlets:
            outlets.append(label)
    dates = sorted(r["published"] for r in rows if r["published"])
    ev_views = [
        EventView(eid, story_title(er), [r["id"] for r in er])
        for eid, er in sorted(events.items(), key=lambda kv: (min((r["published"] or "~") for r in kv[1]), kv[0]))
    ]
    return StoryView(
        id=story_id,
        title=story_title(rows),
        articles=[
            StoryArticle(r["id"], r["source"], r["title"], r["outlet"], r["original_outlet"], r["published"],
                         r["duplicate_of"])
            for r in rows
        ],
        events=ev_views,
        outlets=outlets,
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
    )


def list_stories(store: ArticleStore) -> list[StoryView]:
    """Every story, ranked by distinct independent outlets (:attr:`StoryView.media`: a reprint or a near copy is no
    other voice), then recency, then reports: a story three outlets tell ranks above one a single source tells ten
    times."""
    by_story: dict[str, list[Placement]] = {}
    for r in store.placements():
        by_story.setdefault(r["story_id"], []).append(r)
    views = [_story_view(sid, rows) for sid, rows in by_story.items()]
    return sorted(views, key=story_rank)


def story_rank(v: StoryView) -> tuple[int, str, int, str]:
    """Sort key of the story list: most independent outlets, newest, most reports, then id (a stable order)."""
    return (-v.media, _neg(v.last_published or ""), -v.voices, v.id)


def _neg(s: str) -> str:
    """Sort key that orders ISO strings newest first while staying a string (for a mixed tuple key)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in s) if s else "\U0010ffff"


def get_story(store: ArticleStore, story_id: str) -> StoryView:
    """One story (a unique id prefix, or an article id, is accepted).

    Raises:
        NotFoundError: no story matches.
    """
    rows = store.placements(story_id)
    if not rows:
        sid = store.story_of(story_id)
        if sid is None:
            try:  # an article id or prefix names the story that holds it
                sid = store.story_of(store.get(story_id).id)
            except NotFoundError:
                sid = None
        if sid is None:
            ids = {r["story_id"] for r in store.placements() if r["story_id"].startswith(story_id)}
            if len(ids) != 1:
                raise NotFoundError(f"no story {story_id}")
            sid = ids.pop()
        rows = store.placements(sid)
        story_id = sid
    return _story_view(story_id, rows)


DETAIL_VERSION = "4"


def story_detail(store: ArticleStore, story_id: str, *, max_words: int = 100,
                 llm: LLMConfig | None = None) -> StoryDetail:
    """A story with everything known about it: summary and headline, entities, quotes, timeline, political events,
    disagreements and the outlet coverage. Cached in the store until the story's articles change.

    Args:
        store: the article store.
        story_id: a story id, a unique prefix of one, or the id of one of its articles.
        max_words: length of the story summary (event summaries get half).
        llm: an OpenAI-compatible endpoint for the optional abstractive rewrite (the shells read it with
            :meth:`LLMConfig.from_env`); None leaves ``abstract`` empty.

    Raises:
        NotFoundError: no story matches.
    """
    from vigie.understand.views import StoryDetail

    view = get_story(store, story_id)
    key = _detail_key(view, max_words, llm)
    cached = store.cached_story(view.id, key)
    if cached is not None:
        return _titled(StoryDetail.from_dict(json.loads(cached), story=view))
    computed = json.dumps(_compute_detail(store, view, max_words, llm).details_dict(), ensure_ascii=False)
    # Read back from the JSON it is cached as: a fresh detail and a cached one are the same record.
    detail = StoryDetail.from_dict(json.loads(computed), story=view)
    store.cache_story(view.id, key, computed, entity_rows(detail))
    return _titled(detail)


def _titled(detail: StoryDetail) -> StoryDetail:
    """One title everywhere: the headline of a story (and of each event) is its :func:`story_title`, the one the
    list, the page, the CLI and the API show, whatever the summary (or a cache made before this rule) proposed."""
    detail.headline = detail.story.title or detail.headline
    titles = {e.id: e.title for e in detail.story.events}
    for ev in detail.events:
        if ev.summary is not None:
            ev.headline = titles.get(ev.id) or ev.title or ev.headline
    return detail


def _detail_key(view: StoryView, max_words: int, llm: LLMConfig | None) -> str:
    ids = sorted(view.article_ids)
    llm_key = f"{llm.url}|{llm.model}" if llm else ""
    events = json.dumps([[e.id, sorted(e.articles)] for e in view.events])  # events can change alone
    return hashlib.sha1(f"{DETAIL_VERSION}:{max_words}:{llm_key}:{','.join(ids)}:{events}".encode()).hexdigest()


def cached_story_detail(store: ArticleStore, view: StoryView, *, max_words: int = 100,
                        llm: LLMConfig | None = None) -> StoryDetail | None:
    """The details of a story view as the store keeps them (made at ingest), or None: nothing is computed, so a page
    listing many stories can show the summaries already made without waiting for the others."""
    from vigie.understand.views import StoryDetail

    cached = store.cached_story(view.id, _detail_key(view, max_words, llm))
    return None if cached is None else _titled(StoryDetail.from_dict(json.loads(cached), story=view))


def _compute_detail(store: ArticleStore, view: StoryView, max_words: int, llm: LLMConfig | None) -> StoryDetail:
    from vigie.understand import analyze_story
    from vigie.understand.chronology import chronology
    from vigie.understand.compare import coverage
    from vigie.understand.stage import stored_analyses, stored_summary_units
    from vigie.understand.summarize import SummaryOptions, summarize
    from vigie.understand.views import EventDetail, StoryDetail

    # Near copies are not another voice: the analysis and summary read each text once.
    voices = [store.get(a.id) for a in view.articles if not a.duplicate_of]
    analyses = stored_analyses(store, voices)  # parsed once at ingest; only what is missing is parsed here
    analysis = analyze_story(voices, analyses)
    names = [e.name for e in analysis.entities]
    article_entities = {
        an.article_id: {n for n in names if any(n == e.name or n.endswith(" " + e.name) for e in an.entities)}
        for an in analyses
    }
    # Each voice's sentences and their vectors, kept from the story's former details: only a new article is cut
    # and embedded (encoding every sentence of a story again was most of the cost of remaking its details).
    units = stored_summary_units(store, voices, SummaryOptions(max_words=max_words))
    summary = summarize([(a.id, a.title or "", a.body) for a in voices], SummaryOptions(max_words=max_words),
                        prepared=units)
    by_id = {a.id: a for a in voices}
    events = []
    for ev in view.events:
        detail = EventDetail.of(ev)
        docs = [(i, by_id[i].title or "", by_id[i].body) for i in ev.articles if i in by_id]
        if docs:
            s = summarize(docs, SummaryOptions(max_words=max(20, max_words // 2)), prepared=units)
            detail.headline, detail.summary = s.headline, s.text
        members = set(ev.articles)
        detail.actions = [e for e in analysis.events if e.article in members]
        events.append(detail)
    notes = sorted({an.note for an in analyses if an.note})
    from vigie.understand.abstractive import rewrite

    return StoryDetail(
        story=view,
        events=events,
        headline=summary.headline,  # replaced by the story title when read (see _titled)
        summary=summary.text,
        # Only with a user-configured endpoint; None when off or failing (the extractive summary stays the reference).
        abstract=rewrite(summary.text, max_words=max_words, config=llm) if llm else None,
        sentences=summary.sentences,
        entities=analysis.entities,
        quotes=analysis.quotes,
        timeline=analysis.timeline,
        political_events=analysis.events,
        disagreements=analysis.disagreements,
        coverage=coverage(voices, analysis.to_dict(), article_entities),
        notes=notes,
        chronology=chronology(voices),
    )


def story_articles(store: ArticleStore, story: StoryView) -> list[Article]:
    """The full articles of a story view, in its order."""
    return [store.get(a.id) for a in story.articles]


def outlet_counts(story: StoryView) -> Counter[str]:
    return Counter(a.outlet for a in story.articles if a.outlet)


def entity_rows(detail: StoryDetail) -> list[EntityRow]:
    """The entity index rows of a story's details: each name it counts or quotes, by slug."""
    return [EntityRow(*row) for row in entity_counts(detail.entities, (q.speaker or "" for q in detail.quotes))]
