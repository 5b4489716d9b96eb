"""GET, PUT and DELETE /api/v1/me/signature-image/: the signer's own image, through the same service as the
profile page."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from signatures.selectors import signature_image_in_force
from signatures.tests.builders import photo_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
URL = "/api/v1/me/signature-image/"


def test_put_enrols_get_shows_delete_withdraws(api_as, person):
    client = api_as("nat")
    assert client.get(URL).json() == {"image": None}
    upload = SimpleUploadedFile("ลายมือชื่อ.jpg", photo_jpeg(), content_type="image/jpeg")
    response = client.put(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()["image"]
    image = signature_image_in_force(person=person("nat"))
    assert image is not None
    assert body["sha256"] == image.sha256
    png = Image.open(io.BytesIO(base64.b64decode(body["png"])))
    assert png.mode == "RGBA"
    assert (png.width, png.height) == (body["width"], body["height"])
    assert client.get(URL).json() == response.json()
    assert client.delete(URL).status_code == 204
    assert client.get(URL).json() == {"image": None}


def test_put_refuses_what_is_not_a_signature_image(api_as):
    client = api_as("nat")
    upload = SimpleUploadedFile("x.png", b"GIF89a not a png", content_type="image/png")
    response = client.put(URL, {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert client.put(URL, {}, format="multipart").status_code == 400
    assert client.get(URL).json() == {"image": None}


def test_the_image_is_the_signed_in_persons_own(demo_org):
    assert APIClient().get(URL).status_code == 401
