"""The memo as a PDF: built from the memo, its route and signatures, in the state it is in.

- draft or returned: a preview, watermarked "ร่าง", with the route's expected signatories and blank signatures;
- in review: the signatures so far, marked "ระหว่างเสนอ" on every page (a lighter watermark: not final);
- completed: the final document; it is rendered once, by the archive job, as PDF/A-3b with the memo's
  canonical JSON attached, stored in the archive and never rendered again (archived memos serve that file).

Enclosures follow the memo in their order: report tables and images are rendered as pages of the document
itself (images scaled to print size); uploaded PDFs are inserted page by page (orientation kept), defanged.

Two halves: ``render_input`` reads the database and returns plain data (``RenderInput``), from which
``document_key`` is the hash of everything printed; ``render_pdf`` turns that data into PDF bytes without the
database. ``render_memo_pdf`` runs the second half in a child process with a time limit
(``MEMOFLOW_PDF_RENDER_TIMEOUT``). Only the render worker calls it (workflow.documents, the archive job).
"""

import dataclasses
import hashlib
import io
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from core.thai import arabic_digits, bangkok_date, format_date_long
from memos import services as memo_services
from memos.models import URGENCY_STAMP, Enclosure, Memo, MemoStatus
from memos.pdf import overlay
from memos.pdf.document import (
    FieldBox,
    ImageEnclosure,
    MemoDocument,
    OpinionBlock,
    SignatureBlock,
    TableEnclosure,
)
from memos.secrecy import secrecy_stamp
from org.selectors import own_position_titles, signatories_for
from signatures.selectors import signature_image_file_path
from workflow import selectors
from workflow.models import RouteStep, StepRole, StepState

OPINION_LABEL = {StepRole.OPINION: "ความเห็น", StepRole.DECISION: "ข้อสั่งการ", StepRole.COSIGN: "ความเห็น"}
#: Part of every document key: raise it when a change to the renderer should re-render every stored PDF.
#: 2: a co-signer's opinion and a step's reason are printed in their blocks. 3: issue 9's second pass (text
#: layer, line breaking, keep-together, marks, PDF/A): every stored PDF is rendered again once.
RENDER_VERSION: Final = 3


def short_position_title(title: str, *, organisation_name: str, short_name: str) -> str:
    """ "ปลัดองค์การบริหารส่วนตำบลหนองโสน" → "ปลัด อบต.หนองโสน", as the labels of opinion blocks are written."""
    if organisation_name and title.endswith(organisation_name) and title != organisation_name:
        return f"{title[: -len(organisation_name)].strip()} {short_name}".strip()
    return title


@dataclass(frozen=True)
class _Signer:
    """Who a block names for a step (signed, assigned, or expected for a step not reached yet)."""

    person: Any
    capacity: str
    signed_at: Any
    image_path: str = ""  # their handwritten signature when they signed, if they had one


def _signers(steps: list[RouteStep]) -> dict[Any, _Signer]:
    """Each step's signer; the expected signatories of the steps not reached yet are resolved together (one
    query, `org.selectors.signatories_for`), not one query per step."""
    waiting = [s.position for s in steps if s.state == StepState.WAITING and s.assignee_id is None]
    expected = signatories_for(positions=waiting) if waiting else {}
    signers: dict[Any, _Signer] = {}
    for step in steps:
        signature = getattr(step, "signature", None) if step.state == StepState.SIGNED else None
        if signature is not None:
            signers[step.pk] = _Signer(
                signature.signer, signature.capacity, signature.signed_at, _signature_image_path(step)
            )
        elif step.assignee_id is not None or step.state != StepState.WAITING:
            signers[step.pk] = _Signer(step.assignee, step.capacity, None)
        else:  # a vacancy (None) is printed without a name
            found = expected.get(step.position_id)
            signers[step.pk] = _Signer(
                found.person if found else None, (found.capacity or "") if found else "", None
            )
    return signers


