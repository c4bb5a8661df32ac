"""Completes orders after a delay and delivers DIDWW's callbacks signed with the callback secret."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from velo_sandbox.didww.catalog import DidGroup
from velo_sandbox.didww.ordering import cancel_order, fill_backorders, finish_order
from velo_sandbox.didww.records import Order
from velo_sandbox.didww.signing import signature
from velo_sandbox.didww.state import SandboxState

log = logging.getLogger("velo_sandbox.didww")
CALLBACK_ATTEMPTS = 3


@dataclass(frozen=True)
class Delivery:
    """One callback the sandbox tried to send."""

    order_id: str
    status: str
    url: str
    http_status: int | None


class Fulfilment:
    """Finishes pending orders in the background and notifies their callback URLs."""

    def __init__(self, state: SandboxState, delay: float, timeout: float = 5.0) -> None:
        self.state = state
        self.delay = delay
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self.withheld: list[str] = []
        """Orders whose callback was not sent: their account had no callback secret enabled."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        """One client for every callback: making one costs ~50 ms of CPU (its TLS context), so a
        client per callback stalled the sandbox for a second when a bulk's orders completed
        together — and then it counted the requests queued meanwhile as one burst (429s)."""

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
        headers = {"X-DIDWW-Signature": signature(secret, order.callback_url, payload)}
        http_status = None
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        for attempt in range(CALLBACK_ATTEMPTS):
            http_status = await self._send(self._http, order, payload, headers)
            if http_status is not None and http_status < 300:
                break
            await asyncio.sleep(0.2 * 2**attempt)
        self.deliveries.append(Delivery(order.id, order.status, order.callback_url, http_status))

    @staticmethod
    async def _send(
        http: httpx.AsyncClient, order: Order, payload: dict[str, str], headers: dict[str, str]
    ) -> int | None:
        url = order.callback_url or ""
        try:
            if order.callback_method == "get":
                response = await http.get(url, params=payload, headers=headers)
            else:
                response = await http.post(url, data=payload, headers=headers)
        except httpx.HTTPError as exc:
            log.warning(
                "callback failed", extra={"order_id": order.id, "error": type(exc).__name__}
            )
            return None
        return response.status_code

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
        if self._http is not None:
            await self._http.aclose()
            self._http = None
