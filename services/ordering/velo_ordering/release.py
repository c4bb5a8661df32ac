"""Gives a tenant's number back to DIDWW: billing stops; a second release changes nothing."""

from __future__ import annotations

from velo_contracts import (
    AdminAlertRaised,
    AlertSeverity,
    ErrorCode,
    NumberReleased,
    ReleaseNumber,
)
from velo_contracts.envelope import stable_id, utc_now
from velo_didww import Did, DidwwClient, DidwwError, RateLimited, Unavailable
from velo_offers import TenantAccounts
from velo_ordering.numbers import NumberStatus, NumberStore, number_key
from velo_runtime import get_logger
from velo_runtime.outbox import OutboxRelay

log = get_logger(__name__)
TRANSIENT = (Unavailable, RateLimited)


async def release_number(
    command: ReleaseNumber, accounts: TenantAccounts, numbers: NumberStore, relay: OutboxRelay
) -> None:
    """Terminates the number in the tenant's own DIDWW account and records it released.

    DIDWW down or throttling: raised, so the command is retried. DIDWW refusing: the admin who
    asked is alerted and the number stays theirs (and billed).
    """
    try:
        await _release(command, accounts, numbers, relay)
    except TRANSIENT:
        raise
    except DidwwError as exc:
        await _refused(command, numbers, relay, str(exc))


async def _release(
    command: ReleaseNumber, accounts: TenantAccounts, numbers: NumberStore, relay: OutboxRelay
) -> None:
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


async def _refused(
    command: ReleaseNumber, numbers: NumberStore, relay: OutboxRelay, why: str
) -> None:
    """Tells the admin DIDWW refused the release: the number stays theirs (and billed)."""
    log.warning("release_refused_by_didww", number=command.number, error=why[:300])
    alert = AdminAlertRaised.caused_by(
        command,
        alert_id=stable_id(command.tenant_id, command.command_id, ErrorCode.RELEASE_REFUSED),
        recipient=command.actor.user_id,
        severity=AlertSeverity.CRITICAL,
        code=ErrorCode.RELEASE_REFUSED,
        title=f"{command.number} was not released",
        detail=f"DIDWW refused to terminate it ({why}); it is still yours and still billed.",
        number=command.number,
    )
    if not await numbers.note(command.tenant_id, command.number, [alert]):
        raise RuntimeError("the release refusal could not be recorded")  # retried
    await relay.relay(number_key(command.tenant_id, command.number))


async def _live_did(didww: DidwwClient, number: str) -> Did | None:
    """Returns the tenant's not-yet-terminated DID of number, if it holds one."""
    dids = await didww.list_dids({"number": number.lstrip("+")})
    return next((d for d in dids if not d.terminated), None)