def _signature_image_path(step: RouteStep) -> str:
    """The file of the signer's signature image in force when they signed (annotated on the step by
    `workflow.selectors.current_round_steps(with_signatures=True)`), or ""."""
    name = getattr(step, "signature_image_file", None)
    return signature_image_file_path(name) if name else ""


def _signature_images(steps: list[RouteStep]) -> tuple[tuple[str, str], ...]:
    """(file, SHA-256) of every signature image the steps print: what `document_key` hashes for them."""
    return tuple(
        (_signature_image_path(step), str(step.signature_image_sha256))  # type: ignore[attr-defined]
        for step in steps
        if step.state == StepState.SIGNED and getattr(step, "signature_image_file", None)
    )


#: Printed before the reason of a step that sent the memo back or ended it.
_REASON_LEAD = {StepState.RETURNED: "ส่งคืนเพื่อแก้ไข เนื่องจาก ", StepState.REJECTED: "ไม่เห็นชอบ ยุติเรื่อง เนื่องจาก "}


def _written(step: RouteStep) -> str:
    """What the step's signer wrote: the opinion, and the reason when the step returned or ended the memo."""
    reason = step.reason.strip()
    lead = _REASON_LEAD.get(StepState(step.state), "") if reason else ""
    parts = [step.opinion.strip("\n"), f"{lead}{reason}" if lead else ""]
    return "\n".join(part for part in parts if part.strip())


def field_name(step: RouteStep) -> str:
    """The name of the signature field that carries the step's block in the signed PDF: "step-<order>"."""
    return f"step-{step.order}"


def _signature_block(
    step: RouteStep, memo: Memo, signer: _Signer, own_titles: dict[Any, str], *, fields: bool = False
) -> SignatureBlock:
    """The block printed for a step: who signs (or is expected to), their own position, the capacity line; a
    co-signer's opinion (or reason) above it (opinion and decision blocks print theirs as their text). With
    ``fields``, an empty box that the step's PAdES signature fills (the signed PDF, ADR 0007)."""
    if fields:
        return SignatureBlock(
            name="", position="", field=field_name(step), field_wide=step.role != StepRole.WRITER
        )
    if step.role == StepRole.WRITER:
        return SignatureBlock(
            name=memo.writer.full_name,
            position=memo.writer_position.title,
            signed_at=signer.signed_at,
            image_path=signer.image_path,
        )
    written = _written(step) if step.role == StepRole.COSIGN else ""
    person = signer.person
    if person is None:
        return SignatureBlock(name="", position=step.position.title, opinion=written)
    if signer.capacity:
        return SignatureBlock(
            name=person.full_name,
            position=own_titles.get(person.pk, ""),
            capacity_line=f"{signer.capacity}{step.position.title}",
            signed_at=signer.signed_at,
            opinion=written,
            image_path=signer.image_path,
        )
    return SignatureBlock(
        name=person.full_name,
        position=step.position.title,
        signed_at=signer.signed_at,
        opinion=written,
        image_path=signer.image_path,
    )


def _route_for_document(memo: Memo) -> list[RouteStep]:
    return selectors.current_round_steps(memo=memo, with_signatures=True)


