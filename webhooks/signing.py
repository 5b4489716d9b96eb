"""How a receiver knows an event came from memoflow and is fresh (docs/integrations.md#verifying-the-signature).

memoflow sends two headers with every event:

    X-Memoflow-Timestamp: 1796283000                      (Unix seconds when it was sent)
    X-Memoflow-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

The timestamp is inside the signed text, so an old request replayed later fails the age check, and a changed
timestamp fails the signature."""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Memoflow-Timestamp"
SIGNATURE_HEADER = "X-Memoflow-Signature"
#: Receivers refuse an event signed longer ago than this (or this far in the future: clocks drift).
TOLERANCE_SECONDS = 300


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The X-Memoflow-Signature header's value for `body` sent at `timestamp`."""
    signed = f"{timestamp}.".encode() + _as_bytes(body)
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature_header: str,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when `signature_header` is memoflow's signature of `body` at `timestamp` with `secret`, and the
    timestamp is within `tolerance` seconds of `now` (Unix seconds). `body` is the raw request body, as received."""
    text = str(timestamp).strip()
    if not text.isdigit():
        return False
    if abs(now - int(text)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, text, body), signature_header.strip())
