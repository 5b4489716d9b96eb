"""Bar charts drawn by memoflow itself: inline SVG made on the server (no JavaScript, nothing from a CDN).

Each bar's label sits on its own line above the bar, so long Thai names and position titles stay readable on
a 360 px phone; the SVG scales to the width of its box. The chart is a picture of the table printed beside it
(the accessible version: screen readers read the table, the SVG is labelled as its picture).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH: Final = 320
ROW: Final = 40  # label line + bar
BAR: Final = 16
LABEL_Y: Final = 14


def bar_chart(*, bars: Sequence[Any], label: str, css_class: str = "") -> SafeString:
    """An SVG of horizontal bars for `bars` (objects with `.label`, `.value` and `.text`, the value as
    shown), labelled `label` for assistive technology; empty when there is nothing to draw."""
    if not bars:
        return SafeString("")
    top = max((float(b.value) for b in bars), default=0.0) or 1.0
    height = ROW * len(bars) + 4
    rows = []
    for index, bar in enumerate(bars):
        y = index * ROW
        share = max(float(bar.value), 0.0) / top
        width = round((WIDTH - 110) * share, 1)
        shown = bar.text or str(bar.value)
        rows.append(
            (
                y + LABEL_Y,
                bar.label,
                y + LABEL_Y + 6,
                BAR,
                max(width, 1.0) if bar.value else 0,
                width + 6,
                y + LABEL_Y + 6 + BAR - 4,
                shown,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect x="0" y="{}" height="{}" width="{}" class="chart-bar" rx="2"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        css_class,
        WIDTH,
        height,
        label,
        body,
    )
