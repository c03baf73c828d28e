"""Saved searches: after each ingest, report the new articles (and new stories) that match, printed or POSTed.

A query is a search query (:class:`vigie.store.terms.Query`: words, ``"a phrase"``, ``a OR b``, ``-word``,
``prefix*``), and it matches what search finds: an article's words become the very terms the search index holds
(folded, stemmed in its language, :class:`vigie.store.terms.Document`), the query's words are stemmed in each
language of the store, so "grève" fires on "grévistes". Matching runs in Python on the new articles only, so it
costs nothing on the corpus and does not wait for the store's full-text index.

Alerts are kept by the store (its ``alerts`` table, a migration of the store's own; ``add_alert``, ``alerts`` and
``remove_alert`` on every back end); this module checks them, matches them and sends the notices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vigie import __version__
from vigie.errors import NotFoundError, VigieError
from vigie.i18n import translator
from vigie.models import Article
from vigie.net import FetchError, FetchPolicy, fetch
from vigie.store.base import Alert, search_text
from vigie.store.terms import Document, Query

if TYPE_CHECKING:
    from vigie.store import ArticleStore

__all__ = [
    "Alert", "AlertError", "AlertMatch", "Query", "RecentMatches", "add_alert", "check_alerts", "list_alerts",
    "notify", "parse_query", "recent_matches", "remove_alert",
]

USER_AGENT = f"Vigie/{__version__} (self-hosted news alerts)"

class AlertError(VigieError):
    """An alert that cannot be saved: a query without terms, or a webhook that is not an http(s) URL."""


def parse_query(query: str) -> Query:
    """An alert's query, parsed as search parses it (:class:`vigie.store.terms.Query`).

    Raises:
        AlertError: the query holds no term to look for.

    Example:
        >>> parse_query('Otan "rien à rompre" russ* -sport').matches_text("La Russie et l'OTAN : rien a rompre")
        True
    """
    parsed = Query.parse(search_text(query))
    if not parsed:
        raise AlertError(f"alert query {query!r} has no term to look for (words, \"phrases\" or prefix*)")
    return parsed


def _document(art: Article) -> Document:
    """The article's terms as the search index holds them (title, standfirst, body; stemmed in its language)."""
    return Document.of((art.title, art.standfirst, art.body), art.language)


@dataclass(frozen=True, slots=True)
class AlertMatch:
    """One new article, or one new story, that an alert matches."""

    alert: Alert
    kind: str  # "article" or "story"
    id: str
    title: str | None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    story_id: str | None = None
    articles: int = 1

    def line(self, lang: str | None = None) -> str:
        """The one-line notice: ``alert 3 "otan": <title> (<outlet>)``, or ``... new story <id>: <title> (n articles)``,
        in ``lang`` (default: the language in use, :func:`vigie.i18n.using`; English outside the CLI)."""
        t = translator(lang)
        title = self.title or t("untitled")
        if self.kind == "story":
            return t("alert.story_line", id=self.alert.id, query=self.alert.query, story=self.id, title=title,
                     articles=t.n("n_articles", self.articles))
        return t("alert.line", id=self.alert.id, query=self.alert.query, title=title,
                 outlet=self.outlet or t("alert.unknown_outlet"))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "outlet": self.outlet, "url": self.url,
                "published": self.published, "story_id": self.story_id, "articles": self.articles}  # fmt: skip


# -- saved alerts ------------------------------------------------------------------------------------------------


def add_alert(store: ArticleStore, query: str, webhook: str | None = None) -> Alert:
    """Save an alert; the query is checked at once.

    Raises:
        AlertError: the query has no term, or ``webhook`` is not an http:// or https:// URL.

    Example:
        >>> from vigie.store import Store
        >>> add_alert(Store(":memory:"), "Otan Russie").id
        1
    """
    query = " ".join(query.split())
    parse_query(query)
    if webhook is not None and not re.match(r"^https?://[^\s/]+", webhook, re.I):
        raise AlertError(f"webhook {webhook!r} is not an http:// or https:// URL")
    return store.add_alert(query, webhook)


def list_alerts(store: ArticleStore) -> list[Alert]:
    return store.alerts()


def remove_alert(store: ArticleStore, alert_id: int) -> None:
    """Delete an alert.

    Raises:
        NotFoundError: no alert has this id.
    """
    if not store.remove_alert(alert_id):
        raise NotFoundError(f"no alert {alert_id} (see `vigie alert list`)")


# -- matching and notices ----------------------------------------------------------------------------------------


def check_alerts(
    store: ArticleStore, new_article_ids: Iterable[str], alerts: list[Alert] | None = None
) -> list[AlertMatch]:
    """Matches of every alert among ``new_article_ids`` (articles stored by the last ingest or poll).

    A match whose article sits in a story made only of new articles also yields one "story" match per alert, once
    the story stage has run; stories that merely grew are not announced again.
    """
    ids = list(dict.fromkeys(new_article_ids))
    alerts = list_alerts(store) if alerts is None else alerts
    if not ids or not alerts:
        return []
    parsed = _parsed(alerts)
    if not parsed:
        return []
    languages = store.search_languages()
    new = set(ids)
    matches: list[AlertMatch] = []
    stories: dict[str, tuple[bool, str | None, int]] = {}  # story id -> (new?, title, size)
    story_hits: list[AlertMatch] = []
    announced: set[tuple[int, str]] = set()
    for aid in ids:
        art = store.get(aid)
        doc = _document(art)
        hits = [a for a, q in parsed if q.matches(doc, languages)]
        if not hits:
            continue
        sid = store.story_of(art.id)
        for a in hits:
            matches.append(_article_match(a, art, sid))
        if sid is None:
            continue
        if sid not in stories:
            stories[sid] = _story_info(store, sid, new)
        is_new, title, size = stories[sid]
        for a in hits:
            if is_new and (a.id, sid) not in announced:
                announced.add((a.id, sid))
                story_hits.append(AlertMatch(a, "story", sid, title, story_id=sid, articles=size))
    return matches + story_hits


