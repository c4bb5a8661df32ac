"""`DidwwClient`: one async method per DIDWW API v3 endpoint the platform uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

import httpx

from velo_didww.jsonapi import flatten_many, flatten_one, resource
from velo_didww.models import (
    AddressRequirement,
    Area,
    AvailableDid,
    Balance,
    City,
    Country,
    Did,
    DidGroup,
    DidGroupType,
    DidReservation,
    NanpaPrefix,
    Order,
    Region,
    VoiceInTrunk,
)
from velo_didww.params import Filters, query
from velo_didww.ratelimit import Budget, local_budget
from velo_didww.regulation_calls import RegulationCalls
from velo_didww.requests import DidOrderItem, SipConfiguration
from velo_didww.schedule import DEFAULT_RATE, Priority
from velo_didww.transport import RetryPolicy, Transport

PRODUCTION_URL = "https://api.didww.com/v3"
SANDBOX_URL = "https://sandbox-api.didww.com/v3"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
DID_GROUP_INCLUDES = (
    "country",
    "city",
    "region",
    "did_group_type",
    "stock_keeping_units",
    "address_requirement",
)
AVAILABLE_DID_INCLUDES = ("nanpa_prefix", *(f"did_group.{name}" for name in DID_GROUP_INCLUDES))
DID_INCLUDES = ("did_group", "order", "voice_in_trunk", "address_verification")


class DidwwClient(RegulationCalls):
    """Async client of one DIDWW account (one API key).

    Idempotent calls (GET, PATCH, DELETE) are retried with backoff on 5xx, timeouts and
    connection errors; every call is retried after a 429, which DIDWW did not process.
    `create_order` is never repeated after a timeout or 5xx, because the order may exist:
    look it up with `list_orders({"external_reference_id": ...})` before ordering again.
    `upload_encrypted_file` is retried like a read: an upload only stages a file.
    The regulation (KYC) calls are in `RegulationCalls`.

    Every request first takes a slot of the key's `budget` at the client's `priority`; without
    a budget the client shares this process's budget of the key (at `rate_limit`; None: none).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = PRODUCTION_URL,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limit: float | None = DEFAULT_RATE,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: Budget | None = None,
        priority: Priority = Priority.IN_FLIGHT,
    ) -> None:
        if budget is None and rate_limit:
            budget = local_budget(api_key, rate_limit)
        self._transport = Transport(
            api_key, base_url, timeout, retry or RetryPolicy(), budget, http, transport, priority
        )

    def __repr__(self) -> str:
        return f"DidwwClient({self._transport!r})"

    async def __aenter__(self) -> DidwwClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the client's connections."""
        await self._transport.aclose()

    async def list_countries(self, filters: Filters | None = None) -> list[Country]:
        """Lists countries (not paginated by DIDWW)."""
        doc = await self._get("/countries", query(filters))
        return [Country.model_validate(c) for c in flatten_many(doc)]

    async def list_regions(self, filters: Filters | None = None) -> list[Region]:
        """Lists regions, e.g. `{"country.id": ...}` (not paginated by DIDWW)."""
        doc = await self._get("/regions", query(filters, ("country",)))
        return [Region.model_validate(r) for r in flatten_many(doc)]

    async def list_cities(self, filters: Filters | None = None) -> list[City]:
        """Lists cities with their region and area, e.g. `{"area.id": ...}`."""
        params = query(filters, ("region", "area"))
        return [City.model_validate(c) async for c in self.paginate("/cities", params)]

    async def list_areas(self, filters: Filters | None = None) -> list[Area]:
        """Lists numbering areas, e.g. `{"country.id": ...}`."""
        params = query(filters)
        return [Area.model_validate(a) async for a in self.paginate("/areas", params)]

    async def list_nanpa_prefixes(self, filters: Filters | None = None) -> list[NanpaPrefix]:
        """Lists NANPA NPA-NXX prefixes, e.g. `{"npa": "212"}`."""
        params = query(filters, ("region",))
        return [
            NanpaPrefix.model_validate(p) async for p in self.paginate("/nanpa_prefixes", params)
        ]

    async def list_did_group_types(self) -> list[DidGroupType]:
        """Lists the kinds of number: Local, Mobile, Toll-free, ..."""
        return [DidGroupType.model_validate(t) async for t in self.paginate("/did_group_types", {})]

    async def list_did_groups(
        self, filters: Filters | None = None, include: Iterable[str] = DID_GROUP_INCLUDES
    ) -> list[DidGroup]:
        """Lists DID groups with their prices, type, country and KYC requirement."""
        params = query(filters, include)
        return [DidGroup.model_validate(g) async for g in self.paginate("/did_groups", params)]

    async def get_did_group(
        self, group_id: str, include: Iterable[str] = DID_GROUP_INCLUDES
    ) -> DidGroup:
        """Reads one DID group."""
        doc = await self._get(f"/did_groups/{group_id}", query(include=include))
        return DidGroup.model_validate(flatten_one(doc))

    async def list_available_dids(
        self, filters: Filters | None = None, include: Iterable[str] = AVAILABLE_DID_INCLUDES
    ) -> list[AvailableDid]:
        """Lists specific numbers in stock (capped by DIDWW; filter e.g. `number_contains`)."""
        doc = await self._get("/available_dids", query(filters, include))
        return [AvailableDid.model_validate(d) for d in flatten_many(doc)]

    async def get_available_did(
        self, available_did_id: str, include: Iterable[str] = AVAILABLE_DID_INCLUDES
    ) -> AvailableDid:
        """Reads one number in stock, with its group (raises NotFound once it is gone)."""
        doc = await self._get(f"/available_dids/{available_did_id}", query(include=include))
        return AvailableDid.model_validate(flatten_one(doc))

    async def list_address_requirements(
        self, filters: Filters | None = None
    ) -> list[AddressRequirement]:
        """Lists the KYC requirements per country and type."""
        params = query(filters)
        return [
            AddressRequirement.model_validate(r)
            async for r in self.paginate("/address_requirements", params)
        ]

    async def get_balance(self) -> Balance:
        """Reads the account's balance."""
        return Balance.model_validate(flatten_one(await self._get("/balance")))

    async def create_did_reservation(
        self, available_did_id: str, description: str | None = None
    ) -> DidReservation:
        """Holds an available number for 10 minutes."""
        attributes = {"description": description} if description is not None else {}
        body = resource(
            "did_reservations", attributes, {"available_did": ("available_dids", available_did_id)}
        )
        params = query(include=("available_did",))
        doc = await self._send("POST", "/did_reservations", body, params)
        return DidReservation.model_validate(flatten_one(doc))

    async def list_did_reservations(self, filters: Filters | None = None) -> list[DidReservation]:
        """Lists the account's live reservations, e.g. `{"description": request_id}`."""
        params = query(filters, ("available_did",))
        return [
            DidReservation.model_validate(r)
            async for r in self.paginate("/did_reservations", params)
        ]

    async def delete_did_reservation(self, reservation_id: str) -> None:
        """Releases a reservation, returning its number to the pool."""
        await self._transport.request("DELETE", f"/did_reservations/{reservation_id}")

    async def create_order(
        self,
        items: Sequence[DidOrderItem],
        *,
        external_reference_id: str | None = None,
        callback_url: str | None = None,
        callback_method: str = "post",
        allow_back_ordering: bool | None = None,
    ) -> Order:
        """Places an order (charged at once); never retried after a timeout, see the class doc."""
        attributes: dict[str, Any] = {"items": [i.to_jsonapi() for i in items]}
        if external_reference_id is not None:
            attributes["external_reference_id"] = external_reference_id
        if callback_url is not None:
            attributes |= {"callback_url": callback_url, "callback_method": callback_method}
        if allow_back_ordering is not None:
            attributes["allow_back_ordering"] = allow_back_ordering
        doc = await self._send("POST", "/orders", resource("orders", attributes))
        return Order.model_validate(flatten_one(doc))

    async def get_order(self, order_id: str) -> Order:
        """Reads one order."""
        return Order.model_validate(flatten_one(await self._get(f"/orders/{order_id}")))

    async def list_orders(self, filters: Filters | None = None) -> list[Order]:
        """Lists orders, e.g. `{"external_reference_id": request_id}`."""
        return [Order.model_validate(o) async for o in self.paginate("/orders", query(filters))]

    async def cancel_order(self, order_id: str) -> None:
        """Cancels a pending order."""
        await self._transport.request("DELETE", f"/orders/{order_id}")

    async def list_dids(self, filters: Filters | None = None) -> list[Did]:
        """Lists the account's DIDs, e.g. `{"order.id": order.id}`."""
        params = query(filters, DID_INCLUDES)
        return [Did.model_validate(d) async for d in self.paginate("/dids", params)]

    async def get_did(self, did_id: str) -> Did:
        """Reads one DID."""
        doc = await self._get(f"/dids/{did_id}", query(include=DID_INCLUDES))
        return Did.model_validate(flatten_one(doc))

    async def point_did_at_trunk(self, did_id: str, trunk_id: str | None) -> Did:
        """Routes a DID's inbound calls to a voice_in_trunk (None unroutes it)."""
        ref = None if trunk_id is None else ("voice_in_trunks", trunk_id)
        return await self._update_did(did_id, {}, {"voice_in_trunk": ref})

    async def terminate_did(self, did_id: str) -> Did:
        """Releases a DID back to DIDWW; billing stops at once."""
        return await self._update_did(did_id, {"terminated": True}, None)

    async def create_voice_in_trunk(
        self, name: str, configuration: SipConfiguration, **attributes: Any
    ) -> VoiceInTrunk:
        """Creates an inbound SIP trunk; extra attributes e.g. `cli_format="e164"`."""
        attributes |= {"name": name, "configuration": configuration.to_jsonapi()}
        doc = await self._send("POST", "/voice_in_trunks", resource("voice_in_trunks", attributes))
        return VoiceInTrunk.model_validate(flatten_one(doc))

    async def get_voice_in_trunk(self, trunk_id: str) -> VoiceInTrunk:
        """Reads one trunk."""
        return VoiceInTrunk.model_validate(
            flatten_one(await self._get(f"/voice_in_trunks/{trunk_id}"))
        )

    async def list_voice_in_trunks(self, filters: Filters | None = None) -> list[VoiceInTrunk]:
        """Lists the account's trunks, e.g. `{"name": "tenant-1"}`."""
        params = query(filters)
        return [
            VoiceInTrunk.model_validate(t) async for t in self.paginate("/voice_in_trunks", params)
        ]

    async def update_voice_in_trunk(
        self, trunk_id: str, configuration: SipConfiguration | None = None, **attributes: Any
    ) -> VoiceInTrunk:
        """Updates a trunk; a configuration replaces the whole previous one."""
        if configuration is not None:
            attributes["configuration"] = configuration.to_jsonapi()
        body = resource("voice_in_trunks", attributes, id_=trunk_id)
        doc = await self._send("PATCH", f"/voice_in_trunks/{trunk_id}", body)
        return VoiceInTrunk.model_validate(flatten_one(doc))

    async def _update_did(
        self, did_id: str, attributes: dict[str, Any], relationships: dict[str, Any] | None
    ) -> Did:
        body = resource("dids", attributes, relationships, id_=did_id)
        doc = await self._send("PATCH", f"/dids/{did_id}", body, query(include=DID_INCLUDES))
        return Did.model_validate(flatten_one(doc))
