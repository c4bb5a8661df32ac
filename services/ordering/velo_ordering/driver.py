"""Moves requests through their steps, one worker per request at a time (a claim on its document).

Called when a command is accepted, when DIDWW's callback arrives, and by the recovery loop for
every request whose next try is due — so a crash between any two steps only delays a request.
At most `concurrent_requests` are worked on at once; a request whose order is placed goes before
the ones not yet ordered (a bulk's next children must not hold up the numbers already bought).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from velo_contracts import AlertSeverity, ErrorCode, RequestNumber
from velo_contracts.envelope import utc_now
from velo_contracts.tenants import TenantConfigured
from velo_didww import DidwwError, RateLimited, Unavailable
from velo_offers import TenantAccounts
from velo_ordering import domain, registration
from velo_ordering.domain import Progress, Refusal, Status, Step
from velo_ordering.gate import PriorityGate
from velo_ordering.known import Known
from velo_ordering.numbers import NumberStore
from velo_ordering.settings import OrderingSettings
from velo_ordering.steps import STEPS, StepContext, attempts_field, order_age_seconds
from velo_ordering.store import RequestStore, is_finished
from velo_runtime import get_logger, tracing
from velo_runtime.documents import Conflict
from velo_runtime.outbox import TRACE, OutboxRelay
from velo_tenants import SealingError, UnknownTenant

Document = dict[str, Any]
TRANSIENT = (Unavailable, RateLimited, UnknownTenant, SealingError, Conflict)
"""Failures a later try may get past: DIDWW down, tenant settings missing or unreadable."""
log = get_logger(__name__)
ALL_STEPS = STEPS | registration.STEPS
HOLDS = (Status.APPROVED, Status.REGISTERING)


def callback_url(settings: OrderingSettings, tenant_id: str, request_id: str) -> str:
    """Returns the signed-callback URL DIDWW calls when the request's order changes."""
    query = urlencode({"tenant": tenant_id, "request": request_id})
    return f"{settings.public_base_url.rstrip('/')}/didww/callbacks?{query}"


