"""What an event says (docs/integrations.md#the-payload): the memo's number, subject (none for a classified memo:
its class instead), urgency and link, the person told and a short Thai text a relay can forward as is.

Never the memo's body, nor a reason or an opinion: an event leaves the organisation (a chat service, a relay),
and the memo page behind the link shows the rest to whoever may read it."""

from datetime import date, datetime
from typing import Any

from django.conf import settings

from core import thai
from memos.models import URGENCY_STAMP, Memo
from org.models import Person
from webhooks.sources import DIGEST_KIND

#: The lead of each kind's text, in Thai (the people told read Thai; the kinds are notifications.models.Kind).
LEADS: dict[str, str] = {
    "step.waiting": "มีบันทึกข้อความรอท่านดำเนินการ",
    "memo.step_signed": "บันทึกข้อความของท่านมีผู้ลงนามเพิ่มแล้ว",
    "memo.returned": "บันทึกข้อความของท่านถูกส่งคืนเพื่อแก้ไข",
    "memo.rejected": "บันทึกข้อความไม่ได้รับอนุมัติ",
    "memo.completed": "บันทึกข้อความของท่านดำเนินการเสร็จสิ้นแล้ว",
    "memo.archived": "บันทึกข้อความของท่านจัดเก็บเข้าแฟ้มแล้ว",
    "step.reassigned_to": "มีบันทึกข้อความโอนมาให้ท่านดำเนินการ",
    "step.reassigned_from": "บันทึกข้อความที่รอท่านถูกโอนให้ผู้อื่นดำเนินการแทน",
    "memo.withdrawn": "บันทึกข้อความที่รอท่านดำเนินการถูกถอนเรื่องแล้ว",
    "step.reminder": "เตือน: มีบันทึกข้อความรอท่านดำเนินการ",
    "step.escalated": "มีบันทึกข้อความเกินกำหนดอยู่กับผู้ใต้บังคับบัญชาของท่าน",
}
OTHER_LEAD = "มีการแจ้งเตือนจากระบบบันทึกข้อความ"
#: ชั้นความลับ as named on the stamp.
SECRECY_TH = {"confidential": "ลับ", "secret": "ลับมาก", "top_secret": "ลับที่สุด"}
#: A digest's text lists this many items; the payload's `items` has them all.
DIGEST_TEXT_ITEMS = 20


def memo_url(memo_id: Any) -> str:
    return f"{settings.MEMOFLOW_BASE_URL.rstrip('/')}/memos/{memo_id}/"


def memo_part(memo: Memo | None) -> dict[str, Any] | None:
    if memo is None:
        return None
    return {
        "id": str(memo.pk),
        "number": memo.number,
        "subject": None if memo.secrecy else memo.subject,
        "secrecy": memo.secrecy,
        "urgency": memo.urgency,
        "url": memo_url(memo.pk),
    }


def recipient_part(person: Person) -> dict[str, Any]:
    return {
        "username": person.get_username(),
        "full_name": person.full_name,
        "email": person.email,
        "line_user_id": person.line_user_id,
    }


def _memo_lines(memo: dict[str, Any] | None) -> list[str]:
    if memo is None:
        return []
    lines = [f"ที่ {memo['number']}"] if memo["number"] else []
    if memo["secrecy"]:
        lines.append(f"หนังสือชั้นความลับ ({SECRECY_TH.get(memo['secrecy'], memo['secrecy'])}) โปรดเปิดอ่านในระบบ")
    else:
        lines.append(f"เรื่อง {memo['subject']}")
    return lines


def _lead(kind: str, memo: dict[str, Any] | None) -> str:
    stamp = URGENCY_STAMP.get(memo["urgency"], "") if memo else ""
    lead = LEADS.get(kind, OTHER_LEAD)
    return f"[{stamp}] {lead}" if stamp else lead


def event_text(kind: str, memo: dict[str, Any] | None) -> str:
    """The event in a few Thai lines: what happened, the memo's number and subject (or its class), the link."""
    lines = [_lead(kind, memo), *_memo_lines(memo)]
    if memo is not None:
        lines.append(memo["url"])
    return "\n".join(lines)


def event_payload(
    *, event_id: Any, kind: str, created_at: datetime, memo: Memo | None, recipient: Person
) -> dict[str, Any]:
    part = memo_part(memo)
    return {
        "id": str(event_id),
        "kind": kind,
        "created_at": created_at.isoformat(),
        "memo": part,
        "recipient": recipient_part(recipient),
        "text": event_text(kind, part),
    }


def digest_payload(
    *,
    event_id: Any,
    created_at: datetime,
    day: date,
    since: datetime,
    until: datetime,
    recipient: Person,
    items: list[tuple[str, datetime, Memo | None]],
) -> dict[str, Any]:
    """One event for a person's day: each notification as {kind, created_at, memo, text}, and a Thai text that
    lists them (the first DIGEST_TEXT_ITEMS)."""
    parts = [(kind, at, memo_part(memo)) for kind, at, memo in items]
    entries = [
        {"kind": kind, "created_at": at.isoformat(), "memo": part, "text": event_text(kind, part)}
        for kind, at, part in parts
    ]
    lines = [
        f"สรุปการแจ้งเตือนประจำวันที่ {thai.format_date_short(day)} จำนวน {thai.thai_digits(len(entries))} รายการ"
    ]
    for kind, _at, part in parts[:DIGEST_TEXT_ITEMS]:
        detail = " ".join(_memo_lines(part))
        lines.append(f"- {_lead(kind, part)}{' ' + detail if detail else ''}")
    if len(entries) > DIGEST_TEXT_ITEMS:
        lines.append(f"และอีก {thai.thai_digits(len(entries) - DIGEST_TEXT_ITEMS)} รายการ")
    lines.append(f"{settings.MEMOFLOW_BASE_URL.rstrip('/')}/")
    return {
        "id": str(event_id),
        "kind": DIGEST_KIND,
        "created_at": created_at.isoformat(),
        "period": {"from": since.isoformat(), "until": until.isoformat()},
        "recipient": recipient_part(recipient),
        "count": len(entries),
        "items": entries,
        "text": "\n".join(lines),
    }
