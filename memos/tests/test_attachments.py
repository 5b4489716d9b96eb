"""memos.attachments: which uploaded files may be stored as enclosures, judged by content, and what the clerk
is told when one is refused. Every input is built here; none needs the database."""

import hashlib
import io
import struct
import zipfile
import zlib
from typing import IO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from PIL import Image
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.errors import ValidationFailed
from memos import attachments
from memos.attachments import InspectedFile, inspect_upload
from tests.builders import image_bytes as make_image
from tests.builders import pdf_bytes as make_pdf

MB = 1024 * 1024

NOT_ALLOWED = "Only PDF, PNG and JPEG files can be attached."
PDF_UNREADABLE = "This file starts like a PDF but cannot be read as one."
PDF_ENCRYPTED = "Encrypted or password-protected PDFs cannot be attached."
IMAGE_DAMAGED = "This image file is damaged or incomplete."


# Building inputs ------------------------------------------------------------------------------------------


def raw_pdf(*objects: bytes, header: bytes = b"%PDF-1.7\n") -> bytes:
    """A PDF written byte by byte (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A structurally valid PNG that claims the given size but carries (almost) no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


def refusal(data: bytes | IO[bytes], *, filename: str = "", declared_content_type: str | None = None) -> str:
    """The English message a clerk is shown for this upload; it is also the `file` field's only error."""
    with override("en"), pytest.raises(ValidationFailed) as caught:
        inspect_upload(data, filename=filename, declared_content_type=declared_content_type)
    error = caught.value
    with override("en"):
        message = str(error.message)
        assert [str(m) for m in error.fields["file"]] == [message]
    assert list(error.fields) == ["file"]
    return message


# Accepted files -------------------------------------------------------------------------------------------


def test_pdf_is_accepted_and_described():
    data = make_pdf(pages=3)
    assert inspect_upload(data, filename="หนังสือเวียน.pdf", declared_content_type="application/pdf") == (
        InspectedFile(
            kind="pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            pages=3,
            width=None,
            height=None,
        )
    )


def test_png_is_accepted_with_its_dimensions():
    data = make_image("PNG", size=(30, 20))
    assert inspect_upload(data, filename="chart.png", declared_content_type="image/png") == InspectedFile(
        kind="png",
        content_type="image/png",
        extension=".png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=None,
        width=30,
        height=20,
    )


@pytest.mark.parametrize("filename", ["photo.jpg", "PHOTO.JPEG", "photo.jpe"])
def test_jpeg_is_accepted_with_its_dimensions_and_stored_as_jpg(filename):
    data = make_image("JPEG", size=(64, 48))
    inspected = inspect_upload(data, filename=filename, declared_content_type="image/jpeg")
    assert (inspected.kind, inspected.content_type, inspected.extension) == ("jpeg", "image/jpeg", ".jpg")
    assert (inspected.width, inspected.height, inspected.pages) == (64, 48, None)
    assert inspected.size == len(data)
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("filename", "declared"),
    [
        ("scan", None),
        ("scan", "application/octet-stream"),
        ("scan.tmp", ""),
        ("", None),
    ],
)
def test_png_without_a_known_extension_is_accepted_by_its_content(filename, declared):
    inspected = inspect_upload(make_image("PNG"), filename=filename, declared_content_type=declared)
    assert (inspected.kind, inspected.extension) == ("png", ".png")


def test_pdf_named_with_another_extension_is_stored_as_pdf():
    inspected = inspect_upload(make_pdf(), filename="memo.docx", declared_content_type="application/msword")
    assert (inspected.kind, inspected.extension, inspected.content_type) == ("pdf", ".pdf", "application/pdf")


def test_declared_content_type_parameters_and_case_are_ignored():
    inspected = inspect_upload(make_pdf(), declared_content_type="Application/PDF; charset=binary")
    assert inspected.kind == "pdf"


