"""The shared builders (tests/builders.py) build what their names say, through the services."""

import io

import pytest
from pypdf import PdfReader

from memos.attachments import inspect_upload
from signatures.models import Signature
from tests.builders import STATES, active_step, jpeg_bytes, memo_in_state, pdf_bytes, png_bytes
from workflow.models import RouteStep, StepState

#: state name -> (memo status, order of the active step or None, signatures)
EXPECTED = {
    "draft": ("draft", None, 0),
    "in_review@1": ("in_review", 1, 1),
    "in_review@2": ("in_review", 2, 2),
    "in_review@3": ("in_review", 3, 3),
    "withdrawn": ("withdrawn", None, 1),
    "returned": ("returned", 0, 2),  # round 2: the writer's step is active
    "rejected": ("rejected", None, 2),
    "completed": ("completed", None, 4),
    "archived": ("archived", None, 4),
}


def test_every_state_has_an_expectation():
    assert set(EXPECTED) == set(STATES)


@pytest.mark.parametrize("name", STATES)
def test_memo_in_state_builds_that_state_through_the_services(name, demo_org, media_root):
    memo = memo_in_state(name)
    status, active_order, signatures = EXPECTED[name]
    assert memo.status == status
    active = RouteStep.objects.filter(memo=memo, state=StepState.ACTIVE).first()
    assert (active.order if active else None) == active_order
    if active:
        assert active_step(memo) == active
    assert Signature.objects.filter(memo=memo).count() == signatures
    if name == "archived":
        assert memo.archive_sha256


def test_tiny_files_are_valid_files_of_their_kind():
    assert inspect_upload(png_bytes(), filename="a.png").content_type == "image/png"
    assert inspect_upload(jpeg_bytes(), filename="a.jpg").content_type == "image/jpeg"
    assert inspect_upload(pdf_bytes(), filename="a.pdf").content_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf_bytes(pages=3))).pages) == 3
