"""The route's signatures on the memo's PDF (issue 10, docs/adr/0007-pdf-signatures.md): at submit the
round's PDF is rendered with an empty field per step and the writer certifies it; each approving step signs
its own field with its block as the appearance; the archive job closes it (revocation data, timestamp).

On when `MEMOFLOW_PDF_SIGNATURES` is set (the default) and the organisation has a CA (`manage.py
signing_init`). The signer's key is opened with their password before the step's transaction
(`signing_key`): a wrong password is recorded even though the step changes nothing.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta
from core.errors import ApplicationError
from core.thai import format_date_long
from memos.models import Memo, MemoRevision
from org.models import Person
from signatures import signing
from signatures.appearance import StepBlock
from signatures.errors import SigningNotConfigured
from signatures.keystore import UnwrappedSigner, unwrap_for_signing
from signatures.models import Signature
from signatures.pdf_signing import FieldSpec
from signatures.selectors import active_ca, signature_image_in_force
from workflow.models import RouteStep, StepRole
from workflow.services._common import _check_password

log = logging.getLogger(__name__)


class PdfNotReady(ApplicationError):
    code = "pdf_not_ready"
    http_status = 503
    default_message = _(
        "The memo's PDF could not be prepared for signing. Nothing was submitted; try again, and if it "
        "happens again, tell the administrator (a very large enclosure can cause it)."
    )


#: The decision's words as the paper memo's check boxes print them.
DECISION_WORDS = {
    "acknowledged": "ทราบ",
    "approved": "อนุมัติ",
    "not_approved": "ไม่อนุมัติ",
    "other": "อื่น ๆ",
}


def enabled() -> bool:
    """Whether signatures go on the PDF. Set but without a CA, signing is refused (SigningNotConfigured):
    a deployment that promises signatures never silently records a password confirmation instead."""
    if not getattr(settings, "MEMOFLOW_PDF_SIGNATURES", False):
        return False
    if active_ca() is None:
        raise SigningNotConfigured("no certification authority: run manage.py signing_init")
    return True


@contextmanager
def signing_key(
    actor: Person,
    password: str | None,
    meta: RequestMeta | None,
    *,
    memo_id: Any = None,
    signed_on_pdf: bool | None = None,
) -> Iterator[UnwrappedSigner | None]:
    """The actor's key opened with their password for one signature (None when signatures are not on the PDF,
    after the same password check). Outside any transaction: a failed attempt counts toward the lockout.

    A submit (no `memo_id`) follows the setting. A step follows its revision: one submitted with a signed
    PDF keeps being signed on it, one submitted without keeps the password confirmation, whatever the setting
    says now, so that switching it never strands a memo half-way (a PDF with fields no one may sign, or a
    route whose later steps never sign the PDF its earlier ones did). `signed_on_pdf`: that answer for the
    memo's current revision when the step's own query read it already (selectors.step_get)."""
    if memo_id is None:
        on_pdf = enabled()
    elif signed_on_pdf is not None:
        on_pdf = signed_on_pdf
    else:
        on_pdf = signing.current_revision_signed_on_pdf(memo_id=memo_id)
    if not on_pdf:
        _check_password(actor, password, meta)
        yield None
        return
    with unwrap_for_signing(person=actor, password=password, meta=meta) as unwrapped:
        yield unwrapped


def _image(person: Person, at: datetime) -> bytes | None:
    image = signature_image_in_force(person=person, at=at)
    if image is None:
        return None
    with image.file.open("rb") as handle:
        return bytes(handle.read())


def step_block(step: RouteStep, signature: Signature, *, own_title: str, text: str) -> StepBlock:
    """What the step's signature shows: what they wrote (or decided), their handwritten signature, name,
    position (their own when they sign in a capacity), the capacity line, the Thai date."""
    person = signature.signer
    capacity = f"{signature.capacity}{step.position.title}" if signature.capacity else ""
    return StepBlock(
        name=person.full_name,
        position=own_title if capacity else signature.position.title,
        date=format_date_long(signature.signed_at),
        opinion=text,
        capacity=capacity,
        signature_png=_image(person, signature.signed_at),
    )


def written_text(step: RouteStep) -> str:
    """The block's text: the decision (with its order) above what the step wrote."""
    lines = []
    if step.role == StepRole.DECISION and step.decision:
        word = DECISION_WORDS.get(step.decision, "")
        order = step.decision_text.strip() if step.decision == "other" else ""
        lines.append(f"☑ {word} {order}".strip())
    if step.opinion.strip():
        lines.append(step.opinion.strip("\n"))
    return "\n".join(lines)


def start_and_certify(
    *,
    memo: Memo,
    revision: MemoRevision,
    writer_step: RouteStep,
    signature: Signature,
    unwrapped: UnwrappedSigner,
    now: datetime,
) -> None:
    """At submit, inside its transaction: render the round's PDF with a field per step, reserve the fields,
    and the writer's certification. The writer's Signature row is written already (the reporter block of an
    enclosed report prints its time)."""
    from memos.pdf.isolation import RenderFailed
    from workflow.pdf import render_signing_pdf

    try:
        pdf, boxes = render_signing_pdf(memo)
    except RenderFailed as error:  # too long (MEMOFLOW_PDF_RENDER_TIMEOUT) or broken: nothing is submitted
        log.exception("memo %s: the PDF to sign could not be rendered", memo.pk)
        raise PdfNotReady() from error
    fields = [FieldSpec(b.name, b.page, b.box) for b in boxes]
    signing.signed_pdf_start(revision=revision, pdf=pdf, fields=fields, now=now)
    _sign(memo, revision, writer_step, signature, unwrapped, now, certify=True, own_title="")


def sign_step(
    *,
    memo: Memo,
    step: RouteStep,
    signature: Signature,
    unwrapped: UnwrappedSigner,
    own_title: str,
    now: datetime,
) -> None:
    """An approving step's signature on the revision's PDF, inside the step's transaction."""
    assert signature.revision is not None
    _sign(memo, signature.revision, step, signature, unwrapped, now, certify=False, own_title=own_title)


def _sign(
    memo: Memo,
    revision: MemoRevision,
    step: RouteStep,
    signature: Signature,
    unwrapped: UnwrappedSigner,
    now: datetime,
    *,
    certify: bool,
    own_title: str,
) -> None:
    from workflow.pdf import field_name

    block = step_block(step, signature, own_title=own_title, text=written_text(step))
    signing.pdf_sign(
        revision=revision,
        field=field_name(step),
        signer=unwrapped,
        block=block,
        reason=block.capacity,  # the capacity line, by convention (signatures.verification)
        location=memo.organisation.name,
        now=now,
        certify=certify,
    )
