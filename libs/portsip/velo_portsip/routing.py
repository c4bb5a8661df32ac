"""Inbound rules (DID → extension/queue) and outbound rules (per-destination caller ID).

Creates are never retried (a lost answer may still have created the rule): after an `Unavailable`
from a create, look the rule up (`find_by_did` / `find_by_name`) before creating it again.
PortSIP forwards to any number, extension or external; a rule meant for extensions
(`InboundRuleInput.forwarding`) is checked against the tenant's extensions before it is sent.
"""

from __future__ import annotations

import builtins
from typing import Any

from velo_portsip.directory import owner_of
from velo_portsip.errors import UnknownExtension
from velo_portsip.models import InboundRule, InboundRuleInput, OutboundRule, OutboundRuleInput
from velo_portsip.transport import Transport


def _body(fields: InboundRuleInput | OutboundRuleInput) -> dict[str, Any]:
    return fields.model_dump(mode="json", exclude_none=True)


class InboundRules:
    """Creates, reads, changes and deletes inbound rules."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def create(self, fields: InboundRuleInput) -> str:
        """Creates an inbound rule (name, did_numbers, provider_id required); returns its id."""
        await self._check_targets(fields)
        return str((await self._t.create("/inbound_rules", _body(fields)))["id"])

    async def get(self, rule_id: str) -> InboundRule:
        """Returns one inbound rule."""
        return InboundRule.model_validate(await self._t.get(f"/inbound_rules/{rule_id}"))

    async def list(self) -> list[InboundRule]:
        """Returns every inbound rule of the tenant."""
        return [InboundRule.model_validate(i) async for i in self._t.pages("/inbound_rules")]

    async def find_by_did(self, did: str) -> builtins.list[InboundRule]:
        """Returns the inbound rules whose did_numbers is exactly did."""
        return [rule for rule in await self.list() if rule.did_numbers == did]

    async def update(self, rule_id: str, fields: InboundRuleInput) -> None:
        """Changes the given fields of an inbound rule."""
        await self._check_targets(fields)
        await self._t.update(f"/inbound_rules/{rule_id}", _body(fields))

    async def destroy(self, rule_id: str) -> None:
        """Deletes an inbound rule."""
        await self._t.destroy(f"/inbound_rules/{rule_id}/destroy")

    async def _check_targets(self, fields: InboundRuleInput) -> None:
        if not fields.targets_extensions:
            return
        for number in sorted(fields.forward_numbers()):
            if await owner_of(self._t, number) is None:
                raise UnknownExtension(number)


class OutboundRules:
    """Creates, reads, changes and deletes outbound rules."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def create(self, fields: OutboundRuleInput) -> str:
        """Creates an outbound rule (name required); returns its id."""
        return str((await self._t.create("/outbound_rules", _body(fields)))["id"])

    async def get(self, rule_id: str) -> OutboundRule:
        """Returns one outbound rule with its routes."""
        return OutboundRule.model_validate(await self._t.get(f"/outbound_rules/{rule_id}"))

    async def list(self) -> list[OutboundRule]:
        """Returns every outbound rule (summaries: no routes)."""
        return [OutboundRule.model_validate(i) async for i in self._t.pages("/outbound_rules")]

    async def find_by_name(self, name: str) -> OutboundRule | None:
        """Returns the outbound rule called name, with its routes, if there is one."""
        found = next((rule for rule in await self.list() if rule.name == name), None)
        return await self.get(found.id) if found else None

    async def update(self, rule_id: str, fields: OutboundRuleInput) -> None:
        """Changes the given fields of an outbound rule (routes replace the old routes)."""
        await self._t.update(f"/outbound_rules/{rule_id}", _body(fields))

    async def destroy(self, rule_id: str) -> None:
        """Deletes an outbound rule."""
        await self._t.destroy(f"/outbound_rules/{rule_id}/destroy")
