"""Charts as SVG drawn on the server: no script, no chart library, nothing fetched. No Flask.

Every chart is one `<svg role="img">` named by its `<title>` and described by its `<desc>`
(the headline in words), with each value printed beside or inside its bar, so nothing is
said by colour alone; the page puts the same numbers in a table below it. Sizes come from
the `viewBox`, so a chart scales to its panel. Every label is escaped (`Markup.format`).

Fills are presentation attributes, never `style=""`: the Content-Security-Policy allows no
inline styles. Patterns for the reply outcomes are defined once per page (`pattern_defs`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

INK = "#1d2430"  # text: 15.6:1 on the white panel
MUTED = "#566072"  # secondary text: 6.3:1
GRID = "#d5dae3"  # gridlines and tracks: decoration only
TRACK = "#eef0f4"

#: Reply outcomes: each a colour at least 4.7:1 against the white panel (so white text on
#: it reads too) and, but for the first, a darker pattern, so they differ without colour.
OUTCOME_FILLS = {
    "on_time": "#1e6b3a",
    "late": "url(#pattern-late)",
    "open_overdue": "url(#pattern-open_overdue)",
    "open_within": "url(#pattern-open_within)",
}
#: Series colours for the bar charts (each at least 3:1 against the panel).
ACCENT = "#1f5f8b"
ACCENT_LIGHT = "#5b8db8"
OK = "#1e6b3a"
WARN = "#7a4d00"


def pattern_defs() -> Markup:
    """The patterns the outcome fills point at: once per page, hidden from readers."""
    return Markup(
        '<svg class="chart-defs" width="0" height="0" aria-hidden="true" focusable="false">'
        "<defs>"
        '<pattern id="pattern-late" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#b35c00"/>'
        '<rect width="3" height="8" fill="#7a3f00"/></pattern>'
        '<pattern id="pattern-open_overdue" width="7" height="7" patternUnits="userSpaceOnUse">'
        '<rect width="7" height="7" fill="#9b1c1c"/>'
        '<path d="M0 0L7 7M7 0L0 7" stroke="#5e0f0f" stroke-width="1.6"/></pattern>'
        '<pattern id="pattern-open_within" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#1f5f8b"/>'
        '<circle cx="3" cy="3" r="1.3" fill="#0f3a57"/></pattern>'
        "</defs></svg>"
    )


def swatch(fill: str) -> Markup:
    """A small square in a legend (beside the words that name it)."""
    return Markup(
        '<svg class="swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true" '
        'focusable="false"><rect width="14" height="14" rx="2" fill="{}"/></svg>'
    ).format(fill)


def _open(
    chart_id: str, title: str, desc: str, width: float, height: float, *, scale: float = 1.0
) -> Markup:
    """The chart's opening tag with its name and description. `width`/`height` are drawn
    at `scale` where there is room; CSS (`max-width: 100%`) shrinks them where there is
    not, keeping the proportions of the viewBox."""
    return Markup(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="{dw}" height="{dh}" preserveAspectRatio="xMinYMin meet" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(
        id=chart_id,
        w=_n(width),
        h=_n(height),
        dw=round(width * scale),
        dh=round(height * scale),
        title=title,
        desc=desc,
    )


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, size: int = 12, fill: str = INK, **attrs) -> Markup:
    extra = Markup("").join(
        Markup(' {}="{}"').format(name.replace("_", "-"), value) for name, value in attrs.items()
    )
    return Markup('<text x="{}" y="{}" font-size="{}" fill="{}"{}>{}</text>').format(
        _n(x), _n(y), size, fill, extra, text
    )


def nice_ceiling(value: float) -> float:
    """A round number at or above `value` for an axis: 7 → 8, 23 → 25, 130 → 150."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


# ---------------------------------------------------------------- stacked columns


@dataclass(frozen=True)
class Column:
    """One column of a stacked chart: its axis label (two short lines) and its segments
    from the bottom up, as (series key, value)."""

    label: str
    sublabel: str
    segments: Sequence[tuple[str, int]]
    #: Said in the segment's tooltip: "Mon 17 Nov".
    name: str = ""

    @property
    def total(self) -> int:
        return sum(value for _, value in self.segments)


