"""Each signatory's own PAdES signature on the memo's PDF, through the route's services as users take it
(issue 10, docs/adr/0007-pdf-signatures.md): the writer certifies the PDF rendered at submit, each approving
step signs its reserved field, the archive job closes it with revocation data and an archive timestamp, and
the archived file validates against the organisation's CA with pyHanko and poppler's pdfsig."""

import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import BadPassword, InvalidState, NotYourTask, ValidationFailed
from core.models import AuditEvent
from memos import archive
from memos.models import Memo, MemoStatus
from org import services as org_services
from org.demo import DEMO_PASSWORD
from signatures import pdf_signing, signing
from signatures import services as signatures_services
from signatures.appearance import StepBlock
from signatures.keystore import unwrap_for_signing
from signatures.models import RevocationReason, Signature, SignatureMethod, SignedPdfUpdate
from signatures.selectors import active_ca, certificate_pem, trust_root, verification_trust
from signatures.tests import signed_pdfs
from signatures.verification import PROBLEM_MESSAGES, VerificationReport, verify_pdf
from tests.builders import (
    active_step,
    approve_active,
    draft_memo,
    draft_with_a_step_to_skip,
    require_tool,
    submit,
)
from tests.test_lockout import limit
from workflow import services
from workflow.demo import load_route_template, load_seed_memo
from workflow.services.pdf_signatures import PdfNotReady
from workflow.tests.test_pdfa_structure import pdfa_problems

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]

ROUTE_NAMES = [  # the seed memo's route: writer, acting head (co-sign), ปลัด, นายก
    "นางสาวรุจภา โฉมประดิษฐ์",
    "นางราชวรี อนุกุล",
    "นายนาฏ วงศ์ทองดี",
    "นายยุทธนา เมืองเล็ก",
]


@pytest.fixture
def signing_on(settings, demo_org, media_root: Path) -> None:
    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = "local"
    call_command("signing_init", verbosity=0)


@pytest.fixture
def seed_memo(demo_org, signing_on) -> Memo:
    load_route_template(demo_org)
    return load_seed_memo(demo_org)


def _complete(memo: Memo) -> Memo:
    submit(memo)
    approve_active(memo)
    approve_active(memo, opinion="เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ")
    approve_active(memo, decision="acknowledged")
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    return memo


def _signed(report: VerificationReport) -> list[str]:
    """The signature fields signed, in the file's order (document timestamps left out)."""
    return [s.field_name for s in report.signatures if s.kind == "signature"]


def _archived(memo: Memo) -> bytes:
    return archive.open_archived(memo.archive_file).read_bytes()


def test_the_archived_memo_carries_one_trusted_timestamped_signature_per_signatory_in_route_order(
    seed_memo: Memo,
) -> None:
    memo = _complete(seed_memo)
    assert memo.status == MemoStatus.ARCHIVED
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert report.valid, report.problems
    signatures = [s for s in report.signatures if s.kind == "signature"]
    assert [s.field_name for s in signatures] == ["step-0", "step-1", "step-2", "step-3"]
    for expected, signature in zip(ROUTE_NAMES, signatures, strict=True):
        assert signature.signer.startswith(expected), (expected, signature.signer)
        assert signature.ok
        assert signature.timestamp is not None
        assert signature.timestamp_trusted
        assert signature.modifications in ("none", "lta_updates", "form_filling")
    assert signatures[0].certifies == 2  # the writer certifies: later signatures only
    assert report.signatures[-1].kind == "document_timestamp"  # PAdES B-LTA
    assert report.closed
    assert report.unsigned_fields == []
    assert report.identity is not None  # memo.json, read from the bytes the writer's certification covers
    assert report.identity.memo_id == str(memo.pk)
    assert report.identity.revision_sha256 == memo.current_revision.sha256
    rows = Signature.objects.filter(memo=memo).order_by("signed_at")
    assert [r.method for r in rows] == [SignatureMethod.PADES] * 4
    assert all(r.signing_key is not None and r.signing_key.person_id == r.signer_id for r in rows)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig is not installed")
