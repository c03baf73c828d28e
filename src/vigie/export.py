"""Export stored articles, stories, quotes and timelines as JSON Lines, CSV or Parquet; one story as Markdown.

One function, :func:`export`, used by the CLI (``vigie export``) and the server (``GET /api/export``). Rows are
flat dicts with a fixed column order per table (:data:`COLUMNS`); list columns stay lists in JSON Lines and Parquet
and are JSON-encoded in CSV, so nothing is lost in any format. A CSV cell that a spreadsheet would read as a
formula (it starts with ``= + - @``, a tab or a carriage return) is prefixed with ``'``, so opening an export
never runs what an article says.

Quotes, timelines and story headlines come from the story details (:func:`vigie.stories.story_detail`, or the
server's cached one). :func:`story_markdown` writes one story for a press review (``vigie export --what story``,
``GET /stories/{id}.md``), every article text escaped so that it shows as text in any Markdown renderer.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlsplit

from vigie.errors import VigieError
from vigie.store import ArticleStore
from vigie.text import slug

if TYPE_CHECKING:
    from vigie.understand.views import StoryDetail

__all__ = [
    "COLUMNS", "CONTENT_TYPES", "FORMATS", "WHATS", "MissingDependencyError", "StorySource", "csv_safe", "export",
    "http_url", "md_text", "public_source", "rows", "story_filename", "story_markdown", "story_sources",
]

Fmt = Literal["jsonl", "csv", "parquet"]
What = Literal["articles", "stories", "quotes", "timeline"]
# One story's details; None when they are not there yet (the server exports stored details only).
Detail = Callable[[ArticleStore, str], "StoryDetail | None"]

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
        "outlets": "list", "events": "int", "first_published": "str", "last_published": "str", "details": "str",
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


def _details(store: ArticleStore, detail: Detail) -> Iterator[tuple[StoryDetail, bool]]:
    """Every story with its details and True, or its view alone and False when ``detail`` has none for it yet."""
    from vigie.stories import list_stories
    from vigie.understand.views import StoryDetail

    for view in list_stories(store):
        d = detail(store, view.id)
        yield (d, True) if d is not None else (StoryDetail.bare(view), False)


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
            {**s.to_dict(), "articles": len(s.articles), "article_ids": s.story.article_ids, "events": len(s.events),
             "details": "ready" if made else "pending"}
            for s, made in _details(store, fn)
        )
    elif what == "quotes":
        source = ({**q.to_dict(), "story": s.id} for s, _ in _details(store, fn) for q in s.quotes)
    else:
        source = ({**e.to_dict(), "story": s.id} for s, _ in _details(store, fn) for e in s.timeline)
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
            server passes one reading stored details only, None for a story whose details are not made yet: such a
            story's row in ``stories`` has its view, empty details and ``details`` "pending" (else "ready"), and
            it has no rows in ``quotes`` and ``timeline``.
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


# -- one story for a press review -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]+")
_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")


@dataclass(frozen=True, slots=True)
class StorySource:
    """One article of a story as a press review cites it: its number (as on the story page), title and link."""

    number: int
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None  # http(s) only: anything else is never made a link


def http_url(url: object) -> str | None:
    """The URL when it is http(s); ``javascript:``, ``data:`` or a file path never become links."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    try:
        scheme = urlsplit(u).scheme.lower()
    except ValueError:
        return None
    return u if scheme in ("http", "https") and not _CONTROL.search(u) else None


def story_sources(detail: StoryDetail, urls: Mapping[str, str | None] | None = None) -> list[StorySource]:
    """The story's articles numbered from 1 in the story's order; ``urls`` gives each article's URL (by id)."""
    urls = urls or {}
    return [StorySource(i, a.id, a.title, a.outlet, a.published, http_url(urls.get(a.id)))
            for i, a in enumerate(detail.articles, 1)]  # fmt: skip


def story_filename(detail: StoryDetail, ext: str = "md") -> str:
    """A file name any system accepts: ASCII letters, digits and dashes from the headline, then the extension."""
    name = slug(detail.headline or detail.title or "")[:60].strip("-") or slug(detail.id) or "recit"
    return f"{name}.{ext}"


def md_text(text: str | None) -> str:
    """Article text as Markdown that shows as typed: one line, markup and raw HTML escaped (``<script>`` stays
    text in any renderer), control characters dropped."""
    one = " ".join(_CONTROL.sub(" ", text or "").split())
    # A line may not open a list or a quote: "- x" -> "\\- x", "1. x" -> "1\\. x" (a backslash before a digit
    # is no escape in CommonMark).
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}",
                           _MD_SPECIAL.sub(r"\\\1", one))


