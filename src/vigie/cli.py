"""Command-line shell over the library: argument parsing, rendering, and domain errors turned into messages.

Exit codes: 0 all inputs fine, 1 some input failed (the rest was processed), 2 usage error.

Over 600 lines because it holds every command; each is a thin shell over a library call.
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from vigie import __version__
from vigie.errors import InputError, NotFoundError, VigieError
from vigie.models import Article
from vigie.store import ArticleStore, open_store

if TYPE_CHECKING:
    from vigie.understand.abstractive import LLMConfig

DB_HELP = "SQLite file or postgresql:// URL (default: $VIGIE_DB or vigie.db)."


# What a terminal would obey rather than print (ESC sequences clear the screen or set the window title, C1 CSI
# likewise) and bidirectional overrides: shown escaped. Tabs and line breaks stay.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b``-style escapes, so printing it cannot drive the terminal."""
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def _echo(message: str = "", err: bool = False) -> None:
    """``click.echo`` of text that may come from an article, a feed or a file name."""
    click.echo(safe(message), err=err)


def _err(message: str) -> None:
    _echo(f"error: {message}", err=True)


def _write_failure(e: BaseException) -> str | None:
    """One line for a store or file that cannot be written (full disk, read-only), else None."""
    if isinstance(e, sqlite3.Error):
        text = str(e).lower()
        if "full" in text:
            return "the disk holding the store is full: the articles stored so far are kept, the rest was not written"
        if "readonly" in text or "read-only" in text:
            return "the store is read-only: nothing was written"
        return f"the store cannot be written ({e})"
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPIPE):
        where = e.filename or "the output"
        return f"cannot write {where}: {e.strerror or e}"
    return None


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Translate library errors, and write failures (full disk, read-only store), into one-line CLI messages."""
    try:
        yield
    except NotFoundError as e:
        _err(str(e))
        sys.exit(1)
    except VigieError as e:
        _err(str(e))
        sys.exit(1)
    except (sqlite3.Error, OSError) as e:
        reason = _write_failure(e)
        if reason is None:
            raise
        _err(reason)
        sys.exit(1)


def _open(db: str | None) -> ArticleStore:
    return open_store(db)


def _dump(obj: Any) -> None:
    # json.dumps escapes C0 controls; C1 ones and bidi overrides are escaped here (still valid JSON).
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    click.echo(_UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


def _llm() -> LLMConfig | None:
    """The abstractive rewrite's endpoint from $VIGIE_LLM_URL (read here, at the edge, and passed in)."""
    from vigie.understand.abstractive import LLMConfig

    return LLMConfig.from_env()


def _read_articles(paths: tuple[str, ...]) -> tuple[list[Article], int]:
    """Clean every article under ``paths`` without storing it; each failure is reported on stderr and counted."""
    from vigie.pipeline import extract_paths

    articles: list[Article] = []
    failed = 0
    with _domain_errors():
        for item in extract_paths(paths, stdin=sys.stdin.buffer):
            if isinstance(item, InputError):
                failed += 1
                _err(str(item))
            else:
                articles.append(item[1])
    return articles, failed


def _extract_json(a: Article) -> dict[str, Any]:
    d = a.to_dict()
    keys = ("source", "title", "published", "url", "outlet", "authors", "language", "body", "comments", "tags")
    out = {k: d[k] for k in keys}
    out.update({"id": a.id, "original_outlet": a.original_outlet, "standfirst": a.standfirst})
    return out


def _render(a: Article, *, full: bool = True) -> str:
    lines = [a.title or "(untitled)", "=" * min(len(a.title or "(untitled)"), 100)]
    facts = [
        ("Source", a.source), ("Outlet", a.outlet + (f" (original: {a.original_outlet})" if a.original_outlet else "")
                               if a.outlet else None),
        ("Published", a.published), ("URL", a.url), ("Authors", ", ".join(a.authors) or None),
        ("Language", a.language), ("Tags", ", ".join(a.tags) or None), ("Id", a.id),
    ]
    lines += [f"{k:<10} {v}" for k, v in facts if v]
    if full:
        if a.standfirst:
            lines += ["", a.standfirst]
        lines += ["", a.body]
        if a.comments:
            lines += ["", f"--- {len(a.comments)} reader comment(s) ---"]
            lines += [f"* {c}" for c in a.comments]
    return "\n".join(lines)


