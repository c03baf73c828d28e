"""Ingest stage: turn files, folders and stdin into RawDocuments, one InputError per input that fails.

Formats are sniffed from the content first and the file name second (content wins when the extension lies):
plain text, HTML, JSON / JSONL (news-please field names), WARC (.warc / .warc.gz), RSS / Atom / RDF feeds and
gzip-compressed single files. Nothing here raises for bad input: every failure becomes an ``InputError`` in the
stream, so a batch always runs to the end.

Folder policy: folders are walked recursively in sorted name order; hidden files and folders (``.name``) are
skipped, and so are files whose extension marks an obvious non-article (images, audio, video, archives, fonts,
executables), logged at debug level. Everything else is read and reported, so a PDF inside a folder yields
``InputError(..., "unsupported file type: PDF")`` rather than silence. Files named explicitly are always read.

One module, over 600 lines: every format shares the size caps, the encoding detection and the error
shape, and each reader is a few dozen lines that only make sense beside the others.
"""

from __future__ import annotations

import calendar
import codecs
import email.utils
import io
import json
import logging
import os
import re
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, Literal, cast

from vigie.errors import InputError
from vigie.models import Format, RawDocument

log = logging.getLogger(__name__)

_MB = 1024 * 1024
_HEAD = 64 * 1024
_MAX_GZIP_DEPTH = 2

Kind = Literal["text", "html", "feed", "json", "warc", "gzip"]


@dataclass(slots=True)
class ReadOptions:
    """Limits and switches of the ingest stage.

    Attributes:
        max_file_bytes: largest single-article file (text or HTML) read.
        max_record_bytes: largest JSONL line, WARC record or feed entry read.
        max_feed_bytes: largest RSS/Atom feed, file or decompressed ``.gz`` (parsed in one piece, and slowly).
        max_json_bytes: largest JSON document parsed in one piece (a list or object, not JSON Lines).
        max_container_bytes: largest standard input, and what a gzip of a streamed kind (JSONL, WARC) may
            decompress to. A gzip stops at the cap of the kind its first bytes show (a text, HTML page, feed or
            JSON document), so a small bomb never expands to more than its kind allows. WARC and JSONL files are
            streamed, so they have no overall limit.
        follow_symlinks: read symbolic links; when false they are skipped inside folders and reported when named.
        skip_hidden: skip files and folders whose name starts with a dot while walking folders.
    """

    max_file_bytes: int = 20 * _MB
    max_record_bytes: int = 20 * _MB
    max_feed_bytes: int = 8 * _MB
    max_json_bytes: int = 64 * _MB
    max_container_bytes: int = 512 * _MB
    follow_symlinks: bool = True
    skip_hidden: bool = True

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_record_bytes", "max_feed_bytes", "max_json_bytes", "max_container_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"ReadOptions.{name} must be a positive number of bytes, got {getattr(self, name)}")


# -- public API ---------------------------------------------------------------------------------------------------


def iter_documents(
    paths: Iterable[str], options: ReadOptions | None = None, stdin: BinaryIO | None = None
) -> Iterator[RawDocument | InputError]:
    """Yield every article found under the given paths, or an InputError for each input that fails; never raise for bad input.

    Args:
        paths: files, folders (walked recursively, sorted) or ``-`` for standard input.
        options: limits; defaults to ``ReadOptions()``.
        stdin: binary stream read for ``-``; defaults to ``sys.stdin.buffer``.

    Returns:
        An iterator mixing documents and errors, in a deterministic order.

    Example:
        >>> for item in iter_documents(["examples/seeds"]):  # doctest: +SKIP
        ...     print(item.source if isinstance(item, RawDocument) else item)
    """
    opts = options or ReadOptions()
    for entry in iter_files(paths, opts):
        if isinstance(entry, InputError):
            items: Iterator[RawDocument | InputError] = iter((entry,))
        elif entry == "-":
            items = _read_stdin(stdin if stdin is not None else sys.stdin.buffer, opts)
        else:
            items = _read_path(entry, opts)
        for item in items:
            yield _sanitise(item)


