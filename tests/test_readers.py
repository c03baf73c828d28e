"""Ingest readers on generated inputs: every format, every encoding, every way a file can fail."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vigie.errors import InputError
from vigie.extract.readers import ReadOptions, decode_bytes, iter_documents, read_bytes
from vigie.models import RawDocument

FR = "L’été à Paris : « œuvre » déjà vue, 5 €."
FR_LATIN = "L'été à Paris : « élève » déjà vu, ça coûte 5 francs."


def read(*paths: Path | str, **kw: object) -> list[RawDocument | InputError]:
    return list(iter_documents([str(p) for p in paths], **kw))  # type: ignore[arg-type]


def docs(items: list[RawDocument | InputError]) -> list[RawDocument]:
    return [x for x in items if isinstance(x, RawDocument)]


def errors(items: list[RawDocument | InputError]) -> list[InputError]:
    return [x for x in items if isinstance(x, InputError)]


def only_error(items: list[RawDocument | InputError]) -> InputError:
    assert len(items) == 1 and isinstance(items[0], InputError), items
    return items[0]


# -- plain text and encodings -------------------------------------------------------------------------------------


def test_readers_seeds_are_text(seeds_dir: Path, seed_texts: dict[str, str]) -> None:
    items = read(seeds_dir)
    assert [Path(d.source).name for d in docs(items)] == sorted(seed_texts)
    assert all(d.format == "text" and d.meta == {} for d in docs(items))
    assert docs(items)[0].content == seed_texts[sorted(seed_texts)[0]].replace("\r\n", "\n")


def test_readers_bom_crlf_text_is_normalised(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfTitre de l'article\r\nPremier paragraphe.\r\n\r\nSecond.\rFin\r\n")
    [d] = read(p)
    assert isinstance(d, RawDocument)
    assert d.content == "Titre de l'article\nPremier paragraphe.\n\nSecond.\nFin\n"
    assert d.source == str(p) and d.format == "text"


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("cp1252", FR), ("latin-1", FR_LATIN), ("utf-16", FR), ("utf-16-be", FR), ("utf-8-sig", FR), ("utf-8", FR)],
)
def test_readers_decodes_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    p = tmp_path / "a.txt"
    p.write_bytes(data)
    [d] = read(p)
    assert isinstance(d, RawDocument) and d.content == text


def test_readers_latin1_with_c1_bytes_falls_back_to_latin1() -> None:
    # 0x81 is undefined in cp1252, so the file can only be latin-1
    assert decode_bytes("é\x81".encode("latin-1") + b" abc", "x") == "é\x81 abc"


def test_readers_html_meta_charset_is_honoured() -> None:
    html = '<html><head><meta charset="iso-8859-15"></head><body><p>Prix : 5 €</p></body></html>'
    [d] = read_bytes(html.encode("iso-8859-15"), "page.html")
    assert isinstance(d, RawDocument) and "5 €" in d.content


def test_readers_cyrillic_cp1251_uses_charset_detection() -> None:
    text = "Министр иностранных дел заявил, что переговоры продолжатся на следующей неделе в Женеве."
    assert decode_bytes(text.encode("cp1251"), "x") == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n ", "empty file"),
        (b"\xef\xbb\xbf\n", "empty file"),
        (b"\x00\x01\x02\x03binary\x00\xff\xfe" * 10, "binary file (not text)"),
        (bytes(range(1, 9)) * 100 + b"abc", "binary file (not text)"),
        (b"%PDF-1.7\n...", "unsupported file type: PDF"),
        (b"\x89PNG\r\n\x1a\n....", "unsupported file type: PNG image"),
        (b"\xef\xbb\xbf\xff\xfe invalid", "cannot decode as text"),
    ],
)
def test_readers_bad_files_are_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    err = only_error(read(p))
    assert err.source == str(p) and err.reason == reason


def test_readers_large_file_is_rejected_quickly(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    with p.open("wb") as f:
        f.write(b"Un titre\n\nDu texte.\n")
        f.truncate(52 * 1024 * 1024 + 400 * 1024)  # sparse: no 52 MB written
    err = only_error(read(p))
    assert err.reason == "file too large (52.4 MB > 20 MB limit)"
    ok = tmp_path / "ok.txt"
    ok.write_text("petit texte")
    assert len(docs(read(ok, options=ReadOptions(max_file_bytes=100)))) == 1
    assert only_error(read(ok, options=ReadOptions(max_file_bytes=5))).reason.startswith("file too large")


def test_readers_options_are_checked() -> None:
    with pytest.raises(ValueError, match="max_file_bytes must be a positive"):
        ReadOptions(max_file_bytes=0)


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_readers_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    for item in read_bytes(data, "fuzz"):
        assert isinstance(item, RawDocument | InputError)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_readers_utf8_text_round_trips(text: str) -> None:
    assume("\x00" not in text)  # NULs make two bytes look like UTF-16 without BOM, which is decoded as such
    items = list(read_bytes(text.encode("utf-8"), "fuzz.txt"))
    assert len(items) >= 1  # a text that looks like JSON may hold several records
    if len(items) == 1 and isinstance(items[0], RawDocument) and items[0].format == "text":
        assert items[0].content == text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# -- HTML ---------------------------------------------------------------------------------------------------------


def test_readers_html_by_extension_and_content(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>Un paragraphe.</p>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("<!DOCTYPE html><html><body><p>Menteur</p></body></html>", encoding="utf-8")
    (tmp_path / "c").write_text("\n  <html lang='fr'><p>Sans extension</p></html>", encoding="utf-8")
    (tmp_path / "d.html").write_text("Juste du texte, pas de balise.", encoding="utf-8")
    formats = [(Path(d.source).name, d.format) for d in docs(read(tmp_path))]
    assert formats == [("a.html", "html"), ("b.txt", "html"), ("c", "html"), ("d.html", "text")]
    assert all(d.meta == {} for d in docs(read(tmp_path)))


# -- JSON and JSONL -----------------------------------------------------------------------------------------------

NEWS_PLEASE = {
    "authors": ["Marie Dupont", "Jean Martin"],
    "date_download": "2021-10-20 08:00:00",
    "date_modify": None,
    "date_publish": "2021-10-19 17:42:00",
    "description": "Le chapeau de l'article.",
    "filename": "x.json",
    "image_url": "https://example.fr/i.jpg",
    "language": "fr",
    "localpath": None,
    "maintext": "Premier paragraphe.\n\nSecond paragraphe.",
    "source_domain": "www.example.fr",
    "title": "Un titre",
    "title_page": None,
    "title_rss": None,
    "url": "https://www.example.fr/a",
}
NEWS_PLEASE_META = {
    "title": "Un titre",
    "url": "https://www.example.fr/a",
    "published": "2021-10-19T17:42:00",
    "outlet": "www.example.fr",
    "authors": ["Marie Dupont", "Jean Martin"],
    "language": "fr",
    "standfirst": "Le chapeau de l'article.",
}


def test_readers_news_please_record_meta(tmp_path: Path) -> None:
    p = tmp_path / "np.json"
    p.write_text(json.dumps(NEWS_PLEASE), encoding="utf-8")
    [d] = read(p)
    assert isinstance(d, RawDocument)
    assert d.source == str(p) and d.format == "text"
    assert d.content == NEWS_PLEASE["maintext"]
    assert d.meta == NEWS_PLEASE_META


def test_readers_jsonl_broken_line_is_reported_and_batch_goes_on(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"title": "Un", "text": "Corps un", "tags": "politique, europe", "date_publish": "2021-10-19"}),
        '{"title": "Deux", "text": "cassé',
        "",
        json.dumps({"title": "Trois", "html": "<p>Corps trois</p>", "keywords": ["a", "b"], "language": "fr-FR"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Sans texte"}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(p, tmp_path / "missing.txt")
    assert [(x.source, type(x).__name__) for x in items] == [
        (f"{p}#L1", "RawDocument"),
        (f"{p}#L2", "InputError"),
        (f"{p}#L4", "RawDocument"),
        (f"{p}#L5", "InputError"),
        (f"{p}#L6", "InputError"),
        (str(tmp_path / "missing.txt"), "InputError"),
    ]
    one, three = docs(items)
    assert one.meta == {"title": "Un", "tags": ["politique", "europe"], "published": "2021-10-19"}
    assert (three.format, three.content) == ("html", "<p>Corps trois</p>")
    assert three.meta == {"title": "Trois", "tags": ["a", "b"], "language": "fr"}
    assert errors(items)[0].reason.startswith("invalid JSON (Unterminated string")
    assert errors(items)[1].reason == "expected a JSON object, got list"
    assert errors(items)[2].reason.startswith("no article text")


def test_readers_json_list_and_pretty_object(tmp_path: Path) -> None:
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps([NEWS_PLEASE, {"body": "Deux"}], indent=2), encoding="utf-8")
    obj = tmp_path / "obj"
    obj.write_text(json.dumps(NEWS_PLEASE, indent=2), encoding="utf-8")
    items = read(lst, obj)
    assert [d.source for d in docs(items)] == [f"{lst}#0", f"{lst}#1", str(obj)]
    assert docs(items)[2].meta == NEWS_PLEASE_META


def test_readers_jsonl_record_too_large(tmp_path: Path) -> None:
    p = tmp_path / "a.ndjson"
    p.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "petit"}) + "\n", encoding="utf-8")
    items = read(p, options=ReadOptions(max_record_bytes=100))
    assert isinstance(items[0], InputError) and items[0].source == f"{p}#L1"
    assert items[0].reason.startswith("record too large")
    assert isinstance(items[1], RawDocument) and items[1].content == "petit"


def test_readers_invalid_json_file(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text('[{"text": 1,', encoding="utf-8")
    assert only_error(read(p)).reason.startswith("invalid JSON")
    t = tmp_path / "a.txt"
    t.write_text("[Mise à jour] Le texte commence par un crochet.", encoding="utf-8")
    assert docs(read(t))[0].format == "text"


# -- WARC ---------------------------------------------------------------------------------------------------------


def write_warc(path: Path, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        w = WARCWriter(f, gzip=gz)
        pages = [
            ("https://ex.fr/a", "200 OK", "text/html; charset=utf-8", "<html><p>Article A é</p></html>".encode()),
            ("https://ex.fr/img.png", "200 OK", "image/png", b"\x89PNG...."),
            ("https://ex.fr/gone", "404 Not Found", "text/html", b"<p>not found</p>"),
            ("https://ex.fr/b", "200 OK", "text/html; charset=iso-8859-1", "<p>Article B é</p>".encode("latin-1")),
        ]
        for uri, status, ctype, body in pages:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http)
            w.write_record(rec)
        w.write_record(
            w.create_warc_record("https://ex.fr/a", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
        )


@pytest.mark.parametrize("gz", [False, True])
def test_readers_warc_html_responses(tmp_path: Path, gz: bool) -> None:
    p = tmp_path / ("a.warc.gz" if gz else "a.warc")
    write_warc(p, gz)
    items = read(p)
    assert [(d.source, d.format, d.content, d.meta) for d in docs(items)] == [
        (f"{p}#https://ex.fr/a", "html", "<html><p>Article A é</p></html>", {"url": "https://ex.fr/a"}),
        (f"{p}#https://ex.fr/b", "html", "<p>Article B é</p>", {"url": "https://ex.fr/b"}),
    ]
    assert errors(items) == []


def test_readers_warc_sniffed_without_extension(tmp_path: Path) -> None:
    p = tmp_path / "crawl.bin.data"
    write_warc(p, gz=True)
    assert len(docs(read(p))) == 2


def test_readers_truncated_warc_gz_keeps_earlier_records(tmp_path: Path) -> None:
    p = tmp_path / "a.warc.gz"
    write_warc(p, gz=True)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - 150])
    items = read(p)
    assert len(docs(items)) >= 1
    err = errors(items)[-1]
    assert err.source == str(p)
    assert err.reason == "truncated gzip" or err.reason.startswith("corrupt WARC")


def test_readers_corrupt_warc(tmp_path: Path) -> None:
    p = tmp_path / "a.warc"
    p.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: notanumber\r\n\r\ngarbage")
    err = only_error(read(p))
    assert err.reason.startswith("corrupt WARC")


# -- RSS / Atom ---------------------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Le Quotidien</title><link>https://q.fr</link><language>fr-fr</language>
<item><title>Premier titre</title><link>https://q.fr/1</link>
<pubDate>Tue, 19 Oct 2021 17:42:00 +0200</pubDate><dc:creator>Marie Dupont</dc:creator>
<category>Politique</category><category>Europe</category>
<description>Le chapeau.</description>
<content:encoded><![CDATA[<p>Premier paragraphe.</p><p>Second.</p>]]></content:encoded></item>
<item><title>Second titre</title><link>https://q.fr/2</link><pubDate>hier soir</pubDate>
<description>Résumé seul, sans balise.</description></item>
<item><title>Vide</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Média</title>
<entry><title>Entrée atom</title><link href="https://a.fr/e1"/><id>urn:1</id>
<published>2021-10-19T17:42:00+02:00</published><updated>2021-10-20T08:00:00Z</updated>
<author><name>Jean Martin</name></author><category term="climat"/>
<content type="html">&lt;p&gt;Texte atom.&lt;/p&gt;</content></entry>
</feed>"""


