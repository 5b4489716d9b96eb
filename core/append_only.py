"""Append-only tables (the audit log, signatures): rows are inserted, never updated or deleted.

Three layers refuse a change: the model (`save()` of an existing row, `delete()`), its QuerySet (`update()`,
`delete()`), and a database trigger installed by a migration. Only the trigger stops what bypasses the model —
`Model._base_manager.update()` (Django's base manager never uses the custom QuerySet), a bulk delete through it,
raw SQL, `dbshell`. PostgreSQL: a plpgsql function raising `integrity_constraint_violation`; SQLite:
`RAISE(ABORT, ...)`. Both reach Python as `django.db.IntegrityError`.

TRUNCATE fires no row trigger on PostgreSQL: a table that must refuse it too (the audit log) gets a statement
trigger as well (`truncate_guard_migration`); the test suite's flush disables the tables' triggers inside its own
transaction (conftest.py). DROP TRIGGER and DROP TABLE stay open to the tables' owner: the triggers stop the
application's code and anyone with plain UPDATE/DELETE, not the database's owner. On SQLite a flush is `DELETE FROM`, which the trigger refuses: the test suite's conftest
drops and re-creates the triggers inside the flush's own transaction; the application has no bypass.

A migration that remakes the table on SQLite (most AlterField/RemoveField there) drops its triggers with it:
such a migration must add `triggers_migration(table)` again (the append-only tests fail on SQLite until it does).
"""

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from django.db import migrations, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

_M = TypeVar("_M", bound=models.Model)

MESSAGE = "append-only table: rows are never updated or deleted"


class AppendOnlyError(TypeError):
    """Code tried to change a row of an append-only table (a programming error, never a user's input)."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"{what}: {MESSAGE}")


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        _refuse(self.model._meta.label)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse(self.model._meta.label)


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(self._meta.label)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse(self._meta.label)


def _names(table: str) -> tuple[str, str, str]:
    return f"{table}_append_only", f"{table}_no_update", f"{table}_no_delete"


def _truncate_name(table: str) -> str:
    return f"{table}_no_truncate"


def truncate_install_sql(vendor: str, table: str) -> list[str]:
    """PostgreSQL: a BEFORE TRUNCATE statement trigger calling the table's refusing function (install_sql
    first). SQLite has no TRUNCATE (`DELETE FROM` is refused by the row trigger): nothing to add."""
    function = _names(table)[0]
    if vendor == "postgresql":
        return [
            f'CREATE OR REPLACE TRIGGER "{_truncate_name(table)}" BEFORE TRUNCATE ON "{table}" '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{function}"()'
        ]
    return []


def truncate_remove_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{_truncate_name(table)}" ON "{table}"']
    return []


def truncate_guard_migration(table: str) -> migrations.RunPython:
    """The migration operation that makes TRUNCATE of the table refused too (after triggers_migration)."""
    return sql_migration(
        lambda vendor: truncate_install_sql(vendor, table), lambda vendor: truncate_remove_sql(vendor, table)
    )


def install_sql(vendor: str, table: str) -> list[str]:
    function, no_update, no_delete = _names(table)
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: {MESSAGE} (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$""",
            f'CREATE OR REPLACE TRIGGER "{function}" BEFORE UPDATE OR DELETE ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{function}"()',
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{no_update}" BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE} (UPDATE refused)'); END",
            f'CREATE TRIGGER IF NOT EXISTS "{no_delete}" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE} (DELETE refused)'); END",
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def remove_sql(vendor: str, table: str) -> list[str]:
    function, no_update, no_delete = _names(table)
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS "{function}" ON "{table}"',
            f'DROP FUNCTION IF EXISTS "{function}"()',
        ]
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{no_update}"', f'DROP TRIGGER IF EXISTS "{no_delete}"']
    raise NotImplementedError(f"append-only triggers for {vendor}")


def sql_migration(
    install_statements: Callable[[str], list[str]], remove_statements: Callable[[str], list[str]]
) -> migrations.RunPython:
    """A migration operation running the SQL statements ``install_statements(vendor)`` forwards and
    ``remove_statements(vendor)`` backwards (for triggers a table's definition cannot carry)."""

    def install(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in install_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    def remove(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in remove_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(install, remove)


def triggers_migration(table: str) -> migrations.RunPython:
    """The migration operation that installs the table's triggers (and removes them when migrating back)."""
    return sql_migration(lambda vendor: install_sql(vendor, table), lambda vendor: remove_sql(vendor, table))


def installed(connection: BaseDatabaseWrapper, table: str) -> bool:
    """True when the table's triggers are in place (a table remade on SQLite loses them)."""
    function, no_update, no_delete = _names(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
                [function, f'"{table}"'],
            )
            return bool(cursor.fetchone()[0] == 1)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s)",
            [table, no_update, no_delete],
        )
        return bool(cursor.fetchone()[0] == 2)
