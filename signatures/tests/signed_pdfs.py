"""Signed PDFs for the verification tests, made the way memos are signed: a document with text on its pages,
memo.json embedded and a reserved empty signature field per step; each signer then signs their field as an
incremental update with pyHanko (capacity line in /Reason). And the tampering a verifier must catch."""

import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import pki
from signatures.keystore import unwrap_for_signing

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator import ValidationContext

    from signatures.models import CertificateAuthority

FIELDS = ("Step1", "Step2")


def memo_pdf(*, pages: int = 2, memo_json: dict[str, object] | None = None) -> bytes:
    """A PDF of `pages` A4 pages each saying "Page n" (uncompressed, so a test can find the words), with
    memo.json embedded and the two signature fields reserved."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for n in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 760 Td (Page {n} of the memo) Tj ET".encode())
    payload = memo_json or {"schema": "memoflow.archive/1", "revision": {"number": 1, "sha256": "ab" * 32}}
    pdf.attachments["memo.json"] = pikepdf.AttachedFileSpec(
        pdf, json.dumps(payload).encode(), mime_type="application/json"
    )
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    writer = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()))
    for index, name in enumerate(FIELDS):
        fields.append_signature_field(
            writer, fields.SigFieldSpec(name, on_page=0, box=(72, 100 + index * 120, 272, 200 + index * 120))
        )
    reserved = io.BytesIO()
    writer.write(reserved)
    return reserved.getvalue()


def sign(
    pdf: bytes, signer: signers.Signer, field: str, *, capacity: str = "", certify: bool = False
) -> bytes:
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        reason=capacity or None,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=out)
    return out.getvalue()


def signed_by(pdf: bytes, person: Person, field: str, *, capacity: str = "", certify: bool = False) -> bytes:
    with unwrap_for_signing(person=person, password=DEMO_PASSWORD) as unwrapped:
        return sign(pdf, unwrapped.signer, field, capacity=capacity, certify=certify)


def two_signatures(person: Callable[[str], Person]) -> bytes:
    """The writer certifies (DocMDP: later signatures allowed), then the head of department signs, in
    capacity."""
    pdf = signed_by(memo_pdf(), person("ratchawari"), "Step1", certify=True)
    return signed_by(pdf, person("nat"), "Step2", capacity="รักษาราชการแทน ผู้อำนวยการ")


def stranger_signer() -> signers.SimpleSigner:
    """A signer whose certificate comes from a CA that is not the organisation's."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    ca_key = pki.generate_private_key("ec-p256")
    ca_cert = pki.ca_certificate(key=ca_key, organisation="หน่วยงานอื่น", cn="CA อื่น", days=30)
    key = pki.generate_private_key("ec-p256")
    cert = pki.end_entity_certificate(
        subject=pki.Subject(common_name="นายแปลก หน้า", organisation="หน่วยงานอื่น"),
        public_key_der_bytes=pki.public_key_der(key),
        ca_cert=ca_cert,
        ca_key=ca_key,
        days=30,
        crl_url="http://example.invalid/crl.der",
        ca_url="http://example.invalid/ca.crt",
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(pki.private_key_der(key)),
        cert_registry=None,
    )


# Tampering ---------------------------------------------------------------------------------------------------


def flip_byte(pdf: bytes, needle: bytes = b"Page 1 of") -> bytes:
    """One byte of page 1's text changed in place, inside every signature's byte range."""
    at = pdf.index(needle)
    return pdf[:at] + b"X" + pdf[at + 1 :]


