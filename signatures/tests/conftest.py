"""The organisation's CA and seal, made by the real services on the demo organisation."""

from collections.abc import Callable

import pytest

from org.models import Organisation, Person
from signatures import services
from signatures.models import CertificateAuthority, SigningKey


@pytest.fixture
def ca(demo_org: Organisation) -> CertificateAuthority:
    return services.ca_create(organisation=demo_org)


@pytest.fixture
def seal(ca: CertificateAuthority) -> SigningKey:
    return services.seal_key_create()


@pytest.fixture
def tsa_key(ca: CertificateAuthority) -> SigningKey:
    """The key of the organisation's timestamp authority (/pki/tsa, MEMOFLOW_TSA_URL=local)."""
    return services.tsa_key_create()


@pytest.fixture
def signer_person(ca: CertificateAuthority, person: Callable[[str], Person]) -> Person:
    """nat (ปลัด), with the demo password, no key yet."""
    return person("nat")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """cryptography warns each time it parses a Thai CN of more than 64 bytes (signatures.pki.common_name)."""
    for item in items:
        item.add_marker(pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"))
