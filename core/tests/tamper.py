"""What an attacker with the database owner's rights does, for the tests of the audit chain: switch a table's
append-only triggers off, change rows with raw SQL, switch them on again — all inside the test's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from core import append_only


@contextmanager
def triggers_off(table: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the deferred foreign-key checks of this transaction's inserts run first: PostgreSQL alters no table
            # with trigger events pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            for statement in append_only.remove_sql("sqlite", table):
                cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            for statement in append_only.install_sql("sqlite", table):
                cursor.execute(statement)


def raw(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
