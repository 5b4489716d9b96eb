from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Routing")

    def ready(self) -> None:
        # signatures never imports the route: the public verification asks this hook which memo a PDF names.
        from signatures.verify_public import register_memo_resolver
        from workflow.verification import memo_for_document

        register_memo_resolver(memo_for_document)
        # The search document's normalisation as an SQL function on SQLite (workflow.search).
        from django.db import connections
        from django.db.backends.signals import connection_created

        from workflow.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="memoflow-sqlite-functions")
        for open_connection in connections.all(initialized_only=True):
            if open_connection.connection is not None:
                register_sqlite_functions(open_connection)
        # Steps follow leave that begins or ends (issue 13, ADR 0011), early in the Bangkok day.
        from core import schedule

        schedule.register("leave_steps", task_path="workflow.tasks_leave.leave_steps", at="00:05")

        # Reminders and escalations of overdue steps (issue 13): a scan every few minutes, each slot run once.
        from django.conf import settings

        every = int(getattr(settings, "MEMOFLOW_REMINDER_SCAN_MINUTES", 5))
        schedule.register("step_reminders", task_path="workflow.reminders.step_reminders", every=every)
