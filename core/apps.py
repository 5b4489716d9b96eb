from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from core import schedule  # noqa: F401 - registers the check of MEMOFLOW_SCHEDULE
        from core.audit_chain import register_sqlite_functions

        # The audit chain's hash as an SQL function on SQLite, which has no sha256() (core.audit).
        connection_created.connect(register_sqlite_functions, dispatch_uid="memoflow-audit-sqlite-functions")
        for open_connection in connections.all(initialized_only=True):
            if open_connection.connection is not None:
                register_sqlite_functions(open_connection)