def test_pdfsig_lists_every_signature_of_the_archived_memo(seed_memo: Memo, tmp_path: Path) -> None:
    memo = _complete(seed_memo)
    path = tmp_path / "memo.pdf"
    path.write_bytes(_archived(memo))
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=60, check=False)  # noqa: S607
    listing = result.stdout.decode("utf-8", errors="replace")  # pdfsig cuts long titles mid-character
    fields = [line.split(": ", 1)[1] for line in listing.splitlines() if "Signature Field Name:" in line]
    assert fields == ["step-0", "step-1", "step-2", "step-3", "archive-timestamp"], listing
    for name in ROUTE_NAMES:
        assert f"Signer Certificate Common Name: {name}" in listing
    # Poppler 22 checks the four signatures; it does not validate document timestamps ("not yet verified").
    assert listing.count("Signature Validation: Signature is Valid.") == 4, listing


def test_a_wrong_password_signs_nothing_and_changes_nothing(seed_memo: Memo) -> None:
    submit(seed_memo)
    step = active_step(seed_memo)
    parts = SignedPdfUpdate.objects.count()
    with pytest.raises(BadPassword):
        services.step_approve(step=step, actor=step.assignee, password="not-the-password")
    assert SignedPdfUpdate.objects.count() == parts
    assert active_step(seed_memo).pk == step.pk
    with pytest.raises(BadPassword):
        services.step_approve(step=step, actor=step.assignee, password=None)
    assert SignedPdfUpdate.objects.count() == parts


def test_the_stored_pdf_grows_only_by_incremental_updates_each_signature_covering_the_ones_before(
    seed_memo: Memo,
) -> None:
    submit(seed_memo)
    approve_active(seed_memo)
    revision = Memo.objects.get(pk=seed_memo.pk).current_revision
    parts = list(SignedPdfUpdate.objects.filter(revision=revision).order_by("sequence"))
    assert [p.field for p in parts] == ["", "step-0", "step-1"]
    current = signing.signed_pdf(revision=revision)
    assert current is not None
    report = verify_pdf(current.content, trust=verification_trust())
    assert report.valid, report.problems
    assert [s.field_name for s in report.signatures] == ["step-0", "step-1"]
    assert report.unsigned_fields == ["step-2", "step-3"]  # valid so far, not complete: said so
    assert not report.closed


def test_return_and_resubmit_produces_a_new_pdf_whose_signatures_all_validate(seed_memo: Memo) -> None:
    submit(seed_memo)
    approve_active(seed_memo)
    step = active_step(seed_memo)
    services.step_return(step=step, actor=step.assignee, password=DEMO_PASSWORD, reason="แก้ไขวันที่")
    memo = Memo.objects.get(pk=seed_memo.pk)
    first = memo.current_revision
    submit(memo)
    memo = Memo.objects.get(pk=seed_memo.pk)
    second = memo.current_revision
    assert second is not None
    assert first is not None
    assert second.pk != first.pk
    approve_active(memo)
    approve_active(memo, opinion="เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ")
    approve_active(memo, decision="approved")
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert report.valid, report.problems
    assert _signed(report) == [
        "step-0",
        "step-1",
        "step-2",
        "step-3",
    ]
    earlier = signing.signed_pdf(revision=first)  # the first round's signed PDF stays in the history
    assert earlier is not None
    assert [s.field_name for s in verify_pdf(earlier.content, trust=verification_trust()).signatures] == [
        "step-0",
        "step-1",
    ]


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda pdf: signed_pdfs.flip_byte(pdf, b"/MediaBox"), "digest_mismatch"),
        (signed_pdfs.shadow_page_update, "modified_after_signing"),
        (signed_pdfs.swap_pages, "modified_after_signing"),
        (lambda pdf: signed_pdfs.strip_last_signature(pdf, "step-3"), "modified_after_signing"),
    ],
    ids=["flipped-byte", "shadow-update", "swapped-pages", "stripped-signature"],
)
def test_tampering_with_the_archived_memo_is_reported_by_the_api_and_the_page(
    seed_memo: Memo, client, tamper, code: str
) -> None:
    tampered = tamper(_archived(_complete(seed_memo)))
    answer = client.post("/api/v1/verify/", {"file": io.BytesIO(tampered)}).json()
    assert answer["valid"] is False
    assert code in [p["code"] for p in answer["problems"]]
    page = client.post("/verify/", {"file": io.BytesIO(tampered)})
    assert page.status_code == 200
    assert str(PROBLEM_MESSAGES[code]) in page.content.decode()


