"""Steps the end-to-end tests share, taken through the gateway like the admin UI would."""

from __future__ import annotations

from typing import Any

import httpx

from velotest import eventually

SLOW = 60.0  # DIDWW's sandbox completes orders after a few seconds


async def first_offer(api: httpx.AsyncClient, country: str, number_type: str) -> dict[str, Any]:
    """Returns the first listed number of the live inventory."""
    response = await api.get("/v1/inventory", params={"country": country, "type": number_type})
    assert response.status_code == 200, response.text
    offer: dict[str, Any] = response.json()["items"][0]
    return offer


async def request_number(api: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> str:
    """Requests a number; returns the request id."""
    response = await api.post("/v1/number-requests", json=body, headers=headers)
    assert response.status_code == 202, response.text
    request_id: str = response.json()["id"]
    return request_id


async def request_state(api: httpx.AsyncClient, request_id: str) -> dict[str, Any]:
    """Returns where a request stands."""
    state: dict[str, Any] = (await api.get(f"/v1/number-requests/{request_id}")).json()
    return state


async def number(api: httpx.AsyncClient, e164: str) -> dict[str, Any]:
    """Returns one number of the Phone numbers list (404 body if unknown)."""
    found: dict[str, Any] = (await api.get(f"/v1/numbers/{e164}")).json()
    return found


async def until_status(api: httpx.AsyncClient, e164: str, status: str) -> dict[str, Any]:
    """Waits until the number shows status in the Phone numbers list."""

    async def reached() -> dict[str, Any] | None:
        found = await number(api, e164)
        return found if found.get("status") == status else None

    result: dict[str, Any] = await eventually(reached, timeout=SLOW)
    return result


async def active_number(api: httpx.AsyncClient, country: str = "US") -> str:
    """Requests a listed number and waits until it is Active; returns it."""
    offer = await first_offer(api, country, "local")
    await request_number(api, {"offer_id": offer["offer_id"]})
    await until_status(api, offer["number"], "active")
    e164: str = offer["number"]
    return e164


async def audit_entries(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Returns every audit entry matching params, following the cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 50} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/v1/audit", params=query)).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items
