"""Saved alerts: storage, accent- and case-insensitive matching on new articles only, stdout lines and webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pg import BACKENDS, backend_store
from vigie.alerts import (
    AlertError,
    add_alert,
    check_alerts,
    list_alerts,
    notify,
    parse_query,
    recent_matches,
    remove_alert,
)
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
        ("grève", "les grévistes ont voté", True),  # stemmed as search stems
        ("grèves", "une grève générale", True),
        ("otan OR nato", "the NATO summit", True),
        ("otan NOT sport", "l'OTAN et le sport", False),
    ],
)
def test_alerts_query_matching(query: str, text: str, expected: bool) -> None:
    assert parse_query(query).matches_text(text) is expected


def _article_file(tmp_path: Path, name: str, title: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_alerts_fire_on_what_search_finds(backend: str, tmp_path: Path) -> None:
    """An alert "grève" fires on a new article that only says "grévistes", on every back end; the alerts page
    counts what search finds."""
    with backend_store(backend) as store:
        alert = add_alert(store, "grève")
        other = add_alert(store, '"mission russe" -sport')
        first = ingest(store, [_article_file(
            tmp_path, "a.txt", "Les cheminots reconduisent le mouvement",
            "Les grévistes de la SNCF ont voté la reconduction du mouvement lundi matin, au terme d'une assemblée "
            "générale tenue devant la gare de Lyon, selon les syndicats présents sur place.")])
        second = ingest(store, [_article_file(
            tmp_path, "b.txt", "Moscou ferme sa représentation",
            "La mission russe auprès de l'Otan cessera ses activités, a annoncé le ministre des Affaires "
            "étrangères, après l'expulsion de huit diplomates accusés d'espionnage par l'Alliance.")])
        assert [(m.alert.id, m.kind) for m in check_alerts(store, first.new_ids)] == [(alert.id, "article")]
        assert [(m.alert.id, m.id) for m in check_alerts(store, second.new_ids)] == [(other.id, second.new_ids[0])]
        found = recent_matches(store, [alert, other])
        for a in (alert, other):
            assert found[a.id].count == store.find(a.query).total == 1
            assert [x.id for x in found[a.id].articles] == [h.article.id for h in store.find(a.query).hits]


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