def test_pdf_header_after_leading_junk_within_1024_bytes_is_accepted():
    inspected = inspect_upload(b"\r\n" * 100 + make_pdf())
    assert (inspected.kind, inspected.pages) == ("pdf", 1)


def test_pdf_with_embedded_file_is_accepted():
    data = make_pdf(build=lambda writer: writer.add_attachment("table.csv", b"a,b\n1,2\n"))
    assert inspect_upload(data).pages == 1


def test_file_object_is_read_from_the_start_and_left_at_the_start():
    data = make_image("PNG")
    upload = io.BytesIO(data)
    upload.seek(7)
    inspected = inspect_upload(upload)
    assert inspected.size == len(data)
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.tell() == 0


def test_django_uploaded_file_is_inspected_and_rewound():
    data = make_pdf(pages=2)
    upload = SimpleUploadedFile("บันทึก.pdf", data, content_type="application/pdf")
    inspected = inspect_upload(upload, filename=upload.name or "", declared_content_type=upload.content_type)
    assert (inspected.kind, inspected.pages, inspected.size) == ("pdf", 2, len(data))
    assert upload.read() == data


class OneWayStream(io.RawIOBase):
    """A non-seekable upload stream; `endless` streams never end (they repeat a PNG signature and zeros)."""

    def __init__(self, data: bytes = b"", *, endless: bool = False) -> None:
        self.data = data
        self.endless = endless
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.endless:
            chunk = (b"\x89PNG\r\n\x1a\n" if self.position == 0 else b"") + bytes(len(buffer))
            chunk = chunk[: len(buffer)]
        else:
            chunk = self.data[self.position : self.position + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


def test_non_seekable_stream_is_accepted():
    data = make_image("JPEG")
    inspected = inspect_upload(io.BufferedReader(OneWayStream(data)))
    assert (inspected.kind, inspected.size, inspected.sha256) == (
        "jpeg",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )


def test_file_exactly_at_the_size_limit_is_accepted(settings):
    data = make_image("PNG")
    settings.MEMOFLOW_ATTACHMENT_MAX_BYTES = len(data)
    assert inspect_upload(data).size == len(data)


# Refused: emptiness, size, type ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", io.BytesIO(b"")], ids=["bytes", "file"])
def test_empty_file_is_refused(data):
    assert refusal(data, filename="scan.pdf") == "This file is empty."


def test_file_over_the_size_limit_is_refused_with_the_limit_in_mb(settings):
    settings.MEMOFLOW_ATTACHMENT_MAX_BYTES = 1 * MB
    data = make_image("PNG") + bytes(MB)
    assert refusal(data) == "This file is too large. Files can be at most 1 MB."
    assert refusal(io.BytesIO(data)) == "This file is too large. Files can be at most 1 MB."


def test_default_size_limit_is_20_mb(settings):
    del settings.MEMOFLOW_ATTACHMENT_MAX_BYTES  # the module falls back to its default
    data = b"%PDF-1.7\n" + bytes(20 * MB)
    assert refusal(data) == "This file is too large. Files can be at most 20 MB."


def test_endless_upload_is_refused_without_reading_it_all(settings):
    settings.MEMOFLOW_ATTACHMENT_MAX_BYTES = 2 * MB
    stream = OneWayStream(endless=True)
    assert refusal(io.BufferedReader(stream)) == "This file is too large. Files can be at most 2 MB."
    assert stream.position <= 4 * MB


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param(make_image("GIF"), "picture.gif", id="gif"),
        pytest.param(make_image("GIF"), "picture.png", id="gif-named-png"),
        pytest.param(make_image("BMP"), "picture.jpg", id="bmp-named-jpg"),
        pytest.param(zip_file(), "memo.docx", id="docx"),
        pytest.param(zip_file(), "memo.pdf", id="zip-named-pdf"),
        pytest.param(
            b"MZ\x90\x00" + bytes(60) + b"This program cannot be run in DOS mode", "setup.exe", id="exe"
        ),
        pytest.param("เรียน ผู้อำนวยการ".encode(), "memo.txt", id="text"),
        pytest.param(b"<html><script>alert(1)</script></html>", "memo.pdf", id="html-named-pdf"),
        pytest.param(bytes(1024) + make_pdf(), "late-header.pdf", id="pdf-header-after-1024-bytes"),
    ],
)
def test_other_kinds_of_file_are_refused(data, filename):
    assert refusal(data, filename=filename) == NOT_ALLOWED


