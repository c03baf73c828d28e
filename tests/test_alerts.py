"""Saved alerts: storage, accent- and case-insensitive matching on new articles only, stdout lines and webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vigie.alerts import AlertError, Query, add_alert, check_alerts, list_alerts, notify, remove_alert
from vigie.errors import NotFoundError
from vigie.pipeline import ingest
from vigie.store import Store
from vigie.stories import update_stories

PESKOV = {"000_4be715d5b9f8e314.txt", "001_37b476e53cd719ce.txt", "002_bd8ae65ee2c76035.txt"}


def test_alerts_add_list_remove() -> None:
    store = Store(":memory:")
    assert list_alerts(store) == []
    a = add_alert(store, "  Otan   Russie ")
    b = add_alert(store, "peskov", webhook="https://hooks.example.org/x")
    assert (a.id, a.query, a.webhook) == (1, "Otan Russie", None)
    assert [x.id for x in list_alerts(store)] == [1, 2]
    remove_alert(store, 2)
    assert add_alert(store, "kremlin").id == 3  # a removed id is never reused
    assert [(x.id, x.query, x.webhook) for x in list_alerts(store)] == [(1, "Otan Russie", None), (3, "kremlin", None)]
    assert b.webhook == "https://hooks.example.org/x"
    with pytest.raises(NotFoundError, match="no alert 2"):
        remove_alert(store, 2)


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "has no term"), ("-sport", "has no term"), ('""', "has no term")],
)
def test_alerts_bad_query(query: str, message: str) -> None:
    with pytest.raises(AlertError, match=message):
        add_alert(Store(":memory:"), query)


def test_alerts_bad_webhook() -> None:
    with pytest.raises(AlertError, match="not an http:// or https:// URL"):
        add_alert(Store(":memory:"), "otan", webhook="file:///etc/passwd")


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("societe generale", "La Société Générale annonce", True),
        ("SOCIÉTÉ", "societe", True),
        ("otan", "l’OTAN a dit", True),
        ("otan", "en cotant", False),  # whole words only
        ("russ*", "les Russes", True),
        ('"rien à rompre"', "il n'y avait rien a rompre", True),
        ('"rien à rompre"', "rompre, il n'y avait rien à dire", False),
        ("otan -sport", "l'OTAN et le sport", False),
        ('otan -"coupe du monde"', "l'OTAN et la coupe du monde", False),
        ("otan russie", "l'OTAN seule", False),
    ],
)
def test_alerts_query_matching(query: str, text: str, expected: bool) -> None:
    assert Query.parse(query).matches(text) is expected


def test_alerts_report_new_articles_and_new_stories(seeds_dir: Path, tmp_path: Path) -> None:
    store = Store(":memory:")
    alert = add_alert(store, "Peskov")
    first = ingest(store, [str(seeds_dir)])
    update_stories(store)
    matches = check_alerts(store, first.new_ids)
    articles = [m for m in matches if m.kind == "article"]
    assert {store.get(m.id).source.rsplit("/", 1)[-1] for m in articles} == PESKOV
    [story] = [m for m in matches if m.kind == "story"]  # the seeds' story is new: announced once
    assert story.articles == 5 and story.id == store.story_of(articles[0].id)
    one = next(m for m in articles if m.id == "69688fe14405fcca")
    assert one.line() == (f'alert {alert.id} "Peskov": Tango d’un seul danseur, rien à rompre: Moscou décrit les '
                          "liens avec l’Otan (Sputnik France)")  # fmt: skip
    assert story.line().startswith(f'alert {alert.id} "Peskov": new story {story.id}: ')

    # A later article: only it is reported; the old matches are not repeated.
    later = tmp_path / "later.txt"
    later.write_text("Le Kremlin répond\n\nDmitri Peskov a répondu aux questions sur la récolte de blé en Sibérie, "
                     "qui s'annonce abondante cette année selon le ministère.\n", encoding="utf-8")  # fmt: skip
    second = ingest(store, [str(later)])
    update_stories(store)
    again = check_alerts(store, second.new_ids)
    assert [m.id for m in again if m.kind == "article"] == second.new_ids
    assert check_alerts(store, []) == []


def test_alerts_print_lines(seeds_dir: Path) -> None:
    store = Store(":memory:")
    add_alert(store, "Stoltenberg")
    report = ingest(store, [str(seeds_dir)])
    lines: list[str] = []
    assert notify(check_alerts(store, report.new_ids), echo=lines.append) == 0
    assert lines and all(line.startswith('alert 1 "Stoltenberg": ') for line in lines)


def test_alerts_webhook_post(seeds_dir: Path, http_server: Any) -> None:
    http_server.routes["/hook"] = lambda headers: (204, {}, b"")
    store = Store(":memory:")
    add_alert(store, "peskov", webhook=http_server.url + "/hook")
    report = ingest(store, [str(seeds_dir)])
    lines: list[str] = []
    errors: list[str] = []
    assert notify(check_alerts(store, report.new_ids), echo=lines.append, on_error=errors.append) == 0
    assert lines == [] and errors == []
    [(method, path, headers, body)] = http_server.requests  # one POST per alert, all its matches inside
    assert (method, path) == ("POST", "/hook")
    assert headers["Content-Type"].startswith("application/json")
    assert headers["User-Agent"].startswith("Vigie/")
    payload = json.loads(body)
    assert payload["alert"] == {"id": 1, "query": "peskov"}
    assert len(payload["matches"]) == 3 and {m["kind"] for m in payload["matches"]} == {"article"}
    assert payload["text"].count("\n") == 2


def test_alerts_webhook_failures_are_one_line(seeds_dir: Path, http_server: Any) -> None:
    http_server.routes["/down"] = lambda headers: (500, {}, b"boom")
    store = Store(":memory:")
    add_alert(store, "peskov", webhook=http_server.url + "/down")
    add_alert(store, "otan", webhook="http://127.0.0.1:9/closed")
    report = ingest(store, [str(seeds_dir)])
    errors: list[str] = []
    assert notify(check_alerts(store, report.new_ids), on_error=errors.append, timeout=2) == 2
    assert errors[0] == f"alert 1: webhook {http_server.url}/down: HTTP 500 Internal Server Error"
    assert errors[1].startswith("alert 2: webhook http://127.0.0.1:9/closed: ")
    assert all("\n" not in e for e in errors)
