"""The development secrets of `make run`: made once, kept in the data folder, never committed."""

from __future__ import annotations

import secrets
from pathlib import Path

from velo_tenants import SecretBox

SECRET_NAMES = ("VELO_SECRETS_KEY", "VELO_GATEWAY_JWT_SECRET")


def load_or_create(path: Path) -> dict[str, str]:
    """Returns the development secrets, creating them on first use (file mode 0600)."""
    if path.exists():
        pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        found = {name: value for name, value in pairs}
        if all(name in found for name in SECRET_NAMES):
            return found
    values = {
        "VELO_SECRETS_KEY": SecretBox.new_key(),
        "VELO_GATEWAY_JWT_SECRET": secrets.token_urlsafe(32),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return values
