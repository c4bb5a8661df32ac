"""Calling a peer that runs as several instances: the first that accepts the connection."""

from __future__ import annotations

import httpx
import pytest

from velo_runtime.peers import FailoverTransport, peer_urls


def _instances(up: set[int], seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.port} {request.headers['Host']}")
        if request.url.port not in up:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"port": request.url.port})

    return httpx.MockTransport(handle)


async def test_a_request_goes_to_the_next_instance_when_one_refuses_and_stays_there() -> None:
    seen: list[str] = []
    urls = peer_urls("http://127.0.0.1:8103, http://127.0.0.1:8123/")
    transport = FailoverTransport(urls, _instances({8123}, seen))
    async with httpx.AsyncClient(base_url=urls[0], transport=transport) as http:
        first = (await http.get("/v1/x")).json()
        second = (await http.get("/v1/y")).json()
    assert first == second == {"port": 8123}
    assert seen == ["8103 127.0.0.1:8103", "8123 127.0.0.1:8123", "8123 127.0.0.1:8123"]


async def test_with_every_instance_down_the_connection_error_is_raised() -> None:
    transport = FailoverTransport(
        ["http://127.0.0.1:1", "http://127.0.0.1:2"], _instances(set(), [])
    )
    async with httpx.AsyncClient(base_url="http://127.0.0.1:1", transport=transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/")


def test_a_setting_without_a_url_is_refused() -> None:
    with pytest.raises(ValueError, match="no URL"):
        peer_urls(" , ")
