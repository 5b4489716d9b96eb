from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisation chart")

    def ready(self) -> None:
        from org import sign_in

        sign_in.connect()  # sign-in attempts in the audit log
