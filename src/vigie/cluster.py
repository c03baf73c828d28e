"""Online two-level story clustering: events (one happening) inside stories (the storyline).

Each call to :meth:`StoryClusterer.add` takes a batch, sorted by (published or "", id) so the same input always
gives the same result, and runs a sparse average-link agglomeration whose nodes are the new articles *and* the
existing stories they reach, so a later batch joins existing clusters, opens new ones, or merges two stories that a
new article bridges (the older id survives):

1. candidates: each new article's nearest new articles and nearest existing event centroids by USE cosine (faiss:
   exact ``IndexFlatIP`` up to ``flat_limit`` events, IVF beyond), so the work per article stays flat as the corpus
   grows;
2. stories: average-link similarity between two nodes is the mean over their article pairs of ``use_weight`` x USE
   cosine + (1 - ``use_weight``) x TF-IDF cosine (hashed terms, document frequencies kept online), computed exactly
   from per-node sums; nodes merge while the best pair is above ``story_threshold``. Two nodes whose published
   dates are more than ``story_gap_days`` apart never merge: a story quiet for weeks does not swallow a new one;
3. events: the same agglomeration inside each touched story, at ``event_threshold``, with a time penalty
   ``time_penalty`` x min(days / ``event_days``, 1) (``published_penalty`` when both are published dates, which
   are facts rather than estimates) between the latest time anchors of the two nodes (published
   date, else the latest date the text mentions, see :mod:`vigie.timeanchor`): a group was written no earlier than
   the latest date its members cite.

Ids are ``e-<first article id>`` and ``s-<first article id>``. Results of one batch and of the same articles in
several batches agree closely but not always exactly (average link is order-sensitive); eval/eval_stories.py reports it.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from vigie.timeanchor import TimeAnchor, anchor_distance, latest_day_of_year, time_anchor

__all__ = [
    "ArticleFeatures",
    "Assignment",
    "ClusterItem",
    "ClusterOptions",
    "StoryClusterer",
    "featurize",
]

STATE_VERSION = 1
_DIM = 512


@dataclass(slots=True)
class ClusterOptions:
    """Thresholds and windows of :class:`StoryClusterer`; the defaults are tuned on RPM2 dev (see eval/).

    Similarities are average-link means of ``use_weight`` x USE cosine + (1 - ``use_weight``) x TF-IDF cosine. The
    event time penalty is ``time_penalty`` x min(days / ``event_days``, 1), or ``published_penalty`` x ... when both
    dates are published ones (facts, not estimates from mentioned dates); stories use only the ``story_gap_days``
    gate on published dates (mentioned dates are too noisy to keep a storyline apart). ``use_time=False`` turns
    both off (content only).
    """

    event_threshold: float = 0.23
    story_threshold: float = 0.22
    use_weight: float = 0.5
    time_penalty: float = 0.15
    published_penalty: float = 0.4
    event_days: float = 60.0
    story_gap_days: float = 45.0
    use_time: bool = True
    candidates: int = 24
    flat_limit: int = 50_000
    refresh_every: int = 2_048
    max_terms: int = 400

    def __post_init__(self) -> None:
        for name in ("event_threshold", "story_threshold", "use_weight", "time_penalty", "published_penalty"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {v}")
        if self.story_threshold > self.event_threshold:
            raise ValueError(
                f"story_threshold ({self.story_threshold}) must not exceed event_threshold ({self.event_threshold})"
            )
        for name in ("event_days", "story_gap_days"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0 days, got {getattr(self, name)}")
        for name in ("candidates", "flat_limit", "refresh_every", "max_terms"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClusterOptions:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(slots=True)
class ArticleFeatures:
    """Cheap per-article features, serialisable so the store can keep them: hashed terms and the time anchor."""

    terms: dict[int, float]
    anchor: str | None

    def to_dict(self) -> dict[str, Any]:
        keys = sorted(self.terms)
        return {"terms": [keys, [self.terms[k] for k in keys]], "anchor": self.anchor}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleFeatures:
        keys, vals = d["terms"]
        return cls(dict(zip((int(k) for k in keys), (float(v) for v in vals), strict=True)), d.get("anchor"))


@dataclass(slots=True)
class ClusterItem:
    """One article to cluster. ``vector`` is its USE vector (computed on demand when None)."""

    id: str
    title: str
    body: str
    published: str | None = None
    language: str | None = None
    vector: np.ndarray | None = None
    features: ArticleFeatures | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went; ``story_id`` is the story at the time of the call (merges may follow)."""

    article_id: str
    event_id: str
    story_id: str


