"""Completes orders after a delay and delivers DIDWW's callbacks signed with the callback secret."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from velo_sandbox.didww.callbacks import CallbackSender
from velo_sandbox.didww.catalog import DidGroup
from velo_sandbox.didww.ordering import cancel_order, fill_backorders, finish_order
from velo_sandbox.didww.records import Order
from velo_sandbox.didww.state import SandboxState

log = logging.getLogger("velo_sandbox.didww")


@dataclass(frozen=True)
class Delivery:
    """One callback the sandbox tried to send."""

    order_id: str
    status: str
    url: str
    http_status: int | None


class Fulfilment:
    """Finishes pending orders in the background and notifies their callback URLs."""

    def __init__(
        self, state: SandboxState, delay: float, sender: CallbackSender | None = None
    ) -> None:
        self.state = state
        self.delay = delay
        self.sender = sender or CallbackSender()
        self.deliveries: list[Delivery] = []
        self.withheld: list[str] = []
        """Orders whose callback was not sent: their account had no callback secret enabled."""
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, order: Order) -> None:
        """Finishes order after the configured delay."""
        task = asyncio.get_running_loop().create_task(self._finish_later(order.id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel(self, order: Order) -> None:
        """Cancels a pending order at the customer's request and notifies it."""
        cancel_order(self.state, order)
        self._notify_soon(order)

    def restock(self, group: DidGroup, count: int) -> list[Order]:
        """Adds stock to group and hands it to waiting back-orders, oldest first; those now
        whole complete after the usual delay. Returns them."""
        self.state.add_stock(group, count)
        filled = fill_backorders(self.state, group)
        for order in filled:
            self.schedule(order)
        return filled

    async def finish_now(self, order: Order) -> None:
        """Completes (or, on a fault, cancels) order if it can be, and calls back if it ended."""
        finish_order(self.state, order)
        if order.status != "pending":
            await self.notify(order)

    async def _finish_later(self, order_id: str) -> None:
        await asyncio.sleep(self.delay)
        order = self.state.records.orders.get(order_id)
        if order is not None and order.status == "pending":
            await self.finish_now(order)

    def _notify_soon(self, order: Order) -> None:
        task = asyncio.get_running_loop().create_task(self.notify(order))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def notify(self, order: Order) -> None:
        """Sends the order's callback signed with the account's callback secret, retrying a few
        times on failure; DIDWW sends none while the account has no callback secret enabled."""
        if not order.callback_url:
            return
        account = self.state.account(order.api_key)
        secret = account.callback_secret if account is not None else None
        if not secret:
            self.withheld.append(order.id)
            log.info("callback withheld: no callback secret", extra={"order_id": order.id})
            return
        payload = {"id": order.id, "type": "orders", "status": order.status}
        http_status = await self.sender.send(
            secret, order.callback_url, order.callback_method, payload
        )
        self.deliveries.append(Delivery(order.id, order.status, order.callback_url, http_status))

    def resume(self) -> None:
        """Schedules every pending order again (after loading persisted state)."""
        for order in self.state.records.orders.values():
            if order.status == "pending":
                self.schedule(order)

    async def aclose(self) -> None:
        """Stops pending work."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sender.aclose()