def memo_document(
    memo: Memo,
    *,
    steps: list[RouteStep] | None = None,
    enclosures: list[Enclosure] | None = None,
    fields: bool = False,
) -> MemoDocument:
    organisation = memo.organisation
    steps = steps if steps is not None else _route_for_document(memo)
    enclosures = enclosures if enclosures is not None else list(memo.enclosures.order_by("order"))
    signers = _signers(steps)
    numbers = {e.pk: number for number, e in enumerate(enclosures, 1)}  # as the memo lists them
    own_titles = own_position_titles(people=[x.person for x in signers.values() if x.capacity and x.person])
    signatures = [
        _signature_block(s, memo, signers[s.pk], own_titles, fields=fields)
        for s in steps
        if s.role in (StepRole.WRITER, StepRole.COSIGN)
    ]
    opinions = []
    for step in steps:
        if step.role not in (StepRole.OPINION, StepRole.DECISION):
            continue
        label = OPINION_LABEL[StepRole(step.role)] + short_position_title(
            step.position.title, organisation_name=organisation.name, short_name=organisation.short_name
        )
        opinions.append(
            OpinionBlock(
                label=label,
                role=step.role,
                text=_written(step),
                decision=step.decision,
                decision_text=step.decision_text,
                signature=_signature_block(step, memo, signers[step.pk], own_titles, fields=fields),
            )
        )
    tables = [
        TableEnclosure(
            title_lines=list(e.table.get("title", [e.title])),
            columns=list(e.table["columns"]),
            rows=[list(row) for row in e.table["rows"]],
            notes=list(e.table.get("notes", [])),
            reporter=_reporter(e.table.get("reporter"), memo, steps, signers),
            anchor=_anchor(e),
            number=numbers[e.pk],
        )
        for e in enclosures
        if e.table
    ]
    images = [
        ImageEnclosure(path=e.file.path, anchor=_anchor(e), number=numbers[e.pk])
        for e in enclosures
        if e.file and e.content_type in ("image/png", "image/jpeg")
    ]
    digits = getattr(settings, "MEMOFLOW_PDF_DIGITS", "thai")
    addressee = memo.addressee or (steps[-1].position.title if len(steps) > 1 else "")
    return MemoDocument(
        organisation_short_name=organisation.short_name,
        department=memo.department,
        number=memo.number if digits == "thai" else arabic_digits(memo.number),
        date=memo.date,
        subject=memo.subject,
        addressee=addressee,
        enclosure_titles=[e.title for e in enclosures],
        paragraphs=memo.paragraphs,
        urgency_stamp=URGENCY_STAMP.get(memo.urgency, ""),  # type: ignore[call-overload]
        emblem_path=organisation.emblem.path if organisation.emblem else None,
        signatures=signatures,
        opinions=opinions,
        tables=tables,
        images=images,
        watermark="" if fields else _WATERMARKS.get(MemoStatus(memo.status), ""),
        digits=digits,
        keep_together=_proper_names(memo),
        qr_url=verify_url(memo),
        secrecy_stamp=secrecy_stamp(memo.secrecy),
    )


def verify_url(memo: Memo) -> str:
    """The public verification page for the memo's current revision (its QR code): "" before a submit."""
    revision = memo.current_revision
    if revision is None:
        return ""
    query = urlencode({"memo": str(memo.pk), "rev": revision.sha256})
    return f"{settings.MEMOFLOW_BASE_URL.rstrip('/')}{reverse('verify')}?{query}"


#: The watermark of each status whose PDF is not the final document (every page, uploaded ones included).
_WATERMARKS: Final = {
    MemoStatus.DRAFT: overlay.DRAFT,
    MemoStatus.RETURNED: overlay.DRAFT,
    MemoStatus.IN_REVIEW: overlay.IN_REVIEW,
}


def _proper_names(memo: Memo) -> tuple[str, ...]:
    """Names a line must never split, and words of the line breaker's dictionary: the organisation (its name
    and short name, e.g. อบต.หนองโสน) and the units in the memo's department."""
    names = [memo.organisation.name, memo.organisation.short_name]
    if memo.unit is not None:
        names.extend([memo.unit.name, *(u.name for u in memo.unit.ancestors())])
    return tuple(n for n in names if n)


def _reporter(
    data: dict[str, str] | None, memo: Memo, steps: list[RouteStep], signers: dict[Any, _Signer]
) -> SignatureBlock | None:
    """A report table's own signature block. The reporter named in it is usually the memo's writer: when the
    name is the writer's (spaces aside) and the writer has signed the memo, the block carries the same
    e-signature mark and time, since signing the memo signs the report sent with it. Anyone else is not a
    signatory of the memo, so their block keeps its dotted line to sign on paper."""
    if not data:
        return None
    name = data.get("name", "")
    signed_at = None
    if name.split() == memo.writer.full_name.split():
        writer_step = next((s for s in steps if s.role == StepRole.WRITER), None)
        signed_at = signers[writer_step.pk].signed_at if writer_step is not None else None
    return SignatureBlock(
        name=name, position=data.get("position", ""), extra_line=data.get("role", ""), signed_at=signed_at
    )