def _incremental(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shadow_page_update(pdf: bytes) -> bytes:
    """An incremental update after the signatures that gives page 1 new content."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 760 Td (Pay 1,000,000 baht) Tj ET")
        page["/Contents"] = writer.add_object(stream)
        writer.update_container(page)

    return _incremental(pdf, change)


def swap_pages(pdf: bytes) -> bytes:
    """An incremental update after the signatures that swaps pages 1 and 2."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        pages = writer.root["/Pages"]
        kids = pages["/Kids"]
        pages["/Kids"] = generic.ArrayObject(
            [kids.raw_get(1), kids.raw_get(0), *[kids.raw_get(i) for i in range(2, len(kids))]]
        )
        writer.update_container(pages)

    return _incremental(pdf, change)


def strip_last_signature(pdf: bytes, field: str = FIELDS[-1]) -> bytes:
    """An incremental update that empties a signature field (by default the last: its /V removed): the file
    looks unsigned there."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            sig_field = ref.get_object()
            if str(sig_field.get("/T")) == field:
                del sig_field["/V"]
                writer.update_container(sig_field)

    return _incremental(pdf, change)


def strip_all_signatures(pdf: bytes) -> bytes:
    """An incremental update that removes every signature field from the form and the page."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        form = writer.root["/AcroForm"]
        form["/Fields"] = generic.ArrayObject()
        writer.update_container(form)
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Annots"] = generic.ArrayObject()
        writer.update_container(page)

    return _incremental(pdf, change)


def local_tsa(ca: "CertificateAuthority") -> "DummyTimeStamper":
    """A timestamp authority in-process (pyHanko's test TSA) with a certificate from the organisation's CA
    (extended key usage timeStamping, critical, as RFC 3161 requires)."""
    from datetime import UTC, datetime, timedelta

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from signatures import selectors, services

    key = pki.generate_private_key("rsa-3072")  # pyHanko's test TSA signs with RSA only
    ca_cert = selectors.ca_certificate(ca)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([pki.common_name("หน่วยประทับเวลา (ทดสอบ)")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(services.ca_private_key(ca), hashes.SHA256())
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.private_key_der(key)),
    )


def archive_timestamp(pdf: bytes, timestamper: "DummyTimeStamper", context: "ValidationContext") -> bytes:
    """What completion does (PAdES B-LTA): the revocation data in a DSS update, then a document timestamp."""
    out = io.BytesIO()
    signers.PdfTimeStamper(timestamper).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256", validation_context=context, output=out
    )
    return out.getvalue()


def sign_with_timestamp(pdf: bytes, person: Person, field: str, timestamper: "DummyTimeStamper") -> bytes:
    """PAdES B-T: the signature carries the timestamp authority's token."""
    with unwrap_for_signing(person=person, password=DEMO_PASSWORD) as unwrapped:
        out = io.BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=field), signer=unwrapped.signer, timestamper=timestamper
        ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
        return out.getvalue()


def unsigned_form_update(pdf: bytes) -> bytes:
    """An unsigned incremental update of the kind signing allows (a new, empty signature field): allowed
    between signatures, but nothing unsigned may follow the last one except validation data."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        fields.append_signature_field(
            writer, fields.SigFieldSpec("Extra", on_page=0, box=(300, 100, 500, 200))
        )

    return _incremental(pdf, change)


def damage_signature(pdf: bytes) -> bytes:
    """The last signature's CMS (its /Contents, outside the signed byte ranges) overwritten with zeros at its
    start: the signature itself is unreadable."""
    at = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    return pdf[:at] + b"0" * 64 + pdf[at + 64 :]


def foreign_tsa() -> tuple["DummyTimeStamper", bytes]:
    """A timestamp authority under a root of its own (an independent TSA), and that root's PEM."""
    import datetime as dt

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    now = dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Independent Root")])
    validity = {
        "not_valid_before": now - dt.timedelta(days=1),
        "not_valid_after": now + dt.timedelta(days=30),
    }
    root = (
        x509.CertificateBuilder(subject_name=root_name, issuer_name=root_name, **validity)
        .public_key(root_key.public_key())
        .serial_number(1)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Independent TSA")])
    tsa_cert = (
        x509.CertificateBuilder(subject_name=tsa_name, issuer_name=root_name, **validity)
        .public_key(tsa_key.public_key())
        .serial_number(2)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )

    def der(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key_info = asn1_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    stamper = DummyTimeStamper(tsa_cert=der(tsa_cert), tsa_key=key_info, certs_to_embed=[der(root)])
    return stamper, root.public_bytes(serialization.Encoding.PEM)
