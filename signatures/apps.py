from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "signatures"
    verbose_name = _("Signatures")

    def ready(self) -> None:
        # org cannot import signatures: it announces a password change, and the signing key follows it.
        from core import schedule
        from org.signals import password_changed
        from signatures.keystore import on_password_changed

        password_changed.connect(on_password_changed, dispatch_uid="signatures.keystore.on_password_changed")
        # The audit log's signed checkpoint, daily (issue 12; MEMOFLOW_SCHEDULE changes the time or turns it off).
        schedule.register("audit_checkpoint", task_path="signatures.tasks.audit_checkpoint", at="01:00")
