"""The register of memos sent (ทะเบียนหนังสือส่ง): who may see which unit's, what each row says, its filters,
its CSV and PDF, and its queries (issue 12). Memos are built through the services (tests/builders.py)."""

import csv
import io
import unicodedata
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from core.thai import bangkok_date, be_year, thai_digits
from memos.models import Memo
from org.models import Unit
from tests.builders import (
    approve_active,
    completed_memo,
    draft_memo,
    in_review_memo,
    rejected_memo,
    submitted_memo,
)
from workflow.register import register_scope

pytestmark = pytest.mark.django_db

OURS = "ขอประชาสัมพันธ์กิจกรรมวันเด็ก"  # งานประชาสัมพันธ์ (inside สำนักปลัด)
APPROVED = "ขออนุมัติจัดซื้อวัสดุสำนักงาน"
REJECTED = "ขออนุมัติเดินทางไปราชการ"
FINANCE = "รายงานการเงินประจำเดือน"  # กองคลัง
WORKS = "ขอซ่อมถนนหมู่ที่ ๓"  # กองช่าง
DRAFT = "ร่างที่ยังไม่ได้ส่ง"


@pytest.fixture
def memos(person):
    """Five memos in the register (three units' writers) and one draft, which is not in it."""
    made = {
        "ours": in_review_memo(2, subject=OURS, urgency="most_urgent"),
        "approved": completed_memo(subject=APPROVED),
        "rejected": rejected_memo(subject=REJECTED),
        "finance": submitted_memo(writer="finance_staff", subject=FINANCE, urgency="urgent"),
        "works": submitted_memo(writer="works_staff", subject=WORKS),
        "draft": draft_memo(subject=DRAFT),
    }
    return made


def client_for(person, username, language="th"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person(username))
    return client


def make_clerk(person, username):
    clerk = person(username)
    clerk.user_permissions.add(
        Permission.objects.get(codename="keep_register", content_type__app_label="org")
    )
    return person(username)  # fresh: Django caches permissions on the object


def unit_id(name):
    return str(Unit.objects.get(name=name).pk)


def subjects(response):
    page = response.content.decode()
    return {s for s in (OURS, APPROVED, REJECTED, FINANCE, WORKS, DRAFT) if s in page}


# Who may see which register --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["nat", "yutthana", "auditor", "admin"])
def test_executives_auditors_and_administrators_see_the_whole_organisation(person, memos, username):
    response = client_for(person, username).get("/register/")
    assert response.status_code == 200
    assert subjects(response) == {OURS, APPROVED, REJECTED, FINANCE, WORKS}  # never the draft


def test_a_clerk_sees_the_register_of_their_unit_only(person, memos):
    make_clerk(person, "finance_staff")
    client = client_for(person, "finance_staff")
    response = client.get("/register/")
    assert response.status_code == 200
    assert subjects(response) == {FINANCE}
    assert client.get(f"/register/?unit={unit_id('กองคลัง')}").status_code == 200

    refused = client.get(f"/register/?unit={unit_id('กองช่าง')}")
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "ท่านไม่มีสิทธิ์ดูทะเบียนหนังสือ" in page
    assert "records clerks of a unit" in page
    assert WORKS not in page
    for export in ("/register/register.csv", "/register/register.pdf"):
        assert client.get(f"{export}?unit={unit_id('กองช่าง')}").status_code == 403
    assert client.get("/dashboard/").status_code == 403  # the dashboards are for heads and executives


def test_a_head_of_a_division_is_no_executive(person, memos):
    # ผู้อำนวยการกองคลัง reports to the ปลัด, as the ปลัด reports to the นายก, but heads a unit.
    assert subjects(client_for(person, "finance_head").get("/register/")) == {FINANCE}
    assert subjects(client_for(person, "auditor").get("/register/")) == {
        OURS,
        APPROVED,
        REJECTED,
        FINANCE,
        WORKS,
    }


