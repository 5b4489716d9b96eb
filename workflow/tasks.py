"""Background jobs (Django Tasks, database backend): enqueued by services inside their own transaction.

Two queues, each with its own worker (`db_worker --queue-name default` and `--queue-name render`): rendering
PDFs, which can take up to MEMOFLOW_PDF_RENDER_TIMEOUT seconds each, runs on "render", so notifications on
"default" never wait behind a document.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation

from workflow import selectors
from workflow.models import RouteStep, StepRole, StepState


@task()
def notify_step_assignee(step_id: str) -> bool:
    """E-mail the person a step now waits for. Returns False when there is nothing to send any more (the
    step moved on, or the person has no e-mail address)."""
    step = (
        RouteStep.objects.select_related("memo", "assignee", "position")
        .filter(pk=step_id, state=StepState.ACTIVE)
        .first()
    )
    if step is None or step.assignee is None or not step.assignee.email:
        return False
    memo = step.memo
    link = f"{settings.MEMOFLOW_BASE_URL.rstrip('/')}/memos/{memo.pk}/"
    with translation.override("th"):
        if step.role == StepRole.WRITER:
            subject = f"บันทึกข้อความถูกส่งคืนแก้ไข: {memo.subject[:80]}"
            lead = "บันทึกข้อความของท่านถูกส่งคืนเพื่อแก้ไข"
            returned = selectors.latest_return(memo=memo)
            if returned is not None:  # who sent it back and why, so the writer knows what to change
                lead += f" โดย {returned.name} ({returned.position}) เมื่อ {returned.when}\nเหตุผล: {returned.reason}"
        else:
            subject = f"งานรอดำเนินการ: {memo.number} {memo.subject[:80]}"
            lead = f"มีบันทึกข้อความรอท่านลงนามในตำแหน่ง {step.capacity}{step.position.title}"
        body = "\n".join(
            [
                f"เรียน {step.assignee.full_name}",
                "",
                lead,
                f"เรื่อง {memo.subject}",
                f"ที่ {memo.number}",
                "",
                link,
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [step.assignee.email])
    return True


#: The queue of every job that renders a PDF.
RENDER_QUEUE = "render"


@task(queue_name=RENDER_QUEUE)
def render_memo_document(memo_id: str) -> str:
    """Render and store the memo's PDF as it stands (workflow.documents), within the time limit."""
    from workflow.documents import memo_pdf_render

    return memo_pdf_render(memo_id=memo_id)


@task(queue_name=RENDER_QUEUE)
def archive_memo(memo_id: str) -> str:
    """Render, store and record the final PDF of a completed memo (once)."""
    from workflow.services import memo_archive

    memo = memo_archive(memo_id=memo_id)
    return memo.archive_sha256