# --- features ---------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_STOP_WORDS = """
les des une un le la de du et en au aux à a ce ces cet cette qui que quoi dont où ou par pour sur sous dans avec
sans est sont été être avoir ont avait eu fait faire plus moins très tout tous toute toutes autre autres comme
mais donc car ni ne pas se sa son ses leur leurs lui elle elles il ils nous vous on je tu me te y même aussi
bien encore déjà après avant depuis entre contre vers chez selon lors alors ainsi cela ça celui celle ceux
celles si quand notamment fois deux trois an ans année années jour jours mois hier aujourd'hui demain lundi
mardi mercredi jeudi vendredi samedi dimanche peut doit dit déclaré indiqué estimé affirmé expliqué ajouté
souligné rappelé the of and to in for with by at from as is are was were be been has have had it its this that
these those or not but which who will would said says also more than after before over into about their they he
she his her we our you mr mme m
"""


def _fold(token: str) -> str:
    """Lower-case and strip accents, so "Élysée" and "elysee" meet (feeds do not agree on accents)."""
    t = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in t if not unicodedata.combining(c)).replace("’", "'")


# Folded like the tokens they filter.
_STOP = frozenset(_fold(w) for w in _STOP_WORDS.split())


def _hash(token: str) -> int:
    # zlib.crc32 is stable across processes, unlike hash(); 32 bits keep collisions rare at news vocabularies.
    return zlib.crc32(token.encode("utf-8"))


def _terms(title: str, body: str) -> dict[int, float]:
    """Hashed content terms with sublinear counts; the title counts twice (it names the happening)."""
    counts: dict[int, int] = {}
    for text, w in ((title, 2), (body, 1)):
        for m in _WORD.finditer(text):
            tok = _fold(m.group())
            if (len(tok) < 3 and not tok.isdigit()) or tok in _STOP:
                continue
            h = _hash(tok)
            counts[h] = counts.get(h, 0) + w
    return {h: 1.0 + math.log(c) for h, c in counts.items()}


def featurize(items: Sequence[ClusterItem]) -> list[ArticleFeatures]:
    """Compute (and attach) the cheap features of items that lack them; returns them in order."""
    out: list[ArticleFeatures] = []
    for it in items:
        if it.features is None:
            anchor = time_anchor(f"{it.title}\n{it.body}", it.published)
            it.features = ArticleFeatures(_terms(it.title or "", it.body or ""), anchor.to_str() if anchor else None)
        out.append(it.features)
    return out


# --- nearest-neighbour index over event centroids --------------------------------------------------------------


class _CentroidIndex:
    """Candidate events for a vector: faiss over a snapshot of centroids plus an exact pass over changed ones.

    Centroids move as events grow; instead of updating faiss per article, events changed since the last snapshot
    are "hot" and searched exactly, and the snapshot is rebuilt every ``refresh_every`` changes. The two result lists
    are merged by exact cosine, so with the flat index the candidates do not depend on when snapshots are taken
    (which keeps batch and incremental runs identical).
    """

    def __init__(self, flat_limit: int, refresh_every: int) -> None:
        self.flat_limit = flat_limit
        self.refresh_every = refresh_every
        self.vecs = np.zeros((64, _DIM), dtype=np.float32)
        self.n = 0
        self.hot: set[int] = set()
        self._index: Any = None
        self._ivf_trained_at = 0
        self._indexed = 0

    def upsert(self, i: int, vec: np.ndarray) -> None:
        if i >= len(self.vecs):
            grown = np.zeros((max(2 * len(self.vecs), i + 1), _DIM), dtype=np.float32)
            grown[: self.n] = self.vecs[: self.n]
            self.vecs = grown
        self.vecs[i] = vec
        self.n = max(self.n, i + 1)
        self.hot.add(i)
        if len(self.hot) >= self.refresh_every:
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the faiss snapshot: exact inner product while small, IVF (retrained as it grows 4x) beyond."""
        import faiss

        fa: Any = faiss  # the SWIG module has no type information
        n = self.n
        if n == 0:
            return
        data = np.ascontiguousarray(self.vecs[:n])
        index: Any
        if n <= self.flat_limit:
            index = fa.IndexFlatIP(_DIM)
            index.add(data)
        elif isinstance(self._index, fa.IndexIVFFlat) and n < 4 * self._ivf_trained_at:
            # Events are append-only: positions below ``_indexed`` are in the index (stale if hot), the rest are new.
            index = self._index
            stale = np.fromiter(sorted(i for i in self.hot if i < self._indexed), dtype=np.int64)
            if len(stale):
                index.remove_ids(fa.IDSelectorArray(len(stale), fa.swig_ptr(stale)))
            ids = np.concatenate([stale, np.arange(self._indexed, n, dtype=np.int64)])
            if len(ids):
                index.add_with_ids(data[ids], ids)
        else:
            nlist = int(4 * math.sqrt(n))
            quantizer = fa.IndexFlatIP(_DIM)
            index = fa.IndexIVFFlat(quantizer, _DIM, nlist, fa.METRIC_INNER_PRODUCT)
            index.cp.seed = 1234  # fixed k-means seed: same corpus, same index
            rng = np.random.default_rng(0)
            sample = data if n <= 64 * nlist else data[np.sort(rng.choice(n, 64 * nlist, replace=False))]
            index.train(sample)
            index.make_direct_map(fa.DirectMap.Hashtable)
            index.nprobe = max(8, nlist // 16)
            index.add_with_ids(data, np.arange(n, dtype=np.int64))
            self._ivf_trained_at = n
        self._index = index
        self._indexed = n
        self.hot.clear()

    def search(self, q: np.ndarray, k: int) -> list[int]:
        """Up to ``k`` event indices with the highest centroid cosine to ``q`` (ties by index)."""
        scored: dict[int, float] = {}
        if self._index is not None and self._index.ntotal:
            _, idx = self._index.search(q[None, :].astype(np.float32), k + len(self.hot))
            for i in idx[0]:
                if i >= 0 and int(i) not in self.hot:
                    scored[int(i)] = float(self.vecs[i] @ q)
        if self.hot:
            hot = np.fromiter(sorted(self.hot), dtype=np.int64)
            sims = self.vecs[hot] @ q
            for i, s in zip(hot.tolist(), sims.tolist(), strict=True):
                scored[i] = float(s)
        best = sorted(scored.items(), key=lambda t: (-round(t[1], 6), t[0]))
        return [i for i, _ in best[:k]]


# --- clusterer --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """A persisted story or event: sums for average-link similarity, time bounds, and its place in the tree."""

    id: str
    seq: int
    n: int
    usum: np.ndarray
    tsum: dict[int, float]
    anchors: list[str] = field(default_factory=list)
    first_pub: int | None = None
    last_pub: int | None = None
    story: str = ""  # events: the story they belong to
    events: list[str] = field(default_factory=list)  # stories: their events


@dataclass(slots=True)
class _Node:
    """A node of one agglomeration round: an existing group, a new article, or a union of them."""

    n: int
    usum: np.ndarray
    tsum: dict[int, float]
    anchors: list[str]
    first_pub: int | None
    last_pub: int | None
    olds: list[str] = field(default_factory=list)  # ids of existing groups inside
    news: list[int] = field(default_factory=list)  # batch positions of new articles inside


def _sparse_dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[h] for h, w in a.items() if h in b)