def stacked_columns(
    chart_id: str,
    *,
    title: str,
    desc: str,
    columns: Sequence[Column],
    fills: dict[str, str],
    series_labels: dict[str, str],
    plot_height: int = 170,
) -> Markup:
    """Columns of stacked segments with the total above each column and each segment's
    value inside it where it fits."""
    slot = max(22.0, min(44.0, 600 / max(len(columns), 1)))
    left, right, top, bottom = 30, 6, 20, 38
    width = left + slot * max(len(columns), 1) + right
    height = top + plot_height + bottom
    peak = nice_ceiling(max((c.total for c in columns), default=0))
    scale = plot_height / peak
    parts = [_open(chart_id, title, desc, width, height, scale=1.1)]
    base = top + plot_height
    ticks = (0, peak / 2, peak) if peak >= 2 and (peak / 2) == int(peak / 2) else (0, peak)
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>').format(
                left, _n(width - right), _n(y), _n(y), GRID
            )
        )
        parts.append(_text(left - 4, y + 4, _n(tick), size=11, fill=MUTED, text_anchor="end"))
    bar = slot * 0.72
    for index, column in enumerate(columns):
        x = left + index * slot + (slot - bar) / 2
        y = base
        for key, value in column.segments:
            if value <= 0:
                continue
            h = value * scale
            y -= h
            what = series_labels.get(key, key)
            tooltip = f"{column.name or column.label}: {value} {what[:1].lower()}{what[1:]}"
            parts.append(
                Markup(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                    'stroke-width="1"><title>{}</title></rect>'
                ).format(_n(x), _n(y), _n(bar), _n(h), fills[key], tooltip)
            )
            if h >= 15 and bar >= 14:
                parts.append(
                    _text(
                        x + bar / 2,
                        y + h / 2 + 4,
                        str(value),
                        size=11,
                        fill="#ffffff",
                        text_anchor="middle",
                        font_weight="600",
                    )
                )
        if column.total:
            parts.append(
                _text(x + bar / 2, y - 5, str(column.total), size=12, text_anchor="middle")
            )
        parts.append(_text(x + bar / 2, base + 16, column.label, size=12, text_anchor="middle"))
        if column.sublabel:
            parts.append(
                _text(
                    x + bar / 2,
                    base + 31,
                    column.sublabel,
                    size=11,
                    fill=MUTED,
                    text_anchor="middle",
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


# ---------------------------------------------------------------- horizontal bars


@dataclass(frozen=True)
class Bar:
    value: float
    #: Printed at the end of the bar: "12 min", "7 drafts (58%)".
    text: str
    fill: str = ACCENT


@dataclass(frozen=True)
class BarGroup:
    """A label line and one or more bars under it."""

    label: str
    bars: Sequence[Bar] = field(default_factory=list)


def horizontal_bars(
    chart_id: str,
    *,
    title: str,
    desc: str,
    groups: Sequence[BarGroup],
    max_value: float | None = None,
    width: int = 340,
    min_span: int = 130,
    track: bool = False,
) -> Markup:
    """Bars from the left, each with its value in words at its end, under its label: read
    on a phone as easily as on a wide screen. `track` draws the full length behind each bar
    (for shares of a whole)."""
    longest = max((len(bar.text) for g in groups for bar in g.bars), default=4)
    room = 10 + longest * 7.2  # an estimate of the widest value text at 13 px
    span = max(width - room, min_span)
    widest_label = max((len(g.label) for g in groups), default=0) * 8.2
    width = max(width, round(span + room), round(widest_label))
    peak = max_value or max((bar.value for g in groups for bar in g.bars), default=0) or 1
    label_h, bar_h, bar_gap, group_gap = 19, 17, 5, 12
    height = 4 + sum(label_h + len(g.bars) * (bar_h + bar_gap) + group_gap for g in groups)
    parts = [_open(chart_id, title, desc, width, max(height, 24), scale=1.1)]
    y = 4
    for group in groups:
        parts.append(_text(0, y + 14, group.label, size=14, font_weight="600"))
        y += label_h
        for bar in group.bars:
            length = max(0.0, min(1.0, bar.value / peak)) * span
            if track:
                parts.append(
                    Markup('<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>').format(
                        _n(y), _n(span), bar_h, TRACK
                    )
                )
            if length > 0:
                parts.append(
                    Markup('<rect x="0" y="{}" width="{}" height="{}" rx="2" fill="{}"/>').format(
                        _n(y), _n(max(length, 2)), bar_h, bar.fill
                    )
                )
            text_x = (span if track else max(length, 2)) + 6
            parts.append(_text(text_x, y + bar_h - 4, bar.text, size=13))
            y += bar_h + bar_gap
        y += group_gap
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def stacked_rows(
    chart_id: str,
    *,
    title: str,
    desc: str,
    rows: Sequence[Column],
    fills: dict[str, str],
    series_labels: dict[str, str],
    width: int = 340,
) -> Markup:
    """The stacked columns turned on their side, one row per day or week, for narrow
    screens: the label on the left, the total at the end of the bar."""
    label_w = 12 + max((len(row.name or row.label) for row in rows), default=6) * 7.8
    total_w = 8 + max((len(str(row.total)) for row in rows), default=1) * 8.0
    span = max(width - label_w - total_w, 100)
    width = round(label_w + span + total_w)
    row_h, bar_h = 24, 17
    height = 6 + row_h * max(len(rows), 1)
    peak = max((row.total for row in rows), default=0) or 1
    parts = [_open(chart_id, title, desc, width, height, scale=1.0)]
    for index, row in enumerate(rows):
        y = 4 + index * row_h
        parts.append(_text(0, y + bar_h - 4, row.name or row.label, size=13))
        x = label_w
        for key, value in row.segments:
            if value <= 0:
                continue
            w = value / peak * span
            what = series_labels.get(key, key)
            parts.append(
                Markup(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                    'stroke-width="1"><title>{}</title></rect>'
                ).format(
                    _n(x),
                    _n(y),
                    _n(w),
                    bar_h,
                    fills[key],
                    f"{row.name or row.label}: {value} {what[:1].lower()}{what[1:]}",
                )
            )
            if w >= 9 + 7 * len(str(value)):
                parts.append(
                    _text(
                        x + w / 2,
                        y + bar_h - 4,
                        str(value),
                        size=12,
                        fill="#ffffff",
                        text_anchor="middle",
                        font_weight="600",
                    )
                )
            x += w
        parts.append(_text(x + 5, y + bar_h - 4, str(row.total), size=13))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
