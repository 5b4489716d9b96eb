"""The dashboards (issue 12): what waits with whom and at which step, what is overdue by urgency, the median
time per step; who may see which unit's; charts drawn as inline SVG with a table beside them. The scenario is
built through the services with the clock moved between actions."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.thai import thai_digits
from org.models import Organisation, Unit
from tests.builders import active_step, approve_active, submitted_memo
from workflow import dashboards
from workflow.register import register_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """`with clock(moment):` the services see `moment` as now."""
    real = timezone.now

    @contextmanager
    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        try:
            yield
        finally:
            monkeypatch.setattr(timezone, "now", real)

    return at


@pytest.fixture
def scenario(demo_org, clock):
    """T is now. A (most urgent): co-signed after 2 h, waits at nat's opinion since T+2h. B (normal) waits at
    ratchawari's co-sign since T, D (urgent, written in กองคลัง) at its head's (กัลยา). C (normal): co-signed
    after 4 h, opinion after 6 h, decided after 1 h: completed."""
    t = timezone.now()
    with clock(t):
        a = submitted_memo(subject="ก ด่วนที่สุด", urgency="most_urgent")
        b = submitted_memo(subject="ข ปกติ")
        c = submitted_memo(subject="ค ปกติ")
        d = submitted_memo(writer="finance_staff", subject="ง ด่วน", urgency="urgent")
    with clock(t + timedelta(hours=2)):
        approve_active(a)
    with clock(t + timedelta(hours=4)):
        approve_active(c)
    with clock(t + timedelta(hours=10)):
        approve_active(c)
    with clock(t + timedelta(hours=11)):
        approve_active(c)
    return {"t": t, "a": a, "b": b, "c": c, "d": d}


def steps_for(person, username, unit=None):
    scope = register_scope(user=person(username), purpose="dashboard")
    return dashboards.scoped_steps(scope=scope, organisation=Organisation.objects.get(), unit=unit)


def test_waiting_per_person_and_per_step(person, scenario):
    steps = steps_for(person, "nat")
    assert {w.person: w.count for w in dashboards.waiting_by_person(steps)} == {
        "นางราชวรี อนุกุล": 1,
        "นายนาฏ วงศ์ทองดี": 1,
        "นางสาวกัลยา ศรีสวัสดิ์": 1,
    }
    assert dashboards.waiting_by_role(steps) == {"writer": 0, "cosign": 2, "opinion": 1, "decision": 0}


def test_overdue_by_urgency_follows_the_due_times(person, clock, demo_org):
    """Overdue on the dashboard is past the step's due time, in Thai working days (the task list's and the
    register's rule): on Monday 16 November 2569 (no holiday that week) at 09:00 Bangkok, a most-urgent memo
    is due at the end of that day, an urgent one two working days later, a normal one three."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    monday = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Bangkok"))
    with clock(monday):
        submitted_memo(subject="ก ด่วนที่สุด", urgency="most_urgent")
        submitted_memo(subject="ข ปกติ")
        submitted_memo(writer="finance_staff", subject="ง ด่วน", urgency="urgent")
    steps = steps_for(person, "nat")

    def overdue(at):
        return {o.urgency: (o.waiting, o.overdue) for o in dashboards.overdue_by_urgency(steps, now=at)}

    assert overdue(monday + timedelta(hours=7)) == {  # Monday 16:00: nothing due yet
        "most_urgent": (1, 0),
        "very_urgent": (0, 0),
        "urgent": (1, 0),
        "normal": (1, 0),
    }
    wednesday = monday + timedelta(days=2, hours=1)
    assert overdue(wednesday) == {
        "most_urgent": (1, 1),
        "very_urgent": (0, 0),
        "urgent": (1, 0),
        "normal": (1, 0),
    }
    thursday = monday + timedelta(days=3, hours=1)
    assert overdue(thursday) == {
        "most_urgent": (1, 1),
        "very_urgent": (0, 0),
        "urgent": (1, 1),
        "normal": (1, 0),
    }
    friday = monday + timedelta(days=4, hours=1)
    assert overdue(friday)["normal"] == (1, 1)


