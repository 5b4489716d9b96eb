"""verify_pdf: a memo signed in order by two people validates against the organisation's CA; each kind of
tampering makes it invalid and says why."""

import time
from collections.abc import Callable

import pytest

from org.models import Person
from signatures import selectors, services
from signatures.keystore import seal_signer
from signatures.models import CertificateAuthority, RevocationReason, SigningKey
from signatures.tests import signed_pdfs
from signatures.verification import UnsupportedFile, verify_pdf

pytestmark = pytest.mark.django_db


def _codes(report: object) -> list[str]:
    return [p.code for p in report.problems]


@pytest.fixture
def signed(ca: CertificateAuthority, person: Callable[[str], Person]) -> bytes:
    return signed_pdfs.two_signatures(person)


def test_two_signatures_in_order_validate(signed: bytes) -> None:
    report = verify_pdf(signed)
    assert report.valid, report.problems
    assert report.problems == []
    first, second = report.signatures
    assert [first.field_name, second.field_name] == ["Step1", "Step2"]
    assert first.signer == "นางราชวรี อนุกุล"  # the certificate's CN: the Thai full name
    assert second.signer == "นายนาฏ วงศ์ทองดี"
    assert second.position == "ปลัดองค์การบริหารส่วนตำบลหนองโสน"  # the certificate's title attribute
    assert second.capacity == "รักษาราชการแทน ผู้อำนวยการ"
    assert first.capacity == ""
    assert first.certifies == 2  # DocMDP: form filling and signing allowed
    for sig in report.signatures:
        assert sig.intact
        assert sig.valid
        assert sig.trusted
        assert not sig.revoked
        assert sig.signed_at is not None
    assert first.coverage == "entire_revision"
    assert first.modifications == "form_filling"
    assert second.coverage == "entire_file"
    assert second.modifications == "none"


def test_the_memo_is_read_from_the_signed_content(signed: bytes) -> None:
    identity = verify_pdf(signed).identity
    assert identity is not None
    assert identity.revision_number == 1
    assert identity.revision_sha256 == "ab" * 32


def test_a_flipped_byte_in_the_signed_range_is_a_digest_mismatch(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.flip_byte(signed))
    assert not report.valid
    assert [s.intact for s in report.signatures] == [False, False]
    assert "digest_mismatch" in _codes(report)


def test_a_shadow_update_that_changes_a_page_is_reported(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.shadow_page_update(signed))
    assert not report.valid
    assert all(s.intact and s.trusted for s in report.signatures)  # the signatures themselves are fine
    assert report.signatures[-1].coverage == "entire_revision"
    assert report.signatures[-1].modifications == "other"
    assert _codes(report) == ["modified_after_signing"]


def test_a_swapped_page_is_reported(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.swap_pages(signed))
    assert not report.valid
    assert _codes(report) == ["modified_after_signing"]


def test_an_emptied_signature_field_is_reported(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.strip_last_signature(signed))
    assert not report.valid
    assert [s.field_name for s in report.signatures] == ["Step1"]
    assert _codes(report) == ["modified_after_signing", "signature_removed"]


def test_removed_signature_fields_are_reported(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.strip_all_signatures(signed))
    assert not report.valid
    assert _codes(report) == ["not_signed", "signature_removed"]


def test_a_revoked_certificate_is_reported_revoked(signed: bytes, person: Callable[[str], Person]) -> None:
    key = selectors.active_key_for(person=person("nat"))
    assert key is not None
    services.signing_key_revoke(key=key, reason=RevocationReason.KEY_COMPROMISE)
    report = verify_pdf(signed)
    assert not report.valid
    assert [s.revoked for s in report.signatures] == [False, True]
    assert ("revoked", 2) in [(p.code, p.signature) for p in report.problems]


def test_the_crl_is_what_reports_the_revocation(signed: bytes, person: Callable[[str], Person]) -> None:
    """Without the CRL we issued, pyHanko cannot know of the revocation (and hard-fail: not trusted)."""
    key = selectors.active_key_for(person=person("nat"))
    assert key is not None
    services.signing_key_revoke(key=key, reason=RevocationReason.KEY_COMPROMISE)
    trust = selectors.verification_trust()
    report = verify_pdf(signed, trust=type(trust)(roots=trust.roots, crls=[]))
    assert not any(s.revoked for s in report.signatures)
    assert not any(s.trusted for s in report.signatures)


def test_an_unsigned_pdf_is_not_signed(ca: CertificateAuthority) -> None:
    report = verify_pdf(signed_pdfs.memo_pdf())
    assert not report.valid
    assert report.signatures == []
    assert _codes(report) == ["not_signed"]


