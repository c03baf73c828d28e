"""Two-level story clustering (events inside stories) whose result depends only on the set of articles.

The same articles give the same stories and events whether they arrive at once, in halves, or in any order:

1. edges: a new article is compared with its ``max_neighbours`` nearest stored articles by USE cosine (exact faiss
   search) whose cosine is at least ``use_floor``; the pair similarity is ``use_weight`` x USE cosine +
   (1 - ``use_weight``) x TF-IDF cosine with a *fixed* IDF (French and English word frequencies from ``wordfreq``),
   so it depends on the two articles only. Pairs at or above ``min(story_threshold, attach_threshold)`` whose
   published dates are at most ``story_gap_days`` apart are edges; edges only ever appear, so their connected
   components ("blocks", union-find) are order-independent;
2. stories: each block a batch touches is re-clustered from scratch, average link over its edges at
   ``story_threshold`` (exact: two groups can only reach that average if some pair does, which is an edge); groups
   of at most ``small_size`` articles then join the large group holding their most similar article when that pair
   reaches ``attach_threshold`` (an outlier report of a storyline has one close sibling but a low average);
3. events: inside each story, a recursive time-validated bisection: the spectral (normalised-cut) bisection of the
   content similarity is kept only when each side holds at least ``min_dated`` dated articles (published date, else
   the latest year-less day the text cites, see :mod:`vigie.timeanchor`) and the median dates of the two sides lie at
   least ``split_days`` apart. Two events of one story share most of their vocabulary, so content alone cannot tell
   when to split; time cannot place the half of the articles that cite no day. Content proposes, time disposes.
   A learned pairwise same-event model (logistic regression on content, headline, entity, number and date features,
   average link on its probability) scores lower under leave-one-topic-out CV on RPM2 dev (0.745 vs 0.769; see
   eval/), so it is not used: pairwise features barely separate two events of one story (AUC 0.5-0.67).
   Without time (``use_time=False``) events are an average-link cut of the content similarity at
   ``event_threshold``.

Ids are ``s-``/``e-`` + the first member in (published or "", id) order. Bounds that keep the work per batch
flat: blocks above ``max_block`` articles and stories above ``max_event_story`` are not re-clustered; their new
articles join the story (event) of their most similar article instead, which may depend on arrival order.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from vigie.timeanchor import _CUM_DAYS, TimeAnchor, find_dates, latest_day_of_year, time_anchor

__all__ = [
    "ArticleFeatures",
    "Assignment",
    "ClusterItem",
    "ClusterOptions",
    "StoryClusterer",
    "featurize",
]

_BUCKET_DAYS = 30  # time buckets of the candidate search (see StoryClusterer._link)
STATE_VERSION = 2
_DIM = 512


@dataclass(slots=True)
class ClusterOptions:
    """Thresholds and bounds of :class:`StoryClusterer`; the defaults sit mid-plateau on RPM2 dev (see eval/).

    ``use_time=False`` drops the event time test and the published-date gate (content only); ``time_penalty``,
    ``published_penalty``, ``shared_day_bonus`` and ``event_days`` are kept for saved options and are unused.
    """

    story_threshold: float = 0.23
    attach_threshold: float = 0.25
    event_threshold: float = 0.15
    use_weight: float = 0.3
    time_penalty: float = 0.3
    published_penalty: float = 0.4
    shared_day_bonus: float = 0.1
    event_days: float = 30.0
    story_gap_days: float = 45.0
    split_days: float = 21.0
    min_dated: int = 3
    use_time: bool = True
    small_size: int = 2
    use_floor: float = 0.2
    max_neighbours: int = 256
    max_block: int = 4_000
    max_event_story: int = 400
    max_terms: int = 64

    def __post_init__(self) -> None:
        for name in ("story_threshold", "attach_threshold", "event_threshold", "use_weight", "time_penalty",
                     "published_penalty", "shared_day_bonus"):  # fmt: skip
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {v}")
        if not -1.0 <= self.use_floor <= 1.0:
            raise ValueError(f"use_floor must be within [-1, 1], got {self.use_floor}")
        for name in ("event_days", "story_gap_days", "split_days"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0 days, got {getattr(self, name)}")
        for name in ("max_neighbours", "max_block", "max_event_story", "max_terms", "min_dated"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.small_size < 0:
            raise ValueError(f"small_size must be >= 0, got {self.small_size}")

    @property
    def edge_threshold(self) -> float:
        """Lowest pair similarity any decision looks at: the block edges."""
        return min(self.story_threshold, self.attach_threshold)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClusterOptions:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(slots=True)
class ArticleFeatures:
    """Per-article features, serialisable so the store can keep them.

    ``terms``: unit TF-IDF vector over hashed terms (fixed IDF, top ``max_terms``); ``anchor``: estimated writing
    date (:class:`vigie.timeanchor.TimeAnchor` string); ``days``: year-less days of the year the text cites.
    """

    terms: dict[int, float]
    anchor: str | None
    days: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        keys = sorted(self.terms)
        return {"terms": [keys, [self.terms[k] for k in keys]], "anchor": self.anchor, "days": list(self.days)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleFeatures:
        keys, vals = d["terms"]
        terms = dict(zip((int(k) for k in keys), (float(v) for v in vals), strict=True))
        return cls(terms, d.get("anchor"), [int(x) for x in d.get("days", [])])


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
    """Where one article went; ``story_id`` is the story at the time of the call (later batches may merge it)."""

    article_id: str
    event_id: str
    story_id: str


# --- features ---------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
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
# Unknown words (names, rare terms) get the IDF of a word seen once in ten million: the most specific evidence.
_FREQ_FLOOR = 1e-7
_FREQS: dict[str, dict[str, float]] = {}
_FREQ_LOCK = threading.Lock()


def _fold(token: str) -> str:
    """Lower-case and strip accents, so "Élysée" and "elysee" meet (feeds do not agree on accents)."""
    t = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in t if not unicodedata.combining(c)).replace("’", "'")


_STOP = frozenset(_fold(w) for w in _STOP_WORDS.split())


def _hash(token: str) -> int:
    # zlib.crc32 is stable across processes, unlike hash(); 32 bits keep collisions rare at news vocabularies.
    return zlib.crc32(token.encode("utf-8"))


def _freqs() -> dict[str, dict[str, float]]:
    """French and English word frequencies (``wordfreq``), loaded once: the fixed IDF of every term."""
    with _FREQ_LOCK:
        if not _FREQS:
            try:
                import wordfreq
            except ImportError as e:
                from vigie.errors import VigieError

                raise VigieError("story clustering needs word frequencies: pip install 'vigie[stories]'") from e
            for lang in ("fr", "en"):
                _FREQS[lang] = wordfreq.get_frequency_dict(lang)
        return _FREQS


def _idf(lower: str) -> float:
    """-log frequency of a lower-cased word, the larger of French and English (common in either is not specific)."""
    fr = _freqs()
    key = _DIGIT.sub("0", lower) if len(lower) > 1 else lower  # wordfreq pools numbers by their digit count
    return -math.log(max(fr["fr"].get(key, 0.0), fr["en"].get(key, 0.0), _FREQ_FLOOR))


def _terms(title: str, body: str, cap: int) -> dict[int, float]:
    """Unit TF-IDF vector of hashed folded terms: sublinear counts, title counted twice, fixed IDF, top ``cap``."""
    counts: dict[str, list[float]] = {}
    for text, w in ((title, 2), (body, 1)):
        for m in _WORD.finditer(text):
            lower = m.group().lower()
            tok = _fold(lower)
            if (len(tok) < 3 and not tok.isdigit()) or tok in _STOP:
                continue
            c = counts.get(tok)
            if c is None:
                counts[tok] = [w, _idf(lower)]
            else:
                c[0] += w
    weights = {_hash(t): (1.0 + math.log(n)) * idf for t, (n, idf) in counts.items()}
    if len(weights) > cap:
        weights = dict(sorted(weights.items(), key=lambda t: (-t[1], t[0]))[:cap])
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {h: v / norm for h, v in weights.items()}


def _cited_days(text: str) -> list[int]:
    """Year-less day mentions that are not announced as future: the recent happenings a report covers."""
    return sorted(
        {_CUM_DAYS[m.month - 1] + m.day for m in find_dates(text)
         if m.kind == "day" and not m.future and m.year is None and m.month is not None and m.day is not None}
    )  # fmt: skip


def featurize(items: Sequence[ClusterItem], max_terms: int = 64) -> list[ArticleFeatures]:
    """Compute (and attach) the features of items that lack them; returns them in order."""
    out: list[ArticleFeatures] = []
    for it in items:
        if it.features is None:
            text = f"{it.title}\n{it.body}"
            anchor = time_anchor(text, it.published)
            it.features = ArticleFeatures(
                _terms(it.title or "", it.body or "", max_terms), anchor.to_str() if anchor else None,
                _cited_days(text),
            )  # fmt: skip
        out.append(it.features)
    return out


# --- clusterer --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Art:
    """A stored article: what pair similarities need, and its place."""

    id: str
    sort_key: tuple[str, str]  # (published or "", id): names groups by their first member
    terms: dict[int, float]
    pub: int | None  # published date as an ordinal
    days: list[int]
    latest: int | None  # latest cited day of the year
    story: str = ""
    event: str = ""


@dataclass(slots=True)
class _Node:
    """A group during average-link agglomeration: sums make the mean over all pairs exact."""

    rows: list[int]
    usum: np.ndarray
    tsum: dict[int, float]
    first_pub: int | None
    last_pub: int | None


def _sparse_dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[h] for h, w in a.items() if h in b)


def _add_sparse(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    out = dict(a)
    for h, w in b.items():
        out[h] = out.get(h, 0.0) + w
    return out


def _min_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _circle(a: int, b: int) -> int:
    d = abs(a - b)
    return min(d, 365 - d)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> None:
        self.parent.append(len(self.parent))

    def find(self, i: int) -> int:
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller row is the root, so roots do not depend on the order of unions.
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


class StoryClusterer:
    """Order-independent two-level clusterer (events inside stories); see the module docstring.

    Example:
        >>> cl = StoryClusterer()
        >>> out = cl.add(items)                      # doctest: +SKIP
        >>> cl.assignments()["a1"]                   # doctest: +SKIP
        ('e-a1', 's-a1')
        >>> later = StoryClusterer.from_state(cl.state())  # doctest: +SKIP
    """

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._arts: list[_Art] = []
        self._row: dict[str, int] = {}
        self._vecs = np.zeros((0, _DIM), dtype=np.float32)
        self._edges: dict[int, dict[int, float]] = {}  # row -> {neighbour row: pair similarity}
        self._edge_log: list[tuple[int, int, float]] = []  # edges in the order added, so savers can append only
        self._uf = _UnionFind()
        self._members: dict[int, list[int]] = {}  # block root -> rows
        self._index: Any = None
        self._embedder: Any = None

    # -- public API --

    def add(self, items: Sequence[ClusterItem]) -> list[Assignment]:
        """Place new articles (ids already placed are skipped); one assignment per new article, in (published, id)
        order.

        Raises:
            ValueError: when a vector does not have 512 dimensions.
        """
        todo: dict[str, ClusterItem] = {}
        for it in items:
            if it.id not in self._row and it.id not in todo:
                todo[it.id] = it
        batch = sorted(todo.values(), key=lambda it: (it.published or "", it.id))
        if not batch:
            return []
        featurize(batch, self.options.max_terms)
        self._ensure_vectors(batch)
        rows = self._append(batch)
        self._link(rows)
        touched = sorted({self._uf.find(r) for r in rows})
        for root in touched:
            self._recluster(root, set(rows))
        return [Assignment(it.id, self._arts[r].event, self._arts[r].story) for it, r in zip(batch, rows, strict=True)]

    def assignments(self) -> dict[str, tuple[str, str]]:
        """article id -> (event id, story id)."""
        return {a.id: (a.event, a.story) for a in sorted(self._arts, key=lambda a: a.id)}

    # -- incremental persistence: what a saver needs without rebuilding the whole state every batch --

    @property
    def n_rows(self) -> int:
        return len(self._arts)

    def placement(self, row: int) -> tuple[str, str, str]:
        """(article id, event id, story id) of one row."""
        a = self._arts[row]
        return a.id, a.event, a.story

    def row_entry(self, row: int) -> list[Any]:
        """The JSON-able entry of one row, as in ``state()["articles"]``."""
        a = self._arts[row]
        keys = sorted(a.terms)
        return [a.id, a.sort_key[0], [keys, [a.terms[k] for k in keys]], a.pub, a.days, a.story, a.event]

    def row_vector(self, row: int) -> np.ndarray:
        return np.asarray(self._vecs[row], dtype=np.float32)

    def edges_since(self, k: int) -> list[tuple[int, int, float]]:
        """Edges added after the first ``k`` (edges are only ever added)."""
        return self._edge_log[k:]

    @property
    def n_edges(self) -> int:
        return len(self._edge_log)

    def meta_state(self) -> dict[str, Any]:
        """The state without its per-article rows, vectors and edges."""
        return {"version": STATE_VERSION, "options": self.options.to_dict()}

    def state(self) -> dict[str, Any]:
        """Everything needed to continue: JSON-able values, plus ``vsum``, the article vectors as one float32 array."""
        arts = []
        for a in self._arts:
            keys = sorted(a.terms)
            arts.append([a.id, a.sort_key[0], [keys, [a.terms[k] for k in keys]], a.pub, a.days, a.story, a.event])
        edges = sorted((i, j, s) for i, nb in self._edges.items() for j, s in nb.items() if i < j)
        return {
            "version": STATE_VERSION,
            "options": self.options.to_dict(),
            "articles": arts,
            "edges": [[i, j, s] for i, j, s in edges],
            "vsum": self._vecs.astype(np.float32),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """Rebuild a clusterer from :meth:`state` (possibly after a JSON + npy round trip).

        Raises:
            VigieError: when the state comes from another version of this module.
        """
        from vigie.errors import VigieError

        if state.get("version") != STATE_VERSION:
            raise VigieError(f"cluster state version {state.get('version')} is not {STATE_VERSION}: re-cluster")
        cl = cls(ClusterOptions.from_dict(state["options"]))
        cl._vecs = np.ascontiguousarray(np.asarray(state["vsum"], dtype=np.float32).reshape(-1, _DIM))
        for aid, pub_s, (keys, vals), pub, days, story, event in state["articles"]:
            terms = dict(zip((int(k) for k in keys), (float(v) for v in vals), strict=True))
            days = [int(d) for d in days]
            cl._row[aid] = len(cl._arts)
            cl._uf.add()
            cl._members[len(cl._arts)] = [len(cl._arts)]
            cl._arts.append(_Art(aid, (pub_s, aid), terms, pub, days, latest_day_of_year(days) if days else None,
                                 story, event))  # fmt: skip
        for i, j, s in state["edges"]:
            cl._add_edge(int(i), int(j), float(s))
        return cl

    # -- internals --

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

    def _append(self, batch: Sequence[ClusterItem]) -> list[int]:
        rows = []
        for it in batch:
            assert it.features is not None
            anchor = TimeAnchor.from_str(it.features.anchor) if it.features.anchor else None
            pub = anchor.ordinal if anchor is not None and anchor.source == "published" else None
            days = list(it.features.days)
            r = len(self._arts)
            self._arts.append(_Art(it.id, (it.published or "", it.id), dict(it.features.terms), pub, days,
                                   latest_day_of_year(days) if days else None))  # fmt: skip
            self._row[it.id] = r
            self._uf.add()
            self._members[r] = [r]
            rows.append(r)
        vecs = np.stack([np.asarray(it.vector, dtype=np.float32) for it in batch])
        self._vecs = np.concatenate([self._vecs, vecs]) if len(self._vecs) else np.ascontiguousarray(vecs)
        return rows

    def _content(self, i: int, j: int) -> float:
        w = self.options.use_weight
        return w * float(self._vecs[i] @ self._vecs[j]) + (1 - w) * _sparse_dot(
            self._arts[i].terms, self._arts[j].terms
        )

    def _gated(self, a: int | None, b: int | None) -> bool:
        """Published dates too far apart for one story (a quiet storyline does not swallow a new one)."""
        return self.options.use_time and a is not None and b is not None and abs(a - b) > self.options.story_gap_days

    def _link(self, rows: list[int]) -> None:
        """Edges from each new article to every article (old or new) above the edge threshold.

        Candidates come from time buckets: a dated article is compared with the dated articles of the buckets its
        story gap reaches, plus every undated one; an undated article with everything. So a topic that recurs for
        years (hundreds of look-alike articles months apart) cannot crowd the true neighbours out of the top-k, and
        each search stays small as the corpus grows.
        """
        o = self.options
        self._index_new_rows()
        new = set(rows)
        for r in rows:
            for j, _ in self._candidates(r):
                if j == r or (j in new and j < r):  # each new-new pair once, from its higher row
                    continue
                if self._gated(self._arts[r].pub, self._arts[j].pub):
                    continue
                s = self._content(r, j)
                if s >= o.edge_threshold:
                    self._add_edge(r, j, s)

    def _bucket_of(self, pub: int | None) -> int | None:
        if pub is None or not self.options.use_time:
            return None
        return pub // _BUCKET_DAYS

    def _index_new_rows(self) -> None:
        import faiss

        if self._index is None:
            self._index = {}
            self._indexed = 0
        for r in range(self._indexed, len(self._arts)):
            # The all-rows index exists only once an undated article has needed it: it doubles the vectors held.
            for key in ("all", self._bucket_of(self._arts[r].pub)) if "all" in self._index else (
                    self._bucket_of(self._arts[r].pub),):
                entry = self._index.get(key)
                if entry is None:
                    entry = self._index[key] = (faiss.IndexFlatIP(_DIM), [])
                entry[0].add(np.ascontiguousarray(self._vecs[r : r + 1]))
                entry[1].append(r)
        self._indexed = len(self._arts)

    def _candidates(self, r: int) -> list[tuple[int, float]]:
        """The nearest stored articles of row ``r`` by USE cosine, above the floor, best first."""
        o = self.options
        b = self._bucket_of(self._arts[r].pub)
        if b is None:
            keys: list[Any] = ["all"]
            if "all" not in self._index:
                import faiss

                index = faiss.IndexFlatIP(_DIM)
                index.add(np.ascontiguousarray(self._vecs[: self._indexed]))
                self._index["all"] = (index, list(range(self._indexed)))
        else:
            reach = int(o.story_gap_days // _BUCKET_DAYS) + 1
            keys = [None, *range(b - reach, b + reach + 1)]
        q = np.ascontiguousarray(self._vecs[r : r + 1])
        found: dict[int, float] = {}
        for key in keys:
            entry = self._index.get(key)
            if entry is None or entry[0].ntotal == 0:
                continue
            dists, ids = entry[0].search(q, min(o.max_neighbours, entry[0].ntotal))
            for d, i in zip(dists[0].tolist(), ids[0].tolist(), strict=True):
                if i >= 0 and d >= o.use_floor:
                    found[entry[1][i]] = d
        return sorted(found.items(), key=lambda jd: (-jd[1], jd[0]))[: o.max_neighbours]

    def _add_edge(self, i: int, j: int, s: float) -> None:
        if j not in self._edges.get(i, {}):
            self._edge_log.append((min(i, j), max(i, j), s))
        self._edges.setdefault(i, {})[j] = s
        self._edges.setdefault(j, {})[i] = s
        ri, rj = self._uf.find(i), self._uf.find(j)
        if ri != rj:
            self._uf.union(ri, rj)
            root = self._uf.find(ri)
            other = rj if root == ri else ri
            self._members[root].extend(self._members.pop(other))

    def _recluster(self, root: int, new: set[int]) -> None:
        rows = sorted(self._members[root], key=lambda r: self._arts[r].id)
        if len(rows) <= self.options.max_block:
            groups = self._stories_of(rows)
        else:
            groups = self._join_nearest([r for r in rows if r in new], "story")
        for g in groups:
            sid = "s-" + min(self._arts[r].sort_key for r in g)[1]
            for r in g:
                self._arts[r].story = sid
        by_story: dict[str, list[int]] = {}
        for r in rows:
            by_story.setdefault(self._arts[r].story, []).append(r)
        rebuilt = len(rows) <= self.options.max_block
        for members in by_story.values():
            # A re-clustered block may have reshaped any of its stories; otherwise only those with new articles.
            if not rebuilt and not any(r in new for r in members):
                continue
            if len(members) <= self.options.max_event_story:
                events = self._events_of(members)
            else:
                events = self._join_nearest([r for r in members if r in new], "event")
            for g in events:
                eid = "e-" + min(self._arts[r].sort_key for r in g)[1]
                for r in g:
                    self._arts[r].event = eid

    def _join_nearest(self, rows: list[int], level: str) -> list[list[int]]:
        """Fallback for oversized groups: each new article joins the group of its most similar placed article."""
        out = []
        for r in rows:
            best = max(
                ((s, j) for j, s in self._edges.get(r, {}).items() if getattr(self._arts[j], level)),
                default=None, key=lambda t: (t[0], -t[1]),
            )  # fmt: skip
            threshold = self.options.story_threshold if level == "story" else self.options.event_threshold
            if best is not None and best[0] >= threshold:
                setattr(self._arts[r], level, getattr(self._arts[best[1]], level))
            else:
                out.append([r])
        return out

    def _stories_of(self, rows: list[int]) -> list[list[int]]:
        """Average link over the block's edges at ``story_threshold``, then small groups attach (module docstring)."""
        import heapq

        o = self.options
        w = o.use_weight
        key = {r: k for k, r in enumerate(rows)}
        nodes: list[_Node | None] = [
            _Node(
                [r], self._vecs[r].astype(np.float64), dict(self._arts[r].terms), self._arts[r].pub, self._arts[r].pub
            )
            for r in rows
        ]
        nbrs: list[set[int]] = [{key[j] for j in self._edges.get(r, {})} for r in rows]

        def sim(a: _Node, b: _Node) -> float:
            if o.use_time and a.first_pub is not None and b.first_pub is not None:
                assert a.last_pub is not None and b.last_pub is not None
                if max(b.first_pub - a.last_pub, a.first_pub - b.last_pub) > o.story_gap_days:
                    return -1.0
            dot = w * float(a.usum @ b.usum) + (1 - w) * _sparse_dot(a.tsum, b.tsum)
            return dot / (len(a.rows) * len(b.rows))

        version = [0] * len(rows)
        heap: list[tuple[float, int, int, int, int]] = []
        for a, r in enumerate(rows):
            for j, s in self._edges.get(r, {}).items():
                b = key[j]
                if a < b and s >= o.story_threshold:
                    heap.append((-round(s, 9), a, b, 0, 0))
        heapq.heapify(heap)
        while heap:
            _, a, b, va, vb = heapq.heappop(heap)
            na, nb = nodes[a], nodes[b]
            if na is None or nb is None or version[a] != va or version[b] != vb:
                continue
            # The lower key absorbs the higher one; ties in the heap break on keys: no dependence on set order.
            nodes[a] = _Node(na.rows + nb.rows, na.usum + nb.usum, _add_sparse(na.tsum, nb.tsum),
                             _min_opt(na.first_pub, nb.first_pub), _max_opt(na.last_pub, nb.last_pub))  # fmt: skip
            nodes[b] = None
            version[a] += 1
            nbrs[a] = (nbrs[a] | nbrs[b]) - {a, b}
            merged = nodes[a]
            assert merged is not None
            for c in sorted(nbrs[a]):
                nbrs[c].discard(b)
                nbrs[c].add(a)
                nc = nodes[c]
                assert nc is not None
                s = sim(merged, nc)
                if s >= o.story_threshold:
                    x, y = (a, c) if a < c else (c, a)
                    heapq.heappush(heap, (-round(s, 9), x, y, version[x], version[y]))
        groups = [n.rows for n in nodes if n is not None]
        group_of = {r: gi for gi, g in enumerate(groups) for r in g}
        big = [len(g) > o.small_size for g in groups]
        out: dict[int, list[int]] = {gi: list(g) for gi, g in enumerate(groups) if big[gi]}
        for gi, g in enumerate(groups):
            if big[gi]:
                continue
            best: tuple[float, str, int] | None = None
            for r in g:
                for j, s in self._edges.get(r, {}).items():
                    gj = group_of[j]
                    if big[gj] and s >= o.attach_threshold:
                        cand = (-s, self._arts[groups[gj][0]].id, gj)
                        if best is None or cand < best:
                            best = cand
            if best is None:
                out[len(groups) + gi] = list(g)
            else:
                out[best[2]].extend(g)
        return list(out.values())

    def _content_matrix(self, rows: list[int]) -> np.ndarray:
        """Pair content similarities of ``rows`` (the same mix as the edges), as one dense matrix."""
        from scipy.sparse import csr_matrix

        cols: dict[int, int] = {}
        data, ind, ptr = [], [], [0]
        for r in rows:
            for h, x in self._arts[r].terms.items():
                ind.append(cols.setdefault(h, len(cols)))
                data.append(x)
            ptr.append(len(ind))
        t = csr_matrix((data, ind, ptr), shape=(len(rows), max(len(cols), 1)))
        vec = self._vecs[rows].astype(np.float64)
        w = self.options.use_weight
        return np.asarray(w * (vec @ vec.T) + (1 - w) * np.asarray((t @ t.T).todense()))

    def _events_of(self, members: list[int]) -> list[list[int]]:
        """Events of one story: time-validated bisections, or a content-only average-link cut without time."""
        rows = sorted(members, key=lambda r: self._arts[r].id)
        if len(rows) == 1:
            return [rows]
        if self.options.use_time:
            return self._split(rows)
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        # Average link is unchanged by a constant shift of all distances; 2 - sim keeps them positive.
        dist = 2.0 - self._content_matrix(rows)
        np.fill_diagonal(dist, 0.0)
        labels = fcluster(linkage(squareform(dist, checks=False), "average"), 2.0 - self.options.event_threshold,
                          "distance")  # fmt: skip
        out: dict[int, list[int]] = {}
        for r, lab in zip(rows, labels.tolist(), strict=True):
            out.setdefault(int(lab), []).append(r)
        return list(out.values())

    def _split(self, rows: list[int]) -> list[list[int]]:
        """Bisect by normalised cut on content; keep the cut only when time confirms it, then recurse on each side."""
        o = self.options
        if len(rows) < 2 * o.min_dated:
            return [rows]
        side = _ncut_bisection(self._content_matrix(rows))
        if side is None:
            return [rows]
        days = [self._day_of_year(r) for r in rows]
        a = [d for d, s in zip(days, side, strict=True) if s and d is not None]
        b = [d for d, s in zip(days, side, strict=True) if not s and d is not None]
        if len(a) < o.min_dated or len(b) < o.min_dated or _median_gap(a, b) < o.split_days:
            return [rows]
        left = [r for r, s in zip(rows, side, strict=True) if s]
        right = [r for r, s in zip(rows, side, strict=True) if not s]
        return self._split(left) + self._split(right)

    def _day_of_year(self, r: int) -> int | None:
        """Writing day of the year: the published date (a fact), else the latest cited day (an estimate)."""
        a = self._arts[r]
        if a.pub is not None:
            return TimeAnchor.from_str(_iso(a.pub)).day_of_year
        return a.latest


