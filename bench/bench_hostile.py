"""Hostile lines (issue 13) through the text stages: time at n and 4n characters, and the growth ratio.

A linear stage grows about 4x from n to 4n, a quadratic one about 16x. The patterns that issue 13 replaced are run
beside their fixed versions on the same line, so the baseline is measured in the same run, on the same machine.

    .venv/bin/python bench/bench_hostile.py [--n 20000]
"""

from __future__ import annotations

import argparse
import re
import signal
import time
from collections.abc import Callable

# The patterns as they were before issue 13, beside the ones in the code now.
OLD = {
    "clean._EMAIL": (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "search", "a", "@"),
    "clean._GLUE": (re.compile(r"[.!?…]+(?=[\"“”«»]?[A-ZÀ-ÖØ-ÞŒ])"), "finditer", ".", "x"),
    "clean._TITLE_SUFFIX": (re.compile(r"^(?P<title>.{12,}?)\s+[|–—-]\s+(?P<site>[^|–—]{2,40})$"), "match", " ", "!"),
    "quotes._POST_ATTR (prefix)": (re.compile(r"^\s*,?\s*(?:a\s+)?(?P<verb>[^\W\d_][\w'’-]*?)(?=[\s,.;:!?]|$)"),
                                   "match", " ", ""),
}


class _Late(Exception):
    pass


def _timed(fn: Callable[[], object], limit: float) -> float:
    def fire(*_: object) -> None:
        raise _Late

    signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    t = time.perf_counter()
    try:
        fn()
    except _Late:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - t


def _run(rx: re.Pattern[str], how: str, s: str) -> None:
    if how == "finditer":
        list(rx.finditer(s))
    else:
        getattr(rx, how)(s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="characters of the short line (the long one is 4n)")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds before a run is called 'over'")
    n = ap.parse_args().n
    limit = ap.parse_args().limit

    from vigie.extract import clean
    from vigie.understand import quotes

    new = {"clean._EMAIL": clean._EMAIL, "clean._GLUE": clean._GLUE, "clean._TITLE_SUFFIX": clean._TITLE_SUFFIX,
           "quotes._POST_ATTR (prefix)": quotes._POST_ATTR}  # fmt: skip
    print(f"{'pattern':<28} {'version':<7} {'n=' + str(n):>10} {'4n':>10} {'ratio':>7}")
    for name, (old, how, unit, tail) in OLD.items():
        for label, rx in (("before", old), ("now", new[name])):
            short, long = unit * n + tail, unit * 4 * n + tail
            t1 = _timed(lambda rx=rx, how=how, s=short: _run(rx, how, s), limit)
            t4 = _timed(lambda rx=rx, how=how, s=long: _run(rx, how, s), limit)
            ratio = t4 / t1 if t1 > 0 and t4 != float("inf") else float("inf")
            print(f"{name:<28} {label:<7} {t1:>9.4f}s {t4:>9.4f}s {ratio:>7.1f}")

    from vigie.extract.clean import clean_text
    from vigie.stories.timeanchor import time_anchor
    from vigie.understand.summarize import split_sentences

    stages: dict[str, Callable[[str], object]] = {
        "clean_text": clean_text, "split_sentences": split_sentences, "time_anchor": lambda s: time_anchor(s, None),
    }  # fmt: skip
    lines = {"a…a@": ("a", "@"), "A.A.": ("A.", ""), "M. M. ": ("M. ", ""), "dates": ("a… 12/10/2021, ", "")}
    print(f"\n{'stage':<16} {'line':<8} {'n=' + str(n):>10} {'4n':>10} {'ratio':>7}")
    for sname, fn in stages.items():
        for lname, (unit, tail) in lines.items():
            short, long = unit * (n // len(unit)) + tail, unit * (4 * n // len(unit)) + tail
            t1 = _timed(lambda fn=fn, s=short: fn(s), limit)
            t4 = _timed(lambda fn=fn, s=long: fn(s), limit)
            print(f"{sname:<16} {lname:<8} {t1:>9.4f}s {t4:>9.4f}s {t4 / t1 if t1 else float('inf'):>7.1f}")


if __name__ == "__main__":
    main()
