"""Ordering's decisions on hand-written fakes: one order per request, refusals, retries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from velo_contracts import (
    Actor,
    ErrorCode,
    KycFiling,
    NumberType,
    RequestNumber,
    Role,
    SpecificNumber,
)
from velo_didww import (
    AddressRequirement,
    AvailableDid,
    Country,
    DidGroup,
    DidGroupType,
    ErrorItem,
    InsufficientFunds,
    Order,
    RequirementNotMet,
    StockKeepingUnit,
    Unavailable,
)
from velo_ordering import domain, steps
from velo_ordering.domain import Refusal, Status, Step
from velo_ordering.known import Known

NOW = datetime(2026, 1, 1, tzinfo=UTC)
US = Country(id="c-us", name="United States", iso="US", prefix="1")


def group(kyc: bool = False) -> DidGroup:
    rule = AddressRequirement(
        id="r",
        identity_type="any",
        address_area_level="Country",
        personal_proof_qty=0,
        business_proof_qty=0,
        address_proof_qty=1,
        service_description_required=False,
        restriction_message="Needs an address.",
    )
    return DidGroup(
        id="g",
        prefix="1212",
        area_name="New York",
        features=["voice_in"],
        is_metered=False,
        allow_additional_channels=True,
        available_dids_enabled=True,
        country=US,
        did_group_type=DidGroupType(id="t", name="Local"),
        needs_registration=kyc,
        address_requirement=rule if kyc else None,
        stock_keeping_units=[
            StockKeepingUnit(
                id="sku",
                setup_price=Decimal(0),
                monthly_price=Decimal("0.5"),
                channels_included_count=2,
            )
        ],
    )


class FakeDidww:
    """Just enough of DIDWW for the steps; records what was asked of it."""

    def __init__(self, kyc: bool = False) -> None:
        self.missing: list[str] = []  # what DIDWW's dry run of a requirement finds missing
        self.validated: list[tuple[str, str | None, str | None]] = []
        self.orders: list[Order] = []
        self.lookups = 0
        self.reservations: list[str] = []
        self.fail_after_accepting = False
        self.insufficient = False
        self.group = group(kyc)

    async def list_countries(self, filters: Any) -> list[Country]:
        return [US]

    async def validate_address_requirement(
        self, requirement_id: str, *, identity_id: str | None, address_id: str | None
    ) -> None:
        self.validated.append((requirement_id, identity_id, address_id))
        if self.missing:
            items = tuple(
                ErrorItem("missing", f"{f} - is missing", "100", "422", f"/data/identity/{f}")
                for f in self.missing
            )
            raise RequirementNotMet("requirement not met", 422, items)

    async def list_available_dids(self, filters: Any) -> list[AvailableDid]:
        return [AvailableDid(id="a1", number="12125550100", did_group=self.group)]

    async def list_did_reservations(self, filters: Any) -> list[Any]:
        self.lookups += 1
        return []

    async def create_did_reservation(self, available_did_id: str, description: str) -> Any:
        self.reservations.append(available_did_id)
        return type("Reservation", (), {"id": "res-1"})()

    async def list_orders(self, filters: dict[str, str]) -> list[Order]:
        self.lookups += 1
        return [
            o for o in self.orders if o.external_reference_id == filters["external_reference_id"]
        ]

    async def create_order(
        self,
        items: Any,
        *,
        external_reference_id: str,
        callback_url: str,
        allow_back_ordering: bool,
    ) -> Order:
        self.back_ordering = allow_back_ordering
        if self.insufficient:
            raise InsufficientFunds("Insufficient funds", 400)
        order = Order(
            id=f"o{len(self.orders)}",
            reference="ABC-1",
            amount=Decimal("0.5"),
            status="pending",
            created_at=NOW,
            external_reference_id=external_reference_id,
        )
        self.orders.append(order)
        if self.fail_after_accepting:
            raise Unavailable("DIDWW did not answer POST /orders: ReadTimeout")
        return order


def context(
    didww: FakeDidww,
    document: dict[str, Any] | None = None,
    in_app_kyc: bool = False,
    kyc: KycFiling | None = None,
) -> steps.StepContext:
    pick = SpecificNumber(country="US", number_type=NumberType.LOCAL, number="+12125550100")
    command = RequestNumber(
        tenant_id="acme",
        actor=Actor(user_id="u1", role=Role.ADMIN),
        request_id="req-1",
        pick=pick,
        kyc=kyc,
    )
    doc = {"sku_id": "sku", "reservation_id": "res-1", "number": "+12125550100"} | (document or {})
    account = SimpleNamespace(in_app_kyc=in_app_kyc, allow_back_ordering=False)
    tenant = SimpleNamespace(didww=account)
    return steps.StepContext(command, doc, didww, tenant, "http://cb", 1.0, Known())  # type: ignore[arg-type]


async def test_an_order_timing_out_after_didww_accepted_it_is_found_not_placed_again() -> None:
    didww = FakeDidww()
    didww.fail_after_accepting = True
    with pytest.raises(Unavailable):
        await steps.order(context(didww, {"order_attempts": 1}))
    assert didww.back_ordering is False  # said explicitly: DIDWW back-orders by default
    assert didww.lookups == 0  # the first attempt: no order of this request can exist yet
    didww.fail_after_accepting = False

    progress = await steps.order(context(didww, {"order_attempts": 2}))
    assert len(didww.orders) == 1 and didww.lookups == 1
    assert progress.fields["order"]["id"] == "o0" and progress.status is Status.ORDERING


async def test_a_first_hold_spares_the_lookup_and_a_later_one_looks_for_its_own_first() -> None:
    didww = FakeDidww()
    await steps.reserve(context(didww, {"reserve_attempts": 1, "available_did_id": "a1"}))
    assert didww.lookups == 0 and didww.reservations == ["a1"]
    await steps.reserve(context(didww, {"reserve_attempts": 2, "available_did_id": "a1"}))
    assert didww.lookups == 1


async def test_a_request_stored_before_attempts_were_counted_always_looks_first() -> None:
    didww = FakeDidww()
    await steps.order(context(didww))  # no `order_attempts`: an earlier version may have ordered
    assert didww.lookups == 1 and len(didww.orders) == 1


async def test_a_kyc_pick_is_refused_with_its_requirement_before_anything_is_held() -> None:
    didww = FakeDidww(kyc=True)
    with pytest.raises(Refusal) as refused:
        await steps.check(context(didww))
    assert refused.value.reason is ErrorCode.KYC_REQUIRED
    assert refused.value.requirement and refused.value.requirement.address_proof_qty == 1
    assert didww.reservations == [] and didww.orders == []


FILING = KycFiling(identity_id="id-1", address_id="ad-1")


async def test_a_kyc_pick_of_an_in_app_tenant_without_documents_says_to_file_them_here() -> None:
    with pytest.raises(Refusal) as refused:
        await steps.check(context(FakeDidww(kyc=True), in_app_kyc=True))
    assert refused.value.reason is ErrorCode.KYC_REQUIRED
    assert "VeloConnect" in refused.value.detail


async def test_a_kyc_pick_with_documents_passes_didwws_dry_run_before_anything_is_held() -> None:
    didww = FakeDidww(kyc=True)
    progress = await steps.check(context(didww, in_app_kyc=True, kyc=FILING))
    assert didww.validated == [("r", "id-1", "ad-1")] and didww.reservations == []
    assert progress.step is Step.RESERVE
    assert progress.fields["kyc"]["identity_id"] == "id-1"


async def test_documents_short_of_the_requirement_refuse_the_request_naming_each_field() -> None:
    didww = FakeDidww(kyc=True)
    didww.missing = ["birth_date", "proofs"]
    with pytest.raises(Refusal) as refused:
        await steps.check(context(didww, in_app_kyc=True, kyc=FILING))
    assert refused.value.reason is ErrorCode.KYC_INCOMPLETE
    assert refused.value.status is Status.REJECTED
    assert "identity.birth_date" in refused.value.detail
    assert "identity.proofs" in refused.value.detail
    assert didww.reservations == [] and didww.orders == []


async def test_a_v1_tenant_is_refused_a_kyc_pick_even_with_documents() -> None:
    didww = FakeDidww(kyc=True)
    with pytest.raises(Refusal) as refused:
        await steps.check(context(didww, kyc=FILING))
    assert refused.value.reason is ErrorCode.KYC_REQUIRED and didww.validated == []


async def test_a_clean_pick_is_reserved_next_with_its_live_price() -> None:
    progress = await steps.check(context(FakeDidww()))
    assert progress.step is Step.RESERVE and progress.fields["available_did_id"] == "a1"
    assert progress.fields["facts"]["monthly_price"] == "0.5"


async def test_insufficient_funds_rejects_the_request_and_alerts_the_admin() -> None:
    didww = FakeDidww()
    didww.insufficient = True
    with pytest.raises(Refusal) as refused:
        await steps.order(context(didww))
    assert refused.value.status is Status.REJECTED
    outcome, alert = domain.refused(context(didww).command, refused.value)
    assert outcome.type == "NumberRequestRejected" and alert.recipient == "u1"


def test_a_vendor_refusal_fails_the_request_rather_than_rejecting_it() -> None:
    assert Refusal(ErrorCode.VENDOR_REJECTED, "401").status is Status.FAILED


def test_retries_back_off_to_a_cap_and_alert_once_past_the_threshold() -> None:
    assert [domain.retry_delay(n, 1, 10) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]
    assert not domain.should_alert_stuck(4, 5, alerted=False)
    assert domain.should_alert_stuck(5, 5, alerted=False)
    assert not domain.should_alert_stuck(9, 5, alerted=True)
