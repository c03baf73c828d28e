"""Two-level story clustering (events inside stories) whose result depends only on the set of articles.

The same articles give the same stories and events whether they arrive at once, in halves, or in any order:

1. edges: a new article is compared with its ``max_neighbours`` nearest stored articles by USE cosine (exact faiss
   search) whose cosine is at least ``use_floor``. Each pair gets a *calibrated* probability of being one story
   (:class:`PairModel`, a logistic regression over USE cosine, TF-IDF cosine with a fixed IDF, shared names weighted
   by rarity, title similarity, published-date distance, cited-day overlap and the language pair, fitted on dev
   pairs of RPM2, ECB+ and crisis-dev by train/train_pairs.py and shipped as ``vigie/data/pair_model.json``). It
   depends on the two articles only, and one threshold means the same in every corpus and language: a Spanish
   report of a French story is scored on what cross-language pairs of one story look like, not on shared words.
   Pairs at or above ``min(story_threshold, attach_threshold)`` whose published dates are at most
   ``story_gap_days`` apart are edges; edges only ever appear, so their connected components ("blocks",
   union-find) are order-independent;
2. stories: each block a batch touches is re-clustered from scratch, average link of the pair probabilities (a
   pair that is no edge counts as 0) at ``story_threshold``; groups of at most ``small_size`` articles then join
   the large group holding their most probable partner when that pair reaches ``attach_threshold`` (an outlier
   report of a storyline has one close sibling but a low average); a one-language story then splits where a
   modularity bisection of its graded content similarity reaches ``story_split_q`` (two same-kind happenings, two
   earthquakes, whose every pair looks alike but whose halves are denser inside; see
   :meth:`StoryClusterer._story_split`);
3. events: inside each story, a recursive time-validated bisection. Two content bisections are proposed (Newman's
   modularity split of the pair probabilities, and of the story's own vocabulary: terms in 2 to half of its
   articles, story-local IDF, see :meth:`StoryClusterer._local_matrix`); a proposal is kept only when each side
   holds at least ``min_dated`` dated articles (published date, else the latest year-less day the text cites, see
   :mod:`vigie.stories.timeanchor`) and the median dates of the two sides lie at least ``split_days`` apart; of the
   kept ones, the widest gap wins. Two events of one story share most of their vocabulary, so content alone cannot
   tell when to split; time cannot place the half of the articles that cite no day. Content proposes, time
   disposes. Without time (``use_time=False``) events are an average-link cut of the pair probabilities at
   ``event_threshold``.

Order independence is exact while an article has at most ``max_neighbours`` candidates above ``use_floor``: past
that, the candidate list is a top-k of the rows stored when it arrived (on the 2,409-article mix of every dev corpus
seven shuffled batches then differ from one batch; with ``max_neighbours=4000`` they are identical).

Ids are ``s-``/``e-`` + the first member in (published or "", id) order. Bounds that keep the work per batch
flat: stories above ``max_split_story`` are not split, blocks above ``max_block`` articles and stories above
``max_event_story`` are not re-clustered; their new articles join the story (event) of their most similar article
instead, which may depend on arrival order.

One module, over 600 lines: the clusterer's state (rows, edges, blocks) and the steps that read and
write it (search, linking, event bisection, saving) must change together.
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from vigie.stories.growarray import GrowArray
from vigie.stories.timeanchor import _CUM_DAYS, TimeAnchor, find_dates, latest_day_of_year, time_anchor
from vigie.text import fold

__all__ = [
    "PAIR_FEATURES",
    "ArticleFeatures",
    "Assignment",
    "ClusterItem",
    "ClusterOptions",
    "PairModel",
    "StoryClusterer",
    "featurize",
]

_BUCKET_DAYS = 30  # time buckets of the candidate search (see StoryClusterer._link)
STATE_VERSION = 3
_DIM = 512
# Term keys carry their kind in the top two bits: body TF-IDF terms, names, title terms (one sparse row per article).
_KIND_SHIFT = 30
_KINDS = 3
_TERMS, _NAMES, _TITLE = 0, 1, 2
PAIR_FEATURES = ("use", "tfidf", "names", "title", "cross", "cross_use", "both_dated", "date_gap", "both_cited",
                 "cited_jaccard", "top_names", "no_names")  # fmt: skip


@dataclass(frozen=True, slots=True)
class PairModel:
    """Logistic regression from pair features (:data:`PAIR_FEATURES`) to P(same story).

    The default is ``vigie/data/pair_model.json``, written by ``train/train_pairs.py`` from the dev corpora.
    """

    weights: tuple[float, ...]
    bias: float
    features: tuple[str, ...] = PAIR_FEATURES

    def __post_init__(self) -> None:
        if tuple(self.features) != PAIR_FEATURES or len(self.weights) != len(PAIR_FEATURES):
            raise ValueError(f"pair model features {list(self.features)} are not this version's {list(PAIR_FEATURES)}")

    def logit(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ np.asarray(self.weights, dtype=np.float64) + self.bias)

    def proba(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.logit(x), -30.0, 30.0))))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PairModel:
        return cls(tuple(float(w) for w in d["weights"]), float(d["bias"]), tuple(d["features"]))

    @classmethod
    def default(cls) -> PairModel:
        """The shipped model (read once per process)."""
        global _DEFAULT_MODEL
        if _DEFAULT_MODEL is None:
            import json
            from importlib.resources import files

            _DEFAULT_MODEL = cls.from_dict(json.loads(files("vigie.data").joinpath("pair_model.json").read_text()))
        return _DEFAULT_MODEL


_DEFAULT_MODEL: PairModel | None = None


@dataclass(slots=True)
class ClusterOptions:
    """Thresholds (pair probabilities) and bounds of :class:`StoryClusterer`; the defaults are what
    train/train_pairs.py picks on the dev corpora (see eval/eval_stories.py for the held-out figures).

    ``use_time=False`` drops the event time test and the published-date gate (content only). Saved options with
    names this version no longer has load fine (:meth:`from_dict` ignores them).
    """

    story_threshold: float = 0.3
    attach_threshold: float = 0.3
    event_threshold: float = 0.5
    story_gap_days: float = 45.0
    split_days: float = 14.0
    min_dated: int = 3
    story_split_q: float = 0.04  # train/train_pairs.py's choice on every dev corpus (and each CV fold's)
    story_split_min: int = 3
    max_split_story: int = 400
    use_time: bool = True
    small_size: int = 2
    use_floor: float = 0.2
    max_neighbours: int = 256
    max_block: int = 4_000
    max_event_story: int = 400
    max_terms: int = 64
    max_names: int = 16

    def __post_init__(self) -> None:
        for name in ("story_threshold", "attach_threshold", "event_threshold"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {v}")
        if not -1.0 <= self.use_floor <= 1.0:
            raise ValueError(f"use_floor must be within [-1, 1], got {self.use_floor}")
        for name in ("story_gap_days", "split_days"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0 days, got {getattr(self, name)}")
        for name in ("max_neighbours", "max_block", "max_event_story", "max_split_story", "max_terms", "max_names",
                     "min_dated"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.small_size < 0:
            raise ValueError(f"small_size must be >= 0, got {self.small_size}")
        if not 0.0 <= self.story_split_q <= 1.0:
            raise ValueError(f"story_split_q must be within [0, 1] (0: no split), got {self.story_split_q}")
        if self.story_split_min < 1:
            raise ValueError(f"story_split_min must be >= 1, got {self.story_split_min}")

    @property
    def edge_threshold(self) -> float:
        """Lowest pair probability any decision looks at: the block edges."""
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

    ``terms``: hashed terms, their kind in the top bits (:func:`term_kind`), each kind a unit vector: the body
    TF-IDF (fixed IDF, top ``max_terms``), the names (capitalised words inside sentences, by rarity, top
    ``max_names``) and the title terms; ``anchor``: estimated writing date (:class:`vigie.stories.timeanchor.TimeAnchor` string); ``days``: year-less days of the year the text cites.
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


_STOP = frozenset(fold(w) for w in _STOP_WORDS.split())


def _hash(token: str) -> int:
    # zlib.crc32 is stable across processes, unlike hash(); 32 bits keep collisions rare at news vocabularies.
    return zlib.crc32(token.encode("utf-8"))


def _freqs(lang: str = "fr") -> dict[str, float]:
    """Word frequencies of one language (``wordfreq``), loaded once; {} for a language wordfreq does not know."""
    with _FREQ_LOCK:
        d = _FREQS.get(lang)
        if d is None:
            try:
                import wordfreq
            except ImportError as e:
                from vigie.errors import VigieError

                raise VigieError("story clustering needs word frequencies: pip install 'vigie[stories]'") from e
            d = _FREQS[lang] = wordfreq.get_frequency_dict(lang) if lang in wordfreq.available_languages() else {}
        return d


def _idf_of(language: str | None) -> Any:
    """-log frequency of a lower-cased word, the largest of French, English and the article's own language (common
    in any of them is not specific). Depends on the article alone, so features never depend on what came before."""
    own = (language or "").split("-")[0].split("_")[0].lower()
    dicts = [_freqs("fr"), _freqs("en")] + ([_freqs(own)] if own and own not in ("fr", "en") else [])

    def idf(lower: str) -> float:
        key = _DIGIT.sub("0", lower) if len(lower) > 1 else lower  # wordfreq pools numbers by their digit count
        return -math.log(max(max(d.get(key, 0.0) for d in dicts), _FREQ_FLOOR))

    return idf


def _idf(lower: str) -> float:
    """Fixed IDF of a word for a French or English article."""
    return float(_idf_of(None)(lower))


def term_kind(key: int) -> int:
    """Which sub-vector a term key belongs to: 0 body terms, 1 names, 2 title terms."""
    return key >> _KIND_SHIFT


def _unit(weights: dict[str, float], cap: int, kind: int) -> dict[int, float]:
    """Top ``cap`` weights as a unit vector over hashed keys of ``kind``."""
    keyed: dict[int, float] = {}
    for t, v in weights.items():
        h = (_hash(t) & ((1 << _KIND_SHIFT) - 1)) | (kind << _KIND_SHIFT)
        keyed[h] = keyed.get(h, 0.0) + v
    if len(keyed) > cap:
        keyed = dict(sorted(keyed.items(), key=lambda t: (-t[1], t[0]))[:cap])
    norm = math.sqrt(sum(v * v for v in keyed.values())) or 1.0
    return {h: v / norm for h, v in keyed.items()}


def _terms(title: str, body: str, cap: int, language: str | None = None, kind: int = _TERMS) -> dict[int, float]:
    """Unit TF-IDF vector of hashed folded terms: sublinear counts, title counted twice, fixed IDF, top ``cap``."""
    idf = _idf_of(language)
    counts: dict[str, list[float]] = {}
    for text, w in ((title, 2), (body, 1)):
        for m in _WORD.finditer(text):
            lower = m.group().lower()
            tok = fold(lower)
            if (len(tok) < 3 and not tok.isdigit()) or tok in _STOP:
                continue
            c = counts.get(tok)
            if c is None:
                counts[tok] = [w, idf(lower)]
            else:
                c[0] += w
    return _unit({t: (1.0 + math.log(n)) * v for t, (n, v) in counts.items()}, cap, kind)


_SENT_OPEN = frozenset(".!?…:;«»\"“”\n")


def _names(text: str, cap: int, language: str | None = None) -> dict[int, float]:
    """Names: capitalised words that do not open a sentence, weighted by rarity (fixed IDF of the lower-cased word:
    "Maures" or "Ketsoyan" weigh far more than "France"). A cheap stand-in for NER: what tells two earthquakes or two
    rehab stories apart is who and where, and spaCy at story scale is two orders of magnitude slower."""
    idf = _idf_of(language)
    counts: dict[str, list[float]] = {}
    for m in _WORD.finditer(text):
        w = m.group()
        if not w[0].isupper() or len(w) < 2:
            continue
        before = text[max(0, m.start() - 3) : m.start()].rstrip(" \t\u00a0(")
        if not before or before[-1] in _SENT_OPEN:
            continue
        lower = w.lower()
        tok = fold(lower)
        if tok in _STOP or len(tok) < 2:
            continue
        c = counts.get(tok)
        if c is None:
            counts[tok] = [1, idf(lower)]
        else:
            c[0] += 1
    return _unit({t: (1.0 + math.log(n)) * v for t, (n, v) in counts.items()}, cap, _NAMES)


def _cited_days(text: str) -> list[int]:
    """Year-less day mentions that are not announced as future: the recent happenings a report covers."""
    return sorted(
        {_CUM_DAYS[m.month - 1] + m.day for m in find_dates(text)
         if m.kind == "day" and not m.future and m.year is None and m.month is not None and m.day is not None}
    )  # fmt: skip


def featurize(items: Sequence[ClusterItem], max_terms: int = 64, max_names: int = 16) -> list[ArticleFeatures]:
    """Compute (and attach) the features of items that lack them; returns them in order."""
    out: list[ArticleFeatures] = []
    for it in items:
        if it.features is None:
            title, body = it.title or "", it.body or ""
            text = f"{title}\n{body}"
            anchor = time_anchor(text, it.published)
            terms = _terms(title, body, max_terms, it.language)
            terms.update(_names(body or title, max_names, it.language))
            terms.update(_terms(title, "", 16, it.language, _TITLE))
            it.features = ArticleFeatures(terms, anchor.to_str() if anchor else None, _cited_days(text))
        out.append(it.features)
    return out


# --- clusterer --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Art:
    """A stored article: its dates and its place (its terms and vector live in the clusterer's arrays)."""

    id: str
    published: str  # published or "": (published, id) names groups by their first member
    pub: int | None  # published date as an ordinal
    days: tuple[int, ...]
    latest: int | None  # latest cited day of the year
    story: str = ""
    event: str = ""

    @property
    def sort_key(self) -> tuple[str, str]:
        return self.published, self.id


@dataclass(slots=True)
class _Node:
    """A group during average-link agglomeration: its rows and published-date span."""

    rows: list[int]
    first_pub: int | None
    last_pub: int | None


def _sparse_dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[h] for h, w in a.items() if h in b)


