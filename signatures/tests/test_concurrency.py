"""A person's first two signatures at the same moment (two tabs), on PostgreSQL with real threads: the row lock
on the person lets one key be issued, and both signatures get that key."""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import keystore, services
from signatures.models import CertificateAuthority, SigningKey

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

JOIN_TIMEOUT = 60
# Both enrolments meet just before issuing. Without the lock both get there and both issue; with it the second
# waits on the person's row, so the first meets nobody and goes on once this has passed.
MEET_TIMEOUT = 3


def test_two_first_signatures_at_once_share_one_key(
    ca: CertificateAuthority, person: Callable[[str], Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    nat_id = person("nat").pk
    meet = threading.Barrier(2)
    issue = services.key_issue

    def issue_after_meeting(**kwargs: Any) -> SigningKey:
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(MEET_TIMEOUT)
        return issue(**kwargs)

    monkeypatch.setattr(services, "key_issue", issue_after_meeting)
    results: list[Any] = [None, None]

    def enrol(index: int) -> None:
        try:
            results[index] = keystore.ensure_signing_key(
                person=Person.objects.get(pk=nat_id), password=DEMO_PASSWORD
            )
        except BaseException as error:  # reported in the test's thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(i,), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    assert all(isinstance(r, SigningKey) for r in results), results
    assert results[0] == results[1]
    assert SigningKey.objects.filter(person_id=nat_id).count() == 1
