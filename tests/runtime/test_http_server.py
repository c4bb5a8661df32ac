"""A service's HTTP server keeps an idle connection open longer than the clients in front do.

uvicorn closes an idle keep-alive connection after 5 s, exactly when httpx's pool still deems it
reusable: a request sent on it in that instant fails (`httpx.ReadError`; CI saw one in the gateway
test of two instances). The server must be the side that waits longest.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from velo_runtime import ServiceSettings
from velo_runtime.service import server_config

LOAD_BALANCER_IDLE = 60  # AWS ALB's default idle timeout, the longest common one in front


def test_idle_connections_are_kept_longer_than_clients_and_load_balancers_keep_theirs() -> None:
    config = server_config(FastAPI(), ServiceSettings())
    assert config.timeout_keep_alive > httpx.Limits().keepalive_expiry  # type: ignore[operator]
    assert config.timeout_keep_alive > LOAD_BALANCER_IDLE


def test_the_keep_alive_is_a_shared_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from velo_gateway.settings import GatewaySettings

    monkeypatch.setenv("VELO_HTTP_KEEP_ALIVE_SECONDS", "130")
    config = server_config(FastAPI(), GatewaySettings())
    assert config.timeout_keep_alive == 130
