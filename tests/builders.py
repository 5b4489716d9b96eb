"""Shared test builders: a memo in each state built through the real services (never by writing a status field),
the active step of a memo, and tiny valid PNG / JPEG / PDF files. The media-root fixture is `media_root` in the
root conftest.py. Import them (`from tests.builders import memo_in_state, active_step, png_bytes`) instead of
copying them into a test module.

Every builder works on the demo organisation (the `demo_org` fixture, or `org.demo.load_organisation()`) and its
default route: rujapa writes; ratchawari co-signs (step 1), nat gives an opinion (step 2), yutthana decides
(step 3)."""

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from pypdf import PdfWriter

from memos.models import Memo
from memos.pdf.stress import stress_document, write_stress_enclosures
from org.demo import DEMO_PASSWORD
from org.models import Person
from workflow import services
from workflow.models import RouteStep, StepRole, StepState
from workflow.pdf import EnclosurePart, RenderInput

PW = DEMO_PASSWORD
WRITER = "rujapa"
SUBJECT = "ขออนุมัติจัดซื้อวัสดุสำนักงาน"
BODY = "ย่อหน้าแรก\nจึงเรียนมาเพื่อโปรดพิจารณา"
OPINION = "เห็นควรอนุมัติ"
RETURN_REASON = "แก้ไขงบประมาณ"
REJECT_REASON = "ไม่มีงบประมาณ"
WITHDRAW_REASON = "ขอแก้ไขหลักการ"

#: The states `memo_in_state` builds. "in_review@N": submitted and waiting at step N (1 to 3).
STATES = (
    "draft",
    "in_review@1",
    "in_review@2",
    "in_review@3",
    "withdrawn",
    "returned",
    "rejected",
    "completed",
    "archived",
)


def person(username: str) -> Person:
    return Person.objects.get(username=username)


# Memos ----------------------------------------------------------------------------------------------------


def draft_memo(
    *, writer: str | Person = WRITER, subject: str = SUBJECT, body: str = BODY, **fields: Any
) -> Memo:
    """A draft written by `writer` (a username or a Person) on the default route."""
    author = writer if isinstance(writer, Person) else person(writer)
    return services.memo_create(writer=author, subject=subject, body=body, **fields)


def submit(memo: Memo, *, password: str = PW) -> Memo:
    """The writer submits `memo` (draft or returned); returns it fresh from the database."""
    services.memo_submit(memo=memo, actor=memo.writer, password=password)
    memo.refresh_from_db()
    return memo


def submitted_memo(**draft: Any) -> Memo:
    """A memo submitted by its writer: in review, waiting at step 1."""
    return submit(draft_memo(**draft))


def active_step(memo: Memo) -> RouteStep:
    """The memo's active step (with its memo, the memo's current revision, its position and assignee)."""
    return RouteStep.objects.select_related("memo__current_revision", "position", "assignee").get(
        memo=memo, state=StepState.ACTIVE
    )


def approve_active(memo: Memo, *, opinion: str | None = None, decision: str | None = None) -> RouteStep:
    """The active step's assignee approves it: an opinion step with `opinion` (default OPINION), the decision
    step with `decision` (default "approved"), a co-sign as it is."""
    step = active_step(memo)
    kwargs: dict[str, Any] = {}
    if step.role == StepRole.OPINION:
        kwargs["opinion"] = OPINION if opinion is None else opinion
    elif opinion is not None:
        kwargs["opinion"] = opinion
    if step.role == StepRole.DECISION:
        kwargs["decision"] = decision or "approved"
    assert step.assignee is not None, "the active step waits for an assignment"
    return services.step_approve(step=step, actor=step.assignee, password=PW, **kwargs)


def in_review_memo(step: int = 1, **draft: Any) -> Memo:
    """Submitted, and every step before `step` approved: waiting at step `step`."""
    memo = submitted_memo(**draft)
    for _ in range(step - 1):
        approve_active(memo)
    memo.refresh_from_db()
    return memo


def _sent_back(action: Callable[..., RouteStep], at_step: int, reason: str, draft: dict[str, Any]) -> Memo:
    memo = in_review_memo(at_step, **draft)
    step = active_step(memo)
    assert step.assignee is not None
    action(step=step, actor=step.assignee, password=PW, reason=reason)
    memo.refresh_from_db()
    return memo


def returned_memo(*, at_step: int = 2, reason: str = RETURN_REASON, **draft: Any) -> Memo:
    """Returned to the writer by the assignee of step `at_step`."""
    return _sent_back(services.step_return, at_step, reason, draft)