def test_a_head_sees_their_unit_and_the_units_inside_it(person, memos):
    # ratchawari acts for the vacant head of สำนักปลัด; rujapa writes in งานประชาสัมพันธ์, inside it.
    client = client_for(person, "ratchawari")
    response = client.get("/register/")
    assert subjects(response) == {OURS, APPROVED, REJECTED}
    assert subjects(client.get(f"/register/?unit={unit_id('งานประชาสัมพันธ์')}")) == {OURS, APPROVED, REJECTED}
    assert client.get(f"/register/?unit={unit_id('กองคลัง')}").status_code == 403
    assert subjects(client_for(person, "works_head").get("/register/")) == {WORKS}


@pytest.mark.parametrize("username", ["works_staff", "rujapa", "finance_staff"])
def test_a_plain_officer_is_refused_in_thai_and_english(person, memos, username):
    client = client_for(person, username)
    for url in ("/register/", "/register/register.csv", "/register/register.pdf", "/dashboard/"):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "ท่านไม่มีสิทธิ์ดูทะเบียนหนังสือหรือภาพรวม" in page
        assert "You may not see the register" in page


def test_a_clerk_permission_without_a_position_opens_nothing(person, memos):
    assert register_scope(user=make_clerk(person, "auditor")).everything  # the auditor sees all anyway
    from org.services import person_create

    person_create(
        username="clerk", password="x-memoflow-1", title="นาง", first_name_th="สมใจ", last_name_th="ใจดี"
    )
    clerk = make_clerk(person, "clerk")
    assert register_scope(user=clerk).is_empty
    assert client_for(person, "clerk").get("/register/").status_code == 403


def test_the_menu_offers_the_register_and_the_dashboard_to_those_who_may_see_them(person, memos):
    def menu(username):
        page = client_for(person, username).get("/").content.decode()
        return ('data-testid="nav-register"' in page, 'data-testid="nav-dashboard"' in page)

    assert menu("nat") == (True, True)
    assert menu("ratchawari") == (True, True)  # acting head
    assert menu("auditor") == (True, True)
    assert menu("admin") == (True, True)
    assert menu("works_staff") == (False, False)
    make_clerk(person, "finance_staff")
    assert menu("finance_staff") == (True, False)  # a clerk keeps the register; dashboards are for heads


def test_the_menu_offers_the_audit_search_to_auditors_and_administrators_only(person, memos):
    def offered(username):
        return 'data-testid="nav-audit"' in client_for(person, username).get("/").content.decode()

    assert offered("auditor")
    assert offered("admin")
    assert not offered("nat")
    assert not offered("works_staff")


# What a row says ---------------------------------------------------------------------------------------------


def test_each_row_says_number_date_from_to_status_outcome_holder_and_days(person, memos):
    page = client_for(person, "nat").get("/register/").content.decode()
    ours = memos["ours"]
    assert ours.number in page
    assert thai_digits(be_year(ours.date.year)) in page  # Buddhist-era date
    assert "ผู้ช่วยนักประชาสัมพันธ์ งานประชาสัมพันธ์" in page  # from: the writer's position and unit
    assert "นายกองค์การบริหารส่วนตำบลหนองโสน" in page  # to: the route's last position (no addressee typed)
    assert "นายนาฏ วงศ์ทองดี" in page  # ours is on nat's desk (step 2)
    assert "ด่วนที่สุด" in page
    outcomes = [c.split("<", 1)[0] for c in page.split('data-testid="outcome">')[1:]]
    assert sorted(outcomes) == sorted(["—", "อนุมัติ", "ไม่อนุมัติ", "—", "—"])


