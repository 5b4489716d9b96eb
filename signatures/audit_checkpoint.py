"""Signed checkpoints of the audit chain (issue 12): the chain's head (sequence, hash) and the time, signed with
the organisation's seal as a detached CMS signature, stored in the database (core.AuditCheckpoint) and written
as one JSON file per checkpoint to MEMOFLOW_AUDIT_CHECKPOINT_DIR, to be copied off the server. A copy kept
elsewhere catches what the chain alone cannot: the tail of the log deleted and re-appended with valid hashes.

The file: {"format", "organisation", "sequence", "head_hash", "at", "signature"}; the signature (base64 DER
CMS, SHA-256) is over the canonical JSON of the other fields (sorted keys, no whitespace, UTF-8). It verifies
with the organisation's CA certificate alone; `checkpoint_read` also requires the signer to be the seal.
"""

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from core.audit_chain import GENESIS, Anchor
from core.models import AuditCheckpoint, AuditHead
from signatures.keystore import seal_signer
from signatures.models import CertificateAuthority, KeyPurpose, SigningKey

FORMAT = "memoflow-audit-checkpoint/1"


class CheckpointInvalid(ValueError):
    """A checkpoint file that is not one, or whose signature does not verify against the organisation's seal."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    head_hash: str
    at: datetime
    organisation: str
    source: str = ""

    def anchor(self) -> Anchor:
        return Anchor(sequence=self.sequence, head_hash=self.head_hash, source=self.source)


def _payload(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checkpoint_directory() -> Path:
    return Path(settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR)


def audit_checkpoint_create(*, directory: Path | None = None) -> AuditCheckpoint:
    """Sign the chain's head now and keep the checkpoint (SigningNotConfigured without a seal)."""
    directory = directory or checkpoint_directory()
    # The seal is opened (its passphrase's key derivation takes a while) before the head is locked: appends wait
    # only for the signature itself.
    with seal_signer() as unwrapped, transaction.atomic(durable=True):
        # Read under the head's lock: no event can be appended between the read and the signature.
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS)
        at = timezone.now()
        fields = {
            "format": FORMAT,
            "organisation": unwrapped.key.ca.organisation.name,
            "sequence": sequence,
            "head_hash": head_hash,
            "at": at.isoformat(timespec="microseconds"),
        }
        signed = asyncio.run(
            unwrapped.signer.async_sign_general_data(_payload(fields), "sha256", detached=True)
        )
        document = json.dumps(
            {**fields, "signature": base64.b64encode(signed.dump()).decode()}, ensure_ascii=False, indent=1
        )
        name = f"audit-checkpoint-{sequence:012d}-{at:%Y%m%dT%H%M%S%fZ}.json"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(document + "\n", encoding="utf-8")
        return AuditCheckpoint.objects.create(
            sequence=sequence, head_hash=head_hash, at=at, document=document, file_name=name
        )


def _seal_certificates() -> dict[bytes, CertificateAuthority]:
    keys = SigningKey.objects.filter(purpose=KeyPurpose.SEAL).select_related("ca")
    return {bytes(key.certificate): key.ca for key in keys}


def checkpoint_read(text: str, *, source: str = "") -> Checkpoint:
    """The checkpoint in `text` once its signature verifies: signed by one of the organisation's seal
    certificates, issued by its CA. CheckpointInvalid otherwise (an edited file, another signer, not JSON)."""
    try:
        document = json.loads(text)
        signature = base64.b64decode(document.pop("signature"), validate=True)
        if document.get("format") != FORMAT:
            raise CheckpointInvalid("not a memoflow audit checkpoint")
        signed_data = cms.ContentInfo.load(signature)["content"]
        signer_info = signed_data["signer_infos"][0]
        certificates = [c.chosen for c in signed_data["certificates"]]
        serial = signer_info["sid"].chosen["serial_number"].native
        cert = next(c for c in certificates if c.serial_number == serial)
        intact, valid = validate_sig_integrity(
            signer_info,
            cert,
            expected_content_type="data",
            actual_digest=hashlib.sha256(_payload(document)).digest(),
        )
        checkpoint = Checkpoint(
            sequence=int(document["sequence"]),
            head_hash=str(document["head_hash"]),
            at=datetime.fromisoformat(document["at"]),
            organisation=str(document["organisation"]),
            source=source,
        )
    except CheckpointInvalid:
        raise
    except Exception as error:
        raise CheckpointInvalid(f"unreadable checkpoint ({type(error).__name__})") from error
    if not (intact and valid):
        raise CheckpointInvalid("the signature does not match the checkpoint")
    ca = _seal_certificates().get(cert.dump())
    if ca is None:
        raise CheckpointInvalid("not signed by the organisation's seal")
    try:
        x509.load_der_x509_certificate(cert.dump()).verify_directly_issued_by(
            x509.load_der_x509_certificate(bytes(ca.certificate))
        )
    except (ValueError, TypeError, InvalidSignature) as error:
        raise CheckpointInvalid("the seal's certificate is not the organisation CA's") from error
    return checkpoint


def stored_checkpoints() -> list[Checkpoint]:
    """Every checkpoint kept in the database, each verified (CheckpointInvalid names the first that fails)."""
    return [
        checkpoint_read(row.document, source=row.file_name or f"#{row.pk}")
        for row in AuditCheckpoint.objects.order_by("sequence", "id")
    ]


def latest_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-sequence", "-id").first()
