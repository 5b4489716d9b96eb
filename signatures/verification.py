"""Verification anyone can run: every signature embedded in a PDF, checked with pyHanko against the
organisation's CA (every CA memoflow has ever had, so that old memos verify) and the CRLs it issued, without
the network.

Pure: `verify_pdf` reads bytes and a `Trust` (roots and CRLs) and returns a `VerificationReport`; it writes
nothing and knows no memo. Which memo a verified PDF is about is read from its signed content (the embedded
``memo.json``: `DocumentIdentity`) and resolved by a hook that the workflow registers
(`signatures.verify_hooks`).

Conventions that the signing code follows, and this module reads:

- A signature's **capacity line** (ตำแหน่ง / รักษาราชการแทน ...), when the signer signs in a capacity, is the
  signature dictionary's ``/Reason``.
- The signer's **name** is the certificate's CN (the Thai full name), the **position** its ``title``
  attribute (the position held when the certificate was issued).
"""

import io
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from core.errors import ValidationFailed

log = logging.getLogger(__name__)

#: What may change after a signature without making the document invalid: nothing, validation data and
#: document timestamps (PAdES LTA), and filling in the reserved signature fields (the next signatures).
ALLOWED_AFTER = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)

COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous_block",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
MODIFICATIONS = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "lta_updates",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}

PROBLEM_MESSAGES: dict[str, Promise] = {
    "not_signed": _("The file carries no electronic signature."),
    "digest_mismatch": _("The document was changed after this signature: its content no longer matches it."),
    "bad_signature": _("The signature itself is damaged or was not made with the certificate it names."),
    "untrusted": _("The signer's certificate was not issued by this organisation's certification authority."),
    "revoked": _("The signer's certificate has been revoked."),
    "modified_after_signing": _(
        "The document was changed after the signatures in a way signing does not allow."
    ),
    "signature_removed": _("A signature that an earlier version of this file carried has been removed."),
    "unsupported_file": _("This file is not a PDF that can be checked."),
    "signed_after_closing": _(
        "A signature was added after the document was closed (its archive timestamp or the organisation's seal)."
    ),
}

#: The field of the organisation's seal that closes an archive without a TSA (signatures.pdf_signing.SEAL_FIELD).
SEAL_FIELD_NAME = "organisation-seal"


class UnsupportedFile(ValidationFailed):
    """Not a PDF, a damaged one, or an encrypted one: nothing can be verified."""

    code = "unsupported_file"
    default_message = _("This file is not a PDF that can be checked.")


@dataclass(frozen=True)
class Trust:
    """What a signature must chain to (DER certificates: every CA memoflow has had) and the CRLs they issued."""

    roots: list[bytes]
    crls: list[bytes] = field(default_factory=list)

    def context(self, *, moment: datetime | None = None) -> ValidationContext:
        """Validation now, or at ``moment`` (a proven signing time): the CRLs, issued later, then count for
        that moment (``retroactive_revinfo``), as a revocation entry dated after it says nothing against it."""
        at_moment: dict[str, Any] = {"moment": moment, "retroactive_revinfo": True} if moment else {}
        return ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(der) for der in self.roots],
            crls=list(self.crls),
            allow_fetching=False,  # no network: the CRLs are our own
            revocation_mode="hard-fail",  # a certificate of ours without a usable CRL is not trusted
            **at_moment,
        )

    def revocation(self, cert: asn1_x509.Certificate) -> tuple[datetime, str] | None:
        """When and why (RFC 5280 reason, "unspecified" if none) the certificate was revoked, from our CRLs."""
        for der in self.crls:
            crl = asn1_crl.CertificateList.load(der)
            if crl.issuer != cert.issuer:
                continue
            for entry in crl["tbs_cert_list"]["revoked_certificates"]:
                if entry["user_certificate"].native == cert.serial_number:
                    reason = entry.crl_reason_value
                    return entry[
                        "revocation_date"
                    ].native, reason.native if reason is not None else "unspecified"
        return None


#: Reasons that put a signature in doubt whenever it was made: the key may have been used by someone else
#: before the revocation was dated (RFC 5280 5.3.1). Any other revocation (superseded after a password reset,
#: cessation of operation, affiliation changed) ends the key's use from its date on; what it signed before,
#: with a timestamp to prove when, stays valid for the time it was made (issue 10).
COMPROMISE_REASONS: frozenset[str] = frozenset({"key_compromise", "ca_compromise", "aa_compromise"})