def _add_sparse(a: dict[int, float], b: dict[int, float], cap: int) -> dict[int, float]:
    out = dict(a)
    for h, w in b.items():
        out[h] = out.get(h, 0.0) + w
    if len(out) > cap:
        # Keep the heaviest terms: a group's vocabulary is its recurring words, not every article's tail.
        out = dict(sorted(out.items(), key=lambda t: (-t[1], t[0]))[:cap])
    return out


def _min_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _latest(anchors: Sequence[str]) -> TimeAnchor | None:
    """The latest anchor of a group: a group was written no earlier than the latest date its members cite."""
    if not anchors:
        return None
    parsed = [TimeAnchor.from_str(a) for a in anchors]
    if all(p.year is not None for p in parsed):
        return max(parsed, key=lambda p: p.ordinal or 0)
    doy = latest_day_of_year([p.day_of_year for p in parsed])
    return next(p for p in parsed if p.day_of_year == doy)


class StoryClusterer:
    """Online, deterministic two-level clusterer (events inside stories); see the module docstring.

    Example:
        >>> cl = StoryClusterer()
        >>> out = cl.add(items)                      # doctest: +SKIP
        >>> cl.assignments()["a1"]                   # doctest: +SKIP
        ('e-a1', 's-a1')
        >>> later = StoryClusterer.from_state(cl.state())  # doctest: +SKIP
    """

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._stories: dict[str, _Group] = {}
        self._events: dict[str, _Group] = {}
        self._event_pos: dict[str, int] = {}  # event id -> row in the centroid index (rows are never reused)
        self._pos_event: list[str] = []
        self._alias: dict[str, str] = {}  # merged-away story or event id -> the id that absorbed it
        self._article_event: dict[str, str] = {}
        self._df: dict[int, int] = {}
        self._n_docs = 0
        self._seq = 0
        self._index = _CentroidIndex(self.options.flat_limit, self.options.refresh_every)
        self._embedder: Any = None

    # -- public API --

    def add(self, items: Sequence[ClusterItem]) -> list[Assignment]:
        """Place new articles (ids already placed are skipped); one assignment per new article, in batch order.

        Raises:
            ValueError: when a vector does not have 512 dimensions.
        """
        todo: dict[str, ClusterItem] = {}
        for it in items:
            if it.id not in self._article_event and it.id not in todo:
                todo[it.id] = it
        batch = sorted(todo.values(), key=lambda it: (it.published or "", it.id))
        if not batch:
            return []
        featurize(batch)
        self._ensure_vectors(batch)
        self._place_batch(batch)
        self._index.refresh()
        return [Assignment(it.id, *self._resolve(it.id)) for it in batch]

    def assignments(self) -> dict[str, tuple[str, str]]:
        """article id -> (event id, story id), with merges applied."""
        return {aid: self._resolve(aid) for aid in sorted(self._article_event)}

    def state(self) -> dict[str, Any]:
        """Everything needed to continue online: JSON-able values, plus ``vsum``, one float32 array (keep it as npy)."""

        def group(g: _Group) -> dict[str, Any]:
            keys = sorted(g.tsum)
            return {
                "id": g.id,
                "seq": g.seq,
                "n": g.n,
                "tsum": [keys, [g.tsum[k] for k in keys]],
                "anchors": list(g.anchors),
                "first_pub": g.first_pub,
                "last_pub": g.last_pub,
                "story": g.story,
                "events": list(g.events),
            }

        def stack(gs: Sequence[_Group]) -> np.ndarray:
            return np.stack([g.usum for g in gs]).astype(np.float32) if gs else np.zeros((0, _DIM), np.float32)

        stories, events = list(self._stories.values()), list(self._events.values())
        keys = sorted(self._df)
        return {
            "version": STATE_VERSION,
            "options": self.options.to_dict(),
            "n_docs": self._n_docs,
            "seq": self._seq,
            "df": [keys, [self._df[k] for k in keys]],
            "stories": [group(g) for g in stories],
            "events": [group(g) for g in events],
            "event_rows": list(self._pos_event),
            "alias": sorted(self._alias.items()),
            "articles": sorted(self._article_event.items()),
            # One float32 array (stories then events, in list order) so a store keeps it as one npy blob.
            "vsum": np.concatenate([stack(stories), stack(events)]),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """Rebuild a clusterer from :meth:`state` (possibly after a JSON + npz round trip).

        Raises:
            VigieError: when the state comes from another version of this module.
        """
        from vigie.errors import VigieError

        if state.get("version") != STATE_VERSION:
            raise VigieError(f"cluster state version {state.get('version')} is not {STATE_VERSION}: re-cluster")
        cl = cls(ClusterOptions.from_dict(state["options"]))
        cl._n_docs, cl._seq = int(state["n_docs"]), int(state["seq"])
        cl._df = {int(k): int(v) for k, v in zip(*state["df"], strict=True)}

        def group(d: dict[str, Any], usum: np.ndarray) -> _Group:
            tsum = {int(k): float(v) for k, v in zip(*d["tsum"], strict=True)}
            return _Group(
                d["id"], int(d["seq"]), int(d["n"]), np.asarray(usum, dtype=np.float32).copy(), tsum,
                list(d["anchors"]), d["first_pub"], d["last_pub"], d["story"], list(d["events"]),
            )  # fmt: skip

        vsum = np.asarray(state["vsum"], dtype=np.float32)
        us, ue = vsum[: len(state["stories"])], vsum[len(state["stories"]) :]
        cl._stories = {d["id"]: group(d, us[i]) for i, d in enumerate(state["stories"])}
        cl._events = {d["id"]: group(d, ue[i]) for i, d in enumerate(state["events"])}
        cl._alias = {str(a): str(b) for a, b in state["alias"]}
        cl._article_event = {str(a): str(e) for a, e in state["articles"]}
        for pos, eid in enumerate(state["event_rows"]):
            cl._pos_event.append(eid)
            cl._event_pos[eid] = pos
            ev = cl._events.get(eid)
            cl._index.upsert(pos, _unit(ev.usum) if ev is not None else np.zeros(_DIM, np.float32))
        cl._index.refresh()
        return cl

    # -- internals --

    def _resolve(self, article_id: str) -> tuple[str, str]:
        eid = self._find(self._article_event[article_id])
        return eid, self._find(self._events[eid].story)

    def _find(self, gid: str) -> str:
        while gid in self._alias:
            gid = self._alias[gid]
        return gid

    def _ensure_vectors(self, items: Sequence[ClusterItem]) -> None:
        missing = [it for it in items if it.vector is None]
        if missing:
            if self._embedder is None:
                from vigie.embed import Embedder

                self._embedder = Embedder()
            vecs = self._embedder.embed_articles([it.title for it in missing], [it.body for it in missing])
            for it, v in zip(missing, vecs, strict=True):
                it.vector = v
        for it in items:
            assert it.vector is not None
            if it.vector.shape != (_DIM,):
                raise ValueError(f"article {it.id}: vector shape {it.vector.shape}, expected ({_DIM},)")

    def _tfidf_units(self, batch: Sequence[ClusterItem]) -> list[dict[int, float]]:
        """Unit TF-IDF vectors, with document frequencies updated by the whole batch first."""
        for it in batch:
            assert it.features is not None
            for h in it.features.terms:
                self._df[h] = self._df.get(h, 0) + 1
        self._n_docs += len(batch)
        out = []
        for it in batch:
            assert it.features is not None
            v = {h: w * (math.log((1 + self._n_docs) / (1 + self._df[h])) + 1.0) for h, w in it.features.terms.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            out.append({h: x / norm for h, x in v.items()})
        return out

    def _similarity(self, a: _Node, b: _Node, level: str) -> float:
        """Average-link content similarity, minus the time penalty (events) or gated by the quiet gap (stories)."""
        o = self.options
        content = (o.use_weight * float(a.usum @ b.usum) + (1 - o.use_weight) * _sparse_dot(a.tsum, b.tsum)) / (
            a.n * b.n
        )
        if not o.use_time:
            return content
        if level == "story":
            if a.first_pub is not None and b.first_pub is not None:
                assert a.last_pub is not None and b.last_pub is not None
                gap = max(b.first_pub - a.last_pub, a.first_pub - b.last_pub)
                if gap > o.story_gap_days:
                    return -1.0
            return content
        la, lb = _latest(a.anchors), _latest(b.anchors)
        d = anchor_distance(la, lb)
        if d is None:
            return content
        # Published dates are facts; mentioned dates are estimates, so they weigh less.
        both_published = la is not None and lb is not None and la.source == lb.source == "published"
        weight = o.published_penalty if both_published else o.time_penalty
        return content - weight * min(d / o.event_days, 1.0)

    def _agglomerate(self, nodes: list[_Node], pairs: set[tuple[int, int]], threshold: float, level: str) -> list[int]:
        """Sparse average-link agglomeration over candidate pairs; returns each node's final root.

        Lower node keys absorb higher ones, and ties break on keys, so the result does not depend on set order.
        """
        import heapq

        nbrs: dict[int, set[int]] = {i: set() for i in range(len(nodes))}
        for a, b in pairs:
            nbrs[a].add(b)
            nbrs[b].add(a)
        version = [0] * len(nodes)
        alive = [True] * len(nodes)
        heap: list[tuple[float, int, int, int, int]] = []
        for a, b in sorted(pairs):
            s = self._similarity(nodes[a], nodes[b], level)
            if s >= threshold:
                heap.append((-round(s, 9), a, b, 0, 0))
        heapq.heapify(heap)
        root = list(range(len(nodes)))
        while heap:
            _, a, b, va, vb = heapq.heappop(heap)
            if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
                continue
            na, nb = nodes[a], nodes[b]
            nodes[a] = _Node(
                na.n + nb.n, na.usum + nb.usum, _add_sparse(na.tsum, nb.tsum, self.options.max_terms * 4),
                (na.anchors + nb.anchors)[-64:], _min_opt(na.first_pub, nb.first_pub),
                _max_opt(na.last_pub, nb.last_pub), na.olds + nb.olds, na.news + nb.news,
            )  # fmt: skip
            alive[b] = False
            root[b] = a
            version[a] += 1
            nbrs[a] = (nbrs[a] | nbrs[b]) - {a, b}
            for c in sorted(nbrs[a]):
                nbrs[c].discard(b)
                nbrs[c].add(a)
                s = self._similarity(nodes[a], nodes[c], level)
                if s >= threshold:
                    x, y = (a, c) if a < c else (c, a)
                    heapq.heappush(heap, (-round(s, 9), x, y, version[x], version[y]))
        for i in range(len(root)):
            r = i
            while root[r] != r:
                r = root[r]
            root[i] = r
        return root

    def _group_node(self, g: _Group) -> _Node:
        return _Node(g.n, g.usum, g.tsum, g.anchors, g.first_pub, g.last_pub, olds=[g.id])

    def _place_batch(self, batch: Sequence[ClusterItem]) -> None:
        o = self.options
        units = self._tfidf_units(batch)
        vecs = np.stack([np.asarray(it.vector, dtype=np.float32) for it in batch])
        anchors: list[list[str]] = []
        pubs: list[int | None] = []
        for it in batch:
            assert it.features is not None
            a = TimeAnchor.from_str(it.features.anchor) if it.features.anchor else None
            anchors.append([it.features.anchor] if a is not None and it.features.anchor else [])
            pubs.append(a.ordinal if a is not None and a.source == "published" else None)
        k = o.candidates

        # Candidate existing events per article (nearest centroids), and nearest new articles.
        cand_events: list[list[str]] = []
        for v in vecs:
            cand_events.append([self._pos_event[p] for p in self._index.search(v, k)] if self._index.n else [])
        new_pairs = _knn_pairs(vecs, k)

        # 1. Stories: existing candidate stories and new articles, average-link at story_threshold.
        story_ids = sorted({self._find(self._events[self._find(e)].story) for c in cand_events for e in c},
                           key=lambda s: self._stories[s].seq)  # fmt: skip
        skey = {sid: i for i, sid in enumerate(story_ids)}
        nodes = [self._group_node(self._stories[s]) for s in story_ids]
        base = len(nodes)
        for i in range(len(batch)):
            nodes.append(_Node(1, vecs[i], units[i], anchors[i], pubs[i], pubs[i], news=[i]))
        pairs = {(a + base, b + base) for a, b in new_pairs}
        for i, c in enumerate(cand_events):
            for e in c:
                pairs.add((skey[self._find(self._events[self._find(e)].story)], base + i))
        roots = self._agglomerate(nodes, pairs, o.story_threshold, "story")

        # 2. Write stories back: the oldest member story survives, else the first new article names it.
        story_of_article: list[str] = [""] * len(batch)
        for r in sorted(set(roots)):
            node = nodes[r]
            olds = sorted(node.olds, key=lambda s: self._stories[s].seq)
            if olds:
                sid = olds[0]
                st = self._stories[sid]
                for other in olds[1:]:
                    gone = self._stories.pop(other)
                    st.events.extend(gone.events)
                    for e in gone.events:
                        self._events[e].story = sid
                    self._alias[other] = sid
            else:
                sid = f"s-{batch[min(node.news)].id}"
                st = _Group(sid, self._next_seq(), 0, np.zeros(_DIM, np.float32), {})
                self._stories[sid] = st
            st.n, st.usum, st.tsum = node.n, node.usum.astype(np.float32), _add_sparse({}, node.tsum, o.max_terms)
            st.anchors, st.first_pub, st.last_pub = node.anchors[-64:], node.first_pub, node.last_pub
            for i in node.news:
                story_of_article[i] = sid

        # 3. Events, story by story: the story's candidate events and its new articles, at event_threshold.
        by_story: dict[str, list[int]] = {}
        for i, sid in enumerate(story_of_article):
            by_story.setdefault(sid, []).append(i)
        for sid in sorted(by_story, key=lambda s: self._stories[s].seq):
            arts = by_story[sid]
            evs = sorted({self._find(e) for i in arts for e in cand_events[i]}, key=lambda e: self._events[e].seq)
            evs = [e for e in evs if self._events[e].story == sid]
            enodes = [self._group_node(self._events[e]) for e in evs]
            ebase = len(enodes)
            for i in arts:
                enodes.append(_Node(1, vecs[i], units[i], anchors[i], pubs[i], pubs[i], news=[i]))
            # Within one story every pair is a candidate: stories are small next to the corpus.
            epairs = {(a, b) for a in range(len(enodes)) for b in range(a + 1, len(enodes))}
            if len(enodes) > 4 * k:
                epairs = {(a, b) for a, b in epairs if a >= ebase or b >= ebase}
            eroots = self._agglomerate(enodes, epairs, o.event_threshold, "event")
            for r in sorted(set(eroots)):
                node = enodes[r]
                olds = sorted(node.olds, key=lambda e: self._events[e].seq)
                if olds:
                    eid = olds[0]
                    ev = self._events[eid]
                    for other in olds[1:]:
                        self._events.pop(other)
                        self._stories[sid].events.remove(other)
                        self._alias[other] = eid
                        self._index.upsert(self._event_pos[other], np.zeros(_DIM, np.float32))
                else:
                    eid = f"e-{batch[min(node.news)].id}"
                    ev = _Group(eid, self._next_seq(), 0, np.zeros(_DIM, np.float32), {}, story=sid)
                    self._events[eid] = ev
                    self._stories[sid].events.append(eid)
                    self._event_pos[eid] = len(self._pos_event)
                    self._pos_event.append(eid)
                ev.n, ev.usum, ev.tsum = node.n, node.usum.astype(np.float32), _add_sparse({}, node.tsum, o.max_terms)
                ev.anchors, ev.first_pub, ev.last_pub = node.anchors[-64:], node.first_pub, node.last_pub
                self._index.upsert(self._event_pos[eid], _unit(ev.usum))
                for i in node.news:
                    self._article_event[batch[i].id] = eid

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def _knn_pairs(vecs: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Pairs (i < j) where j is among i's ``k`` nearest new articles by USE cosine (faiss, exact)."""
    import faiss

    n = len(vecs)
    if n < 2:
        return set()
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(np.ascontiguousarray(vecs, dtype=np.float32))
    _, idx = index.search(np.ascontiguousarray(vecs, dtype=np.float32), min(k + 1, n))
    pairs: set[tuple[int, int]] = set()
    for i, row in enumerate(idx):
        for j in row:
            if j >= 0 and j != i:
                pairs.add((min(i, int(j)), max(i, int(j))))
    return pairs


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)