def iter_files(paths: Iterable[str], options: ReadOptions | None = None) -> Iterator[str | InputError]:
    """Every input under ``paths`` that :func:`iter_documents` reads, in its order; ``-`` passes through.

    Folders are expanded (sorted; hidden and non-article files skipped; symlink loops cut); anything else is yielded
    as is, so reading it reports its own error ("no such file", "not a regular file"). A folder that cannot be
    listed becomes an InputError. Engines that ship files to workers or poll them for changes list them here.
    """
    opts = options or ReadOptions()
    for path in paths:
        if path == "-":
            yield path
        else:
            yield from _list(path, opts, explicit=True, seen_dirs=set())


def _list(path: str, opts: ReadOptions, explicit: bool, seen_dirs: set[tuple[int, int]]) -> Iterator[str | InputError]:
    try:
        if not opts.follow_symlinks and stat.S_ISLNK(os.lstat(path).st_mode):
            if explicit:
                yield path  # the reader reports a named link it may not follow
            else:
                log.debug("skipping symbolic link %s", path)
            return
        st = os.stat(path)
    except OSError:
        yield path  # the reader names the failure
        return
    if not stat.S_ISDIR(st.st_mode):
        yield path
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:  # a symlink back to an ancestor: listing it again would loop forever
        log.debug("skipping already visited folder %s", path)
        return
    seen_dirs.add(key)
    try:
        names = sorted(os.listdir(path))
    except OSError as err:
        yield InputError(path, _os_reason(err))
        return
    for name in names:
        if opts.skip_hidden and name.startswith("."):
            continue
        child = os.path.join(path, name)
        ext = _extension(name)
        if ext in _SKIP_EXTENSIONS or (ext == "gz" and _extension(name[:-3]) == "tar"):
            log.debug("skipping non-article file %s", child)
            continue
        yield from _list(child, opts, explicit=False, seen_dirs=seen_dirs)


def read_bytes(data: bytes, source: str, options: ReadOptions | None = None) -> Iterator[RawDocument | InputError]:
    """Yield the articles held in ``data``, sniffing the format from ``source``'s name and the content.

    Example:
        >>> [d.format for d in read_bytes(b"<!doctype html><p>Bonjour</p>", "page")]
        ['html']
    """
    opts = options or ReadOptions()
    for item in _read_stream(io.BytesIO(data), source, source, len(data), opts, depth=0):
        yield _sanitise(item)


def decode_bytes(data: bytes, source: str) -> str:
    """Decode text of unknown encoding, without BOM and with ``\\n`` newlines.

    Order: BOM, UTF-8 (strict, then with a few corrupt bytes replaced by U+FFFD), a charset declared by ``<meta charset>`` or ``<?xml encoding>``, then cp1252 /
    latin-1 (charset-normalizer only when the text is clearly not Western European).

    Raises:
        InputError: "empty file", "binary file (not text)" or "cannot decode as text".
    """
    if not data.strip():
        raise InputError(source, "empty file")
    text = _decode(data, source)
    if not text.strip():
        raise InputError(source, "empty file")
    return _normalise(text)


# -- sanitising ---------------------------------------------------------------------------------------------------

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")


def _label(source: str) -> str:
    """A file name that is not valid UTF-8 (undecodable bytes arrive as surrogates) as printable, storable text."""
    if not _SURROGATE_RE.search(source):
        return source
    source = _ESCAPED_BYTE_RE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}", source)
    return _SURROGATE_RE.sub("\ufffd", source)


def _unsurrogate(value: Any) -> Any:
    """Lone surrogates (JSON ``"\\ud800"``, numeric character references) become U+FFFD: they cannot be encoded."""
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value) if _SURROGATE_RE.search(value) else value
    if isinstance(value, list):
        return [_unsurrogate(v) for v in value]
    if isinstance(value, dict):
        return {_unsurrogate(k): _unsurrogate(v) for k, v in value.items()}
    return value


def _sanitise(item: RawDocument | InputError) -> RawDocument | InputError:
    """Make every string of an item encodable as UTF-8, so storing or printing it cannot fail."""
    if isinstance(item, InputError):
        source, reason = _label(item.source), _unsurrogate(item.reason)
        return item if (source, reason) == (item.source, item.reason) else InputError(source, reason)
    item.source = _label(item.source)
    item.content = _unsurrogate(item.content)
    item.meta = _unsurrogate(item.meta)
    return item


