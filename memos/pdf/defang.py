"""Copy an uploaded PDF's pages into the memo's PDF with nothing active left on them.

The pages keep what they show and lose what they could do. Each page is copied without its annotations
(``/Annots``: links, form widgets, file attachments, pop-ups) and without its actions (``/AA``); annotations
that show something (a filled form field, a stamp, a highlight) are first drawn into the page's content from
their appearance stream, so the page looks as it printed. Then every object the copied page reaches is walked
and any action, script, embedded file or form left anywhere is removed (``scrub``).

The uploaded file's catalog (``/OpenAction``, the ``/JavaScript`` and ``/EmbeddedFiles`` name trees,
``/AcroForm``, ``/URI``) is never copied: only pages are. The original file stays as the memo's enclosure,
byte for byte, downloadable as an attachment.
"""

from __future__ import annotations

import io
from typing import Final

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

#: Page entries never copied: annotations and page actions (both re-checked by ``scrub``), article beads.
PAGE_EXCLUDED: Final = ("/Annots", "/AA", "/B")

#: Entries removed wherever they appear in what a copied page reaches.
DANGEROUS_KEYS: Final = frozenset(
    {
        "/AA",  # additional actions (page open/close, field keystrokes, ...)
        "/OpenAction",
        "/JS",
        "/JavaScript",
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded file streams
        "/AcroForm",
        "/Annots",
        "/URI",
        "/RichMediaContent",
    }
)

#: Action types (the ``/S`` of an action dictionary, PDF 2.0 table 201).
ACTION_TYPES: Final = frozenset(
    {
        "/GoTo",
        "/GoToR",
        "/GoToE",
        "/GoToDp",
        "/Launch",
        "/Thread",
        "/URI",
        "/Sound",
        "/Movie",
        "/Hide",
        "/Named",
        "/SubmitForm",
        "/ResetForm",
        "/ImportData",
        "/JavaScript",
        "/SetOCGState",
        "/Rendition",
        "/Trans",
        "/GoTo3DView",
        "/RichMediaExecute",
    }
)

#: Annotations whose appearance is not drawn into the page: links (an invisible rectangle or a border),
#: pop-ups (a note's window), file attachments (a paper-clip icon for a file that is not kept), media.
_NOT_DRAWN: Final = frozenset(
    {"/Link", "/Popup", "/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia"}
)
_HIDDEN: Final = 1 << 1  # annotation flag bit 2
_NO_VIEW: Final = 1 << 5  # bit 6
#: Containers walked per page before the page is given up as unreadable (the upload check bounds it too).
MAX_OBJECTS: Final = 200_000


class UnsafePdf(Exception):
    """An uploaded PDF that cannot be defanged (too many objects to walk)."""


def append_defanged_pages(writer: PdfWriter, content: bytes) -> int:
    """Append every page of the PDF ``content`` to ``writer``, defanged; the number of pages appended."""
    reader = PdfReader(io.BytesIO(content), strict=False)
    count = 0
    for page in reader.pages:
        drawn = _appearances(page)
        copied = writer.add_page(page, excluded_keys=PAGE_EXCLUDED)
        _draw(writer, copied, drawn)
        scrub(copied)
        count += 1
    return count


# Drawing the annotations that show something ----------------------------------------------------------


def _numbers(value: PdfObject | None, count: int) -> list[float] | None:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if not isinstance(value, ArrayObject) or len(value) != count:
        return None
    try:
        return [float(v.get_object()) for v in value]
    except (TypeError, ValueError):
        return None


def _appearance(annotation: DictionaryObject) -> StreamObject | None:
    """The annotation's normal appearance (for a check box or radio button, the one of its state ``/AS``)."""
    appearances = annotation.get("/AP")
    appearances = appearances.get_object() if appearances is not None else None
    if not isinstance(appearances, DictionaryObject):
        return None
    normal = appearances.get("/N")
    normal = normal.get_object() if normal is not None else None
    if isinstance(normal, DictionaryObject) and not isinstance(normal, StreamObject):
        state = annotation.get("/AS")
        normal = normal.get(state).get_object() if state is not None and state in normal else None  # type: ignore[union-attr]
    return normal if isinstance(normal, StreamObject) else None


