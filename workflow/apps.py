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

        # Reminders and escalations of overdue steps (issue 13): a scan every few minutes, each slot run once.
        from django.conf import settings

        from core import schedule

        every = int(getattr(settings, "MEMOFLOW_REMINDER_SCAN_MINUTES", 5))
        schedule.register("step_reminders", task_path="workflow.reminders.step_reminders", every=every)