# -- files, folders and stdin -------------------------------------------------------------------------------------

_SKIP_EXTENSIONS = frozenset(
    {
        *("png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "ico", "svg", "heic", "avif", "psd"),
        *("mp3", "mp4", "m4a", "m4v", "wav", "ogg", "oga", "flac", "aac", "mov", "avi", "mkv", "webm", "wmv"),
        *("zip", "tar", "tgz", "tbz2", "txz", "bz2", "xz", "zst", "7z", "rar", "jar", "iso", "dmg"),
        *("ttf", "otf", "woff", "woff2", "eot", "exe", "dll", "so", "dylib", "o", "a", "bin", "class", "pyc"),
        *("whl", "db", "sqlite", "sqlite3", "parquet", "pkl", "npy", "npz"),
    }
)


def _os_reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


def _read_stdin(stream: BinaryIO, opts: ReadOptions) -> Iterator[RawDocument | InputError]:
    try:
        data = stream.read(opts.max_container_bytes + 1)
    except OSError as err:
        yield InputError("-", _os_reason(err))
        return
    if len(data) > opts.max_container_bytes:
        yield InputError("-", f"input too large (> {_fmt_mb(opts.max_container_bytes)} limit)")
        return
    yield from read_bytes(data, "-", opts)


def _read_path(path: str, opts: ReadOptions) -> Iterator[RawDocument | InputError]:
    """Read one listed input (a file, or a path whose failure :func:`iter_files` left to the reader to name)."""
    try:
        lst = os.lstat(path)
        if stat.S_ISLNK(lst.st_mode) and not opts.follow_symlinks:
            yield InputError(path, "symbolic link not followed (follow_symlinks is off)")
            return
        st = os.stat(path)  # follows links: a loop raises ELOOP, a dangling link ENOENT
    except OSError as err:
        yield InputError(path, _os_reason(err))
        return
    if stat.S_ISREG(st.st_mode):
        yield from _read_file(path, opts)
    elif stat.S_ISDIR(st.st_mode):  # replaced by a folder since it was listed
        yield InputError(path, "is a directory")
    else:
        yield InputError(path, "not a regular file")


def _read_file(path: str, opts: ReadOptions) -> Iterator[RawDocument | InputError]:
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is drained
    except OSError as err:
        yield InputError(path, _os_reason(err))
        return
    try:
        size = os.fstat(f.fileno()).st_size
        yield from _read_stream(f, path, path, size, opts, depth=0)
    except OSError as err:  # vanished or unreadable half-way
        yield InputError(path, _os_reason(err))
    finally:
        f.close()


# -- sniffing -----------------------------------------------------------------------------------------------------

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (also DOCX/ODT/EPUB)"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"Rar!", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"{\\rtf", "RTF"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3", "SQLite database"),
]
_FEED_RE = re.compile(r"^(?:\s*(?:<\?[^>]*\?>|<!--.*?-->|<!doctype[^>\[]*>))*\s*<(?:rss|feed|rdf:rdf)\b", re.S)
_HTML_RE = re.compile(r"<!doctype\s+html|<html\b|<head\b|<body\b")
_TAG_RE = re.compile(r"<(?:[a-z][a-z0-9]*)\b[^>]*>", re.I)
_JSON_EXT = frozenset({"json", "jsonl", "ndjson"})
_FEED_EXT = frozenset({"rss", "atom", "xml", "rdf"})
_HTML_EXT = frozenset({"html", "htm", "xhtml", "shtml"})


def _extension(name: str) -> str:
    return os.path.splitext(name)[1][1:].lower()