def _parsed(alerts: Iterable[Alert]) -> list[tuple[Alert, Query]]:
    """The alerts with their parsed queries; one that no longer parses (saved by an older version) is left out."""
    out = []
    for a in alerts:
        try:
            out.append((a, parse_query(a.query)))
        except AlertError:
            continue
    return out


def _article_match(alert: Alert, art: Article, story_id: str | None) -> AlertMatch:
    return AlertMatch(alert, "article", art.id, art.title, art.outlet, art.url, art.published, story_id)


def _story_info(store: ArticleStore, story_id: str, new: set[str]) -> tuple[bool, str | None, int]:
    from vigie.stories import get_story

    view = get_story(store, story_id)
    members = view.article_ids
    return all(m in new for m in members), view.title, len(members)


def notify(
    matches: Iterable[AlertMatch],
    *,
    echo: Callable[[str], None] = print,
    on_error: Callable[[str], None] | None = None,
    timeout: float = 10.0,
    allow_private: bool = False,
) -> int:
    """Print one line per match, or POST each alert's matches as one JSON object to its webhook.

    The JSON carries ``alert``, ``matches`` and a ``text`` field (the lines), which chat webhooks (Slack,
    Mattermost) display as is. A failing webhook is reported through ``on_error`` in one line; it never raises.
    Webhooks go through :func:`vigie.net.fetch`: no private address unless ``allow_private`` (or
    ``$VIGIE_ALLOW_PRIVATE_URLS``), and a redirect counts as delivered only when it re-sends the payload (307/308)
    to an allowed address and gets a 2xx. Returns how many webhook calls failed.
    """
    by_alert: dict[int, list[AlertMatch]] = {}
    for m in matches:
        by_alert.setdefault(m.alert.id, []).append(m)
    failed = 0
    for group in by_alert.values():
        alert = group[0].alert
        if not alert.webhook:
            for m in group:
                echo(m.line())
            continue
        payload = {"alert": {"id": alert.id, "query": alert.query}, "matches": [m.to_dict() for m in group],
                   "text": "\n".join(m.line() for m in group)}  # fmt: skip
        problem = post_json(alert.webhook, payload, timeout=timeout, allow_private=allow_private)
        if problem:
            failed += 1
            if on_error:
                on_error(translator()("alert.webhook_failed", id=alert.id, url=alert.webhook, problem=problem))
    return failed


def post_json(url: str, payload: dict[str, Any], *, timeout: float = 10.0, allow_private: bool = False) -> str | None:
    """POST ``payload`` as JSON; None on a 2xx answer (after no redirect, or a 307/308 one), else the reason."""
    policy = FetchPolicy.from_env(allow_private=allow_private, deadline=timeout, max_bytes=64 * 1024)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    try:
        resp = fetch(url, policy=policy, method="POST", data=json.dumps(payload, ensure_ascii=False).encode(),
                     headers=headers, truncate=True)  # fmt: skip
    except FetchError as e:
        return str(e)
    if 200 <= resp.status < 300:
        return None
    if 300 <= resp.status < 400:
        return f"HTTP {resp.status} {resp.reason} without a Location to re-send to"
    return f"HTTP {resp.status} {resp.reason}"


# -- what an alert finds among stored articles (the alerts page, the alert's Atom feed) ---------------------------


@dataclass(slots=True)
class RecentMatches:
    """An alert's matches among the ``scanned`` most recent stored articles: how many, and the newest ones."""

    alert: Alert
    count: int = 0
    articles: list[Article] = field(default_factory=list)
    scanned: int = 0


def recent_matches(
    store: ArticleStore, alerts: list[Alert], *, limit: int = 20, scan: int = 1000
) -> dict[int, RecentMatches]:
    """Each alert's matches among the ``scan`` most recent articles (newest first, at most ``limit`` kept).

    Matching is the alerts' own (search's terms, in Python), so what a page or a feed shows is what an ingest
    would have announced; ``scan`` bounds the work on a large store. Each article's terms are computed once.
    An alert whose query no longer parses (saved by an older version) matches nothing.
    """
    out = {a.id: RecentMatches(a) for a in alerts}
    parsed = _parsed(alerts)
    if not parsed:
        return out
    languages = store.search_languages()
    arts = store.articles(limit=scan)
    for art in arts:
        doc = _document(art)
        for a, q in parsed:
            if q.matches(doc, languages):
                m = out[a.id]
                m.count += 1
                if len(m.articles) < limit:
                    m.articles.append(art)
    for m in out.values():
        m.scanned = len(arts)
    return out
