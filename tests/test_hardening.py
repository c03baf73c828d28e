"""Hardening: bad inputs of every kind, generated here, through `vigie ingest` end to end, plus focused reader tests.

Every input either gets a one-line ``error: <path>: reason`` on stderr or is ingested; the rest of the batch is
stored; the command exits 1, never with a traceback, and its memory stays bounded.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from vigie.errors import InputError
from vigie.extract import readers
from vigie.extract.readers import ReadOptions, iter_documents, read_bytes
from vigie.models import RawDocument

VIGIE = str(Path(sys.executable).with_name("vigie"))
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
MB = 1024 * 1024

TITLE = "Budget : le gouvernement présente son projet"
PARA = ("Le gouvernement a présenté mardi son projet de budget pour 2024 au Parlement. Les députés doivent "
        "l'examiner en novembre, a indiqué le ministre de l'Économie lors d'une conférence de presse à Paris.")


def article(tag: str) -> str:
    """A short French article whose title ends with ``tag``."""
    return f"{TITLE} {tag}\n\n" + "\n\n".join(f"{PARA} Point {tag}-{i}." for i in range(4)) + "\n"


def warc_record(uri: str, body: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <urn:uuid:{uri[-1]}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def html_page(tag: str, extra: str = "") -> str:
    return f"<html><body{extra}><h1>{TITLE} {tag}</h1>" + "".join(f"<p>{PARA} {tag}{i}.</p>" for i in range(3)) + \
        "</body></html>"


Expect = Literal["ok", "error", "either"]


@dataclass
class Case:
    """One generated input: its expected outcome and, for an article, a substring of the stored title."""

    name: str
    expect: Expect
    title: str | None = None
    label: str | None = None  # how the CLI names it, when not the plain path (undecodable file names)


def _bomb_warc() -> bytes:
    """A gzipped WARC whose first record inflates to 300 MB, then one good record."""
    size = 300 * MB
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://bomb.fr/0\r\nWARC-Record-ID: <urn:uuid:0>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + size}\r\n\r\n").encode()
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"<p>" + b"a" * (MB - 3)
    parts = [z.compress(head + http), *(z.compress(block) for _ in range(size // MB)), z.compress(b"\r\n\r\n"), z.flush()]
    return b"".join(parts) + gzip.compress(warc_record("https://ok.fr/1", html_page("warc-ok").encode()))


def _gzip_bomb() -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join(z.compress(b"la " * MB) for _ in range(300)) + z.flush()


def _billion_laughs() -> str:
    ents = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{ents}]><rss version="2.0"><channel><title>x'
            "</title><item><title>&l9;</title><description>&l9;</description></item></channel></rss>")


def _feed(n: int) -> str:
    items = "".join(f"<item><title>Entrée {i}</title><link>https://feed.fr/{i}</link><description>{PARA} {i}"
                    "</description></item>" for i in range(n))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Flux</title>{items}</channel></rss>'


def make_inputs(d: Path) -> list[Case]:
    """Write every bad input under ``d`` (plus a few good ones) and return the table of expectations."""
    rnd = random.Random(20240601)
    cases: list[Case] = []

    def put(name: str, data: bytes | str, expect: Expect, title: str | None = None) -> None:
        (d / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, expect, title))

    a = article("base").encode()
    put("empty.txt", b"", "error")
    put("blank.txt", b" \n\t\r\n  \n", "error")
    put("random.bin.txt", rnd.randbytes(8192), "error")
    put("nul_bytes.txt", a[:60] + b"\x00" + a[60:200] + b"\x00\x00" + a[200:], "either")
    put("invalid_utf8.txt", article("u8bad").encode()[:120] + b"\xc3\x28\xff\xa0" + article("u8bad").encode()[120:],
        "ok", "u8bad")
    put("cp1252.txt", article("cp1252 « l’œuvre » coûte 5 €").encode("cp1252"), "ok", "l’œuvre")
    put("latin1.txt", article("latin1 déjà à Besançon").encode("latin-1"), "ok", "Besançon")
    put("utf16_bom.txt", codecs.BOM_UTF16_LE + article("utf16bom été").encode("utf-16-le"), "ok", "utf16bom été")
    put("utf16le_nobom.txt", article("utf16le été").encode("utf-16-le"), "ok", "utf16le été")
    put("utf16be_nobom.txt", article("utf16be été").encode("utf-16-be"), "ok", "utf16be été")
    put("utf32_bom.txt", article("utf32 été").encode("utf-32"), "ok", "utf32 été")
    with open(d / "big_100mb.txt", "wb") as f:
        chunk = (PARA + "\n").encode() * 1000
        while f.tell() < 100 * MB:
            f.write(chunk)
    cases.append(Case("big_100mb.txt", "error"))
    put("one_line_10mb.txt", f"{TITLE} longline\n\n" + PARA.replace(".", ",") * (10 * MB // len(PARA)), "ok",
        "longline")
    put("deep_100k.html", "<html><body>" + "<div>" * 100_000 + f"<p>{PARA}</p>" + "</div>" * 100_000, "either")
    put("deep_unclosed.html", "<html><body>" + "<div><b>" * 50_000 + PARA * 3, "either")
    put("billion_laughs.rss", _billion_laughs(), "error")
    put("entity_html.html", '<!DOCTYPE html [<!ENTITY a "' + "x" * 1000 + '">]><html><body>&a;&a;</body></html>', "error")
    put("xxe.xml", '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss version="2.0"><channel>'
        f"<title>t</title><item><title>{TITLE} xxe</title><link>https://x.fr/xxe</link><description>{PARA}"
        "</description></item></channel></rss>", "ok", "xxe")
    put("bomb.warc.gz", _bomb_warc(), "error")
    r1 = warc_record("https://t.fr/1", html_page("warc-first").encode())
    r2 = warc_record("https://t.fr/2", html_page("warc-cut").encode())
    put("truncated.warc", r1 + r2[: len(r2) // 2], "error")
    lines = [json.dumps({"title": f"{TITLE} jsonl{i}", "maintext": f"{PARA} {i}"}) for i in range(3)]
    put("broken_middle.jsonl", f"{lines[0]}\n{lines[1][:30]}\n{lines[2]}\n", "error")
    put("huge_int.jsonl", '{"maintext": "x", "n": ' + "9" * 100_000 + "}\n", "error")
    put("deep.json", "[" * 100_000 + "]" * 100_000, "error")
    put("huge_float.json", json.dumps({"title": f"{TITLE} float", "maintext": PARA})[:-1] + ', "n": 1e99999}', "ok",
        "float")
    put("surrogates.jsonl", json.dumps({"title": f"{TITLE} surr \ud800", "maintext": f"{PARA} \udfff",
                                        "authors": ["\ud83d"]}) + "\n", "ok", "surr")
    put("wrong_types.json", json.dumps([{"maintext": 123}, 5, None, {"title": ["a"], "maintext": {"b": 1}}]), "error")
    put("feed_2k.rss", _feed(2000), "ok", "Entrée 1999")
    put("attr_1mb.html", html_page("attr", f' data-x="{"x" * MB}"'), "ok", "attr")
    ctrl = "".join(c + (chr(rnd.choice([1, 2, 7, 8, 11, 12, 27, 127])) if i % 97 == 0 else "")
                   for i, c in enumerate(article("ctrl")))
    put("controls.txt", ctrl, "either")
    put("rtl_zero_width.txt", f"\u202e{TITLE} rtl\u200f\n\n" + "\u200b\u200d\u2066".join([PARA] * 6) + "\u2069\n\n"
        + "שלום עולם. " * 20, "ok")
    put("mixed_newlines.txt", article("newlines").replace("\n\n", "\r\n\r\n", 2).replace("\n\n", "\r\r", 1)
        + "\u2028fin\x85ligne\u2029", "ok", "newlines")
    put("gzip_bomb.txt.gz", _gzip_bomb(), "error")
    put("fake.pdf", b"%PDF-1.4\n" + rnd.randbytes(1000), "error")
    put("meta_charset_hex.html", html_page("hex é").replace("<html>", '<html><head><meta charset="hex"></head>')
        .encode("cp1252"), "ok", "hex")
    put("meta_charset_utf16.html", html_page("declared é").replace("<html>", '<html><meta charset="utf-16">')
        .encode("cp1252"), "ok", "declared é")
    put("many_lines.txt", f"{TITLE} lines\n\n" + "mot\n" * 100_000, "either")
    put("long_word.txt", f"{TITLE} word\n\n" + "a" * (5 * MB), "either")
    put("script_only.html", "<html><head><script>var a;</script></head><body><script>x()</script></body></html>",
        "error")
    put("null.json", "null", "error")
    (d / "dir_named.txt").mkdir()
    (d / "dir_named.txt" / "inner.txt").write_text(article("inner"), encoding="utf-8")
    cases.append(Case("dir_named.txt/inner.txt", "ok", "inner"))
    os.symlink("loop_b", d / "loop_a")
    os.symlink("loop_a", d / "loop_b")
    cases += [Case("loop_a", "error"), Case("loop_b", "error")]
    os.symlink(".", d / "self_link")  # a folder loop: walked once, silently
    os.symlink("missing", d / "dangling")
    cases.append(Case("dangling", "error"))
    os.mkfifo(d / "fifo")
    cases.append(Case("fifo", "error"))
    (d / "noperm.txt").write_text(article("noperm"), encoding="utf-8")
    (d / "noperm.txt").chmod(0)
    cases.append(Case("noperm.txt", "ok" if os.geteuid() == 0 else "error"))  # root reads anything
    with open(os.path.join(os.fsencode(d), b"bad\xff\xfename.txt"), "wb") as f:
        f.write(article("badname").encode())
    cases.append(Case(os.fsdecode(b"bad\xff\xfename.txt"), "ok", "badname", label="bad\\xff\\xfename.txt"))
    for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        shutil.copy(seed, d / f"zz_good_{i}.txt")
        cases.append(Case(f"zz_good_{i}.txt", "ok"))
    return cases


def run_with_rusage(args: list[str], timeout: float) -> tuple[int, str, str, int]:
    """Run a command; return (exit code, stdout, stderr, peak RSS in bytes) of that very child (``os.wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"{args[:3]} took over {timeout} s")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode(), err.read().decode("utf-8", "backslashreplace"),
                usage.ru_maxrss * 1024)