def test_readers_rss_entries_meta(tmp_path: Path) -> None:
    p = tmp_path / "feed.rss"
    p.write_text(RSS, encoding="utf-8")
    items = read(p)
    first, second = docs(items)
    assert first.source == f"{p}#https://q.fr/1" and first.format == "html"
    assert first.content == "<p>Premier paragraphe.</p><p>Second.</p>"
    assert first.meta == {
        "title": "Premier titre",
        "url": "https://q.fr/1",
        "published": "2021-10-19T17:42:00+02:00",
        "outlet": "Le Quotidien",
        "authors": ["Marie Dupont"],
        "language": "fr",
        "tags": ["Politique", "Europe"],
        "standfirst": "Le chapeau.",
    }
    assert (second.format, second.content) == ("text", "Résumé seul, sans balise.")
    assert second.meta["published"] == "hier soir"  # unparseable: kept as given, never invented
    [err] = errors(items)
    assert (err.source, err.reason) == (f"{p}#2", "feed entry has no text")


def test_readers_atom_sniffed_from_xml(tmp_path: Path) -> None:
    p = tmp_path / "feed.xml"
    p.write_text(ATOM, encoding="utf-8")
    [d] = read(p)
    assert isinstance(d, RawDocument)
    assert d.source == f"{p}#https://a.fr/e1"
    assert (d.format, d.content) == ("html", "<p>Texte atom.</p>")
    assert d.meta == {
        "title": "Entrée atom",
        "url": "https://a.fr/e1",
        "published": "2021-10-19T17:42:00+02:00",
        "outlet": "Atom Média",
        "authors": ["Jean Martin"],
        "tags": ["climat"],
    }