def _head_text(head: bytes) -> str:
    """A lossless-enough view of the first bytes for sniffing (no strictness: sniffing must not fail)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "ignore").lstrip("\ufeff")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


def _sniff(head: bytes, name: str) -> Kind | str:
    """Return a Kind, or the name of an unsupported binary type."""
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            inner = b""
        return "warc" if inner.startswith(b"WARC/") else "gzip"
    if head.startswith(b"WARC/"):
        return "warc"
    for magic, label in _MAGIC:
        if head.startswith(magic):
            return label
    text = _head_text(head).lstrip()
    low = text[:8192].lower()
    ext = _extension(name)
    if low.startswith(("{", "[")):
        return "json"
    if low.startswith("<"):
        if _FEED_RE.match(low) or ("<!entity" in low and not _HTML_RE.search(low)):
            return "feed"
        if ext in _FEED_EXT and not _HTML_RE.search(low):
            return "feed"
        return "html"
    if _HTML_RE.search(low[:2048]) or (ext in _HTML_EXT and _TAG_RE.search(low)):
        return "html"
    if ext in _JSON_EXT:
        return "json"  # leading junk: the JSON reader reports the broken lines
    return "text"


# -- dispatch -----------------------------------------------------------------------------------------------------


def _read_stream(
    f: BinaryIO, source: str, name: str, size: int, opts: ReadOptions, depth: int
) -> Iterator[RawDocument | InputError]:
    head = f.read(_HEAD)
    f.seek(0)
    if size == 0 or (len(head) >= size and not head.strip()):
        yield InputError(source, "empty file")
        return
    kind = _sniff(head, name)
    if kind == "warc":
        yield from _iter_warc(f, source, opts)
    elif kind == "gzip":
        yield from _read_gzip(f, source, name, opts, depth)
    elif kind == "json":
        yield from _read_json(f, head, source, name, size, opts)
    elif kind in ("text", "html", "feed"):
        limit = opts.max_feed_bytes if kind == "feed" else opts.max_file_bytes
        if size > limit:
            yield InputError(source, f"file too large ({_fmt_mb(size)} > {_fmt_mb(limit)} limit)")
            return
        data = f.read(limit + 1)
        try:
            text = decode_bytes(data, source)
        except InputError as err:
            yield err
            return
        if kind == "feed":
            yield from _iter_feed(data, text, source, opts)
        elif kind == "html" and "<!entity" in text[:_HEAD].lower():
            yield InputError(source, "XML entity declarations are not allowed")
        else:
            yield RawDocument(source=source, format="html" if kind == "html" else "text", content=text)
    else:
        yield InputError(source, f"unsupported file type: {kind}")


def _fmt_mb(n: int) -> str:
    mb = n / _MB
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


def _read_gzip(
    f: BinaryIO, source: str, name: str, opts: ReadOptions, depth: int
) -> Iterator[RawDocument | InputError]:
    """Decompress into a spooled file (memory up to ``max_file_bytes``, disk beyond), then read what is inside.

    The cap is ``max_container_bytes`` until the first bytes show what is inside, then the cap of that kind
    (:func:`_kind_cap`), so a gzip bomb stops early and never holds more than its kind allows.
    """
    if depth >= _MAX_GZIP_DEPTH:
        yield InputError(source, "gzip nested too deep")
        return
    inner = name[:-3] if name.lower().endswith(".gz") else name
    cap = opts.max_container_bytes
    head = b""
    size = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with tempfile.SpooledTemporaryFile(max_size=min(opts.max_file_bytes, cap)) as out:
        try:
            while not d.eof:  # a second gzip member or trailing garbage is ignored: one article per .gz file
                buf = d.unconsumed_tail or f.read(_HEAD)
                # At most 1 MB out per call (a 64 KB bomb chunk would make 64 MB); empty input drains what zlib holds.
                chunk = d.decompress(buf, min(cap + 1 - size, _MB))
                if not buf and not chunk:
                    break
                out.write(chunk)
                size += len(chunk)
                if len(head) < _HEAD:
                    head += chunk[: _HEAD - len(head)]
                    if len(head) == _HEAD or d.eof:
                        cap = min(cap, _kind_cap(_sniff(head, inner), head, inner, opts))
                if size > cap:
                    yield InputError(source, f"gzip expands beyond {_fmt_mb(cap)} limit (gzip bomb?)")
                    return
        except zlib.error as err:
            yield InputError(source, f"corrupt gzip ({err})")
            return
        if not d.eof:
            yield InputError(source, "truncated gzip")
            return
        out.seek(0)
        yield from _read_stream(cast(BinaryIO, out), source, inner, size, opts, depth + 1)


# -- decoding -----------------------------------------------------------------------------------------------------

_DECLARED_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I
)
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii", "utf_8", "mac_roman", "cp850", "cp1250"})
_CTRL = bytes(sorted(set(range(0, 9)) | set(range(14, 27)) | set(range(28, 32))))  # deleted by translate to count


def _decode(data: bytes, source: str) -> str:
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                raise InputError(source, "cannot decode as text") from None
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise InputError(source, "binary file (not text)")
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            raise InputError(source, "binary file (not text)") from None
    sample = data[:_HEAD]
    if len(sample) - len(sample.translate(None, _CTRL)) > 0.05 * len(sample):
        raise InputError(source, "binary file (not text)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    return _decode_legacy(data, source)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few corrupt bytes (a cut multi-byte character, a stray cp1252 byte) stays UTF-8, the bad bytes
    replaced by U+FFFD: decoding the whole file as cp1252 would garble every accented letter instead."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")  # well-formed non-ASCII letters
    return text if good > 0 and good >= 2 * bad else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM shows NULs in one byte lane for Latin text; anything else with NULs is binary."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _declared_charset(data: bytes) -> str | None:
    m = _DECLARED_RE.search(data[:4096])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "ignore").lower()
    try:
        enc = codecs.lookup(label).name
        b"x".decode(enc)  # "hex", "rot13", "zlib"...: codecs, but not text encodings (empty input is not checked)
    except (LookupError, ValueError):
        return None
    if enc.startswith(("utf-16", "utf-32", "utf-7")):
        return None  # bytes that hold a declaration are ASCII-compatible: browsers ignore these labels too
    # Browsers read these labels as windows-1252 (WHATWG encoding standard); so do we.
    return "cp1252" if enc in ("latin-1", "iso8859-1", "ascii") else enc


def _decode_legacy(data: bytes, source: str) -> str:
    """cp1252 when every byte is defined there (curly quotes, œ, €), else latin-1; ask charset-normalizer only
    when the result is mostly non-ASCII letters, which Western European text never is."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    letters = [c for c in text[:20000] if c.isalpha()]
    if letters and sum(not c.isascii() for c in letters) > 0.3 * len(letters):
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 2 * _MB]).best()
        if best is not None and best.encoding not in _WESTERN:
            try:
                return data.decode(best.encoding)
            except (UnicodeDecodeError, LookupError):
                raise InputError(source, "cannot decode as text") from None
    return text


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _content_format(text: str) -> Format:
    return "html" if _TAG_RE.search(text) else "text"


