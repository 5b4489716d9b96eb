"""The certificate of completion: what it says of each step (read back from the PDF with poppler's pdftotext, as
someone copying from it would), the organisation's seal on it (pyHanko against the organisation's CA), where the
archive job stores it, and who may download it."""

import io
import json
import shutil
import subprocess
import unicodedata
from datetime import UTC
from pathlib import Path

import pikepdf
import pytest
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature

from core.audit import RequestMeta
from core.models import AuditCheckpoint, AuditEvent
from core.thai import format_date_long, thai_digits, to_bangkok
from memos import archive
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from signatures import selectors as signature_selectors
from signatures import services as signature_services
from signatures.errors import SigningNotConfigured
from signatures.models import CertificateAuthority, SigningKey
from signatures.pdf_signing import SEAL_FIELD
from signatures.tests.test_pdf_signing import _context
from signatures.verification import verify_pdf
from tests.builders import active_step, completed_memo, draft_memo, draft_with_a_step_to_skip
from workflow import services
from workflow.certificate import (
    SKIPPED,
    SKIPPED_BECAUSE,
    certificate_archive,
    certificate_data,
    render_certificate,
)
from workflow.models import DutyConflict, RouteStep, StepRole, StepState
from workflow.pdf import archive_relative_name
from workflow.tests.test_pdfa_structure import pdfa_problems

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root"),
    # cryptography warns each time it parses a Thai CN of more than 64 bytes (signatures.pki.common_name)
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]

