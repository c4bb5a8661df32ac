"""DIDWW's review desk: approves or rejects pending address verifications (by an admin call, or
automatically after a delay) and calls back each one's URL, signed with the callback secret.

The callback is DIDWW's usual one: `id=<verification id>&status=approved|rejected&type=
address_verifications`, form-encoded (POST) or as a query (GET), with `X-DIDWW-Signature`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from velo_sandbox.didww.callbacks import CallbackSender
from velo_sandbox.didww.regulation import Regulation
from velo_sandbox.didww.regulation_records import AddressVerification
from velo_sandbox.didww.state import SandboxState
from velo_sandbox.didww.verifications import (
    AUTO_REJECT_COMMENT,
    AUTO_REJECT_REASONS,
    approve,
    automatic_verdict,
    reject,
)

log = logging.getLogger("velo_sandbox.didww")


@dataclass(frozen=True)
class VerificationDelivery:
    """One verification callback the sandbox tried to send."""

    verification_id: str
    status: str
    url: str
    http_status: int | None


class Review:
    """Reviews pending address verifications and notifies their callback URLs."""

    def __init__(self, state: SandboxState, delay: float | None = None) -> None:
        self.regulation = Regulation(state)
        self.delay = delay
        """Seconds before a pending verification is reviewed automatically (None: by admin)."""
        self.sender = CallbackSender()
        self.deliveries: list[VerificationDelivery] = []
        self.withheld: list[str] = []
        """Verifications whose callback was not sent: no callback secret was enabled."""
        self._tasks: set[asyncio.Task[None]] = set()

    def submitted(self, verification: AddressVerification) -> None:
        """Reviews a new verification after the delay, when automatic review is on."""
        if self.delay is not None:
            self._start(self._review_later(verification.id, self.delay))

    def automatic(self, delay: float | None) -> None:
        """Turns automatic review on (after delay seconds) or off (None); on, every pending
        verification is reviewed after the delay."""
        self.delay = delay
        self.resume()

    def resume(self) -> None:
        """Schedules every pending verification again (after loading persisted state)."""
        for verification in self.regulation.records.verifications.values():
            if verification.status == "pending":
                self.submitted(verification)

    async def approve(self, verification: AddressVerification) -> None:
        """Approves a pending verification and calls back."""
        approve(self.regulation, verification)
        await self.notify(verification)

    async def reject(
        self, verification: AddressVerification, reasons: list[str], comment: str | None
    ) -> None:
        """Rejects a pending verification with reasons and calls back."""
        reject(self.regulation, verification, reasons, comment)
        await self.notify(verification)

    async def _review_later(self, verification_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        verification = self.regulation.records.verifications.get(verification_id)
        if verification is None or verification.status != "pending" or self.delay is None:
            return
        if automatic_verdict(self.regulation, verification):
            await self.approve(verification)
        else:
            await self.reject(verification, AUTO_REJECT_REASONS, AUTO_REJECT_COMMENT)

    async def notify(self, verification: AddressVerification) -> None:
        """Sends the verification's callback; none while the account has no callback secret."""
        url = verification.callback_url
        if not url:
            return
        account = self.regulation.state.account(verification.api_key)
        secret = account.callback_secret if account is not None else None
        if not secret:
            self.withheld.append(verification.id)
            log.info("callback withheld: no callback secret", extra={"id": verification.id})
            return
        payload = {
            "id": verification.id,
            "type": "address_verifications",
            "status": verification.status,
        }
        http_status = await self.sender.send(secret, url, verification.callback_method, payload)
        delivery = VerificationDelivery(verification.id, verification.status, url, http_status)
        self.deliveries.append(delivery)

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Stops pending work."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sender.aclose()
