from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core import schedule

        # Each person who chose a daily digest for webhooks gets one event a day (MEMOFLOW_SCHEDULE moves it).
        schedule.register("webhook_digest", task_path="webhooks.tasks.webhook_digest", at="08:00")