def test_readers_billion_laughs_is_rejected(tmp_path: Path) -> None:
    ents = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{ents}]>'
    bomb += "<rss><channel><title>x</title><item><title>&lol9;</title><description>&lol9;</description></item>"
    bomb += "</channel></rss>"
    p = tmp_path / "bomb.rss"
    p.write_text(bomb, encoding="utf-8")
    q = tmp_path / "bomb.html"  # extension lies: still refused
    q.write_text(bomb, encoding="utf-8")
    for path in (p, q):
        err = only_error(read(path))
        assert (err.source, err.reason) == (str(path), "XML entity declarations are not allowed")


# -- gzip ---------------------------------------------------------------------------------------------------------


def test_readers_gzip_single_file_is_sniffed_inside(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(FR.encode("cp1252")))
    (tmp_path / "b.gz").write_bytes(gzip.compress(RSS.encode()))
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress((json.dumps({"text": "x"}) + "\n").encode()))
    items = read(tmp_path)
    assert [(d.source.removeprefix(f"{tmp_path}/"), d.format) for d in docs(items)] == [
        ("a.txt.gz", "text"),
        ("b.gz#https://q.fr/1", "html"),
        ("b.gz#https://q.fr/2", "text"),
        ("c.jsonl.gz#L1", "text"),
    ]
    assert docs(items)[0].content == FR


