"""Due times on the pages (issue 13): the task list (overdue first, then by due time, with the due time and
"overdue N working days" in Thai and English, in a constant number of queries), the memo page's active step, and
the register's page and CSV.

A step that has waited a while is built through the services and then moved back in time (its activation and
due time both set a week earlier): the pages read the clock, and the clock cannot be moved."""

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.thai import BANGKOK
from memos.models import Memo, Urgency
from tests.builders import active_step, person, submitted_memo
from workflow.due import calendar_for
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db


def client_for(username: str, language: str = "th") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person(username))
    return client


def waited(memo: Memo, *, working_days_late: int) -> RouteStep:
    """The memo's active step as if it had fallen due `working_days_late` working days ago (at 16:30)."""
    step = active_step(memo)
    calendar = calendar_for(memo.organisation_id)
    now = timezone.now()
    # Back from today (Bangkok) over `working_days_late` working days, today counting when it is one, to the
    # working day before them: on a Saturday, "one working day late" fell due on Thursday (Friday was the day
    # late), not on Friday. (Stepping back one day at a time from today made it Friday, 0 days late, and the
    # tests failed between 17:00 UTC on Friday and 17:00 UTC on Sunday.)
    day = now.astimezone(BANGKOK).date()
    remaining = working_days_late
    while remaining:
        if calendar.is_working_day(day):
            remaining -= 1
        day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    due = datetime.combine(day, calendar.closes_at, tzinfo=BANGKOK)
    RouteStep.objects.filter(pk=step.pk).update(activated_at=due - timedelta(days=3), due_at=due)
    step.refresh_from_db()
    assert calendar.working_days_overdue(due, now) == working_days_late
    return step


def test_the_task_list_puts_the_overdue_first_then_the_earliest_due(demo_org: Any) -> None:
    submitted_memo(subject="เรื่องปกติ", urgency=Urgency.NORMAL)
    submitted_memo(subject="เรื่องด่วนที่สุด", urgency=Urgency.MOST_URGENT)
    submitted_memo(subject="เรื่องด่วน", urgency=Urgency.URGENT)
    late = submitted_memo(subject="เรื่องที่เกินกำหนด", urgency=Urgency.NORMAL)
    waited(late, working_days_late=3)
    html = client_for("ratchawari").get(reverse("home")).content.decode()
    order = [html.index(s) for s in ("เรื่องที่เกินกำหนด", "เรื่องด่วนที่สุด", "เรื่องด่วน<", "เรื่องปกติ")]
    assert order == sorted(order), "overdue first, then by due time, whatever order they arrived in"
    assert html.count('data-testid="due"') == 4
    assert "เกินกำหนด ๓ วันทำการ" in html
    assert html.count('data-testid="overdue"') == 1


def test_the_task_list_in_english(demo_org: Any) -> None:
    late = submitted_memo(subject="เรื่องที่เกินกำหนด")
    step = waited(late, working_days_late=1)
    html = client_for("ratchawari", "en").get(reverse("home")).content.decode()
    assert "overdue 1 working day" in html
    local = step.due_at.astimezone(BANGKOK)
    assert f"Due {local.day} " in html
    assert f"{local.year}, 16:30" in html


@pytest.mark.parametrize("count", [2, 20])
def test_the_task_list_with_overdue_tasks_keeps_a_constant_query_count(
    demo_org: Any, django_assert_num_queries: Any, count: int
) -> None:
    for index in range(count):
        waited(submitted_memo(subject=f"เรื่องที่ {index}"), working_days_late=index % 3)
    client = client_for("ratchawari")
    client.get(reverse("home"))
    # session, user, the header's count, the list, the holiday calendar (once for the page)
    with django_assert_num_queries(5):
        html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="due"') == count


def test_the_memo_page_shows_the_active_steps_due_time(demo_org: Any) -> None:
    memo = submitted_memo(urgency=Urgency.VERY_URGENT)
    waited(memo, working_days_late=2)
    html = client_for("rujapa").get(reverse("memo-page", args=[memo.pk])).content.decode()
    assert html.count('data-testid="due"') == 1  # the active step only
    assert "เกินกำหนด ๒ วันทำการ" in html


def test_the_register_and_its_csv_show_the_due_time_and_the_working_days_overdue(demo_org: Any) -> None:
    late = submitted_memo(subject="เรื่องที่เกินกำหนด")
    step = waited(late, working_days_late=2)
    on_time = submitted_memo(subject="เรื่องที่ยังไม่ถึงกำหนด")
    admin = client_for("admin")
    html = admin.get("/register/").content.decode()
    assert "กำหนด" in html
    assert "เกินกำหนด ๒ วันทำการ" in html
    body = b"".join(admin.get("/register/register.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    due, overdue = rows[1].index("กำหนด"), rows[1].index("เกินกำหนด (วันทำการ)")
    lines = {r[3]: r for r in rows[2:]}
    local = step.due_at.astimezone(BANGKOK)
    late_line = lines["เรื่องที่เกินกำหนด"]
    assert [late_line[due], late_line[overdue]] == [
        f"{local.day}/{local.month}/{local.year + 543} 16:30",
        "2",
    ]
    assert lines["เรื่องที่ยังไม่ถึงกำหนด"][overdue] == ""
    assert lines["เรื่องที่ยังไม่ถึงกำหนด"][due] != ""
    assert active_step(on_time).state == StepState.ACTIVE
