"""Coverage-guided fuzzing of the readers and the cleaners with atheris (libFuzzer); not run in CI.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_readers.py -max_total_time=600 -rss_limit_mb=2048 [corpus_dir]

The first byte picks the file name (and so the sniffing hints); the rest is the file. Any exception other than
InputError escaping ``read_bytes`` or ``extract`` is a bug: libFuzzer stops and writes the input to crash-*.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from vigie.errors import InputError
    from vigie.extract import extract
    from vigie.extract.readers import read_bytes
    from vigie.models import RawDocument

NAMES = ["a.txt", "a.html", "a.json", "a.jsonl", "a.rss", "a.xml", "a.warc", "a.gz", "a", "a.txt.gz", "a.atom"]


def one_input(data: bytes) -> None:
    if not data:
        return
    name = NAMES[data[0] % len(NAMES)]
    for item in read_bytes(data[1:], name):
        if isinstance(item, RawDocument):
            item.content.encode("utf-8")
            with contextlib.suppress(InputError):
                extract(item)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