def _anchor(enclosure: Enclosure) -> str:
    return f"enclosure-{enclosure.order}"


def _assemble(
    rendered: bytes,
    enclosures: tuple["EnclosurePart", ...],
    normalise: Callable[..., bytes] | None = None,
    *,
    watermark: str = "",
    secrecy: str = "",
) -> bytes:
    """The memo's pages, then every enclosure in its order: rendered ones (tables, images) found by their
    named destinations, uploaded PDFs page by page (each page keeps its size and orientation), defanged (after
    ``normalise``, for the archive: ``memos.pdf.pdfa.Normaliser``). The document catalog (PDF/A output
    intent, metadata, the attached JSON) is the rendered one's: nothing of an uploaded file's catalog is copied.
    Uploaded pages get the ``watermark``, the ``secrecy`` stamp and, on the first, the enclosure's label
    (rendered ones have theirs already: memos.pdf.overlay)."""
    from memos.pdf.defang import append_defanged_pages

    has_pdf = any(part.kind == "pdf" for part in enclosures)
    rendered_kinds = [p for p in enclosures if p.kind == "table"] + [
        p for p in enclosures if p.kind == "image"
    ]
    if not has_pdf and rendered_kinds == list(enclosures):
        return rendered  # the renderer puts tables before images: already the enclosures' order
    reader = PdfReader(io.BytesIO(rendered))
    starts: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        page_number = reader.get_destination_page_number(dest)
        if str(name).startswith("enclosure-") and page_number is not None:
            starts[str(name)] = page_number
    total = len(reader.pages)
    boundaries = sorted(set(starts.values()))
    memo_end = boundaries[0] if boundaries else total

    def rendered_range(name: str) -> range:
        start = starts[name]
        end = next((b for b in boundaries if b > start), total)
        return range(start, end)

    writer = PdfWriter(clone_from=reader)
    for _ in range(total - memo_end):
        del writer.pages[memo_end]  # type: ignore[attr-defined]  # pypdf's page list supports deletion
    for part in enclosures:
        if part.kind == "pdf":
            content = Path(part.path).read_bytes()
            if normalise is not None:
                content = normalise(content, label=f"enclosure {part.order}")
            first = len(writer.pages)
            append_defanged_pages(writer, content)
            overlay.stamp_pages(
                writer,
                range(first, len(writer.pages)),
                watermark=watermark,
                label=part.label,
                secrecy=secrecy,
            )
        elif part.anchor in starts:
            for index in rendered_range(part.anchor):
                writer.add_page(reader.pages[index])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def canonical_attachment(memo: Memo, *, steps: list[RouteStep] | None = None, signing: bool = False) -> bytes:
    """The JSON embedded in the archived PDF: the signed revision's content, the route and every hash.

    ``signing``: the PDF the signatories sign (rendered at submit, schema ``memoflow.archive/2``): the memo's
    id, the revision, and the route as planned — each step's field; who signed it, in what capacity, when and
    what they wrote is in that field's signature, not here (it did not exist yet)."""
    revision = memo.current_revision
    steps = steps if steps is not None else _route_for_document(memo)
    if signing:
        planned = {
            "schema": "memoflow.archive/2",
            "memo": {"id": str(memo.pk), "number": memo.number},
            "revision": {
                "number": revision.number if revision else None,
                "sha256": revision.sha256 if revision else None,
                "content": revision.content if revision else None,
            },
            "route": [
                {"order": s.order, "role": s.role, "position": s.position.title, "field": field_name(s)}
                for s in steps
            ],
        }
        return memo_services.canonical_json(planned).encode()
    payload = {
        "schema": "memoflow.archive/1",
        "revision": {
            "number": revision.number if revision else None,
            "sha256": revision.sha256 if revision else None,
            "content": revision.content if revision else None,
        },
        "route": [
            {
                "order": s.order,
                "role": s.role,
                "position": s.position.title,
                "state": s.state,
                "opinion": s.opinion,
                "decision": s.decision,
                "decision_text": s.decision_text,
                "signature": (
                    {
                        "signer": s.signature.signer.username,
                        "name": s.signature.signer.full_name,
                        "position": s.signature.position.title,
                        "capacity": s.signature.capacity,
                        "signed_at": s.signature.signed_at.isoformat(),
                        "revision_sha256": s.signature.revision_sha256,
                    }
                    if s.signature is not None and s.state == StepState.SIGNED
                    else None
                ),
            }
            for s in steps
        ],
    }
    return memo_services.canonical_json(payload).encode()


