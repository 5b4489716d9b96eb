"""The audit log becomes append-only in the database too: UPDATE and DELETE refused by a trigger."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from core.append_only import install_sql, remove_sql

TABLE = "core_auditevent"


def install(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in install_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in remove_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(install, remove)]
