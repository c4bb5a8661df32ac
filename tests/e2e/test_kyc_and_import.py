"""A KYC number: blocked at the request with an alert, then delivered by DIDWW and imported."""

from __future__ import annotations

import pytest

from velotest import eventually

from .conftest import RunningSystem
from .flows import SLOW, first_offer, request_number, request_state, until_status

pytestmark = pytest.mark.infra


async def test_a_kyc_pick_is_rejected_with_an_alert_and_imported_once_delivered(
    running: RunningSystem,
) -> None:
    async with running.api() as api:
        offer = await first_offer(api, "DE", "mobile")
        assert offer["kyc_required"] and offer["requirement"]["restriction_message"]
        request_id = await request_number(api, {"offer_id": offer["offer_id"]})

        state = await eventually(lambda: _ended(api, request_id), timeout=SLOW)
        assert (state["status"], state["reason"]) == ("rejected", "kyc_required")
        assert running.orders_for(request_id) == 0
        # the alert is its own event: it may land after the request's row (and other unread
        # alerts of acme may be there already)
        alert = await eventually(lambda: _alert_of(api, request_id), timeout=SLOW)
        assert alert["code"] == "kyc_required" and "DIDWW" in alert["detail"]
        assert (await api.post(f"/v1/alerts/{alert['id']}/read")).status_code == 204
        assert all(a["id"] != alert["id"] for a in await _unread(api))

        dial = offer["number"].removeprefix("+")
        running.sandbox(
            "didww", "POST", "/_admin/accounts/sandbox-acme-key/dids", json={"number": dial}
        )
        imported = (await api.post("/v1/reconciliation")).json()
        assert offer["number"] in imported["imported"]
        await until_status(api, offer["number"], "active")
        put = await api.put(f"/v1/numbers/{dial}/assignment", json={"outbound_agent": "103"})
        assert put.status_code == 202
        await eventually(lambda: "103" in running.routing()["caller_ids"], timeout=SLOW)


async def _ended(api: object, request_id: str) -> dict[str, object] | None:
    state = await request_state(api, request_id)  # type: ignore[arg-type]
    return state if state["status"] in {"rejected", "failed", "approved"} else None


async def _alert_of(api: object, request_id: str) -> dict[str, object] | None:
    mine = [a for a in await _unread(api) if a["request_id"] == request_id]
    assert len(mine) <= 1, mine
    return mine[0] if mine else None


async def _unread(api: object) -> list[dict[str, object]]:
    response = await api.get("/v1/alerts", params={"unread": True})  # type: ignore[attr-defined]
    return list(response.json()["items"])
