"""The organisation's seal (ตราประทับอิเล็กทรอนิกส์ของหน่วยงาน) on a PDF that memoflow issues in its own name, such
as the certificate of completion of a memo: an invisible PAdES signature by the seal key
(signatures.keystore.seal_signer), timestamped when MEMOFLOW_TSA_URL is set (B-T, else B-B).

With no TSA, or the organisation's own, the seal's certificates and the CRL are embedded too (B-LT): the file
then validates with nothing but the organisation's CA certificate. An independent TSA's certificate does not
chain to the organisation's CA, and validation data is never fetched, so with one the seal stays B-T.
"""

from pyhanko_certvalidator import ValidationContext

from signatures import pdf_signing, selectors, services, tsa
from signatures.keystore import seal_signer


def seal_configured() -> bool:
    """Whether the organisation has a seal key (`manage.py signing_init`). Its passphrase is only tried when
    sealing: a wrong or missing one raises SigningNotConfigured there, not here."""
    return selectors.active_seal() is not None


def _own_validation_context() -> ValidationContext:
    """The organisation's CA roots and current CRLs, nothing fetched, revocation checked hard."""
    services.crl_current()  # signed again first when it is half-way to its next update
    return selectors.verification_trust().context()


def seal_pdf(pdf: bytes, *, reason: str = "", location: str = "") -> bytes:
    """`pdf` sealed by the organisation (SigningNotConfigured without a seal key or its passphrase)."""
    timestamper = tsa.configured_timestamper()
    own_tsa = timestamper is None or isinstance(timestamper, tsa.OrganisationTimeStamper)
    context = _own_validation_context() if own_tsa else None
    with seal_signer() as unwrapped:
        return pdf_signing.seal(
            pdf,
            unwrapped.signer,
            timestamper=timestamper,
            validation_context=context,
            reason=reason,
            location=location,
        )
