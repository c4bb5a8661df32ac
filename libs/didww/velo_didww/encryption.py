"""Encrypts a regulation document for `POST /encrypted_files` as DIDWW requires.

A fresh AES-256 key and 16-byte IV encrypt the file (CBC, PKCS#7 padding); the 48 bytes key‖IV
are encrypted with RSA-OAEP (SHA-256, MGF1 SHA-256) under each of DIDWW's two public keys, in the
order given; the body is RSA(first) ‖ RSA(second) ‖ AES ciphertext. The fingerprint names the
keys: the SHA-1 hex of each key's DER SubjectPublicKeyInfo, joined by `:::`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Protocol

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEYS_PER_UPLOAD = 2
FINGERPRINT_SEPARATOR = ":::"


class HasPem(Protocol):
    """Anything carrying a PEM public key in `key` (a `PublicKey`)."""

    @property
    def key(self) -> str: ...


def _rsa_key(pem: str) -> rsa.RSAPublicKey:
    loaded = serialization.load_pem_public_key(pem.encode())
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise ValueError("DIDWW's public keys are RSA keys")
    return loaded


def key_fingerprint(pem: str) -> str:
    """Returns the SHA-1 hex of the key's DER SubjectPublicKeyInfo."""
    der = _rsa_key(pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha1(der).hexdigest()  # noqa: S324 - DIDWW's fingerprint, not a security hash


def fingerprint(keys: Sequence[HasPem]) -> str:
    """Returns `encrypted_files[encryption_fingerprint]` for keys, in their order."""
    return FINGERPRINT_SEPARATOR.join(key_fingerprint(k.key) for k in keys)


def encrypt_for_upload(content: bytes, keys: Sequence[HasPem]) -> tuple[bytes, str]:
    """Returns (body, fingerprint): content encrypted for DIDWW under its two public keys."""
    if len(keys) != KEYS_PER_UPLOAD:
        raise ValueError(f"DIDWW encrypts under exactly {KEYS_PER_UPLOAD} keys, got {len(keys)}")
    secret, iv = os.urandom(32), os.urandom(16)
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    padded = padder.update(content) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    oaep = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    sealed = b"".join(_rsa_key(k.key).encrypt(secret + iv, oaep) for k in keys)
    return sealed + ciphertext, fingerprint(keys)