def test_days_open_run_from_the_date_to_today_or_to_the_end(person, memos):
    from workflow import register as reg

    scope = register_scope(user=person("nat"))
    rows = {
        r.subject: r
        for r in reg.register_rows(
            reg.register_memos(
                scope=scope, organisation=memos["ours"].organisation, filters=reg.RegisterFilters()
            )
        )
    }
    assert rows[OURS].days_open == 0
    later = bangkok_date(timezone.now()) + timedelta(days=3)  # the memo's date is Bangkok's, so is "today"
    row = reg.register_row(
        reg.register_memos(
            scope=scope, organisation=memos["ours"].organisation, filters=reg.RegisterFilters()
        )
        .filter(pk=memos["ours"].pk)
        .get(),
        today=later,
    )
    assert row.days_open == 3
    assert rows[APPROVED].holder == ""
    assert rows[APPROVED].outcome_th == "อนุมัติ"


# Filters ---------------------------------------------------------------------------------------------------


def test_filters_narrow_the_register(person, memos):
    client = client_for(person, "nat")
    assert subjects(client.get("/register/?status=completed")) == {APPROVED}
    assert subjects(client.get("/register/?urgency=most_urgent")) == {OURS}
    assert subjects(client.get("/register/?outcome=approved")) == {APPROVED}
    assert subjects(client.get("/register/?outcome=not_approved")) == {REJECTED}
    assert subjects(client.get("/register/?outcome=pending")) == {OURS, FINANCE, WORKS}
    assert subjects(client.get(f"/register/?unit={unit_id('สำนักปลัด')}")) == {OURS, APPROVED, REJECTED}
    today = memos["ours"].date
    be = f"{today.day}/{today.month}/{be_year(today.year)}"
    assert len(subjects(client.get(f"/register/?date_from={be}&date_to={be}"))) == 5
    tomorrow = today + timedelta(days=1)
    later = f"{thai_digits(tomorrow.day)}/{thai_digits(tomorrow.month)}/{thai_digits(be_year(tomorrow.year))}"
    response = client.get(f"/register/?date_from={later}")
    assert response.status_code == 200
    assert subjects(response) == set()


def test_a_bad_filter_is_refused_in_thai_and_shows_nothing(person, memos):
    response = client_for(person, "nat").get("/register/?date_from=31/2/2569")
    assert response.status_code == 400
    page = response.content.decode()
    assert "กรุณากรอกวันที่เป็น วัน/เดือน/ปี พ.ศ." in page
    assert subjects(response) == set()


def test_sorted_by_number_both_ways(person, memos):
    client = client_for(person, "nat")
    numbers = sorted(Memo.objects.exclude(sequence=None).values_list("sequence", "number"))
    up = client.get("/register/?sort=number").content.decode()
    down = client.get("/register/?sort=-number").content.decode()
    first, last = numbers[0][1], numbers[-1][1]
    assert up.index(first) < up.index(last)
    assert down.index(last) < down.index(first)


# Exports ----------------------------------------------------------------------------------------------------


def test_the_csv_opens_in_excel_in_thai(person, memos):
    response = client_for(person, "ratchawari", language="en").get("/register/register.csv?sort=number")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "ทะเบียนหนังสือส่ง องค์การบริหารส่วนตำบลหนองโสน" in rows[0][0]
    assert rows[1][:4] == ["ลำดับ", "เลขที่หนังสือ", "ลงวันที่", "เรื่อง"]
    lines = {r[3]: r for r in rows[2:]}
    assert set(lines) == {OURS, APPROVED, REJECTED}
    date = memos["approved"].date
    assert lines[APPROVED][2] == f"{date.day}/{date.month}/{be_year(date.year)}"  # Buddhist era
    assert lines[APPROVED][9] == "อนุมัติ"
    assert lines[REJECTED][9] == "ไม่อนุมัติ"
    assert lines[OURS][10] == "นายนาฏ วงศ์ทองดี"


