"""org.signals.password_changed: what apps above org (the signing keys) learn of a password change."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from org import services
from org.demo import DEMO_PASSWORD
from org.models import Person
from org.signals import password_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    password_changed.connect(receiver, dispatch_uid="test_signals")
    yield calls
    password_changed.disconnect(dispatch_uid="test_signals")


def test_the_holders_own_change_carries_the_old_password(
    person: Callable[[str], Person], received: list[dict[str, Any]]
) -> None:
    nat = person("nat")
    services.person_password_change(person=nat, password="new-one", old_password=DEMO_PASSWORD, actor=nat)
    (call,) = received
    assert call["person"] == nat
    assert call["by_admin"] is False
    assert call["old_password"] == DEMO_PASSWORD
    assert call["new_password"] == "new-one"


def test_a_reset_by_someone_else_is_by_admin_without_an_old_password(
    person: Callable[[str], Person], received: list[dict[str, Any]]
) -> None:
    services.person_password_change(
        person=person("nat"), password="reset-one", old_password="ignored", actor=person("admin")
    )
    (call,) = received
    assert call["by_admin"] is True
    assert call["old_password"] is None
    assert call["new_password"] == "reset-one"


def test_a_failing_receiver_rolls_the_password_change_back(person: Callable[[str], Person]) -> None:
    """Sent inside the change's transaction: the key and the password never disagree."""

    def refuse(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("re-wrap failed")

    password_changed.connect(refuse, dispatch_uid="test_refuse")
    try:
        with pytest.raises(RuntimeError):
            services.person_password_change(person=person("nat"), password="new-one", actor=person("nat"))
    finally:
        password_changed.disconnect(dispatch_uid="test_refuse")
    assert Person.objects.get(username="nat").check_password(DEMO_PASSWORD)
