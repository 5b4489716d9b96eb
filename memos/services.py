"""Writes of memo content: drafts, enclosures, revisions and numbering. Called by workflow.services, which owns
the transaction for every routing action; the functions here that write expect to run inside it."""

import hashlib
import json
import unicodedata
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy as _

from core.errors import LimitExceeded, ValidationFailed
from core.thai import calendar_year_be, fiscal_year, thai_digits
from memos.attachments import InspectedFile
from memos.models import Enclosure, Memo, MemoRevision, Register, RegisterYear
from org.models import Person

MAX_SUBJECT = 1000
DEFAULT_MAX_BODY_CHARS = 50_000
DEFAULT_MAX_ENCLOSURES = 20
DEFAULT_MAX_IMAGE_PIXELS = 200_000_000


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_content(
    *,
    subject: str | None = None,
    body: str | None = None,
    addressee: str | None = None,
    department: str | None = None,
    urgency: str | None = None,
    secrecy: str | None = None,
) -> dict[str, str]:
    """Validate and normalise the editable fields given; every problem is reported at once, per field."""
    from memos.models import Urgency

    errors: dict[str, list[Any]] = {}
    too_long = False
    cleaned: dict[str, str] = {}
    if subject is not None:
        subject = _nfc(subject).strip()
        if not subject:
            errors["subject"] = [_("The subject is required.")]
        elif len(subject) > MAX_SUBJECT:
            errors["subject"] = [_("The subject is longer than %(max)s characters.") % {"max": MAX_SUBJECT}]
        cleaned["subject"] = subject
    if body is not None:
        body = _nfc(body).replace("\r\n", "\n").strip()
        if not body:
            errors["body"] = [_("The body of the memo is required.")]
        elif len(body) > (limit := _limit("MEMOFLOW_MEMO_MAX_BODY_CHARS", DEFAULT_MAX_BODY_CHARS)):
            errors["body"] = [
                _("The body is %(length)s characters long; a memo's body may have at most %(max)s.")
                % {"length": f"{len(body):,}", "max": f"{limit:,}"}
            ]
            too_long = True
        cleaned["body"] = body
    if addressee is not None:
        cleaned["addressee"] = _nfc(addressee).strip()[:500]
    if department is not None:
        department = _nfc(department).strip()
        if not department:
            errors["department"] = [_("The department cannot be empty.")]
        cleaned["department"] = department[:500]
    if urgency is not None:
        if urgency not in Urgency.values:
            errors["urgency"] = [_("Choose normal, urgent, very_urgent or most_urgent.")]
        cleaned["urgency"] = urgency
    if secrecy is not None:
        from memos.secrecy import SECRECY_STAMP, UNKNOWN_SECRECY

        if secrecy not in SECRECY_STAMP:
            errors["secrecy"] = [UNKNOWN_SECRECY]
        cleaned["secrecy"] = secrecy
    if errors:
        if too_long and len(errors) == 1:
            raise LimitExceeded(errors["body"][0], fields=errors)
        raise ValidationFailed(fields=errors)
    return cleaned


def default_department(*, memo_unit: Any, organisation: Any) -> str:
    """ "งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน โทร. ๐-๓๒๔๐-๐๐๕๒", as in the seed."""
    parts = [memo_unit.full_name] if memo_unit is not None else []
    parts.append(organisation.name)
    phone = (memo_unit.phone if memo_unit is not None and memo_unit.phone else "") or organisation.phone
    text = " ".join(parts)
    return f"{text} โทร. {phone}" if phone else text


# Numbering ------------------------------------------------------------------------------------------------


def register_year_for(day: date) -> tuple[str, int]:
    kind = getattr(settings, "MEMOFLOW_REGISTER_YEAR", RegisterYear.CALENDAR)
    if kind == RegisterYear.FISCAL:
        return RegisterYear.FISCAL, fiscal_year(day)
    return RegisterYear.CALENDAR, calendar_year_be(day)


class TakenNumber(NamedTuple):
    number: str  # as printed: "พบ ๓๒๘๐๑/๑"
    year: int  # B.E., calendar or fiscal
    sequence: int
    register: Register


def register_take_number(*, memo: Memo, day: date) -> TakenNumber:
    """The next number from the memo unit's register of the year `day` falls in.

    Race-free: the register row is locked for the rest of the caller's transaction, so concurrent submits
    queue on it and each gets the next number. The counter only grows, so a number is never reused.
    """
    code = memo.unit.register_code if memo.unit is not None else memo.organisation.document_code
    kind, year = register_year_for(day)
    key = {"organisation_id": memo.organisation_id, "document_code": code, "year_kind": kind, "year": year}
    register = Register.objects.select_for_update().filter(**key).first()
    if register is None:
        try:
            with transaction.atomic():
                Register.objects.create(**key)
        except IntegrityError:
            pass  # created by a concurrent submit; lock theirs below
        register = Register.objects.select_for_update().get(**key)
    Register.objects.filter(pk=register.pk).update(last_number=F("last_number") + 1)
    sequence = register.last_number + 1
    return TakenNumber(f"{code}/{thai_digits(sequence)}", year, sequence, register)


# Revisions ------------------------------------------------------------------------------------------------


