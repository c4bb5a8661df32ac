"""Seals and opens tenant secrets with the platform key (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken

KEY_VARIABLE = "VELO_SECRETS_KEY"


class SealingError(Exception):
    """A secret could not be sealed or opened (missing key, wrong key, damaged token)."""


class SecretBox:
    """Seals secrets for the wire and the database, and opens them where they are used."""

    def __init__(self, key: str | bytes):
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise SealingError(
                f"{KEY_VARIABLE} is not a valid key (32 url-safe base64 bytes)"
            ) from None

    @classmethod
    def from_env(cls) -> SecretBox:
        """Builds the box from VELO_SECRETS_KEY."""
        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise SealingError(
                f"{KEY_VARIABLE} is not set; generate one with `velo-tenants new-key`"
            )
        return cls(key)

    @staticmethod
    def new_key() -> str:
        """Returns a fresh random key."""
        return Fernet.generate_key().decode()

    def seal(self, secret: str) -> str:
        """Returns secret sealed (safe to publish and store)."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        """Returns the secret inside a sealed value."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SealingError("a sealed secret does not open with this key") from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"
