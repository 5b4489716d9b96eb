"""What a person sees when something goes wrong (400, 403, 404, 500, a refused form) and who may frame the
memo's PDF, under DEBUG=False (the test settings), through Django's test client. The same pages through the
production settings and gunicorn: tests/test_production_stack.py."""

import uuid
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path, reverse
from PIL import Image

from config.urls import urlpatterns as project_urlpatterns
from org.demo import DEMO_PASSWORD
from org.models import Person
from workflow import demo


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("odd request")


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


# The project's URLs plus three views that fail on purpose (used with @pytest.mark.urls(__name__)).
urlpatterns = [
    *project_urlpatterns,
    path("test-forbidden/", _forbidden),
    path("test-bad/", _bad),
    path("test-broken/", _broken),
]


@pytest.fixture
def seed(demo_org):
    demo.load_route_template(demo_org)
    return demo.load_seed_memo(demo_org)


@pytest.fixture
def rujapa(demo_org) -> Client:
    client = Client()
    client.force_login(
        Person.objects.get(username="rujapa")
    )  # the sign-in form itself: tests/test_lockout.py
    return client


def _in_app_look(html: str) -> None:
    assert '<html lang="th">' in html
    assert "/static/css/app.css" in html
    assert "viewflow" not in html  # not viewflow's English error page


def test_a_missing_memo_is_a_thai_404_page_in_the_apps_look(rujapa):
    response = rujapa.get(reverse("memo-page", args=[uuid.uuid4()]))
    html = response.content.decode()
    assert response.status_code == 404
    _in_app_look(html)
    assert "ไม่พบหน้าที่ต้องการ" in html
    # Thai first, English below.
    assert html.index('<h1 lang="th">ไม่พบหน้าที่ต้องการ') < html.index('<h2 lang="en">Page not found')
    assert "ชื่อผู้ใช้" not in html
    assert 'data-testid="task-count"' in html  # signed in: the header shows the menu


def test_an_unknown_address_is_the_thai_404_page_before_sign_in(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_forbidden_page_is_a_thai_403_page(rujapa):
    response = rujapa.get("/test-forbidden/")
    html = response.content.decode()
    assert response.status_code == 403
    _in_app_look(html)
    assert "ท่านไม่มีสิทธิ์เข้าถึงหน้านี้" in html
    assert "Access denied" in html
    assert "not for you" not in html  # the exception's text is not shown


@pytest.mark.urls(__name__)
def test_a_bad_request_is_a_thai_400_page(db):
    response = Client().get("/test-bad/")
    assert response.status_code == 400
    assert "คำขอไม่ถูกต้อง" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_thai_500_page(db):
    response = Client(raise_request_exception=False).get("/test-broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "ระบบขัดข้องชั่วคราว" in html
    assert html.index('<h1 lang="th">ระบบขัดข้องชั่วคราว') < html.index('<h2 lang="en">Server error')
    assert "boom" not in html


def test_the_500_page_needs_no_context_database_or_static_files():
    # django.views.defaults.server_error renders it with no context at all; no database access is allowed here.
    html = loader.get_template("500.html").render()
    assert "ระบบขัดข้องชั่วคราว" in html
    assert "/static/" not in html


def test_a_form_post_without_a_valid_csrf_token_is_a_thai_page_with_the_header(demo_org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        Person.objects.get(username="rujapa")
    )  # the sign-in form itself: tests/test_lockout.py
    response = client.post(reverse("profile"), {"old_password": DEMO_PASSWORD})
    html = response.content.decode()
    assert response.status_code == 403
    _in_app_look(html)
    assert "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง" in html
    assert "The form has expired" in html
    # Django's csrf_failure renders templates/403_csrf.html with the request: the signed-in header, a fresh token.
    assert 'data-testid="task-count"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_login_form_without_its_csrf_cookie_is_refused_with_the_thai_page(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง" in response.content.decode()


# Framing ------------------------------------------------------------------------------------------------------


def test_the_memo_pdf_may_be_framed_by_the_apps_own_pages_only(rujapa, seed, render_pdfs):
    render_pdfs()  # as the render worker would have done by now
    response = rujapa.get(reverse("api-memo-pdf", args=[seed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_an_enclosure_file_may_be_framed_by_the_apps_own_pages_only(rujapa, seed):
    buffer = BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    added = rujapa.post(
        reverse("api-memo-attach", args=[seed.pk]), {"title": "ภาพ", "file": upload}, format="multipart"
    )
    assert added.status_code == 201, added.content
    enclosure_id = added.json()["id"]
    response = rujapa.get(reverse("api-memo-attachment", args=[seed.pk, enclosure_id]))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # The original as uploaded is also sandboxed (no scripts, whatever it carries); framing by our pages only.
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'self'" in directives


@pytest.mark.parametrize("name", ["home", "memo-list-mine", "profile", "memo-page", "api-memo"])
def test_every_other_page_may_not_be_framed(rujapa, seed, name):
    url = reverse(name, args=[seed.pk]) if name in ("memo-page", "api-memo") else reverse(name)
    response = rujapa.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors" not in response.get("Content-Security-Policy", "")


def test_the_login_page_may_not_be_framed(db):
    assert Client().get(reverse("login"))["X-Frame-Options"] == "DENY"


# Static files -----------------------------------------------------------------------------------------------


def test_viewflows_front_end_is_not_collected():
    """Its bundled roboto-fontface CSS names font files the package lacks, which stopped `collectstatic`."""
    assert (
        finders.find("viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css")
        is None
    )
    assert finders.find("css/app.css") is not None
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js") is not None