@dataclass(frozen=True)
class EnclosurePart:
    """An enclosure as the renderer needs it: where it goes, what it is, and its content's hash."""

    order: int
    anchor: str  # the named destination of a rendered enclosure's first page
    kind: str  # "table" | "image" | "pdf"
    path: str  # the uploaded file on disk (images and PDFs); "" for a table
    sha256: str
    label: str = ""  # "สิ่งที่ส่งมาด้วย ๑", printed on an uploaded PDF's first page


@dataclass(frozen=True)
class RenderInput:
    """Everything a render needs, as plain data: no database is used from here on."""

    document: MemoDocument
    enclosures: tuple[EnclosurePart, ...]
    metadata_title: str
    final: bool = False
    attachment: bytes = b""  # memo.json, embedded in the final PDF
    completed_at: datetime | None = None  # the final PDF's CreationDate and ModDate
    image_dpi: int = 150
    signature_images: tuple[tuple[str, str], ...] = ()  # (file, SHA-256) of the signature images printed
    # The PDF the signatories sign (final form, every step's block an empty signature field): see
    # `render_signing_pdf`.
    signing: bool = False


def _enclosure_parts(enclosures: list[Enclosure], digits: str = "thai") -> tuple[EnclosurePart, ...]:
    parts = []
    for number, enclosure in enumerate(enclosures, 1):
        if enclosure.table:
            kind, path = "table", ""
        elif enclosure.file and enclosure.content_type == "application/pdf":
            kind, path = "pdf", enclosure.file.path
        elif enclosure.file and enclosure.content_type in ("image/png", "image/jpeg"):
            kind, path = "image", enclosure.file.path
        else:
            continue
        label = overlay.enclosure_label(number, digits)
        parts.append(EnclosurePart(enclosure.order, _anchor(enclosure), kind, path, enclosure.sha256, label))
    return tuple(parts)


def render_input(
    memo: Memo, *, final: bool = False, steps: list[RouteStep] | None = None, signing: bool = False
) -> RenderInput:
    """Read what the memo's PDF prints, now (a handful of queries; nothing is rendered). `steps`: the current
    round as `workflow.selectors.current_round_steps(with_signatures=True)` loaded it, when the caller has it;
    the enclosures come from the memo's prefetch when there is one (Enclosure's default order is `order`)."""
    steps = steps if steps is not None else _route_for_document(memo)  # once, for the pages and the JSON
    enclosures = list(memo.enclosures.all())
    final = final or signing
    attachment = canonical_attachment(memo, steps=steps, signing=signing) if final else b""
    document = memo_document(memo, steps=steps, enclosures=enclosures, fields=signing)
    return RenderInput(
        document=document,
        enclosures=_enclosure_parts(enclosures, document.digits),
        metadata_title=f"บันทึกข้อความ {memo.number} {memo.subject[:120]}",
        final=final,
        attachment=attachment,
        completed_at=memo.status_changed_at if final else None,
        image_dpi=int(getattr(settings, "MEMOFLOW_PDF_IMAGE_DPI", 150)),
        signature_images=_signature_images(steps),
        signing=signing,
    )


