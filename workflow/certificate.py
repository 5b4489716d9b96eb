"""The certificate of completion (หนังสือรับรองการลงลายมือชื่ออิเล็กทรอนิกส์ครบถ้วน) of a completed memo: per step of the
final round who signed, in which position and capacity, what they did and wrote, when (Bangkok and UTC), from
where (IP address, user agent) and the SHA-256 of the revision they signed; sealed by the organisation
(signatures.sealing) and archived beside the memo by the archive job (`certificate_archive`).

Three halves, as workflow.pdf: `certificate_data` reads the database (two queries, whatever the route's length)
into plain dataclasses; `render_certificate` lays them out with WeasyPrint (no database); `certificate_archive`
renders, seals and stores the file once. The same data is embedded in the PDF as certificate.json.
"""

import dataclasses
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from core.thai import format_date_long, thai_digits, to_bangkok
from memos import archive
from memos.models import Memo
from memos.pdf.pdfa import finish
from org.selectors import own_position_titles
from signatures import sealing
from signatures.audit_checkpoint import latest_checkpoint
from workflow import pdf_documents, selectors
from workflow.models import Decision, DutyConflict, RouteStep, StepRole, StepState

log = logging.getLogger(__name__)

TITLE: Final = "หนังสือรับรองการลงลายมือชื่ออิเล็กทรอนิกส์ครบถ้วน"
#: What each role's signer did, as the certificate says it.
ACTION: Final = {
    StepRole.WRITER: "เสนอและลงนาม",
    StepRole.COSIGN: "ลงนามร่วม",
    StepRole.OPINION: "ให้ความเห็นและลงนาม",
    StepRole.DECISION: "สั่งการและลงนาม",
}
#: A decision as the decision block of the memo ticks it.
DECISION_TEXT: Final = {
    Decision.ACKNOWLEDGED: "ทราบ",
    Decision.APPROVED: "อนุมัติ",
    Decision.NOT_APPROVED: "ไม่อนุมัติ",
    Decision.OTHER: "อื่น ๆ",
}
SKIPPED: Final = "ข้ามขั้นตอน"
#: Why a step was skipped (separation of duties, ADR 0005), as the certificate says it.
SKIPPED_BECAUSE: Final = {
    DutyConflict.WRITER: "ผู้ลงนามของตำแหน่งนี้เป็นผู้เสนอบันทึก จึงข้ามตามหลักการแบ่งแยกหน้าที่",
    DutyConflict.SIGNED: "ผู้ลงนามของตำแหน่งนี้ได้ลงนามแล้วในรอบนี้ จึงข้ามตามหลักการแบ่งแยกหน้าที่",
}


@dataclass(frozen=True)
class CertifiedStep:
    """One step of the final round. `signed_at` is None only for a skipped step (nobody signed it)."""

    order: int
    role: str
    action: str  # ACTION, or SKIPPED
    name: str
    position: str  # the signer's own position (as the memo prints it above a capacity line)
    capacity: str  # รักษาราชการแทน / ปฏิบัติราชการแทน / รักษาการแทน, or ""
    capacity_line: str  # e.g. "รักษาการแทนหัวหน้าสำนักปลัด": the capacity and the position signed for
    written: str  # the opinion, or the decision and its text; why a skipped step was skipped
    signed_at: datetime | None
    ip_address: str
    user_agent: str
    revision_sha256: str


@dataclass(frozen=True)
class CertifiedCheckpoint:
    """The audit chain's latest signed checkpoint when the certificate was made (signatures.audit_checkpoint):
    the log up to `sequence` is sealed with `head_hash`; later events are in the next checkpoint."""

    sequence: int
    head_hash: str
    at: datetime
    file_name: str


@dataclass(frozen=True)
class CompletionCertificate:
    memo_id: str
    organisation: str
    number: str
    subject: str
    date: date | None
    completed_at: datetime
    revision: int
    revision_sha256: str
    archive_sha256: str  # the archived memo PDF's, when known
    steps: tuple[CertifiedStep, ...]
    checkpoint: CertifiedCheckpoint | None = None  # None: no checkpoint signed yet
    secrecy: str = ""  # the memo's class (memos.models.Secrecy), "" when not classified


def _written(step: RouteStep) -> str:
    opinion = step.opinion.strip()
    if step.role != StepRole.DECISION or not step.decision:
        return opinion
    decision = DECISION_TEXT.get(Decision(step.decision), step.decision)
    if step.decision_text.strip():
        decision = f"{decision}: {step.decision_text.strip()}"
    return "\n".join(part for part in (decision, opinion) if part)