@dataclass(frozen=True)
class Problem:
    code: str
    signature: int | None = None  # 1-based, in the order of the file; None: the whole file

    @property
    def message(self) -> Promise:
        return PROBLEM_MESSAGES[self.code]


@dataclass(frozen=True)
class SignatureReport:
    """One embedded signature (or document timestamp), in the order it was added to the file."""

    index: int
    kind: str  # "signature" | "document_timestamp"
    field_name: str
    signer: str  # the certificate's CN: the Thai full name (or the TSA's name)
    position: str  # the certificate's title attribute
    organisation: str
    capacity: str  # the signature's /Reason
    signed_at: datetime | None  # the time the signer's software wrote (not proven)
    timestamp: datetime | None  # a timestamp authority's time (proven), if any
    timestamp_trusted: bool | None
    intact: bool  # the digest matches: the bytes it covers are unchanged
    valid: bool  # the cryptographic signature checks with the certificate
    trusted: bool  # the certificate chains to our CA and is not revoked
    revoked: bool
    coverage: str  # entire_file | entire_revision | contiguous_block | unclear
    modifications: str  # what changed after it: none | lta_updates | form_filling | annotations | other
    docmdp_ok: bool | None
    certifies: int | None  # a certification signature's DocMDP permission level (1, 2 or 3)
    certificate_serial: str
    readable: bool = True  # False: the signature could not be parsed or checked at all

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.revoked


@dataclass(frozen=True)
class DocumentIdentity:
    """Which memo revision the signed content says it is (from the ``memo.json`` the first intact signature
    covers). Read from signed bytes only: a later, unsigned update cannot change it."""

    memo_id: str | None
    revision_number: int | None
    revision_sha256: str | None


@dataclass(frozen=True)
class VerificationReport:
    valid: bool
    signatures: list[SignatureReport]
    problems: list[Problem]
    identity: DocumentIdentity | None
    # Signature fields still empty: a memo in review (its next signatories'), or a step skipped. Valid means the
    # signatures there are sound, not that every field is signed.
    unsigned_fields: list[str] = field(default_factory=list)
    # Closed by an archive timestamp or the organisation's seal: the archived, final document.
    closed: bool = False


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    if isinstance(value, list):  # a repeated attribute
        return str(value[-1]) if value else ""
    return str(value or "")


def _text(sig_object: Any, key: str) -> str:
    value = sig_object.get(key)
    return str(value) if value is not None else ""


def _reader(content: bytes) -> PdfFileReader:
    if not content.lstrip()[:5].startswith(b"%PDF-"):
        raise UnsupportedFile()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        if reader.encrypted:
            raise UnsupportedFile()
        reader.root  # noqa: B018 - parse the catalogue now, so a damaged file fails here
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise UnsupportedFile() from error
    return reader


def _signature_report(
    index: int, embedded: EmbeddedPdfSignature, context: ValidationContext, trust: Trust
) -> SignatureReport:
    status = validate_pdf_signature(embedded, context, ts_validation_context=context)
    cert = status.signing_cert
    ts = status.timestamp_validity
    if status.revoked and ts is not None and ts.trusted and ts.intact:
        revoked = trust.revocation(cert)
        if revoked is not None and revoked[1] not in COMPROMISE_REASONS and ts.timestamp < revoked[0]:
            # Signed (a trusted timestamp proves when) before the key was retired: valid at that time.
            status = validate_pdf_signature(
                embedded, trust.context(moment=ts.timestamp), ts_validation_context=context
            )
    docmdp = embedded.docmdp_level
    return SignatureReport(
        index=index,
        kind="signature",
        field_name=embedded.field_name,
        signer=_name_part(cert, "common_name"),
        position=_name_part(cert, "title"),
        organisation=_name_part(cert, "organization_name"),
        capacity=_text(embedded.sig_object, "/Reason"),
        signed_at=status.signer_reported_dt,
        timestamp=ts.timestamp if ts is not None else None,
        timestamp_trusted=ts.trusted if ts is not None else None,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        coverage=COVERAGE.get(status.coverage, "unclear") if status.coverage else "unclear",
        modifications=MODIFICATIONS[status.modification_level or ModificationLevel.OTHER],
        docmdp_ok=status.docmdp_ok,
        certifies=int(docmdp.value) if docmdp is not None else None,
        certificate_serial=f"{cert.serial_number:x}",
    )


