"""The holiday table: `manage.py load_holidays` (idempotent, an administrator's corrections kept) and the
admin (Buddhist-era dates, every change audited, a clash a Thai form error that saves nothing)."""

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from org import holidays
from org.models import Holiday

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


def test_load_holidays_adds_both_years_once():
    first = load()
    assert "Holidays added: 44" in first
    assert "2026-04-13  วันสงกรานต์" in first
    assert Holiday.objects.filter(date__year=2026).count() == 22
    assert Holiday.objects.filter(date__year=2027).count() == 22
    assert Holiday.objects.get(date=date(2026, 10, 23)).name == "วันปิยมหาราช"
    assert not Holiday.objects.filter(date=date(2026, 5, 1)).exists()  # วันแรงงาน: not a government day off
    assert AuditEvent.objects.filter(action="holiday.created").count() == 44
    assert "Holidays added: 0" in load()
    assert Holiday.objects.count() == 44
    assert AuditEvent.objects.filter(action="holiday.created").count() == 44


def test_load_holidays_takes_one_year_in_the_buddhist_era_or_gregorian():
    assert "Holidays added: 22 (2027 (พ.ศ. 2570))" in load("--year", "2570")
    assert set(Holiday.objects.dates("date", "year")) == {date(2027, 1, 1)}
    assert "Holidays added: 22" in load("--year", "2026")


def test_a_year_the_list_does_not_have_is_refused_and_nothing_is_added():
    with pytest.raises(CommandError, match="2031"):
        load("--year", "2031")
    assert not Holiday.objects.exists()


def test_loading_again_keeps_an_administrators_correction():
    load()
    songkran = Holiday.objects.get(date=date(2026, 4, 13))
    songkran.name = "วันสงกรานต์ (แก้ไข)"
    holidays.holiday_save(holiday=songkran)
    holidays.holiday_delete(holiday=Holiday.objects.get(date=date(2026, 12, 31)))
    load("--year", "2026")
    assert Holiday.objects.get(date=date(2026, 4, 13)).name == "วันสงกรานต์ (แก้ไข)"
    assert Holiday.objects.filter(date=date(2026, 12, 31)).exists()  # a removed day comes back with the list


# The admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("admin"))
    return client