def _skipped(step: RouteStep) -> CertifiedStep:
    because = SKIPPED_BECAUSE.get(DutyConflict(step.duty_conflict), "") if step.duty_conflict else ""
    return CertifiedStep(
        order=step.order,
        role=step.role,
        action=SKIPPED,
        name="",
        position=step.position.title,
        capacity="",
        capacity_line="",
        written=because,
        signed_at=None,
        ip_address="",
        user_agent="",
        revision_sha256="",
    )


def _latest_checkpoint() -> CertifiedCheckpoint | None:
    row = latest_checkpoint()
    if row is None:
        return None
    return CertifiedCheckpoint(
        sequence=row.sequence, head_hash=row.head_hash, at=row.at, file_name=row.file_name
    )


def certificate_data(*, memo: Memo, archive_sha256: str = "") -> CompletionCertificate:
    """What the certificate of `memo` (completed or archived) says. Three queries: the final round's steps with
    their signatures, signers and positions; the signers' own position titles; the audit chain's latest
    checkpoint. `memo` comes with its organisation and current revision (memo_archive and memo_get load them)."""
    steps = selectors.current_round_steps(memo=memo, with_signatures=True)
    signed = [s for s in steps if s.state == StepState.SIGNED and s.signature is not None]
    own_titles = own_position_titles(people=[s.signature.signer for s in signed if s.signature])
    certified = []
    for step in steps:
        signature = step.signature if step.state == StepState.SIGNED else None
        if signature is None:
            if step.state == StepState.SKIPPED:
                certified.append(_skipped(step))
            continue
        signed_for = signature.position.title
        capacity = signature.capacity
        certified.append(
            CertifiedStep(
                order=step.order,
                role=step.role,
                action=ACTION[StepRole(step.role)],
                name=signature.signer.full_name,
                position=own_titles.get(signature.signer_id, signed_for) if capacity else signed_for,
                capacity=capacity,
                capacity_line=f"{capacity}{signed_for}" if capacity else "",
                written=_written(step),
                signed_at=signature.signed_at,
                ip_address=signature.ip_address or "",
                user_agent=signature.user_agent,
                revision_sha256=signature.revision_sha256,
            )
        )
    revision = memo.current_revision
    return CompletionCertificate(
        memo_id=str(memo.pk),
        organisation=memo.organisation.name,
        number=memo.number,
        subject=memo.subject,
        date=memo.date,
        completed_at=memo.status_changed_at,
        revision=revision.number if revision else memo.revision,
        revision_sha256=revision.sha256 if revision else "",
        archive_sha256=archive_sha256,
        steps=tuple(certified),
        checkpoint=_latest_checkpoint(),
        secrecy=memo.secrecy,
    )


def certificate_json(data: CompletionCertificate) -> bytes:
    """The certificate's content as JSON (embedded in the PDF as certificate.json), times in UTC."""

    def encode(value: Any) -> Any:
        if isinstance(value, datetime):
            return _utc(value)
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(type(value))

    payload = {"schema": "memoflow.certificate/1", **dataclasses.asdict(data)}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=encode, indent=1).encode()


# Rendering ---------------------------------------------------------------------------------------------------


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bangkok(value: datetime, digits: str) -> str:
    """ "๒ ธันวาคม ๒๕๖๙ เวลา ๑๔.๔๘.๑๙ น." (the seconds: the certificate is evidence, not a letter)."""
    local = to_bangkok(value)
    text = f"{format_date_long(local, digits='arabic')} เวลา {local:%H.%M.%S} น."
    return thai_digits(text) if digits == "thai" else text


def _checkpoint_context(checkpoint: CertifiedCheckpoint | None, digits: str) -> dict[str, str] | None:
    """The checkpoint as printed: its sequence in the document's digits with the Arabic figure beside it (what
    `verify_audit` prints), the head hash short and in full, the time in the Buddhist era."""
    if checkpoint is None:
        return None
    sequence = str(checkpoint.sequence)
    return {
        "sequence": f"{thai_digits(sequence)} ({sequence})" if digits == "thai" else sequence,
        "short_hash": checkpoint.head_hash[:16],
        "head_hash": checkpoint.head_hash,
        "at": _bangkok(checkpoint.at, digits),
        "file_name": checkpoint.file_name,
    }


#: The certificate's page margins in mm (top, right, bottom, left).
PAGE_MARGINS_MM: Final = (20.0, 20.0, 22.0, 25.0)


