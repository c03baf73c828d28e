"""Plots drawn on the server as SVG: no script, no external library, every label escaped.

Each function returns :class:`markupsafe.Markup` built only by :func:`_tag`, which escapes every argument (as
``Markup.format`` does, at a third of its cost: a story page draws thousands of elements), so a hostile title or
quote in a label stays text. Colours and fonts come from CSS classes in ``static/style.css``
(the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

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


def _tag(template: str, *args: object, **kwargs: object) -> Markup:
    """``Markup(template).format(*args, **kwargs)``: every argument escaped (Markup ones kept as they are)."""
    return Markup(template.format(*[escape(a) for a in args], **{k: escape(v) for k, v in kwargs.items()}))


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Scale:
    """Maps datetimes onto [x0, x1], with a little room when every point is at the same time."""

    def __init__(self, points: Sequence[datetime], x0: float, x1: float, *,
                 label_of: Callable[[str], str] | None = None) -> None:
        lo, hi = min(points), max(points)
        if hi - lo < timedelta(hours=1):
            lo, hi = lo - timedelta(hours=12), hi + timedelta(hours=12)
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1
        self.label_of = label_of

    def __call__(self, t: datetime) -> float:
        span = (self.hi - self.lo).total_seconds()
        return self.x0 + (t - self.lo).total_seconds() / span * (self.x1 - self.x0)

    def label(self, t: datetime) -> str:
        span = self.hi - self.lo
        if self.label_of is not None and span > timedelta(days=3):
            return self.label_of(t.strftime("%Y-%m-%d" if span <= timedelta(days=3 * 365) else "%Y-%m"))
        if span <= timedelta(days=3):
            return t.strftime("%d/%m %H:%M")
        if span <= timedelta(days=3 * 365):
            return t.strftime("%Y-%m-%d")
        return t.strftime("%Y-%m")

    def axis(self, y: float, ticks: int = 5) -> Markup:
        parts = [_tag('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            _f(self.x0), _f(y), _f(self.x1), _f(y))]
        for i in range(ticks):
            t = self.lo + (self.hi - self.lo) * i / max(ticks - 1, 1)
            x = self(t)
            anchor = "start" if i == 0 else "end" if i == ticks - 1 else "middle"
            parts.append(_tag(
                '<line class="tick" x1="{x}" y1="{y}" x2="{x}" y2="{y2}"/>'
                '<text class="tick-label" x="{x}" y="{ty}" text-anchor="{a}">{label}</text>',
                x=_f(x), y=_f(y), y2=_f(y + 5), ty=_f(y + 18), a=anchor, label=self.label(t)))
        return Markup("").join(parts)


def _f(v: float) -> str:
    return f"{v:.1f}"


def _svg(height: float, label: str, body: Markup, cls: str, *, width: int = WIDTH) -> Markup:
    return _tag(
        '<svg class="plot {cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{label}"><title>{label}</title>{body}</svg>',
        cls=cls, w=width, h=_f(height), label=label, body=body)


DateLabel = Callable[[str], str]

TIMELINE_WIDTH = 940  # the story column's width: the longest labels fit
NARROW = 360  # the phone drawing: about 1:1 on a 390 px screen, so its 13 px labels stay 13 px
FONT_WIDE, FONT_NARROW = 12.0, 13.0
CHAR = 0.52  # average glyph advance of the sans-serif labels, in ems: how much text a row has room for
CONTEXT_DAYS = 180  # dated entries this far before the story's own dates are its background, not its span


def split_timeline(entries: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(entries on the axis, entries listed apart as context), each in date order.

    Background entries (history the story recalls, 1949 or 2014), undated ones and dates far before the story's
    own stretch go apart: on one linear axis they would squeeze every event of the story into a few pixels.
    """
    dated = sorted(((t, e) for e in entries if (t := parse_when(str(e.get("date") or ""))) is not None),
                   key=lambda te: te[0])
    own = [(t, e) for t, e in dated if not e.get("background")]
    if own:
        mid = own[len(own) // 2][0]
        own = [(t, e) for t, e in own if (mid - t).days <= CONTEXT_DAYS]
    kept = {id(e) for _, e in own}
    apart = [e for _, e in dated if id(e) not in kept]
    apart += [e for e in entries if parse_when(str(e.get("date") or "")) is None]
    return [e for _, e in own], apart


def _room(text: str, width: float, font: float) -> str:
    return _short(text, max(8, int(width / (font * CHAR))))


def _wrap(text: str, width: float, font: float, lines: int) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines of ``width`` user units, the last one ellipsised."""
    per = max(8, int(width / (font * CHAR)))
    out: list[str] = []
    words = " ".join(text.split()).split(" ")
    line = ""
    for i, w in enumerate(words):
        if len(line) + 1 + len(w) <= per or not line:
            line = f"{line} {w}".strip()
            continue
        if len(out) == lines - 1:
            out.append(_short(line + " " + " ".join(words[i:]), per))
            return out
        out.append(line)
        line = w
    if line:
        out.append(_short(line, per))
    return out


def timeline_svg(entries: Sequence[dict[str, Any]], *, title: str, sources_word: str | Callable[[int], str],
                 date_label: DateLabel | None = None, narrow: bool = False) -> Markup | None:
    """The story's own dates as dots on an axis zoomed on their stretch; None when none is on it.

    ``sources_word`` is the word after the number of sources, or a function that writes "n sources" (plurals).
    The wide drawing (``TIMELINE_WIDTH``) has one row per entry on a horizontal date axis; the narrow one (``narrow=True``, for phones)
    is vertical: one entry under the other, with room between them that grows with the days between them, and
    wrapped labels. A dot's size grows with the number of articles that give the date. Context entries (see
    :func:`split_timeline`) are for the page to list apart.
    """
    own, _ = split_timeline(entries)
    if not own:
        return None
    label_of = date_label or (lambda d: d)
    sources = sources_word if callable(sources_word) else (lambda n: f"{n} {sources_word}")
    rows = [(t, e) for e in own if (t := parse_when(str(e.get("date") or ""))) is not None]
    if narrow:
        return _timeline_narrow(rows, title=title, sources=sources, label_of=label_of)
    row_h, top, pad, font, width = 24, 12, 16, FONT_WIDE, TIMELINE_WIDTH
    lo, hi = rows[0][0], rows[-1][0]
    margin = max((hi - lo) * 0.03, timedelta(hours=12))
    scale = _Scale([lo - margin, hi + margin], pad, width - pad, label_of=label_of)
    parts: list[Markup] = []
    for i, (t, e) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        x = scale(t)
        n = len(e.get("sources") or [])
        left = x > width / 2
        room = (x - 12 - pad) if left else (width - pad - x - 12)
        head = f"{label_of(str(e.get('date')))} · "
        tail = f" ({sources(n)})"
        text = _room(str(e.get("text") or ""), room - (len(head) + len(tail)) * font * CHAR, font)
        parts.append(_tag(
            '<g class="entry"><title>{full}</title>'
            '<line class="guide" x1="{x}" y1="{y}" x2="{x}" y2="{bottom}"/>'
            '<circle class="dot{vague}" cx="{x}" cy="{y}" r="{r}"/>'
            '<text class="label" x="{tx}" y="{ty}" text-anchor="{a}">{label}</text></g>',
            full=f"{e.get('date')}: {e.get('text') or ''}", x=_f(x), y=_f(y), bottom=_f(top + len(rows) * row_h),
            vague="" if e.get("precision", "day") == "day" else " vague", r=_f(3.5 + min(n, 6)),
            tx=_f(x - 12 if left else x + 12), ty=_f(y + 4), a="end" if left else "start", label=head + text + tail,
        ))
    axis_y = top + len(rows) * row_h + 4
    return _svg(axis_y + 28, title, scale.axis(axis_y) + Markup("").join(parts), "timeline wide", width=width)


def _timeline_narrow(rows: Sequence[tuple[datetime, dict[str, Any]]], *, title: str,
                     sources: Callable[[int], str], label_of: DateLabel) -> Markup:
    font, line_h, x_axis, x_text = FONT_NARROW, 17, 12, 30
    y = 8.0
    parts: list[Markup] = []
    previous: datetime | None = None
    for t, e in rows:
        if previous is not None:  # a longer wait, a longer gap: the drawing keeps a sense of time
            y += 6 + min((t - previous).days, 14) * 2
        previous = t
        n = len(e.get("sources") or [])
        lines = _wrap(str(e.get("text") or ""), NARROW - x_text - 24, font, 2)
        head = _tag('<text class="label date" x="{x}" y="{y}">{d} <tspan class="n">({n})</tspan></text>',
                    x=x_text, y=_f(y + 13), d=label_of(str(e.get("date"))), n=sources(n))
        body = Markup("").join(
            _tag('<text class="label" x="{x}" y="{y}">{s}</text>', x=x_text, y=_f(y + 13 + line_h * (k + 1)), s=s)
            for k, s in enumerate(lines))
        parts.append(_tag(
            '<g class="entry"><title>{full}</title><circle class="dot{vague}" cx="{x}" cy="{cy}" r="{r}"/>'
            '{head}{body}</g>',
            full=f"{e.get('date')}: {e.get('text') or ''}", vague="" if e.get("precision", "day") == "day"
            else " vague", x=x_axis, cy=_f(y + 9), r=_f(3.5 + min(n, 4)), head=head, body=body))
        y += 13 + line_h * len(lines) + 8
    axis = _tag('<line class="axis" x1="{x}" y1="4" x2="{x}" y2="{y}"/>', x=x_axis, y=_f(y))
    return _svg(y + 6, title, axis + Markup("").join(parts), "timeline narrow", width=NARROW)


def outlets_svg(articles: Sequence[dict[str, Any]], *, title: str, narrow: bool = False,
                date_label: DateLabel | None = None) -> Markup | None:
    """A strip plot: one row per outlet, one dot per article at its publication time. None when none is dated.

    ``narrow`` draws it for a phone (360 units wide, shorter outlet names, three ticks).
    """
    points = [(str(a.get("outlet") or "?"), t, a) for a in articles if (t := parse_when(a.get("published")))]
    if not points:
        return None
    outlets: list[str] = []
    for o, _, _ in sorted(points, key=lambda p: p[1]):
        if o not in outlets:
            outlets.append(o)
    width = NARROW if narrow else WIDTH
    row_h, top, left, pad = 22, 8, (118 if narrow else 170), 16
    scale = _Scale([t for _, t, _ in points], left, width - pad, label_of=date_label)
    parts: list[Markup] = []
    for i, o in enumerate(outlets):
        y = top + i * row_h + row_h / 2
        parts.append(_tag(
            '<line class="guide" x1="{x0}" y1="{y}" x2="{x1}" y2="{y}"/>'
            '<text class="label" x="{tx}" y="{ty}" text-anchor="end">{o}</text>',
            x0=left, x1=width - pad, y=_f(y), tx=left - 8, ty=_f(y + 4), o=_short(o, 14 if narrow else 24)))
    for o, t, a in points:
        y = top + outlets.index(o) * row_h + row_h / 2
        parts.append(_tag('<circle class="dot{dup}" cx="{x}" cy="{y}" r="5"><title>{tip}</title></circle>',
            dup=" dup" if a.get("duplicate_of") else "", x=_f(scale(t)), y=_f(y),
            tip=f"{o} · {a.get('published')} · {a.get('title') or ''}",
        ))
    axis_y = top + len(outlets) * row_h + 4
    return _svg(axis_y + 28, title, Markup("").join(parts) + scale.axis(axis_y, ticks=3 if narrow else 5),
                "outlets narrow" if narrow else "outlets wide", width=width)


def bars_svg(counts: Sequence[tuple[date, int]], unit: str, *, title: str, narrow: bool = False,
             date_label: DateLabel | None = None) -> Markup | None:
    """A bar chart of counts per day or week (``unit``), on a date axis. None when there is nothing to draw.

    ``narrow`` draws it for a phone (360 units wide, about 1:1 on a 390 px screen, three ticks), as the timeline:
    the wide drawing scaled down to a phone had labels 5 px tall.
    """
    if not counts:
        return None
    width = NARROW if narrow else WIDTH
    step = timedelta(days=7 if unit == "week" else 1)
    top, height, pad = (14, 110, 12) if narrow else (10, 140, 16)
    starts = [datetime.combine(d, datetime.min.time()) for d, _ in counts]
    scale = _Scale([starts[0], starts[-1] + step], pad, width - pad, label_of=date_label)
    peak = max(n for _, n in counts)
    parts: list[Markup] = []
    for (d, n), t in zip(counts, starts, strict=True):
        x0, x1 = scale(t), scale(t + step)
        h = n / peak * height
        parts.append(_tag(
            '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{tip}</title></rect>',
            x=_f(x0 + 0.5), y=_f(top + height - h), w=_f(max(x1 - x0 - 1, 1.0)), h=_f(h), tip=f"{d}: {n}"))
    parts.append(_tag('<text class="tick-label" x="{x}" y="{y}">{n}</text>', x=pad, y=top + 10, n=peak))
    axis_y = top + height
    return _svg(axis_y + 28, title, Markup("").join(parts) + scale.axis(axis_y, ticks=3 if narrow else 5),
                "bars narrow" if narrow else "bars wide", width=width)
