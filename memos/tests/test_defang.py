"""memos.pdf.defang: an uploaded PDF's pages go into the memo's PDF showing what they showed and doing nothing.

Checked as a reader would meet the file: poppler's pdfdetach (embedded files) and pdftotext (what is printed),
and for anything active by walking every object with pypdf and searching every decompressed stream.
"""

import io
import subprocess
import tempfile

import pytest
from pypdf import PdfReader, PdfWriter

from memos.pdf.defang import append_defanged_pages
from memos.tests.hostile_pdf import ACTIVE_NAMES, EVIL_URL, FIELD_TEXT, PAGE_TEXT, active_content, hostile_pdf
from memos.tests.test_attachments import PAGE, PAGES, raw_pdf


def defanged(content: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # the memo's own page
    append_defanged_pages(writer, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def poppler(tool: str, pdf: bytes) -> str:
    """The output of poppler's ``pdfdetach -list`` or ``pdftotext`` for ``pdf`` (read from a file, as a reader
    would open it)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        args = ["-list", handle.name] if tool == "pdfdetach" else [handle.name, "-"]
        result = subprocess.run([f"/usr/bin/{tool}", *args], capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8", "replace")


def test_the_hostile_pdf_has_everything_the_defang_removes():
    """The test's own premise: without defanging, every active name is there and poppler finds the file."""
    pdf = hostile_pdf()
    assert active_content(pdf) == set(ACTIVE_NAMES)
    assert "invoice.html" in poppler("pdfdetach", pdf)


def test_scripts_actions_links_forms_and_embedded_files_are_gone_from_the_copied_pages():
    pdf = defanged(hostile_pdf())
    assert active_content(pdf) == set()
    assert EVIL_URL.encode() not in pdf
    assert poppler("pdfdetach", pdf).strip() == "0 embedded files"
    reader = PdfReader(io.BytesIO(pdf))
    assert "/AcroForm" not in reader.root_object
    assert all("/Annots" not in page and "/AA" not in page for page in reader.pages)


def test_the_copied_page_still_shows_its_text_and_the_filled_form_value():
    """The form field is flattened: its value is printed as it was shown, though the field is gone."""
    text = poppler("pdftotext", defanged(hostile_pdf()))
    assert PAGE_TEXT in text
    assert FIELD_TEXT in text


@pytest.mark.parametrize(
    "page_extra",
    [
        # /J#61vaScript is /JavaScript with the "a" written as #61: readers decode it, and so does pypdf.
        pytest.param(
            b"/AA << /O << /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >> >>", id="escaped-name"
        ),
        # The action's type behind an indirect reference.
        pytest.param(b"/AA << /O << /S 4 0 R /F (cmd.exe) >> >>", id="indirect-type"),
        # A rendition action carrying a script, on a thumbnail image's dictionary nobody would look at.
        pytest.param(b"/Thumb << /Next << /S /Rendition /JS (x()) >> >>", id="script-on-rendition"),
        # A link annotation written inline (not an indirect object) with a URI action.
        pytest.param(
            b"/Annots [<< /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (http://x) >> >>]",
            id="inline-link",
        ),
    ],
)
def test_actions_hidden_in_odd_places_on_a_page_are_removed(page_extra):
    page = PAGE.replace(b">>", b" " + page_extra + b" >>")
    source = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, page, b"/Launch")
    assert active_content(source)  # present before
    assert active_content(defanged(source)) == set()


def test_catalog_level_actions_are_never_copied():
    source = raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /URI << /Base (http://x/) >> >>",
        PAGES,
        PAGE,
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
    )
    assert active_content(defanged(source)) == set()
