"""Typed shapes of the PortSIP objects the client reads and writes (a subset of each)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


T = TypeVar("T")


class Page(_Model, Generic[T]):
    """One page of a PortSIP list: the total `count` and this page's `items`."""

    count: int = Field(description="Number of matching objects in the whole collection.")
    items: list[T] = Field(default_factory=list, description="Summaries on this page.")


class ForwardAction(StrEnum):
    """What an inbound rule does with a call."""

    FORWARD_TO_NUMBER = "FORWARD_TO_NUMBER"
    FORWARD_TO_VOICEMAIL = "FORWARD_TO_VOICEMAIL"
    HANGUP = "HANGUP"


class ForwardRule(_Model):
    """A forward rule: an action and the number it targets (an extension, queue or ring group of
    the tenant, or an external number with or without `+`)."""

    action: ForwardAction = Field(description="What to do with the call.")
    number: str | None = Field(default=None, description="Target number.")


class Provider(_Model):
    """A trunk; `did_numbers` is its DID pool as this tenant sees it."""

    id: str
    name: str
    enabled: bool = True
    brand: str | None = None
    hostname: str | None = None
    port: int | None = None
    did_numbers: str = Field(default="", description="`;`-separated numbers and ranges.")
    shared: bool = Field(default=False, description="Owned by the system admin, assigned to us.")


TrunkAuth = Literal["IP_AUTH", "REGISTER_AUTH", "ACCEPT_REGISTER", "TEAMS", "WHATS_APP"]


class ProviderInput(_Model):
    """Fields to create a trunk (PortSIP requires the server's address, port and transport)."""

    name: str
    hostname: str = Field(description="The trunk's SIP server.")
    port: int = Field(default=5060, ge=0, le=65535)
    transport: Literal["UDP", "TCP", "TLS"] = "UDP"
    outbound_server: str = Field(default="", description="Outbound proxy, if any.")
    outbound_server_port: int = Field(default=5060, ge=0, le=65535)
    concurrency: int = Field(ge=0, description="Most concurrent calls through the trunk.")
    brand: str | None = None
    auth_mode: TrunkAuth | None = None
    did_numbers: str = Field(default="", description="The DID pool.")


class ProviderAssignee(_Model):
    """A tenant's assignment of a shared trunk, with that tenant's DID pool."""

    tenant_id: str | None = None
    did_numbers: str = ""
    concurrency: int | None = None


EXTERNAL_NUMBER = re.compile(r"^\+?[0-9]{3,64}$")


class InboundRuleInput(_Model):
    """Fields to create an inbound rule, or to change on one (unset fields are left alone)."""

    name: str | None = None
    did_numbers: str | None = Field(default=None, description="One DID or a hyphenated range.")
    provider_id: str | None = None
    cid_number_mask: str | None = None
    enabled: bool | None = None
    office_hours_forward_rule: ForwardRule | None = None
    non_office_hours_forward_rule: ForwardRule | None = None
    holiday_forward_rule: ForwardRule | None = None
    targets_extensions: bool = Field(
        default=False,
        exclude=True,
        description="Forward numbers are extensions of the tenant: the client checks they exist "
        "before sending (PortSIP takes any number, so it cannot tell a mistyped extension from "
        "an external number).",
    )

    @classmethod
    def forwarding(
        cls,
        number: str,
        *,
        name: str | None = None,
        did: str | None = None,
        provider_id: str | None = None,
    ) -> InboundRuleInput:
        """Builds a rule that forwards every call (any hours) to extension number (a user,
        queue or ring group of the tenant, checked before the rule is sent)."""
        rule = ForwardRule(action=ForwardAction.FORWARD_TO_NUMBER, number=number)
        return cls(
            name=name,
            did_numbers=did,
            provider_id=provider_id,
            office_hours_forward_rule=rule,
            non_office_hours_forward_rule=rule,
            holiday_forward_rule=rule,
            targets_extensions=True,
        )

    @classmethod
    def forwarding_external(
        cls,
        number: str,
        *,
        name: str | None = None,
        did: str | None = None,
        provider_id: str | None = None,
    ) -> InboundRuleInput:
        """Builds a rule that forwards every call to an external number (`+` optional)."""
        if not EXTERNAL_NUMBER.match(number):
            raise ValueError(f"not a phone number (digits, + allowed): {number!r}")
        rule = cls.forwarding(number, name=name, did=did, provider_id=provider_id)
        return rule.model_copy(update={"targets_extensions": False})

    def forward_numbers(self) -> set[str]:
        """Returns the numbers the rule forwards calls to."""
        rules = (
            self.office_hours_forward_rule,
            self.non_office_hours_forward_rule,
            self.holiday_forward_rule,
        )
        return {
            r.number
            for r in rules
            if r and r.action == ForwardAction.FORWARD_TO_NUMBER and r.number is not None
        }