@pytest.mark.slow
def test_hardening_cli_ingest_survives_every_bad_input(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    cases = make_inputs(src)
    assert len({c.name for c in cases}) >= 40
    db = str(tmp_path / "h.db")
    missing = str(tmp_path / "does-not-exist.txt")
    code, out, err, rss = run_with_rusage([VIGIE, "ingest", "--no-stories", "--db", db, str(src), missing], 240)

    assert code == 1, err[-2000:]
    assert "Traceback" not in err, err[-4000:]
    lines = err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), [x for x in lines if not x.startswith("error")]
    assert f"error: {missing}: no such file or directory" in lines
    # About 340 MB here; one CI run of a loaded machine saw 1.5 GB once (not reproduced): the bound is on runaway
    # growth (a 100 MB file or a gzip bomb read whole), not on the allocator's mood.
    assert rss < 2048 * MB, f"peak RSS {rss // MB} MB"
    assert out.startswith("read ")

    listed = subprocess.run([VIGIE, "articles", "--json", "--db", db], capture_output=True, text=True, check=True)
    arts = json.loads(listed.stdout)
    by_source: dict[str, list[dict[str, str | None]]] = {}
    for a in arts:
        by_source.setdefault(a["source"], []).append(a)
    assert len({a["id"] for a in arts}) == len(arts)
    report = []
    for c in cases:
        path = f"{src}/{c.label or c.name}"
        errors = [x for x in lines if x.startswith(f"error: {path}: ") or x.startswith(f"error: {path}#")]
        stored = [a for s, rows in by_source.items() if s == path or s.startswith(path + "#") for a in rows]
        report.append(f"{c.name}: {'stored' if stored else ''} {errors[:1]}")
        if c.expect == "error":
            assert errors, f"{c.name}: expected an error line naming it\n{err[-3000:]}"
        if c.expect == "ok":
            assert stored, f"{c.name}: not stored; errors {errors}"
        if c.expect == "either":
            assert stored or errors, f"{c.name}: neither stored nor reported"
        if c.title:
            assert any(c.title in (a["title"] or "") for a in stored), (c.name, [a["title"] for a in stored])
    # Containers keep their good records next to the bad ones.
    for name, n in (("broken_middle.jsonl", 2), ("truncated.warc", 1), ("bomb.warc.gz", 1), ("feed_2k.rss", 2000)):
        assert sum(1 for s, rows in by_source.items() if s.startswith(f"{src}/{name}#") for _ in rows) == n, name
    print("\n".join(report))


