"""The client's address comes from the configured number of trusted proxies, never from a raw X-Forwarded-For."""

import pytest
from django.test import RequestFactory

from core.audit import RequestMeta
from core.net import client_ip

XFF = "198.51.100.1, 203.0.113.9, 192.0.2.44"


def request(xff: str | None = None, remote: str = "10.0.0.5"):
    headers = {"REMOTE_ADDR": remote}
    if xff is not None:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, XFF, "10.0.0.5"),  # no proxy trusted: what the client wrote is ignored
        (0, None, "10.0.0.5"),
        (1, XFF, "192.0.2.44"),  # the address our one proxy saw: right-most entry
        (2, XFF, "203.0.113.9"),
        (3, XFF, "198.51.100.1"),
        (4, XFF, "10.0.0.5"),  # fewer entries than proxies: the connection's address
        (1, None, "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
        (1, "198.51.100.1,  2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_nth_entry_from_the_right(settings, proxies, xff, expected):
    settings.MEMOFLOW_TRUSTED_PROXIES = proxies
    assert client_ip(request(xff)) == expected


def test_audit_metadata_uses_the_same_address(settings):
    settings.MEMOFLOW_TRUSTED_PROXIES = 0
    assert RequestMeta.from_request(request(XFF)).ip_address == "10.0.0.5"
    settings.MEMOFLOW_TRUSTED_PROXIES = 1
    assert RequestMeta.from_request(request(XFF)).ip_address == "192.0.2.44"