def _ncut_bisection(sim: np.ndarray) -> list[bool] | None:
    """Two-way normalised cut: sweep the Fiedler vector of the normalised Laplacian for the smallest cut.

    Deterministic for a given matrix (stable sort, first minimum), so events stay a function of the article set.
    """
    m = len(sim)
    a = np.clip(sim, 0.0, None)
    np.fill_diagonal(a, 0.0)
    deg = a.sum(axis=1)
    if m < 2 or np.any(deg <= 0):
        return None
    inv = 1.0 / np.sqrt(deg)
    lap = np.eye(m) - inv[:, None] * a * inv[None, :]
    _, vecs = np.linalg.eigh(lap)
    order = np.argsort(inv * vecs[:, 1], kind="stable")
    best: tuple[float, int] | None = None
    total = float(deg.sum())
    inside = np.zeros(m, dtype=bool)
    vol = 0.0
    for k in range(1, m):
        inside[order[k - 1]] = True
        vol += float(deg[order[k - 1]])
        cut = float(a[inside][:, ~inside].sum())
        score = cut / vol + cut / (total - vol)
        if best is None or score < best[0] - 1e-12:
            best = (score, k)
    if best is None:
        return None
    side = np.zeros(m, dtype=bool)
    side[order[: best[1]]] = True
    return side.tolist()


def _median_gap(a: list[int], b: list[int]) -> float:
    """Days between the median days of the year of two groups, on the yearly circle (cut at its widest gap)."""
    u = sorted(set(a) | set(b))
    start = latest_day_of_year(u) if len(u) > 1 else u[0]

    def lin(d: int) -> int:
        return (d - start - 1) % 365  # days after the widest gap: a linear axis for this story

    return abs(float(np.median([lin(d) for d in a])) - float(np.median([lin(d) for d in b])))


def _iso(ordinal: int) -> str:
    from datetime import date

    return date.fromordinal(ordinal).isoformat()
