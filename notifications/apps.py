from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import schedule

        # The daily e-mail digest (issue 13); MEMOFLOW_SCHEDULE=notification_digest=HH:MM moves it or turns it off.
        schedule.register(
            "notification_digest", task_path="notifications.tasks.send_notification_digest", at="16:30"
        )
