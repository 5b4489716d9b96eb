"""GET /healthz: 200 when the database answers, 503 with the reason when it does not."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_health_is_ok_with_the_database_up():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_is_503_with_the_reason_when_the_database_is_down():
    from django.db import connections

    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "Connection refused" in body["database"]
    assert response["Cache-Control"].startswith("max-age=0")