def _timestamp_report(
    index: int, embedded: EmbeddedPdfSignature, context: ValidationContext
) -> SignatureReport:
    status = validate_pdf_timestamp(embedded, validation_context=context)
    cert = status.signing_cert
    return SignatureReport(
        index=index,
        kind="document_timestamp",
        field_name=embedded.field_name,
        signer=_name_part(cert, "common_name"),
        position="",
        organisation=_name_part(cert, "organization_name"),
        capacity="",
        signed_at=None,
        timestamp=status.timestamp,
        timestamp_trusted=status.trusted,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        coverage=COVERAGE.get(status.coverage, "unclear") if status.coverage else "unclear",
        modifications=MODIFICATIONS[status.modification_level or ModificationLevel.OTHER],
        docmdp_ok=status.docmdp_ok,
        certifies=None,
        certificate_serial=f"{cert.serial_number:x}",
    )


def _collect(reader: PdfFileReader) -> list[tuple[str, EmbeddedPdfSignature | None]]:
    """Every filled signature field in signing order (by where its signed bytes end), each with pyHanko's
    EmbeddedPdfSignature, or None when its signature cannot even be parsed (pyHanko's own collection would
    fail on the whole file, or skip a signature of an unknown kind in silence)."""
    found: list[tuple[int, str, EmbeddedPdfSignature | None]] = []
    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise UnsupportedFile() from error
    for name, sig_obj, sig_field in fields:
        try:
            byte_range = [int(n) for n in sig_obj.get_object()["/ByteRange"]]
            end = byte_range[2] + byte_range[3]
        except (PdfError, ValueError, KeyError, TypeError, IndexError):
            end = -1
        try:
            subfilter = str(sig_obj.get_object().get("/SubFilter", ""))
            if subfilter not in {f.value for f in SigSeedSubFilter}:
                raise ValueError(f"unknown signature kind {subfilter}")
            embedded: EmbeddedPdfSignature | None = EmbeddedPdfSignature(reader, sig_field, name)
        except (SignatureValidationError, PdfError, NotImplementedError, ValueError, KeyError, TypeError):
            log.info("signature field %s could not be read", name, exc_info=True)
            embedded = None
        found.append((end, str(name), embedded))
    found.sort(key=lambda item: item[0])
    return [(name, embedded) for _, name, embedded in found]


def _unreadable_report(index: int, field_name: str) -> SignatureReport:
    return SignatureReport(
        index=index,
        kind="signature",
        field_name=field_name,
        signer="",
        position="",
        organisation="",
        capacity="",
        signed_at=None,
        timestamp=None,
        timestamp_trusted=None,
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        coverage="unclear",
        modifications="other",
        docmdp_ok=None,
        certifies=None,
        certificate_serial="",
        readable=False,
    )


def _problems(reports: list[SignatureReport]) -> list[Problem]:
    if not reports:
        return [Problem("not_signed")]
    problems: list[Problem] = []
    for report in reports:
        if not report.readable:
            problems.append(Problem("bad_signature", report.index))
        elif not report.intact:
            problems.append(Problem("digest_mismatch", report.index))
        elif not report.valid:
            problems.append(Problem("bad_signature", report.index))
        if report.revoked:
            problems.append(Problem("revoked", report.index))
        elif not report.trusted and report.intact and report.valid:
            problems.append(Problem("untrusted", report.index))
    # Later signatures and validation data may follow a signature; nothing else may (a changed page, an
    # annotation, a removed field), and after the last one only validation data (an LTA update).
    changed = [
        r.index
        for r in reports
        if r.modifications not in {MODIFICATIONS[level] for level in ALLOWED_AFTER} or r.docmdp_ok is False
    ]
    last = reports[-1]
    if last.coverage != "entire_file" and last.modifications not in ("none", "lta_updates"):
        changed.append(last.index)
    if changed:
        problems.append(Problem("modified_after_signing", min(changed)))
    # An archive is closed by its archive timestamp or the seal: a signature after that (in a field a skipped
    # step left empty, which DocMDP would still let anyone fill) is no part of the memo's route.
    closed = next(
        (r.index for r in reports if r.kind == "document_timestamp" or r.field_name == SEAL_FIELD_NAME), None
    )
    later = [r.index for r in reports if closed is not None and r.index > closed and r.kind == "signature"]
    if later:
        problems.append(Problem("signed_after_closing", min(later)))
    return problems