def _placement(annotation: DictionaryObject, stream: StreamObject) -> list[float] | None:
    """The ``cm`` matrix that fits the appearance's box (its /BBox through its /Matrix) onto the annotation's
    /Rect (PDF 2.0, 12.5.5): a scale and a translation."""
    rect = _numbers(annotation.get("/Rect"), 4)
    bbox = _numbers(stream.get("/BBox"), 4)
    matrix = _numbers(stream.get("/Matrix"), 6) or [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    if rect is None or bbox is None:
        return None
    a, b, c, d, e, f = matrix
    corners = [(x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    box_w, box_h = max(xs) - min(xs), max(ys) - min(ys)
    x0, x1 = sorted((rect[0], rect[2]))
    y0, y1 = sorted((rect[1], rect[3]))
    if box_w <= 0 or box_h <= 0 or x1 <= x0 or y1 <= y0:
        return None
    sx, sy = (x1 - x0) / box_w, (y1 - y0) / box_h
    return [sx, 0.0, 0.0, sy, x0 - min(xs) * sx, y0 - min(ys) * sy]


def _appearances(page: DictionaryObject) -> list[tuple[StreamObject, list[float]]]:
    """The visible annotations of ``page`` as (appearance stream, placement), in their order."""
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    if not isinstance(annotations, ArrayObject):
        return []
    drawn = []
    for item in annotations:
        annotation = item.get_object()
        if not isinstance(annotation, DictionaryObject) or annotation.get("/Subtype") in _NOT_DRAWN:
            continue
        flags = annotation.get("/F", 0)
        flags = flags.get_object() if isinstance(flags, IndirectObject) else flags
        if isinstance(flags, int) and flags & (_HIDDEN | _NO_VIEW):
            continue
        stream = _appearance(annotation)
        placement = _placement(annotation, stream) if stream is not None else None
        if stream is not None and placement is not None:
            drawn.append((stream, placement))
    return drawn


def _child_dict(parent: DictionaryObject, key: str) -> DictionaryObject:
    """``parent[key]`` as a dictionary, created (or replacing a value that is not one) when missing."""
    child = parent.get(key)
    child = child.get_object() if child is not None else None
    if not isinstance(child, DictionaryObject):
        child = DictionaryObject()
        parent[NameObject(key)] = child
    return child


def resource_dict(page: DictionaryObject, kind: str) -> DictionaryObject:
    """The page's ``/Resources`` sub-dictionary ``kind`` (``"/XObject"``, ``"/ExtGState"``...), created when
    missing, so something drawn on the page can name its resources."""
    return _child_dict(_child_dict(page, "/Resources"), kind)


def _draw(writer: PdfWriter, page: DictionaryObject, drawn: list[tuple[StreamObject, list[float]]]) -> None:
    """Draw each appearance as a form XObject after the page's own content (wrapped in q/Q, so whatever state
    the page's content leaves does not move them)."""
    if not drawn:
        return
    xobjects = resource_dict(page, "/XObject")
    commands = ["Q"]
    for index, (stream, placement) in enumerate(drawn):
        form = stream.clone(writer)
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        name = f"/MemoflowAp{index}"
        while name in xobjects:
            name += "x"
        reference = form.indirect_reference or writer._add_object(form)
        xobjects[NameObject(name)] = reference
        matrix = " ".join(f"{FloatObject(v)}" for v in placement)
        commands.append(f"q {matrix} cm {name} Do Q")
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(("\n" + "\n".join(commands) + "\n").encode("ascii"))
    existing = page.get("/Contents")
    existing_object = existing.get_object() if existing is not None else None
    parts: list[PdfObject] = [writer._add_object(before)]
    if isinstance(existing_object, ArrayObject):
        parts.extend(existing_object)
    elif existing is not None:
        parts.append(existing)
    parts.append(writer._add_object(after))
    page[NameObject("/Contents")] = ArrayObject(parts)


# The walk ------------------------------------------------------------------------------------------------


def _is_action(value: object) -> bool:
    if not isinstance(value, DictionaryObject):
        return False
    kind = value.get("/S")
    kind = kind.get_object() if isinstance(kind, IndirectObject) else kind
    return value.get("/Type") == "/Action" or (isinstance(kind, NameObject) and kind in ACTION_TYPES)


def scrub(root: PdfObject) -> int:
    """Remove, from every dictionary reachable from ``root``, the entries in ``DANGEROUS_KEYS`` and every entry
    whose value is an action; the number of entries removed. Walks each indirect object once."""
    removed = 0
    stack: list[PdfObject] = [root]
    visited: set[int] = set()
    walked = 0
    while stack:
        node: PdfObject | None = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in visited:
                continue
            visited.add(node.idnum)
            node = node.get_object()
        walked += 1
        if walked > MAX_OBJECTS:
            raise UnsafePdf("too many objects")
        if isinstance(node, DictionaryObject):  # streams included
            for key in list(node.keys()):
                value = node.raw_get(key)
                resolved = value.get_object() if isinstance(value, IndirectObject) else value
                if key in DANGEROUS_KEYS or _is_action(resolved):
                    del node[key]
                    removed += 1
                elif key != "/Parent" and isinstance(value, IndirectObject | DictionaryObject | ArrayObject):
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(v for v in node if isinstance(v, IndirectObject | DictionaryObject | ArrayObject))
    return removed
