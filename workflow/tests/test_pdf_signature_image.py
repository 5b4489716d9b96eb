"""A signer's handwritten signature on the memo PDF (issue 10): printed above their name, 1.2 cm high, centred,
when they had one enrolled as they signed; otherwise the electronic-signature line as before. The document key
follows the image's content, and loading the images costs the memo page no query."""

import dataclasses
import io
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTImage, LTTextLine
from pypdf import PdfReader

from signatures import services as signature_services
from signatures.tests.builders import drawn_png, transparent_png
from tests.builders import approve_active, in_review_memo, person, submitted_memo
from workflow.pdf import document_key, render_input, render_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]

E_SIGNATURE = "ลงนามอิเล็กทรอนิกส์"
CM = 72 / 2.54


def enrol(username: str, png: bytes | None = None) -> None:
    signature_services.signature_image_enrol(person=person(username), content=png or drawn_png())


def first_page_images(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def first_page_text(pdf: bytes) -> str:
    return squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def layout(pdf: bytes) -> tuple[list[LTImage], list[LTTextLine]]:
    """The images and text lines of the first page (pdfminer), positions in points from the bottom left."""
    page = next(iter(extract_pages(io.BytesIO(pdf), maxpages=1)))
    images: list[LTImage] = []
    lines: list[LTTextLine] = []

    def walk(node):
        if isinstance(node, LTImage):
            images.append(node)
        elif isinstance(node, LTTextLine):
            lines.append(node)
        for child in getattr(node, "_objs", []) if not isinstance(node, LTTextLine) else []:
            walk(child)

    walk(page)
    return images, lines


def test_the_writers_image_is_printed_above_their_name_and_a_signer_without_one_keeps_the_line():
    enrol("rujapa")
    memo = submitted_memo()
    approve_active(memo)  # ratchawari co-signs, without an image
    pdf = render_pdf(render_input(memo))
    assert first_page_images(pdf) == 1
    assert first_page_text(pdf).count(E_SIGNATURE) == 1  # ratchawari's
    images, lines = layout(pdf)
    (image,) = images
    assert image.height == pytest.approx(1.2 * CM, abs=1)
    below = [line for line in lines if line.y1 <= image.y0 and line.x0 < image.x1 and line.x1 > image.x0]
    name = max(below, key=lambda line: line.y1)  # the first line under the image
    assert squash(name.get_text()) == squash(f"({person('rujapa').full_name})")
    assert image.y0 - name.y1 < 0.6 * CM  # right above the name
    assert (image.x0 + image.x1) / 2 == pytest.approx((name.x0 + name.x1) / 2, abs=3)  # centred on it


def test_without_an_image_every_signed_block_prints_the_electronic_signature_line():
    memo = submitted_memo()
    approve_active(memo)
    pdf = render_pdf(render_input(memo))
    assert first_page_images(pdf) == 0
    assert first_page_text(pdf).count(E_SIGNATURE) == 2


def test_a_block_not_signed_yet_prints_no_image():
    enrol("ratchawari")
    pdf = render_pdf(render_input(submitted_memo()))  # waiting at ratchawari's step
    assert first_page_images(pdf) == 0


def test_a_memo_keeps_the_image_its_signer_signed_with():
    memo = submitted_memo()  # rujapa signs without an image
    key = document_key(render_input(memo))
    enrol("rujapa")
    assert first_page_images(render_pdf(render_input(memo))) == 0
    assert document_key(render_input(memo)) == key  # nothing to re-render
    later = submitted_memo(subject="บันทึกฉบับถัดไป")
    assert first_page_images(render_pdf(render_input(later))) == 1


def test_the_document_key_follows_the_images_content_not_its_file_name():
    enrol("rujapa")
    data = render_input(submitted_memo())
    ((path, sha256),) = data.signature_images
    assert data.document.signatures[0].image_path == path
    other = dataclasses.replace(data, signature_images=((path, "0" * 64),))
    assert document_key(other) != document_key(data)
    elsewhere = dataclasses.replace(
        data,
        document=dataclasses.replace(
            data.document,
            signatures=[
                dataclasses.replace(data.document.signatures[0], image_path="/elsewhere/x.png"),
                *data.document.signatures[1:],
            ],
        ),
        signature_images=(("/elsewhere/x.png", sha256),),
    )
    assert document_key(elsewhere) == document_key(data)


def test_the_archived_pdf_keeps_the_images_transparency():
    for username in ("rujapa", "ratchawari", "nat", "yutthana"):
        enrol(username, transparent_png() if username == "nat" else drawn_png())
    memo = in_review_memo(4)  # every step approved
    pdf = render_pdf(render_input(memo, final=True))
    reader = PdfReader(io.BytesIO(pdf))
    placed = [image for page in reader.pages for image in page.images]
    assert len(placed) == 4
    assert all(image.image.mode in ("RGBA", "LA") for image in placed)
    assert E_SIGNATURE not in first_page_text(pdf)


def memo_page_queries(client, memo) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("memo-page", args=[memo.pk])).status_code == 200
    return len(queries)


def test_the_memo_page_makes_no_query_per_signature_image(client):
    plain = in_review_memo(3)
    for username in ("rujapa", "ratchawari", "nat"):
        enrol(username)
    pictured = in_review_memo(3, subject="บันทึกที่มีลายมือชื่อ")
    assert len(render_input(pictured).signature_images) == 3
    client.force_login(person("rujapa"))
    memo_page_queries(client, plain)  # the session, warmed
    assert memo_page_queries(client, pictured) == memo_page_queries(client, plain)