class InboundRule(_Model):
    """An inbound rule: which DID(s) on which trunk go where."""

    id: str
    name: str
    enabled: bool = True
    cid_number_mask: str | None = None
    did_numbers: str
    provider_id: str
    office_hours_forward_rule: ForwardRule | None = None
    non_office_hours_forward_rule: ForwardRule | None = None
    holiday_forward_rule: ForwardRule | None = None

    @property
    def destination(self) -> str | None:
        """Returns the number office-hours calls are forwarded to, if any."""
        rule = self.office_hours_forward_rule
        return rule.number if rule and rule.action == ForwardAction.FORWARD_TO_NUMBER else None


class OutboundRoute(_Model):
    """One trunk an outbound rule may use, with digit manipulation and caller ID."""

    provider_id: str
    enabled: bool = True
    strip_digits: int = 0
    prepend: str = ""
    outbound_caller_id: str | None = None


class OutboundRuleInput(_Model):
    """Fields of an outbound rule to create, or to change (unset fields are left alone)."""

    name: str | None = None
    number_prefix: str | None = Field(default=None, description="Dialled-number prefix, e.g. 44.")
    number_length: str | None = None
    number_mask: str | None = Field(default=None, description="Caller extensions, e.g. 101-110.")
    enabled: bool | None = None
    priority: int | None = Field(default=None, description="Lower wins.")
    routes: list[OutboundRoute] | None = None


class OutboundRule(_Model):
    """An outbound rule (routes are present on the detailed representation only)."""

    id: str
    name: str
    number_prefix: str = ""
    number_length: str = ""
    number_mask: str = ""
    enabled: bool = True
    priority: int = 1000
    routes: list[OutboundRoute] = Field(default_factory=list)


class OutboundCallerId(_Model):
    """A caller ID a user may present on calls through one trunk."""

    provider_id: str
    caller_id: str
    preferred: bool = False
    description: str = ""


class UserSummary(_Model):
    """A user (extension) as listed."""

    id: str
    name: str
    display_name: str | None = None
    extension_number: str
    role: str | None = None
    enabled: bool = True
    email: str | None = None


class User(UserSummary):
    """A user's detailed representation, with the outbound caller IDs."""

    outbound_caller_ids: list[OutboundCallerId] = Field(default_factory=list)


class ExtensionKind(StrEnum):
    """What an extension number belongs to."""

    EXTENSION = "EXTENSION"
    RING_GROUP = "RING_GROUP"
    CALL_QUEUE = "CALL_QUEUE"
    CONFERENCE_ROOM = "CONFERENCE_ROOM"
    VIRTUAL_RECEPTIONIST = "VIRTUAL_RECEPTIONIST"


class ExtensionNumber(_Model):
    """The owner of an extension number."""

    id: str
    extension_number: str
    name: str | None = None
    type: ExtensionKind


class CallQueue(_Model):
    """A call queue as listed."""

    id: str
    name: str
    extension_number: str


class RingGroup(_Model):
    """A ring group as listed."""

    id: str
    name: str
    extension_number: str
