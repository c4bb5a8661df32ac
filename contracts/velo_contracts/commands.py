"""Commands: imperative messages, each consumed by the one service that owns the decision."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from velo_contracts.envelope import Command
from velo_contracts.types import (
    E164,
    MAX_BULK,
    BulkCost,
    CountryCode,
    Frozen,
    InboundTarget,
    KycFiling,
    NumberType,
)


class SpecificNumber(Frozen):
    """The admin picked one listed number."""

    kind: Literal["specific"] = Field(default="specific", description="Discriminator.")
    country: CountryCode
    number_type: NumberType = Field(description="Type the admin browsed.")
    number: E164
    offer_id: str | None = Field(default=None, description="Inventory offer the number came from.")


class NextAvailable(Frozen):
    """The admin asked for any number of a group (country, type, optional area)."""

    kind: Literal["next_available"] = Field(default="next_available", description="Discriminator.")
    country: CountryCode
    number_type: NumberType = Field(description="Type the admin browsed.")
    area: str | None = Field(default=None, description="Area or city name, e.g. `Berlin`.")
    offer_id: str | None = Field(default=None, description="Inventory offer (a DIDWW group).")


NumberPick = Annotated[SpecificNumber | NextAvailable, Field(discriminator="kind")]


class RequestNumber(Command):
    """Asks ordering to obtain a number for the tenant (reserve, order, deliver)."""

    type: Literal["RequestNumber"] = "RequestNumber"
    request_id: str = Field(min_length=1, description="Id the admin follows the request by.")
    pick: NumberPick = Field(description="What the admin picked in the inventory.")
    bulk_id: str | None = Field(
        default=None, description="The bulk this request is one number of (`<bulk_id>-<i>`)."
    )
    kyc: KycFiling | None = Field(
        default=None,
        description="For a regulated number (in-app KYC): the identity and address to register "
        "it with; DIDWW's dry run checks them before anything is bought.",
    )


class RequestNumbers(Command):
    """Asks ordering for several numbers at once: one child request `<bulk_id>-<i>` per pick.

    Ordering stores the bulk, then each child first-writer-wins under its deterministic id, so a
    redelivery or a crash while expanding never makes more than `len(picks)` requests (and each
    child orders at DIDWW once, by its id).
    """

    type: Literal["RequestNumbers"] = "RequestNumbers"
    bulk_id: str = Field(min_length=1, description="Id the admin follows the bulk by.")
    picks: list[NumberPick] = Field(
        min_length=1,
        max_length=MAX_BULK,
        description="One pick per number: next-available picks repeat, specific ones differ.",
    )
    cost: BulkCost | None = Field(
        default=None, description="The cost the admin was shown when the bulk was accepted."
    )

    @model_validator(mode="after")
    def _distinct_numbers(self) -> RequestNumbers:
        numbers = [p.number for p in self.picks if isinstance(p, SpecificNumber)]
        if len(numbers) != len(set(numbers)):
            raise ValueError("a bulk names each specific number once")
        return self


class ReleaseNumber(Command):
    """Asks ordering to give a number back to DIDWW (billing stops)."""

    type: Literal["ReleaseNumber"] = "ReleaseNumber"
    number: E164


class AssignNumber(Command):
    """Asks assignment to attach an Active number as caller ID and/or ring target."""

    type: Literal["AssignNumber"] = "AssignNumber"
    number: E164
    outbound_agent: str | None = Field(
        default=None, description="Extension of the agent whose calls show this number."
    )
    preferred: bool = Field(
        default=True, description="Whether it becomes the agent's default caller ID."
    )
    inbound_target: InboundTarget | None = Field(
        default=None, description="Where calls to this number ring."
    )

    @model_validator(mode="after")
    def _names_something(self) -> AssignNumber:
        if self.outbound_agent is None and self.inbound_target is None:
            raise ValueError("give outbound_agent, inbound_target or both")
        return self


class ReassignNumber(Command):
    """Asks assignment to move a number from one agent to another in one step."""

    type: Literal["ReassignNumber"] = "ReassignNumber"
    number: E164
    from_agent: str = Field(min_length=1, description="Extension of the agent losing the number.")
    to_agent: str = Field(min_length=1, description="Extension of the agent getting the number.")


class UnassignNumber(Command):
    """Asks assignment to detach a number from its agent and ring target."""

    type: Literal["UnassignNumber"] = "UnassignNumber"
    number: E164


class SubmitRegistration(Command):
    """Files (again) the registration of a regulated number DIDWW rejected, with corrected
    documents: a new address verification for the same DID."""

    type: Literal["SubmitRegistration"] = "SubmitRegistration"
    number: E164 = Field(description="The number awaiting registration.")
    kyc: KycFiling = Field(description="The identity and address to register it with now.")


OrderingCommand = Annotated[
    RequestNumber | RequestNumbers | ReleaseNumber | SubmitRegistration,
    Field(discriminator="type"),
]
AssignmentCommand = Annotated[
    AssignNumber | ReassignNumber | UnassignNumber, Field(discriminator="type")
]
