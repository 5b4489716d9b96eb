"""The documents printed from a classified memo carry its class as the memo does (ระเบียบว่าด้วยการรักษาความลับของ
ทางราชการ): the certificate of completion and the history PDF, at the top and bottom centre of every page, in red —
read back with poppler's pdftotext, as a reader's copy would be."""

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

import pytest
from django.test import Client

from memos.models import Memo
from tests.builders import completed_memo, person
from workflow.certificate import certificate_data, render_certificate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]

MM = 72 / 25.4


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def pages_of_words(pdf: bytes) -> list[tuple[float, float, list[Word]]]:
    """Each page's width, height and words, from `pdftotext -bbox`."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is needed"
    html = subprocess.run([pdftotext, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html.decode(), re.S):
        words = [
            Word(unicodedata.normalize("NFC", m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
            for m in re.finditer(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                page[3],
            )
        ]
        pages.append((float(page[1]), float(page[2]), words))
    return pages


def assert_marked_on_every_page(pdf: bytes, words: str) -> int:
    pages = pages_of_words(pdf)
    for number, (width, height, found) in enumerate(pages, 1):
        marks = [w for w in found if w.text == words]
        top = [w for w in marks if w.y_max < 16 * MM]
        bottom = [w for w in marks if w.y_min > height - 16 * MM]
        assert len(top) == 1, f"page {number}: {words} at the top"
        assert len(bottom) == 1, f"page {number}: {words} at the bottom"
        for mark in (*top, *bottom):
            assert abs((mark.x_min + mark.x_max) / 2 - width / 2) < 1.0, f"page {number}: not centred"
        # Nothing else of the page shares its line: the footer rose above the bottom mark.
        footer = [w for w in found if w.y_min > height - 25 * MM and w not in bottom]
        assert all(w.y_max <= bottom[0].y_min for w in footer), (
            f"page {number}: the footer runs into the mark"
        )
    return len(pages)


def loaded(memo: Memo) -> Memo:
    """As memo_archive reads it for the certificate: with its organisation and current revision."""
    return Memo.objects.select_related("organisation", "current_revision").get(pk=memo.pk)


def secret_memo() -> Memo:
    return completed_memo(secrecy="secret", body="รายงาน\n" + "\n".join(f"ข้อ {i} ตรวจแล้ว" for i in range(60)))


def test_the_certificate_of_a_secret_memo_is_marked_at_top_and_bottom_of_every_page() -> None:
    memo = loaded(secret_memo())
    pdf = render_certificate(certificate_data(memo=memo))
    assert assert_marked_on_every_page(pdf, "ลับมาก") >= 1


def test_the_history_pdf_of_a_secret_memo_is_marked_at_top_and_bottom_of_every_page() -> None:
    memo = secret_memo()
    client = Client()
    client.force_login(person("auditor"))
    response = client.get(f"/memos/{memo.pk}/history.pdf")
    assert response.status_code == 200
    pages = assert_marked_on_every_page(response.content, "ลับมาก")
    assert pages >= 2  # the body's sixty lines in the history's diff run over a page


def test_an_unclassified_memos_documents_carry_no_mark() -> None:
    memo = loaded(completed_memo())
    client = Client()
    client.force_login(person("auditor"))
    for pdf in (
        render_certificate(certificate_data(memo=memo)),
        client.get(f"/memos/{memo.pk}/history.pdf").content,
    ):
        assert not [w for _, _, words in pages_of_words(pdf) for w in words if w.text.startswith("ลับ")]
