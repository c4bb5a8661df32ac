"""Where numbers come from: the admin picks a city through the gateway and sees only its numbers."""

from __future__ import annotations

import time

import pytest

from .conftest import RunningSystem

pytestmark = pytest.mark.infra


async def test_an_admin_lists_a_countrys_areas_and_searches_one_by_id_or_area_code(
    running: RunningSystem,
) -> None:
    async with running.api("acme", "admin@acme") as api:
        started = time.perf_counter()
        found = await api.get("/v1/countries/de/areas", params={"type": "local"})
        assert found.status_code == 200, found.text
        areas = {a["name"]: a for a in found.json()["items"]}
        berlin = areas["Berlin"]
        assert berlin["prefixes"] == ["30"] and berlin["numbers_on_offer"] > 0
        numbers = await api.get(
            "/v1/inventory", params={"country": "DE", "type": "local", "area": berlin["id"]}
        )
        took = time.perf_counter() - started
        listed = [n["number"] for n in numbers.json()["items"]]
        assert listed and all(n.startswith("+4930") for n in listed), listed
        by_code = await api.get(
            "/v1/inventory", params={"country": "DE", "type": "local", "prefix": "30"}
        )
        assert sorted(n["number"] for n in by_code.json()["items"]) == sorted(listed)
        print(f"areas + area search through the gateway: {took * 1000:.0f} ms")
        for bad in (
            api.get("/v1/countries/Germany/areas", params={"type": "local"}),
            api.get("/v1/countries/DE/areas", params={"type": "landline"}),
            api.get("/v1/inventory", params={"country": "DE", "type": "local", "prefix": "3O"}),
        ):
            problem = await bad
            assert problem.status_code == 422, problem.text
    async with running.api("acme", "agent@acme", "agent") as agents:
        assert (
            await agents.get("/v1/countries/DE/areas", params={"type": "local"})
        ).status_code == 403
