"""One /ActualText span per run of text boxes that continue each other on a line.

WeasyPrint draws each inline text box on its own (a ``nowrap`` span, a ``<b>``, the text after them are
separate boxes on one line), and ``text_layer`` wraps each drawn box in a ``/Span <</ActualText …>> BDC …
EMC``. Poppler (``pdftotext``, evince, okular) turns each ActualText span into one unit whose extent runs from
its first glyph's origin to its last glyph's origin plus that glyph's /W advance: the TJ adjustments after the
last glyph do not count. When a box ends with a mark the font moves left (SARA II of "ประจําปี" sits 0.127 em
left of the pen, with zero advance), the span ends short of where the next box begins, and poppler reads that
gap (over 0.1 em: ``minWordBreakSpace`` in ``TextOutputDev.cc``) as a space: "ประจําปี งบประมาณ", which a
search for "ประจําปีงบประมาณ" does not find. docs/pdf-text.md has the measurements.

So a box that continues the previous one — drawn right after it in the same text object (nothing but
WeasyPrint's own ET/BT merge between them), on the same baseline, starting where the previous one's advance
ended — joins its span: the previous EMC is taken back, the span's ActualText grows by this box's text, and the
span closes after this box. Everything else (another line, a gap, a colour change, an underline, a q/Q, an
image) starts a new span, so spans never cross BT/ET or q/Q and stay properly nested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pydyf

#: How far (in PDF units) a box may start from the previous box's end and still continue it: rounding only.
CONTINUITY: Final = 0.01


@dataclass
class _Span:
    properties: pydyf.Dictionary
    text: str
    end: int  # len(stream.stream) right after this span's EMC
    y: float
    x_end: float


def _open_span(stream: Any) -> _Span | None:
    span: _Span | None = getattr(stream, "_memoflow_line_span", None)
    return span


def begin(stream: Any, text: str, x: float, y: float) -> None:
    """Open a span for a box drawn at (``x``, ``y``) spelling ``text``, or reopen the previous box's span when
    this box continues it."""
    span = _open_span(stream)
    items = stream.stream
    if (
        span is not None
        and len(items) == span.end
        and items[-1] == b"EMC"
        and abs(y - span.y) <= CONTINUITY
        and abs(x - span.x_end) <= CONTINUITY
    ):
        items.pop()
        span.text += text
        span.properties["ActualText"] = pydyf.String(span.text)
        return
    properties = pydyf.Dictionary({"ActualText": pydyf.String(text)})
    stream.begin_marked_content("Span", properties)
    stream._memoflow_line_span = _Span(properties, text, -1, y, x)


def end(stream: Any, x_end: float) -> None:
    """Close the span; the box's advance ended at ``x_end``."""
    stream.end_marked_content()
    span = _open_span(stream)
    if span is not None:
        span.end = len(stream.stream)
        span.x_end = x_end
