"""The auditor reads and changes nothing (issue 12, docs/security.md): every URL pattern of the site — the web
pages, the API and the admin, walked from the resolver — answers 403 to POST, PUT, PATCH and DELETE from an
auditor, signed in with a session or (for the API) a token, and nothing in the database changes; the pages and
the API they read still answer 200. The few writes left to them (sign in and out, their own password and tokens,
the language, the public verification page) are listed in core.readonly.ALLOWED_WRITES."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.models import AuditHead
from core.readonly import ALLOWED_WRITES
from org.models import ApiToken
from tests.builders import active_step, in_review_memo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

METHODS = ("post", "put", "patch", "delete")
#: Tables a refused request may still write: the session and django-axes' bookkeeping.
NOT_DATA = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def named_patterns(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, Any]]:
    """(view name, pattern) for every named URL pattern, through every include."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _kwargs(pattern: Any, ids: dict[str, str]) -> dict[str, str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", str(pattern.pattern))
    return {a or b: ids.get(a or b, "1") for a, b in names}


@pytest.fixture
def ids(demo_org, person) -> dict[str, str]:
    memo = in_review_memo(1)
    step = active_step(memo)
    return {
        "memo_id": str(memo.pk),
        "step_id": str(step.pk),
        "enclosure_id": "00000000-0000-0000-0000-000000000001",
        "leave_id": "00000000-0000-0000-0000-000000000002",
        "object_id": str(person("rujapa").pk),
        "app_label": "org",
        "token_id": "1",
        "content_type_id": "1",
    }


def every_url(ids: dict[str, str]) -> list[tuple[str, str]]:
    urls = []
    for name, pattern in named_patterns():
        kwargs = _kwargs(pattern, ids)
        if name.startswith("admin:") and "app_label" not in kwargs and "/" in name:
            continue
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except Exception:
            urls.append((name, ""))
    return urls


def snapshot() -> dict[str, Any]:
    counts = {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in NOT_DATA and m._meta.managed
    }
    head = AuditHead.objects.filter(pk=1).values_list("sequence", flat=True).first()
    return {"counts": counts, "audit_head": head}


def test_every_write_to_every_url_is_refused_for_an_auditor_and_nothing_changes(ids, person, api_as) -> None:
    urls = every_url(ids)
    assert not [name for name, url in urls if not url], "URL patterns the test cannot fill"
    assert len(urls) > 100  # pages, API and every admin model's pages
    assert {name for name, _url in urls} >= ALLOWED_WRITES, "an allowed write names no URL"
    session = Client(HTTP_ACCEPT_LANGUAGE="th")
    session.force_login(person("auditor"))
    token = api_as("auditor")
    before = snapshot()
    allowed = []
    for name, url in urls:
        if name in ALLOWED_WRITES:
            allowed.append(url)
            continue
        clients = [session, token] if url.startswith("/api/") else [session]
        for client in clients:
            for method in METHODS:
                response = getattr(client, method)(url, {})
                assert response.status_code == 403, (method.upper(), url, response.status_code)
                if url.startswith("/api/"):
                    assert response.json()["code"] == "auditor_read_only"
    assert snapshot() == before
    assert allowed  # the exceptions are real URLs


def test_the_page_says_why_in_thai(ids, person) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("auditor"))
    response = client.post(reverse("memo-new"), {"subject": "x"})
    assert response.status_code == 403
    assert "ผู้ตรวจสอบ" in response.content.decode()


def test_reading_still_works_for_an_auditor(ids, person, api_as) -> None:
    client = Client()
    client.force_login(person("auditor"))
    memo_id = ids["memo_id"]
    for url in (
        "/",
        "/memos/",
        "/memos/done/",
        f"/memos/{memo_id}/",
        "/profile/",
        f"/api/v1/memos/{memo_id}/",
    ):
        assert client.get(url).status_code == 200, url
    token = api_as("auditor")
    for url in ("/api/v1/memos/", f"/api/v1/memos/{memo_id}/history/", "/api/v1/me/", "/api/v1/tasks/"):
        assert token.get(url).status_code == 200, url