def _md_url(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")


def _day(value: str | None) -> str:
    return (value or "")[:10]


def story_markdown(
    detail: StoryDetail,
    *,
    urls: Mapping[str, str | None] | None = None,
    t: Callable[[str], str] | None = None,
    lang: str = "fr",
    page_url: str | None = None,
) -> str:
    """A story as Markdown for a press review: title, span, outlets, the summary with numbered sources, the key
    days, who said what, the disagreements, and the numbered source list with links.

    Args:
        detail: the story's details (:func:`vigie.stories.story_detail`).
        urls: article id -> URL (only http(s) ones become links).
        t: the UI catalogue's translator (default: :func:`vigie.serve.i18n.translator` for ``lang``).
        lang: ``"fr"`` or ``"en"`` when ``t`` is not given.
        page_url: the story's page, linked at the end when given.

    Example:
        >>> md = story_markdown(detail, urls={a.id: store.get(a.id).url for a in detail.articles})  # doctest: +SKIP
    """
    if t is None:
        from vigie.serve.i18n import translator

        t = translator(lang)
    sources = story_sources(detail, urls)
    number = {s.id: s.number for s in sources}

    def cite(ids: Sequence[str]) -> str:
        return "".join(f"[{number[i]}]" for i in dict.fromkeys(ids) if i in number)

    out = [f"# {md_text(detail.headline or detail.title or detail.id)}", ""]
    if detail.headline and detail.title and detail.title != detail.headline:
        out += [f"*{md_text(detail.title)}*", ""]
    first, last = _day(detail.first_published), _day(detail.last_published)
    span = (first if first == last else f"{first} → {last}") if first else t("undated")
    out.append(f"- **{t('md_span')}** {span}")
    outlets = ", ".join(md_text(o) for o in detail.outlets) or "—"
    out.append(f"- **{t('md_outlets')}** {outlets}")
    out.append(f"- **{t('md_articles')}** {len(sources)}")
    out.append("")
    if detail.sentences or detail.summary:
        out += [f"## {t('summary')}", ""]
        if detail.sentences:
            out.append(" ".join(f"{md_text(s.text)}{cite(s.sources)}" for s in detail.sentences))
        else:
            out.append(md_text(detail.summary))
        out.append("")
    if detail.chronology is not None and detail.chronology.entries:
        out += [f"## {t('chronology')}", ""]
        for e in detail.chronology.entries:
            said = " ".join(f"{md_text(x.text)}{cite(x.sources)}" for x in e.sentences)
            out.append(f"- **{md_text(e.date)}** — {said}")
        out.append("")
    if detail.quotes:
        out += [f"## {t('md_quotes')}", ""]
        by_speaker: dict[str, list[str]] = {}
        for q in detail.quotes:  # grouped by speaker, in the order they first speak
            who = md_text(q.speaker) if q.speaker else t("md_unattributed")
            line = f"«\u202f{md_text(q.text)}\u202f» {cite([q.article] if q.article else [])}".rstrip()
            by_speaker.setdefault(who, []).append(line)
        for who, lines in by_speaker.items():
            out.append(f"- **{who}**")
            out += [f"  - {x}" for x in lines]
        out.append("")
    if detail.disagreements:
        out += [f"## {t('disagreements')}", ""]
        for d in detail.disagreements:
            about = md_text(d.about)
            if d.about.startswith("date of: "):
                about = t("md_date_of") + md_text(d.about.removeprefix("date of: "))
            values = t("md_semicolon").join(f"{md_text(str(v.get('value', '')))} {cite(list(v.get('sources') or []))}".rstrip()
                               for v in d.values)  # fmt: skip
            out.append(f"- {about}{t('md_colon')} {values}")
        out.append("")
    out += [f"## {t('md_sources')}", ""]
    for s in sources:
        title = md_text(s.title) or t("md_untitled")
        head = f"[{title}]({_md_url(s.url)})" if s.url else title
        facts = ", ".join(x for x in (md_text(s.outlet), _day(s.published)) if x)
        out.append(f"{s.number}. {head}" + (f" — {facts}" if facts else ""))
    out.append("")
    if page_url and http_url(page_url):
        out += [f"{t('md_story_page')}{t('md_colon')} <{_md_url(page_url)}>", ""]
    return "\n".join(out)