# -- focused reader tests -----------------------------------------------------------------------------------------


def _items(data: bytes, name: str) -> list[RawDocument | InputError]:
    return list(read_bytes(data, name))


def test_readers_json_number_and_nesting_limits_are_input_errors() -> None:
    cases = {
        "a.jsonl": b'{"maintext": "x", "n": ' + b"1" * 5000 + b"}\n",
        "b.jsonl": b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"\n",
        "c.json": b"[" * 5000 + b"]" * 5000,
        "d": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    }
    for name, data in cases.items():
        items = _items(data, name)
        assert items and all(isinstance(x, (InputError, RawDocument)) for x in items), name
    (err,) = _items(cases["a.jsonl"], "a.jsonl")
    assert isinstance(err, InputError) and err.reason == "invalid JSON (number too long at column 1)"
    (err,) = _items(cases["c.json"], "c.json")
    assert isinstance(err, InputError) and err.reason.startswith("invalid JSON (nested too deeply")


def test_readers_lone_surrogates_become_replacement_characters() -> None:
    rec = {"title": "T \ud800", "maintext": "Du texte \udfff ici.", "authors": ["\ud83d"], "tags": ["ok"]}
    (doc,) = _items(json.dumps(rec).encode() + b"\n", "s.jsonl")
    assert isinstance(doc, RawDocument)
    assert doc.content == "Du texte \ufffd ici." and doc.meta["title"] == "T \ufffd"
    assert doc.meta["authors"] == ["\ufffd"]
    json.dumps(doc.meta, ensure_ascii=False).encode("utf-8")
    assert len(doc.id) == 16


