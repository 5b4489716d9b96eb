"""Which memo a verified PDF names (workflow.verification, the hook of signatures.verify_public): details for
people who may see the memo, only "memoflow holds it" for anyone else."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from org import demo as org_demo
from org.models import Organisation, Person
from signatures import services as signature_services
from signatures.tests import signed_pdfs
from signatures.verify_public import verify_upload
from workflow import demo, services

# cryptography warns on the Thai CNs of more than 64 bytes (signatures.pki.common_name explains why).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]


@pytest.fixture
def submitted(demo_org: Organisation):
    signature_services.ca_create(organisation=demo_org)
    demo.load_route_template(demo_org)
    memo = demo.load_seed_memo(demo_org)
    services.memo_submit(memo=memo, actor=memo.writer, password=org_demo.DEMO_PASSWORD)
    memo.refresh_from_db()
    return memo


def _pdf_of(memo, person: Callable[[str], Person]) -> bytes:
    revision = memo.current_revision
    payload = {
        "schema": "memoflow.archive/1",
        "revision": {"number": revision.number, "sha256": revision.sha256},
    }
    return signed_pdfs.signed_by(signed_pdfs.memo_pdf(memo_json=payload), person("nat"), "Step1")


def test_the_writer_sees_the_memo_a_signed_pdf_names(submitted, person) -> None:
    body = verify_upload(_pdf_of(submitted, person), user=submitted.writer)
    assert body["valid"]
    assert body["memo"]["known"] is True
    assert body["memo"]["id"] == str(submitted.pk)
    assert body["memo"]["subject"] == submitted.subject
    assert body["memo"]["current"] is True


def test_anyone_else_learns_only_that_the_revision_exists(submitted, person) -> None:
    body = verify_upload(_pdf_of(submitted, person), user=AnonymousUser())
    assert body["memo"]["known"] is True
    assert body["memo"]["id"] is None
    assert body["memo"]["subject"] is None


def test_the_qr_link_leaks_nothing_to_an_anonymous_visitor(submitted) -> None:
    rev = submitted.current_revision.sha256
    html = Client().get(f"/verify/?memo={submitted.pk}&rev={rev}").content.decode()
    assert 'data-testid="verify-memo-exists"' in html
    assert submitted.subject not in html
    wrong = Client().get(f"/verify/?memo={submitted.pk}&rev={'0' * 64}").content.decode()
    assert 'data-testid="verify-memo-unknown"' in wrong


def test_the_qr_link_shows_the_memo_to_its_writer(submitted) -> None:
    client = Client()
    client.force_login(submitted.writer)
    rev = submitted.current_revision.sha256
    html = client.get(f"/verify/?memo={submitted.pk}&rev={rev}").content.decode()
    assert 'data-testid="verify-memo"' in html
    assert submitted.subject in html
