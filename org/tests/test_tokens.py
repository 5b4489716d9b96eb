"""API tokens: listed on the profile page and revocable there, DELETE revokes the current one, every token
refused after a password change (profile, administrator's reset, any other way), after expiry, and for a
disabled account."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from org.authentication import hash_token
from org.demo import DEMO_PASSWORD
from org.models import ApiToken, Person

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
NEW_PASSWORD = "Kh0n-Kaen-2569!"


def issue(username: str, password: str = DEMO_PASSWORD) -> str:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = with_token(key).get("/api/v1/me/").status_code
    assert status in (200, 401), status
    return status == 200


def test_delete_revokes_the_token_of_the_request_only(demo_org, person):
    first, second = issue("nat"), issue("nat")
    response = with_token(first).delete(TOKEN)
    assert response.status_code == 204
    assert not works(first)
    assert works(second)
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == person("nat")


def test_delete_needs_a_token(demo_org, person):
    assert APIClient().delete(TOKEN).status_code == 401
    client = APIClient()
    client.force_login(person("nat"))  # a browser session is not a token
    assert client.delete(TOKEN).status_code == 401
    assert with_token("not-a-token").delete(TOKEN).status_code == 401


def change_password_on_the_profile(username: str) -> Client:
    client = Client()
    client.force_login(Person.objects.get(username=username))
    response = client.post(
        reverse("profile"),
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "เปลี่ยนรหัสผ่านแล้ว" in response.content.decode()
    return client


def test_old_tokens_are_refused_after_a_password_change_on_the_profile(demo_org, person):
    old, other_persons = issue("nat"), issue("rujapa")
    client = change_password_on_the_profile("nat")
    assert not works(old)
    assert works(other_persons)
    assert not ApiToken.objects.filter(person=person("nat")).exists()  # revoked, not just unusable
    assert client.get(reverse("profile")).status_code == 200  # this browser stays signed in
    event = AuditEvent.objects.get(action="person.password_changed")
    assert event.data == {"by_self": True, "api_tokens_revoked": 1}
    assert works(issue("nat", NEW_PASSWORD))


def test_old_tokens_are_refused_after_an_administrators_reset(demo_org, person):
    old = issue("nat")
    admin = Client()
    admin.force_login(person("admin"))
    nat = person("nat")
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[nat.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert person("nat").check_password(NEW_PASSWORD)
    assert not works(old)
    assert not ApiToken.objects.filter(person=nat).exists()
    event = AuditEvent.objects.get(action="person.password_changed")
    assert (event.actor, event.data) == (person("admin"), {"by_self": False, "api_tokens_revoked": 1})
    assert event.ip_address == "127.0.0.1"


def test_administrator_turning_password_sign_in_off_revokes_the_tokens(demo_org, person):
    old = issue("nat")
    admin = Client()
    admin.force_login(person("admin"))
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[person("nat").pk]),
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302
    assert not person("nat").has_usable_password()
    assert not works(old)
    assert not ApiToken.objects.filter(person=person("nat")).exists()


def test_old_tokens_are_refused_after_a_password_set_any_other_way(demo_org, person):
    """`manage.py changepassword`, a shell: the token remembers the password it was issued under."""
    old = issue("nat")
    nat = person("nat")
    nat.set_password(NEW_PASSWORD)
    nat.save(update_fields=["password"])
    assert not works(old)


def test_expired_token_is_refused(demo_org):
    key = issue("nat")
    assert works(key)
    ApiToken.objects.filter(key_hash=hash_token(key)).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not works(key)


def test_token_of_a_disabled_account_is_refused(demo_org, person):
    key = issue("nat")
    nat = person("nat")
    nat.is_active = False
    nat.save(update_fields=["is_active"])
    response = with_token(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"] or "ระงับ" in response.json()["detail"]


def test_profile_lists_tokens_without_their_secret_and_revokes_one(demo_org, person):
    first, second = issue("nat"), issue("nat")
    issue("rujapa")
    works(first)
    client = Client()
    client.force_login(person("nat"))
    html = client.get(reverse("profile")).content.decode()
    assert html.count('data-testid="api-token"') == 2  # nat's two, not rujapa's
    for key in (first, second):
        assert key not in html
        assert hash_token(key) not in html
    assert "หมดอายุ" in html
    assert "ใช้ล่าสุด" in html

    token = ApiToken.objects.get(key_hash=hash_token(first))
    response = client.post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    html = response.content.decode()
    assert "ยกเลิกโทเค็น API แล้ว" in html
    assert html.count('data-testid="api-token"') == 1
    assert not works(first)
    assert works(second)


def test_nobody_revokes_someone_elses_token(demo_org, person):
    key = issue("rujapa")
    token = ApiToken.objects.get(key_hash=hash_token(key))
    client = Client()
    client.force_login(person("nat"))
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert works(key)


def test_profile_says_when_there_is_no_token(demo_org, person):
    client = Client()
    client.force_login(person("nat"))
    assert 'data-testid="no-api-tokens"' in client.get(reverse("profile")).content.decode()


def test_last_used_is_recorded_at_most_once_a_minute(demo_org):
    key = issue("nat")
    token = ApiToken.objects.get(key_hash=hash_token(key))
    long_ago = timezone.now() - timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert works(key)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > long_ago


def test_openapi_documents_getting_and_revoking_a_token(demo_org, person):
    client = APIClient()
    client.force_login(person("admin"))
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    operations = paths[TOKEN]
    assert set(operations["post"]["responses"]) >= {"200", "400", "429"}
    assert set(operations["delete"]["responses"]) >= {"204", "401"}
    assert "security" not in operations["post"]  # no credentials needed to ask for a token
    assert operations["delete"]["security"] == [{"tokenAuth": []}]
