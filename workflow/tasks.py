"""Background jobs (Django Tasks, database backend): enqueued by services inside their own transaction.

Two queues, each with its own worker (`db_worker --queue-name default` and `--queue-name render`): rendering
PDFs, which can take up to MEMOFLOW_PDF_RENDER_TIMEOUT seconds each, runs on "render", so notifications on
"default" never wait behind a document.
"""

from django.tasks import task


@task()
def notify_step_assignee(step_id: str) -> bool:
    """Replaced by the notifications app (issue 13: notifications.tasks.deliver_notifications, one job per
    batch of notifications, as each person chose). Kept so that a job enqueued before the upgrade still runs: it
    sends nothing, since the notification it was for was not written then (the step's page shows the task)."""
    return False


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