def test_readers_undecodable_file_name_is_escaped(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(raw, "wb") as f:
        f.write("Un article en français.".encode())
    for path in (str(tmp_path), os.fsdecode(raw)):
        (doc,) = list(iter_documents([path]))
        assert isinstance(doc, RawDocument)
        assert doc.source == f"{tmp_path}/caf\\xe9.txt"
        doc.source.encode("utf-8")
    (err,) = list(iter_documents([os.fsdecode(os.path.join(os.fsencode(tmp_path), b"gone\xff"))]))
    assert isinstance(err, InputError) and err.source.endswith("gone\\xff") and "no such file" in err.reason


@pytest.mark.parametrize("label", ["hex", "rot13", "base64", "zlib", "utf-16", "utf-32le", "utf-7", "nonsense"])
def test_readers_declared_charset_that_is_no_text_encoding_is_ignored(label: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body><p>Un été à Besançon, +AGEAYQ-.</p></body></html>'
    (doc,) = _items(page.encode("cp1252"), "p.html")
    assert isinstance(doc, RawDocument)
    assert "Un été à Besançon, +AGEAYQ-." in doc.content


def test_readers_mostly_utf8_with_a_few_bad_bytes_stays_utf8() -> None:
    text = "Élysée : la réforme des retraites présentée en février, déjà contestée. "
    (doc,) = _items(text.encode() + b"\xe9\xff" + text.encode(), "a.txt")
    assert isinstance(doc, RawDocument)
    assert doc.content.count("Élysée") == 2 and doc.content.count("\ufffd") == 2
    # Genuine cp1252 stays cp1252, even with one UTF-8 sequence pasted in.
    (doc,) = _items(text.encode("cp1252") * 3 + "œ".encode(), "b.txt")
    assert isinstance(doc, RawDocument) and doc.content.startswith("Élysée")


def test_readers_gzip_of_one_article_stops_at_the_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(z.compress(b"mot " * MB) for _ in range(40)) + z.flush()  # 160 MB of text
    real = tempfile.SpooledTemporaryFile
    written: list[int] = []

    class Counting:
        def __init__(self, *a: object, **k: object) -> None:
            self.f = real(*a, **k)  # type: ignore[call-overload]

        def write(self, b: bytes) -> int:
            written.append(len(b))
            return int(self.f.write(b))

        def __getattr__(self, name: str) -> object:
            return getattr(self.f, name)

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *a: object) -> None:
            self.f.close()

    monkeypatch.setattr(readers.tempfile, "SpooledTemporaryFile", Counting)
    (err,) = _items(bomb, "bomb.txt.gz")
    assert isinstance(err, InputError) and err.reason == "gzip expands beyond 20 MB limit (gzip bomb?)"
    # Bounded work, not a stopwatch: it stopped one chunk past the cap, never near the 160 MB inside.
    assert sum(written) <= 21 * MB
    monkeypatch.undo()
    # A container (JSONL) inside gzip keeps the container limit and is still read.
    recs = b"".join(json.dumps({"maintext": f"Article {i} " * 50}).encode() + b"\n" for i in range(3))
    assert len([x for x in _items(gzip.compress(recs), "r.jsonl.gz") if isinstance(x, RawDocument)]) == 3


def test_readers_file_vanishing_between_listing_and_reading_is_reported(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"Article {name}, un texte.", encoding="utf-8")
    out = []
    for item in iter_documents([str(tmp_path)]):
        out.append(item)
        if len(out) == 1:
            (tmp_path / "b.txt").unlink()
    assert [(Path(x.source).name, isinstance(x, InputError)) for x in out] == [
        ("a.txt", False), ("b.txt", True), ("c.txt", False)]
    assert isinstance(out[1], InputError) and out[1].reason == "no such file or directory"


class _FailingFile(io.BytesIO):
    """A file whose read calls raise EIO after the first ``reads`` ones, like a disk or network share going away."""

    def __init__(self, data: bytes, reads: int, fd: int) -> None:
        super().__init__(data)
        self.reads = reads
        self.fd = fd

    def _check(self) -> None:
        self.reads -= 1
        if self.reads < 0:
            raise OSError(5, "Input/output error")

    def read(self, n: int | None = -1, /) -> bytes:
        self._check()
        return super().read(n)

    def readline(self, n: int | None = -1, /) -> bytes:
        self._check()
        return super().readline(n)

    def fileno(self) -> int:
        return self.fd


@pytest.mark.parametrize(("name", "reads"), [("feed.jsonl", 1000), ("page.txt", 1), ("w.warc", 4)])
def test_readers_file_failing_mid_read_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    name: str, reads: int) -> None:
    if name.endswith(".jsonl"):
        data = b"".join(json.dumps({"maintext": f"Texte {i} " * 20}).encode() + b"\n" for i in range(2000))
    elif name.endswith(".warc"):
        data = b"".join(warc_record(f"https://w.fr/{i}", html_page(str(i)).encode()) for i in range(200))
    else:
        data = ("Un texte. " * 20000).encode()
    path = tmp_path / name
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        monkeypatch.setattr(readers, "open", lambda p, mode="rb": _FailingFile(data, reads, fd),
                            raising=False)
        items = list(iter_documents([str(path)]))
    finally:
        os.close(fd)
    errors = [x for x in items if isinstance(x, InputError)]
    assert len(errors) == 1 and errors[0].source == str(path), errors
    assert errors[0].reason == "input/output error"
    if name != "page.txt":
        assert len(items) > 10  # the records read before the failure are kept


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can drop privileges")
def test_readers_unreadable_file_as_unprivileged_user() -> None:
    # pytest's tmp_path lives in a root-only folder: use one the unprivileged user can reach.
    d = Path(tempfile.mkdtemp(prefix="vigie-perm-"))
    try:
        d.chmod(0o755)
        (d / "a.txt").write_text("Un article lisible.", encoding="utf-8")
        (d / "b.txt").write_text("Un article illisible.", encoding="utf-8")
        (d / "b.txt").chmod(0)
        (d / "sub").mkdir(mode=0o700)
        (d / "sub" / "c.txt").write_text("Caché.", encoding="utf-8")
        # Fork (vigie is already imported: the interpreter may live where the unprivileged user cannot read), drop
        # privileges in the child and read there.
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.close(rfd)
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                lines = [f"{x.source} {getattr(x, 'reason', 'ok')}" for x in iter_documents([str(d)])]
                os.write(wfd, "\n".join(lines).encode())
            finally:
                os._exit(0)
        os.close(wfd)
        with os.fdopen(rfd, "rb") as r:
            got = r.read().decode().splitlines()
        os.waitpid(pid, 0)
        assert got == [f"{d}/a.txt ok", f"{d}/b.txt permission denied", f"{d}/sub permission denied"]
    finally:
        shutil.rmtree(d)


