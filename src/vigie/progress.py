"""Progress of a run, stage by stage: the typed event the runner emits and the renderer ``vigie ingest`` draws.

The runner (:func:`vigie.pipeline.run`) calls ``on_event(Progress(stage, done, total))`` for each stage of
:data:`STAGES`: once when the stage starts (``done`` 0), then as it goes, ``done`` never decreasing and never over
``total``. The renderer is a shell: on a terminal, one line redrawn in place with a bar, the rate and an ETA (redrawn
every second even while a long step runs, so a slow stage does not look hung); elsewhere (a log file, CI), a plain
line when a stage starts and ends and at most every ``every`` seconds between, so logs are not flooded.

Example:
    >>> events = []
    >>> from vigie.pipeline import Paths, run  # doctest: +SKIP
    >>> run(store, Paths(["examples/seeds"]), on_event=events.append)  # doctest: +SKIP
    >>> [(e.stage, e.done, e.total) for e in events][:2]  # doctest: +SKIP
    [('read', 0, 5), ('read', 1, 5)]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

__all__ = ["STAGES", "OnEvent", "Progress", "ProgressRenderer", "format_eta"]

# In the order a run goes through them; "read" counts documents read, cleaned and stored (storing happens as each
# document comes out of the cleaners, so one count covers the three).
STAGES: tuple[str, ...] = ("read", "stories", "understand", "details")
LABELS = {
    "read": "reading, cleaning, storing",
    "stories": "grouping into stories",
    "understand": "understanding",
    "details": "story details",
}
UNITS = {"read": "doc", "stories": "art", "understand": "art", "details": "story"}


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of one stage: ``done`` of ``total`` units (documents, articles or stories) so far."""

    stage: str
    done: int
    total: int

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}; got {self.stage!r}")
        if not 0 <= self.done <= self.total:
            raise ValueError(f"done must be within 0..total ({self.total}); got {self.done}")


OnEvent = Callable[[Progress], None]


def format_eta(seconds: float) -> str:
    """``75`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressRenderer:
    """Draws :class:`Progress` events on ``out`` (stderr): a live line on a terminal, sparse plain lines otherwise.

    Args:
        out: the stream written to.
        tty: draw the live line (default: whether ``out`` is a terminal).
        every: seconds between two plain lines of one stage (non-terminal only).
        clock: the time source (tests pass a fake one).
        refresh: redraw the live line this often while no event comes (0: only on events).
    """

    def __init__(self, out: TextIO, *, tty: bool | None = None, every: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, refresh: float = 1.0) -> None:  # fmt: skip
        self.out = out
        self.tty = out.isatty() if tty is None else tty
        self.every = every
        self.clock = clock
        self._lock = threading.Lock()
        self._last: Progress | None = None
        self._started = 0.0
        self._printed = 0.0
        self._drawn = float("-inf")
        self._width = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.tty and refresh > 0:
            self._thread = threading.Thread(target=self._tick, args=(refresh,), daemon=True, name="vigie-progress")
            self._thread.start()

    def __call__(self, event: Progress) -> None:
        with self._lock:
            now = self.clock()
            new_stage = self._last is None or self._last.stage != event.stage
            if new_stage:
                if self._last is not None and not self.tty and self._last.done < self._last.total:
                    self._plain(self._last, now)  # the previous stage ended between two plain lines
                self._started = now
            self._last = event
            if self.tty:
                # At most ten draws a second: a batch of many small documents must not spend its time drawing.
                if new_stage or event.done == event.total or now - self._drawn >= 0.1:
                    self._draw(now)
            elif new_stage or event.done == event.total or now - self._printed >= self.every:
                self._plain(event, now)

    def line(self, event: Progress, now: float) -> str:
        """``understanding  12/40 art [====      ] 30% 3.1 art/s ETA 0:09``."""
        elapsed = max(now - self._started, 1e-9)
        unit = UNITS[event.stage]
        parts = [f"{LABELS[event.stage]}  {event.done}/{event.total} {unit}"]
        if self.tty:
            width = 20
            fill = width * event.done // event.total if event.total else width
            parts.append("[" + "=" * fill + " " * (width - fill) + "]")
        parts.append(f"{100 * event.done // event.total if event.total else 100}%")
        if event.done and event.done < event.total:
            rate = event.done / elapsed
            parts.append(f"{rate:.1f} {unit}/s ETA {format_eta((event.total - event.done) / rate)}")
        elif event.done < event.total:
            parts.append(f"{format_eta(elapsed)} elapsed")
        else:
            parts.append(f"done in {format_eta(elapsed)}")
        return " ".join(parts)

    def _draw(self, now: float) -> None:
        if self._last is None:
            return
        text = self.line(self._last, now)
        pad = max(0, self._width - len(text))
        self.out.write("\r" + text + " " * pad)
        self.out.flush()
        self._width = len(text)
        self._drawn = now

    def _plain(self, event: Progress, now: float) -> None:
        self.out.write(self.line(event, now) + "\n")
        self.out.flush()
        self._printed = now

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                self._draw(self.clock())

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Wipe the live line and hold redraws while the caller prints (an error line); the next draw restores it."""
        with self._lock:
            self._clear()
            yield

    def _clear(self) -> None:
        if self.tty and self._width:
            self.out.write("\r" + " " * self._width + "\r")
            self.out.flush()
            self._width = 0

    def close(self) -> None:
        """Stop redrawing and leave the terminal line clean."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._clear()
