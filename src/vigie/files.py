"""Input listing with the readers' folder policy, for callers that split or track work by file (Dask, watch).

:func:`vigie.readers.iter_documents` walks folders itself; engines that ship files to workers, or poll them for
changes, need the file list first. Listing here and reading each file with ``iter_documents`` gives the same
documents, in the same order, with the same errors.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator

from vigie.errors import InputError
from vigie.readers import _SKIP_EXTENSIONS, ReadOptions, _extension, _os_reason

__all__ = ["iter_files"]


def iter_files(paths: Iterable[str], options: ReadOptions | None = None) -> Iterator[str | InputError]:
    """Yield every input under ``paths`` that ``iter_documents`` would read, in its order; ``-`` passes through.

    Folders are expanded (sorted, hidden and non-article files skipped, symlink loops cut); anything else is
    yielded as is, so reading it reports its own error ("no such file", "not a regular file"). A folder that
    cannot be listed becomes an InputError.

    Example:
        >>> list(iter_files(["examples/seeds"]))[0]  # doctest: +SKIP
        'examples/seeds/000_4be715d5b9f8e314.txt'
    """
    opts = options or ReadOptions()
    for path in paths:
        if path == "-":
            yield path
        else:
            yield from _path(path, opts, explicit=True, seen_dirs=set())


def _path(path: str, opts: ReadOptions, explicit: bool, seen_dirs: set[tuple[int, int]]) -> Iterator[str | InputError]:
    try:
        if not opts.follow_symlinks and stat.S_ISLNK(os.lstat(path).st_mode):
            if explicit:
                yield path  # the reader reports a named link it may not follow
            return  # and skips one inside a folder
        st = os.stat(path)
    except OSError:
        yield path  # the reader names the failure
        return
    if not stat.S_ISDIR(st.st_mode):
        yield path
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:
        return
    seen_dirs.add(key)
    try:
        names = sorted(os.listdir(path))
    except OSError as err:
        yield InputError(path, _os_reason(err))
        return
    for name in names:
        if opts.skip_hidden and name.startswith("."):
            continue
        ext = _extension(name)
        if ext in _SKIP_EXTENSIONS or (ext == "gz" and _extension(name[:-3]) == "tar"):
            continue
        yield from _path(os.path.join(path, name), opts, explicit=False, seen_dirs=seen_dirs)
