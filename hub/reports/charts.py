"""Charts drawn on the server as plain SVG: no script, readable in print and in a PDF.

Each chart is a ``<svg role="img">`` with a title for screen readers; the table beside it holds
the same numbers. Colours keep 4.5:1 contrast against white for the labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

INK = "#1b2430"
MUTED = "#4f5a66"
BAR = "#0b5cad"
BAR_ALT = "#0b6e4f"
GRID = "#d9dde2"
FONT = 'font-family="Noto Sans, DejaVu Sans, sans-serif"'


def _nice_top(value: float) -> float:
    """A round axis top at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for m in (1, 2, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


def _quarter_top(value: float) -> int:
    """An axis top at or above ``value`` whose quarters are whole numbers (4, 8, 12, 20, 40 …)."""
    scale = 1
    while True:
        for m in (4, 8, 12, 20):
            if m * scale >= value:
                return m * scale
        scale *= 10


def hbars(
    items: Sequence[tuple[str, float | None]], title: str, fmt: Callable[[float | None], str],
    width: int = 560, colour: str = BAR, top: float | None = None,
) -> Markup:  # fmt: skip
    """Horizontal bars, one per (label, value), the value written at the bar's end."""
    if not items:
        return Markup("")  # the table beside says there is nothing
    bar_h, gap, label_w, pad = 18, 8, 170, 60
    height = max(1, len(items)) * (bar_h + gap) + gap
    axis = top or _nice_top(max((v or 0) for _, v in items) if items else 0)
    span = width - label_w - pad
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_h + gap)
        w = 0 if not value else max(1, round(span * value / axis))
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{INK}">'
            f"{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" fill="{INK}">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    values: Sequence[int], labels: Sequence[str], title: str, fmt: Callable[[float | None], str],
    width: int = 560, height: int = 200, colour: str = BAR,
) -> Markup:  # fmt: skip
    """Vertical columns (arrivals by hour): values over labels, with a few grid lines."""
    left, bottom, top_pad = 44, 22, 8
    axis = _quarter_top(max(values) if values else 0)
    plot_w, plot_h = width - left - 4, height - bottom - top_pad
    step = plot_w / max(1, len(values))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for g in range(5):
        y = top_pad + plot_h - plot_h * g / 4
        tick = axis * g / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(fmt(tick))}</text>"
        )
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        h = plot_h * value / axis
        x = left + i * step
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{top_pad + plot_h - h:.1f}" width="{step - 4:.1f}"'
            f' height="{h:.1f}" fill="{colour}"><title>{escape(label)}: {escape(fmt(value))}'
            "</title></rect>"
            f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle"'
            f' fill="{MUTED}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