def document_key(data: RenderInput) -> str:
    """The SHA-256 of everything that decides the rendered PDF: the document as printed (its content, route,
    signatures, watermark), each enclosure's content hash in its order, the renderer's version and settings.
    Two memo states with the same key print the same PDF."""
    document = dataclasses.asdict(data.document)
    if not document["secrecy_stamp"]:
        del document["secrecy_stamp"]  # absent when not classified: stored PDFs' keys are unchanged
    by_anchor = {part.anchor: part.sha256 for part in data.enclosures}
    document["images"] = [
        {"anchor": i["anchor"], "sha256": by_anchor.get(i["anchor"], "")} for i in document["images"]
    ]
    _signature_images_by_content(document, dict(data.signature_images))
    payload = {
        "version": RENDER_VERSION,
        "final": data.final,
        **({"signing": True} if data.signing else {}),  # absent otherwise: stored PDFs' keys are unchanged
        "document": document,
        "enclosures": [(p.order, p.kind, p.sha256, p.label) for p in data.enclosures],
        "title": data.metadata_title,
        "attachment": hashlib.sha256(data.attachment).hexdigest(),
        "image_dpi": data.image_dpi,
        **({"completed_at": data.completed_at.isoformat()} if data.final and data.completed_at else {}),
        "font": [
            getattr(settings, "MEMOFLOW_PDF_FONT_FAMILY", ""),
            getattr(settings, "MEMOFLOW_PDF_FONT_SCALE", ""),
            getattr(settings, "MEMOFLOW_PDF_FONT_FILES", None),
        ],
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _signature_images_by_content(node: Any, sha256_of: dict[str, str]) -> None:
    """Every signature block's ``image_path`` in ``node`` (the document as a dict) replaced by the image's
    SHA-256: the key follows the image's content, not where it is stored."""
    if isinstance(node, list):
        for item in node:
            _signature_images_by_content(item, sha256_of)
    elif isinstance(node, dict):
        path = node.get("image_path")
        if isinstance(path, str) and path and "signed_at" in node:
            node["image_path"] = sha256_of.get(path) or hashlib.sha256(Path(path).read_bytes()).hexdigest()
        for value in node.values():
            _signature_images_by_content(value, sha256_of)


def render_pdf(data: RenderInput) -> bytes:
    """The PDF bytes of ``data`` (in this process: WeasyPrint, Pillow and pypdf, and for the final PDF
    Ghostscript on uploaded PDFs; no database)."""
    content, _fields = render_pdf_with_fields(data)
    return content


def render_pdf_with_fields(data: RenderInput) -> tuple[bytes, list[FieldBox]]:
    """``render_pdf``, and where the signature fields' empty boxes are (``data.signing``; else none)."""
    from memos.pdf.images import print_copy
    from memos.pdf.pdfa import Normaliser, finish, ghostscript_budget
    from memos.pdf.render import render_memo_with_fields

    started = time.monotonic()
    # What `_assemble` stamps on every uploaded page, as the renderer stamped the memo's own.
    watermark, secrecy = data.document.watermark, data.document.secrecy_stamp

    with tempfile.TemporaryDirectory(prefix="memoflow-images-") as directory:
        images = [
            dataclasses.replace(
                image, path=print_copy(image.path, dpi=data.image_dpi, directory=Path(directory))
            )
            for image in data.document.images
        ]
        document = dataclasses.replace(data.document, images=images)
        if data.final:
            rendered, fields = render_memo_with_fields(
                document,
                pdf_variant="pdf/a-3b",
                attachments=[("memo.json", data.attachment, "บันทึกข้อความ (JSON ต้นฉบับ)")],
                metadata_title=data.metadata_title,
            )
        else:
            rendered, fields = render_memo_with_fields(document, metadata_title=data.metadata_title)
    if not data.final:
        return _assemble(rendered, data.enclosures, watermark=watermark, secrecy=secrecy), fields
    limit = float(getattr(settings, "MEMOFLOW_PDF_RENDER_TIMEOUT", 60.0))
    normaliser = Normaliser(budget=ghostscript_budget(limit, spent=time.monotonic() - started))
    assembled = _assemble(rendered, data.enclosures, normaliser, watermark=watermark, secrecy=secrecy)
    content, _reasons = finish(
        assembled,
        when=data.completed_at or timezone.now(),
        identifier=bytes.fromhex(document_key(data))[:16],
        failures=normaliser.failures,
        ghostscript=any(part.kind == "pdf" for part in data.enclosures),
    )
    return content, fields  # the memo's own pages come first in the assembled PDF: the boxes keep their pages


def render_limited(data: RenderInput) -> tuple[bytes, float]:
    """``render_pdf(data)`` in a child process killed after ``MEMOFLOW_PDF_RENDER_TIMEOUT`` seconds
    (``memos.pdf.isolation.RenderTimeout``); the PDF and the seconds it took."""
    import memos.pdf.render  # noqa: F401  # loaded (fonts and all) before the fork, once per worker
    from memos.pdf.isolation import run_with_time_limit

    seconds = float(getattr(settings, "MEMOFLOW_PDF_RENDER_TIMEOUT", 60.0))
    return run_with_time_limit(render_pdf, data, seconds=seconds)


def render_signing_pdf(memo: Memo) -> tuple[bytes, list[FieldBox]]:
    """The PDF the round's signatories sign, rendered with the time limit at submit: the final document
    (PDF/A-3b, memo.json attached, no watermark) with an empty box for every step's block, and the boxes."""
    from memos.pdf.isolation import run_with_time_limit
    from signatures.appearance import exclusive

    seconds = float(getattr(settings, "MEMOFLOW_PDF_RENDER_TIMEOUT", 60.0))
    data = render_input(memo, signing=True)
    # In a threaded server: fork while no other thread is inside Pango (see `exclusive`); the lock is held for
    # the fork only, not while the child renders.
    packed, _seconds = run_with_time_limit(_packed, data, seconds=seconds, fork_lock=exclusive())
    size = int.from_bytes(packed[:4], "big")
    boxes = json.loads(packed[4 : 4 + size])
    fields = [FieldBox(b["name"], b["page"], tuple(b["box"])) for b in boxes]
    return packed[4 + size :], fields


def _packed(data: RenderInput) -> bytes:
    """The child's answer as bytes: the field boxes as JSON (length-prefixed), then the PDF."""
    content, fields = render_pdf_with_fields(data)
    header = json.dumps([dataclasses.asdict(f) for f in fields]).encode()
    return len(header).to_bytes(4, "big") + header + content


def render_memo_pdf(memo: Memo, *, final: bool = False) -> bytes:
    """The PDF of the memo as it stands, rendered with the time limit. `final` renders the archival PDF/A-3b
    with the JSON attached. For the render worker only: pages and the API serve stored files."""
    content, _seconds = render_limited(render_input(memo, final=final))
    return content


def pdf_filename(memo: Memo) -> str:
    """ "บันทึกข้อความ พบ ๓๒๘๐๑-๑๒๓.pdf"; a draft is named by its date of creation."""
    if memo.number:
        return f"บันทึกข้อความ {memo.number.replace('/', '-')}.pdf"
    return f"ร่างบันทึกข้อความ {format_date_long(memo.created_at)}.pdf"  # Buddhist era, Thai digits


def archive_relative_name(memo: Memo) -> str:
    year = memo.register_year or bangkok_date(memo.created_at).year + 543
    return f"{year}/{memo.pk}.pdf"


def memo_json(memo: Memo) -> dict[str, Any]:
    return dict(json.loads(canonical_attachment(memo)))
