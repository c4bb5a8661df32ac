"""The gateway's OpenAPI document describes what the running system answers, field for field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from velo_contracts import reads
from velotest import eventually

from .conftest import RunningSystem
from .flows import active_number

pytestmark = pytest.mark.infra


def _documented_fields_present(model: type[BaseModel], answer: dict[str, Any], where: str) -> None:
    """Fails when the document names a field the answer lacks (a default would hide it)."""
    names = {field.alias or name for name, field in model.model_fields.items()}
    assert names <= set(answer), f"{where}: documented but not answered: {names - set(answer)}"


def _check(model: type[BaseModel], answer: dict[str, Any], where: str) -> None:
    model.model_validate(answer)
    _documented_fields_present(model, answer, where)
    for name, field in model.model_fields.items():
        inner = field.annotation
        items = answer.get(field.alias or name)
        item_model = getattr(inner, "__args__", (None,))[0]
        is_model = isinstance(item_model, type) and issubclass(item_model, BaseModel)
        if isinstance(items, list) and items and is_model:
            _check(item_model, items[0], f"{where}.{name}[0]")


async def test_the_main_answers_match_the_documented_shapes(running: RunningSystem) -> None:
    async with running.api() as api:
        number = await active_number(api)
        request_id = (await api.get(f"/v1/numbers/{number}")).json()["request_id"]
        countries = (await api.get("/v1/countries")).json()
        TypeAdapter(list[reads.Country]).validate_python(countries)
        _documented_fields_present(reads.Country, countries[0], "countries[0]")
        answers: list[tuple[str, dict[str, Any], type[BaseModel]]] = [
            ("/v1/inventory", {"country": "DE", "type": "mobile"}, reads.InventoryPage),
            ("/v1/numbers", {"status": "all"}, reads.NumberPage),
            (f"/v1/numbers/{number}", {}, reads.NumberDetail),
            (f"/v1/number-requests/{request_id}", {}, reads.RequestState),
            ("/v1/directory", {}, reads.Directory),
            ("/v1/audit", {"number": number}, reads.AuditPage),
        ]
        for path, params, model in answers:
            response = await api.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            _check(model, response.json(), path)
        accepted = await api.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "109"})
        assert accepted.status_code == 202
        _check(reads.Accepted, accepted.json(), "202")
        refused = await api.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "999"})
        assert refused.headers["content-type"] == "application/problem+json"
        _check(reads.Problem, refused.json(), "422")
        assert refused.json()["field"] == "outbound_agent"


async def test_alerts_match_the_documented_shape(running: RunningSystem) -> None:
    async with running.api() as api:
        offer = (await api.get("/v1/inventory", params={"country": "DE", "type": "mobile"})).json()
        await api.post("/v1/number-requests", json={"offer_id": offer["items"][0]["offer_id"]})

        async def some_alert() -> dict[str, Any] | None:
            found: dict[str, Any] = (await api.get("/v1/alerts")).json()
            return found if found["items"] else None

        alerts = await eventually(some_alert, timeout=60)
    _check(reads.Alerts, alerts, "alerts")
