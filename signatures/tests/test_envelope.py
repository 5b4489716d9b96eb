"""The envelope alone: Argon2id + AES-256-GCM, parameters carried with the key."""

from typing import Any

import pytest

from signatures import envelope

KEY = b"0\x81\x87 a PKCS#8 private key stands here" * 3


def test_roundtrip_and_wrong_secret() -> None:
    wrapped = envelope.wrap(KEY, secret="รหัสผ่านของฉัน", context=b"row-1")
    assert envelope.unwrap(wrapped, secret="รหัสผ่านของฉัน", context=b"row-1") == KEY
    with pytest.raises(envelope.UnwrapFailed):
        envelope.unwrap(wrapped, secret="รหัสผ่านของเธอ", context=b"row-1")
    assert KEY not in wrapped.nonce_and_ciphertext


def test_an_empty_secret_neither_wraps_nor_unwraps() -> None:
    with pytest.raises(ValueError, match="empty"):
        envelope.wrap(KEY, secret="", context=b"row-1")
    wrapped = envelope.wrap(KEY, secret="x", context=b"row-1")
    with pytest.raises(envelope.UnwrapFailed):
        envelope.unwrap(wrapped, secret="", context=b"row-1")


def test_a_flipped_byte_is_detected() -> None:
    wrapped = envelope.wrap(KEY, secret="secret", context=b"row-1")
    blob = bytearray(wrapped.nonce_and_ciphertext)
    blob[20] ^= 1
    tampered = envelope.WrappedKey(salt=wrapped.salt, nonce_and_ciphertext=bytes(blob), kdf=wrapped.kdf)
    with pytest.raises(envelope.UnwrapFailed):
        envelope.unwrap(tampered, secret="secret", context=b"row-1")


def test_each_wrap_has_its_own_salt_and_nonce() -> None:
    a = envelope.wrap(KEY, secret="secret", context=b"row-1")
    b = envelope.wrap(KEY, secret="secret", context=b"row-1")
    assert a.salt != b.salt
    assert a.nonce_and_ciphertext != b.nonce_and_ciphertext


def test_the_parameters_travel_with_the_key(settings: Any) -> None:
    """Raising MEMOFLOW_SIGNING_KDF later does not lock out a key wrapped under the old parameters."""
    wrapped = envelope.wrap(KEY, secret="secret", context=b"row-1")
    assert wrapped.kdf == {"algorithm": "argon2id", "memory_cost": 64, "iterations": 1, "lanes": 1}
    settings.MEMOFLOW_SIGNING_KDF = {"algorithm": "argon2id", "memory_cost": 128, "iterations": 2, "lanes": 1}
    assert envelope.unwrap(wrapped, secret="secret", context=b"row-1") == KEY
    assert envelope.wrap(KEY, secret="secret", context=b"row-1").kdf["memory_cost"] == 128
