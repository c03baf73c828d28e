"""Exact and near-duplicate detection: MinHash over word shingles, LSH for candidates (Broder 1997).

A near copy is linked to its first-seen copy so it does not count as another voice; the store keeps both articles
(and both outlets, for a reprint).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)


@dataclass(slots=True)
class DedupOptions:
    """Near-duplicate settings.

    Attributes:
        num_perm: MinHash permutations (signature length); more is more exact and slower.
        threshold: estimated Jaccard similarity of shingle sets above which two bodies are copies.
        shingle: words per shingle.
        min_words: bodies shorter than this are only matched exactly (short texts share shingles by chance).
    """

    num_perm: int = 128
    threshold: float = 0.7
    shingle: int = 4
    min_words: int = 25

    def __post_init__(self) -> None:
        if not 16 <= self.num_perm <= 1024:
            raise ValueError(f"num_perm must be between 16 and 1024, not {self.num_perm}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {self.threshold}")
        if self.shingle < 1:
            raise ValueError(f"shingle must be at least 1, not {self.shingle}")


def normalise(text: str) -> list[str]:
    """Lower-cased word tokens: furniture-free bodies differing only in spacing or punctuation compare equal."""
    return _WORD.findall(text.casefold())


def exact_key(text: str) -> str:
    """Hash of the normalised body: equal for exact copies."""
    return hashlib.sha1(" ".join(normalise(text)).encode()).hexdigest()


class Deduplicator:
    """Online near-duplicate index.

    Example:
        >>> d = Deduplicator()
        >>> body = " ".join(f"mot{i}" for i in range(60))
        >>> d.add("a", body) is None
        True
        >>> d.add("b", body + " fin")
        'a'
    """

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options or DedupOptions()
        n = self.options.num_perm
        rng = np.random.default_rng(1)  # fixed: signatures must stay comparable across runs and processes
        self._a = rng.integers(1, int(_PRIME), size=n, dtype=np.uint64)
        self._b = rng.integers(0, int(_PRIME), size=n, dtype=np.uint64)
        self.bands, self.rows = _bands(self.options.threshold, n)
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(self.bands)]
        self._sigs: dict[str, np.ndarray] = {}
        self._exact: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._exact)

    def signature(self, text: str) -> np.ndarray | None:
        """MinHash signature (uint32 array) of a body, or None when it is too short for near matching."""
        words = normalise(text)
        k = self.options.shingle
        if len(words) < max(self.options.min_words, k):
            return None
        shingles = {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
        h = np.fromiter((zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles))
        # Universal hashing (a*h + b) mod p, done in 64-bit with h < 2^32 and a, b < 2^61: split to avoid overflow.
        lo = (self._a[:, None] & _MAX32) * h[None, :]
        hi = ((self._a[:, None] >> np.uint64(32)) * h[None, :]) % _PRIME
        v = (lo % _PRIME + (hi << np.uint64(32)) % _PRIME + self._b[:, None]) % _PRIME
        return (v.min(axis=1) & _MAX32).astype(np.uint32)

    def add(self, article_id: str, text: str, signature: np.ndarray | None = None) -> str | None:
        """Index a body; return the id of its first-seen copy if it is an exact or near copy, else None."""
        key = exact_key(text)
        if key in self._exact:
            return self._exact[key]
        self._exact[key] = article_id
        sig = signature if signature is not None else self.signature(text)
        if sig is None:
            return None
        match = self._best_match(sig)
        self._index(article_id, sig)
        return match

    def restore(self, article_id: str, text_key: str, signature: np.ndarray | None) -> None:
        """Re-index an already stored article (its exact key and signature) when a store is reopened."""
        self._exact.setdefault(text_key, article_id)
        if signature is not None:
            self._index(article_id, signature)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(a == b))

    def _best_match(self, sig: np.ndarray) -> str | None:
        seen: set[str] = set()
        best: tuple[float, str] | None = None
        for band, key in enumerate(self._band_keys(sig)):
            for cand in self._buckets[band].get(key, ()):
                if cand in seen:
                    continue
                seen.add(cand)
                sim = self.similarity(sig, self._sigs[cand])
                # Ties go to the first-seen copy: candidates are visited in insertion order within a bucket.
                if sim >= self.options.threshold and (best is None or sim > best[0]):
                    best = (sim, cand)
        return best[1] if best else None

    def _index(self, article_id: str, sig: np.ndarray) -> None:
        self._sigs[article_id] = sig
        for band, key in enumerate(self._band_keys(sig)):
            self._buckets[band].setdefault(key, []).append(article_id)

    def _band_keys(self, sig: np.ndarray) -> list[bytes]:
        r = self.rows
        return [sig[i * r : (i + 1) * r].tobytes() for i in range(self.bands)]


def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands x rows that minimise false negatives + false positives around the threshold (as datasketch does)."""
    best = (float("inf"), 1, num_perm)
    xs = np.linspace(0.0, 1.0, 201)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            p = 1.0 - (1.0 - xs**r) ** b
            fp = float(np.trapezoid(p[xs < threshold], xs[xs < threshold]))
            fn = float(np.trapezoid(1.0 - p[xs >= threshold], xs[xs >= threshold]))
            # False negatives weigh more: a missed copy counts twice as a voice.
            err = 0.3 * fp + 0.7 * fn
            if err < best[0]:
                best = (err, b, r)
    return best[1], best[2]