# Refused: content does not match the name or declared type ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "declared", "message"),
    [
        pytest.param(
            make_pdf(),
            "scan.png",
            None,
            "The file's content is PDF but it is named or sent as PNG.",
            id="pdf-as-png",
        ),
        pytest.param(
            make_image("JPEG"),
            "photo.pdf",
            None,
            "The file's content is JPEG but it is named or sent as PDF.",
            id="jpeg-as-pdf",
        ),
        pytest.param(
            make_image("JPEG"),
            "photo",
            "application/pdf",
            "The file's content is JPEG but it is named or sent as PDF.",
            id="jpeg-sent-as-pdf",
        ),
        pytest.param(
            make_image("PNG"),
            "chart.JPG",
            "image/png",
            "The file's content is PNG but it is named or sent as JPEG.",
            id="png-named-jpg",
        ),
        pytest.param(
            make_image("PNG"),
            "chart.png",
            "image/jpeg",
            "The file's content is PNG but it is named or sent as JPEG.",
            id="png-sent-as-jpeg",
        ),
    ],
)
def test_content_that_differs_from_its_name_or_declared_type_is_refused(data, filename, declared, message):
    assert refusal(data, filename=filename, declared_content_type=declared) == message


# Refused: PDFs --------------------------------------------------------------------------------------------


def test_corrupt_pdf_is_refused():
    assert refusal(b"%PDF-1.7\nThis is not really a PDF.\n", filename="memo.pdf") == PDF_UNREADABLE


def test_truncated_pdf_is_refused():
    assert refusal(make_pdf()[:200], filename="memo.pdf") == PDF_UNREADABLE


def test_pdf_without_pages_is_refused():
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")
    assert refusal(data) == PDF_UNREADABLE


def test_deeply_nested_pdf_is_refused_as_unreadable():
    nested = b"[" * 5000 + b"]" * 5000
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /Extra 4 0 R >>", PAGES, PAGE, nested)
    assert refusal(data) == PDF_UNREADABLE


def test_pdf_with_more_objects_than_the_walk_allows_is_refused_as_unreadable(monkeypatch):
    monkeypatch.setattr(attachments, "PDF_MAX_OBJECTS", 10)
    assert refusal(make_pdf(pages=20)) == PDF_UNREADABLE


def test_encrypted_pdf_is_refused():
    data = make_pdf(build=lambda writer: writer.encrypt("pw"))
    assert refusal(data, filename="secret.pdf") == PDF_ENCRYPTED


def test_pdf_encrypted_with_an_empty_password_is_refused_too():
    data = make_pdf(build=lambda writer: writer.encrypt(""))
    assert refusal(data) == PDF_ENCRYPTED


def _launch(writer):
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
        }
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            make_pdf(build=lambda writer: writer.add_open_action(JavaScript("app.alert('hi');"))),
            id="document-js",
        ),
        pytest.param(
            make_pdf(build=lambda w: w.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert(1)"))),
            id="page-open-js",
        ),
        pytest.param(make_pdf(build=_launch), id="launch-on-open"),
        pytest.param(
            raw_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                PAGES,
                PAGE,
                b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>",
            ),
            id="escaped-name",
        ),
        pytest.param(
            raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, b"<< /S /JavaScript /JS (x()) >>"),
            id="unreferenced-script",
        ),
    ],
)
def test_pdf_with_active_content_is_accepted_as_it_is(data):
    """Scripts and actions do not refuse a PDF: the original is kept byte for byte (its hash is what is
    signed) and the memo's PDF gets its pages defanged (memos/tests/test_defang.py)."""
    inspected = inspect_upload(data, filename="memo.pdf", declared_content_type="application/pdf")
    assert inspected.kind == "pdf"
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_with_a_reference_cycle_is_walked_once_and_accepted():
    data = raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Loop 4 0 R >>", PAGES, PAGE, b"<< /Back 1 0 R /Self 4 0 R >>"
    )
    assert inspect_upload(data).pages == 1


