"""Every service counts and times its HTTP requests by route template — never by raw path."""

from __future__ import annotations

import httpx
from prometheus_client import generate_latest

from velo_runtime import Service, ServiceSettings, build_service


def _service() -> Service:
    service = build_service(ServiceSettings(service_name="test"), uses_mongo=False)

    @service.http.get("/v1/numbers/{number}")
    async def number(number: str) -> dict[str, str]:
        return {"number": number}

    @service.http.get("/v1/broken")
    async def broken() -> None:
        raise RuntimeError("bug")

    return service


def _client(service: Service) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service.http, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _sample(service: Service, name: str, **labels: str) -> float | None:
    return service.metrics.registry.get_sample_value(name, labels)


async def test_requests_are_counted_by_route_template_and_status_class() -> None:
    service = _service()
    async with _client(service) as client:
        for number in ("+12125550100", "+12125550101", "+4930123456"):
            assert (await client.get(f"/v1/numbers/{number}")).status_code == 200
        assert (await client.get("/v1/no-such-route/+12125550100")).status_code == 404
        assert (await client.get("/v1/broken")).status_code == 500

    route = {"method": "GET", "route": "/v1/numbers/{number}"}
    assert _sample(service, "velo_http_requests_total", **route, status_class="2xx") == 3
    assert _sample(service, "velo_http_request_duration_seconds_count", **route) == 3
    unmatched = {"method": "GET", "route": "unmatched", "status_class": "4xx"}
    assert _sample(service, "velo_http_requests_total", **unmatched) == 1
    broken = {"method": "GET", "route": "/v1/broken", "status_class": "5xx"}
    assert _sample(service, "velo_http_requests_total", **broken) == 1
    exposed = generate_latest(service.metrics.registry).decode()
    assert "+1212" not in exposed and "no-such-route" not in exposed


async def test_the_operational_routes_and_mounted_assets_have_their_own_templates() -> None:
    service = _service()
    async with _client(service) as client:
        assert (await client.get("/metrics")).status_code == 200
        assert (await client.get("/docs/assets/swagger-ui.css")).status_code == 200

    metrics = {"method": "GET", "route": "/metrics", "status_class": "2xx"}
    assert _sample(service, "velo_http_requests_total", **metrics) == 1
    assets = {"method": "GET", "route": "/docs/assets/{path}", "status_class": "2xx"}
    assert _sample(service, "velo_http_requests_total", **assets) == 1
