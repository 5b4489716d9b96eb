"""The archive's integrity: `archive_check` compares each archived PDF with the memo's row AND the append-only
audit log, and each enclosure original with its recorded hash; the PDF endpoint refuses a tampered archived file;
archiving twice (a job retried after its worker died) leaves one file and one archive event."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from core.models import AuditEvent
from memos import archive
from memos.models import Memo
from workflow import services
from workflow.demo import load_route_template, load_seed_memo
from workflow.pdf import archive_relative_name
from workflow.tests.test_pdf_archive import media, run_route  # noqa: F401 - the media fixture

pytestmark = pytest.mark.django_db(transaction=True)


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return SimpleUploadedFile("ภาพ.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def completed(demo_org, media, person) -> Memo:  # noqa: F811
    load_route_template(demo_org)
    memo = load_seed_memo(demo_org)
    services.enclosure_add(memo=memo, actor=person("rujapa"), title="ภาพกิจกรรม", upload=png_upload())
    memo = run_route(memo, person)
    assert memo.status == "completed"
    return memo


@pytest.fixture
def archived(completed: Memo) -> Memo:
    services.memo_archive(memo_id=completed.pk)
    completed.refresh_from_db()
    call_command("archive_check", verbosity=0)  # intact: no error
    return completed


def archived_path(memo: Memo) -> Path:
    return archive.archive_root() / memo.archive_file


def tamper(path: Path) -> bytes:
    path.chmod(0o644)
    content = path.read_bytes() + b"%tampered\n"
    path.write_bytes(content)
    return content


def archive_check_errors(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(CommandError, match="error"):
        call_command("archive_check")
    return capsys.readouterr().err


def test_an_altered_archived_file_is_reported(archived: Memo, capsys) -> None:
    tamper(archived_path(archived))
    err = archive_check_errors(capsys)
    assert f"error: {archived.number} ({archived.pk}): archived PDF altered" in err


def test_a_row_digest_changed_to_match_an_altered_file_is_caught_by_the_audit_log(
    archived: Memo, capsys
) -> None:
    content = tamper(archived_path(archived))
    import hashlib

    with connection.cursor() as cursor:  # an insider covers the tampering in the memo's row
        cursor.execute(
            "UPDATE memos_memo SET archive_sha256 = %s WHERE number = %s",
            [hashlib.sha256(content).hexdigest(), archived.number],
        )
    err = archive_check_errors(capsys)
    assert "archived PDF altered" not in err  # row and file agree now ...
    assert "the memo's SHA-256 differs from the one in the audit log" in err  # ... the log does not
    assert f"archived PDF {archived.archive_file} does not match the SHA-256 in the audit log" in err


def test_an_altered_enclosure_original_is_reported(archived: Memo, capsys) -> None:
    enclosure = archived.enclosures.exclude(file="").get()
    Path(enclosure.file.path).write_bytes(b"\x89PNG not the signed picture")
    err = archive_check_errors(capsys)
    assert f"enclosure {enclosure.order} altered" in err


def test_the_pdf_endpoint_refuses_a_tampered_archived_file(archived: Memo, api_as) -> None:
    intact = api_as("rujapa").get(f"/api/v1/memos/{archived.pk}/pdf/")
    assert intact.status_code == 200
    tampered = tamper(archived_path(archived))
    response = api_as("rujapa").get(f"/api/v1/memos/{archived.pk}/pdf/")
    assert response.status_code >= 400
    assert response.json()["code"] == "archive_damaged"
    assert tampered not in response.content


def test_archiving_after_a_crash_between_file_and_row_keeps_one_file_and_one_event(
    completed: Memo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run wrote the file and died before the row was updated; the retry renders nothing new."""
    from workflow import pdf

    first = archive.store_once(
        base_name=archive_relative_name(completed), render=lambda: pdf.render_memo_pdf(completed, final=True)
    )

    def render_again(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered again although a complete copy was archived")

    monkeypatch.setattr(pdf, "render_memo_pdf", render_again)
    services.memo_archive(memo_id=completed.pk)
    services.memo_archive(memo_id=completed.pk)  # and the job retried once more after the row was updated
    completed.refresh_from_db()
    assert (completed.status, completed.archive_file, completed.archive_sha256) == (
        "archived",
        first.relative_name,
        first.sha256,
    )
    files = sorted(p.name for p in archived_path(completed).parent.glob("*.pdf"))
    assert files == [Path(first.relative_name).name]
    events = AuditEvent.objects.filter(object_id=str(completed.pk), action="memo.archived")
    assert [e.data["sha256"] for e in events] == [first.sha256]
    call_command("archive_check", verbosity=0)
