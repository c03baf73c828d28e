"""Online two-level story clustering: events (one happening) inside stories (the storyline).

Each article is placed in turn, in (published or "", id) order, so the same input always gives the same result and
feeding a corpus in several batches gives the same result as feeding it at once. For one article:

1. candidate events: the nearest event centroids by USE cosine (faiss: exact ``IndexFlatIP`` up to
   ``flat_limit`` events, then IVF), so the cost per article stays flat as the corpus grows;
2. each candidate is scored on content, a mix of USE cosine and TF-IDF cosine (hashed terms, document frequencies
   kept online), minus a time penalty that grows with the distance between the article's time anchor (published
   date, else the latest date it mentions, see :mod:`vigie.timeanchor`) and the event's;
3. the article joins the best event above ``event_threshold``; otherwise it opens an event, inside the best story
   above ``story_threshold`` (looser, and with a gentler time penalty) or in a new story;
4. every other story the article reaches above ``story_threshold`` is merged in: the article is a bridge.
   The merged story keeps the older id.

Ids are ``e-<first article id>`` and ``s-<first article id>``. A story whose last published article is more than
``story_gap_days`` older than a new dated article takes nothing more, so a quiet story does not swallow a new one.
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

from vigie.timeanchor import TimeAnchor, anchor_distance, time_anchor

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

    Similarities are on a cosine scale: content = ``use_weight`` x USE cosine + (1 - ``use_weight``) x TF-IDF
    cosine. The event time penalty is ``time_penalty`` x min(days / ``event_days``, 1); at story level the same
    penalty is spread over ``story_days``.
    """

    event_threshold: float = 0.45
    story_threshold: float = 0.30
    use_weight: float = 0.5
    time_penalty: float = 0.15
    event_days: float = 30.0
    story_days: float = 120.0
    story_gap_days: float = 45.0
    use_time: bool = True
    candidates: int = 24
    flat_limit: int = 50_000
    refresh_every: int = 2_048
    max_terms: int = 400

    def __post_init__(self) -> None:
        for name in ("event_threshold", "story_threshold", "use_weight", "time_penalty"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {v}")
        if self.story_threshold > self.event_threshold:
            raise ValueError(
                f"story_threshold ({self.story_threshold}) must not exceed event_threshold ({self.event_threshold})"
            )
        for name in ("event_days", "story_days", "story_gap_days"):
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
_STOP = frozenset(
    """
    les des une un le la de du et en au aux à a ce ces cet cette qui que quoi dont où ou par pour sur sous dans avec
    sans est sont été être avoir ont avait ont eu fait faire plus moins très tout tous toute toutes autre autres
    comme mais donc car ni ne pas se sa son ses leur leurs lui elle elles il ils nous vous on je tu me te y
    même aussi bien encore déjà après avant depuis entre contre vers chez selon lors alors ainsi cela ça celui
    celle ceux celles dont si quand notamment fois deux trois an ans année années jour jours mois hier
    aujourd'hui demain lundi mardi mercredi jeudi vendredi samedi dimanche selon été peut doit dit déclaré
    indiqué estimé affirmé expliqué ajouté souligné rappelé the of and to in on for with by at from as is are was
    were be been has have had it its this that these those an or not but which who will would said says also
    more than after before over into about their they he she his her we our you mr mme m
    """.split()
)


def _fold(token: str) -> str:
    """Lower-case and strip accents, so "Élysée" and "elysee" meet (feeds do not agree on accents)."""
    t = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in t if not unicodedata.combining(c)).replace("’", "'")


def _hash(token: str) -> int:
    # zlib.crc32 is stable across processes, unlike hash(); 32 bits keep collisions rare at news vocabularies.
    return zlib.crc32(token.encode("utf-8"))


def _terms(title: str, body: str) -> dict[int, float]:
    """Hashed content terms with sublinear counts; the title counts twice (it names the happening)."""
    counts: dict[int, int] = {}
    for text, w in ((title, 2), (body, 1)):
        for m in _WORD.finditer(text):
            tok = _fold(m.group())
            if len(tok) < 3 and not tok.isdigit() or tok in _STOP:
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

        n = self.n
        if n == 0:
            return
        data = np.ascontiguousarray(self.vecs[:n])
        if n <= self.flat_limit:
            index = faiss.IndexFlatIP(_DIM)
            index.add(data)
        elif isinstance(self._index, faiss.IndexIVFFlat) and n < 4 * self._ivf_trained_at:
            # Events are append-only: positions below ``_indexed`` are in the index (stale if hot), the rest are new.
            index = self._index
            stale = np.fromiter(sorted(i for i in self.hot if i < self._indexed), dtype=np.int64)
            if len(stale):
                index.remove_ids(faiss.IDSelectorArray(len(stale), faiss.swig_ptr(stale)))
            ids = np.concatenate([stale, np.arange(self._indexed, n, dtype=np.int64)])
            if len(ids):
                index.add_with_ids(data[ids], ids)
        else:
            nlist = int(4 * math.sqrt(n))
            quantizer = faiss.IndexFlatIP(_DIM)
            index = faiss.IndexIVFFlat(quantizer, _DIM, nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.seed = 1234  # fixed k-means seed: same corpus, same index
            rng = np.random.default_rng(0)
            sample = data if n <= 64 * nlist else data[np.sort(rng.choice(n, 64 * nlist, replace=False))]
            index.train(sample)
            index.make_direct_map(faiss.DirectMap.Hashtable)
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
            dist, idx = self._index.search(q[None, :].astype(np.float32), k + len(self.hot))
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