# -- JSON and JSONL -----------------------------------------------------------------------------------------------

_TEXT_KEYS = ("maintext", "text", "body", "content", "article", "fulltext")
_HTML_KEYS = ("html", "raw_html", "rawhtml")
_DATE_KEYS = ("date_publish", "published", "date_published", "datePublished", "pubdate", "date")


def _read_json(
    f: BinaryIO, head: bytes, source: str, name: str, size: int, opts: ReadOptions
) -> Iterator[RawDocument | InputError]:
    """Single object or list (whole-file parse) when the file is one JSON value; JSONL otherwise."""
    ext = _extension(name)
    text_head = _head_text(head).lstrip()
    if _json_streamable(head, name):
        yield from _iter_jsonl(_byte_lines(f, opts.max_record_bytes), source, opts)
        return
    if size > opts.max_json_bytes:
        yield InputError(source, f"file too large ({_fmt_mb(size)} > {_fmt_mb(opts.max_json_bytes)} JSON document limit)")
        return
    data = f.read(opts.max_json_bytes + 1)
    try:
        text = decode_bytes(data, source)
    except InputError as err:
        yield err
        return
    try:
        value = _json_loads(text)
    except json.JSONDecodeError as err:
        if ext in _JSON_EXT and text_head.startswith("{"):  # JSONL with a broken line: report it, keep the rest
            lines = ((i, line.encode("utf-8")) for i, line in enumerate(text.split("\n"), 1))
            yield from _iter_jsonl(lines, source, opts)
        elif ext in _JSON_EXT:
            yield InputError(source, f"invalid JSON ({err.msg} at line {err.lineno})")
        else:  # not JSON after all: an article that happens to start with "{" or "["
            yield RawDocument(source=source, format="text", content=text)
        return
    if isinstance(value, list):
        if not value:  # said, not silent: the batch reports the file instead of skipping it unseen
            yield InputError(source, "empty JSON list (no records)")
        for i, item in enumerate(value):
            yield _record(item, f"{source}#{i}", opts)
    else:
        yield _record(value, source, opts)