def test_pdf_with_an_ordinary_link_action_is_accepted():
    data = raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", PAGES, PAGE, b"<< /S /GoTo /D [3 0 R /Fit] >>"
    )
    assert inspect_upload(data).pages == 1


# Refused: images ------------------------------------------------------------------------------------------


def test_image_over_the_pixel_limit_is_refused_before_its_pixels_are_decoded():
    data = make_image("PNG", size=(8000, 7000), mode="1")  # 56 MP, a few KB
    assert len(data) < 100_000
    assert refusal(data, filename="poster.png") == "The image is 56 megapixels; the limit is 50."


def test_pixel_limit_comes_from_settings(settings):
    settings.MEMOFLOW_IMAGE_MAX_PIXELS = 1_500_000
    data = make_image("JPEG", size=(1600, 1000))
    assert refusal(data) == "The image is 1.6 megapixels; the limit is 1.5."


def test_image_just_over_the_limit_is_not_shown_as_equal_to_it(settings):
    settings.MEMOFLOW_IMAGE_MAX_PIXELS = 1_000_000
    assert refusal(png_header_only(1001, 1000)) == "The image is 1.1 megapixels; the limit is 1."


def test_image_beyond_pillows_bomb_threshold_gets_our_message_not_pillows_error():
    # 400 MP is more than twice Image.MAX_IMAGE_PIXELS, where Image.open raises DecompressionBombError.
    assert 2 * (Image.MAX_IMAGE_PIXELS or 0) < 20_000 * 20_000
    assert refusal(png_header_only(20_000, 20_000)) == "The image is 400 megapixels; the limit is 50."


def test_raised_pixel_limit_is_not_overridden_by_pillows_bomb_check(settings):
    settings.MEMOFLOW_IMAGE_MAX_PIXELS = 1_000_000_000
    inspected = inspect_upload(png_header_only(20_000, 20_000))
    assert (inspected.width, inspected.height) == (20_000, 20_000)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param(make_image("PNG")[:-20], "chart.png", id="png-truncated"),
        pytest.param(make_image("PNG")[:40], "chart.png", id="png-header-only"),
        pytest.param(make_image("JPEG", size=(300, 200))[:-300], "photo.jpg", id="jpeg-truncated"),
        pytest.param(make_image("JPEG")[:-2], "photo.jpg", id="jpeg-without-end-marker"),
        pytest.param(b"\xff\xd8\xff" + b"not a jpeg at all", "photo.jpg", id="jpeg-magic-then-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"not a png at all", "chart.png", id="png-magic-then-garbage"),
    ],
)
def test_damaged_image_is_refused(data, filename):
    assert refusal(data, filename=filename) == IMAGE_DAMAGED


def test_png_with_a_corrupted_chunk_is_refused():
    data = bytearray(make_image("PNG", size=(64, 64), mode="RGB"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # flip bits inside the compressed pixels; the chunk's CRC no longer matches
    assert refusal(bytes(data)) == IMAGE_DAMAGED


# Messages -------------------------------------------------------------------------------------------------


def test_message_is_translated_when_shown_not_when_raised():
    with override("th"), pytest.raises(ValidationFailed) as caught:
        inspect_upload(make_pdf(), filename="scan.png")
    with override("en"):
        assert (
            str(caught.value.fields["file"][0]) == "The file's content is PDF but it is named or sent as PNG."
        )