@pytest.mark.slow
def test_readers_feed_with_many_entries_is_read_entry_by_entry() -> None:
    n = 10_000
    items = list(read_bytes(_feed(n).encode(), "big.rss"))
    assert len(items) == n and all(isinstance(x, RawDocument) for x in items)
    # One document per entry, each named by its entry (no wall-clock bound: a busy machine is no regression).
    assert len({x.source for x in items}) == n


def test_readers_every_item_is_storable_text(tmp_path: Path) -> None:
    """Sources, contents and metadata always encode as UTF-8 (SQLite and the terminal refuse lone surrogates)."""
    made = make_small_inputs(tmp_path)
    for item in iter_documents([str(made)]):
        item.source.encode("utf-8")
        if isinstance(item, RawDocument):
            item.content.encode("utf-8")
            json.dumps(item.meta, ensure_ascii=False).encode("utf-8")
        else:
            str(item).encode("utf-8")


def make_small_inputs(d: Path) -> Path:
    out = d / "small"
    out.mkdir()
    (out / "s.jsonl").write_text(json.dumps({"maintext": "a \ud800", "title": "\udc80"}) + "\n", encoding="utf-8")
    (out / "f.rss").write_text('<rss version="2.0"><channel><title>t</title><item><title>&#xD800; x</title>'
                               "<link>https://a.fr/&#xD800;</link><description>Un texte &#55296; ici."
                               "</description></item></channel></rss>", encoding="utf-8")
    with open(os.path.join(os.fsencode(out), b"n\xff.txt"), "wb") as f:
        f.write(b"Un texte.")
    return out


def _all(items: Iterator[RawDocument | InputError]) -> list[RawDocument | InputError]:
    return list(items)


def test_readers_stdin_lone_surrogate_record() -> None:
    stream = io.BytesIO(b'{"maintext": "x \\ud800 y"}\n')
    (doc,) = _all(iter_documents(["-"], ReadOptions(), stdin=stream))
    assert isinstance(doc, RawDocument) and doc.content == "x \ufffd y"
