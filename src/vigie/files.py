"""Input listing with the readers' folder policy, for callers that split or track work by file (Dask, watch).

The listing lives in :mod:`vigie.readers` (``iter_files``), which reads what it lists, so both follow one policy.
"""

from __future__ import annotations

from vigie.readers import iter_files

__all__ = ["iter_files"]