def test_an_administrator_adds_an_organisations_day_off_in_the_buddhist_era_and_it_is_audited(
    admin_client, demo_org
):
    response = admin_client.post(
        "/admin/org/holiday/add/",
        {"date": "๑๖/๔/๒๕๖๙", "name": "วันหยุดพิเศษของ อบต.", "organisation": str(demo_org.pk)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    holiday = Holiday.objects.get()
    assert (holiday.date, holiday.organisation) == (date(2026, 4, 16), demo_org)
    event = AuditEvent.objects.get(action="holiday.created")
    assert event.actor.username == "admin"
    assert event.data == {"date": "2026-04-16", "name": "วันหยุดพิเศษของ อบต.", "organisation": str(demo_org.pk)}


def test_an_administrators_change_and_removal_are_audited_with_what_changed(admin_client):
    holidays.holidays_load(year=2026)
    piyamaharaj = Holiday.objects.get(date=date(2026, 10, 23))
    url = f"/admin/org/holiday/{piyamaharaj.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'value="๒๓ ต.ค. ๒๕๖๙"' in page  # the Buddhist era, as people here read dates
    response = admin_client.post(url, {"date": "26/10/2569", "name": "วันปิยมหาราช", "organisation": ""})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="holiday.changed")
    assert event.actor.username == "admin"
    assert event.data["changed"] == {"date": ["2026-10-23", "2026-10-26"]}
    response = admin_client.post(f"/admin/org/holiday/{piyamaharaj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=piyamaharaj.pk).exists()
    removed = AuditEvent.objects.get(action="holiday.deleted")
    assert removed.data["date"] == "2026-10-26"
    assert removed.actor.username == "admin"


def test_deleting_selected_holidays_audits_each(admin_client):
    holidays.holidays_load(year=2026)
    songkran = list(Holiday.objects.filter(name="วันสงกรานต์").values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/org/holiday/",
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in songkran], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Holiday.objects.filter(name="วันสงกรานต์").exists()
    assert AuditEvent.objects.filter(action="holiday.deleted").count() == 3


def test_a_second_national_holiday_on_a_date_is_a_thai_form_error_and_nothing_changes(admin_client):
    holidays.holidays_load(year=2026)
    response = admin_client.post(
        "/admin/org/holiday/add/", {"date": "13/4/2569", "name": "ซ้ำ", "organisation": ""}
    )
    assert response.status_code == 200
    assert "มีวันหยุดราชการของทั้งประเทศในวันนี้แล้ว" in response.content.decode()
    assert Holiday.objects.filter(date=date(2026, 4, 13)).count() == 1
    assert not AuditEvent.objects.filter(
        action__in=["holiday.created", "holiday.changed"], actor__isnull=False
    )


def test_a_date_that_is_not_one_is_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/org/holiday/add/", {"date": "31/2/2569", "name": "x", "organisation": ""}
    )
    assert response.status_code == 200
    assert "วัน/เดือน/ปี" in response.content.decode()
    assert not Holiday.objects.exists()


def test_someone_who_is_not_an_administrator_cannot_change_the_table(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("ratchawari"))
    response = client.post("/admin/org/holiday/add/", {"date": "16/4/2569", "name": "x", "organisation": ""})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Holiday.objects.exists()


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/org/holiday/")
    assert response.status_code == 200
    return len(queries)


def test_the_list_shows_buddhist_era_dates_in_constant_queries(admin_client):
    holidays.holiday_save(holiday=Holiday(date=date(2026, 4, 13), name="วันสงกรานต์"))
    holidays.holiday_save(holiday=Holiday(date=date(2026, 4, 14), name="วันสงกรานต์"))
    two = _list_queries(admin_client)
    holidays.holidays_load()
    assert _list_queries(admin_client) == two
    page = admin_client.get("/admin/org/holiday/").content.decode()
    assert "๑๓ เม.ย. ๒๕๖๙" in page
    assert "ทุกหน่วยงาน (ทั้งประเทศ)" in page


def test_the_demo_loads_the_official_holidays_once(media_root):
    call_command("load_demo", stdout=StringIO())
    assert Holiday.objects.filter(organisation__isnull=True).count() == 44
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Public holidays added: 0" in out.getvalue()
    assert Holiday.objects.count() == 44


ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MEMOFLOW_DUE_WORKING_DAYS", "normal=-1", "MEMOFLOW_DUE_WORKING_DAYS takes"),
        ("MEMOFLOW_DUE_WORKING_DAYS", "slow=3", "MEMOFLOW_DUE_WORKING_DAYS takes"),
        ("MEMOFLOW_OFFICE_HOURS_END", "half past four", "MEMOFLOW_OFFICE_HOURS_END must be a time"),
    ],
)
def test_a_bad_due_time_setting_stops_start_up(variable, value, message):
    env = {**os.environ, variable: value, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_list_filters_by_year_in_the_buddhist_era(admin_client):
    holidays.holidays_load()
    page = admin_client.get("/admin/org/holiday/").content.decode()
    assert "พ.ศ. ๒๕๖๙" in page
    assert "พ.ศ. ๒๕๗๐" in page
    page = admin_client.get("/admin/org/holiday/?year=2027").content.decode()
    assert "๒๓ ต.ค. ๒๕๗๐" in page
    assert "๒๓ ต.ค. ๒๕๖๙" not in page


def test_the_clash_reads_in_english_for_an_english_administrator(demo_org, person):
    holidays.holidays_load(year=2026)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person("admin"))
    response = client.post(
        "/admin/org/holiday/add/", {"date": "13 Apr 2026", "name": "again", "organisation": ""}
    )
    assert response.status_code == 200
    assert "There is already a national holiday on this date." in response.content.decode()
    assert Holiday.objects.filter(date=date(2026, 4, 13)).count() == 1
