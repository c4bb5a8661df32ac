"""Login, sign-in and token refresh."""

from __future__ import annotations

from velo_sandbox.portsip.bodies.common import NAME
from velo_sandbox.portsip.schema import TEXT, obj, requiring, sent, text

CREDENTIALS = sent(
    requiring(
        obj(
            username=NAME,
            password=TEXT,
            domain=text(min_length=1, max_length=280),
        ),
        "username",
        "password",
    )
)
REFRESH = sent(requiring(obj(refresh_token=TEXT), "refresh_token"))
