"""The archive job, the whole way: a clerk uploads a foreign PDF whose Helvetica is not embedded, the route
completes, the job renders and stores the archive; it passes ``pdfa_problems`` (test_pdfa_structure), and the
``memo.archived`` audit event says whether the file is labelled PDF/A."""

import io

import pikepdf
import pytest
from pikepdf.models.metadata import decode_pdf_date

from memos.pdf import pdfa
from workflow.tests.test_pdfa_structure import HELVETICA_TEXT, helvetica_pdf, pdfa_problems, pdftotext, xmp_of


def _archive_with_helvetica_upload(demo_org, person, api_as):
    """The seed memo with the foreign PDF uploaded, its route completed and the archive job run; the memo, its
    completion time and the archived file's bytes."""
    from memos import archive
    from workflow import services
    from workflow.demo import load_route_template, load_seed_memo
    from workflow.tests.test_pdf_archive import run_route

    load_route_template(demo_org)
    memo = load_seed_memo(demo_org)
    upload = io.BytesIO(helvetica_pdf())
    upload.name = "หนังสือภายนอก.pdf"
    created = api_as("rujapa").post(
        f"/api/v1/memos/{memo.pk}/attachments/", {"file": upload, "title": "หนังสือภายนอก"}
    )
    assert created.status_code == 201, created.content
    memo = run_route(memo, person)
    completed_at = memo.status_changed_at
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    return memo, completed_at, archive.open_archived(memo.archive_file).read_bytes()


def _archived_event_data(memo) -> dict:
    from core.models import AuditEvent

    return AuditEvent.objects.get(object_id=str(memo.pk), action="memo.archived").data


@pytest.mark.django_db(transaction=True)
def test_the_archive_job_stores_a_pdfa_with_the_uploaded_helvetica_pdf(demo_org, media_root, person, api_as):
    """The whole way: a clerk uploads the foreign PDF, the route completes, the archive job renders and stores
    the file; it passes the check, is dated at the memo's completion, and the audit event says PDF/A."""
    memo, completed_at, content = _archive_with_helvetica_upload(demo_org, person, api_as)
    assert pdfa_problems(content) == []
    assert HELVETICA_TEXT in pdftotext(content)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        created = decode_pdf_date(str(pdf.docinfo["/CreationDate"]))
    assert created == completed_at.replace(microsecond=0)
    assert _archived_event_data(memo)["pdfa"] is True


@pytest.mark.django_db(transaction=True)
def test_an_archive_that_is_not_pdfa_says_so_in_the_audit_log(
    demo_org, media_root, person, api_as, tmp_path, monkeypatch
):
    monkeypatch.setattr(pdfa, "GHOSTSCRIPT", str(tmp_path / "no-such-gs"))  # inherited by the render child
    memo, _completed_at, content = _archive_with_helvetica_upload(demo_org, person, api_as)
    assert memo.status == "archived"
    assert "pdfaid:part" not in xmp_of(content)
    assert _archived_event_data(memo)["pdfa"] is False
