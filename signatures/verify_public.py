"""Verification for the public: the API, the /verify/ page and `manage.py verify_pdf` share this.

Which memo a PDF is about is not the signatures app's business (it never imports the route): the workflow
registers a resolver (`register_memo_resolver`) that maps a `DocumentIdentity` to what the viewer may know of
that memo revision. Without one, ``memo`` is null.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from signatures import services
from signatures.verification import DocumentIdentity, SignatureReport, VerificationReport, verify_pdf

MemoResolver = Callable[[DocumentIdentity, Any], dict[str, Any] | None]
_resolvers: list[MemoResolver] = []


def register_memo_resolver(resolver: MemoResolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def memo_for(identity: DocumentIdentity | None, user: Any) -> dict[str, Any] | None:
    """What ``user`` (anonymous: None or AnonymousUser) may know of the memo revision the document names."""
    if identity is None:
        return None
    for resolver in _resolvers:
        found = resolver(identity, user)
        if found is not None:
            return found
    return None


def max_bytes() -> int:
    return int(settings.MEMOFLOW_VERIFY_MAX_BYTES)


def verify_upload(content: bytes, *, user: Any = None) -> dict[str, Any]:
    """The verification's body (the API's answer, what the page and the command show). Raises
    UnsupportedFile for what is not a readable PDF."""
    services.crls_refresh()  # a CRL past its next update would make every signature untrusted
    report = verify_pdf(content)
    return report_body(report, memo=memo_for(report.identity, user) if report.valid else None)


def _signature_body(sig: SignatureReport) -> dict[str, Any]:
    return {
        "index": sig.index,
        "kind": sig.kind,
        "field": sig.field_name,
        "signer": sig.signer,
        "position": sig.position,
        "organisation": sig.organisation,
        "capacity": sig.capacity,
        "signed_at": sig.signed_at,
        "timestamp": sig.timestamp,
        "timestamp_trusted": sig.timestamp_trusted,
        "intact": sig.intact,
        "valid": sig.valid,
        "trusted": sig.trusted,
        "revoked": sig.revoked,
        "coverage": sig.coverage,
        "modifications": sig.modifications,
        "certifies": sig.certifies,
        "certificate_serial": sig.certificate_serial,
        "ok": sig.ok,
    }


def report_body(report: VerificationReport, *, memo: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "valid": report.valid,
        "memo": memo,
        "signatures": [_signature_body(s) for s in report.signatures],
        "problems": [
            {"code": p.code, "signature": p.signature, "detail": str(p.message)} for p in report.problems
        ],
        "unsigned_fields": list(report.unsigned_fields),
        "closed": report.closed,
    }


#: What changed after a signature, for people (the page and the command).
MODIFICATION_LABELS = {
    "none": _("nothing"),
    "lta_updates": _("validation data and timestamps only"),
    "form_filling": _("later signatures only"),
    "annotations": _("comments added"),
    "other": _("the content was changed"),
}
COVERAGE_LABELS = {
    "entire_file": _("the whole file"),
    "entire_revision": _("the file up to this signature"),
    "contiguous_block": _("part of the file"),
    "unclear": _("unclear"),
}
