"""Gives a tenant's number back to DIDWW: billing stops; a second release changes nothing."""

from __future__ import annotations

from velo_contracts import (
    AdminAlertRaised,
    AlertSeverity,
    ErrorCode,
    NumberReleased,
    ReleaseNumber,
)
from velo_contracts.envelope import utc_now
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
    status = known.get("status") if known else None
    if did is None and status == NumberStatus.RELEASED:
        assert known is not None
        if known.get("left_by") == command.message_id:  # this very release, redelivered: done
            await relay.relay(number_key(command.tenant_id, command.number))
        else:  # another release, after the first: said, not silently dropped
            await _refused(command, numbers, relay, ALREADY)
        return
    if did is None and status != NumberStatus.LIVE:
        await _refused(command, numbers, relay, NOT_HELD)
        return
    if did is None:  # we held it, DIDWW no longer does: billing has stopped already
        assert known is not None
        log.warning("release_found_number_gone_at_didww", number=command.number)
        did_id, stopped_at = str(known["did_id"]), utc_now()
    else:
        terminated = await didww.terminate_did(did.id)
        did_id, stopped_at = terminated.id, utc_now()
        if known is None:
            await numbers.record_live(command.tenant_id, command.number, did.id, "release", {})
    event = NumberReleased.caused_by(
        command, number=command.number, didww_did_id=did_id, billing_stopped_at=stopped_at
    )
    await numbers.leave(command.tenant_id, command.number, NumberStatus.RELEASED, [event])
    await relay.relay(number_key(command.tenant_id, command.number))


NOT_HELD = "not_held"
"""A release of a number the tenant's DIDWW account does not hold (and we never saw it held)."""
ALREADY = "already_released"
"""A release of a number an earlier release gave back already (a double click, a second admin)."""


async def _refused(
    command: ReleaseNumber, numbers: NumberStore, relay: OutboxRelay, why: str
) -> None:
    """Tells the admin the release did not happen, and why."""
    code = ErrorCode.RELEASE_REFUSED
    if why == ALREADY:
        code, severity = ErrorCode.ALREADY_RELEASED, AlertSeverity.INFO
        detail = "An earlier release already gave it back to DIDWW; nothing more was done."
    elif why == NOT_HELD:
        severity = AlertSeverity.WARNING
        detail = "Your DIDWW account holds no such number, so nothing was released or billed."
    else:
        severity = AlertSeverity.CRITICAL
        detail = f"DIDWW refused to terminate it ({why}); it is still yours and still billed."
    log.warning("release_refused", number=command.number, error=why[:300])
    alert = AdminAlertRaised.to_sender(
        command,
        code,
        severity=severity,
        title=f"{command.number} was {'already' if why == ALREADY else 'not'} released",
        detail=detail,
        number=command.number,
    )
    if not await numbers.note(command.tenant_id, command.number, [alert]):
        raise RuntimeError("the release refusal could not be recorded")  # retried
    await relay.relay(number_key(command.tenant_id, command.number))


async def _live_did(didww: DidwwClient, number: str) -> Did | None:
    """Returns the tenant's not-yet-terminated DID of number, if it holds one."""
    dids = await didww.list_dids({"number": number.lstrip("+")})
    return next((d for d in dids if not d.terminated), None)