def _min_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max_opt(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


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

    def __init__(self, options: ClusterOptions | None = None, pair_model: PairModel | None = None) -> None:
        self.options = options or ClusterOptions()
        self.pair_model = pair_model or PairModel.default()
        self._arts: list[_Art] = []
        self._row: dict[str, int] = {}
        # Row-major arrays instead of per-article objects: a 100k store fits in a few hundred MB.
        self._vec_buf = GrowArray(np.float32, (_DIM,))
        self._tkeys = GrowArray(np.uint32)  # every row's sorted term hashes, one after the other
        self._tvals = GrowArray(np.float32)  # their TF-IDF weights
        self._toff = GrowArray(np.int64)  # row r's terms are [toff[r], toff[r + 1])
        self._toff.extend(np.zeros(1, dtype=np.int64))
        self._lang = GrowArray(np.int16)  # language code per row; code 0 is "unknown"
        self._top = GrowArray(np.int64)  # key of each row's heaviest name, -1 for none
        self._lang_names: list[str | None] = [None]
        self._lang_codes: dict[str | None, int] = {None: 0}
        self._edges: dict[int, dict[int, float]] = {}  # row -> {neighbour row: pair similarity}
        self._n_edges = 0
        self._edge_log: list[tuple[int, int, float]] = []  # edges added since the clusterer was built or loaded
        self._uf = _UnionFind()
        self._members: dict[int, list[int]] = {}  # block root -> rows
        self._bucket_rows: dict[int | None, list[int]] = {}  # candidate-search bucket -> rows (see _link)
        self._index: dict[int | None, Any] = {}  # bucket -> faiss index over its first ntotal rows, built lazily
        self._embedder: Any = None
        # Event matrices of the stories the story split left whole, for their event split (one block at a time).
        self._sim_cache: dict[tuple[int, ...], tuple[np.ndarray, list[bool] | None]] = {}
        # The loosest bounds any pair was scored under: the edge threshold (highest used) and the story gap (lowest).
        self._scored = (self.options.edge_threshold, self.options.story_gap_days)

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
        featurize(batch, self.options.max_terms, self.options.max_names)
        self._ensure_vectors(batch)
        o = self.options
        self._scored = (max(self._scored[0], o.edge_threshold), min(self._scored[1], o.story_gap_days))
        rows = self._append(batch)
        self._link(rows)
        touched = sorted({self._uf.find(r) for r in rows})
        for root in touched:
            self._recluster(root, set(rows))
        return [Assignment(it.id, self._arts[r].event, self._arts[r].story) for it, r in zip(batch, rows, strict=True)]

    def candidate_pairs(self, items: Sequence[ClusterItem]) -> tuple[list[tuple[str, str]], np.ndarray]:
        """Every pair the edge search would score among ``items`` (new to this clusterer, which keeps them as
        unlinked rows), with its features: what train/train_pairs.py fits the pair model on."""
        todo = {it.id: it for it in items if it.id not in self._row}
        batch = sorted(todo.values(), key=lambda it: (it.published or "", it.id))
        featurize(batch, self.options.max_terms, self.options.max_names)
        self._ensure_vectors(batch)
        rows = self._append(batch)
        new = set(rows)
        pairs: list[tuple[str, str]] = []
        feats: list[np.ndarray] = []
        for r in rows:
            js = [j for j, _ in self._candidates(r) if j in new and j < r
                  and not self._gated(self._arts[r].pub, self._arts[j].pub)]  # fmt: skip
            if js:
                feats.append(self._pair_features(r, np.asarray(js, dtype=np.int64)))
                pairs.extend((self._arts[r].id, self._arts[j].id) for j in js)
        return pairs, (np.concatenate(feats) if feats else np.zeros((0, len(PAIR_FEATURES))))

    def recluster(self, options: ClusterOptions | None = None) -> None:
        """Group every block again, with ``options`` if given (after an upgrade or a threshold change): no vector or
        feature is recomputed. Blocks and stories above the size bounds keep their groups.

        Raises:
            VigieError: when ``options`` would need pairs below the edge threshold the edges were found with:
                those pairs were never scored, so only placing every article again can honour them.
        """
        if options is not None:
            if options.edge_threshold < self._scored[0] or options.use_time != self.options.use_time or (
                    options.use_time and options.story_gap_days > self._scored[1]):  # fmt: skip
                from vigie.errors import VigieError

                raise VigieError("these thresholds need pairs that were never scored: place every article again")
            self.options = options
        for root in sorted({self._uf.find(r) for r in range(len(self._arts))}):
            self._recluster(root, set())

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
        keys, vals = self._term_arrays(row)
        lang = self._lang_names[int(self._lang.a[row])]
        return [a.id, a.published, [keys.tolist(), vals.tolist()], a.pub, list(a.days), a.story, a.event, lang]

    def row_vector(self, row: int) -> np.ndarray:
        return np.asarray(self._vecs[row], dtype=np.float32)

    def edges_since(self, k: int) -> list[tuple[int, int, float]]:
        """Edges added after the first ``k`` (edges are only ever added; ``k`` at least the count when loaded)."""
        base = self._n_edges - len(self._edge_log)
        if k < base:
            raise ValueError(f"edges before {base} were loaded, not added: cannot list from {k}")
        return self._edge_log[k - base :]

    @property
    def n_edges(self) -> int:
        return self._n_edges

    @property
    def _vecs(self) -> np.ndarray:
        return self._vec_buf.view

    def meta_state(self) -> dict[str, Any]:
        """The state without its per-article rows, vectors and edges."""
        return {"version": STATE_VERSION, "options": self.options.to_dict(), "scored": list(self._scored),
                "pair_model": self.pair_model.to_dict()}

    def state(self) -> dict[str, Any]:
        """Everything needed to continue: JSON-able values, plus ``vsum``, the article vectors as one float32 array."""
        arts = [self.row_entry(r) for r in range(len(self._arts))]
        edges = sorted((i, j, s) for i, nb in self._edges.items() for j, s in nb.items() if i < j)
        return {
            **self.meta_state(),
            "articles": arts,
            "edges": [[i, j, s] for i, j, s in edges],
            "vsum": self._vecs.astype(np.float32),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """Rebuild a clusterer from :meth:`state` (possibly after a JSON + npy round trip).

        ``articles`` and ``edges`` may be iterators: they are consumed one row at a time, never held whole.

        Raises:
            VigieError: when the state comes from another version of this module.
        """
        from vigie.errors import VigieError

        if state.get("version") != STATE_VERSION:
            raise VigieError(f"cluster state version {state.get('version')} is not {STATE_VERSION}: re-cluster")
        model = PairModel.from_dict(state["pair_model"]) if state.get("pair_model") else None
        cl = cls(ClusterOptions.from_dict(state["options"]), model)
        if state.get("scored"):
            cl._scored = (float(state["scored"][0]), float(state["scored"][1]))
        vecs = np.asarray(state["vsum"], dtype=np.float32).reshape(-1, _DIM)
        cl._vec_buf.a, cl._vec_buf.n = np.ascontiguousarray(vecs), len(vecs)
        for entry in state["articles"]:
            aid, pub_s, (keys, vals), pub, days, story, event = entry[:7]
            cl._add_row(aid, pub_s, pub, tuple(int(d) for d in days), np.asarray(keys, dtype=np.uint32),
                        np.asarray(vals, dtype=np.float32), entry[7] if len(entry) > 7 else None, story,
                        event)  # fmt: skip
        if len(cl._arts) != len(vecs):
            raise VigieError(f"cluster state has {len(cl._arts)} articles but {len(vecs)} vectors: re-cluster")
        for i, j, s in state["edges"]:
            cl._add_edge(int(i), int(j), float(s))
        cl._edge_log.clear()  # loaded edges are already saved: savers ask for edges added from here on
        return cl

    # -- internals --

    def _ensure_vectors(self, items: Sequence[ClusterItem]) -> None:
        missing = [it for it in items if it.vector is None]
        if missing:
            if self._embedder is None:
                from vigie.stories.embed import Embedder

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
            keys = sorted(it.features.terms)
            rows.append(self._add_row(it.id, it.published or "", pub, tuple(it.features.days),
                                      np.asarray(keys, dtype=np.uint32),
                                      np.asarray([it.features.terms[k] for k in keys], dtype=np.float32),
                                      it.language))  # fmt: skip
        self._vec_buf.extend(np.stack([np.asarray(it.vector, dtype=np.float32) for it in batch]))
        return rows

    def _add_row(self, aid: str, published: str, pub: int | None, days: tuple[int, ...], keys: np.ndarray,
                 vals: np.ndarray, language: str | None = None, story: str = "", event: str = "") -> int:  # fmt: skip
        """Append one article's row (its vector is appended by the caller); ``keys`` sorted ascending."""
        r = len(self._arts)
        lang = (language or "").split("-")[0].split("_")[0].lower() or None
        code = self._lang_codes.get(lang)
        if code is None:
            code = self._lang_codes[lang] = len(self._lang_names)
            self._lang_names.append(lang)
        self._lang.extend(np.array([code], dtype=np.int16))
        names = (keys >> _KIND_SHIFT) == _NAMES
        top = int(keys[names][np.argmax(vals[names])]) if names.any() else -1  # first maximum: the smallest key
        self._top.extend(np.array([top], dtype=np.int64))
        self._arts.append(_Art(aid, published, pub, days, latest_day_of_year(list(days)) if days else None,
                               story, event))  # fmt: skip
        self._row[aid] = r
        self._uf.add()
        self._members[r] = [r]
        self._tkeys.extend(keys)
        self._tvals.extend(vals)
        self._toff.extend(np.array([self._tkeys.n], dtype=np.int64))
        self._bucket_rows.setdefault(self._bucket_of(pub), []).append(r)
        return r

    def _term_arrays(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._toff.a[r], self._toff.a[r + 1]
        return self._tkeys.a[lo:hi], self._tvals.a[lo:hi]

    def _contents(self, r: int, js: Sequence[int] | np.ndarray) -> np.ndarray:
        """P(same story) of row ``r`` with each of rows ``js`` (the pair model on :meth:`_pair_features`).

        Rounded to 6 decimals: a pair scored from either side (or in another batch order) must give the same value,
        and float sums in another order differ in the last bits; near 1 many pairs tie, so those bits would decide
        merges."""
        return np.round(self.pair_model.proba(self._pair_features(r, np.asarray(js, dtype=np.int64))), 6)

    def _pair_features(self, r: int, cols: np.ndarray) -> np.ndarray:
        """Features (:data:`PAIR_FEATURES` order) of row ``r`` with rows ``cols``, one row per pair."""
        use, dots, has_mine = self._pair_parts(r, cols)
        cross = self._cross(r, cols).astype(np.float64)
        x = np.zeros((len(cols), len(PAIR_FEATURES)), dtype=np.float64)
        x[:, 0] = use
        x[:, 1:4] = dots
        x[:, 4] = cross
        x[:, 5] = cross * use
        a = self._arts[r]
        if a.pub is not None and self.options.use_time:  # without time, content only
            pubs = [self._arts[j].pub for j in cols.tolist()]
            for k, p in enumerate(pubs):
                if p is not None:
                    x[k, 6] = 1.0
                    x[k, 7] = min(abs(p - a.pub), 60) / 30
        top = self._top_names(r, cols, has_mine)
        x[:, 10] = np.maximum(top, 0.0)
        x[:, 11] = top < 0
        if a.days:
            mine = set(a.days)
            for k, j in enumerate(cols.tolist()):
                theirs = self._arts[j].days
                if theirs:
                    x[k, 8] = 1.0
                    x[k, 9] = len(mine.intersection(theirs)) / len(mine.union(theirs))
        return x

    def _pair_parts(self, r: int, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """USE cosines (n,), per-kind sparse dots (n, 3: terms, names, title) of row ``r`` with rows ``cols``, and
        whether each holds row ``r``'s heaviest name."""
        use = self._vecs[cols] @ self._vecs[r]
        rk, rv = self._term_arrays(r)
        starts, ends = self._toff.a[cols], self._toff.a[cols + 1]
        lens = ends - starts
        total = int(lens.sum())
        dots: np.ndarray = np.zeros((len(cols), _KINDS), dtype=np.float64)
        has_mine = np.zeros(len(cols), dtype=bool)
        if total and len(rk):
            # Gather every candidate's terms, look each up among r's sorted keys, sum the matching products by kind.
            idx = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
            ck, cv = self._tkeys.a[idx], self._tvals.a[idx]
            pos = np.minimum(np.searchsorted(rk, ck), len(rk) - 1)
            hit = rk[pos] == ck
            who = np.repeat(np.arange(len(cols)), lens)[hit]
            owner = who * _KINDS + (ck[hit] >> _KIND_SHIFT).astype(np.int64)
            dots = np.bincount(owner, weights=cv[hit].astype(np.float64) * rv[pos[hit]],
                               minlength=len(cols) * _KINDS).reshape(len(cols), _KINDS)  # fmt: skip
            has_mine[who[ck[hit].astype(np.int64) == int(self._top.a[r])]] = True
        return use.astype(np.float64), dots, has_mine

    def _top_names(self, r: int, cols: np.ndarray, has_mine: np.ndarray) -> np.ndarray:
        """Share of the two heaviest names (each article's own) that the other article names too; -1 when either
        article names nobody. Two same-kind events (two earthquakes, two rehab entries) share the topic's names but
        not their protagonist. ``has_mine``: whether each of ``cols`` holds row ``r``'s heaviest name."""
        rk, _ = self._term_arrays(r)
        theirs = self._top.a[cols]
        if int(self._top.a[r]) < 0:
            return np.full(len(cols), -1.0)
        pos = np.minimum(np.searchsorted(rk, np.maximum(theirs, 0).astype(np.uint32)), len(rk) - 1)
        found_theirs = (theirs >= 0) & (rk[pos].astype(np.int64) == theirs)
        return np.where(theirs < 0, -1.0, (has_mine.astype(np.float64) + found_theirs) / 2)

    def _cross(self, r: int, cols: np.ndarray) -> np.ndarray:
        """Which of rows ``cols`` are in another (known) language than row ``r``."""
        lr = int(self._lang.a[r])
        lc = self._lang.a[cols]
        return (lr != 0) & (lc != 0) & (lc != lr)

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
        new = set(rows)
        for r in rows:
            js = [j for j, _ in self._candidates(r)
                  if not (j == r or (j in new and j < r))  # each new-new pair once, from its higher row
                  and not self._gated(self._arts[r].pub, self._arts[j].pub)]  # fmt: skip
            if not js:
                continue
            for j, s in zip(js, self._contents(r, js).tolist(), strict=True):
                if s >= o.edge_threshold:
                    self._add_edge(r, j, s)

    def _bucket_of(self, pub: int | None) -> int | None:
        if pub is None or not self.options.use_time:
            return None
        return pub // _BUCKET_DAYS

    def _bucket_index(self, key: int) -> Any:
        """The faiss index of one time bucket, built when first searched and topped up with the rows added since:
        an increment into a large store only builds the few buckets its dates reach."""
        import faiss

        rows = self._bucket_rows.get(key, [])
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = faiss.IndexFlatIP(_DIM)
        if index.ntotal < len(rows):
            index.add(np.ascontiguousarray(self._vecs[rows[index.ntotal :]]))
        return index

    def _candidates(self, r: int) -> list[tuple[int, float]]:
        """The nearest stored articles of row ``r`` by USE cosine, above the floor, best first."""
        o = self.options
        b = self._bucket_of(self._arts[r].pub)
        q = np.ascontiguousarray(self._vecs[r : r + 1])
        found: dict[int, float] = {}
        if b is None:
            # Undated: every row. A brute-force scan of the vectors in place (what a flat index does), no copy.
            n, k = len(self._arts), o.max_neighbours
            for lo in range(0, n, 65_536):
                sims = self._vecs[lo : lo + 65_536] @ q[0]
                top = np.argpartition(-sims, k)[:k] if len(sims) > k else np.arange(len(sims))
                for i in top.tolist():
                    if sims[i] >= o.use_floor:
                        found[lo + i] = float(sims[i])
        else:
            reach = int(o.story_gap_days // _BUCKET_DAYS) + 1
            for key in (None, *range(b - reach, b + reach + 1)):
                rows = self._bucket_rows.get(key)
                if not rows:
                    continue
                if key is None:  # the undated rows, scanned in place like the all-rows search
                    sims = self._vecs[rows] @ q[0]
                    for i, d in zip(rows, sims.tolist(), strict=True):
                        if d >= o.use_floor:
                            found[i] = d
                    continue
                index = self._bucket_index(key)
                dists, ids = index.search(q, min(o.max_neighbours, index.ntotal))
                for d, i in zip(dists[0].tolist(), ids[0].tolist(), strict=True):
                    if i >= 0 and d >= o.use_floor:
                        found[rows[i]] = d
        return sorted(found.items(), key=lambda jd: (-jd[1], jd[0]))[: o.max_neighbours]

    def _add_edge(self, i: int, j: int, s: float) -> None:
        if j not in self._edges.get(i, {}):
            self._edge_log.append((min(i, j), max(i, j), s))
            self._n_edges += 1
        self._edges.setdefault(i, {})[j] = s
        self._edges.setdefault(j, {})[i] = s
        ri, rj = self._uf.find(i), self._uf.find(j)
        if ri != rj:
            self._uf.union(ri, rj)
            root = self._uf.find(ri)
            other = rj if root == ri else ri
            self._members[root].extend(self._members.pop(other))

    def _recluster(self, root: int, new: set[int]) -> None:
        try:
            self._recluster_block(root, new)
        finally:
            self._sim_cache.clear()

    def _recluster_block(self, root: int, new: set[int]) -> None:
        rows = sorted(self._members[root], key=lambda r: self._arts[r].id)
        if len(rows) <= self.options.max_block:
            groups = [part for g in self._stories_of(rows) for part in self._story_split(g)]
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
        key = {r: k for k, r in enumerate(rows)}
        nodes: list[_Node | None] = [_Node([r], self._arts[r].pub, self._arts[r].pub) for r in rows]
        # link[a][b]: the sum of the pair probabilities between groups a and b over their edges (a non-edge adds 0).
        link: list[dict[int, float]] = [{key[j]: s for j, s in self._edges.get(r, {}).items()} for r in rows]

        def avg(ka: int, kb: int) -> float:
            a, b = nodes[ka], nodes[kb]
            assert a is not None and b is not None
            if o.use_time and a.first_pub is not None and b.first_pub is not None:
                assert a.last_pub is not None and b.last_pub is not None
                if max(b.first_pub - a.last_pub, a.first_pub - b.last_pub) > o.story_gap_days:
                    return -1.0
            return link[ka][kb] / (len(a.rows) * len(b.rows))

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
            nodes[a] = _Node(na.rows + nb.rows, _min_opt(na.first_pub, nb.first_pub),
                             _max_opt(na.last_pub, nb.last_pub))  # fmt: skip
            nodes[b] = None
            version[a] += 1
            la, lb = link[a], link[b]
            la.pop(b, None)
            for c, v in lb.items():
                if c != a:
                    la[c] = la.get(c, 0.0) + v
            link[b] = {}
            for c in sorted(la):
                lc = link[c]
                lc.pop(b, None)
                lc[a] = la[c]
                s = avg(a, c)
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

    def _story_split(self, rows: list[int]) -> list[list[int]]:
        """Two same-kind happenings merged into one story (two earthquakes, two rehab entries) fall apart along
        their own words: a modularity bisection of the graded content similarity (:meth:`_event_matrix`) whose
        modularity reaches ``story_split_q``, each side at least ``story_split_min`` articles, recursively. The pair
        probabilities cannot see it (each pair shares the topic's words and the kind's names), the group as a whole
        does: the two halves are denser inside than the topic predicts, while one storyline over weeks scores low
        (its developments share its protagonists). Stories in several languages are left whole: the body terms
        cannot compare two languages, so the bisection would split the languages apart."""
        o = self.options
        if o.story_split_q <= 0.0 or len(rows) < 2 * o.story_split_min or len(rows) > o.max_split_story:
            return [rows]
        if len(set(self._lang.a[rows].tolist()) - {0}) > 1:
            return [rows]
        rows = sorted(rows, key=lambda r: self._arts[r].id)
        sim = self._event_matrix(rows)
        side = _modularity_bisection(sim)
        # A story left whole: its event split starts from the same matrix and bisection.
        self._sim_cache[tuple(rows)] = (sim, side)
        if side is None or _modularity(sim, side) < o.story_split_q:
            return [rows]
        left = [r for r, s in zip(rows, side, strict=True) if s]
        right = [r for r, s in zip(rows, side, strict=True) if not s]
        if min(len(left), len(right)) < o.story_split_min:
            return [rows]
        return self._story_split(left) + self._story_split(right)

    def _term_matrix(self, rows: list[int], body_only: bool = False) -> Any:
        """The rows' term vectors as one sparse matrix (rows x the hashed terms they use); ``body_only``: the unit
        TF-IDF vectors of the body terms alone (no names, no title terms)."""
        from scipy.sparse import csr_matrix

        cols: dict[int, int] = {}
        data: list[float] = []
        ind: list[int] = []
        ptr = [0]
        for r in rows:
            keys, vals = self._term_arrays(r)
            if body_only:
                body = (keys >> _KIND_SHIFT) == _TERMS
                keys, vals = keys[body], vals[body]
            ind.extend(cols.setdefault(h, len(cols)) for h in keys.tolist())
            data.extend(vals.astype(np.float64).tolist())
            ptr.append(len(ind))
        return csr_matrix((data, ind, ptr), shape=(len(rows), max(len(cols), 1)))

    def _event_matrix(self, rows: list[int]) -> np.ndarray:
        """Graded content similarity inside a story, for the event bisection: 0.3 USE + 0.7 TF-IDF cosine.
        Inside one story the pair probabilities saturate near 1 (its log-odds scored lower on RPM2 events: 0.717 vs
        0.777 in-sample), so they no longer tell closer pairs from looser ones."""
        t = self._term_matrix(rows, body_only=True)
        vec = self._vecs[rows].astype(np.float64)
        m = 0.3 * (vec @ vec.T) + 0.7 * np.asarray((t @ t.T).todense())
        return np.asarray(np.round(np.clip(m, 0.0, None), 9))

    def _content_matrix(self, rows: list[int]) -> np.ndarray:
        """Pair probabilities of ``rows`` (the same model as the edges), as one dense symmetric matrix."""
        cols = np.asarray(rows, dtype=np.int64)
        m = np.stack([self._contents(r, cols) for r in rows]) if rows else np.zeros((0, 0))
        return np.asarray(np.maximum(m, m.T))

    def _events_of(self, members: list[int]) -> list[list[int]]:
        """Events of one story: time-validated bisections, or a content-only average-link cut without time."""
        rows = sorted(members, key=lambda r: self._arts[r].id)
        if len(rows) == 1:
            return [rows]
        if self.options.use_time:
            return self._split(rows)
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        dist = 1.0 - self._content_matrix(rows)
        np.fill_diagonal(dist, 0.0)
        labels = fcluster(linkage(squareform(dist, checks=False), "average"), 1.0 - self.options.event_threshold,
                          "distance")  # fmt: skip
        out: dict[int, list[int]] = {}
        for r, lab in zip(rows, labels.tolist(), strict=True):
            out.setdefault(int(lab), []).append(r)
        return list(out.values())

    def _local_matrix(self, rows: list[int]) -> np.ndarray:
        """Cosine over the story's own discriminating vocabulary: terms in at least 2 and at most half of the rows,
        reweighted by the story-local IDF log(n/df). What the whole story shares (its topic) and what one article
        alone says are dropped; what is left is what sets one group of articles apart: a new development."""
        from scipy.sparse import diags

        t = self._term_matrix(rows)
        n = len(rows)
        df = np.asarray((t > 0).sum(axis=0)).ravel()
        weight = np.where((df >= 2) & (df <= 0.5 * n), np.log(n / np.maximum(df, 1)), 0.0)
        x = t @ diags(weight)
        norm = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        x = diags(1.0 / np.where(norm > 0, norm, 1.0)) @ x
        return np.asarray((x @ x.T).todense())

    def _split(self, rows: list[int]) -> list[list[int]]:
        """Two content bisections (modularity on the pair similarity, and on the story-local vocabulary when the story
        has one language); keep those time confirms, take the one whose sides lie furthest apart in time, then
        recurse on each side."""
        o = self.options
        if len(rows) < 2 * o.min_dated:
            return [rows]
        days = [self._day_of_year(r) for r in rows]
        best: tuple[float, list[bool]] | None = None
        langs = set(self._lang.a[rows].tolist()) - {0}
        # The story's own vocabulary cannot compare two languages: with several, it would split them apart.
        cached = self._sim_cache.pop(tuple(rows), None)
        sims = [cached[0] if cached is not None else self._event_matrix(rows)] + (
            [self._local_matrix(rows)] if len(langs) <= 1 else [])  # fmt: skip
        for k, sim in enumerate(sims):
            side = cached[1] if k == 0 and cached is not None else _modularity_bisection(sim)
            if side is None:
                continue
            a = [d for d, s in zip(days, side, strict=True) if s and d is not None]
            b = [d for d, s in zip(days, side, strict=True) if not s and d is not None]
            if len(a) < o.min_dated or len(b) < o.min_dated:
                continue
            gap = _median_gap(a, b)
            if gap >= o.split_days and (best is None or gap > best[0]):
                best = (gap, side)
        if best is None:
            return [rows]
        left = [r for r, s in zip(rows, best[1], strict=True) if s]
        right = [r for r, s in zip(rows, best[1], strict=True) if not s]
        return self._split(left) + self._split(right)

    def _day_of_year(self, r: int) -> int | None:
        """Writing day of the year: the published date (a fact), else the latest cited day (an estimate)."""
        a = self._arts[r]
        if a.pub is not None and self.options.use_time:  # without time, content only
            return TimeAnchor.from_str(_iso(a.pub)).day_of_year
        return a.latest


def _modularity_bisection(sim: np.ndarray) -> list[bool] | None:
    """Newman's leading-eigenvector split of B = A - k k^T / 2m (A: the clipped similarities, no diagonal), refined
    by single-article moves while modularity rises; None when no split has positive modularity.

    Unlike a normalised cut it has a null model: it splits only where the articles are more alike than their
    overall similarity predicts. Deterministic for a given matrix (first maximum, fixed sweep).
    """
    m = len(sim)
    a = np.clip(sim, 0.0, None)
    np.fill_diagonal(a, 0.0)
    k = a.sum(axis=1)
    two_m = float(k.sum())
    if m < 2 or two_m <= 0:
        return None
    b = a - np.outer(k, k) / two_m
    vals, vecs = np.linalg.eigh(b)
    if vals[-1] <= 1e-12:
        return None
    s = np.where(vecs[:, -1] >= 0, 1.0, -1.0)
    bs = b @ s
    diag = np.diag(b)
    for _ in range(4 * m):  # each move strictly raises s'Bs; the cap is a guard
        gains = -4.0 * s * (bs - diag * s)
        i = int(np.argmax(gains))
        if gains[i] <= 1e-12:
            break
        bs -= 2.0 * s[i] * b[:, i]
        s[i] = -s[i]
    if float(s @ b @ s) <= 1e-12 or abs(float(s.sum())) == m:
        return None
    return (s > 0).tolist()


def _modularity(sim: np.ndarray, side: list[bool]) -> float:
    """Newman's modularity Q of a two-way split of the clipped similarities (no diagonal): within-side weight
    minus what the degrees predict, over the total weight; in [-0.5, 0.5]."""
    a = np.clip(sim, 0.0, None)
    np.fill_diagonal(a, 0.0)
    k = a.sum(axis=1)
    two_m = float(k.sum())
    if two_m <= 0:
        return 0.0
    s = np.where(np.asarray(side), 1.0, -1.0)
    return float(s @ (a - np.outer(k, k) / two_m) @ s) / (2.0 * two_m)


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
