"""Two administrators appoint someone to act for the same position over overlapping dates at the same moment,
on PostgreSQL with real threads: the row lock on the position lets exactly one appointment in."""

import contextlib
import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from core.errors import OverlappingAppointment
from org import services
from org.models import ActingAppointment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

JOIN_TIMEOUT = 60
# Both creators meet after their overlap check. Without the lock both get there and both insert; with it the
# second waits on the position's row lock, so the first meets nobody and goes on once this has passed.
MEET_TIMEOUT = 3


def test_two_overlapping_appointments_created_at_once_exactly_one_succeeds(
    demo_org, person, position, monkeypatch
):
    works_head = position("ผู้อำนวยการกองช่าง")
    candidates = [person("works_staff"), person("finance_staff")]
    meet = threading.Barrier(2, timeout=MEET_TIMEOUT)
    original = ActingAppointment.overlapping_appointments

    class Checked:
        """The overlap query, evaluated, then a meeting point before the insert."""

        def __init__(self, rows: list[ActingAppointment]) -> None:
            self.rows = rows

        def first(self) -> ActingAppointment | None:
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait()
            return self.rows[0] if self.rows else None

    monkeypatch.setattr(
        ActingAppointment, "overlapping_appointments", lambda self: Checked(list(original(self)))
    )

    start = threading.Barrier(2, timeout=30)
    results: list[Any] = [None, None]
    crashes: list[BaseException] = []

    def appoint(index: int) -> None:
        try:
            connections["default"].ensure_connection()
            start.wait()
            results[index] = services.acting_appointment_create(
                position=works_head,
                person=candidates[index],
                capacity="รักษาราชการแทน",
                valid_from=date(2026, 1, 1 + index),
                valid_to=date(2026, 1, 31),
            )
        except OverlappingAppointment as refused:
            results[index] = refused
        except BaseException as error:  # reported in the test's thread
            crashes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appoint, args=(i,), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    assert not crashes, crashes

    assert sorted(type(r).__name__ for r in results) == ["ActingAppointment", "OverlappingAppointment"]
    assert ActingAppointment.objects.filter(position=works_head).count() == 1