@pytest.mark.parametrize("content", [b"", b"hello, not a PDF", b"%PDF-1.7\n garbage", b"\x89PNG\r\n\x1a\n"])
def test_what_is_not_a_pdf_is_unsupported(ca: CertificateAuthority, content: bytes) -> None:
    with pytest.raises(UnsupportedFile) as error:
        verify_pdf(content)
    assert error.value.code == "unsupported_file"


def test_a_signature_from_a_stranger_ca_is_untrusted(ca: CertificateAuthority) -> None:
    pdf = signed_pdfs.sign(signed_pdfs.memo_pdf(), signed_pdfs.stranger_signer(), "Step1")
    report = verify_pdf(pdf)
    assert not report.valid
    (sig,) = report.signatures
    assert sig.intact
    assert not sig.trusted
    assert sig.signer == "นายแปลก หน้า"
    assert _codes(report) == ["untrusted"]


def test_a_memo_signed_under_an_earlier_ca_still_verifies(
    signed: bytes, ca: CertificateAuthority, demo_org: object
) -> None:
    ca.is_active = False  # a new CA replaces it (the old one stays: its memos must verify)
    ca.save(update_fields=["is_active"])
    services.ca_create(organisation=demo_org)
    assert verify_pdf(signed).valid


def test_the_seal_verifies(ca: CertificateAuthority, seal: SigningKey) -> None:
    with seal_signer() as unwrapped:
        pdf = signed_pdfs.sign(signed_pdfs.memo_pdf(), unwrapped.signer, "Step1")
    report = verify_pdf(pdf)
    assert report.valid
    assert report.signatures[0].signer.endswith("(ตราประทับ)")


def test_verification_time_of_two_signatures(signed: bytes, record_property: Callable[..., None]) -> None:
    verify_pdf(signed)  # warm up imports
    times = []
    for _ in range(5):
        start = time.perf_counter()
        verify_pdf(signed)
        times.append(time.perf_counter() - start)
    record_property("verify_seconds", sorted(times)[2])
    print(f"verify_pdf, 2 signatures: median {sorted(times)[2]:.3f} s, max {max(times):.3f} s")
    assert sorted(times)[2] < 5


def test_timestamps_and_the_archive_timestamp_keep_the_memo_valid(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    """B-T signatures, then completion's B-LTA: validation data and a document timestamp after the last
    signature are allowed, and listed."""
    tsa = signed_pdfs.local_tsa(ca)
    pdf = signed_pdfs.sign_with_timestamp(signed_pdfs.memo_pdf(), person("ratchawari"), "Step1", tsa)
    pdf = signed_pdfs.sign_with_timestamp(pdf, person("nat"), "Step2", tsa)
    pdf = signed_pdfs.archive_timestamp(pdf, tsa, selectors.verification_trust().context())
    report = verify_pdf(pdf)
    assert report.valid, [(p.code, p.signature) for p in report.problems]
    kinds = [s.kind for s in report.signatures]
    assert kinds == ["signature", "signature", "document_timestamp"]
    assert all(s.timestamp is not None for s in report.signatures)
    assert report.signatures[0].timestamp_trusted
    assert report.signatures[1].modifications in ("form_filling", "lta_updates")
    assert report.signatures[2].trusted


def test_a_page_changed_after_the_archive_timestamp_is_reported(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    tsa = signed_pdfs.local_tsa(ca)
    pdf = signed_pdfs.signed_by(signed_pdfs.memo_pdf(), person("nat"), "Step1")
    pdf = signed_pdfs.archive_timestamp(pdf, tsa, selectors.verification_trust().context())
    report = verify_pdf(signed_pdfs.shadow_page_update(pdf))
    assert _codes(report) == ["modified_after_signing"]


def test_an_unsigned_update_after_the_last_signature_is_reported(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    """Not certified (no DocMDP to refuse it): only the rule about the last signature catches it."""
    pdf = signed_pdfs.signed_by(signed_pdfs.memo_pdf(), person("nat"), "Step1")
    report = verify_pdf(signed_pdfs.unsigned_form_update(pdf))
    assert report.signatures[-1].modifications == "form_filling"  # pyHanko alone would let it pass
    assert report.signatures[-1].coverage == "entire_revision"
    assert _codes(report) == ["modified_after_signing"]


def test_a_damaged_signature_is_reported_and_the_others_still_listed(signed: bytes) -> None:
    report = verify_pdf(signed_pdfs.damage_signature(signed))
    assert not report.valid
    first, second = report.signatures
    assert first.ok
    assert not second.intact
    assert not second.readable
    assert ("bad_signature", 2) in [(p.code, p.signature) for p in report.problems]
