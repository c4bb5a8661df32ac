"""DIDWW's upload encryption seen from DIDWW's side: two RSA key pairs, their fingerprints, and
the decryption of an upload (RSA-OAEP(key A) ‖ RSA-OAEP(key B) ‖ AES-256-CBC with PKCS#7).

Kept apart from the client's own implementation on purpose: the two meet only in the tests, so a
mistake in one is not copied into the other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from velo_sandbox.didww.regulation_records import KeyPair

KEY_BITS = 2048
SECRET_SIZE = 48
"""AES-256 key (32 bytes) then IV (16 bytes): what each RSA block carries."""
BLOCK = 16
_OAEP = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class UploadRefused(ValueError):
    """An upload DIDWW cannot take; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Unsealed:
    """What an upload turned out to be: its size, digest and kind — never its bytes."""

    size: int
    sha256: str
    content_type: str | None


def new_private_pem() -> str:
    """Returns a fresh RSA private key as PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def public_pem(pair: KeyPair) -> str:
    """Returns the PEM public key of pair, as /public_keys serves it."""
    public = _private_key(pair.private_pem).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_fingerprint(pair: KeyPair) -> str:
    """Returns the SHA-1 hex of the pair's DER SubjectPublicKeyInfo."""
    der = (
        _private_key(pair.private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return hashlib.sha1(der).hexdigest()  # noqa: S324 - DIDWW's fingerprint, not a security hash


def expected_fingerprint(pairs: list[KeyPair]) -> str:
    """Returns the fingerprint an upload encrypted under pairs, in order, must carry."""
    return ":::".join(key_fingerprint(p) for p in pairs)


def _pairs_named(fingerprint: str, pairs: list[KeyPair]) -> list[KeyPair]:
    """Returns the pairs the fingerprint names, in its order (each key once)."""
    by_print = {key_fingerprint(p): p for p in pairs}
    named = [by_print.get(part.strip().lower()) for part in fingerprint.split(":::")]
    found = [p for p in named if p is not None]
    if (
        len(found) != len(pairs)
        or len(named) != len(pairs)
        or len(set(map(id, found))) < len(found)
    ):
        raise UploadRefused("encryption_fingerprint", "does not match the public keys")
    return found


def unseal(body: bytes, fingerprint: str, pairs: list[KeyPair]) -> Unsealed:
    """Decrypts an upload to check it and returns what it is (the plaintext is dropped at
    once); raises UploadRefused naming the fingerprint or the file at fault."""
    pairs = _pairs_named(fingerprint, pairs)
    size = KEY_BITS // 8
    blocks = [body[i * size : (i + 1) * size] for i in range(len(pairs))]
    ciphertext = body[len(pairs) * size :]
    if any(len(b) != size for b in blocks) or not ciphertext or len(ciphertext) % BLOCK:
        raise UploadRefused("file", "is truncated: not two RSA blocks and whole AES blocks")
    secrets = {_rsa_open(pair, block) for pair, block in zip(pairs, blocks, strict=True)}
    if len(secrets) != 1:
        raise UploadRefused("file", "carries a different key for each public key")
    plain = _aes_open(secrets.pop(), ciphertext)
    return Unsealed(len(plain), hashlib.sha256(plain).hexdigest(), sniff(plain))


def _rsa_open(pair: KeyPair, block: bytes) -> bytes:
    try:
        secret = _private_key(pair.private_pem).decrypt(block, _OAEP)
    except (ValueError, InvalidKey):
        raise UploadRefused("file", "does not decrypt with the public keys") from None
    if len(secret) != SECRET_SIZE:
        raise UploadRefused("file", "does not carry a 32-byte key and a 16-byte IV")
    return secret


def _aes_open(secret: bytes, ciphertext: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(secret[:32]), modes.CBC(secret[32:])).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise UploadRefused("file", "has bad padding: not AES-256-CBC with PKCS#7")
    return padded[:-pad]


MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(content: bytes) -> str | None:
    """Returns the document's type from its first bytes (PDF, JPEG, PNG), None otherwise."""
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), None)
