"""Issue 13, as an attacker tried it: each test replays the hostile input that stalled, leaked or injected.

Regex tests run every hostile line under a deadline enforced by the harness (``signal.setitimer``): a linear
pattern meets it with a wide margin on a loaded machine, the quadratic one it replaced cannot (10 s for a 200k
character line where the old ``_EMAIL`` took about 5 minutes). No test here measures how fast anything is.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import importlib
import io
import json
import re
import signal
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pagewait import ready
from vigie.errors import InputError
from vigie.extract.readers import ReadOptions, read_bytes
from vigie.models import RawDocument
from vigie.net import ALLOW_ENV, FetchError, FetchPolicy, fetch
from vigie.store import Store
from vigie.understand.views import StoryDetail

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
N = 200_000
DEADLINE = 10.0  # seconds for one hostile line of N characters; the old quadratic code needed minutes


# -- harness ------------------------------------------------------------------------------------------------------


class Stalled(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Fail (not hang) when the block runs past ``seconds``: the regex engine checks signals as it backtracks."""

    def fire(*_: object) -> None:
        raise Stalled(f"{what} ran past its {seconds:g} s deadline")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def rep(unit: str, tail: str = "", n: int = N) -> str:
    return unit * (n // len(unit)) + tail


# -- 1. regex backtracking ----------------------------------------------------------------------------------------

HOSTILE_LINES = {
    "email": rep("a", "@"),  # the issue's line: _EMAIL was quadratic in the run before "@"
    "email-digits": rep("1", "!"),
    "glued-dots": rep(".", "x"),  # _GLUE: a run of periods tried from every start
    "title-suffix": "x" + rep(" ", "!"),  # _TITLE_SUFFIX: spaces before a missing separator
    "initials": rep("A."),  # the glued-paragraph splitter re-read the whole line per period
    "abbreviations": rep("M. "),  # the sentence splitter re-read the whole line per abbreviation
    "byline": "Par " + rep(" ", "x"),
    "pipes": "x" + rep(" ", "| y"),
    "dates": rep("a… 12/10/2021, "),  # every date re-checked against every earlier one
}


def _clean(s: str) -> None:
    from vigie.extract.clean import clean_text

    clean_text(s)


def _clean_article(s: str) -> None:
    from vigie.extract.clean import clean_text

    clean_text("Le maire a parlé.\n\n" + s + "\n")


def _sentences(s: str) -> None:
    from vigie.understand.summarize import split_sentences

    split_sentences(s)


def _summary(s: str) -> None:
    from vigie.understand.summarize import summarize

    summarize([("a", "Titre", s)])


def _time_anchor(s: str) -> None:
    from vigie.stories.timeanchor import time_anchor

    time_anchor(s, None)


def _dates(s: str) -> None:
    from vigie.understand.dates import find_dates

    find_dates(s, "2021-10-18")


def _post_attribution(s: str) -> None:
    from vigie.understand.quotes import _POST_ATTR

    _POST_ATTR.match(s)


STAGES: dict[str, Callable[[str], None]] = {
    "clean": _clean, "clean-article": _clean_article, "sentences": _sentences, "summary": _summary,
    "time-anchor": _time_anchor, "dates": _dates, "quote-attribution": _post_attribution,
}  # fmt: skip


@pytest.mark.parametrize("stage", sorted(STAGES))
@pytest.mark.parametrize("line", sorted(HOSTILE_LINES))
def test_security_hostile_line_meets_the_deadline(stage: str, line: str) -> None:
    text = HOSTILE_LINES[line]
    with deadline(DEADLINE, f"{stage} on a {len(text)}-character {line!r} line"):
        STAGES[stage](text)


def test_security_quote_attribution_on_a_run_of_spaces() -> None:
    """``^\\s*,?\\s*`` split a run of spaces two ways: 2.8 s for 2,000 spaces, cubic beyond."""
    from vigie.understand.quotes import _POST_ATTR

    with deadline(DEADLINE, "_POST_ATTR on 200k spaces"):
        assert _POST_ATTR.match(" " * N) is None
    m = _POST_ATTR.match(" , a-t-elle ajouté. Fin")
    assert m is not None and m["verb"] == "ajouté" and m["p1"] == "elle"


def test_security_fixed_patterns_keep_their_matches() -> None:
    from vigie.extract import clean

    assert clean._EMAIL.findall("écrire à jean.dupont+x@mail.example.fr ou a@b.c") == [
        "jean.dupont+x@mail.example.fr", "a@b.c"]  # fmt: skip
    assert [m.group() for m in clean._GLUE.finditer("fin.Début...Suite?!«Non")] == [".", "...", "?!"]
    m = clean._TITLE_SUFFIX.match("La Russie rompt avec l'Otan - Le Point")
    assert m is not None and (m["title"], m["site"]) == ("La Russie rompt avec l'Otan", "Le Point")


# The probes below stand for the shapes that make backtracking patterns blow up: long runs of one character class,
# then a character that makes the match fail at the very end.
_PROBES = [u * (20_000 // len(u)) + t for u, t in [
    ("a", "@"), ("1", "!"), (" ", "x"), (".", "x"), ("a ", "!"), ("A.", ""), ("-", "x"), ("«", ""), ("a,", "\x00"),
    ("é", "1"), ("1 ", "a"), ("a-", "'"), ("\n", "x"), ("Ab ", ":"), ("le ", "@"),
]]  # fmt: skip
_AUDITED = [
    "vigie.extract.clean", "vigie.extract.cleanlex", "vigie.extract.metadata", "vigie.stories.timeanchor",
    "vigie.understand.dates", "vigie.understand.entities", "vigie.understand.events", "vigie.understand.quotes",
    "vigie.understand.summarize", "vigie.understand.timeline", "vigie.understand.lexicon",
]


# Patterns only ever used with ``.match`` at a position (one start): probed the same way.
_MATCH_ONLY = {
    "vigie.stories.timeanchor._FUTURE_AFTER", "vigie.understand.quotes._QUE", "vigie.understand.quotes._POST_ATTR",
    "vigie.understand.quotes._POST_ATTR_AT", "vigie.understand.quotes._POUR", "vigie.understand.summarize._UPPER_START",
}


def _module_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for name in _AUDITED:
        mod = importlib.import_module(name)
        for attr, value in vars(mod).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.append((f"{name}.{attr}", value))
    return found


def test_security_every_module_pattern_is_linear_on_the_probes() -> None:
    """A regression guard for patterns added later: each one, on each probe, well inside a deadline that a
    quadratic pattern misses by far (the old ``_EMAIL`` took about 1.5 s per probe of 20k characters)."""
    patterns = _module_patterns()
    assert len(patterns) > 50
    slow = []
    for name, rx in patterns:
        try:
            with deadline(5.0, f"{name} on the probes"):
                for s in _PROBES:
                    if name in _MATCH_ONLY:
                        rx.match(s)
                        continue
                    rx.search(s)
                    for _ in zip(range(1000), rx.finditer(s), strict=False):
                        pass
        except Stalled:
            slow.append(name)
    assert slow == []


def test_security_cli_ingest_of_the_issue_file_finishes(tmp_path: Path) -> None:
    """The file of the report, through ``vigie ingest`` (it ran past 60 s)."""
    from vigie.cli import main

    p = tmp_path / "x.txt"
    p.write_text("Le maire a parlé.\n\n" + "a" * 150_000 + "@\n", encoding="utf-8")
    with deadline(60, "vigie ingest x.txt"):
        res = CliRunner().invoke(main, ["ingest", "-q", "--no-stories", "--no-alerts", "--db", str(tmp_path / "v.db"),
                                        str(p)])  # fmt: skip
    assert res.exit_code in (0, 1), res.output
    assert "Traceback" not in res.output


# -- 2. gzip amplification ----------------------------------------------------------------------------------------


def _gz_of(head: bytes, filler: bytes, size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = filler * (1024 * 1024 // len(filler))
    return z.compress(head) + b"".join(z.compress(chunk) for _ in range(size // len(chunk))) + z.flush()


class _CountingSpool:
    """Records how many bytes a gzip read decompressed (its spool file), to show the read stopped at the cap."""

    written = 0

    def __init__(self, real: Any) -> None:
        self.real = real

    def write(self, b: bytes) -> int:
        _CountingSpool.written += len(b)
        return int(self.real.write(b))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __enter__(self) -> _CountingSpool:
        self.real.__enter__()
        return self

    def __exit__(self, *a: object) -> None:
        self.real.__exit__(*a)


@pytest.fixture
def spool(monkeypatch: pytest.MonkeyPatch) -> type[_CountingSpool]:
    from vigie.extract import readers

    real = readers.tempfile.SpooledTemporaryFile
    _CountingSpool.written = 0
    monkeypatch.setattr(readers.tempfile, "SpooledTemporaryFile", lambda *a, **k: _CountingSpool(real(*a, **k)))
    return _CountingSpool


def test_security_gzip_feed_stops_at_the_feed_cap(spool: type[_CountingSpool]) -> None:
    """The report's 293 KB .rss.gz expanded to 64 MB (217 s, 600 MB): a feed now stops at the feed cap."""
    opts = ReadOptions()
    bomb = _gz_of(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>', b"<!-- padding -->", 64 * 2**20)
    assert len(bomb) < 400_000
    (err,) = list(read_bytes(bomb, "big.rss.gz", opts))
    assert isinstance(err, InputError) and err.reason == "gzip expands beyond 8 MB limit (gzip bomb?)"
    assert spool.written <= opts.max_feed_bytes + 2**20  # never the 512 MB container cap


def test_security_gzip_json_document_stops_at_the_json_cap(spool: type[_CountingSpool]) -> None:
    opts = ReadOptions(max_json_bytes=4 * 2**20)
    bomb = _gz_of(b'[{"maintext": "', b"a" * 64, 32 * 2**20)
    (err,) = list(read_bytes(bomb, "big.json.gz", opts))
    assert isinstance(err, InputError) and err.reason == "gzip expands beyond 4 MB limit (gzip bomb?)"
    assert spool.written <= opts.max_json_bytes + 2**20


def test_security_feed_and_json_files_have_their_own_caps() -> None:
    opts = ReadOptions(max_feed_bytes=100_000, max_json_bytes=200_000)
    feed = b'<rss version="2.0"><channel><title>x</title>' + b"<!-- -->" * 20_000 + b"</channel></rss>"
    (err,) = list(read_bytes(feed, "f.rss", opts))
    assert isinstance(err, InputError) and "file too large" in err.reason and "0.1 MB limit" in err.reason
    doc = json.dumps([{"maintext": "mot " * 60_000}]).encode()
    (err,) = list(read_bytes(doc, "d.json", opts))
    assert isinstance(err, InputError) and "JSON document limit" in err.reason
    # JSON Lines are streamed: only the record cap applies.
    lines = b"".join(json.dumps({"maintext": f"Article {i} " + "mot " * 200}).encode() + b"\n" for i in range(300))
    assert len(lines) > 200_000
    assert all(isinstance(x, RawDocument) for x in read_bytes(gzip.compress(lines), "r.jsonl.gz", opts))


def test_security_read_options_check_the_new_caps() -> None:
    with pytest.raises(ValueError, match="max_feed_bytes"):
        ReadOptions(max_feed_bytes=0)


# -- 3 and 5. outgoing requests: SSRF, redirects, credentials, slow and endless peers ------------------------------


def _rss(title: str, link: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Flux</title><item><title>{title}</title>'
            f"<link>{link}</link><description>La Russie a suspendu sa mission auprès de l'Otan, a annoncé Moscou "
            "lundi, après l'expulsion de huit diplomates russes accusés d'espionnage.</description></item>"
            "</channel></rss>").encode()  # fmt: skip


def test_security_private_addresses_are_refused_before_connecting(http_server: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV)
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback, private or link-local address"):
        fetch(http_server.url + "/latest/meta-data/")
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/"):
        with pytest.raises(FetchError, match="not an http"):
            fetch(url)
    with pytest.raises(FetchError, match="refused"):
        fetch("http://[::ffff:127.0.0.1]:1/")  # IPv4 mapped in IPv6 is still loopback
    assert http_server.requests == []
    # Allowed explicitly, by option or by the environment, it is fetched.
    http_server.routes["/ok"] = lambda _h: (200, {}, b"fine")
    assert fetch(http_server.url + "/ok", policy=FetchPolicy(allow_private=True)).body == b"fine"
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")
    assert fetch(http_server.url + "/ok").body == b"fine"


def test_security_feed_redirect_to_an_internal_address_is_not_stored(http_server: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed answering 302 to ``http://127.0.0.1:…/latest/meta-data/`` stored the internal page as an article."""
    from vigie.watch import Watcher, WatchOptions

    port = http_server.url.rsplit(":", 1)[1]
    monkeypatch.setenv(ALLOW_ENV, "localhost")  # the user allows the feed's host, not the machine's other names
    http_server.routes["/feed"] = lambda _h: (302, {"Location": f"http://127.0.0.1:{port}/latest/meta-data/"}, b"")
    http_server.routes["/latest/meta-data/"] = lambda _h: (200, {"Content-Type": "application/rss+xml"},
                                                           _rss("AWS secret", "http://x/1"))  # fmt: skip
    store = Store(":memory:")
    errors: list[str] = []
    w = Watcher(store, feeds=[f"http://localhost:{port}/feed"], options=WatchOptions(settle=0, stories=False,
                alerts=False, timeout=10), on_error=lambda e: errors.append(str(e)))  # fmt: skip
    report = w.poll_once()
    assert (report.new, report.failed) == (0, 1)
    assert "refused: 127.0.0.1 is a loopback" in errors[0]
    assert [p for _, p, _, _ in http_server.requests] == ["/feed"]
    assert store.count() == 0


def test_security_webhook_redirects_are_not_success(http_server: Any) -> None:
    """Webhooks followed a 302 (as a GET, payload dropped) and reported success."""
    from vigie.alerts import post_json

    http_server.routes["/hook"] = lambda _h: (302, {"Location": "/elsewhere"}, b"")
    http_server.routes["/elsewhere"] = lambda _h: (200, {}, b"ok")
    problem = post_json(http_server.url + "/hook", {"text": "x"}, timeout=5)
    assert problem is not None and "HTTP 302 redirect of a POST" in problem
    assert [p for _, p, _, _ in http_server.requests] == ["/hook"]
    # A 307 re-sends the same POST to the same host: that is a delivery.
    http_server.routes["/moved"] = lambda _h: (307, {"Location": "/hook2"}, b"")
    http_server.routes["/hook2"] = lambda _h: (204, {}, b"")
    assert post_json(http_server.url + "/moved", {"text": "y"}, timeout=5) is None
    method, path, _, body = http_server.requests[-1]
    assert (method, path, json.loads(body)) == ("POST", "/hook2", {"text": "y"})


def test_security_llm_key_never_follows_a_redirect_to_another_host(http_server: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A redirect from ``VIGIE_LLM_URL`` forwarded ``Authorization: Bearer …`` to the new host."""
    from vigie.understand.abstractive import rewrite

    port = http_server.url.rsplit(":", 1)[1]
    monkeypatch.setenv(ALLOW_ENV, "localhost,127.0.0.1")  # the redirect target is reachable: only the key stops it
    http_server.routes["/v1/chat/completions"] = lambda _h: (
        307, {"Location": f"http://localhost:{port}/steal"}, b"")  # fmt: skip
    http_server.routes["/steal"] = lambda _h: (200, {}, b'{"choices": [{"message": {"content": "x"}}]}')
    monkeypatch.setenv("VIGIE_LLM_URL", http_server.url + "/v1")
    monkeypatch.setenv("VIGIE_LLM_KEY", "top-secret")
    assert rewrite("La Russie suspend sa mission auprès de l'Otan.") is None
    assert [p for _, p, _, _ in http_server.requests] == ["/v1/chat/completions"]
    assert all("top-secret" not in json.dumps(h) for _, p, h, _ in http_server.requests if p == "/steal")


def test_security_llm_endpoint_the_user_configured_may_be_local(http_server: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.understand.abstractive import rewrite

    monkeypatch.delenv(ALLOW_ENV)
    http_server.routes["/v1/chat/completions"] = lambda _h: (
        200, {"Content-Type": "application/json"}, b'{"choices": [{"message": {"content": "Moscou rompt."}}]}')
    monkeypatch.setenv("VIGIE_LLM_URL", http_server.url + "/v1")
    assert rewrite("La Russie suspend sa mission auprès de l'Otan.") == "Moscou rompt."


class _Drip(http.server.BaseHTTPRequestHandler):
    """A feed that sends 12 bytes every 0.2 s for ever (the report: 12 bytes every 5 s outlived any timeout)."""

    closed = threading.Event()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            if self.path == "/flood":
                while True:
                    self.wfile.write(b"<!-- flood -->" * 4096)
            self.wfile.write(b'<?xml version="1.0"?><rss><channel>')
            while True:
                self.wfile.write(b"<!-- 12b -->")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            _Drip.closed.set()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[str]:
    _Drip.closed.clear()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_security_slow_feed_hits_the_whole_fetch_deadline(drip_server: str) -> None:
    from vigie.watch import Watcher, WatchOptions

    errors: list[str] = []
    w = Watcher(Store(":memory:"), feeds=[drip_server + "/rss"],
                options=WatchOptions(settle=0, stories=False, alerts=False, timeout=2, allow_private=True),
                on_error=lambda e: errors.append(str(e)))  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        # The hang guard is generous: the point is that the poll ends at all (it used to go on for ever).
        report = pool.submit(w.poll_once).result(timeout=120)
    assert report.failed == 1 and "deadline of 2 s passed" in errors[0]
    assert _Drip.closed.wait(30)  # the connection was given up, not left open


def test_security_endless_answer_hits_the_size_cap(drip_server: str) -> None:
    with pytest.raises(FetchError, match="answer too large"):
        fetch(drip_server + "/flood", policy=FetchPolicy(allow_private=True, max_bytes=2**20, deadline=60))


def test_security_credentials_in_the_url_stay_on_their_host(http_server: Any) -> None:
    port = http_server.url.rsplit(":", 1)[1]
    http_server.routes["/a"] = lambda _h: (302, {"Location": f"http://localhost:{port}/b"}, b"")
    pol = FetchPolicy(allow_private=True)
    with pytest.raises(FetchError, match="would carry credentials"):
        fetch(f"http://user:pw@127.0.0.1:{port}/a", policy=pol)
    _, _, headers, _ = http_server.requests[-1]
    assert headers.get("Authorization", "").startswith("Basic ")


def test_security_too_many_redirects(http_server: Any) -> None:
    http_server.routes["/loop"] = lambda _h: (302, {"Location": "/loop"}, b"")
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(http_server.url + "/loop", policy=FetchPolicy(allow_private=True, max_redirects=3))
    assert len(http_server.requests) == 4


# -- 6. terminal escapes ------------------------------------------------------------------------------------------

_ESC_TITLE = "\x1b]0;pwned\x07\x1b[2J\x9b31mTitre \u202epiégé"


def test_security_control_characters_are_stripped_at_extraction() -> None:
    from vigie.pipeline import extract_documents

    feed = _rss(_ESC_TITLE.replace("\x07", "&#x7;"), "http://example.org/a").replace(
        b"<title>Flux</title>", b"<title>Le\x1b[2J Flux</title>")
    (item,) = [x for x in extract_documents(read_bytes(feed, "f.rss")) if not isinstance(x, InputError)]
    art = item[1]
    for field in (art.title, art.outlet):
        assert field is not None and not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e]", field), field
    assert art.title is not None and "Titre" in art.title
    raw = RawDocument("a.txt", "text", "Un titre\x1b[2J assez long pour un titre\n\nPremier paragraphe du texte, "
                      "assez long pour être un corps, avec une phrase qui continue et qui dit ce qui s'est passé "
                      "hier.\x07\n\nSecond paragraphe\x1b, assez long lui aussi pour rester dans le corps de "
                      "l'article, car il raconte la suite de ce qui s'est passé ce jour-là.")
    (item,) = list(extract_documents([raw]))
    assert not isinstance(item, InputError)
    body = item[1].body
    assert "\n\n" in body and not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", body)


def test_security_cli_escapes_control_characters_at_print(tmp_path: Path) -> None:
    """An article stored before this fix (or by another tool) still cannot drive the terminal."""
    from vigie.cli import main
    from vigie.models import Article

    db = tmp_path / "v.db"
    with Store(db) as store:
        raw = RawDocument("evil.txt", "text", "x")
        store.add(raw, Article(id=raw.id, source="evil\x1b[2J.txt", title=_ESC_TITLE, outlet="Out\x1blet",
                               body="Corps."))  # fmt: skip
    for args in (["articles"], ["article", raw.id], ["search", "Corps"], ["articles", "--json"]):
        res = CliRunner().invoke(main, [*args, "--db", str(db)])
        assert res.exit_code == 0, res.output
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", res.output), (args, res.output)
    res = CliRunner().invoke(main, ["articles", "--db", str(db)])
    assert "\\x1b]0;pwned\\x07" in res.output


# -- 7. CSV formula injection -------------------------------------------------------------------------------------


def _formula_store(path: Path | str) -> Store:
    from vigie.models import Article

    store = Store(path)
    for i, title in enumerate(["=HYPERLINK(\"http://evil.example\",\"clic\")", "+1+1", "-2+3", "@SUM(A1)",
                               "\tTAB", "\rCR", "Titre sûr"]):  # fmt: skip
        raw = RawDocument(f"{i}.txt", "text", title)
        store.add(raw, Article(id=raw.id, source=f"/srv/in/{i}.txt", title=title, body="=1+2 corps"))
    return store


def test_security_csv_export_escapes_formulas(tmp_path: Path) -> None:
    import csv

    from vigie.export import export

    buf = io.StringIO()
    with _formula_store(tmp_path / "v.db") as store:
        export(store, "csv", "articles", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    titles = sorted(r["title"] for r in rows)
    assert all(t[0] not in "=+-@\t\r" for t in titles), titles
    assert "'=HYPERLINK(\"http://evil.example\",\"clic\")" in titles and "Titre sûr" in titles
    assert {r["body"] for r in rows} == {"'=1+2 corps"}
    # JSON Lines are data, not a spreadsheet: kept as they are.
    buf = io.StringIO()
    with Store(tmp_path / "v.db") as store:
        export(store, "jsonl", "articles", buf)
    assert any(json.loads(line)["title"] == "+1+1" for line in buf.getvalue().splitlines())


# -- 4, 8, 9, 10. the server --------------------------------------------------------------------------------------

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from vigie import stories  # noqa: E402
from vigie.serve import SECURITY_HEADERS, allowed_hosts_for, create_app  # noqa: E402


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vigie.pipeline import ingest

    db = tmp_path_factory.mktemp("sec") / "seeds.db"
    with Store(db) as store:
        ingest(store, [str(SEEDS)])
        stories.update_stories(store)
    return db


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "v.db"
    with Store(seeded) as src, Store(copy) as dst:
        src.conn.backup(dst.conn)
    return copy


def _first_story(db: Path) -> tuple[str, str]:
    with Store(db) as store:
        view = stories.list_stories(store)[0]
    return view.id, view.articles[0].id


def test_security_csv_export_over_http_escapes_formulas_and_paths(tmp_path: Path) -> None:
    _formula_store(tmp_path / "f.db").close()
    with TestClient(create_app(str(tmp_path / "f.db"), token=None)) as c:
        out = c.get("/api/export?format=csv").text
    assert "'=HYPERLINK(" in out and "\n=" not in out and ",=" not in out
    assert "/srv/in" not in out  # file names only


def test_security_story_computations_are_shared_and_reads_never_wait(db: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """45 GETs of one uncached story made ``GET /api/articles/ID`` wait 19.7 s; now none of them waits at all."""
    sid, aid = _first_story(db)
    release = threading.Event()
    calls: list[str] = []

    def slow_detail(store: Any, story_id: str, **_: Any) -> StoryDetail:
        calls.append(story_id)
        assert release.wait(120), "never released"
        return replace(StoryDetail.bare(stories.get_story(store, story_id)), headline="calculé")

    monkeypatch.setattr(stories, "story_detail", slow_detail, raising=False)
    with TestClient(create_app(str(db), token=None)) as c, ThreadPoolExecutor(50) as pool:
        waiting = [pool.submit(c.get, f"/api/stories/{sid}") for _ in range(45)]
        pages = [pool.submit(c.get, f"/stories/{sid}") for _ in range(3)]
        # While the computation is held, every request is answered: behaviour, not speed (the guard stops a hang).
        for path in (f"/api/articles/{aid}", "/api/stories", f"/articles/{aid}"):
            r = pool.submit(c.get, path).result(timeout=120)
            assert r.status_code == 200, (path, r.text[:300])
        held = [f.result(timeout=120) for f in waiting + pages]
        assert not release.is_set()
        assert {r.status_code for r in held[:45]} == {202}
        assert {r.json()["status"] for r in held[:45]} == {"pending"}
        assert all(r.status_code == 200 and 'class="pending"' in r.text for r in held[45:])
        release.set()
        done = ready(c, f"/api/stories/{sid}")
    assert done.status_code == 200 and done.json()["headline"] == "calculé" and done.json()["status"] == "ready"
    assert calls == [sid]  # one computation for 49 requests


def test_security_read_only_store_still_serves_story_pages(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The detail cache write made story pages 500 on a read-only store."""
    from vigie.store.sqlite import SQLiteStore

    sid, _ = _first_story(db)

    def detail(store: Any, story_id: str, **_: Any) -> StoryDetail:
        view = stories.get_story(store, story_id)
        store.cache_story(view.id, "k", "{}")  # as the story stage does
        return replace(StoryDetail.bare(view), headline="ok")

    def readonly(*_: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(stories, "story_detail", detail, raising=False)
    monkeypatch.setattr(SQLiteStore, "cache_story", readonly)
    with TestClient(create_app(str(db), token=None)) as c:
        assert ready(c, f"/api/stories/{sid}").json()["headline"] == "ok"
        assert c.get(f"/stories/{sid}").status_code == 200


def test_security_full_disk_on_post_is_a_503(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.store.sqlite import SQLiteStore

    def full(*_: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SQLiteStore, "add", full)
    with TestClient(create_app(str(db), token="t"), raise_server_exceptions=False) as c:
        r = c.post("/api/articles", json={"text": "Un article entier sur la Russie et l'Otan. " * 10},
                   headers={"Authorization": "Bearer t"})  # fmt: skip
    assert r.status_code == 503
    assert r.json() == {"error": {"status": 503, "code": "store_unavailable",
                                  "message": "the disk holding the store is full: nothing was written"}}  # fmt: skip
    assert r.headers["x-content-type-options"] == "nosniff"


def test_security_500s_carry_the_security_headers(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.serve.data import Data

    def boom(*_: object, **__: object) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Data, "outlets", boom)
    with TestClient(create_app(str(db), token=None), raise_server_exceptions=False) as c:
        for path, kind in (("/api/outlets", "application/json"), ("/outlets", "text/html")):
            r = c.get(path)
            assert r.status_code == 500 and r.headers["content-type"].startswith(kind)
            for k, v in SECURITY_HEADERS.items():
                assert r.headers[k] == v, (path, k)
            assert "secret internals" not in r.text


def test_security_error_page_links_stay_on_this_host(db: Path) -> None:
    with TestClient(create_app(str(db), token=None)) as c:
        for path in ("//evil.example/login", "/\\evil.example/login", "///evil.example"):
            r = c.get(path)
            assert r.status_code == 404
            hrefs = re.findall(r'href="([^"]*)"', r.text)
            assert hrefs and all(h.startswith("/") and not h.startswith(("//", "/\\")) for h in hrefs), hrefs


def test_security_head_is_answered(db: Path) -> None:
    with TestClient(create_app(str(db), token=None)) as c:
        for path in ("/", "/api/stories"):
            get, head = c.get(path), c.head(path)
            assert head.status_code == 200 and head.content == b""
            assert head.headers["content-type"] == get.headers["content-type"]
            assert head.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]


def test_security_host_allow_list(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 could read /api/export."""
    monkeypatch.delenv("VIGIE_ALLOWED_HOSTS", raising=False)
    hosts = allowed_hosts_for("127.0.0.1", ["vigie.lan"])
    assert {"127.0.0.1", "localhost", "::1", "vigie.lan"} <= set(hosts)
    with TestClient(create_app(str(db), token=None, allowed_hosts=hosts)) as c:
        r = c.get("/api/export", headers={"Host": "evil.example:8000"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_host"
        assert r.headers["x-frame-options"] == "DENY"
        for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "vigie.lan"):
            assert c.get("/api/stories", headers={"Host": host}).status_code == 200, host


def test_security_server_shows_file_names_not_server_paths(db: Path) -> None:
    sid, aid = _first_story(db)
    root = str(SEEDS.parent)
    with TestClient(create_app(str(db), token=None)) as c:
        for path in (f"/api/articles/{aid}", f"/api/stories/{sid}", f"/articles/{aid}", "/api/export"):
            r = c.get(path)
            assert r.status_code in (200, 202) and root not in r.text and ".txt" in r.text, path  # 202: being made
            r = ready(c, path)
            assert r.status_code == 200 and root not in r.text and ".txt" in r.text, path


# -- 9. write failures in the CLI ---------------------------------------------------------------------------------


def test_security_cli_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.cli import main
    from vigie.store.sqlite import SQLiteStore

    def full(*_: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SQLiteStore, "add", full)
    res = CliRunner().invoke(main, ["ingest", "-q", "--no-stories", "--db", str(tmp_path / "v.db"), str(SEEDS)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)
    lines = res.output.strip().splitlines()
    assert lines == ["error: the disk holding the store is full: the articles stored so far are kept, "
                     "the rest was not written"]  # fmt: skip


def test_security_cli_export_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    from vigie.cli import main

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    _formula_store(tmp_path / "v.db").close()
    res = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "v.db"), "--format", "csv", "-o", "/dev/full"])
    assert res.exit_code == 1, res.output
    assert res.output.strip().splitlines() == ["error: cannot write /dev/full: No space left on device"]


def test_security_fetch_needs_no_network_for_refusals() -> None:
    """Refusals happen before any connection: a host that resolves to a private address is never contacted."""
    with pytest.raises(FetchError, match="refused"):
        fetch("http://localhost:9/", policy=FetchPolicy(deadline=5))


# -- test hygiene -------------------------------------------------------------------------------------------------


def test_security_ci_turns_dependency_skips_into_failures(tmp_path: Path) -> None:
    """In CI a missing spaCy model (or any part of Vigie) fails; a missing ../shared still skips."""
    import os
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    (tmp_path / "test_demo.py").write_text(
        "import pytest\n\n"
        "def test_model():\n    pytest.skip('French model unavailable: not installed')\n\n"
        "def test_data():\n    pytest.skip('../shared/data is absent')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "VIGIE_TEST_STRICT")}
    args = [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    local = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert "2 skipped" in local.stdout, local.stdout
    ci = subprocess.run(args, capture_output=True, text=True, env={**env, "CI": "true"}, cwd=tmp_path, timeout=600)
    assert ci.returncode == 1 and "1 failed, 1 skipped" in ci.stdout, ci.stdout
    assert "every dependency of Vigie must be installed: Skipped: French model unavailable" in ci.stdout


def test_security_text_over_the_model_limit_is_analysed_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 10 MB article made ``vigie ingest`` die in spaCy (E088) once articles were analysed at ingest."""
    from vigie.models import Article
    from vigie.understand import analyze_articles, get_nlp

    nlp = get_nlp("fr")
    monkeypatch.setattr(nlp, "max_length", 3000)  # the same refusal as at 1,000,000 characters, at test size
    body = "\n\n".join(f"Le ministre Sergueï Lavrov a déclaré lundi {i} que Moscou suspendait sa mission." for i in range(80))
    assert len(body) > 3000
    arts = [Article(id="long", source="long.txt", language="fr", body=body),
            Article(id="short", source="short.txt", language="fr", body="Jens Stoltenberg a regretté la décision.")]
    out = analyze_articles(arts)
    assert [a.article_id for a in out] == ["long", "short"]
    assert any("Lavrov" in e.name for e in out[0].entities)
