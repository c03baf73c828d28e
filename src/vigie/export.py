"""Export stored articles, stories, quotes and timelines as JSON Lines, CSV or Parquet.

One function, :func:`export`, used by the CLI (``vigie export``) and the server (``GET /api/export``). Rows are
flat dicts with a fixed column order per table (:data:`COLUMNS`); list columns stay lists in JSON Lines and Parquet
and are JSON-encoded in CSV, so nothing is lost in any format. A CSV cell that a spreadsheet would read as a
formula (it starts with ``= + - @``, a tab or a carriage return) is prefixed with ``'``, so opening an export
never runs what an article says.

Quotes, timelines and story headlines come from the story details (:func:`vigie.stories.story_detail`, or the
server's cached one).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, Any, Literal

from vigie.errors import VigieError
from vigie.store import ArticleStore

if TYPE_CHECKING:
    from vigie.understand.views import StoryDetail

__all__ = [
    "COLUMNS", "CONTENT_TYPES", "FORMATS", "WHATS", "MissingDependencyError", "csv_safe", "export", "public_source",
    "rows",
]

Fmt = Literal["jsonl", "csv", "parquet"]
What = Literal["articles", "stories", "quotes", "timeline"]
Detail = Callable[[ArticleStore, str], "StoryDetail"]

FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
WHATS: tuple[str, ...] = ("articles", "stories", "quotes", "timeline")
CONTENT_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}

# Column -> kind ("str", "int" or "list"): the CSV header, the Parquet schema and the order of JSON keys.
COLUMNS: dict[str, dict[str, str]] = {
    "articles": {
        "id": "str", "story": "str", "source": "str", "sources": "list", "title": "str", "published": "str",
        "url": "str", "outlet": "str", "original_outlet": "str", "authors": "list", "language": "str",
        "standfirst": "str", "body": "str", "comments": "list", "tags": "list",
    },
    "stories": {
        "id": "str", "title": "str", "headline": "str", "summary": "str", "articles": "int", "article_ids": "list",
        "outlets": "list", "events": "int", "first_published": "str", "last_published": "str",
    },
    "quotes": {"story": "str", "speaker": "str", "text": "str", "article": "str"},
    "timeline": {"story": "str", "date": "str", "precision": "str", "text": "str", "sources": "list"},
}

_PAGE = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``= + - @``, tab or CR gets a ``'`` (OWASP's advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_text(value: str) -> str:
    # A bare CR is not quoted by the csv module (the line ends are "\n"), so a reader would cut the row there.
    return csv_safe(value).replace("\r\n", "\n").replace("\r", "\n")


def public_source(source: str) -> str:
    """What a reader outside the machine may see of a source: a URL as is, a file path as its file name.

    ``/home/me/inbox/feed.xml#https://x/1`` -> ``feed.xml#https://x/1``; the full path stays for the CLI owner.
    """
    if "://" in source.split("#", 1)[0] or source in ("-", "api"):
        return source
    path, sep, frag = source.partition("#")
    name = re.split(r"[/\\]", path.rstrip("/\\"))[-1] or path
    return name + sep + frag


class MissingDependencyError(VigieError):
    """An export format needs an optional package that is not installed."""


def _default_detail() -> Detail:
    from vigie import stories

    # No LLM endpoint: no export column holds the abstractive rewrite.
    return stories.story_detail


def _article_rows(store: ArticleStore, public: bool = False) -> Iterator[dict[str, Any]]:
    story_of = {r["id"]: r["story_id"] for r in store.placements()}
    offset = 0
    while True:
        page = store.articles(limit=_PAGE, offset=offset)
        for a in page:
            d = a.to_dict()
            sources = store.sources(a.id)
            if public:
                d["source"] = public_source(a.source)
                sources = [public_source(s) for s in sources]
            yield {**d, "story": story_of.get(a.id), "sources": sources}
        if len(page) < _PAGE:
            return
        offset += _PAGE


def _details(store: ArticleStore, detail: Detail) -> Iterator[StoryDetail]:
    from vigie.stories import list_stories

    for view in list_stories(store):
        yield detail(store, view.id)


def rows(
    store: ArticleStore, what: What, *, detail: Detail | None = None, public: bool = False
) -> Iterator[dict[str, Any]]:
    """The rows of one table, each a dict with exactly the keys of ``COLUMNS[what]``, in that order.

    ``public`` shows file sources by their name only (:func:`public_source`), for exports served over HTTP.

    Raises:
        VigieError: ``what`` is not one of :data:`WHATS`.
    """
    _check("what", what, WHATS)
    cols = COLUMNS[what]
    fn = detail or _default_detail()
    source: Iterator[dict[str, Any]]
    if what == "articles":
        source = _article_rows(store, public)
    elif what == "stories":
        source = (
            {**s.to_dict(), "articles": len(s.articles), "article_ids": s.story.article_ids, "events": len(s.events)}
            for s in _details(store, fn)
        )
    elif what == "quotes":
        source = ({**q.to_dict(), "story": s.id} for s in _details(store, fn) for q in s.quotes)
    else:
        source = ({**e.to_dict(), "story": s.id} for s in _details(store, fn) for e in s.timeline)
    for r in source:
        yield {c: _cell(r.get(c), kind) for c, kind in cols.items()}


def _cell(value: Any, kind: str) -> Any:
    if kind == "list":
        return [str(v) for v in value] if isinstance(value, list | tuple) else []
    if value is None:
        return None
    if kind == "int":
        return int(value)
    return str(value)


def _check(name: str, value: str, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise VigieError(f"{name} must be one of {', '.join(valid)}; got {value!r}")


def export(
    store: ArticleStore,
    fmt: Fmt | str,
    what: What | str,
    out: IO[bytes] | IO[str] | str | os.PathLike[str],
    *,
    detail: Detail | None = None,
    public: bool = False,
) -> int:
    """Write one table of the store to ``out``; returns the number of rows written.

    Args:
        store: the article store.
        fmt: ``"jsonl"``, ``"csv"`` or ``"parquet"`` (needs ``pyarrow``).
        what: ``"articles"``, ``"stories"``, ``"quotes"`` or ``"timeline"``.
        out: a path, a binary stream, or a text stream (not for Parquet).
        detail: the function giving one story's details (default: :func:`vigie.stories.story_detail`); the
            server passes its cached one.
        public: file sources by their name only (the server's exports).

    Raises:
        VigieError: an unknown format or table, or Parquet to a text stream.
        MissingDependencyError: Parquet without ``pyarrow`` installed.

    Example:
        >>> import io
        >>> from vigie.store import Store
        >>> buf = io.StringIO()
        >>> export(Store(":memory:"), "csv", "quotes", buf)
        0
        >>> buf.getvalue().strip()
        'story,speaker,text,article'
    """
    _check("format", fmt, FORMATS)
    _check("what", what, WHATS)
    what_ = what  # narrowed by _check
    table = rows(store, what_, detail=detail, public=public)  # type: ignore[arg-type]
    if fmt == "parquet":
        return _parquet(table, COLUMNS[what], out)
    with ExitStack() as stack:
        if isinstance(out, str | os.PathLike):
            text: IO[str] = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
        elif isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
            text = out  # type: ignore[assignment]
        else:
            wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)  # type: ignore[type-var]
            # Detach instead of closing, so the caller's binary stream stays open.
            stack.callback(wrapper.detach)
            stack.callback(wrapper.flush)
            text = wrapper
        if fmt == "jsonl":
            return _jsonl(table, text)
        return _csv(table, COLUMNS[what], text)


def _jsonl(table: Iterator[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for r in table:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv(table: Iterator[dict[str, Any]], cols: dict[str, str], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    n = 0
    for r in table:
        writer.writerow(
            json.dumps(r[c], ensure_ascii=False) if kind == "list"
            else "" if r[c] is None else _csv_text(r[c]) if isinstance(r[c], str) else r[c]
            for c, kind in cols.items()
        )
        n += 1
    return n


def _parquet(
    table: Iterator[dict[str, Any]], cols: dict[str, str], out: IO[bytes] | IO[str] | str | os.PathLike[str]
) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise MissingDependencyError("Parquet export needs pyarrow: pip install pyarrow") from e
    if isinstance(out, io.TextIOBase):
        raise VigieError("Parquet is binary: give a file path or a binary stream, not a text stream")
    kinds = {"str": pa.string(), "int": pa.int64(), "list": pa.list_(pa.string())}
    schema = pa.schema([(c, kinds[k]) for c, k in cols.items()])
    data = list(table)
    sink = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    pq.write_table(pa.Table.from_pylist(data, schema=schema), sink)
    return len(data)
