"""Gives a tenant's number back to DIDWW: billing stops; a second release changes nothing."""

from __future__ import annotations

from velo_contracts import NumberReleased, ReleaseNumber
from velo_contracts.envelope import utc_now
from velo_didww import Did, DidwwClient
from velo_offers import TenantAccounts
from velo_ordering.numbers import NumberStatus, NumberStore, number_key
from velo_runtime import get_logger
from velo_runtime.outbox import OutboxRelay

log = get_logger(__name__)


async def release_number(
    command: ReleaseNumber, accounts: TenantAccounts, numbers: NumberStore, relay: OutboxRelay
) -> None:
    """Terminates the number in the tenant's own DIDWW account and records it released."""
    didww = await accounts.client(command.tenant_id)
    did = await _live_did(didww, command.number)
    known = await numbers.get(command.tenant_id, command.number)
    if did is None:
        log.info("release_ignored_not_held", number=command.number)
        if known is not None:
            await relay.relay(known["_id"])
        return
    terminated = await didww.terminate_did(did.id)
    if known is None:
        await numbers.record_live(command.tenant_id, command.number, did.id, "release", {})
    event = NumberReleased.caused_by(
        command, number=command.number, didww_did_id=terminated.id, billing_stopped_at=utc_now()
    )
    await numbers.leave(command.tenant_id, command.number, NumberStatus.RELEASED, [event])
    await relay.relay(number_key(command.tenant_id, command.number))


async def _live_did(didww: DidwwClient, number: str) -> Did | None:
    """Returns the tenant's not-yet-terminated DID of number, if it holds one."""
    dids = await didww.list_dids({"number": number.lstrip("+")})
    return next((d for d in dids if not d.terminated), None)
