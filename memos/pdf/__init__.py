"""Memo PDF rendering: plain data in (``memos.pdf.document``), PDF bytes out (``memos.pdf.render``).

``render`` imports WeasyPrint, so it is not imported here: ``from memos.pdf.render import render_memo``.
"""

from memos.pdf.document import (
    ImageEnclosure,
    MemoDocument,
    OpinionBlock,
    SignatureBlock,
    TableEnclosure,
)

__all__ = ["ImageEnclosure", "MemoDocument", "OpinionBlock", "SignatureBlock", "TableEnclosure"]