def _json_streamable(head: bytes, name: str) -> bool:
    """True for JSON Lines (read line by line); False for one JSON document (parsed whole)."""
    ext = _extension(name)
    text_head = _head_text(head).lstrip()
    first_line = text_head.split("\n", 1)[0].strip()
    is_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    streamable = ext in ("jsonl", "ndjson") or (
        ext != "json" and text_head.startswith("{") and _parses_as_object(first_line)
    )
    return streamable and not is_utf16


def _kind_cap(kind: Kind | str, head: bytes, name: str, opts: ReadOptions) -> int:
    """Largest size a file of this kind may have once decompressed: a feed or a JSON document is not a WARC."""
    if kind in ("text", "html"):
        return opts.max_file_bytes
    if kind == "feed":
        return opts.max_feed_bytes
    if kind == "json" and not _json_streamable(head, name):
        return opts.max_json_bytes
    return opts.max_container_bytes


def _parses_as_object(line: str) -> bool:
    try:
        return isinstance(_json_loads(line), dict)
    except ValueError:
        return False


def _json_loads(text: str) -> Any:
    """``json.loads`` whose every failure is a JSONDecodeError.

    json.loads raises a bare ValueError for an integer longer than ``sys.get_int_max_str_digits()`` and a
    RecursionError for arrays or objects nested too deeply: both are bad input, never a reason to stop the batch.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        raise json.JSONDecodeError("number too long", text, 0) from None
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _byte_lines(f: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) without ever holding more than ``limit`` bytes; None marks an over-long line."""
    lineno = 0
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line
                more = f.readline(_MB)
                if not more or more.endswith(b"\n"):
                    break
            yield lineno, None
        else:
            yield lineno, line


def _iter_jsonl(
    lines: Iterable[tuple[int, bytes | None]], source: str, opts: ReadOptions
) -> Iterator[RawDocument | InputError]:
    for lineno, raw in lines:
        where = f"{source}#L{lineno}"
        if raw is None or len(raw) > opts.max_record_bytes:
            yield InputError(where, f"record too large (> {_fmt_mb(opts.max_record_bytes)} limit)")
            continue
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig") if lineno == 1 else raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line = decode_bytes(raw, where)
            except InputError as err:
                yield err
                continue
        try:
            value = _json_loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as err:
            yield InputError(where, f"invalid JSON ({err.msg} at column {err.colno})")
            continue
        yield _record(value, where, opts)


def _record(value: Any, source: str, opts: ReadOptions) -> RawDocument | InputError:
    """Map one news-please style object to a RawDocument."""
    if not isinstance(value, dict):
        return InputError(source, f"expected a JSON object, got {type(value).__name__}")
    fmt: Format = "text"
    content = next((value[k] for k in _TEXT_KEYS if isinstance(value.get(k), str) and value[k].strip()), None)
    if content is None:
        content = next((value[k] for k in _HTML_KEYS if isinstance(value.get(k), str) and value[k].strip()), None)
        fmt = "html"
    if content is None:
        return InputError(source, "no article text (expected maintext, text, body, content or html)")
    if len(content) > opts.max_record_bytes:
        return InputError(source, f"record too large (> {_fmt_mb(opts.max_record_bytes)} limit)")
    meta: dict[str, Any] = {}
    _put(meta, "title", _str(value.get("title")) or _str(value.get("headline")))
    _put(meta, "url", _str(value.get("url")) or _str(value.get("source_url")))
    _put(meta, "published", next((_iso_date(s) for k in _DATE_KEYS if (s := _str(value.get(k)))), None))
    _put(meta, "outlet", _str(value.get("source_domain")) or _str(value.get("outlet")) or _str(value.get("site_name")))
    _put(meta, "authors", _str_list(value.get("authors", value.get("author"))))
    _put(meta, "language", _language(_str(value.get("language")) or _str(value.get("lang"))))
    _put(meta, "tags", _str_list(value.get("tags")) or _str_list(value.get("keywords")))
    _put(meta, "standfirst", _str(value.get("description")) or _str(value.get("standfirst")))
    return RawDocument(source=source, format=fmt, content=_normalise(content), meta=meta)


