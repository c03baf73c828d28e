"""Plots drawn on the server as SVG: no script, no external library, every label escaped.

Each function returns :class:`markupsafe.Markup` built only from ``Markup.format`` (which escapes its arguments),
so a hostile title or quote in a label stays text. Colours and fonts come from CSS classes in ``static/style.css``
(the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from markupsafe import Markup

WIDTH = 760


def parse_when(value: str | None) -> datetime | None:
    """A naive UTC datetime from an ISO timestamp, a date, a year-month or a year; None otherwise."""
    if not value:
        return None
    s = value.strip()
    try:
        if len(s) == 4 and s.isdigit():
            return datetime(int(s), 1, 1)
        if len(s) == 7 and s[4] == "-":
            return datetime(int(s[:4]), int(s[5:7]), 1)
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Scale:
    """Maps datetimes onto [x0, x1], with a little room when every point is at the same time."""

    def __init__(self, points: Sequence[datetime], x0: float, x1: float) -> None:
        lo, hi = min(points), max(points)
        if hi - lo < timedelta(hours=1):
            lo, hi = lo - timedelta(hours=12), hi + timedelta(hours=12)
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1

    def __call__(self, t: datetime) -> float:
        span = (self.hi - self.lo).total_seconds()
        return self.x0 + (t - self.lo).total_seconds() / span * (self.x1 - self.x0)

    def label(self, t: datetime) -> str:
        span = self.hi - self.lo
        if span <= timedelta(days=3):
            return t.strftime("%d/%m %H:%M")
        if span <= timedelta(days=3 * 365):
            return t.strftime("%Y-%m-%d")
        return t.strftime("%Y-%m")

    def axis(self, y: float, ticks: int = 5) -> Markup:
        parts = [Markup('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            _f(self.x0), _f(y), _f(self.x1), _f(y))]
        for i in range(ticks):
            t = self.lo + (self.hi - self.lo) * i / max(ticks - 1, 1)
            x = self(t)
            anchor = "start" if i == 0 else "end" if i == ticks - 1 else "middle"
            parts.append(Markup(
                '<line class="tick" x1="{x}" y1="{y}" x2="{x}" y2="{y2}"/>'
                '<text class="tick-label" x="{x}" y="{ty}" text-anchor="{a}">{label}</text>'
            ).format(x=_f(x), y=_f(y), y2=_f(y + 5), ty=_f(y + 18), a=anchor, label=self.label(t)))
        return Markup("").join(parts)


def _f(v: float) -> str:
    return f"{v:.1f}"


def _svg(height: float, label: str, body: Markup, cls: str) -> Markup:
    return Markup(
        '<svg class="plot {cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{label}"><title>{label}</title>{body}</svg>'
    ).format(cls=cls, w=WIDTH, h=_f(height), label=label, body=body)


def timeline_svg(entries: Sequence[dict[str, Any]], *, title: str, sources_word: str) -> Markup | None:
    """Timeline entries as dots on a date axis, one row each, labelled with date, text and number of sources.

    A dot's size grows with the number of articles that give the date. None when no entry has a usable date.
    """
    rows = [(t, e) for e in entries if (t := parse_when(str(e.get("date") or ""))) is not None]
    if not rows:
        return None
    rows.sort(key=lambda te: te[0])
    row_h, top, pad = 24, 12, 16
    scale = _Scale([t for t, _ in rows], pad, WIDTH - pad)
    parts: list[Markup] = []
    for i, (t, e) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        x = scale(t)
        n = len(e.get("sources") or [])
        label = f"{e.get('date')} · {_short(str(e.get('text') or ''), 70)} ({n} {sources_word})"
        left = x > WIDTH / 2
        parts.append(Markup(
            '<g class="entry"><title>{full}</title>'
            '<line class="guide" x1="{x}" y1="{y}" x2="{x}" y2="{bottom}"/>'
            '<circle class="dot" cx="{x}" cy="{y}" r="{r}"/>'
            '<text class="label" x="{tx}" y="{ty}" text-anchor="{a}">{label}</text></g>'
        ).format(
            full=f"{e.get('date')}: {e.get('text') or ''}", x=_f(x), y=_f(y), bottom=_f(top + len(rows) * row_h),
            r=_f(3.5 + min(n, 6)), tx=_f(x - 12 if left else x + 12), ty=_f(y + 4), a="end" if left else "start",
            label=label,
        ))
    axis_y = top + len(rows) * row_h + 4
    return _svg(axis_y + 28, title, scale.axis(axis_y) + Markup("").join(parts), "timeline")


def outlets_svg(articles: Sequence[dict[str, Any]], *, title: str) -> Markup | None:
    """A strip plot: one row per outlet, one dot per article at its publication time. None when none is dated."""
    points = [(str(a.get("outlet") or "?"), t, a) for a in articles if (t := parse_when(a.get("published")))]
    if not points:
        return None
    outlets: list[str] = []
    for o, _, _ in sorted(points, key=lambda p: p[1]):
        if o not in outlets:
            outlets.append(o)
    row_h, top, left, pad = 22, 8, 170, 16
    scale = _Scale([t for _, t, _ in points], left, WIDTH - pad)
    parts: list[Markup] = []
    for i, o in enumerate(outlets):
        y = top + i * row_h + row_h / 2
        parts.append(Markup(
            '<line class="guide" x1="{x0}" y1="{y}" x2="{x1}" y2="{y}"/>'
            '<text class="label" x="{tx}" y="{ty}" text-anchor="end">{o}</text>'
        ).format(x0=left, x1=WIDTH - pad, y=_f(y), tx=left - 8, ty=_f(y + 4), o=_short(o, 24)))
    for o, t, a in points:
        y = top + outlets.index(o) * row_h + row_h / 2
        parts.append(Markup('<circle class="dot{dup}" cx="{x}" cy="{y}" r="5"><title>{tip}</title></circle>').format(
            dup=" dup" if a.get("duplicate_of") else "", x=_f(scale(t)), y=_f(y),
            tip=f"{o} · {a.get('published')} · {a.get('title') or ''}",
        ))
    axis_y = top + len(outlets) * row_h + 4
    return _svg(axis_y + 28, title, Markup("").join(parts) + scale.axis(axis_y), "outlets")


def bars_svg(counts: Sequence[tuple[date, int]], unit: str, *, title: str) -> Markup | None:
    """A bar chart of counts per day or week (``unit``), on a date axis. None when there is nothing to draw."""
    if not counts:
        return None
    step = timedelta(days=7 if unit == "week" else 1)
    top, height, pad = 10, 140, 16
    starts = [datetime.combine(d, datetime.min.time()) for d, _ in counts]
    scale = _Scale([starts[0], starts[-1] + step], pad, WIDTH - pad)
    peak = max(n for _, n in counts)
    parts: list[Markup] = []
    for (d, n), t in zip(counts, starts, strict=True):
        x0, x1 = scale(t), scale(t + step)
        h = n / peak * height
        parts.append(Markup(
            '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{tip}</title></rect>'
        ).format(x=_f(x0 + 0.5), y=_f(top + height - h), w=_f(max(x1 - x0 - 1, 1.0)), h=_f(h), tip=f"{d}: {n}"))
    parts.append(Markup('<text class="tick-label" x="{x}" y="{y}">{n}</text>').format(x=pad, y=top + 10, n=peak))
    axis_y = top + height
    return _svg(axis_y + 28, title, Markup("").join(parts) + scale.axis(axis_y), "bars")
