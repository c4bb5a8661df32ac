"""DIDWW callback signatures: HMAC-SHA1 keyed with the account's callback secret over the
normalized URL and the sorted payload.

Every callback is signed alike — orders, exports, address verifications: the payload is
`id=<resource id>&type=<orders|address_verifications|...>&status=<new status>` (form-encoded for
POST, a query for GET), e.g. `type=address_verifications&status=approved|rejected`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CallbackNotice:
    """What a callback says: which resource (`orders`, `address_verifications`, ...) changed
    to which status; read it again (GET) for the rest, e.g. a rejection's reasons."""

    id: str
    type: str
    status: str


def read_callback(payload: Mapping[str, str]) -> CallbackNotice:
    """Returns what a (verified) callback payload says; ValueError if it lacks a member."""
    missing = [k for k in ("id", "type", "status") if not payload.get(k)]
    if missing:
        raise ValueError(f"DIDWW callback without {', '.join(missing)}")
    return CallbackNotice(payload["id"], payload["type"], payload["status"])
