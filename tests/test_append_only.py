"""Signatures and audit events are append-only: every way to change or remove one is refused — the model and its
QuerySet by Python, and what bypasses them (Django's base manager, raw SQL) by a database trigger. Runs on both
engines (`make test` runs PostgreSQL and SQLite)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from core import append_only
from core.append_only import AppendOnlyError, AppendOnlyModel
from core.models import AuditEvent
from org.demo import DEMO_PASSWORD
from signatures.models import Signature
from workflow import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(person: Callable[[str], Any]) -> Signature:
    memo = services.memo_create(
        writer=person("rujapa"), subject="ขอซ่อมเครื่องพิมพ์", body="จึงเรียนมาเพื่อโปรดพิจารณา"
    )
    services.memo_submit(memo=memo, actor=memo.writer, password=DEMO_PASSWORD)
    return Signature.objects.get(memo=memo)


@pytest.fixture
def audit_event(signature: Signature) -> AuditEvent:
    return AuditEvent.objects.filter(action="memo.submitted").get()


@pytest.fixture(params=["audit_event", "signature"])
def row(request: pytest.FixtureRequest) -> AppendOnlyModel:
    return request.getfixturevalue(request.param)


# A column both tables have, and the value an attacker would write into it.
COLUMN, VALUE = "user_agent", "tampered"


def unchanged(row: AppendOnlyModel) -> bool:
    fresh = type(row)._base_manager.filter(pk=row.pk).first()
    return fresh is not None and getattr(fresh, COLUMN) == getattr(row, COLUMN) != VALUE


def test_both_tables_have_their_triggers() -> None:
    assert append_only.installed(connection, AuditEvent._meta.db_table)
    assert append_only.installed(connection, Signature._meta.db_table)


def raw(sql: str, row: AppendOnlyModel, *params: Any) -> None:
    """Run one statement in its own savepoint (PostgreSQL aborts the transaction on an error)."""
    pk = row.pk.hex if connection.vendor == "sqlite" else row.pk  # SQLite stores a UUID as 32 hex digits
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=row._meta.db_table), [*params, pk])


def test_raw_sql_update_is_refused_by_the_database(row: AppendOnlyModel) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f'UPDATE "{{table}}" SET "{COLUMN}" = %s WHERE id = %s', row, VALUE)  # noqa: S608
    assert unchanged(row)


def test_raw_sql_delete_is_refused_by_the_database(row: AppendOnlyModel) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        raw('DELETE FROM "{table}" WHERE id = %s', row)
    assert unchanged(row)


def test_base_manager_update_and_delete_are_refused_by_the_database(row: AppendOnlyModel) -> None:
    """Django's base manager never uses the model's QuerySet: only the trigger stands in its way."""
    base = type(row)._base_manager
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        base.filter(pk=row.pk).update(**{COLUMN: VALUE})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        # _raw_delete: one DELETE statement, past the collector's PROTECT check (a signature is also held by
        # its step), so that only the trigger stands in the way.
        base.filter(pk=row.pk)._raw_delete(base.db)
    assert unchanged(row)


def test_save_delete_and_queryset_writes_are_refused_by_the_model(row: AppendOnlyModel) -> None:
    setattr(row, COLUMN, VALUE)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=[COLUMN])
    with pytest.raises(AppendOnlyError):
        row.delete()
    manager = type(row).objects
    with pytest.raises(AppendOnlyError):
        manager.filter(pk=row.pk).update(**{COLUMN: VALUE})
    with pytest.raises(AppendOnlyError):
        manager.filter(pk=row.pk).delete()
    setattr(row, COLUMN, type(row)._base_manager.get(pk=row.pk).__dict__[COLUMN])
    assert unchanged(row)


def test_a_memo_with_signatures_cannot_be_deleted(signature: Signature) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        signature.memo.delete()
    assert Signature.objects.filter(pk=signature.pk).exists()
