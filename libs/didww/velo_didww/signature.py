"""DIDWW order callback signatures: HMAC-SHA1 over the normalized URL and the sorted payload."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

SIGNATURE_HEADER = "X-DIDWW-Signature"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """Returns url with an explicit port, as DIDWW signs it."""
    parts = urlsplit(url)
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    userinfo = parts.netloc.rpartition("@")[0]
    host = f"{parts.hostname}:{port}" if port else str(parts.hostname)
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def sign_callback(secret: str, url: str, payload: Mapping[str, str]) -> str:
    """Returns the hex signature DIDWW sends for payload delivered to url."""
    message = normalize_url(url) + "".join(f"{k}{payload[k]}" for k in sorted(payload))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha1).hexdigest()


def verify_callback(secret: str, url: str, payload: Mapping[str, str], signature: str) -> bool:
    """Tells whether signature is DIDWW's signature of payload delivered to url."""
    return hmac.compare_digest(sign_callback(secret, url, payload), signature.strip().lower())