def rejected_memo(*, at_step: int = 2, reason: str = REJECT_REASON, **draft: Any) -> Memo:
    """Rejected by the assignee of step `at_step`."""
    return _sent_back(services.step_reject, at_step, reason, draft)


def completed_memo(**draft: Any) -> Memo:
    """Every step approved (the archive job is enqueued, not run)."""
    memo = submitted_memo(**draft)
    while RouteStep.objects.filter(memo=memo, state=StepState.ACTIVE).exists():
        approve_active(memo)
    memo.refresh_from_db()
    return memo


def archived_memo(**draft: Any) -> Memo:
    """Completed and archived (the archive job run in-process). Needs the `media_root` fixture."""
    memo = completed_memo(**draft)
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    return memo


def withdrawn_memo(*, reason: str = WITHDRAW_REASON, **draft: Any) -> Memo:
    memo = submitted_memo(**draft)
    services.memo_withdraw(memo=memo, actor=memo.writer, reason=reason)
    memo.refresh_from_db()
    return memo


def memo_in_state(name: str, **draft: Any) -> Memo:
    """A memo in the named state (one of STATES), built through the services."""
    builders: dict[str, Callable[..., Memo]] = {
        "draft": draft_memo,
        "withdrawn": withdrawn_memo,
        "returned": returned_memo,
        "rejected": rejected_memo,
        "completed": completed_memo,
        "archived": archived_memo,
    }
    if name.startswith("in_review@"):
        return in_review_memo(int(name.removeprefix("in_review@")), **draft)
    return builders[name](**draft)


# Files ----------------------------------------------------------------------------------------------------


def image_bytes(fmt: str, size: tuple[int, int] = (30, 20), mode: str = "RGB") -> bytes:
    """A valid white image in `fmt` ("PNG", "JPEG", ...)."""
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    return image_bytes("PNG", size)


def jpeg_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    return image_bytes("JPEG", size)


def pdf_bytes(build: Callable[[PdfWriter], object] | None = None, *, pages: int = 1) -> bytes:
    """A valid PDF of `pages` blank A4 pages; `build(writer)` may add to it before it is written."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)  # A4 in points
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# The stress memo ------------------------------------------------------------------------------------------


def stress_render_input(directory: Path, *, final: bool = False) -> RenderInput:
    """The stress memo (memos.pdf.stress) as a full render's input: its PNG photo printed as an image page and
    a foreign PDF inserted page by page (``workflow.pdf.render_pdf``); the files are written into
    ``directory``. No database."""
    png, pdf = write_stress_enclosures(directory)
    document = stress_document(image_path=str(png))
    return RenderInput(
        document=document,
        enclosures=(
            EnclosurePart(1, "enclosure-1", "image", str(png), hashlib.sha256(png.read_bytes()).hexdigest()),
            EnclosurePart(
                2,
                "enclosure-2",
                "pdf",
                str(pdf),
                hashlib.sha256(pdf.read_bytes()).hexdigest(),
                label="สิ่งที่ส่งมาด้วย ๒",
            ),
        ),
        metadata_title=f"บันทึกข้อความ {document.number} {document.subject[:120]}",
        final=final,
        attachment=b'{"schema":"memoflow.archive/1"}' if final else b"",
    )


def require_tool(command: str, package: str) -> str:
    """The path of a test tool from Debian (`bash scripts/lib.sh ensure_test_tools` installs them): without it
    the test is skipped, or fails under CI (CI=true), where every tool must be there."""
    import os
    import shutil

    import pytest

    found = shutil.which(command)
    if found:
        return found
    message = (
        f"{command} is missing: apt-get install {package} (or run `bash scripts/lib.sh ensure_test_tools`)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI: {message}")
    pytest.skip(message)


def draft_with_a_step_to_skip() -> Memo:
    """rujapa's draft whose route makes ratchawari co-sign for the head of สำนักปลัด and then reaches her own
    post (นักทรัพยากรบุคคล) for an opinion: that step is skipped under the separation of duties (she signed in
    this round already); the นายก decides."""
    from org.models import Position

    writer = person("rujapa")
    memo = draft_memo()

    def post(title: str) -> Position:
        return Position.objects.get(organisation=memo.organisation, title=title)

    services.memo_route_set(
        memo=memo,
        actor=writer,
        steps=[
            (post("หัวหน้าสำนักปลัด"), "cosign"),
            (post("นักทรัพยากรบุคคล"), "opinion"),
            (post("นายกองค์การบริหารส่วนตำบลหนองโสน"), "decision"),
        ],
    )
    return memo
