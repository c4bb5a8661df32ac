"""Signs order callbacks the way DIDWW does (HMAC-SHA1 keyed with the account's callback secret).

Kept apart from the client's own implementation on purpose: the two meet only in the contract
tests, so a mistake in one is not copied into the other.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

_PORTS = {"http": 80, "https": 443}


def signed_url(url: str) -> str:
    """Returns url as DIDWW signs it: scheme://host:port/path?query, port always explicit."""
    parts = urlsplit(url)
    port = parts.port or _PORTS[parts.scheme]
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.hostname}:{port}{parts.path}{query}"


def signature(secret: str, url: str, payload: Mapping[str, str]) -> str:
    """Returns the X-DIDWW-Signature value for payload sent to url."""
    pairs = "".join(key + payload[key] for key in sorted(payload))
    digest = hmac.new(secret.encode(), (signed_url(url) + pairs).encode(), hashlib.sha1)
    return digest.hexdigest()
