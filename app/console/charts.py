"""Server-rendered SVG charts for the dashboard: no script, no inline style (the console's
Content-Security-Policy allows neither), presentation attributes and CSS classes only. Each chart
is an <svg role="img"> with a <title> and a text alternative beside it in the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 48
PAD_BOTTOM = 28
PAD_TOP = 12
PAD_RIGHT = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    css: str = "bar"
    tip: str = ""


def _num(value: Decimal | int | float) -> float:
    return float(value)


def _nice_max(top: float) -> float:
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return top


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.2f}"


def column_chart(title: str, bars: Sequence[Bar], *, every: int = 1) -> Markup:
    """Vertical bars over a category axis (days); every `every`-th label is written."""
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max((_num(b.value) for b in bars), default=0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + inner_h - inner_h * i / 4
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
    slot = inner_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        h = inner_h * _num(bar.value) / top
        x = PAD_LEFT + i * slot + slot * 0.15
        y = PAD_TOP + inner_h - h
        tip = escape(bar.tip or f"{bar.label}: {bar.value}")
        parts.append(
            f'<rect class="{escape(bar.css)}" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}"'
            f' height="{h:.1f}"><title>{tip}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 8}"'
                f' text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one labelled row each (orders by status)."""
    row = 26
    label_w = 150
    height = PAD_TOP * 2 + row * max(len(bars), 1)
    inner_w = WIDTH - label_w - PAD_RIGHT - 60
    top = max((_num(b.value) for b in bars), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = PAD_TOP + i * row
        w = max(inner_w * _num(bar.value) / top, 1 if bar.value else 0)
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="{escape(bar.css)}" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}">'
            f"<title>{escape(bar.tip or f'{bar.label}: {bar.value}')}</title></rect>"
            f'<text class="value" x="{label_w + w + 6:.1f}" y="{y + 17}">{escape(str(bar.value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> Markup:
    """One bar per row split into segments ((css class, count), ...) by share (webhook health)."""
    row = 30
    label_w = 170
    height = PAD_TOP * 2 + row * max(len(rows), 1)
    inner_w = WIDTH - label_w - PAD_RIGHT - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, segments) in enumerate(rows):
        y = PAD_TOP + i * row
        total = sum(n for _, n in segments) or 1
        x = float(label_w)
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>'
        )
        for css, n in segments:
            w = inner_w * n / total
            if w <= 0:
                continue
            parts.append(
                f'<rect class="{escape(css)}" x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{row - 10}">'
                f"<title>{escape(label)}: {n} {escape(css)}</title></rect>"
            )
            x += w
        delivered = dict(segments).get("delivered", 0)
        failed = dict(segments).get("failed", 0)
        done = delivered + failed
        rate = f"{100 * delivered / done:.0f}%" if done else "-"
        parts.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 19}">{rate}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