def canonical_json(content: dict[str, Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no whitespace, UTF-8 text in NFC."""

    def normalise(value: Any) -> Any:
        if isinstance(value, str):
            return _nfc(value)
        if isinstance(value, dict):
            return {_nfc(str(k)): normalise(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [normalise(v) for v in value]
        return value

    return json.dumps(normalise(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def memo_content(*, memo: Memo, route: list[dict[str, Any]]) -> dict[str, Any]:
    """What a signature covers: every printed field, each enclosure (with its file's hash) and the route."""
    enclosures = [
        {
            "order": e.order,
            "title": e.title,
            "file_sha256": e.sha256 or None,
            "content_type": e.content_type or None,
            "size": e.size or None,
            "table_sha256": hashlib.sha256(canonical_json({"t": e.table}).encode()).hexdigest()
            if e.table
            else None,
        }
        for e in memo.enclosures.order_by("order")
    ]
    return {
        "schema": "memoflow.memo/1",
        "memo_id": str(memo.pk),
        "organisation": memo.organisation.name,
        "number": memo.number,
        "date": memo.date.isoformat() if memo.date else None,
        "department": memo.department,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "urgency": memo.urgency,
        # Printed on every page, so signed; absent when not classified (unclassified revisions keep their shape).
        **({"secrecy": memo.secrecy} if memo.secrecy else {}),
        "paragraphs": memo.paragraphs,
        "enclosures": enclosures,
        "writer": {"username": memo.writer.username, "name": memo.writer.full_name},
        "writer_position": memo.writer_position.title,
        "route": route,
    }


def revision_digest(content: dict[str, Any]) -> str:
    """The SHA-256 a signature binds to: of the revision's whole content, canonically serialised."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def revision_create(*, memo: Memo, route: list[dict[str, Any]], actor: Person) -> MemoRevision:
    content = memo_content(memo=memo, route=route)
    number = memo.revision + 1
    content["revision"] = number
    digest = revision_digest(content)
    revision = MemoRevision.objects.create(
        memo=memo, number=number, content=content, sha256=digest, created_by=actor
    )
    memo.revision = number
    memo.current_revision = revision
    return revision


# Enclosures -----------------------------------------------------------------------------------------------


def enclosures_total_size(*, memo: Memo) -> int:
    return int(memo.enclosures.aggregate(total=Sum("size"))["total"] or 0)


def _refuse_limit(field: str, message: Any) -> LimitExceeded:
    return LimitExceeded(message, fields={field: [message]})


def _check_enclosure_limits(*, memo: Memo, field: str, size: int = 0, pixels: int = 0) -> None:
    """What one memo may hold, counted with the enclosure about to be added (one query). Bounds the work of
    rendering the memo's PDF: the number of enclosures, the pixels of its images and the bytes of its files."""
    totals = memo.enclosures.aggregate(count=Count("id"), size=Sum("size"), pixels=Sum("pixels"))
    max_count = _limit("MEMOFLOW_MEMO_MAX_ENCLOSURES", DEFAULT_MAX_ENCLOSURES)
    if totals["count"] + 1 > max_count:
        raise _refuse_limit(
            field,
            _("A memo may have at most %(max)s enclosures; this one has that many already.")
            % {"max": max_count},
        )
    max_bytes = _limit("MEMOFLOW_MEMO_ATTACHMENTS_MAX_BYTES", 50 * 1024 * 1024)
    if size and (totals["size"] or 0) + size > max_bytes:
        raise _refuse_limit(
            field,
            _("The enclosures of one memo may total at most %(limit)s MB.")
            % {"limit": max_bytes // (1024 * 1024)},
        )
    max_pixels = _limit("MEMOFLOW_MEMO_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    if pixels and (totals["pixels"] or 0) + pixels > max_pixels:
        raise _refuse_limit(
            field,
            _(
                "The images of one memo may total at most %(limit)s megapixels; with this one they would "
                "total %(total)s. Attach a smaller image (for example a scan at 150 dpi)."
            )
            % {
                "limit": f"{max_pixels / 1_000_000:g}",
                "total": f"{((totals['pixels'] or 0) + pixels) / 1_000_000:.1f}",
            },
        )


def enclosure_store(*, memo: Memo, title: str, upload: File[Any], inspected: InspectedFile) -> Enclosure:
    """Store a checked file as the memo's next enclosure. The caller holds the memo row lock; a refusal
    stores nothing."""
    pixels = (inspected.width or 0) * (inspected.height or 0)
    _check_enclosure_limits(memo=memo, field="file", size=inspected.size, pixels=pixels)
    title = _nfc(title).strip()
    if not title:
        raise ValidationFailed(
            fields={"title": [_("Give the enclosure a title, as it is listed on the memo.")]}
        )
    last = memo.enclosures.order_by("-order").values_list("order", flat=True).first()
    enclosure = Enclosure(
        memo=memo,
        order=(last or 0) + 1,
        title=title[:1000],
        original_name=(getattr(upload, "name", "") or "")[:255],
        content_type=inspected.content_type,
        extension=inspected.extension,
        size=inspected.size,
        sha256=inspected.sha256,
        pixels=pixels,
    )
    upload.seek(0)
    enclosure.file.save(f"{enclosure.id}{inspected.extension}", upload, save=False)
    try:
        enclosure.save()
    except BaseException:
        if enclosure.file.name:
            enclosure.file.storage.delete(enclosure.file.name)
        raise
    return enclosure


def enclosure_store_table(*, memo: Memo, title: str, table: dict[str, Any]) -> Enclosure:
    _check_enclosure_limits(memo=memo, field="table")
    title = _nfc(title).strip()
    if not title:
        raise ValidationFailed(
            fields={"title": [_("Give the enclosure a title, as it is listed on the memo.")]}
        )
    last = memo.enclosures.order_by("-order").values_list("order", flat=True).first()
    encoded = canonical_json(table).encode()
    return Enclosure.objects.create(
        memo=memo,
        order=(last or 0) + 1,
        title=title[:1000],
        content_type="application/vnd.memoflow.table+json",
        size=len(encoded),
        sha256=hashlib.sha256(encoded).hexdigest(),
        table=table,
    )
