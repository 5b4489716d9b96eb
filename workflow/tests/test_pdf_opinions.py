"""What each signer wrote is on the document: a co-signer's opinion in their block, and the reason of a step that
ended the memo in that step's block (issue 9: "a co-signer who approves with เห็นควรเสนอ leaves no trace")."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from tests.builders import REJECT_REASON, approve_active, rejected_memo, submitted_memo
from workflow.models import RouteStep, StepRole
from workflow.pdf import render_input, render_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]

COSIGN_OPINION = "เห็นควรเสนอปลัดเพื่อโปรดพิจารณา"


def text_of(pdf: bytes) -> str:
    """The PDF's text as poppler reads it, NFKC-normalised and without white space (values wrap over lines)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is needed"
    out = subprocess.run([pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(unicodedata.normalize("NFKC", out.decode()).split())


def pypdf_text_of(pdf: bytes) -> str:
    """The same, as pypdf reads it (the font's ToUnicode map, not poppler's /ActualText)."""
    reader = PdfReader(io.BytesIO(pdf))
    return squash("".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_a_cosigners_opinion_is_printed_above_their_name():
    memo = submitted_memo()
    cosign = approve_active(memo, opinion=COSIGN_OPINION)
    assert cosign.role == StepRole.COSIGN
    pdf = render_pdf(render_input(memo))
    text = text_of(pdf)
    assert squash(COSIGN_OPINION) in text
    assert squash(COSIGN_OPINION) in pypdf_text_of(pdf)
    signer = RouteStep.objects.select_related("signature__signer").get(pk=cosign.pk).signature.signer
    assert text.index(squash(COSIGN_OPINION)) < text.index(squash(f"({signer.full_name})"))


def test_the_reason_of_the_step_that_ended_the_memo_is_printed_in_its_block():
    memo = rejected_memo(at_step=2)
    text = text_of(render_pdf(render_input(memo)))
    assert squash(f"ไม่เห็นชอบ ยุติเรื่อง เนื่องจาก {REJECT_REASON}") in text
