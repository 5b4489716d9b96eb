"""Lockout after repeated failures (django-axes, database handler) on all four ways in: the web login, the
admin login, the API token endpoint and the signing password. Each try sends a new X-Forwarded-For: with
MEMOFLOW_TRUSTED_PROXIES = 0 the address counted is REMOTE_ADDR, so the header changes nothing. The limit is
the real one (5); every test's attempts are rolled back with its transaction."""

from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core import thai
from core.errors import BadPassword, LockedOut
from core.models import AuditEvent
from memos.models import Memo, MemoStatus
from org.demo import DEMO_PASSWORD
from org.models import Person
from workflow import demo, services
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
WRONG_LOGIN_TH = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
WRONG_SIGNING_TH = "รหัสผ่านไม่ถูกต้อง ระบบยังไม่ได้ลงนาม"
LOCKED_TH = "ใส่รหัสผ่านผิดหลายครั้งเกินไป จึงระงับการเข้าสู่ระบบไว้ชั่วคราว ลองใหม่ได้เมื่อ "


def limit() -> int:
    return int(django_settings.AXES_FAILURE_LIMIT)


def test_the_real_limit_and_cool_off_are_in_force():
    assert limit() == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME


def xff(i: int) -> dict[str, str]:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{i + 1}, 198.51.100.{i + 1}"}


def _until(username: str) -> datetime:
    """Independently of org.lockout: the last failure plus the cool-off, to the next whole minute."""
    last = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    assert last is not None
    until = thai.to_bangkok(last.attempt_time + django_settings.AXES_COOLOFF_TIME)
    if until.second or until.microsecond:
        until = (until + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return until


def _another_day(until: datetime) -> bool:
    """The cool-off ends on another Bangkok day (a test run just before midnight): the message then dates it."""
    return until.date() != thai.bangkok_date(timezone.now())


def thai_time(username: str) -> str:
    until = _until(username)
    text = thai.thai_digits(f"{until.hour:02d}.{until.minute:02d}") + " น."
    return f"{thai.format_date_short(until)} เวลา {text}" if _another_day(until) else text


def english_time(username: str) -> str:
    until = _until(username)
    text = f"{until:%H:%M}"
    return f"{text}, {thai.format_date_short_en(until)}" if _another_day(until) else text


def web_login(username: str, password: str, i: int, client: Client | None = None):
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, **xff(i))


# The web login --------------------------------------------------------------------------------------------


def test_web_login_locks_the_account_at_the_limit_whatever_x_forwarded_for_says(demo_org):
    for i in range(limit() - 1):
        response = web_login("rujapa", f"wrong-{i}", i)
        assert response.status_code == 200
        assert WRONG_LOGIN_TH in response.content.decode()
    response = web_login("rujapa", "wrong-last", 99)
    assert response.status_code == 429
    assert LOCKED_TH + thai_time("rujapa") in response.content.decode()

    client = Client()
    response = web_login("rujapa", DEMO_PASSWORD, 100, client)
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_TH + thai_time("rujapa") in html
    assert "/static/css/app.css" in html
    assert 'role="alert"' in html
    assert client.get("/").status_code == 302  # not signed in
    assert AccessAttempt.objects.get(username="rujapa").ip_address == "127.0.0.1"


def test_web_login_lockout_message_in_english(demo_org):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for i in range(limit()):
        web_login("rujapa", "wrong", i, client)
    response = web_login("rujapa", DEMO_PASSWORD, 50, client)
    assert (
        f"Too many failed attempts: signing in is locked for a while. Try again after {english_time('rujapa')}."
        in response.content.decode()
    )


