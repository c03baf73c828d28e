"""Command-line shell over the library: argument parsing, rendering, and domain errors turned into messages.

Exit codes: 0 all inputs fine, 1 some input failed (the rest was processed), 2 usage error.

Human-readable output goes through the catalogue (:mod:`vigie.i18n`) in the language of ``--lang``, else
``$VIGIE_LANG``, else the locale (French when it is French, else English); ``--json`` output is the same in every
language.

Over 600 lines because it holds every command; each is a thin shell over a library call.
"""

from __future__ import annotations

import errno
import json
import os
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
from vigie.i18n import LANGUAGES, language_from_env, not_found, translator, using
from vigie.models import Article
from vigie.store import ArticleStore, open_store

if TYPE_CHECKING:
    from vigie.pipeline import IngestReport
    from vigie.stories import StoryReport
    from vigie.understand import ParseOptions
    from vigie.understand.abstractive import LLMConfig
    from vigie.understand.views import StoryDetail

DB_HELP = "SQLite file or postgresql:// URL (default: $VIGIE_DB or vigie.db)."


def _parse_option(ctx: click.Context, param: click.Parameter, value: str | None) -> ParseOptions | None:
    if value is None:
        return None
    from vigie.understand import ParseOptions

    try:
        return ParseOptions.from_label(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


PARSE_OPTION = click.option(
    "--parse", default=None, metavar="full|cues|cues+N", callback=_parse_option,
    help="How much of each article the language model parses: 'cues+1' (default) runs the dependency parse only on "
         "sentences with a quote, speech or event cue and the one before; 'full' parses everything (slower).")


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
    _echo(translator()("cli.error", message=message), err=True)


def _untitled(title: str | None) -> str:
    return title or translator()("untitled")


def _write_failure(e: BaseException) -> str | None:
    """One line for a store or file that cannot be written (full disk, read-only), else None."""
    t = translator()
    if isinstance(e, sqlite3.Error):
        text = str(e).lower()
        if "full" in text:
            return t("cli.write_full")
        if "readonly" in text or "read-only" in text:
            return t("cli.write_readonly")
        return t("cli.write_store", detail=e)
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPIPE):
        where = e.filename or t("cli.the_output")
        return t("cli.write_file", where=where, reason=e.strerror or e)
    return None


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Translate library errors, and write failures (full disk, read-only store), into one-line CLI messages."""
    try:
        yield
    except NotFoundError as e:
        _err(not_found(str(e), translator()))
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
    t = translator()
    title = _untitled(a.title)
    lines = [title, "=" * min(len(title), 100)]
    original = " " + t("original_outlet_of", outlet=a.original_outlet) if a.original_outlet else ""
    facts = [
        (t("source"), a.source), (t("outlet"), a.outlet + original if a.outlet else None),
        (t("published"), t.datetime(a.published) if a.published else None), (t("url"), a.url),
        (t("authors"), ", ".join(a.authors) or None), (t("language"), t.label("language", a.language) or None),
        (t("tags"), ", ".join(a.tags) or None), ("Id", a.id),
    ]
    width = max(10, *(len(k) for k, _ in facts))
    lines += [f"{k:<{width}} {v}" for k, v in facts if v]
    if full:
        if a.standfirst:
            lines += ["", a.standfirst]
        lines += ["", a.body]
        if a.comments:
            lines += ["", f"--- {t.n('n_comments', len(a.comments))} ---"]
            lines += [f"* {c}" for c in a.comments]
    return "\n".join(lines)


def _row(a: Article) -> dict[str, Any]:
    return {"id": a.id, "source": a.source, "title": a.title, "outlet": a.outlet, "published": a.published,
            "language": a.language, "url": a.url}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vigie")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), default=None,
              help="Language of the output (default: $VIGIE_LANG, else French when the locale is French, "
                   "else English). --json output does not change.")
@click.pass_context
def main(ctx: click.Context, lang: str | None) -> None:
    """Vigie: turn piles of raw news articles into stories."""
    env = os.environ.get("VIGIE_LANG", "").strip()
    if lang is None and env and env.lower() not in LANGUAGES:
        raise click.UsageError(f"$VIGIE_LANG must be one of {', '.join(LANGUAGES)}; got {env!r}")
    chosen = lang.lower() if lang else language_from_env()
    # `vigie serve` takes an explicit choice as the pages' default; a server's locale (often C) does not count.
    ctx.obj = {"lang": chosen, "explicit": bool(lang or env)}
    ctx.with_resource(using(chosen))


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
@PARSE_OPTION
def ingest(paths: tuple[str, ...], db: str | None, progress: bool | None, quiet: bool, stories: bool, alerts: bool,
           engine: str, scheduler: str | None, partitions: int | None, workers: int | None, understand: bool,
           parse: ParseOptions | None) -> None:
    """Read, clean and store articles from files, folders or '-' (stdin)."""
    t = translator()
    if engine != "dask" and (scheduler or partitions):
        _err(t("cli.needs_dask"))
        sys.exit(2)
    if engine == "dask" and workers:
        _err(t("cli.workers_local"))
        sys.exit(2)
    show = sys.stderr.isatty() if progress is None else progress
    with _domain_errors(), _open(db) as store:
        bar = None
        if show:
            from vigie.progress import ProgressRenderer

            # A terminal gets one live line per stage with its ETA; a log (--progress) a plain line now and then.
            bar = ProgressRenderer(sys.stderr)

        def on_error(e: InputError) -> None:
            if bar is None:
                _err(str(e))
                return
            with bar.paused():
                _err(str(e))

        def echo(message: str) -> None:  # an alert line, printed between two draws of the bar
            if bar is None:
                _echo(message)
                return
            with bar.paused():
                _echo(message)

        from vigie.pipeline import Executor, LocalExecutor, Paths, RunOptions, default_workers, run

        executor: Executor
        if engine == "dask":
            from vigie.pipeline.dask_engine import DaskExecutor

            executor = DaskExecutor(scheduler=scheduler, partitions=partitions, embed=stories, understand=understand,
                                    parse=parse)
        else:
            executor = LocalExecutor(workers or default_workers())
        try:
            result = run(store, Paths(list(paths), stdin=sys.stdin.buffer), executor=executor,
                         options=RunOptions(stories=stories, understand=understand, details=stories and understand,
                                            alerts=alerts, nlp_processes=workers or default_workers(), parse=parse,
                                            llm=_llm() if stories and understand else None),
                         on_error=on_error, on_event=bar,
                         echo=echo)  # fmt: skip
        finally:
            if bar is not None:
                bar.close()
        for warning in result.warnings:
            _err(warning)
    report, placed = result.report, result.stories
    if not quiet:
        click.echo(_run_summary(report, placed))
    sys.exit(1 if report.failed else 0)


def _run_summary(report: IngestReport, placed: StoryReport | None) -> str:
    """The one line after an ingest or a watch poll: "read 5, new 5, duplicate 0, failed 0; 5 placed in stories"."""
    t = translator()
    line = t("cli.ingest_summary", read=t.n("n_read", report.read), new=t.n("n_new", report.new),
             duplicate=t.n("n_duplicate", report.duplicate), failed=t.n("n_failed", report.failed))
    if placed is not None and placed.placed:
        line += t.n("n_placed", placed.placed, copies=t.n("n_near_copies", placed.duplicates))
    return line


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

    from vigie.watch import Watcher, WatchOptions

    t = translator()
    if not paths and not feeds:
        _err(t("cli.nothing_to_watch"))
        sys.exit(2)
    with _domain_errors(), _open(db) as store:
        wopts = WatchOptions(interval=interval, stories=stories, alerts=alerts, allow_private=allow_private_urls,
                             llm=_llm() if stories else None)
        watcher = Watcher(store, paths, feeds, wopts, on_error=lambda e: _err(str(e)), echo=_echo)

        def show(r: IngestReport) -> None:
            if quiet or not (r.read or r.failed):
                return
            click.echo(t("cli.poll_line", time=time.strftime("%H:%M:%S"), summary=_run_summary(r, watcher.last.stories)))

        if once:
            report = watcher.poll_once()
            show(report)
            sys.exit(1 if report.failed else 0)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` stops after the current poll, like Ctrl-C
        if not quiet:
            click.echo(t("cli.watching", paths=t.n("n_paths", len(paths)), feeds=t.n("n_feeds", len(feeds)),
                         interval=f"{interval:g}"), err=True)
        # Ctrl-C: a poll cut short rolls back its open transaction; what was stored stays.
        with contextlib.suppress(KeyboardInterrupt):
            watcher.run(stop, on_poll=show)
    click.echo(t("cli.stopped"), err=True)


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
    _echo(translator()("cli.alert_saved", id=a.id, query=a.query) + (f" -> {a.webhook}" if a.webhook else ""))


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
    click.echo(translator().n("n_alerts", len(alerts)))


@alert.command("remove")
@click.argument("alert_id", type=int)
@click.option("--db", default=None, help=DB_HELP)
def alert_remove(alert_id: int, db: str | None) -> None:
    """Delete the alert ALERT_ID (see `vigie alert list`)."""
    from vigie.alerts import remove_alert

    with _domain_errors(), _open(db) as store:
        remove_alert(store, alert_id)
    click.echo(translator()("cli.alert_removed", id=alert_id))


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
        _echo(f"{a.id[:10]}  {(a.published or '-')[:16]:<16}  {(a.outlet or '-')[:22]:<22}  {_untitled(a.title)}")
    click.echo(translator().n("n_articles", len(rows)))


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
    t = translator()
    click.echo(t.n("n_results", found.total))
    bold = click.style("", bold=True, reset=False), click.style("", reset=True)
    for hit in found.hits:
        a = hit.article
        head = safe(f"{a.id[:10]}  {(a.outlet or '-')[:22]:<22}  {(a.published or '')[:10]:<10}  "
                    f"{_untitled(a.title)}")
        # Article text made safe first, then the styling: click.echo drops it when stdout is not a terminal.
        snip = "".join(f"{bold[0]}{safe(s.text)}{bold[1]}" if s.match else safe(s.text) for s in hit.snippet)
        click.echo(f"{head}\n            {snip}")
    if found.total > offset + len(found.hits):
        click.echo(t("cli.more_hits", first=offset + 1, last=offset + len(found.hits)))


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
    t = translator()
    for v in views:
        span = " → ".join(x[:10] for x in (v.first_published, v.last_published) if x) or t("undated")
        _echo(f"{v.id[:12]}  {len(v.articles):>3} {t('cli.abbr_articles')} {len(v.events):>2} {t('cli.abbr_events')}  "
              f"{span:<23}  {_untitled(v.title)}")
        if v.outlets:
            _echo(f"{'':14}{', '.join(v.outlets)}")
    click.echo(t.n("n_stories", len(views)))


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
    _echo(_story_text(view))


def _story_text(view: StoryDetail) -> str:
    """`vigie story ID` without --json, in the language in use."""
    t = translator()
    outlets = ", ".join(t.phrase(o) for o in view.outlets) or "-"
    lines = [view.headline or view.title or t("untitled_story"),
             t("cli.story_head", id=view.id, articles=t.n("n_articles", len(view.articles)), outlets=outlets)]
    if view.summary:
        lines.append("\n" + textwrap.fill(view.summary, 100))
    for ev in view.events:
        lines.append("\n  " + t("cli.event", id=ev.id[:12], title=_untitled(ev.headline or ev.title)))
        for a in view.articles:
            if a.id in ev.articles:
                dup = t("cli.copy_of", id=a.duplicate_of[:10]) if a.duplicate_of else ""
                lines.append(f"    {(a.published or '-')[:16]:<16}  {(a.outlet or '-')[:20]:<20}  {_untitled(a.title)}{dup}")
    if view.chronology is not None and view.chronology.entries:
        lines.append("\n" + t("chronology"))
        for e in view.chronology.entries:
            lines.append(f"  {e.date:<10} {textwrap.shorten(e.summary, 100)}")
    if view.timeline:
        lines.append("\n" + t("timeline"))
        for x in view.timeline:
            lines.append(f"  {x.date:<10} [{len(x.sources)}] {textwrap.shorten(x.text, 100)}")
    if view.quotes:
        lines.append("\n" + t("quotes"))
        for q in view.quotes:
            lines.append("  " + t("cli.quote", speaker=q.speaker or t("unknown_speaker"),
                                  text=textwrap.shorten(q.text, 90)))
    for d in view.disagreements:
        vals = "; ".join(f"{v['value']} ({t.n('n_sources', len(v['sources']))})" for v in d.values)
        lines.append("\n" + t("cli.disagreement", about=textwrap.shorten(t.phrase(d.about), 80)) + f"\n  {vals}")
    cov = view.coverage
    if cov:
        lines.append("\n" + t("coverage"))
        for o in cov.outlets:
            lines.append("  " + t("cli.coverage_row", name=t.phrase(o.name),
                                  flag=t("cli.state_flag") if o.state_affiliated else "",
                                  articles=t.n("n_articles", len(o.articles)),
                                  exclusive=t.n("n_exclusive_facts", len(o.only)),
                                  left_out=t.n("n_left_out", len(o.missing)),
                                  first=t("cli.first_to_report") if o.first_to_report else ""))
    return "\n".join(lines)


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
            _err(translator()("cli.no_article_summary"))
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
            _err(translator()("cli.no_article_chronology"))
            sys.exit(1)
        result = run(articles, ChronologyOptions.trained(max_dates=max_dates))
    where = {a.id: a.source for a in articles}  # without a database, a file is the source a reader can open
    for e in result.entries:
        for x in e.sentences:
            x.sources = [where.get(i, i) for i in x.sources]
    if as_json:
        _dump(result.to_dict())
    else:
        if not result.entries:
            click.echo(translator()("cli.no_dated_day"))
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
@click.pass_context
def serve(ctx: click.Context, db: str | None, host: str, port: int, allowed_hosts: tuple[str, ...] = ()) -> None:
    """Serve the web UI and the JSON API (writes need $VIGIE_TOKEN). The pages are in French unless the browser
    asks for English, or `vigie --lang en serve` makes English the default."""
    from vigie.store import resolve_db_path

    chosen = ctx.obj or {}
    lang = chosen["lang"] if chosen.get("explicit") else "fr"

    with _domain_errors():
        path = resolve_db_path(db)
        _open(path).close()  # fail here, with a clear message, rather than on the first request
        from vigie.serve import run

        click.echo(translator()("cli.serving", host=host, port=port))
        run(path, host, port, allowed_hosts=allowed_hosts, lang=lang)


@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "markdown"]), default=None,
              help="jsonl, csv or parquet for a table (default jsonl); markdown for one story (--what story).")
@click.option("--what", type=click.Choice(["articles", "stories", "quotes", "timeline", "story"]), default="articles",
              show_default=True, help="A table, or 'story': one story (--id) for a press review.")
@click.option("--id", "story_id", default=None, metavar="STORY_ID",
              help="The story for --what story (its id, a unique prefix, or the id of one of its articles).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the labels of --what story.")
@click.option("--output", "-o", default="-", show_default=True, help="File to write ('-' for stdout).")
def export(db: str | None, fmt: str | None, what: str, story_id: str | None, lang: str, output: str) -> None:
    """Export articles, stories, quotes or timelines for pandas or a spreadsheet, or one story as Markdown."""
    from vigie.export import export as run

    if what == "story" or fmt == "markdown" or story_id:
        if what != "story" or fmt not in (None, "markdown") or not story_id:
            _err("one story is exported with --what story --id STORY_ID --format markdown; "
                 "tables (--what articles|stories|quotes|timeline) as jsonl, csv or parquet")
            sys.exit(2)
        _export_story(db, story_id, lang, output)
        return
    fmt = fmt or "jsonl"
    with _domain_errors(), _open(db) as store:
        if what != "articles":
            from vigie.stories import update_stories

            update_stories(store)
        try:
            if output == "-":
                if fmt == "parquet":
                    _err(translator()("cli.parquet_stdout"))
                    sys.exit(2)
                n = run(store, fmt, what, sys.stdout)
            else:
                n = run(store, fmt, what, output)
        except OSError as e:  # a full disk, a read-only folder: one line naming the output
            t = translator()
            _err(t("cli.write_file", where=t("cli.stdout") if output == "-" else output, reason=e.strerror or e))
            sys.exit(1)
    click.echo(translator().n("n_rows_written", n), err=True)


def _export_story(db: str | None, story_id: str, lang: str, output: str) -> None:
    """``vigie export --what story``: the story's Markdown (:func:`vigie.export.story_markdown`) to a file or stdout."""
    from vigie.export import story_markdown
    from vigie.serve.i18n import translator
    from vigie.stories import story_detail, update_stories

    with _domain_errors(), _open(db) as store:
        update_stories(store)
        detail = story_detail(store, story_id, llm=_llm())
        urls = {a.id: store.get(a.id).url for a in detail.articles}
        text = story_markdown(detail, urls=urls, t=translator(lang))
        try:
            if output == "-":
                click.echo(text, nl=False)  # escaped Markdown: no control character is left to print
            else:
                with open(output, "w", encoding="utf-8") as f:
                    f.write(text)
        except OSError as e:
            _err(f"cannot write {'standard output' if output == '-' else output}: {e.strerror or e}")
            sys.exit(1)
    if output != "-":
        click.echo(f"story {detail.id} written to {output}", err=True)


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
@PARSE_OPTION
def reprocess(db: str | None, understand: bool, parse: ParseOptions | None) -> None:
    """Re-clean every stored article from its kept raw input (after upgrading Vigie) and rebuild the entity index
    from the kept analyses; a re-cleaned article is analysed again the next time it is needed, every article with
    --understand."""
    from vigie.pipeline import reprocess as run

    with _domain_errors(), _open(db) as store:
        changed = run(store, on_error=lambda e: _err(str(e)))
        t = translator()
        click.echo(t.n("n_changed", changed))
        if not understand:  # the analyses kept stand; their entity index is rebuilt from them (older stores lack it)
            from vigie.understand.stage import reindex

            click.echo(t.n("n_indexed", reindex(store)))
        else:
            from vigie.pipeline import default_workers
            from vigie.understand import DEFAULT_PARSE
            from vigie.understand.stage import understand_new

            ids = [a.id for a in store.articles()]
            click.echo(t.n("n_analysed", understand_new(store, ids, n_process=default_workers(),
                                                        parse=parse or DEFAULT_PARSE)))


@main.command()
@click.option("--db", default=None, help=DB_HELP)
def recluster(db: str | None) -> None:
    """Group stored articles into stories and events again with this version's rules (after upgrading Vigie);
    vectors and features are reused, nothing is cleaned or embedded again."""
    from vigie.stories import recluster_stories

    with _domain_errors(), _open(db) as store:
        moved = recluster_stories(store)
    click.echo(translator().n("n_moved", moved))


if __name__ == "__main__":  # pragma: no cover
    main()