def test_median_time_per_step_over_the_period(person, scenario):
    steps = steps_for(person, "nat")
    medians = dashboards.median_by_role(steps, now=scenario["t"] + timedelta(days=1), days=30)
    # co-sign: A 2 h and C 4 h; opinion: C 6 h; decision: C 1 h.
    assert medians == {
        "cosign": timedelta(hours=3),
        "opinion": timedelta(hours=6),
        "decision": timedelta(hours=1),
    }
    long_after = dashboards.median_by_role(steps, now=scenario["t"] + timedelta(days=40), days=30)
    assert long_after == {"cosign": None, "opinion": None, "decision": None}
    assert dashboards.median_by_role(steps, now=scenario["t"] + timedelta(days=40), days=90)[
        "cosign"
    ] == timedelta(hours=3)


def test_an_odd_number_of_steps_takes_the_middle_one(person, scenario, clock):
    e = scenario["b"]
    with clock(scenario["t"] + timedelta(hours=9)):
        approve_active(e)  # B's co-sign: 9 h → co-signs took 2, 4 and 9 h
    medians = dashboards.median_by_role(
        steps_for(person, "nat"), now=scenario["t"] + timedelta(days=1), days=30
    )
    assert medians["cosign"] == timedelta(hours=4)


def test_a_head_sees_their_units_only(person, scenario):
    steps = steps_for(person, "ratchawari")  # acting head of สำนักปลัด: A, B, C, not D (กองคลัง)
    assert dashboards.waiting_by_role(steps)["cosign"] == 1
    assert {w.person: w.count for w in dashboards.waiting_by_person(steps)} == {
        "นางราชวรี อนุกุล": 1,
        "นายนาฏ วงศ์ทองดี": 1,
    }
    assert register_scope(user=person("finance_staff"), purpose="dashboard").is_empty


def dashboard(person, username, query=""):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person(username))
    return client.get(f"/dashboard/{query}")


def section(page, testid):
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</table>", start)]


def test_the_page_draws_each_figure_as_svg_with_a_table_in_thai(person, scenario):
    response = dashboard(person, "nat")
    assert response.status_code == 200
    page = response.content.decode()
    page = page[page.index("<main") :]  # the figures (the header's bell is an icon)
    assert page.count("<svg") == 4
    assert 'role="img"' in page
    people = section(page, "waiting-people")
    assert 'lang="th">นางราชวรี อนุกุล</th><td>๑</td>' in people
    roles = section(page, "waiting-roles")
    assert "<td>๒</td>" in roles
    assert "<td>๑</td>" in roles
    medians = section(page, "medians")
    assert "๓ ชั่วโมง" in medians
    assert "๖ ชั่วโมง" in medians
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_the_page_keeps_a_head_to_their_units(person, scenario):
    works = Unit.objects.get(name="กองช่าง")
    assert dashboard(person, "ratchawari", f"?unit={works.pk}").status_code == 403
    finance = Unit.objects.get(name="กองคลัง")
    assert dashboard(person, "nat", f"?unit={finance.pk}").status_code == 200
    page = dashboard(person, "nat", f"?unit={finance.pk}").content.decode()
    assert "นายนาฏ" not in section(page, "waiting-people")
    assert f'lang="th">นางสาวกัลยา ศรีสวัสดิ์</th><td>{thai_digits(1)}</td>' in section(page, "waiting-people")


@pytest.mark.parametrize("count", [2, 12])
def test_dashboard_queries_do_not_grow_with_the_memos(count, person, demo_org, django_assert_num_queries):
    for index in range(count):
        memo = submitted_memo(subject=f"เรื่องที่ {index}")
        if index % 2:
            approve_active(memo)
            assert active_step(memo).role == "opinion"
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("nat"))
    client.get("/")
    # The session, the person, their permissions (2), positions, organisations, units, four figures, header.
    with django_assert_num_queries(12):
        response = client.get("/dashboard/?days=90")
    assert response.status_code == 200


def test_the_period_reads_in_the_readers_language_and_digits(person, demo_org):
    thai_page = dashboard(person, "nat").content.decode()
    assert "๓๐ วันล่าสุด" in thai_page
    assert "๙๐ วันล่าสุด" in thai_page
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person("nat"))
    english = client.get("/dashboard/?days=90").content.decode()
    assert "the last 90 days" in english
    assert "วันล่าสุด" not in english
    assert "Median time per step over the last 90 days" in english