def test_an_auditor_still_signs_in_and_out_and_changes_their_own_password(ids, person) -> None:
    client = Client()
    assert (
        client.post(reverse("login"), {"username": "auditor", "password": "ignored-wrong"}).status_code == 200
    )
    from org.demo import DEMO_PASSWORD

    assert (
        client.post(reverse("login"), {"username": "auditor", "password": DEMO_PASSWORD}).status_code == 302
    )
    new = "Another-Secret-2569"
    response = client.post(
        reverse("profile"), {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    api = APIClient()
    issued = api.post("/api/v1/auth/token/", {"username": "auditor", "password": new}, format="json")
    assert issued.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert not ApiToken.objects.filter(person=person("auditor")).exists()


def test_an_administrator_who_is_also_an_auditor_is_not_held_read_only(ids, person) -> None:
    from django.contrib.auth.models import Group

    admin = person("admin")
    admin.groups.add(Group.objects.get(name__contains="auditor"))
    client = Client()
    client.force_login(admin)
    response = client.post(f"/api/v1/tasks/{ids['step_id']}/reassign/", {}, content_type="application/json")
    assert response.status_code == 400  # the reassignment's own validation, not the auditor's 403


def test_the_guard_reads_the_auditor_and_administrator_permissions_from_the_person_and_their_groups(
    person,
) -> None:
    """The guard's own one-query permission check gives has_perm's answers: a permission granted directly or
    through a group counts, and administering (memos.manage_memos) lifts the auditor's rule."""
    from django.contrib.auth.models import Group, Permission

    from core import readonly
    from org.authentication import api_token_issue, hash_token
    from org.models import ApiToken, Person

    def fresh(p: Any) -> Any:
        return Person.objects.get(pk=p.pk)  # no permission cache carried over

    key = api_token_issue(person=person("works_staff"))

    def is_read_only_auditor(p: Any) -> bool:
        """Asked both ways, which must agree: the guard's own query, and the answer the API's token lookup reads
        with the person (core.readonly.read_only_auditor_expression)."""
        asked = readonly.is_read_only_auditor(p)
        token = (
            ApiToken.objects.annotate(answer=readonly.read_only_auditor_expression("person_id"))
            .filter(key_hash=hash_token(key))
            .get()
        )
        assert token.answer == asked
        return asked

    auditing = Permission.objects.get(content_type__app_label="org", codename="audit_memos")
    managing = Permission.objects.get(content_type__app_label="memos", codename="manage_memos")
    clerk = person("works_staff")
    assert not is_read_only_auditor(fresh(clerk))
    clerk.user_permissions.add(auditing)  # directly
    assert is_read_only_auditor(fresh(clerk)) == fresh(clerk).has_perm("org.audit_memos") is True
    clerk.user_permissions.add(managing)
    assert not is_read_only_auditor(fresh(clerk))
    clerk.user_permissions.remove(auditing, managing)
    clerk.groups.add(Group.objects.get(name__contains="auditor"))  # through a group
    assert is_read_only_auditor(fresh(clerk))
    group = Group.objects.create(name="administrators of memos")
    group.permissions.add(managing)
    clerk.groups.add(group)
    assert not is_read_only_auditor(fresh(clerk))


def test_an_auditors_token_beside_someone_elses_session_is_still_read_only(ids, person, api_as) -> None:
    """DRF takes the token before the session: with an auditor's token and a colleague's session cookie, the
    view would act as the auditor, so the guard looks the token up too and refuses."""
    client = api_as("auditor")
    client.force_login(person("rujapa"))  # a writer's session on the same request
    before = snapshot()
    response = client.post(f"/api/v1/tasks/{ids['step_id']}/reassign/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "auditor_read_only"
    assert snapshot() == before
