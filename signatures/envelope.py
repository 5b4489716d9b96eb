"""Private keys at rest: AES-256-GCM under a key-encryption key (KEK) derived from a password by Argon2id.

The KEK is derived per key with its own random salt and the KDF parameters in force when it was wrapped (kept
with the key, so raising MEMOFLOW_SIGNING_KDF later does not lock out older keys; a password change re-wraps
under the new parameters). The associated data binds the ciphertext to its row and its public key: a wrapped
key copied onto another person's row does not decrypt there, even under the right password.
"""

import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from django.conf import settings

SALT_BYTES = 16
NONCE_BYTES = 12
KEK_BYTES = 32  # AES-256


class UnwrapFailed(Exception):
    """The password (or passphrase) does not open this key, or the stored key was changed."""


@dataclass(frozen=True)
class WrappedKey:
    salt: bytes
    nonce_and_ciphertext: bytes
    kdf: dict[str, Any]


def kdf_parameters() -> dict[str, Any]:
    """The parameters new wraps use (settings.MEMOFLOW_SIGNING_KDF), checked."""
    kdf = dict(settings.MEMOFLOW_SIGNING_KDF)
    if kdf.get("algorithm") != "argon2id":
        raise ValueError("MEMOFLOW_SIGNING_KDF: only argon2id is supported")
    return {
        "algorithm": "argon2id",
        "memory_cost": int(kdf["memory_cost"]),
        "iterations": int(kdf["iterations"]),
        "lanes": int(kdf["lanes"]),
    }


def derive_kek(secret: str, salt: bytes, kdf: dict[str, Any]) -> bytes:
    if kdf.get("algorithm") != "argon2id":
        raise UnwrapFailed(f"unknown key derivation {kdf.get('algorithm')!r}")
    return Argon2id(
        salt=salt,
        length=KEK_BYTES,
        iterations=int(kdf["iterations"]),
        lanes=int(kdf["lanes"]),
        memory_cost=int(kdf["memory_cost"]),
    ).derive(secret.encode("utf-8"))


def wrap(
    private_key_der: bytes, *, secret: str, context: bytes, kdf: dict[str, Any] | None = None
) -> WrappedKey:
    """Encrypt a PKCS#8 DER private key under a KEK derived from `secret`; `context` is authenticated."""
    if not secret:
        raise ValueError("a key is never wrapped under an empty password")
    kdf = kdf or kdf_parameters()
    salt = os.urandom(SALT_BYTES)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(derive_kek(secret, salt, kdf)).encrypt(nonce, private_key_der, context)
    return WrappedKey(salt=salt, nonce_and_ciphertext=nonce + ciphertext, kdf=kdf)


def unwrap(wrapped: WrappedKey, *, secret: str, context: bytes) -> bytes:
    """The PKCS#8 DER private key; UnwrapFailed for a wrong secret, another row's key or a changed blob."""
    if not secret:
        raise UnwrapFailed("no password")
    blob = bytes(wrapped.nonce_and_ciphertext)
    nonce, ciphertext = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(derive_kek(secret, bytes(wrapped.salt), wrapped.kdf)).decrypt(
            nonce, ciphertext, context
        )
    except InvalidTag as exc:
        raise UnwrapFailed("the password does not open this key") from exc