def test_an_opinion_too_long_for_its_box_is_refused_before_anything_is_signed(seed_memo: Memo) -> None:
    submit(seed_memo)
    approve_active(seed_memo)
    step = active_step(seed_memo)  # ปลัด's opinion
    parts, rows = SignedPdfUpdate.objects.count(), Signature.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.step_approve(
            step=step, actor=step.assignee, password=DEMO_PASSWORD, opinion="เห็นควรอนุมัติ " * 400
        )
    assert "opinion" in raised.value.fields
    assert (SignedPdfUpdate.objects.count(), Signature.objects.count()) == (parts, rows)
    assert active_step(seed_memo).pk == step.pk
    refused = AuditEvent.objects.filter(action="signing.failed").order_by("-sequence").first()
    assert refused is not None  # recorded although the step's transaction rolled back (issue 12)
    assert (refused.actor_id, refused.data["code"], refused.data["fields"]) == (
        step.assignee_id,
        "invalid",
        ["opinion"],
    )


def test_no_one_signs_another_persons_step_not_even_an_administrator(seed_memo: Memo, person) -> None:
    submit(seed_memo)
    step = active_step(seed_memo)
    parts = SignedPdfUpdate.objects.count()
    for someone in (person("admin"), person("nat")):
        with pytest.raises(NotYourTask):
            services.step_approve(step=step, actor=someone, password=DEMO_PASSWORD)
    assert SignedPdfUpdate.objects.count() == parts


def test_the_writer_certifies_first_and_a_field_is_signed_once(seed_memo: Memo, person) -> None:
    submit(seed_memo)
    revision = Memo.objects.get(pk=seed_memo.pk).current_revision
    current = signing.signed_pdf(revision=revision)
    assert current is not None
    assert current.signed == ["step-0"]
    block = StepBlock(name="x", position="y", date="z")
    with unwrap_for_signing(person=person("ratchawari"), password=DEMO_PASSWORD) as key:
        for field, certify in (("step-0", False), ("step-1", True), ("step-9", False)):
            with pytest.raises(InvalidState):
                signing.pdf_sign(
                    revision=revision,
                    field=field,
                    signer=key,
                    block=block,
                    reason="",
                    location="",
                    now=timezone.now(),
                    certify=certify,
                )


