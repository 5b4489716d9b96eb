"""The organisation's own RFC 3161 timestamp authority, and the timestamper that signing uses.

`MEMOFLOW_TSA_URL`: "" — no timestamps (PAdES B-B); "local" — the organisation's TSA in process (no HTTP,
the same key that answers at /pki/tsa); any other value — an RFC 3161 service over HTTP (PAdES B-T).
The local TSA is for the demo and the tests: its clock is the organisation's own, so a timestamp proves no
more than the organisation's say-so about when. Production points MEMOFLOW_TSA_URL at an independent TSA
(docs/signatures.md).
"""

import uuid
from datetime import datetime
from typing import Any

from asn1crypto import cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signatures import pki, selectors, services
from signatures.errors import SigningNotConfigured

# The TSA policy under which tokens are issued (TSTInfo.policy): an OID of our own (2.25 = a UUID, X.667),
# since memoflow has no enterprise number. It says "memoflow's organisation-run TSA, clock = the server's".
POLICY_OID = "2.25." + str(uuid.UUID("6d656d6f-666c-6f77-2d74-73612d763101").int)


class OrganisationTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA with the organisation's TSA key and certificate, our policy OID, and the RSA
    key loaded once (pyHanko's re-loads it for every token: OpenSSL's RSA check, 0.15-0.5 s each)."""

    def __init__(
        self,
        *,
        tsa_cert: asn1_x509.Certificate,
        tsa_key: RSAPrivateKey,
        chain: list[asn1_x509.Certificate],
        fixed_dt: datetime | None = None,
    ) -> None:
        # The PrivateKeyInfo pyHanko keeps is never used (our _sign_tst_info signs with the loaded key).
        super().__init__(
            tsa_cert=tsa_cert,
            tsa_key=keys.PrivateKeyInfo.load(pki.private_key_der(tsa_key)),
            certs_to_embed=chain,  # type: ignore[arg-type]
            fixed_dt=fixed_dt,
        )
        self._key = tsa_key

    def _build_tst_info(
        self, message_imprint: tsp.MessageImprint, dt: datetime, req: tsp.TimeStampReq
    ) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(POLICY_OID)
        return info

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        attribute: Any = simple_cms_attribute  # untyped in pyHanko
        signed_attrs = cms.CMSAttributes(
            [
                attribute("content_type", "tst_info"),
                attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


_opened: dict[str, OrganisationTimeStamper] = {}


def local_timestamper() -> OrganisationTimeStamper:
    """The organisation's TSA, opened with MEMOFLOW_SEAL_KEY_PASSPHRASE (SigningNotConfigured without it or
    without a TSA key: `manage.py signing_init` makes one). Opened once per process and key: a server key
    whose passphrase the process holds anyway, and one Argon2id derivation per token would cost more than the
    signature it stamps."""
    key = selectors.active_tsa_key()
    if key is None:
        raise SigningNotConfigured("the organisation has no timestamp authority key (manage.py signing_init)")
    cached = _opened.get(key.serial)
    if cached is not None:
        return cached
    private = pki.load_private_key(services.seal_private_key_der(key))
    assert isinstance(private, RSAPrivateKey)
    opened = OrganisationTimeStamper(
        tsa_cert=selectors.asn1(selectors.certificate(key)),
        tsa_key=private,
        chain=[selectors.asn1(c) for c in selectors.ca_chain(key.ca)],
    )
    _opened.clear()  # only the active key's
    _opened[key.serial] = opened
    return opened


def configured_timestamper() -> TimeStamper | None:
    """What MEMOFLOW_TSA_URL says: None (B-B), the local TSA in process, or an HTTP TSA."""
    url: str = settings.MEMOFLOW_TSA_URL
    if not url:
        return None
    if url == "local":
        return local_timestamper()
    return HTTPTimeStamper(url, timeout=settings.MEMOFLOW_TSA_TIMEOUT)  # type: ignore[no-untyped-call]


ACCEPTED_HASHES = {"sha256": 32, "sha384": 48, "sha512": 64}


def answer(request_der: bytes, timestamper: DummyTimeStamper) -> bytes:
    """The DER TimeStampResp to a DER TimeStampReq: a token, or status rejection with failInfo badDataFormat
    (unparseable, or a hash of the wrong length) or badAlg (not SHA-2) — RFC 3161 s.2.4.2."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
    except Exception:
        return _rejection("bad_data_format")
    if algorithm not in ACCEPTED_HASHES:
        return _rejection("bad_alg")
    if len(digest) != ACCEPTED_HASHES[algorithm]:
        return _rejection("bad_data_format")
    response: tsp.TimeStampResp = timestamper.request_tsa_response(request)
    return bytes(response.dump())


class TimeStampResponse(core.Sequence):  # type: ignore[misc]
    """RFC 3161's TimeStampResp, whose timeStampToken is OPTIONAL (absent on rejection); asn1crypto's
    tsp.TimeStampResp requires it."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _rejection(fail_info: str) -> bytes:
    status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({fail_info})})
    return bytes(TimeStampResponse({"status": status}).dump())