#: Where each signatory of the demo route signed from (documentation addresses, RFC 5737 and RFC 3849).
WHERE = {
    "rujapa": ("192.0.2.10", "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"),
    "ratchawari": ("198.51.100.7", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Safari/604.1"),
    "nat": ("2001:db8::42", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"),
    "yutthana": ("203.0.113.99", "Mozilla/5.0 (Macintosh) Safari/605.1.15"),
}
OPINION = "เห็นควรอนุมัติ ตามที่เสนอ"
ORDER = "ให้ดำเนินการจัดซื้อตามระเบียบ"


def _meta(username: str) -> RequestMeta | None:
    if username not in WHERE:
        return None
    ip, agent = WHERE[username]
    return RequestMeta(ip_address=ip, user_agent=agent)


def _complete_from_browsers(memo: Memo) -> Memo:
    """Submit and approve every step, each demo signatory from their own address and browser (WHERE)."""
    services.memo_submit(
        memo=memo, actor=memo.writer, password=DEMO_PASSWORD, meta=_meta(memo.writer.username)
    )
    while RouteStep.objects.filter(memo=memo, state=StepState.ACTIVE).exists():
        step = active_step(memo)
        assert step.assignee is not None
        extra = {}
        if step.role == StepRole.OPINION:
            extra["opinion"] = OPINION
        if step.role == StepRole.DECISION:
            extra = {"decision": "other", "decision_text": ORDER}
        services.step_approve(
            step=step,
            actor=step.assignee,
            password=DEMO_PASSWORD,
            meta=_meta(step.assignee.username),
            **extra,
        )
    memo.refresh_from_db()
    return memo


@pytest.fixture
def ca(demo_org) -> CertificateAuthority:
    """The organisation's CA, made by `manage.py signing_init`'s service."""
    return signature_services.ca_create(organisation=demo_org)


@pytest.fixture
def seal(ca: CertificateAuthority) -> SigningKey:
    return signature_services.seal_key_create()


@pytest.fixture
def with_tsa(settings, ca: CertificateAuthority) -> None:
    """The organisation's own timestamp authority, in process (MEMOFLOW_TSA_URL=local)."""
    signature_services.tsa_key_create()
    settings.MEMOFLOW_TSA_URL = "local"


@pytest.fixture
def archived(seal: SigningKey, with_tsa: None) -> Memo:
    memo = _complete_from_browsers(draft_memo())
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    return memo


def _certificate(memo: Memo) -> bytes:
    return archive.open_archived(memo.certificate_file).read_bytes()


def _text(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is needed"
    out = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return unicodedata.normalize("NFKC", out.decode())


# What it says ---------------------------------------------------------------------------------------------------


def test_the_certificate_lists_every_step_with_who_where_when_and_what_they_signed(archived: Memo) -> None:
    text = _text(_certificate(archived))
    flat = "".join(text.split())  # hashes and long agents may wrap in their cells
    nfkc = lambda s: unicodedata.normalize("NFKC", s)  # noqa: E731
    assert nfkc("หนังสือรับรองการลงลายมือชื่ออิเล็กทรอนิกส์ครบถ้วน") in text
    assert thai_digits(archived.number) in text
    assert nfkc(archived.subject) in text
    assert nfkc(format_date_long(archived.date)) in text
    signatures = list(archived.signatures.select_related("signer", "position").order_by("signed_at"))
    assert [s.signer.username for s in signatures] == ["rujapa", "ratchawari", "nat", "yutthana"]
    for signature in signatures:
        ip, agent = WHERE[signature.signer.username]
        local = to_bangkok(signature.signed_at)
        assert nfkc(signature.signer.full_name) in text
        assert thai_digits(f"เวลา {local:%H.%M.%S} น.") in text
        assert signature.signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") in text
        assert ip in text
        assert "".join(agent.split()) in flat
        assert signature.revision_sha256 == archived.current_revision.sha256
    assert flat.count(archived.current_revision.sha256) == 1 + len(signatures)  # the memo's, then each step's
    assert archived.archive_sha256 in flat
    # ratchawari signs in a capacity for the vacant head of สำนักปลัด: her own position, then the capacity line.
    assert nfkc("นักทรัพยากรบุคคล") in text
    assert nfkc("รักษาการแทนหัวหน้าสำนักปลัด") in text
    assert nfkc(OPINION) in text
    assert nfkc(f"อื่น ๆ: {ORDER}") in text  # the decision and its text
    for action in ("เสนอและลงนาม", "ลงนามร่วม", "ให้ความเห็นและลงนาม", "สั่งการและลงนาม"):
        assert nfkc(action) in text


def test_the_certificate_embeds_its_content_as_json(archived: Memo) -> None:
    reader = PdfFileReader(io.BytesIO(_certificate(archived)))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "certificate.json"
    content = json.loads(names[1]["/EF"]["/F"].data)
    assert [(s["name"], s["ip_address"]) for s in content["steps"]] == [
        (p.full_name, WHERE[p.username][0])
        for p in (s.signer for s in archived.signatures.select_related("signer").order_by("signed_at"))
    ]
    assert content["archive_sha256"] == archived.archive_sha256


@pytest.mark.parametrize("long_route", [False, True], ids=["2-steps", "7-steps"])
def test_the_certificate_data_takes_three_queries_whatever_the_route(
    long_route, person, position, django_assert_num_queries
) -> None:
    writer = person("rujapa")
    memo = services.memo_create(writer=writer, subject="รายงานผลการตรวจสอบภายใน", body="จึงเรียนมาเพื่อโปรดทราบ")
    titles = ["หัวหน้าสำนักปลัด", "ผู้อำนวยการกองคลัง", "ผู้อำนวยการกองช่าง", "นักวิชาการตรวจสอบภายใน"]
    middle = [(position(t), "opinion") for t in titles] + [
        (position("ปลัดองค์การบริหารส่วนตำบลหนองโสน"), "opinion")
    ]
    route = [*(middle if long_route else []), (position("นายกองค์การบริหารส่วนตำบลหนองโสน"), "decision")]
    services.memo_route_set(memo=memo, actor=writer, steps=route)
    memo = _complete_from_browsers(memo)
    memo = Memo.objects.select_related("organisation", "current_revision").get(pk=memo.pk)
    # the round's steps with their signatures; the signers' own titles; the audit chain's latest checkpoint
    with django_assert_num_queries(3):
        data = certificate_data(memo=memo)
    assert len(data.steps) == (7 if long_route else 2)
    assert all(step.signed_at is not None and step.name for step in data.steps)


def test_the_certificate_prints_the_latest_audit_checkpoint_and_how_to_verify_it(
    seal: SigningKey, with_tsa: None, settings, tmp_path
) -> None:
    settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    memo = _complete_from_browsers(draft_memo())
    call_command("audit_checkpoint", stdout=io.StringIO())
    checkpoint = AuditCheckpoint.objects.get()
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    text = _text(_certificate(memo))
    assert "จุดตรวจสอบล่าสุดของบันทึกการตรวจสอบ" in text
    assert f"{thai_digits(checkpoint.sequence)} ({checkpoint.sequence})" in text
    assert checkpoint.head_hash[:16] + "..." in text  # "…" under NFKC
    assert checkpoint.head_hash in "".join(text.split())  # in full (the cell may wrap it)
    assert _bangkok_text(checkpoint.at) in text
    assert "manage.py verify_audit --checkpoint" in "".join(text.split("\n"))
    assert checkpoint.file_name in "".join(text.split())
    names = PdfFileReader(io.BytesIO(_certificate(memo))).root["/Names"]["/EmbeddedFiles"]["/Names"]
    data = json.loads(names[1]["/EF"]["/F"].data)
    assert (data["checkpoint"]["sequence"], data["checkpoint"]["head_hash"]) == (
        checkpoint.sequence,
        checkpoint.head_hash,
    )


def test_before_any_checkpoint_the_certificate_says_there_is_none(archived: Memo) -> None:
    assert not AuditCheckpoint.objects.exists()
    text = _text(_certificate(archived))
    assert "ยังไม่มีจุดตรวจสอบของบันทึกการตรวจสอบ" in text
    assert "verify_audit" in text


def _bangkok_text(at) -> str:
    local = to_bangkok(at)
    return thai_digits(f"{format_date_long(local, digits='arabic')} เวลา {local:%H.%M.%S} น.")


def test_a_skipped_step_is_listed_with_why_and_a_resubmitted_memo_lists_its_last_round(
    person, position
) -> None:
    writer = person("rujapa")
    memo = draft_with_a_step_to_skip()  # ratchawari signs for the head of สำนักปลัด, then her own post comes up
    services.memo_submit(memo=memo, actor=writer, password=DEMO_PASSWORD)
    step = active_step(memo)
    services.step_return(step=step, actor=step.assignee, password=DEMO_PASSWORD, reason="แก้ไขงบประมาณ")
    services.memo_update(memo=memo, actor=writer, subject="ขออนุมัติจัดซื้อวัสดุสำนักงาน (แก้ไข)")
    memo = _complete_from_browsers(memo)
    memo = Memo.objects.select_related("organisation", "current_revision").get(pk=memo.pk)
    data = certificate_data(memo=memo)
    assert [(s.order, s.action, s.name) for s in data.steps] == [
        (0, "เสนอและลงนาม", "นางสาวรุจภา โฉมประดิษฐ์"),
        (1, "ลงนามร่วม", "นางราชวรี อนุกุล"),
        (2, SKIPPED, ""),
        (3, "สั่งการและลงนาม", "นายยุทธนา เมืองเล็ก"),
    ]
    assert data.steps[2].written == SKIPPED_BECAUSE[DutyConflict.SIGNED]
    assert data.revision == 2
    signed = [s for s in data.steps if s.signed_at]
    assert {s.revision_sha256 for s in signed} == {
        memo.current_revision.sha256
    }  # not the returned revision's
    text = _text(render_certificate(data))
    assert unicodedata.normalize("NFKC", SKIPPED_BECAUSE[DutyConflict.SIGNED]) in text


def test_the_certificate_is_pdfa_3b_and_the_same_data_renders_the_same_bytes(archived: Memo) -> None:
    memo = Memo.objects.select_related("organisation", "current_revision").get(pk=archived.pk)
    data = certificate_data(memo=memo, archive_sha256=memo.archive_sha256)
    pdf = render_certificate(data)
    assert pdf == render_certificate(data)
    # The archive's PDF/A check, whose only complaint is that the attachment is not the memo's memo.json ...
    attachment = "memo.json listed ['certificate.json'] in EmbeddedFiles, 1 time(s) in /AF"
    assert pdfa_problems(pdf) == [attachment]
    # ... also once sealed: the seal's widget is invisible (zero-size, printed), which needs no appearance
    # (ISO 19005-3 6.3.3), and the seal leaves the Info dictionary and the XMP agreeing.
    assert pdfa_problems(_certificate(archived)) == [attachment]
    with pikepdf.open(io.BytesIO(_certificate(archived))) as sealed:
        (annotation,) = sealed.pages[0].obj["/Annots"]
        assert int(annotation["/F"]) & 4  # printed
        assert [float(v) for v in annotation["/Rect"]] == [0, 0, 0, 0]


# The seal -------------------------------------------------------------------------------------------------------


def test_the_seal_validates_against_the_organisations_ca_timestamped_and_long_term(
    archived: Memo,
    ca: CertificateAuthority,
) -> None:
    reader = PdfFileReader(io.BytesIO(_certificate(archived)))
    (sealed,) = reader.embedded_signatures
    assert sealed.field_name == SEAL_FIELD
    assert "(ตราประทับ)" in sealed.signer_cert.subject.human_friendly
    status = validate_pdf_signature(sealed, _context(ca))
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    # B-LT: only the CA certificate from outside; the chain and the CRL come from the file itself.
    from_file = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {
            "trust_roots": [signature_selectors.asn1(signature_selectors.trust_root(ca))],
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
        }
    )
    assert validate_pdf_signature(sealed, from_file).bottom_line
    assert verify_pdf(_certificate(archived)).valid  # memoflow's own verifier (/verify/) agrees


def test_a_flipped_byte_breaks_the_seal(archived: Memo, ca: CertificateAuthority) -> None:
    pdf = bytearray(_certificate(archived))
    index = (
        pdf.index(b"stream\n") + 20
    )  # in the first page's content stream: signed, and the file still parses
    pdf[index] ^= 0x01
    (sealed,) = PdfFileReader(io.BytesIO(bytes(pdf))).embedded_signatures
    status = validate_pdf_signature(sealed, _context(ca))
    assert not status.intact
    assert not status.bottom_line
    report = verify_pdf(bytes(pdf))
    assert not report.valid
    assert "digest_mismatch" in [p.code for p in report.problems]


def test_without_a_tsa_the_seal_is_untimestamped_but_valid(
    seal,
    ca: CertificateAuthority,
    settings,
) -> None:
    settings.MEMOFLOW_TSA_URL = ""
    memo = _complete_from_browsers(draft_memo())
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    (sealed,) = PdfFileReader(io.BytesIO(_certificate(memo))).embedded_signatures
    status = validate_pdf_signature(sealed, _context(ca))
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is None


def test_with_pdf_signatures_the_certificate_stands_beside_the_signed_archive(settings, demo_org) -> None:
    """`make demo`'s set-up: every step signs the memo PDF (PAdES), the archive closes it (B-LTA); the
    certificate binds that file by its SHA-256 and validates on its own."""
    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = "local"
    call_command("signing_init", verbosity=0)
    memo = _complete_from_browsers(draft_memo())
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    signed = verify_pdf(archive.open_archived(memo.archive_file).read_bytes())
    assert signed.valid
    assert len([s for s in signed.signatures if s.kind == "signature"]) == 4
    sealed = verify_pdf(_certificate(memo))
    assert sealed.valid
    assert [s.field_name for s in sealed.signatures] == [SEAL_FIELD]
    text = _text(_certificate(memo))
    assert memo.archive_sha256 in "".join(text.split())
    for signature in memo.signatures.select_related("signer"):
        assert unicodedata.normalize("NFKC", signature.signer.full_name) in text


# The archive ----------------------------------------------------------------------------------------------------


def _certificate_files(memo: Memo) -> list[str]:
    root = archive.archive_root()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(f"{memo.pk}-certificate-*.pdf"))


def test_the_archive_job_stores_it_beside_the_memo_and_records_it(archived: Memo) -> None:
    assert Path(archived.certificate_file).parent == Path(archived.archive_file).parent
    assert _certificate_files(archived) == [archived.certificate_file]
    assert (
        archive.sha256_of(archive.archive_root() / archived.certificate_file) == archived.certificate_sha256
    )
    (event,) = AuditEvent.objects.filter(object_id=str(archived.pk), action=archive.ARCHIVED_ACTION)
    assert event.data["certificate"]["file"] == archived.certificate_file
    assert event.data["certificate"]["sha256"] == archived.certificate_sha256


def test_a_retried_archive_job_keeps_the_certificate_an_earlier_run_stored(
    seal,
    with_tsa: None,
) -> None:
    memo = _complete_from_browsers(draft_memo())
    memo = Memo.objects.select_related("organisation", "current_revision").get(pk=memo.pk)
    # A run that died after storing the certificate, before the memo's row was updated:
    earlier = certificate_archive(memo=memo, memo_relative_name=archive_relative_name(memo), memo_sha256="")
    assert earlier is not None
    services.memo_archive(memo_id=memo.pk)
    services.memo_archive(memo_id=memo.pk)  # and once more after the row was updated
    memo.refresh_from_db()
    assert memo.certificate_file == earlier.relative_name
    assert _certificate_files(memo) == [memo.certificate_file]
    assert AuditEvent.objects.filter(object_id=str(memo.pk), action=archive.ARCHIVED_ACTION).count() == 1


def test_without_a_seal_the_memo_is_archived_without_a_certificate(demo_org) -> None:
    memo = completed_memo()
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    assert memo.status == "archived"
    assert (memo.certificate_file, memo.certificate_sha256) == ("", "")
    (event,) = AuditEvent.objects.filter(object_id=str(memo.pk), action=archive.ARCHIVED_ACTION)
    assert event.data["certificate"] is None


def test_a_seal_that_does_not_open_fails_the_archive_job_instead_of_skipping_the_certificate(
    seal: SigningKey, settings
) -> None:
    memo = completed_memo()
    right = settings.MEMOFLOW_SEAL_KEY_PASSPHRASE
    settings.MEMOFLOW_SEAL_KEY_PASSPHRASE = "not-the-seal-passphrase"
    with pytest.raises(SigningNotConfigured):
        services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    assert (
        memo.status == "completed"
    )  # the job fails and is retried; nothing is archived without its certificate
    settings.MEMOFLOW_SEAL_KEY_PASSPHRASE = right
    services.memo_archive(memo_id=memo.pk)  # the retry, once the passphrase is right
    memo.refresh_from_db()
    assert memo.status == "archived"
    assert memo.certificate_file


# Who may download it --------------------------------------------------------------------------------------------


def test_auditors_and_administrators_download_it(archived: Memo, api_as) -> None:
    for username in ("auditor", "admin"):
        response = api_as(username).get(f"/api/v1/memos/{archived.pk}/certificate/")
        assert response.status_code == 200, username
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == _certificate(archived)
        event = AuditEvent.objects.filter(action="memo.downloaded").order_by("-sequence").first()
        assert event is not None
        assert (event.actor.username, event.data["document"], event.data["sha256"]) == (
            username,
            "certificate",
            archived.certificate_sha256,
        )
    body = api_as("auditor").get(f"/api/v1/memos/{archived.pk}/").json()
    assert body["certificate"] == {
        "url": f"/api/v1/memos/{archived.pk}/certificate/",
        "sha256": archived.certificate_sha256,
    }


def test_colleagues_on_the_route_do_not_see_where_others_signed_from(archived: Memo, api_as) -> None:
    """The certificate lists every signatory's IP address and browser: personal data, kept from colleagues as
    the memo's history keeps it (auditors and administrators only)."""
    for username in ("rujapa", "nat"):
        response = api_as(username).get(f"/api/v1/memos/{archived.pk}/certificate/")
        assert response.status_code == 403, username
        assert response.json()["code"] == "certificate_for_auditors"
        assert api_as(username).get(f"/api/v1/memos/{archived.pk}/").json()["certificate"] is None


def test_someone_who_may_not_see_the_memo_gets_404(archived: Memo, api_as, client) -> None:
    response = api_as("finance_staff").get(f"/api/v1/memos/{archived.pk}/certificate/")
    assert response.status_code == 404
    assert client.get(f"/api/v1/memos/{archived.pk}/certificate/").status_code in (401, 403)


def test_a_memo_without_a_certificate_answers_404_and_shows_no_link(demo_org, api_as, client, person) -> None:
    memo = completed_memo()
    services.memo_archive(memo_id=memo.pk)
    assert api_as("rujapa").get(f"/api/v1/memos/{memo.pk}/certificate/").status_code == 404
    assert api_as("rujapa").get(f"/api/v1/memos/{memo.pk}/").json()["certificate"] is None
    client.force_login(person("rujapa"))
    page = client.get(f"/memos/{memo.pk}/").content.decode()
    assert 'data-testid="download-pdf"' in page
    assert 'data-testid="download-certificate"' not in page


def test_an_altered_certificate_is_not_served(archived: Memo, api_as) -> None:
    path = archive.archive_root() / archived.certificate_file
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed", 1))
    response = api_as("auditor").get(f"/api/v1/memos/{archived.pk}/certificate/")
    assert response.status_code == 500
    assert response.json()["code"] == "archive_damaged"
    assert "หนังสือรับรองการลงลายมือชื่อ" in response.json()["detail"]


def test_the_memo_page_links_the_certificate_next_to_the_pdf(archived: Memo, client, person) -> None:
    client.force_login(person("auditor"))
    page = client.get(f"/memos/{archived.pk}/").content.decode()
    assert 'data-testid="download-pdf"' in page
    assert f'href="/api/v1/memos/{archived.pk}/certificate/"' in page
    assert "ดาวน์โหลดหนังสือรับรองการลงลายมือชื่อ" in page  # Thai first
    client.force_login(person("rujapa"))
    page = client.get(f"/memos/{archived.pk}/").content.decode()
    assert 'data-testid="download-pdf"' in page
    assert 'data-testid="download-certificate"' not in page
    client.force_login(person("finance_staff"))
    assert client.get(f"/memos/{archived.pk}/").status_code == 404


# archive_check --------------------------------------------------------------------------------------------------


def test_archive_check_passes_the_certificate_and_reports_it_altered(archived: Memo, capsys) -> None:
    call_command("archive_check")
    assert "not referred to" not in capsys.readouterr().out  # the certificate is the memo's
    path = archive.archive_root() / archived.certificate_file
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"%tampered\n")
    with pytest.raises(CommandError):
        call_command("archive_check")
    assert f"certificate of completion altered: {archived.certificate_file}" in capsys.readouterr().err


def test_archive_check_catches_a_certificate_swapped_in_the_row(archived: Memo, capsys) -> None:
    Memo.objects.filter(pk=archived.pk).update(
        certificate_sha256="0" * 64
    )  # the row no longer says what was logged
    with pytest.raises(CommandError):
        call_command("archive_check")
    err = capsys.readouterr().err
    assert "certificate of completion altered" in err
    assert "the memo's certificate of completion is not the one in the audit log" in err