def test_web_login_locks_an_address_that_tries_many_accounts(demo_org):
    for i in range(limit()):
        assert web_login(f"guess-{i}", "wrong", i).status_code in (200, 429)
    response = web_login("nat", DEMO_PASSWORD, 77)
    assert response.status_code == 429
    assert LOCKED_TH in response.content.decode()
    # nat's account is not locked: from another address the right password works
    other = Client(REMOTE_ADDR="192.0.2.200")
    response = other.post(LOGIN, {"username": "nat", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert other.get("/").status_code == 200


def test_lockout_ends_after_the_cool_off(demo_org):
    for i in range(limit()):
        web_login("rujapa", "wrong", i)
    assert web_login("rujapa", DEMO_PASSWORD, 9).status_code == 429
    # the cool-off passes (the failures age rather than the clock moving)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - django_settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
        )
    assert web_login("rujapa", DEMO_PASSWORD, 10).status_code == 302


# The admin login ------------------------------------------------------------------------------------------


def test_admin_login_locks_with_the_message_in_the_admin(demo_org):
    url = "/admin/login/?next=/admin/"
    for i in range(limit()):
        response = Client().post(url, {"username": "admin", "password": "wrong"}, **xff(i))
        assert response.status_code in (200, 429)
    client = Client()
    response = client.post(url, {"username": "admin", "password": DEMO_PASSWORD}, **xff(50))
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_TH + thai_time("admin") in html
    assert 'id="login-form"' in html  # the admin's own login page
    assert client.get("/admin/").status_code == 302


# The API token endpoint -----------------------------------------------------------------------------------


def token_try(username: str, password: str, i: int, language: str = "th"):
    return APIClient(HTTP_ACCEPT_LANGUAGE=language).post(
        TOKEN, {"username": username, "password": password}, format="json", **xff(i)
    )


def test_token_endpoint_locks_with_429_and_the_time_to_try_again(demo_org):
    for i in range(limit() - 1):
        assert token_try("nat", "wrong", i).json()["code"] == "bad_credentials"
    assert token_try("nat", "wrong", 98).status_code == 429
    response = token_try("nat", DEMO_PASSWORD, 99)
    assert response.status_code == 429
    assert response.json() == {"code": "locked_out", "detail": LOCKED_TH + thai_time("nat")}
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 15 * 60 + 1
    english = token_try("nat", DEMO_PASSWORD, 100, "en").json()
    assert english["detail"].endswith(f"Try again after {english_time('nat')}.")


def test_disabled_account_gets_no_token_and_cannot_sign_in(demo_org, person):
    nat = person("nat")
    nat.is_active = False
    nat.save(update_fields=["is_active"])
    assert token_try("nat", DEMO_PASSWORD, 1).json()["code"] == "bad_credentials"
    response = web_login("nat", DEMO_PASSWORD, 2)
    assert response.status_code == 200
    assert WRONG_LOGIN_TH in response.content.decode()


def test_login_throttle_counts_per_address_not_per_x_forwarded_for(demo_org, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "3/min"}}
    caches["shared"].clear()  # counts left by transactional tests (committed) would throttle the first try
    for i in range(3):
        assert token_try(f"someone-{i}", "x", i).status_code == 400
    response = token_try("nat", DEMO_PASSWORD, 3)
    assert response.status_code == 429
    assert response.json().get("code", "throttled") == "throttled"  # DRF's throttle, not the lockout
    # another address is not throttled
    response = APIClient(REMOTE_ADDR="192.0.2.7").post(
        TOKEN, {"username": "nat", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200


# The signing password -------------------------------------------------------------------------------------


@pytest.fixture
def in_review(demo_org, person) -> Memo:
    demo.load_route_template(demo_org)
    memo = demo.load_seed_memo(demo_org)
    return services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)


def _active(memo: Memo) -> RouteStep:
    return RouteStep.objects.get(memo=memo, state=StepState.ACTIVE)


def approve_on_the_page(client: Client, memo: Memo, password: str, i: int):
    return client.post(
        reverse("memo-page", args=[memo.pk]),
        {"action": "approve", "approve-password": password, "approve-opinion": "เห็นควรอนุมัติ"},
        **xff(i),
    )


def test_wrong_signing_passwords_lock_signing_and_sign_in(in_review, person):
    ratchawari = person("ratchawari")
    client = Client()
    client.force_login(ratchawari)
    for i in range(limit() - 1):
        response = approve_on_the_page(client, in_review, "wrong", i)
        assert WRONG_SIGNING_TH in response.content.decode()
    response = approve_on_the_page(client, in_review, "wrong", 50)
    assert LOCKED_TH in response.content.decode()

    response = approve_on_the_page(client, in_review, DEMO_PASSWORD, 51)
    html = response.content.decode()
    assert LOCKED_TH + thai_time("ratchawari") in html
    step = _active(in_review)
    assert (step.order, step.assignee_id) == (1, ratchawari.pk)  # nothing signed
    assert AccessAttempt.objects.get(username="ratchawari").path_info == "(signing password)"

    # the same account is locked on the other ways in, and the API answers 429 for signing too
    assert web_login("ratchawari", DEMO_PASSWORD, 52).status_code == 429
    api = APIClient(HTTP_ACCEPT_LANGUAGE="th")
    api.force_authenticate(ratchawari)
    response = api.post(f"/api/v1/tasks/{step.pk}/approve/", {"password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert Memo.objects.get(pk=in_review.pk).status == MemoStatus.IN_REVIEW


def test_failures_on_different_ways_in_add_up(in_review, person):
    client = Client()
    client.force_login(person("ratchawari"))
    web_login("ratchawari", "wrong", 1)
    web_login("ratchawari", "wrong", 2)
    token_try("ratchawari", "wrong", 3)
    token_try("ratchawari", "wrong", 4)
    assert WRONG_SIGNING_TH not in approve_on_the_page(client, in_review, "wrong", 5).content.decode()
    assert token_try("ratchawari", DEMO_PASSWORD, 6).status_code == 429


def test_signing_lockout_through_the_service_counts_the_address(in_review, person):
    from core.audit import RequestMeta

    ratchawari = person("ratchawari")
    meta = RequestMeta(ip_address="192.0.2.33", user_agent="test")
    for _ in range(limit() - 1):
        with pytest.raises(BadPassword) as error:
            services.step_approve(step=_active(in_review), actor=ratchawari, password="wrong", meta=meta)
        assert not isinstance(error.value, LockedOut)
    with pytest.raises(LockedOut):
        services.step_approve(step=_active(in_review), actor=ratchawari, password="wrong", meta=meta)
    assert AccessAttempt.objects.get(username="ratchawari").ip_address == "192.0.2.33"
    # the address is locked for another account too
    nat = person("nat")
    with pytest.raises(LockedOut):
        services.step_approve(step=_active(in_review), actor=nat, password=DEMO_PASSWORD, meta=meta)


def test_an_address_locked_by_another_accounts_failures_cannot_sign_through_the_api(in_review, person):
    """The API reads the lockout with the step (workflow.selectors.step_get): the address's count, not only the
    account's, and nothing is signed with the right password either."""
    from core.audit import RequestMeta

    address = "192.0.2.44"
    meta = RequestMeta(ip_address=address, user_agent="test")
    for _ in range(limit()):
        with pytest.raises(BadPassword):
            services.step_approve(step=_active(in_review), actor=person("nat"), password="wrong", meta=meta)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
    api.force_authenticate(person("ratchawari"))
    step = _active(in_review)
    response = api.post(f"/api/v1/tasks/{step.pk}/approve/", {"password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "locked_out"
    assert (_active(in_review).order, _active(in_review).state) == (1, StepState.ACTIVE)
    # from another address the same account signs
    api = APIClient(REMOTE_ADDR="192.0.2.45")
    api.force_authenticate(person("ratchawari"))
    response = api.post(f"/api/v1/tasks/{step.pk}/approve/", {"password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200, response.content


def test_empty_signing_password_never_signs(in_review, person):
    """Even for an account whose stored password is the empty string."""
    ratchawari: Person = person("ratchawari")
    ratchawari.set_password("")
    ratchawari.save(update_fields=["password"])
    for empty in ("", None):
        with pytest.raises(BadPassword):
            services.step_approve(step=_active(in_review), actor=ratchawari, password=empty)
    assert _active(in_review).order == 1
    assert not AuditEvent.objects.filter(action="step.signed").exists()


# Trusted proxies ------------------------------------------------------------------------------------------


def test_with_one_trusted_proxy_the_right_most_entry_is_the_address(demo_org, person, settings):
    settings.MEMOFLOW_TRUSTED_PROXIES = 1
    for i in range(limit()):
        APIClient().post(
            TOKEN,
            {"username": f"guess-{i}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 198.51.100.23",  # the client rotates what it writes
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.23"}
    locked = APIClient().post(
        TOKEN,
        {"username": "nat", "password": DEMO_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.23",
    )
    assert locked.status_code == 429
    # the same client behind the proxy, seen from another address: not locked; its audit rows show it
    client = APIClient()
    response = client.post(
        TOKEN,
        {"username": "nat", "password": DEMO_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.23, 203.0.113.50",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.delete(TOKEN, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50").status_code == 204
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.ip_address == "203.0.113.50"


def test_without_trusted_proxies_audit_rows_show_the_connection_address(api_as):
    client = api_as("nat")
    assert client.delete(TOKEN, HTTP_X_FORWARDED_FOR="203.0.113.50").status_code == 204
    assert AuditEvent.objects.get(action="api_token.revoked").ip_address == "127.0.0.1"
