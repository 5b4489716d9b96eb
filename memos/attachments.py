"""Decide whether an uploaded enclosure may be stored, judging by its content and never by its name.

Only PDF, PNG and JPEG are accepted, and a file whose content is not what its name or declared type says is
refused. PDFs must parse completely (within a bound on their objects) and must not be encrypted; images must be
within the pixel limit and intact. Every refusal is a ``ValidationFailed`` on the ``file`` field, worded for
the clerk who uploaded the file.

A PDF's active content (JavaScript, actions, links, forms, embedded files) is not a reason to refuse it: the
original is kept byte for byte (its SHA-256 is in the signed revision) and offered only as a download, and the
pages that go into the memo's PDF are defanged when it is rendered (``memos.pdf.defang``).
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from typing import IO, Final, cast

from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from core.errors import ValidationFailed

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 50_000_000
#: PDF readers accept the ``%PDF-`` header anywhere in the first kilobyte.
PDF_HEADER_WINDOW: Final = 1024
#: Containers (dictionaries, arrays, indirect objects) walked in one PDF before it is refused as unreadable.
PDF_MAX_OBJECTS: Final = 200_000

_CHUNK: Final = 1024 * 1024
_MB: Final = 1024 * 1024
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE: Final = b"\xff\xd8\xff"


@dataclass(frozen=True)
class _Kind:
    name: str
    label: str
    content_type: str
    extension: str


_PDF: Final = _Kind("pdf", "PDF", "application/pdf", ".pdf")
_PNG: Final = _Kind("png", "PNG", "image/png", ".png")
_JPEG: Final = _Kind("jpeg", "JPEG", "image/jpeg", ".jpg")

_BY_EXTENSION: Final[dict[str, _Kind]] = {
    ".pdf": _PDF,
    ".png": _PNG,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".jpe": _JPEG,
}
#: Declared content types that claim an accepted kind; any other (octet-stream, empty) claims nothing.
_BY_CONTENT_TYPE: Final[dict[str, _Kind]] = {
    "application/pdf": _PDF,
    "image/png": _PNG,
    "image/x-png": _PNG,
    "image/jpeg": _JPEG,
    "image/jpg": _JPEG,
    "image/pjpeg": _JPEG,
}


@dataclass(frozen=True)
class InspectedFile:
    """What an accepted upload turned out to be."""

    kind: str  # "pdf" | "png" | "jpeg"
    content_type: str  # "application/pdf" | "image/png" | "image/jpeg"
    extension: str  # ".pdf" | ".png" | ".jpg"
    size: int
    sha256: str  # hex of the whole content
    pages: int | None  # PDFs
    width: int | None  # images (pixels)
    height: int | None


def _refuse(message: str | Promise) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def _interpolate(message: Promise, **params: str) -> Promise:
    """``message % params``, still translated only when shown (in the reader's language)."""

    def render() -> str:
        return str(message) % params

    return cast(Promise, lazy(render, str)())


def _max_bytes() -> int:
    return int(getattr(settings, "MEMOFLOW_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _max_pixels() -> int:
    return int(getattr(settings, "MEMOFLOW_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _decimal(value: float) -> str:
    """``20`` rather than ``20.0``, otherwise one decimal place."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _too_large(limit: int) -> ValidationFailed:
    message = _("This file is too large. Files can be at most %(limit)s MB.")
    return _refuse(_interpolate(message, limit=_decimal(math.floor(limit / _MB * 10) / 10)))


def _read_all(data: bytes | IO[bytes], limit: int) -> tuple[bytes, str]:
    """The content and its SHA-256, refusing as soon as more than ``limit`` bytes have been read."""
    if isinstance(data, bytes):
        if len(data) > limit:
            raise _too_large(limit)
        return data, hashlib.sha256(data).hexdigest()
    seekable = bool(getattr(data, "seekable", lambda: False)())
    if seekable:
        data.seek(0)
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    try:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
            buffer.write(chunk)
            if buffer.tell() > limit:
                raise _too_large(limit)
    finally:
        if seekable:
            data.seek(0)
    return buffer.getvalue(), digest.hexdigest()


def _sniff(content: bytes) -> _Kind:
    if content.startswith(_PNG_SIGNATURE):
        return _PNG
    if content.startswith(_JPEG_SIGNATURE):
        return _JPEG
    if b"%PDF-" in content[:PDF_HEADER_WINDOW]:
        return _PDF
    raise _refuse(_("Only PDF, PNG and JPEG files can be attached."))


def _check_claims(kind: _Kind, filename: str, declared_content_type: str | None) -> None:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    claims = [
        _BY_EXTENSION.get(f".{extension.lower()}") if dot and stem else None,
        _BY_CONTENT_TYPE.get((declared_content_type or "").split(";", 1)[0].strip().lower()),
    ]
    for claimed in claims:
        if claimed is not None and claimed != kind:
            message = _("The file's content is %(actual)s but it is named or sent as %(claimed)s.")
            raise _refuse(_interpolate(message, actual=kind.label, claimed=claimed.label))


# PDF ------------------------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """The PDF could not be parsed or walked completely."""


def _walk(reader: PdfReader) -> None:
    """Resolve every object reachable from the trailer and listed in the cross-reference tables, each indirect
    object once, so that a PDF the renderer would choke on is refused now; more than ``PDF_MAX_OBJECTS``
    containers, or nesting too deep for the parser, is unreadable."""
    listed = sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)
    if listed > PDF_MAX_OBJECTS:
        raise _Unreadable("too many objects")
    stack: list[object] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(int(number), int(generation), reader) for number in numbers)
    stack.extend(IndirectObject(int(number), 0, reader) for number in reader.xref_objStm)
    visited: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        node = stack.pop()
        walked += 1
        if walked > PDF_MAX_OBJECTS:
            raise _Unreadable("too many objects")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key not in visited:
                visited.add(key)
                stack.append(node.get_object())
        elif isinstance(node, DictionaryObject):  # stream dictionaries included
            stack.extend(value for value in dict.values(node) if _is_container(value))
        elif isinstance(node, ArrayObject):
            stack.extend(value for value in node if _is_container(value))


def _is_container(value: object) -> bool:
    return isinstance(value, IndirectObject | DictionaryObject | ArrayObject)


def _inspect_pdf(content: bytes) -> int:
    """The page count of an acceptable PDF."""
    unreadable = _("This file starts like a PDF but cannot be read as one.")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refuse(_("Encrypted or password-protected PDFs cannot be attached."))
        _walk(reader)
        pages = len(reader.pages)
    except ValidationFailed:
        raise
    except Exception as error:  # any parser failure on untrusted input means "unreadable"
        raise _refuse(unreadable) from error
    if pages < 1:
        raise _refuse(unreadable)
    return pages


# Images ---------------------------------------------------------------------------------------------------


def _megapixels(pixels: int, *, round_up: bool) -> str:
    tenths = pixels / 100_000
    return _decimal((math.ceil(tenths) if round_up else math.floor(tenths)) / 10)


def _too_many_pixels(pixels: int, limit: int) -> ValidationFailed:
    message = _("The image is %(megapixels)s megapixels; the limit is %(limit)s.")
    return _refuse(
        _interpolate(
            message,
            megapixels=_megapixels(pixels, round_up=True),
            limit=_megapixels(limit, round_up=False),
        )
    )


def _damaged() -> ValidationFailed:
    return _refuse(_("This image file is damaged or incomplete."))


def _open_image(content: bytes, kind: _Kind) -> Image.Image:
    """Parse the image header only: no pixels are decoded.

    The format's own class is used rather than ``Image.open`` so that Pillow's process-wide decompression-bomb
    check (``Image.MAX_IMAGE_PIXELS``) does not interfere; the limit that applies is ours.
    """
    stream = io.BytesIO(content)
    if kind is _PNG:
        return PngImagePlugin.PngImageFile(stream)
    return JpegImagePlugin.JpegImageFile(stream)


def _inspect_image(content: bytes, kind: _Kind) -> tuple[int, int]:
    """Width and height of an acceptable image."""
    limit = _max_pixels()
    try:
        with _open_image(content, kind) as image:
            width, height = image.size
            detected = image.format
    except Exception as error:  # any parser failure on untrusted input means "damaged"
        raise _damaged() from error
    if detected != kind.label or width < 1 or height < 1:
        raise _damaged()
    if width * height > limit:
        raise _too_many_pixels(width * height, limit)
    try:
        with _open_image(content, kind) as image:
            image.verify()  # PNG: every chunk and its checksum, up to IEND
        if kind is _JPEG:
            # Pillow's verify() does not read JPEG data; decode it at 1/8 scale to find truncation cheaply.
            with _open_image(content, kind) as image:
                image.draft(image.mode, (1, 1))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(width * height, limit) from error
    except Exception as error:
        raise _damaged() from error
    return width, height


# Public API -----------------------------------------------------------------------------------------------


def inspect_upload(
    data: bytes | IO[bytes], *, filename: str = "", declared_content_type: str | None = None
) -> InspectedFile:
    """Check an upload and describe it, or raise ``ValidationFailed`` saying why it cannot be attached.

    ``data`` is the content or a binary file object; a file object is read from the start in chunks and,
    if seekable, left at position 0. ``filename`` and ``declared_content_type`` are only compared with the
    content: they never make a file acceptable.
    """
    content, sha256 = _read_all(data, _max_bytes())
    if not content:
        raise _refuse(_("This file is empty."))
    kind = _sniff(content)
    _check_claims(kind, filename, declared_content_type)
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    if kind is _PDF:
        pages = _inspect_pdf(content)
    else:
        width, height = _inspect_image(content, kind)
    return InspectedFile(
        kind=kind.name,
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(content),
        sha256=sha256,
        pages=pages,
        width=width,
        height=height,
    )
