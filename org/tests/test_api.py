"""API v1 foundation: tokens and /me/."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_for_right_password_authenticates_requests(api_as):
    client = api_as("nat")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["full_name"] == "นายนาฏ วงศ์ทองดี"


@pytest.mark.parametrize(
    ("username", "password"), [("nat", "wrong-password"), ("nobody", "memoflow-demo"), ("nobody", "x")]
)
def test_wrong_username_or_password_gives_the_same_answer(demo_org, username, password):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="th").post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "bad_credentials", "detail": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"}


def test_wrong_password_message_in_english(demo_org):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/", {"username": "nat", "password": "nope"}, format="json"
    )
    assert response.json()["detail"] == "Incorrect username or password."


def test_bad_token_is_refused(demo_org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_no_credentials_is_refused(demo_org):
    assert APIClient().get("/api/v1/me/").status_code in (401, 403)


def test_session_login_also_works(demo_org, person):
    client = APIClient()
    client.force_login(person("rujapa"))
    body = client.get("/api/v1/me/").json()
    assert body["positions"] == [
        {
            "id": body["positions"][0]["id"],
            "title": "ผู้ช่วยนักประชาสัมพันธ์",
            "unit": "งานประชาสัมพันธ์ สำนักปลัด",
        }
    ]
    assert body["acting"] == []


def test_me_shows_ratchawari_acting_as_head_of_the_office(api_as, position):
    body = api_as("ratchawari").get("/api/v1/me/").json()
    head = position("หัวหน้าสำนักปลัด")
    assert body["username"] == "ratchawari"
    assert body["full_name"] == "นางราชวรี อนุกุล"
    assert [p["title"] for p in body["positions"]] == ["นักทรัพยากรบุคคล"]
    assert body["acting"] == [
        {
            "position": {"id": str(head.pk), "title": "หัวหน้าสำนักปลัด"},
            "capacity": "รักษาการแทน",
            "valid_from": "2023-10-01",
            "valid_to": None,
            "order_reference": "คำสั่ง ๒๑๐/๒๕๖๖ (ตัวอย่าง)",
        }
    ]


def test_openapi_schema_documents_the_endpoints(demo_org, person):
    client = APIClient()
    client.force_login(person("admin"))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me/" in paths
    assert "/api/v1/auth/token/" in paths
