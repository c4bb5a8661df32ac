"""The sandbox's world: shared number inventory, accounts, reservations, DIDs and trunks."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from velo_sandbox.didww.catalog import Catalog, DidGroup, Number
from velo_sandbox.didww.clock import Clock
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.records import Account, Did, Records, Reservation, Trunk

RESERVATION_TTL = timedelta(minutes=10)
BILLING_PERIOD = timedelta(days=30)


class SandboxState:
    """All the sandbox knows, with the operations DIDWW performs on it."""

    def __init__(self, catalog: Catalog, records: Records, clock: Clock) -> None:
        self.catalog = catalog
        self.records = records
        self.clock = clock
        self.cancel_next_orders = 0
        self.orders_by_reference: Counter[str] = Counter()

    def account(self, api_key: str) -> Account | None:
        """Returns the account of api_key, if there is one."""
        return self.records.accounts.get(api_key)

    def add_account(
        self, api_key: str, balance: Decimal, callback_secret: str | None = None
    ) -> Account:
        """Creates (or replaces) the account of api_key, with its callback secret if enabled."""
        account = Account(api_key=api_key, balance=balance, callback_secret=callback_secret)
        self.records.accounts[api_key] = account
        return account

    def expire_reservations(self, only: str | None = None) -> int:
        """Releases reservations past their expiry (or `only` now); returns how many."""
        now = self.clock.now()
        lapsed = [
            r for r in self.records.reservations.values() if r.expires_at <= now or r.id == only
        ]
        for reservation in lapsed:
            self._drop_reservation(reservation)
        return len(lapsed)

    def is_available(self, number: Number) -> bool:
        """Tells whether nobody holds number."""
        return number.id not in self.records.holds

    def available_numbers(self) -> Iterator[Number]:
        """Yields the numbers nobody holds."""
        self.expire_reservations()
        return (n for n in self.catalog.numbers if n.id not in self.records.holds)

    def free_numbers(self, group_id: str) -> list[Number]:
        """Returns the free numbers of a group."""
        self.expire_reservations()
        holds = self.records.holds
        return [n for n in self.catalog.numbers_by_group[group_id] if n.id not in holds]

    def stock(self, group_id: str) -> int:
        """Counts the free numbers of a group."""
        return len(self.free_numbers(group_id))

    def add_stock(self, group: DidGroup, count: int) -> list[Number]:
        """Adds count new numbers to group (kept across restarts); returns them."""
        self.records.restocked[group.id] = self.records.restocked.get(group.id, 0) + count
        return self.catalog.restock(group, count)

    def reserve(self, api_key: str, number_id: str, description: str | None) -> Reservation:
        """Holds an available number for 10 minutes."""
        self.expire_reservations()
        number = self.catalog.by_id.get(number_id)
        pointer = "/data/relationships"
        if not isinstance(number, Number) or not number.group.available_dids_enabled:
            raise invalid("available_did", "is invalid", pointer)
        if not self.is_available(number):
            raise invalid("available_did", "has already been taken", pointer)
        now = self.clock.now()
        reservation = Reservation(
            id=new_id(),
            api_key=api_key,
            number_id=number.id,
            description=description,
            created_at=now,
            expires_at=now + RESERVATION_TTL,
        )
        self.records.reservations[reservation.id] = reservation
        self.records.holds[number.id] = reservation.id
        return reservation

    def reservation(self, api_key: str, reservation_id: str) -> Reservation:
        """Returns a live reservation of the account or raises 404."""
        self.expire_reservations()
        found = self.records.reservations.get(reservation_id)
        if found is None or found.api_key != api_key:
            raise not_found("did_reservations", reservation_id)
        return found

    def release_reservation(self, api_key: str, reservation_id: str) -> None:
        """Ends a reservation, freeing its number."""
        self._drop_reservation(self.reservation(api_key, reservation_id))

    def _drop_reservation(self, reservation: Reservation) -> None:
        del self.records.reservations[reservation.id]
        if self.records.holds.get(reservation.number_id) == reservation.id:
            del self.records.holds[reservation.number_id]

    def deliver(self, api_key: str, number: Number, order_id: str | None) -> Did:
        """Puts number into the account as a DID."""
        now = self.clock.now()
        kyc = number.group.requirement is not None and order_id is not None
        did = Did(
            id=new_id(),
            api_key=api_key,
            number_id=number.id,
            number=number.number,
            group_id=number.group.id,
            order_id=order_id,
            created_at=now,
            expires_at=now + BILLING_PERIOD,
            awaiting_registration=kyc,
            blocked=kyc,
        )
        self.records.dids[did.id] = did
        self.records.holds[number.id] = did.id
        return did

    def dids(self, api_key: str) -> list[Did]:
        """Returns the account's DIDs, oldest first."""
        return [d for d in self.records.dids.values() if d.api_key == api_key]

    def did(self, api_key: str, did_id: str) -> Did:
        """Returns one DID of the account or raises 404."""
        found = self.records.dids.get(did_id)
        if found is None or found.api_key != api_key:
            raise not_found("dids", did_id)
        return found

    def terminate(self, did: Did) -> None:
        """Cancels a DID: billing stops and the number returns to the pool."""
        did.terminated, did.blocked, did.billing_cycles_count = True, True, 0
        if self.records.holds.get(did.number_id) == did.id:
            del self.records.holds[did.number_id]

    def route(self, did: Did, trunk_id: str | None) -> None:
        """Points a DID at one of its account's trunks (None unroutes it)."""
        if trunk_id is not None:
            trunk = self.records.trunks.get(trunk_id)
            if trunk is None or trunk.api_key != did.api_key:
                raise invalid("voice_in_trunk", "is invalid", "/data/relationships")
        did.trunk_id = trunk_id

    def trunks(self, api_key: str) -> list[Trunk]:
        """Returns the account's trunks."""
        return [t for t in self.records.trunks.values() if t.api_key == api_key]

    def trunk(self, api_key: str, trunk_id: str) -> Trunk:
        """Returns one trunk of the account or raises 404."""
        found = self.records.trunks.get(trunk_id)
        if found is None or found.api_key != api_key:
            raise not_found("voice_in_trunks", trunk_id)
        return found

    def save_trunk(self, trunk: Trunk) -> Trunk:
        """Stores a trunk, refusing a name another trunk of the account has."""
        if any(t.name == trunk.name and t.id != trunk.id for t in self.trunks(trunk.api_key)):
            raise invalid("name", "has already been taken")
        self.records.trunks[trunk.id] = trunk
        return trunk


def new_id() -> str:
    """Returns a fresh resource id."""
    return str(uuid.uuid4())