def _row(a: Article) -> dict[str, Any]:
    return {"id": a.id, "source": a.source, "title": a.title, "outlet": a.outlet, "published": a.published,
            "language": a.language, "url": a.url}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vigie")
def main() -> None:
    """Vigie: turn piles of raw news articles into stories."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an object, or a list for multi-article files).")
@click.option("--understand/--no-understand", default=True, show_default=True,
              help="Add entities, quotes and dates (spaCy) to the JSON output.")
def extract(paths: tuple[str, ...], as_json: bool, understand: bool) -> None:
    """Clean articles and print them, without storing anything. PATH may be '-' for stdin."""
    articles, failed = _read_articles(paths)
    # One plain file gives one object; containers (JSONL, WARC, feeds) and several paths give a list.
    single = len(paths) == 1 and len(articles) == 1 and articles[0].source == paths[0]
    if as_json:
        rows = [_extract_json(a) for a in articles]
        if understand and articles:
            from vigie.understand import analyze_articles

            with _domain_errors():
                for row, an in zip(rows, analyze_articles(articles), strict=True):
                    d = an.to_dict()
                    row.update({k: d[k] for k in ("entities", "quotes", "dates", "events")})
                    if "note" in d:
                        row["note"] = d["note"]
        if single:
            _dump(rows[0])
        elif articles or not failed:
            _dump(rows)
    else:
        _echo("\n\n".join(_render(a) for a in articles))
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default=None, help=DB_HELP)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="No summary line.")
@click.option("--stories/--no-stories", default=True, show_default=True,
              help="Deduplicate and cluster the new articles into stories after storing them.")
@click.option("--alerts/--no-alerts", default=True, show_default=True,
              help="Report the new articles that match saved alerts (see `vigie alert`).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where reading, cleaning and embedding run: this process, or a Dask cluster (the 'dask' extra).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler (tcp://host:8786); default: a local cluster of 2 worker processes.")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Dask tasks the input files are split into (default: 4 per worker thread).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Cleaning processes for a large batch (local engine; default: the CPUs available, at most 4).")
@click.option("--understand/--no-understand", default=True, show_default=True,
              help="Analyse the new articles (entities, quotes, dates, events) and make the touched stories' details "
                   "now, so story pages answer at once.")
def ingest(paths: tuple[str, ...], db: str | None, progress: bool | None, quiet: bool, stories: bool, alerts: bool,
           engine: str, scheduler: str | None, partitions: int | None, workers: int | None, understand: bool) -> None:
    """Read, clean and store articles from files, folders or '-' (stdin)."""
    if engine != "dask" and (scheduler or partitions):
        _err("--scheduler and --partitions need --engine dask")
        sys.exit(2)
    if engine == "dask" and workers:
        _err("--workers is for the local engine (Dask has its own workers)")
        sys.exit(2)
    show = sys.stderr.isatty() if progress is None else progress
    with _domain_errors(), _open(db) as store:
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True, leave=False)

        def tick(_: str) -> None:
            if bar is not None:
                bar.update(1)

        def on_error(e: InputError) -> None:
            if bar is not None:
                bar.clear()
            _err(str(e))

        from vigie.pipeline import Executor, LocalExecutor, Paths, RunOptions, default_workers, run

        executor: Executor
        if engine == "dask":
            from vigie.pipeline.dask_engine import DaskExecutor

            executor = DaskExecutor(scheduler=scheduler, partitions=partitions, embed=stories, understand=understand)
        else:
            executor = LocalExecutor(workers or default_workers())
        try:
            result = run(store, Paths(list(paths), stdin=sys.stdin.buffer), executor=executor,
                         options=RunOptions(stories=stories, understand=understand, details=stories and understand,
                                            alerts=alerts, nlp_processes=workers or default_workers(),
                                            llm=_llm() if stories and understand else None),
                         on_error=on_error, on_progress=tick,
                         echo=_echo)  # fmt: skip
        finally:
            if bar is not None:
                bar.close()
        for warning in result.warnings:
            _err(warning)
    report, placed = result.report, result.stories
    if not quiet:
        line = report.summary()
        if placed is not None and placed.placed:
            line += f"; {placed.placed} placed in stories ({placed.duplicates} near copies)"
        click.echo(line)
    sys.exit(1 if report.failed else 0)


# --- new commands -----------------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--feed", "feeds", multiple=True, metavar="URL_OR_FILE", help="RSS/Atom feed to poll (repeatable).")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--interval", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds between the end of a poll and the next.")
@click.option("--stories/--no-stories", default=True, show_default=True,
              help="Place new articles in stories after each poll.")
@click.option("--alerts/--no-alerts", default=True, show_default=True,
              help="Report each poll's new articles that match saved alerts.")
@click.option("--once", is_flag=True, help="Poll once and exit (for cron); exit code 1 if an input failed.")
@click.option("--quiet", "-q", is_flag=True, help="No line per poll.")
@click.option("--allow-private-urls", is_flag=True,
              help="Let feeds, their redirects and webhooks reach loopback/private addresses (off: no SSRF).")
def watch(paths: tuple[str, ...], feeds: tuple[str, ...], db: str | None, interval: float, stories: bool,
          alerts: bool, once: bool, quiet: bool, allow_private_urls: bool = False) -> None:
    """Ingest new and changed files under PATHS and new feed entries every --interval seconds, until Ctrl-C."""
    import contextlib
    import signal
    import threading
    import time

    from vigie.pipeline import IngestReport
    from vigie.watch import Watcher, WatchOptions

    if not paths and not feeds:
        _err("nothing to watch: give a folder or file, or --feed URL_OR_FILE")
        sys.exit(2)
    with _domain_errors(), _open(db) as store:
        wopts = WatchOptions(interval=interval, stories=stories, alerts=alerts, allow_private=allow_private_urls,
                             llm=_llm() if stories else None)
        watcher = Watcher(store, paths, feeds, wopts, on_error=lambda e: _err(str(e)), echo=_echo)

        def show(r: IngestReport) -> None:
            if quiet or not (r.read or r.failed):
                return
            line = f"{time.strftime('%H:%M:%S')} {r.summary()}"
            placed = watcher.last.stories
            if placed is not None and placed.placed:
                line += f"; {placed.placed} placed in stories ({placed.duplicates} near copies)"
            click.echo(line)

        if once:
            report = watcher.poll_once()
            show(report)
            sys.exit(1 if report.failed else 0)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` stops after the current poll, like Ctrl-C
        if not quiet:
            click.echo(f"watching {len(paths)} path(s) and {len(feeds)} feed(s) every {interval:g}s; Ctrl-C stops",
                       err=True)
        # Ctrl-C: a poll cut short rolls back its open transaction; what was stored stays.
        with contextlib.suppress(KeyboardInterrupt):
            watcher.run(stop, on_poll=show)
    click.echo("stopped", err=True)


@main.group()
def alert() -> None:
    """Saved searches, reported after each ingest or watch poll that stores matching articles."""


@alert.command("add")
@click.argument("query")
@click.option("--webhook", default=None, metavar="URL", help="POST the matches as JSON here instead of printing them.")
@click.option("--db", default=None, help=DB_HELP)
def alert_add(query: str, webhook: str | None, db: str | None) -> None:
    """Save QUERY: words (all required; case and accents ignored), "exact phrases", prefix*, -excluded."""
    from vigie.alerts import AlertError, add_alert

    with _domain_errors(), _open(db) as store:
        try:
            a = add_alert(store, query, webhook)
        except AlertError as e:
            _err(str(e))
            sys.exit(2)
    _echo(f'alert {a.id} saved: "{a.query}"' + (f" -> {a.webhook}" if a.webhook else ""))


@alert.command("list")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def alert_list(db: str | None, as_json: bool) -> None:
    """List saved alerts."""
    from vigie.alerts import list_alerts

    with _domain_errors(), _open(db) as store:
        alerts = list_alerts(store)
    if as_json:
        _dump([{"id": a.id, "query": a.query, "webhook": a.webhook, "created_at": a.created_at} for a in alerts])
        return
    for a in alerts:
        _echo(f'{a.id:>4}  "{a.query}"' + (f"  -> {a.webhook}" if a.webhook else ""))
    click.echo(f"{len(alerts)} alert(s)")


@alert.command("remove")
@click.argument("alert_id", type=int)
@click.option("--db", default=None, help=DB_HELP)
def alert_remove(alert_id: int, db: str | None) -> None:
    """Delete the alert ALERT_ID (see `vigie alert list`)."""
    from vigie.alerts import remove_alert

    with _domain_errors(), _open(db) as store:
        remove_alert(store, alert_id)
    click.echo(f"alert {alert_id} removed")


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N articles.")
def articles(db: str | None, as_json: bool, limit: int | None) -> None:
    """List stored articles, newest first."""
    with _domain_errors(), _open(db) as store:
        rows = store.articles(limit=limit)
    if as_json:
        _dump([_row(a) for a in rows])
        return
    for a in rows:
        _echo(f"{a.id[:10]}  {(a.published or '-')[:16]:<16}  {(a.outlet or '-')[:22]:<22}  {a.title or '(untitled)'}")
    click.echo(f"{len(rows)} article(s)")


@main.command()
@click.argument("article_id")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def article(article_id: str, db: str | None, as_json: bool) -> None:
    """Show one stored article (an id prefix of 6+ characters is enough)."""
    with _domain_errors(), _open(db) as store:
        a = store.get(article_id)
        sources = store.sources(a.id)
    if as_json:
        _dump({**_extract_json(a), "sources": sources})
    else:
        _echo(_render(a))


@main.command()
@click.argument("query")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: total, facets and hits (snippets as segments).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--outlet", default=None, help="Only this outlet's articles (its name, as listed).")
@click.option("--language", default=None, help="Only articles in this language (ISO code: fr, en...).")
@click.option("--month", default=None, help="Only articles of this month (YYYY-MM), or 'undated'.")
@click.option("--story", default=None, help="Only articles of this story (its id).")
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
def search(query: str, db: str | None, as_json: bool, sort: str, outlet: str | None, language: str | None,
           month: str | None, story: str | None, limit: int, offset: int) -> None:
    """Full-text search of stored articles: words match by their stem, accents and case aside ("grève" finds
    "grévistes"); "a phrase", a OR b, -word and prefix* work."""
    from vigie.store import SearchOptions

    try:
        opts = SearchOptions(outlet=outlet, language=language, month=month, story=story, sort=sort,
                             offset=offset, limit=limit)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e
    with _domain_errors(), _open(db) as store:
        found = store.find(query, opts)
    if as_json:
        out = found.to_dict()
        for h, hit in zip(out["hits"], found.hits, strict=True):
            h["source"] = hit.article.source
        _dump(out)
        return
    click.echo(f"{found.total} hit{'s' if found.total != 1 else ''}")
    bold = click.style("", bold=True, reset=False), click.style("", reset=True)
    for hit in found.hits:
        a = hit.article
        head = safe(f"{a.id[:10]}  {(a.outlet or '-')[:22]:<22}  {(a.published or '')[:10]:<10}  "
                    f"{a.title or '(untitled)'}")
        # Article text made safe first, then the styling: click.echo drops it when stdout is not a terminal.
        snip = "".join(f"{bold[0]}{safe(s.text)}{bold[1]}" if s.match else safe(s.text) for s in hit.snippet)
        click.echo(f"{head}\n            {snip}")
    if found.total > offset + len(found.hits):
        click.echo(f"({offset + 1}-{offset + len(found.hits)} shown; --offset {offset + len(found.hits)} for more)")


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N stories.")
def stories(db: str | None, as_json: bool, limit: int | None) -> None:
    """List stories, ranked by distinct voices, outlets and recency."""
    from vigie.stories import list_stories, update_stories

    with _domain_errors(), _open(db) as store:
        update_stories(store)  # articles stored without --stories, or by an older Vigie, are placed first
        views = list_stories(store)[:limit]
    if as_json:
        _dump([v.to_dict() for v in views])
        return
    for v in views:
        span = " → ".join(x[:10] for x in (v.first_published, v.last_published) if x) or "undated"
        _echo(f"{v.id[:12]}  {len(v.articles):>3} art. {len(v.events):>2} ev.  {span:<23}  {v.title}")
        if v.outlets:
            _echo(f"{'':14}{', '.join(v.outlets)}")
    click.echo(f"{len(views)} story(ies)")


@main.command()
@click.argument("story_id")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--max-words", type=click.IntRange(min=10), default=100, show_default=True, help="Summary length.")
def story(story_id: str, db: str | None, as_json: bool, max_words: int) -> None:
    """Show one story (its id, a unique prefix, or the id of one of its articles): summary, events, quotes,
    timeline, disagreements and outlet coverage."""
    from vigie.stories import story_detail, update_stories

    with _domain_errors(), _open(db) as store:
        update_stories(store)
        view = story_detail(store, story_id, max_words=max_words, llm=_llm())
    if as_json:
        _dump(view.to_dict())
        return
    _echo(view.headline or view.title or "(untitled story)")
    _echo(f"id {view.id} · {len(view.articles)} article(s) · outlets: {', '.join(view.outlets) or '-'}")
    if view.summary:
        _echo("\n" + textwrap.fill(view.summary, 100))
    for ev in view.events:
        _echo(f"\n  Event {ev.id[:12]}: {ev.title}")
        for a in view.articles:
            if a.id in ev.articles:
                dup = f" (copy of {a.duplicate_of[:10]})" if a.duplicate_of else ""
                _echo(f"    {(a.published or '-')[:16]:<16}  {(a.outlet or '-')[:20]:<20}  {a.title}{dup}")
    if view.chronology is not None and view.chronology.entries:
        click.echo("\nKey days")
        for e in view.chronology.entries:
            _echo(f"  {e.date:<10} {textwrap.shorten(e.summary, 100)}")
    if view.timeline:
        click.echo("\nTimeline")
        for t in view.timeline:
            _echo(f"  {t.date:<10} [{len(t.sources)}] {textwrap.shorten(t.text, 100)}")
    if view.quotes:
        click.echo("\nQuotes")
        for q in view.quotes:
            _echo(f"  {q.speaker or '(unattributed)'}: « {textwrap.shorten(q.text, 90)} »")
    for d in view.disagreements:
        vals = "; ".join(f"{v['value']} ({len(v['sources'])} source(s))" for v in d.values)
        _echo(f"\nDisagreement: {textwrap.shorten(d.about, 80)}\n  {vals}")
    cov = view.coverage
    if cov:
        click.echo("\nCoverage by outlet")
        for o in cov.outlets:
            flag = " [state-affiliated]" if o.state_affiliated else ""
            first = " · first to report" if o.first_to_report else ""
            _echo(f"  {o.name}{flag}: {len(o.articles)} article(s), {len(o.only)} exclusive fact(s), "
                       f"{len(o.missing)} left out{first}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--max-words", type=click.IntRange(min=10), default=100, show_default=True, help="Summary length.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def summarize(paths: tuple[str, ...], max_words: int, as_json: bool) -> None:
    """Summarise the given documents as one story, without a database."""
    from vigie.understand.summarize import SummaryOptions
    from vigie.understand.summarize import summarize as run

    articles, failed = _read_articles(paths)
    with _domain_errors():
        if not articles:
            _err("no article to summarise")
            sys.exit(1)
        result = run([(a.source, a.title or "", a.body) for a in articles], SummaryOptions(max_words=max_words))
    if as_json:
        _dump({"summary": result.text, "headline": result.headline,
               "sentences": [{"text": x.text, "sources": list(x.sources)} for x in result.sentences]})
    else:
        _echo(result.headline)
        click.echo("")
        for x in result.sentences:
            _echo(textwrap.fill(x.text, 100))
            _echo(f"    — {', '.join(x.sources)}")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--max-dates", type=click.IntRange(min=1), default=10, show_default=True, help="Most days kept.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def chronology(paths: tuple[str, ...], max_dates: int, as_json: bool) -> None:
    """Write the dated chronology of the given documents (key days, what happened, sources), without a database."""
    from vigie.understand.chronology import ChronologyOptions
    from vigie.understand.chronology import chronology as run

    articles, failed = _read_articles(paths)
    with _domain_errors():
        if not articles:
            _err("no article to build a chronology from")
            sys.exit(1)
        result = run(articles, ChronologyOptions(max_dates=max_dates))
    where = {a.id: a.source for a in articles}  # without a database, a file is the source a reader can open
    for e in result.entries:
        for x in e.sentences:
            x.sources = [where.get(i, i) for i in x.sources]
    if as_json:
        _dump(result.to_dict())
    else:
        if not result.entries:
            click.echo("no dated day found (no publication date and no day cited)")
        for e in result.entries:
            click.echo(e.date)
            for x in e.sentences:
                click.echo(textwrap.fill(x.text, 100, initial_indent="  ", subsequent_indent="  "))
                click.echo(f"    — {', '.join(x.sources)}")
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Another Host name to answer (repeatable; the bound address and localhost always are).")
def serve(db: str | None, host: str, port: int, allowed_hosts: tuple[str, ...] = ()) -> None:
    """Serve the web UI and the JSON API (writes need $VIGIE_TOKEN)."""
    from vigie.store import resolve_db_path

    with _domain_errors():
        path = resolve_db_path(db)
        _open(path).close()  # fail here, with a clear message, rather than on the first request
        from vigie.serve import run

        click.echo(f"Vigie at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
        run(path, host, port, allowed_hosts=allowed_hosts)


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("--what", type=click.Choice(["articles", "stories", "quotes", "timeline"]), default="articles",
              show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="File to write ('-' for stdout).")
def export(db: str | None, fmt: str, what: str, output: str) -> None:
    """Export articles, stories, quotes or timelines for pandas or a spreadsheet."""
    from vigie.export import export as run

    with _domain_errors(), _open(db) as store:
        if what != "articles":
            from vigie.stories import update_stories

            update_stories(store)
        try:
            if output == "-":
                if fmt == "parquet":
                    _err("parquet is binary: give a file with --output")
                    sys.exit(2)
                n = run(store, fmt, what, sys.stdout)
            else:
                n = run(store, fmt, what, output)
        except OSError as e:  # a full disk, a read-only folder: one line naming the output
            _err(f"cannot write {'standard output' if output == '-' else output}: {e.strerror or e}")
            sys.exit(1)
    click.echo(f"{n} row(s) written", err=True)


@main.command()
@click.option("--size", type=click.IntRange(min=10), default=1000, show_default=True, help="Articles to generate.")
@click.option("--add", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Articles added afterwards to measure the incremental cost.")
@click.option("--data", default=None, help="Shared data folder (default: $VIGIE_SHARED or ../shared/data).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(size: int, add: int, data: str | None, as_json: bool) -> None:
    """Benchmark every stage on a generated corpus of real French text, with peers side by side."""
    from vigie.bench import run

    with _domain_errors():
        res = run(size, data=data, add=add, progress=lambda m: click.echo(f"… {m}", err=True))
    if as_json:
        _dump(res)
        return
    for k, v in res.items():
        click.echo(f"{k:<45} {v}")


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--understand/--no-understand", default=False, show_default=True,
              help="Also analyse every article again (entities, quotes, dates, events), after upgrading Vigie.")
def reprocess(db: str | None, understand: bool) -> None:
    """Re-clean every stored article from its kept raw input (after upgrading Vigie); a re-cleaned article is
    analysed again the next time it is needed, every article with --understand."""
    from vigie.pipeline import reprocess as run

    with _domain_errors(), _open(db) as store:
        changed = run(store, on_error=lambda e: _err(str(e)))
        click.echo(f"{changed} article(s) changed")
        if understand:
            from vigie.pipeline import default_workers
            from vigie.understand.stage import understand_new

            ids = [a.id for a in store.articles()]
            click.echo(f"{understand_new(store, ids, n_process=default_workers())} article(s) analysed")


@main.command()
@click.option("--db", default=None, help=DB_HELP)
def recluster(db: str | None) -> None:
    """Group stored articles into stories and events again with this version's rules (after upgrading Vigie);
    vectors and features are reused, nothing is cleaned or embedded again."""
    from vigie.stories import recluster_stories

    with _domain_errors(), _open(db) as store:
        moved = recluster_stories(store)
    click.echo(f"{moved} article(s) changed story or event")


if __name__ == "__main__":  # pragma: no cover
    main()