def _signed_fields(root: Any) -> int:
    """How many signature fields of the revision whose catalogue is ``root`` carry a signature."""
    try:
        pending = list(root["/AcroForm"]["/Fields"])
    except (KeyError, TypeError):
        return 0
    count = 0
    while pending:
        node = pending.pop().get_object()
        if "/Kids" in node:
            pending.extend(node["/Kids"])
        value = node.get("/V")
        if value is not None and "/ByteRange" in value.get_object():
            count += 1
    return count


def _most_signatures_before(reader: PdfFileReader) -> int:
    """The most signatures any earlier revision of the file carried (one stripped later shows here)."""
    most = 0
    for revision in range(reader.xrefs.total_revisions - 1):
        try:
            most = max(most, _signed_fields(reader.get_historical_root(revision)))
        except (PdfError, KeyError, TypeError, ValueError, AttributeError):
            continue
    return most


def _identity(content: bytes, embedded: EmbeddedPdfSignature) -> DocumentIdentity | None:
    """memo.json as embedded in the revision the signature covers (the bytes up to its byte range's end)."""
    start, length = embedded.byte_range[2], embedded.byte_range[3]
    try:
        signed = PdfFileReader(io.BytesIO(content[: start + length]), strict=False)
        names = signed.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if str(names[i]) == "memo.json":
                spec = names[i + 1].get_object()
                data = json.loads(spec["/EF"]["/F"].get_object().data)
                break
        else:
            return None
    except (PdfError, KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("memoflow.archive/"):
        return None
    revision: dict[str, Any] = data["revision"] if isinstance(data.get("revision"), dict) else {}
    memo: dict[str, Any] = data["memo"] if isinstance(data.get("memo"), dict) else {}
    number = revision.get("number")
    sha = revision.get("sha256")
    memo_id = memo.get("id")
    return DocumentIdentity(
        memo_id=str(memo_id) if memo_id else None,
        revision_number=number if isinstance(number, int) else None,
        revision_sha256=str(sha) if sha else None,
    )


def verify_pdf(content: bytes, *, trust: Trust | None = None) -> VerificationReport:
    """Every signature of the PDF, in order, and whether the document as a whole is valid: at least one
    signature, every one intact, trusted and not revoked, and nothing after them but further signatures and
    validation data. ``trust`` defaults to the organisation's (every CA memoflow has had, and their CRLs).
    Raises UnsupportedFile for what is not a readable PDF."""
    if trust is None:
        from signatures.selectors import verification_trust

        trust = verification_trust()
    reader = _reader(content)
    context = trust.context()
    collected = _collect(reader)
    reports: list[SignatureReport] = []
    for index, (name, embedded) in enumerate(collected, start=1):
        try:
            if embedded is None:
                reports.append(_unreadable_report(index, name))
            elif embedded.sig_object_type == "/DocTimeStamp":
                reports.append(_timestamp_report(index, embedded, context))
            else:
                reports.append(_signature_report(index, embedded, context, trust))
        except (SignatureValidationError, PdfError, NotImplementedError, ValueError, KeyError, TypeError):
            # A signature that cannot be checked (an algorithm nobody supports, a damaged certificate): it
            # proves nothing, and the rest of the file is still reported.
            log.info("signature %s could not be checked", index, exc_info=True)
            reports.append(_unreadable_report(index, name))
    problems = _problems(reports)
    if _most_signatures_before(reader) > len(reports):
        problems.append(Problem("signature_removed"))
    first_intact = next((e for (_, e), r in zip(collected, reports, strict=True) if r.intact and e), None)
    identity = _identity(content, first_intact) if first_intact is not None else None
    try:
        empty = [str(name) for name, _value, _ref in enumerate_sig_fields(reader, filled_status=False)]
    except (PdfError, ValueError, KeyError, TypeError):
        empty = []
    closed = any(r.kind == "document_timestamp" or r.field_name == SEAL_FIELD_NAME for r in reports)
    return VerificationReport(
        valid=not problems,
        signatures=reports,
        problems=problems,
        identity=identity,
        unsigned_fields=empty,
        closed=closed,
    )