def _put(meta: dict[str, Any], key: str, value: Any) -> None:
    if value:
        meta[key] = value


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",") if "," in value else [value]
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        s = _str(item.get("name") if isinstance(item, dict) else item)
        if s and s not in out:
            out.append(s)
    return out


def _language(value: str | None) -> str | None:
    """'fr-FR' / 'fr_FR' / 'FR' -> 'fr': one language code across readers."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def _iso_date(value: str) -> str:
    """ISO 8601 when the string parses (offset kept, none invented); the original string otherwise."""
    return _parse_date(value) or value.strip()


def _parse_date(value: str) -> str | None:
    s = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", s):
        return s  # a bare date stays a date: no midnight invented
    try:
        return datetime.fromisoformat(s).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


# -- WARC ---------------------------------------------------------------------------------------------------------


def _iter_warc(f: BinaryIO, source: str, opts: ReadOptions) -> Iterator[RawDocument | InputError]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    class QuietIterator(ArchiveIterator):
        INC_RECORD = ""  # warcio writes this warning to stderr; we count it (err_count) and report instead
        cut_short = False

        def close(self) -> None:
            # warcio ends quietly on a cut-off gzip member; an unfinished decompressor is the only trace left
            d = getattr(self.reader, "decompressor", None) if self.reader else None
            self.cut_short = d is not None and not getattr(d, "eof", True)
            super().close()

    gzipped = f.read(2) == b"\x1f\x8b"
    f.seek(0)
    n = 0
    try:
        it = QuietIterator(f)
        for record in it:
            if it.err_count:
                yield InputError(source, "corrupt WARC (record not followed by a blank line: bad Content-Length?)")
                return
            n += 1
            item = _warc_record(record, source, n, opts)
            # warcio stops quietly at a cut-off file; a record shorter than its Content-Length is the only sign
            while record.raw_stream.read(_MB):
                pass
            if getattr(record.raw_stream, "limit", 0) > 0 or record.rec_headers.get_header("Content-Length") is None:
                yield InputError(source, "truncated gzip" if gzipped else "truncated WARC record")
                return
            if item is not None:
                yield item
        if it.err_count:
            yield InputError(source, "corrupt WARC (record not followed by a blank line: bad Content-Length?)")
        elif it.cut_short:
            yield InputError(source, "truncated gzip")
        elif not gzipped and it.offset < f.tell():  # bytes left that never made a whole record
            yield InputError(source, "truncated WARC record")
    except EOFError:
        yield InputError(source, "truncated gzip")
    except ArchiveLoadFailed as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else "unknown format"
        yield InputError(source, f"corrupt WARC ({reason[:200]})")
    except OSError:
        raise  # the file itself failed (vanished, I/O error): reported by the caller, with the OS's reason
    except Exception as err:  # warcio trips on assorted errors on corrupt headers; the batch must go on
        log.debug("warcio failed on %s", source, exc_info=True)
        yield InputError(source, f"corrupt WARC (unreadable record header: {type(err).__name__})")


def _warc_record(record: Any, source: str, n: int, opts: ReadOptions) -> RawDocument | InputError | None:
    """An HTML 2xx response as a document; None for everything else (requests, images, redirects)."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    where = f"{source}#{uri}" if uri else f"{source}#rec{n}"
    status = record.http_headers.get_statuscode() or ""
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    if not status.startswith("2") or "html" not in ctype:
        log.debug("skipping WARC record %s (status %s, %s)", where, status, ctype)
        return None
    body = record.content_stream().read(opts.max_record_bytes + 1)
    if len(body) > opts.max_record_bytes:
        return InputError(where, f"record too large (> {_fmt_mb(opts.max_record_bytes)} limit)")
    try:
        html = _decode_http(body, ctype, where)
    except InputError as err:
        return err
    # WARC-Date is the crawl time, not the publication date: it is deliberately not kept as "published".
    return RawDocument(source=where, format="html", content=html, meta={"url": uri} if uri else {})


