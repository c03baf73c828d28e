"""Watch mode: each poll ingests only new or changed files and changed feeds, then runs stories and alerts."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vigie.alerts import add_alert
from vigie.errors import VigieError
from vigie.pipeline import IngestReport
from vigie.store import Store
from vigie.watch import Watcher, WatchOptions

QUIET = WatchOptions(settle=0, stories=False, alerts=False)

_ITEM = """<item><title>{title}</title><link>https://example.org/{slug}</link>
<pubDate>Tue, 0{day} Mar 2023 10:00:00 +0100</pubDate>
<description>{title}. {body}</description></item>"""
_BODIES = {
    "port": ("Incendie au port", "Un entrepôt du port de Marseille a brûlé toute la nuit, sans faire de victime, "
             "selon les marins-pompiers qui ont mobilisé quatre-vingts hommes."),
    "bce": ("La BCE relève ses taux", "La Banque centrale européenne a relevé ses taux directeurs d'un quart de point "
            "pour lutter contre une inflation toujours forte, a annoncé Christine Lagarde."),
    "ble": ("Récolte record de blé", "La récolte de blé s'annonce abondante cette année dans la Beauce, selon les "
            "coopératives agricoles, malgré un printemps particulièrement sec."),
}


def _rss(*slugs: str) -> bytes:
    items = "".join(_ITEM.format(title=_BODIES[s][0], body=_BODIES[s][1], slug=s, day=i + 1)
                    for i, s in enumerate(slugs))  # fmt: skip
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Fil</title>'
            f"<language>fr</language>{items}</channel></rss>").encode()  # fmt: skip


def _counts(r: IngestReport) -> tuple[int, int, int, int]:
    return r.read, r.new, r.duplicate, r.failed


def _touch(path: Path, text: str) -> None:
    """Write and move the mtime forward: coarse file-system clocks must still see a change."""
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_watch_folder_reads_only_new_and_changed_files(seeds_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in sorted(os.listdir(seeds_dir))[:2]:
        shutil.copy(seeds_dir / name, inbox / name)
    (inbox / "empty.txt").write_text("", encoding="utf-8")
    store = Store(":memory:")
    errors: list[str] = []
    w = Watcher(store, [str(inbox)], options=QUIET, on_error=lambda e: errors.append(str(e)))

    assert _counts(w.poll_once()) == (2, 2, 0, 1)
    assert errors == [f"{inbox}/empty.txt: empty file"]
    assert _counts(w.poll_once()) == (0, 0, 0, 0)  # nothing changed: nothing read, the failure not repeated
    assert len(errors) == 1

    new = inbox / "sub" / "new.txt"
    new.parent.mkdir()
    _touch(new, f"{_BODIES['port'][0]}\n\n{_BODIES['port'][1]}\n")
    report = w.poll_once()
    assert _counts(report) == (1, 1, 0, 0)
    assert store.get(report.new_ids[0]).source == str(new)

    _touch(new, f"{_BODIES['port'][0]}\n\n{_BODIES['port'][1]} Une enquête est ouverte.\n")
    assert _counts(w.poll_once()) == (1, 1, 0, 0)  # changed content is a new article
    new.unlink()
    assert _counts(w.poll_once()) == (0, 0, 0, 0)
    assert store.count() == 4


def test_watch_waits_for_files_to_settle(tmp_path: Path) -> None:
    f = tmp_path / "fresh.txt"
    f.write_text(f"{_BODIES['bce'][0]}\n\n{_BODIES['bce'][1]}\n", encoding="utf-8")
    w = Watcher(Store(":memory:"), [str(tmp_path)], options=WatchOptions(settle=3600, stories=False, alerts=False))
    assert _counts(w.poll_once()) == (0, 0, 0, 0)  # modified just now: perhaps still being written
    old = time.time() - 7200
    os.utime(f, (old, old))
    assert _counts(w.poll_once()) == (1, 1, 0, 0)


def test_watch_feed_file(tmp_path: Path) -> None:
    feed = tmp_path / "fil.rss"
    _touch(feed, _rss("port", "bce").decode())
    store = Store(":memory:")
    w = Watcher(store, feeds=[str(feed)], options=QUIET)
    assert _counts(w.poll_once()) == (2, 2, 0, 0)
    _touch(feed, _rss("port", "bce", "ble").decode())
    assert _counts(w.poll_once()) == (3, 1, 2, 0)
    assert {a.outlet for a in store.articles()} == {"Le Fil"}


def test_watch_feed_url_conditional_requests(http_server: Any) -> None:
    state = {"body": _rss("port", "bce"), "etag": '"v1"'}

    def feed(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("If-None-Match") == state["etag"]:
            return 304, {}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": str(state["etag"]),
                     "Last-Modified": "Tue, 07 Mar 2023 10:00:00 GMT"}, bytes(state["body"])  # fmt: skip

    http_server.routes["/feed"] = feed
    url = http_server.url + "/feed"
    store = Store(":memory:")
    errors: list[str] = []
    w = Watcher(store, feeds=[url], options=QUIET, on_error=lambda e: errors.append(str(e)))

    report = w.poll_once()
    assert _counts(report) == (2, 2, 0, 0)
    assert store.get(report.new_ids[0]).source.startswith(url + "#https://example.org/")
    assert _counts(w.poll_once()) == (0, 0, 0, 0)  # 304: nothing read
    _, _, headers, _ = http_server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Tue, 07 Mar 2023 10:00:00 GMT"
    assert headers["User-Agent"].startswith("Vigie/")

    state.update(body=_rss("port", "bce", "ble"), etag='"v2"')
    assert _counts(w.poll_once()) == (3, 1, 2, 0)

    http_server.routes["/feed"] = lambda headers: (500, {}, b"oops")
    assert _counts(w.poll_once()) == (0, 0, 0, 1)
    assert errors == [f"{url}: HTTP 500 Internal Server Error"]


def test_watch_unreachable_feed_is_one_line_error() -> None:
    errors: list[str] = []
    w = Watcher(Store(":memory:"), feeds=["http://127.0.0.1:9/rss"], options=WatchOptions(timeout=2, allow_private=True),
                on_error=lambda e: errors.append(str(e)))  # fmt: skip
    assert _counts(w.poll_once()) == (0, 0, 0, 1)
    assert len(errors) == 1 and errors[0].startswith("http://127.0.0.1:9/rss: cannot fetch (")
    assert "\n" not in errors[0]


def test_watch_places_stories_and_runs_alerts(seeds_dir: Path) -> None:
    store = Store(":memory:")
    add_alert(store, "Stoltenberg")
    lines: list[str] = []
    w = Watcher(store, [str(seeds_dir)], options=WatchOptions(settle=0), echo=lines.append)
    report = w.poll_once()
    assert report.new == 5
    assert store.count_unplaced() == 0
    assert w.last.stories is not None and w.last.stories.placed == 5
    assert lines and all(line.startswith('alert 1 "Stoltenberg": ') for line in lines)
    assert any(" new story s-" in line for line in lines)
    lines.clear()
    w.poll_once()
    assert lines == []  # nothing new, nothing announced again


def test_watch_run_until_stopped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"{_BODIES['ble'][0]}\n\n{_BODIES['ble'][1]}\n", encoding="utf-8")
    w = Watcher(Store(":memory:"), [str(tmp_path)], options=WatchOptions(interval=0.01, settle=0, stories=False))
    stop = threading.Event()
    polls: list[IngestReport] = []

    def on_poll(r: IngestReport) -> None:
        polls.append(r)
        if len(polls) == 3:
            stop.set()

    t = threading.Thread(target=w.run, args=(stop, on_poll))
    t.start()
    t.join(timeout=30)
    assert not t.is_alive()
    assert [p.new for p in polls] == [1, 0, 0]


def test_watch_checks_arguments() -> None:
    with pytest.raises(ValueError, match="nothing to watch"):
        Watcher(Store(":memory:"))
    with pytest.raises(ValueError, match="interval must be > 0"):
        WatchOptions(interval=0)
    assert issubclass(VigieError, Exception)
