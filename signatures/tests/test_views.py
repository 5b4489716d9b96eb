"""The profile page's signature image: draw it (a canvas's PNG data URL) or upload it, see it, remove it; refusals
are shown on the page in the signer's words."""

import base64
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from signatures.models import SignatureImage
from signatures.selectors import signature_image_in_force
from signatures.tests.builders import drawn_png, photo_jpeg, transparent_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "demo_org")]


@pytest.fixture
def login(person):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(person(username))
        return client

    return make


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def shown_image(html: str) -> Image.Image:
    found = re.search(r'<img class="signature-current" src="data:image/png;base64,([^"]+)"', html)
    assert found, "no signature image on the profile page"
    assert 'data-testid="current-signature-image"' in html
    return Image.open(io.BytesIO(base64.b64decode(found.group(1))))


def test_the_profile_offers_a_pad_and_an_upload_and_says_there_is_no_image(login):
    html = login("nat").get(reverse("profile")).content.decode()
    assert 'data-testid="no-signature-image"' in html
    assert "data-pad-canvas" in html
    assert 'name="file"' in html
    assert 'accept="image/png,image/jpeg"' in html
    assert '<label for="signature-file">' in html
    assert "signatures/signature-pad.js" in html


def test_a_drawing_saved_on_the_profile_becomes_the_signature_shown_there(login, person):
    client = login("nat")
    response = client.post(
        reverse("signature-image"), {"action": "draw", "drawn": data_url(transparent_png())}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    image = signature_image_in_force(person=person("nat"))
    assert image is not None
    shown = shown_image(client.get(reverse("profile")).content.decode())
    assert shown.mode == "RGBA"
    assert shown.getchannel("A").getpixel((0, 0)) == 0  # transparent around the ink
    assert shown.size == (image.width, image.height)


def test_an_uploaded_photo_is_cleaned_and_can_be_removed(login, person):
    client = login("nat")
    upload = SimpleUploadedFile("signature.jpg", photo_jpeg(), content_type="image/jpeg")
    client.post(reverse("signature-image"), {"action": "upload", "file": upload})
    image = signature_image_in_force(person=person("nat"))
    assert image is not None
    assert image.width <= 600
    assert image.height <= 200
    html = client.post(reverse("signature-image"), {"action": "withdraw"}, follow=True).content.decode()
    assert 'data-testid="no-signature-image"' in html
    assert signature_image_in_force(person=person("nat")) is None


def test_a_refused_upload_is_explained_on_the_profile(login, person):
    client = login("nat")
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("signature.png", b"%PDF-1.7 not an image", content_type="image/png")
    html = client.post(
        reverse("signature-image"),
        {"action": "upload", "file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "A signature must be a PNG or JPEG image." in html
    assert not SignatureImage.objects.exists()


def test_a_drawing_that_is_not_a_png_data_url_is_refused(login):
    client = login("nat")
    for drawn in ["data:image/svg+xml;base64,PHN2Zz4=", "data:image/png;base64,@@@", "x" * 100]:
        client.post(reverse("signature-image"), {"action": "draw", "drawn": drawn})
    assert not SignatureImage.objects.exists()


def test_a_drawing_larger_than_the_upload_limit_is_refused(login, settings):
    settings.MEMOFLOW_SIGNATURE_IMAGE_MAX_UPLOAD_BYTES = 1000
    client = login("nat")
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("signature-image"), {"action": "draw", "drawn": data_url(drawn_png())}, follow=True
    )
    assert "The image is too large" in response.content.decode()
    assert not SignatureImage.objects.exists()


def test_the_form_needs_a_signed_in_person_and_a_post(login):
    response = Client().post(reverse("signature-image"), {"action": "withdraw"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert login("nat").get(reverse("signature-image")).status_code == 405
    assert not SignatureImage.objects.exists()