def test_readers_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    data = gzip.compress(("Un long texte. " * 2000).encode())
    (tmp_path / "a.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "b.gz").write_bytes(data[:10] + b"\xff" * 50)
    (tmp_path / "c.txt").write_text("après", encoding="utf-8")
    items = read(tmp_path)
    assert [(Path(x.source).name, x.reason if isinstance(x, InputError) else "ok") for x in items] == [
        ("a.gz", "truncated gzip"),
        ("b.gz", "corrupt gzip (Error -3 while decompressing data: invalid block type)"),
        ("c.txt", "ok"),
    ]


def test_readers_gzip_bomb_is_capped(tmp_path: Path) -> None:
    p = tmp_path / "bomb.gz"
    p.write_bytes(gzip.compress(b"a" * (5 * 1024 * 1024)))
    err = only_error(read(p, options=ReadOptions(max_container_bytes=1024 * 1024)))
    assert err.reason == "gzip expands beyond 1 MB limit (gzip bomb?)"


# -- folders, links, permissions, stdin ---------------------------------------------------------------------------


def test_readers_folder_order_is_sorted_and_skips_hidden_and_images(tmp_path: Path) -> None:
    for rel in ["b/2.txt", "b/10.txt", "a.txt", "c/d/e.txt", ".hidden/x.txt", "b/.secret.txt", "photo.jpg", "z.pdf"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"%PDF-1.4" if rel.endswith(".pdf") else rel.encode())
    items = read(tmp_path)
    assert [os.path.relpath(x.source, tmp_path) for x in items] == [
        "a.txt",
        "b/10.txt",
        "b/2.txt",
        "c/d/e.txt",
        "z.pdf",
    ]
    assert only_error(items[-1:]).reason == "unsupported file type: PDF"


def test_readers_explicit_image_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "photo.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    assert only_error(read(p)).reason == "unsupported file type: JPEG image"


def test_readers_symlink_loop_and_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # folder cycle
    (tmp_path / "z.txt").write_text("fin", encoding="utf-8")
    items = read(tmp_path)
    assert [(Path(x.source).name, getattr(x, "reason", "ok")) for x in items] == [
        ("dangling", "no such file or directory"),
        ("loop1", "too many levels of symbolic links"),
        ("loop2", "too many levels of symbolic links"),
        ("z.txt", "ok"),
    ]


def test_readers_symlinks_not_followed_when_disabled(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("vrai", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    opts = ReadOptions(follow_symlinks=False)
    assert [Path(d.source).name for d in docs(read(tmp_path, options=opts))] == ["real.txt"]
    assert only_error(read(tmp_path / "link.txt", options=opts)).reason.startswith("symbolic link not followed")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_readers_unreadable_file_and_folder(tmp_path: Path) -> None:
    f = tmp_path / "secret.txt"
    f.write_text("x", encoding="utf-8")
    f.chmod(0)
    d = tmp_path / "locked"
    d.mkdir()
    (d / "in.txt").write_text("x", encoding="utf-8")
    d.chmod(0)
    try:
        items = read(tmp_path)
        assert [(Path(x.source).name, getattr(x, "reason", "ok")) for x in items] == [
            ("locked", "permission denied"),
            ("secret.txt", "permission denied"),
        ]
    finally:
        d.chmod(0o755)
        f.chmod(0o644)


def test_readers_stdin_is_sniffed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("fichier", encoding="utf-8")
    stdin = io.BytesIO(b"\xef\xbb\xbf" + RSS.encode())
    items = read(tmp_path / "a.txt", "-", stdin=stdin)
    assert [x.source for x in items] == [str(tmp_path / "a.txt"), "-#https://q.fr/1", "-#https://q.fr/2", "-#2"]
    [d] = read("-", stdin=io.BytesIO("Texte depuis l'entrée standard".encode("cp1252")))
    assert isinstance(d, RawDocument) and d.source == "-" and d.content == "Texte depuis l'entrée standard"


def test_readers_ids_are_stable(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(FR.encode("cp1252"))
    q = tmp_path / "b.txt"
    q.write_bytes(FR.encode("utf-8"))
    a, b = docs(read(p, q))
    assert a.id == b.id  # same article whatever its encoding


def test_readers_shared_rpm2_documents(shared_data: Path) -> None:
    folder = shared_data / "rpm2-dev" / "documents"
    items = read(folder)
    assert errors(items) == []
    first = docs(items)[0]
    assert first.format == "text" and not first.content.startswith("\ufeff") and "\r" not in first.content


def test_readers_empty_json_list_is_an_error_naming_the_file() -> None:
    items = list(read_bytes(b"[]", "vide.json"))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert "vide.json" in str(items[0]) and "no records" in str(items[0])