@pytest.mark.postgres
def test_a_stored_part_changed_behind_the_application_is_detected(seed_memo: Memo) -> None:
    submit(seed_memo)
    revision = Memo.objects.get(pk=seed_memo.pk).current_revision
    table = SignedPdfUpdate._meta.db_table
    with connection.cursor() as cursor:  # what only the database's owner could do: the triggers refuse it
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE \"{table}\" SET content = content || '\\x20'::bytea "  # noqa: S608 - the model's own table
            "WHERE revision_id = %s AND sequence = 0",
            [revision.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(InvalidState):
        signing.signed_pdf(revision=revision)


def test_the_signed_pdf_is_served_to_the_route_and_to_no_one_else(seed_memo: Memo, api_as) -> None:
    submit(seed_memo)
    approve_active(seed_memo)
    url = f"/api/v1/memos/{seed_memo.pk}/signed-pdf/"
    response = api_as("ratchawari").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    report = verify_pdf(response.content, trust=verification_trust())
    assert [s.field_name for s in report.signatures] == ["step-0", "step-1"]
    downloaded = AuditEvent.objects.filter(action="memo.downloaded").order_by("-sequence").first()
    assert downloaded is not None
    assert (downloaded.object_id, downloaded.actor.username, downloaded.data["document"]) == (
        str(seed_memo.pk),
        "ratchawari",
        "signed_pdf",
    )
    assert downloaded.data["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert downloaded.data["revision"] == seed_memo.current_revision.number
    assert api_as("works_staff").get(url).status_code == 404
    checked = api_as("works_staff").post("/api/v1/verify/", {"file": io.BytesIO(response.content)})
    assert checked.json()["unsigned_fields"] == ["step-2", "step-3"]
    assert checked.json()["closed"] is False
    page = api_as("works_staff").post("/verify/", {"file": io.BytesIO(response.content)}).content.decode()
    assert 'data-testid="verify-not-final"' in page
    assert api_as("rujapa").get(url + "?revision=7").json()["code"] == "not_signed"
    assert api_as("rujapa").get(url + "?revision=x").status_code == 400


def test_the_memo_page_offers_the_signed_pdf_while_in_review(seed_memo: Memo, client, person) -> None:
    submit(seed_memo)
    client.force_login(person("ratchawari"))
    page = client.get(f"/memos/{seed_memo.pk}/").content.decode()
    assert 'data-testid="download-signed-pdf"' in page
    assert f"/api/v1/memos/{seed_memo.pk}/signed-pdf/" in page


def test_pdfsig_trusts_every_signature_once_the_organisations_ca_is_trusted(
    seed_memo: Memo, tmp_path: Path
) -> None:
    """What a records office does with poppler: import the CA certificate (/pki/ca.crt) into an NSS database
    as trusted, then check the memo. Every signer's certificate is then trusted, as in Adobe Reader."""
    certutil, pdfsig = require_tool("certutil", "libnss3-tools"), require_tool("pdfsig", "poppler-utils")
    memo = _complete(seed_memo)
    (tmp_path / "memo.pdf").write_bytes(_archived(memo))
    (tmp_path / "ca.pem").write_text(certificate_pem(trust_root(active_ca())))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [
            certutil,
            "-A",
            "-d",
            f"sql:{nss}",
            "-n",
            "memoflow-ca",
            "-t",
            "CT,C,C",  # C: a trusted CA for signatures (the S/MIME column NSS checks signers against)
            "-i",
            str(tmp_path / "ca.pem"),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [pdfsig, "-nssdir", f"sql:{nss}", "-no-ocsp", str(tmp_path / "memo.pdf")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    listing = result.stdout.decode("utf-8", errors="replace")
    assert listing.count("Certificate Validation: Certificate is Trusted.") == 4, listing
    assert "isn't Trusted" not in listing


def test_a_submit_whose_pdf_cannot_be_rendered_in_time_submits_nothing(seed_memo: Memo, settings) -> None:
    settings.MEMOFLOW_PDF_RENDER_TIMEOUT = 0.05
    with pytest.raises(PdfNotReady):
        submit(seed_memo)
    memo = Memo.objects.get(pk=seed_memo.pk)
    assert memo.status == MemoStatus.DRAFT
    assert memo.number == ""
    assert not Signature.objects.filter(memo=memo).exists()
    assert not SignedPdfUpdate.objects.exists()


def test_the_memo_page_shows_why_an_opinion_was_refused_and_keeps_it(seed_memo: Memo, client, person) -> None:
    submit(seed_memo)
    approve_active(seed_memo)
    client.force_login(person("nat"))
    opinion = "เห็นควรอนุมัติ\n" * 300
    page = client.post(
        f"/memos/{seed_memo.pk}/",
        {"action": "approve", "approve-opinion": opinion, "approve-password": DEMO_PASSWORD},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "ย่อข้อความ" in html  # the Thai message: shorten it, or attach the details as an enclosure
    assert "เห็นควรอนุมัติ" in html  # what they wrote is still in the form
    assert active_step(seed_memo).assignee.username == "nat"


@pytest.mark.parametrize("tsa", ["local", ""], ids=["archive-timestamp", "seal-without-tsa"])
def test_the_signed_archive_keeps_the_pdfa_structure(seed_memo: Memo, settings, tsa: str) -> None:
    """The signatures, the validation data and the archive timestamp (or, without a TSA, the organisation's
    seal) are incremental updates, which PDF/A-3 allows; each widget is printed, with its appearance, and
    the Info dictionary still agrees with the XMP (the structural check of issue 9)."""
    settings.MEMOFLOW_TSA_URL = tsa
    memo = _complete(seed_memo)
    assert verify_pdf(_archived(memo), trust=verification_trust()).valid
    assert pdfa_problems(_archived(memo)) == []
    event = AuditEvent.objects.filter(action=archive.ARCHIVED_ACTION, object_id=str(memo.pk)).get()
    assert event.data["pdfa"] is True


def test_a_2000_character_opinion_is_signed_in_its_box(seed_memo: Memo) -> None:
    """ADR 0007: the text-width box of a step holds 2,000 characters at 70 % of the official size at most."""
    submit(seed_memo)
    approve_active(seed_memo)
    opinion = ("เห็นควรอนุมัติตามที่เสนอ โดยให้กองคลังตรวจสอบงบประมาณคงเหลือก่อนดำเนินการจัดซื้อ " * 40)[:2000]
    approve_active(seed_memo, opinion=opinion)
    revision = Memo.objects.get(pk=seed_memo.pk).current_revision
    assert _fields_signed(revision) == ["step-0", "step-1", "step-2"]


def _fields_signed(revision) -> list[str]:
    current = signing.signed_pdf(revision=revision)
    assert current is not None
    return current.signed


def test_pyhankos_command_line_validates_the_archived_memo_with_only_the_ca_certificate(
    seed_memo: Memo, tmp_path: Path
) -> None:
    """What docs/signatures.md tells an auditor to run: `pyhanko sign validate --trust ca.crt memo.pdf`. The
    command line checks revocation on line only (it does not read the CRLs embedded in the file), so away from
    memoflow's /pki/crl.der it runs with --soft-revocation-check; every signature is still intact, valid and
    chains to the CA, and a tampered file still fails."""
    memo = _complete(seed_memo)
    (tmp_path / "memo.pdf").write_bytes(_archived(memo))
    (tmp_path / "ca.pem").write_text(certificate_pem(trust_root(active_ca())))
    pyhanko = str(Path(sys.executable).with_name("pyhanko"))
    command = [pyhanko, "sign", "validate", "--trust", str(tmp_path / "ca.pem"), "--trust-replace"]
    command.append("--soft-revocation-check")
    result = subprocess.run(
        [*command, "--pretty-print", str(tmp_path / "memo.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ROUTE_NAMES:
        assert name in result.stdout
    assert result.stdout.count("The signature is judged VALID.") == 4, result.stdout
    (tmp_path / "tampered.pdf").write_bytes(signed_pdfs.shadow_page_update(_archived(memo)))
    tampered = subprocess.run(
        [*command, "--executive-summary", str(tmp_path / "tampered.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tampered.returncode != 0


def test_an_administrator_reads_the_signed_pdfs_history_but_cannot_change_it(
    seed_memo: Memo, client, person
) -> None:
    submit(seed_memo)
    client.force_login(person("admin"))
    part = SignedPdfUpdate.objects.get(field="step-0")
    listing = client.get("/admin/signatures/signedpdfupdate/").content.decode()
    assert part.sha256 in listing
    page = client.get(f"/admin/signatures/signedpdfupdate/{part.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/signatures/signedpdfupdate/{part.pk}/change/", {}).status_code == 403
    assert client.get(f"/admin/signatures/signedpdfupdate/{part.pk}/delete/").status_code == 403
    assert client.get("/admin/signatures/signedpdfupdate/add/").status_code == 403


def test_a_wrong_signing_password_is_403_bad_password_and_counts_toward_the_lockout(seed_memo: Memo) -> None:
    """Step-up with the key: the password that opens the key is checked as the sign-in's is; a wrong one
    signs nothing and is counted, and at the limit signing (and signing in) is locked."""
    submit(seed_memo)
    step = active_step(seed_memo)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="th")
    api.force_authenticate(step.assignee)
    url = f"/api/v1/tasks/{step.pk}/approve/"
    parts = SignedPdfUpdate.objects.count()
    for attempt in range(limit() - 1):
        response = api.post(url, {"password": "wrong"}, format="json", REMOTE_ADDR=f"203.0.113.{attempt + 1}")
        assert response.status_code == 403
        assert response.json()["code"] == "bad_password"
    attempts = AccessAttempt.objects.filter(username=step.assignee.username)
    assert {a.path_info for a in attempts} == {"(signing password)"}
    response = api.post(url, {"password": "wrong"}, format="json")
    assert response.status_code == 429
    response = api.post(url, {"password": DEMO_PASSWORD}, format="json")  # the right one, too late
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert SignedPdfUpdate.objects.count() == parts
    assert active_step(seed_memo).pk == step.pk


def test_a_step_skipped_under_the_separation_of_duties_leaves_its_field_empty_and_the_memo_archives(
    demo_org, signing_on, person, position
) -> None:
    """ratchawari co-signs for the head of สำนักปลัด, then her own post's step comes up: skipped (she signed
    this round already). Its reserved field stays empty; the archive closes the PDF all the same, valid."""
    memo = draft_with_a_step_to_skip()
    submit(memo)
    approve_active(memo)
    approve_active(memo, decision="approved")
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    assert memo.status == MemoStatus.ARCHIVED
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert report.valid, report.problems
    assert _signed(report) == [
        "step-0",
        "step-1",
        "step-3",
    ]


def test_signatures_made_before_an_administrators_reset_stay_valid_for_the_time_they_were_made(
    seed_memo: Memo, person
) -> None:
    """A reset revokes the old key (superseded) and issues a new one: the archived memo nat signed before it,
    timestamped, still validates; a key revoked as compromised (yutthana's) does not, whenever it signed."""
    memo = _complete(seed_memo)
    nat = person("nat")
    old_key = Signature.objects.get(memo=memo, signer=nat).signing_key
    assert old_key is not None
    org_services.person_password_change(person=nat, password="a-new-password-9", actor=person("admin"))
    old_key.refresh_from_db()
    assert old_key.revoked_at is not None
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert report.valid, report.problems
    nat_signature = next(s for s in report.signatures if s.field_name == "step-2")
    assert not nat_signature.revoked
    yutthana_key = Signature.objects.get(memo=memo, signer=person("yutthana")).signing_key
    assert yutthana_key is not None
    signatures_services.signing_key_revoke(key=yutthana_key, reason=RevocationReason.KEY_COMPROMISE)
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert not report.valid
    assert [p.code for p in report.problems] == ["revoked"]
    assert ("revoked", 4) in [(p.code, p.signature) for p in report.problems]


@pytest.mark.parametrize("tsa", ["local", ""], ids=["timestamped", "without-tsa"])
def test_a_signers_password_reset_mid_route_does_not_stop_the_memo_archiving(
    seed_memo: Memo, settings, person, tsa: str
) -> None:
    """ratchawari signs; an administrator resets her password (her key superseded, revoked) before the route
    ends: the archive is closed all the same, her certificate checked at her signing time. With a timestamp
    that time is proven and the memo validates; without one (PAdES B-B) nothing proves she signed before the
    revocation, and the verification says so (docs/signatures.md: production needs a TSA)."""
    settings.MEMOFLOW_TSA_URL = tsa
    submit(seed_memo)
    signer = active_step(seed_memo).assignee
    approve_active(seed_memo)
    org_services.person_password_change(person=signer, password="A-new-password-9876", actor=person("admin"))
    approve_active(seed_memo, opinion="เห็นควรเสนอ")
    approve_active(seed_memo, decision="acknowledged")
    services.memo_archive(memo_id=seed_memo.pk)
    memo = Memo.objects.get(pk=seed_memo.pk)
    assert memo.status == MemoStatus.ARCHIVED
    report = verify_pdf(_archived(memo), trust=verification_trust())
    if tsa:
        assert report.valid, report.problems
    else:
        assert [(p.code, p.signature) for p in report.problems] == [("revoked", 2)]


def test_switching_pdf_signatures_mid_route_strands_no_memo(seed_memo: Memo, settings, demo_org) -> None:
    """The revision decides, not the setting: a memo submitted with a signed PDF keeps being signed on it
    after the setting goes off, and one submitted without keeps the password confirmation after it goes on."""
    submit(seed_memo)  # on: a signed PDF
    settings.MEMOFLOW_PDF_SIGNATURES = False
    approve_active(seed_memo)
    approve_active(seed_memo, opinion="เห็นควรเสนอ")
    approve_active(seed_memo, decision="acknowledged")
    services.memo_archive(memo_id=seed_memo.pk)
    memo = Memo.objects.get(pk=seed_memo.pk)
    assert memo.status == MemoStatus.ARCHIVED
    assert len(verify_pdf(_archived(memo), trust=verification_trust()).signatures) == 5
    other = draft_memo()  # off: no signed PDF
    submit(other)
    settings.MEMOFLOW_PDF_SIGNATURES = True
    approve_active(other)
    assert Signature.objects.filter(memo=other, method=SignatureMethod.PASSWORD).count() == 2
    assert not SignedPdfUpdate.objects.filter(revision__memo=other).exists()


def test_an_independent_tsa_timestamps_the_route_and_closes_the_archive(
    seed_memo: Memo, settings, monkeypatch, tmp_path: Path
) -> None:
    """Production's case: a timestamp authority outside the organisation (its own root, set in
    MEMOFLOW_TSA_TRUST_ROOTS). Every signature and the archive timestamp are its; the memo archives and
    validates, its timestamps trusted."""
    stamper, root_pem = signed_pdfs.foreign_tsa()
    (tmp_path / "tsa-root.pem").write_bytes(root_pem)
    settings.MEMOFLOW_TSA_TRUST_ROOTS = [str(tmp_path / "tsa-root.pem")]
    monkeypatch.setattr(signing, "configured_timestamper", lambda: stamper)
    memo = _complete(seed_memo)
    report = verify_pdf(_archived(memo), trust=verification_trust())
    assert report.valid, report.problems
    assert all(s.timestamp_trusted for s in report.signatures if s.kind == "signature")
    assert report.signatures[-1].kind == "document_timestamp"


def test_a_signature_added_after_the_archive_was_closed_is_reported(
    demo_org, signing_on, person, position
) -> None:
    """A skipped step's field stays empty in the archive, and DocMDP P=2 would let anyone sign it later: the
    verification reports any signature after the archive timestamp."""
    memo = draft_with_a_step_to_skip()
    submit(memo)
    approve_active(memo)
    approve_active(memo, decision="approved")
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    with unwrap_for_signing(person=person("works_staff"), password=DEMO_PASSWORD) as key:
        forged = pdf_signing.sign_field(_archived(memo), "step-2", key.signer)
    report = verify_pdf(forged, trust=verification_trust())
    assert not report.valid
    assert ("signed_after_closing", 5) in [(p.code, p.signature) for p in report.problems]
