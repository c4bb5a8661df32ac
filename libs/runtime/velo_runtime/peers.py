"""Calling a peer service that runs as several instances: the first one that answers.

A deployment puts a load balancer or a service name in front of a peer; `make run INSTANCES=2`
(and the chaos run) has none, so a caller is given every instance's URL (comma-separated in its
setting) and sends each request to the first instance that accepts the connection, staying with
it until it stops answering. Only a refused or timed-out *connection* moves on: the request was
never sent, so trying the next instance cannot do anything twice.
"""

from __future__ import annotations

import httpx

FAILED_TO_CONNECT = (httpx.ConnectError, httpx.ConnectTimeout)


def peer_urls(setting: str) -> list[str]:
    """Returns the base URLs of a setting like `http://a:1,http://b:2` (at least one)."""
    urls = [url.strip().rstrip("/") for url in setting.split(",") if url.strip()]
    if not urls:
        raise ValueError(f"no URL in {setting!r}")
    return urls


class FailoverTransport(httpx.AsyncBaseTransport):
    """Sends each request to the first instance that accepts the connection."""

    def __init__(self, urls: list[str], inner: httpx.AsyncBaseTransport | None = None):
        self.bases = [httpx.URL(url) for url in urls]
        self.inner = inner or httpx.AsyncHTTPTransport()
        self._preferred = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Tries the instances in turn, starting with the last one that answered."""
        failure: Exception | None = None
        for step in range(len(self.bases)):
            index = (self._preferred + step) % len(self.bases)
            base = self.bases[index]
            request.url = request.url.copy_with(scheme=base.scheme, host=base.host, port=base.port)
            request.headers["Host"] = request.url.netloc.decode()
            try:
                response = await self.inner.handle_async_request(request)
            except FAILED_TO_CONNECT as exc:
                failure = exc
                continue
            self._preferred = index
            return response
        assert failure is not None
        raise failure

    async def aclose(self) -> None:
        """Closes the inner transport."""
        await self.inner.aclose()