def certificate_html(data: CompletionCertificate) -> str:
    digits = str(getattr(settings, "MEMOFLOW_PDF_DIGITS", "thai"))

    def d(value: object) -> str:
        return thai_digits(value) if digits == "thai" else str(value)

    scale = pdf_documents.font_scale()
    base_url = str(settings.MEMOFLOW_BASE_URL).rstrip("/")
    steps = [
        {
            "step": step,
            "order": d(index),
            "bangkok": _bangkok(step.signed_at, digits) if step.signed_at else "",
            "utc": _utc(step.signed_at) if step.signed_at else "",
        }
        for index, step in enumerate(data.steps, 1)
    ]
    context = {
        "title": TITLE,
        "data": data,
        "steps": steps,
        "number": d(data.number),
        "date": format_date_long(data.date, digits=digits) if data.date else "",
        "completed": _bangkok(data.completed_at, digits),
        "revision": d(data.revision),
        "signatures": d(sum(1 for s in data.steps if s.signed_at)),
        "verify_url": f"{base_url}/verify/",
        "ca_url": f"{base_url}/pki/ca.crt",
        "family": pdf_documents.font_family(),
        "faces": pdf_documents.font_faces(),
        "fs_body": f"{15 * scale:.2f}pt",
        "fs_small": f"{13 * scale:.2f}pt",
        "fs_code": f"{12 * scale:.2f}pt",
        "fs_title": f"{22 * scale:.2f}pt",
        "page_counter": "thai" if digits == "thai" else "decimal",
        "checkpoint": _checkpoint_context(data.checkpoint, digits),
        "page_margin": pdf_documents.page_margin(PAGE_MARGINS_MM),
        "secrecy": pdf_documents.secrecy_mark(data.secrecy, margins_mm=PAGE_MARGINS_MM),
    }
    return pdf_documents.readable(render_to_string("workflow/certificate.html", context))


def render_certificate(data: CompletionCertificate) -> bytes:
    """The certificate as an A4 PDF/A-3b (unsealed), certificate.json attached."""
    content = certificate_json(data)
    attachment = weasyprint.Attachment(
        file_obj=io.BytesIO(content),
        name="certificate.json",
        description="หนังสือรับรองการลงลายมือชื่อ (JSON)",
    )
    pdf = pdf_documents.write_pdf(certificate_html(data), pdf_variant="pdf/a-3b", attachments=[attachment])
    # The archive's own PDF/A finish (Info and XMP agreeing, dated at completion, the attachment listed once
    # in /AF, an /ID from the content): the same data renders to the same bytes.
    identifier = hashlib.sha256(content).digest()[:16]
    finished, reasons = finish(pdf, when=data.completed_at, identifier=identifier, failures=[])
    if reasons:
        log.warning("certificate of memo %s not labelled PDF/A: %s", data.memo_id, "; ".join(reasons))
    return finished


def certificate_pdf(data: CompletionCertificate) -> bytes:
    """The certificate rendered and sealed by the organisation (SigningNotConfigured without a seal)."""
    # The seal's updates leave the metadata as render_certificate finished it (signatures.pdf_signing._Writer).
    return sealing.seal_pdf(render_certificate(data), reason=TITLE, location=data.organisation)


# Archiving -----------------------------------------------------------------------------------------------------


def certificate_filename(memo: Memo) -> str:
    """ "หนังสือรับรองการลงลายมือชื่อ พบ ๓๒๘๐๑-๑.pdf", the download's name."""
    return f"หนังสือรับรองการลงลายมือชื่อ {memo.number.replace('/', '-')}.pdf"


def certificate_base_name(memo: Memo, memo_relative_name: str) -> str:
    """Beside the memo's archived PDF: "2569/<memo id>-certificate.pdf" (store_once adds the hash)."""
    return (Path(memo_relative_name).parent / f"{memo.pk}-certificate.pdf").as_posix()


def certificate_archive(*, memo: Memo, memo_relative_name: str, memo_sha256: str) -> archive.Stored | None:
    """Render, seal and store the completed memo's certificate once, beside its archived PDF (a retried job
    finds the copy an earlier run stored). None, with a warning, when the organisation has no seal yet
    (`manage.py signing_init`): the memo is archived without one. A seal whose passphrase is wrong raises."""
    if not sealing.seal_configured():
        log.warning("memo %s archived without a certificate of completion: no seal key", memo.pk)
        return None
    return archive.store_once(
        base_name=certificate_base_name(memo, memo_relative_name),
        render=lambda: certificate_pdf(certificate_data(memo=memo, archive_sha256=memo_sha256)),
    )


def certificate_event(stored: archive.Stored | None) -> dict[str, Any] | None:
    """The certificate as the archive audit event records it."""
    if stored is None:
        return None
    return {"file": stored.relative_name, "sha256": stored.sha256, "bytes": stored.size}