class Driver:
    """Advances requests at DIDWW and writes each outcome together with its events."""

    def __init__(
        self,
        store: RequestStore,
        numbers: NumberStore,
        relay: OutboxRelay,
        accounts: TenantAccounts,
        settings: OrderingSettings,
    ) -> None:
        self.store, self.numbers, self.relay = store, numbers, relay
        self.accounts, self.settings = accounts, settings
        self.known = Known()
        self._polling_only: set[str] = set()
        self._busy: set[str] = set()
        self._slots = PriorityGate(settings.concurrent_requests)

    async def advance(self, key: str) -> None:
        """Runs the request's steps until it waits, ends, or DIDWW fails for now."""
        if key in self._busy:  # this instance is on it already
            return
        self._busy.add(key)
        try:
            seen = await self.store.docs.load(key)
            ordered = seen is not None and bool(seen.get("order"))
            async with self._slots.slot(urgent=ordered):
                document = await self.store.claim(key)
                if document is not None:
                    await self._work(key, document)
        finally:
            self._busy.discard(key)

    async def _work(self, key: str, document: Document) -> None:
        try:  # in the request's own trace, whether resumed by a command, a callback or a poll
            with tracing.continued("advance request", document.get(TRACE)):
                await self._run(document)
                await self.relay.relay(key)
        finally:
            await self.store.release(key)

    async def _run(self, document: Document) -> None:
        command = RequestNumber.model_validate(document["command"])
        current: Document | None = document
        while current is not None and not is_finished(current):
            counter = attempts_field(Step(current["step"]))
            if counter in current:  # a write at DIDWW: counted before it is made
                attempts = {counter: int(current[counter]) + 1}
                current = await self.store.save(current["_id"], attempts)
                if current is None:
                    return
            try:
                progress = await self._step(command, current)
            except Refusal as refusal:
                await self._end(current, command, refusal)
                return
            except TRANSIENT as exc:
                await self._retry_later(current, command, exc)
                return
            except DidwwError as exc:
                rejected = Refusal(ErrorCode.VENDOR_REJECTED, f"DIDWW refused a step: {exc}")
                await self._end(current, command, rejected)
                return
            current = await self._save(current, command, progress)
            if progress.wait_seconds is not None:
                return

    async def _step(self, command: RequestNumber, document: Document) -> Progress:
        context = StepContext(
            command=command,
            document=document,
            didww=await self.accounts.client(command.tenant_id),
            tenant=(tenant := await self.accounts.config(command.tenant_id)),
            callback_url=self._callback_url(tenant, command.request_id),
            poll_interval=self.settings.poll_interval_seconds,
            known=self.known,
        )
        return await ALL_STEPS[Step(document["step"])](context)

    def _callback_url(self, tenant: TenantConfigured, request_id: str) -> str | None:
        """Returns where DIDWW calls back — only for a tenant with a callback secret: DIDWW sends
        callbacks only while one is enabled (said once per tenant when it has none)."""
        if tenant.didww.callback_secret:
            return callback_url(self.settings, tenant.tenant_id, request_id)
        if tenant.tenant_id not in self._polling_only:
            self._polling_only.add(tenant.tenant_id)
            log.warning(
                "didww_callbacks_off",
                tenant_id=tenant.tenant_id,
                detail="the tenant has no DIDWW callback secret: DIDWW sends no order callbacks, "
                f"so pending orders are polled every {self.settings.poll_interval_seconds:g} s",
            )
        return None

    async def _save(
        self, document: Document, command: RequestNumber, progress: Progress
    ) -> Document | None:
        now = utc_now()
        fields = {**progress.fields, "step": str(progress.step), "attempts": 0}
        fields["due_at"] = now + timedelta(seconds=progress.wait_seconds or 0)
        if progress.status is not None:
            fields["status"] = str(progress.status)
        events = progress.events + self._overdue_alert(document, command, fields)
        if progress.status in HOLDS and "did_id" in fields:  # delivered: the tenant holds it
            await self.numbers.record_live(
                command.tenant_id, fields["number"], fields["did_id"], "order", document["facts"]
            )
        return await self.store.save(document["_id"], fields, events)

    def _overdue_alert(
        self, document: Document, command: RequestNumber, fields: Document
    ) -> tuple[Any, ...]:
        overdue = order_age_seconds(document, utc_now()) > self.settings.order_timeout_seconds
        if not overdue or document.get("alerted_stuck"):
            return ()
        fields["alerted_stuck"] = True
        detail = "DIDWW has not completed the order yet; ordering keeps checking it."
        return (
            domain.alert(command, ErrorCode.STUCK, "A number order is taking long", None, detail),
        )

    async def _end(self, document: Document, command: RequestNumber, refusal: Refusal) -> None:
        log.info(
            "request_refused",
            request_id=command.request_id,
            reason=str(refusal.reason),
            detail=refusal.detail,
        )
        await self._drop_reservation(command, document)
        fields = {"status": str(refusal.status), "step": str(Step.DONE)}
        fields |= {"reason": str(refusal.reason), "detail": refusal.detail}
        await self.store.save(document["_id"], fields, domain.refused(command, refusal))

    async def _drop_reservation(self, command: RequestNumber, document: Document) -> None:
        if not document.get("reservation_id") or document.get("order"):
            return
        try:
            didww = await self.accounts.client(command.tenant_id)
            await didww.delete_did_reservation(document["reservation_id"])
        except DidwwError:
            log.warning("reservation_not_dropped", request_id=command.request_id)

    async def _retry_later(
        self, document: Document, command: RequestNumber, error: Exception
    ) -> None:
        attempts = int(document.get("attempts", 0)) + 1
        delay = domain.retry_delay(
            attempts, self.settings.retry_base_seconds, self.settings.retry_max_seconds
        )
        log.warning("request_step_failed_will_retry", attempt=attempts, error=str(error)[:300])
        fields: Document = {"attempts": attempts, "due_at": utc_now() + timedelta(seconds=delay)}
        fields["last_error"] = str(error)[:500]
        events: tuple[Any, ...] = ()
        threshold = self.settings.alert_after_attempts
        if domain.should_alert_stuck(attempts, threshold, bool(document.get("alerted_stuck"))):
            fields["alerted_stuck"] = True
            detail = f"DIDWW keeps failing ({error}); ordering keeps retrying the request."
            code = ErrorCode.VENDOR_UNAVAILABLE
            events = (
                domain.alert(
                    command,
                    code,
                    "A number request is delayed",
                    None,
                    detail,
                    AlertSeverity.CRITICAL,
                ),
            )
        await self.store.save(document["_id"], fields, events)
