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

from vigie.stories.growarray import GrowArray

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

    Memory stays flat per article (about 1 KB: 100 MB for a 100k store): signatures and band hashes live in
    growable numpy arrays (:class:`vigie.stories.growarray.GrowArray`);
    band lookups go through per-band sorted arrays, plus small dicts for the rows added since the last sort.

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
        # Odd multipliers of the band hash (a polynomial over the band's values, modulo 2^64).
        self._mix = (rng.integers(0, 1 << 62, size=self.rows, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
        self._ids: list[str] = []  # signature row -> article id
        self._sigs = GrowArray(np.uint32, (n,))
        self._keys = GrowArray(np.uint64, (self.bands,))
        self._sorted: list[tuple[np.ndarray, np.ndarray]] = []  # per band: sorted keys, their rows
        self._n_sorted = 0
        self._recent: list[dict[int, list[int]]] = [{} for _ in range(self.bands)]  # rows after the sorted ones
        self._n_recent = 0
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
        self._check(sig)
        keys = self._band_keys(sig)
        match = self._best_match(sig, keys)
        row = self._append(article_id, sig, keys)
        if self._n_recent > max(4096, self._n_sorted // 4):
            self._sort()
        else:
            for band, k in enumerate(keys.tolist()):
                self._recent[band].setdefault(k, []).append(row)
            self._n_recent += 1
        return match

    def restore(self, article_id: str, text_key: str, signature: np.ndarray | None) -> None:
        """Re-index an already stored article (its exact key and signature) when a store is reopened."""
        self._exact.setdefault(text_key, article_id)
        if signature is not None:
            self._check(signature)
            self._append(article_id, signature, self._band_keys(signature))  # indexed by the next lookup

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(a == b))

    def _check(self, sig: np.ndarray) -> None:
        if sig.shape != (self.options.num_perm,):
            raise ValueError(f"MinHash signature of shape {sig.shape}, expected ({self.options.num_perm},)")

    def _append(self, article_id: str, sig: np.ndarray, keys: np.ndarray) -> int:
        self._sigs.extend(sig[None, :])
        self._keys.extend(keys[None, :])
        self._ids.append(article_id)
        return len(self._ids) - 1

    def _sort(self) -> None:
        """Sort every row's band keys (after a restore, or when the recent dicts grow): lookups by binary search."""
        n = len(self._ids)
        self._sorted = []
        for band in range(self.bands):
            col = self._keys.a[:n, band]
            order = np.argsort(col, kind="stable")  # equal keys stay in row order: first-seen first
            self._sorted.append((col[order], order.astype(np.int64)))
        self._n_sorted = n
        self._recent = [{} for _ in range(self.bands)]
        self._n_recent = 0

    def _best_match(self, sig: np.ndarray, keys: np.ndarray) -> str | None:
        if self._n_sorted + self._n_recent < len(self._ids):
            self._sort()
        found: set[int] = set()
        for band, k in enumerate(keys.tolist()):
            if self._sorted:
                col, order = self._sorted[band]
                lo, hi = np.searchsorted(col, np.uint64(k), "left"), np.searchsorted(col, np.uint64(k), "right")
                found.update(order[lo:hi].tolist())
            found.update(self._recent[band].get(k, ()))
        if not found:
            return None
        rows = np.array(sorted(found), dtype=np.int64)
        sims = np.mean(self._sigs.a[rows] == sig[None, :], axis=1)
        best = int(np.argmax(sims))  # ties go to the first-seen copy: rows are sorted and argmax takes the first
        return self._ids[int(rows[best])] if sims[best] >= self.options.threshold else None

    def _band_keys(self, sig: np.ndarray) -> np.ndarray:
        r = self.rows
        bands = sig[: self.bands * r].astype(np.uint64).reshape(self.bands, r)
        return (bands * self._mix[None, :]).sum(axis=1, dtype=np.uint64)  # wraps modulo 2^64


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
