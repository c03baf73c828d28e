"""An append-only numpy array: what the online indexes (clusterer, near-duplicate finder) keep per article."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["GrowArray"]


class GrowArray:
    """Rows of a fixed shape appended at amortised O(1), with no per-row Python object.

    It grows by a quarter at a time, so a growth step never needs twice the memory of the rows held.

    Example:
        >>> g = GrowArray(np.float32, (2,))
        >>> g.extend(np.ones((3, 2)))
        >>> g.view.shape
        (3, 2)
    """

    def __init__(self, dtype: Any, shape: tuple[int, ...] = ()) -> None:
        self.a = np.zeros((16, *shape), dtype=dtype)
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self.a):
            grown = np.zeros((max(need, len(self.a) * 5 // 4 + 16), *self.a.shape[1:]), dtype=self.a.dtype)
            grown[: self.n] = self.a[: self.n]
            self.a = grown
        self.a[self.n : need] = rows
        self.n = need

    @property
    def view(self) -> np.ndarray:
        """The rows appended so far (a view: valid until the next ``extend``)."""
        return self.a[: self.n]