def _decode_http(body: bytes, ctype: str, source: str) -> str:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", ctype)
    if m and body.strip():
        try:
            enc = codecs.lookup(m.group(1)).name
            text = body.decode("cp1252" if enc in ("latin-1", "iso8859-1", "ascii") else enc)
            return _normalise(text)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body, source)


# -- RSS / Atom ---------------------------------------------------------------------------------------------------


def _iter_feed(data: bytes, text: str, source: str, opts: ReadOptions) -> Iterator[RawDocument | InputError]:
    if "<!entity" in text.lower():
        # Entity expansion ("billion laughs") is the one way a small feed can exhaust memory; news feeds never need it.
        yield InputError(source, "XML entity declarations are not allowed")
        return
    import feedparser

    # A stream, never a str: feedparser treats a str as a URL or file name to open. A character reference to no
    # character (&#xD800;, &#0;, &#99999999;) makes feedparser raise: it becomes U+FFFD first.
    data = _BAD_CHARREF_RE.sub(_fix_charref, data)
    try:
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as err:  # feedparser's loose parser has more such corners; the batch must go on
        log.debug("feedparser failed on %s", source, exc_info=True)
        yield InputError(source, f"malformed feed ({type(err).__name__})")
        return
    if not parsed.entries:
        reason = f"malformed feed ({parsed.bozo_exception})" if parsed.get("bozo") else "feed has no entries"
        yield InputError(source, reason)
        return
    feed = parsed.feed
    outlet = _str(feed.get("title"))
    feed_lang = _language(_str(feed.get("language")))
    for i, entry in enumerate(parsed.entries):
        link = _str(entry.get("link"))
        where = f"{source}#{link or i}"
        content = _entry_content(entry)
        if not content:
            yield InputError(where, "feed entry has no text")
            continue
        if len(content.encode("utf-8")) > opts.max_record_bytes:
            yield InputError(where, f"record too large (> {_fmt_mb(opts.max_record_bytes)} limit)")
            continue
        meta: dict[str, Any] = {}
        _put(meta, "title", _str(entry.get("title")))
        _put(meta, "url", link)
        _put(meta, "published", _feed_date(entry))
        _put(meta, "outlet", outlet)
        _put(meta, "authors", _entry_authors(entry))
        _put(meta, "language", feed_lang)
        _put(meta, "tags", _str_list([t.get("term") or t.get("label") for t in entry.get("tags", [])]))
        summary = _str(entry.get("summary"))
        _put(meta, "standfirst", summary if summary and summary != content.strip() else None)
        yield RawDocument(source=where, format=_content_format(content), content=_normalise(content), meta=meta)


_BAD_CHARREF_RE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def _fix_charref(m: re.Match[bytes]) -> bytes:
    if len(m[1] or m[2]) > 8:  # also keeps int() clear of its 4300-digit limit
        return b"&#xFFFD;"
    code = int(m[1], 16) if m[1] else int(m[2])
    ok = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
    return m[0] if ok else b"&#xFFFD;"


def _entry_content(entry: Any) -> str | None:
    """The longest full-text body (content:encoded, atom:content), else the summary."""
    bodies = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    best = max(bodies, key=len, default="")
    return _str(best) or _str(entry.get("summary"))


def _entry_authors(entry: Any) -> list[str]:
    names = _str_list([a.get("name") for a in entry.get("authors", []) if isinstance(a, dict)])
    return names or _str_list(entry.get("author"))


def _feed_date(entry: Any) -> str | None:
    """Our own parse keeps the original offset (feedparser's *_parsed is converted to UTC)."""
    for key in ("published", "updated", "created"):
        raw = _str(entry.get(key))
        if not raw:
            continue
        iso = _parse_date(raw)
        if iso:
            return iso
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()
        return raw
    return None