def test_the_csv_keeps_a_formula_as_text(person, demo_org):
    submitted_memo(subject='=HYPERLINK("http://x")')
    body = b"".join(client_for(person, "nat").get("/register/register.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in body


def test_the_pdf_names_the_organisation_the_filter_and_the_memos(person, memos):
    response = client_for(person, "nat").get("/register/register.pdf?urgency=most_urgent")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))
    flat = "".join(text.split())
    assert unicodedata.normalize("NFKC", "องค์การบริหารส่วนตำบลหนองโสน") in flat
    assert "".join(unicodedata.normalize("NFKC", OURS).split()) in flat
    assert "ด่วนที่สุด" in flat  # the filter, named in the heading
    assert APPROVED not in flat
    assert "".join(thai_digits(memos["ours"].number).split()) in flat


# Queries ------------------------------------------------------------------------------------------------------

#: The session, the person, their permissions (2), their positions (register_scope), the organisations, the
#: units of the filter, the memos, the steps in hand, the header.
REGISTER_QUERIES = 10


@pytest.mark.parametrize("count", [2, 40])
def test_register_queries_do_not_grow_with_the_memos(count, person, demo_org, django_assert_num_queries):
    for index in range(count):
        memo = submitted_memo(subject=f"{FINANCE} {index}")
        if index % 2:
            approve_active(memo)
    client = client_for(person, "nat")
    client.get("/")  # the session and the permissions are read once per request either way
    with django_assert_num_queries(REGISTER_QUERIES):
        response = client.get("/register/")
    assert response.status_code == 200
    assert response.content.decode().count(FINANCE) == count


def test_the_pdf_stops_at_its_row_limit_and_says_so(person, memos, monkeypatch):
    from workflow import views_register

    monkeypatch.setattr(views_register, "PDF_MAX_ROWS", 2)
    response = client_for(person, "nat").get("/register/register.pdf?sort=number")
    reader = PdfReader(io.BytesIO(response.content))
    flat = "".join(unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages)).split())
    assert "แสดง๒รายการแรก" in flat  # the note says the PDF is cut, and where the rest is
    assert "".join(unicodedata.normalize("NFKC", APPROVED).split()) in flat  # numbers 1 and 2 only
    assert "".join(unicodedata.normalize("NFKC", FINANCE).split()) not in flat


def test_another_organisations_register_is_for_administrators_and_auditors_only(person, memos):
    from org.models import Organisation
    from org.services import org_object_save

    other = Organisation(name="องค์การบริหารส่วนตำบลบางแก้ว", short_name="อบต.บางแก้ว", document_code="พบ ๗๘๐๐๑")
    org_object_save(obj=other)
    assert client_for(person, "nat").get(f"/register/?org={other.pk}").status_code == 403
    response = client_for(person, "admin").get(f"/register/?org={other.pk}")
    assert response.status_code == 200
    assert "องค์การบริหารส่วนตำบลบางแก้ว" in response.content.decode()
    assert subjects(response) == set()  # none of หนองโสน's memos
    page = client_for(person, "admin").get(f"/register/?org={memos['ours'].organisation_id}")
    assert len(subjects(page)) == 5
    assert 'name="org"' in page.content.decode()  # more than one organisation: the page offers the choice


def test_a_page_number_out_of_range_shows_the_first_page_not_an_error(person, memos):
    client = client_for(person, "nat")
    first = client.get("/register/").content.decode()
    for number in ("99999999999999999999", "-3", "x"):
        response = client.get("/register/", {"page": number})
        assert response.status_code == 200, number
        assert response.content.decode().count('data-testid="outcome">') == first.count(
            'data-testid="outcome">'
        )


def test_the_demo_records_clerk_keeps_the_register_of_her_unit(person, memos):
    """The demo's เจ้าพนักงานธุรการ (saraban) holds org.keep_register through the demo's clerks' group: she sees
    the memos of สำนักปลัด and its งานประชาสัมพันธ์, never another division's."""
    response = client_for(person, "saraban").get("/register/")
    assert response.status_code == 200
    assert subjects(response) == {OURS, APPROVED, REJECTED}
