"""Compares a tenant's DIDWW account with what ordering knows, and announces the differences.

A DID at DIDWW that no request ordered (e.g. a KYC number delivered once documents were filed
directly) is imported; a number ordering holds live that DIDWW shows terminated is an alert.
Its DIDWW calls go at background priority: on the key's spare capacity, after searches and
requests in flight (`velo_didww.schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from velo_contracts import Actor, AdminAlertRaised, AlertSeverity, ErrorCode, NumberImported
from velo_contracts.envelope import stable_id
from velo_didww import Did, DidwwClient, Priority
from velo_offers import TenantAccounts, e164, number_facts
from velo_ordering.numbers import NumberStatus, NumberStore
from velo_ordering.store import RequestStore
from velo_runtime.outbox import OutboxRelay

SYSTEM = Actor.system("ordering")


@dataclass
class Reconciliation:
    """What one reconciliation of a tenant found."""

    imported: list[str] = field(default_factory=list)
    gone_at_didww: list[str] = field(default_factory=list)


class Reconciler:
    """Reconciles tenants' DIDWW accounts with the numbers collection."""

    def __init__(
        self,
        accounts: TenantAccounts,
        requests: RequestStore,
        numbers: NumberStore,
        relay: OutboxRelay,
    ) -> None:
        self.accounts, self.requests, self.numbers, self.relay = accounts, requests, numbers, relay

    async def reconcile(self, tenant_id: str) -> Reconciliation:
        """Imports unknown DIDs of the tenant and alerts on numbers DIDWW no longer has."""
        didww = await self.accounts.client(tenant_id, Priority.BACKGROUND)
        dids = await didww.list_dids()
        ours = await self.requests.order_ids(tenant_id)
        live = {doc["number"]: doc for doc in await self.numbers.live(tenant_id)}
        found = Reconciliation()
        for did in dids:
            if not did.terminated and e164(did.number) not in live and did.order_id not in ours:
                await self._import(didww, tenant_id, did)
                found.imported.append(e164(did.number))
        held = {e164(d.number) for d in dids if not d.terminated}
        for number in sorted(set(live) - held):
            await self._report_gone(tenant_id, number)
            found.gone_at_didww.append(number)
        return found

    async def _import(self, didww: DidwwClient, tenant_id: str, did: Did) -> None:
        group = await didww.get_did_group(did.did_group_id or "")
        facts = number_facts(group)
        event = NumberImported(
            tenant_id=tenant_id,
            actor=SYSTEM,
            number=e164(did.number),
            didww_did_id=did.id,
            facts=facts,
        )
        number = e164(did.number)
        if await self.numbers.import_found(
            tenant_id, number, did.id, facts.model_dump(mode="json"), event
        ):
            await self.relay.relay(f"{tenant_id}/{number}")

    async def _report_gone(self, tenant_id: str, number: str) -> None:
        alert = AdminAlertRaised(
            tenant_id=tenant_id,
            actor=SYSTEM,
            alert_id=stable_id(tenant_id, number, ErrorCode.DRIFT_DETECTED),
            severity=AlertSeverity.CRITICAL,
            code=ErrorCode.DRIFT_DETECTED,
            title="A number is no longer in your DIDWW account",
            detail=f"{number} shows as terminated (or missing) at DIDWW but was active here.",
            number=number,
        )
        if await self.numbers.leave(tenant_id, number, NumberStatus.GONE_AT_DIDWW, [alert]):
            await self.relay.relay(f"{tenant_id}/{number}")
