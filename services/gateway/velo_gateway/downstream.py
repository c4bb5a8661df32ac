"""Calls the owning services' read APIs; their failures become precise problems."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from velo_gateway.problems import Problem
from velo_gateway.settings import GatewaySettings
from velo_runtime.peers import FailoverTransport, peer_urls


class Downstream:
    """One HTTP client for every read API the gateway proxies."""

    def __init__(
        self, settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None
    ):
        settings_of = {
            "inventory": settings.inventory_url,
            "ordering": settings.ordering_url,
            "sip-routing": settings.sip_routing_url,
            "assignment": settings.assignment_url,
            "audit": settings.audit_url,
        }
        self.urls = {service: peer_urls(urls)[0] for service, urls in settings_of.items()}
        self.clients = {  # each service's instances, the first that answers (velo_runtime.peers)
            service: httpx.AsyncClient(
                timeout=settings.downstream_timeout_seconds,
                transport=FailoverTransport(peer_urls(urls), transport),
            )
            for service, urls in settings_of.items()
        }

    async def get(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """GETs path from service and returns its JSON body."""
        return (await self._send("GET", service, path, params)).json()

    async def post(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """POSTs to path of service; returns its JSON body, if any."""
        response = await self._send("POST", service, path, params)
        return response.json() if response.content else None

    async def submit(
        self,
        service: str,
        path: str,
        *,
        json: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """POSTs a JSON or multipart body to path of service; returns its JSON body, if any."""
        request = self._request("POST", service, path, None)
        built = self.clients[service].build_request(
            "POST", request.url, json=json, files=files, data=data, headers=headers
        )
        response = await self._call(service, built)
        return response.json() if response.content else None

    async def stream(
        self, service: str, path: str, params: dict[str, Any] | None = None
    ) -> AsyncIterator[bytes]:
        """Streams the body of a GET (for exports)."""
        request = self._request("GET", service, path, params)
        response = await self._call(service, request, stream=True)
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await response.aclose()

    async def close(self) -> None:
        """Closes the connections."""
        for client in self.clients.values():
            await client.aclose()

    async def _send(
        self, method: str, service: str, path: str, params: dict[str, Any] | None
    ) -> httpx.Response:
        request = self._request(method, service, path, params)
        return await self._call(service, request)

    def _request(
        self, method: str, service: str, path: str, params: dict[str, Any] | None
    ) -> httpx.Request:
        """Builds a downstream request, refusing a path that could leave its tenant's prefix."""
        segments = path.split("/")
        if any(s in (".", "..") or not s.isprintable() or "%" in s for s in segments[1:]):
            raise Problem(400, "Bad request", "the path has a segment no id can have")
        try:
            url = self.urls[service] + path
            return self.clients[service].build_request(method, url, params=_clean(params))
        except httpx.InvalidURL:
            raise Problem(400, "Bad request", "the path has a segment no id can have") from None

    async def _call(
        self, service: str, request: httpx.Request, stream: bool = False
    ) -> httpx.Response:
        try:
            response = await self.clients[service].send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise Problem(
                503,
                "Service unavailable",
                f"the {service} service did not answer ({type(exc).__name__})",
            ) from None
        if response.is_success:
            return response
        if stream:
            await response.aread()
        raise _problem(service, response)


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in params.items() if v is not None} if params else None


def _detail(detail: Any) -> str | None:
    """Returns a problem's detail, or the first of a validation error's messages."""
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        where = ".".join(str(part) for part in detail[0].get("loc", ()) if part != "query")
        return f"{where}: {detail[0].get('msg')}"
    return detail if isinstance(detail, str) else None


def _problem(service: str, response: httpx.Response) -> Problem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = _detail(body.get("detail") if isinstance(body, dict) else None)
    detail = detail or f"{service} answered {response.status_code}"
    if response.status_code >= 500:
        return Problem(503, "Service unavailable", detail)
    passed = ("code", "field", "reason", "missing")
    extra = {k: v for k, v in body.items() if k in passed} if isinstance(body, dict) else {}
    code = extra.pop("code", None)
    return Problem(response.status_code, response.reason_phrase or "Error", detail, code, **extra)
