"""Users, extension-number lookup, call queues and ring groups."""

from __future__ import annotations

from collections.abc import Callable

from velo_portsip import caller_ids
from velo_portsip.errors import NotFound
from velo_portsip.models import (
    CallQueue,
    ExtensionNumber,
    OutboundCallerId,
    RingGroup,
    User,
    UserSummary,
)
from velo_portsip.transport import Transport

Edit = Callable[[list[OutboundCallerId]], list[OutboundCallerId]]


class Users:
    """Reads users and edits their outbound caller IDs."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def list(self) -> list[UserSummary]:
        """Returns every user of the tenant."""
        return [UserSummary.model_validate(i) async for i in self._t.pages("/users")]

    async def get(self, user_id: str) -> User:
        """Returns a user with its outbound caller IDs."""
        return User.model_validate(await self._t.get(f"/users/{user_id}"))

    async def find_by_extension(self, extension_number: str) -> User | None:
        """Returns the user owning extension_number, if any."""
        found = next((u for u in await self.list() if u.extension_number == extension_number), None)
        return await self.get(found.id) if found else None

    async def add_caller_id(self, user_id: str, caller_id: OutboundCallerId) -> User:
        """Adds (or replaces) one outbound caller ID, keeping the others."""
        return await self._edit(user_id, lambda ids: caller_ids.with_caller_id(ids, caller_id))

    async def remove_caller_id(self, user_id: str, caller_id: str) -> User:
        """Removes one outbound caller ID, keeping the others."""
        return await self._edit(user_id, lambda ids: caller_ids.without_caller_id(ids, caller_id))

    async def set_preferred_caller_id(self, user_id: str, caller_id: str) -> User:
        """Makes caller_id (already on the user) the preferred one."""
        return await self._edit(user_id, lambda ids: caller_ids.preferring(ids, caller_id))

    async def _edit(self, user_id: str, edit: Edit) -> User:
        user = await self.get(user_id)
        wanted = edit(user.outbound_caller_ids)
        if wanted != user.outbound_caller_ids:
            body = {"outbound_caller_ids": [i.model_dump(mode="json") for i in wanted]}
            await self._t.update(f"/users/{user_id}", body)
        return user.model_copy(update={"outbound_caller_ids": wanted})


async def owner_of(transport: Transport, number: str) -> ExtensionNumber | None:
    """Returns what owns extension number, or None when nothing does."""
    try:
        return ExtensionNumber.model_validate(await transport.get(f"/extension_numbers/{number}"))
    except NotFound:
        return None


class Directory:
    """Answers what an extension number is, and lists queues and ring groups."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def extension(self, number: str) -> ExtensionNumber | None:
        """Returns what owns extension number, or None when nothing does."""
        return await owner_of(self._t, number)

    async def call_queues(self) -> list[CallQueue]:
        """Returns every call queue of the tenant."""
        return [CallQueue.model_validate(i) async for i in self._t.pages("/call_queues")]

    async def ring_groups(self) -> list[RingGroup]:
        """Returns every ring group of the tenant."""
        return [RingGroup.model_validate(i) async for i in self._t.pages("/ring_groups")]
