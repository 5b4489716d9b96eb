"""Signatures become append-only in the database too: UPDATE and DELETE refused by a trigger."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from core.append_only import install_sql, remove_sql

TABLE = "signatures_signature"


def install(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in install_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in remove_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("signatures", "0004_rules_drop_step")]

    operations = [migrations.RunPython(install, remove)]
