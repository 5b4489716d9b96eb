"""The register (ทะเบียนหนังสือ) across a year boundary: numbers restart with each register year, for both
kinds of year (MEMOFLOW_REGISTER_YEAR), and the old year's numbers stay as they were."""

from datetime import datetime

import pytest
from django.utils import timezone

from core.thai import BANGKOK
from memos.models import Memo, Register
from org.demo import DEMO_PASSWORD
from workflow import services

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=BANGKOK)


NEW_YEAR = (at(2025, 12, 31), at(2026, 1, 1))
NEW_FISCAL_YEAR = (at(2025, 9, 30), at(2025, 10, 1))


@pytest.mark.parametrize(
    ("kind", "boundary", "restarts"),
    [
        ("calendar", NEW_YEAR, True),
        ("calendar", NEW_FISCAL_YEAR, False),
        ("fiscal", NEW_FISCAL_YEAR, True),
        ("fiscal", NEW_YEAR, False),
    ],
    ids=["calendar-31dec-1jan", "calendar-30sep-1oct", "fiscal-30sep-1oct", "fiscal-31dec-1jan"],
)
def test_the_first_memo_of_a_new_register_year_is_number_one(
    person, settings, monkeypatch, kind, boundary, restarts
):
    settings.MEMOFLOW_REGISTER_YEAR = kind
    rujapa = person("rujapa")

    def submit_on(moment: datetime) -> Memo:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        memo = services.memo_create(writer=rujapa, subject="ขออนุมัติจัดซื้อวัสดุ", body="จึงเรียนมาเพื่อโปรดพิจารณา")
        services.memo_submit(memo=memo, actor=rujapa, password=DEMO_PASSWORD)
        memo.refresh_from_db()
        return memo

    before, after = boundary
    old_year = [submit_on(before), submit_on(before)]
    assert [m.sequence for m in old_year] == [1, 2]

    first_of_next = submit_on(after)

    assert first_of_next.status == "in_review"
    assert first_of_next.sequence == (1 if restarts else 3)
    assert first_of_next.number.endswith("/๑" if restarts else "/๓")
    assert Register.objects.count() == (2 if restarts else 1)
    assert [Memo.objects.get(pk=m.pk).number for m in old_year] == [m.number for m in old_year]
    assert old_year[0].number.endswith("/๑")
    if restarts:
        assert old_year[0].register_year is not None
        assert first_of_next.number == old_year[0].number  # same printed number, another year's register
        assert first_of_next.register_year == old_year[0].register_year + 1
