"""Request payloads the client builds: order items and SIP trunk configuration."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DidOrderItem(BaseModel):
    """Buy from a SKU: `qty` numbers, one `available_did_id`, or one `did_reservation_id`."""

    model_config = ConfigDict(frozen=True)

    sku_id: str
    qty: int | None = Field(default=None, ge=1)
    available_did_id: str | None = None
    did_reservation_id: str | None = None
    nanpa_prefix_id: str | None = Field(
        default=None, description="With qty: only numbers of this NANPA NPA-NXX prefix."
    )

    @model_validator(mode="after")
    def _exactly_one_selector(self) -> DidOrderItem:
        chosen = [self.qty, self.available_did_id, self.did_reservation_id]
        if sum(v is not None for v in chosen) != 1:
            raise ValueError("give exactly one of qty, available_did_id, did_reservation_id")
        return self

    def to_jsonapi(self) -> dict[str, Any]:
        """Returns the item as DIDWW expects it inside `items`."""
        return {"type": "did_order_items", "attributes": self.model_dump(exclude_none=True)}


class SipConfiguration(BaseModel):
    """Where a voice_in_trunk sends calls over SIP."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int | None = 5060
    username: str = Field(description="User part of the request URI.")
    transport_protocol_id: Literal[1, 2, 3] = Field(default=1, description="1 UDP, 2 TCP, 3 TLS.")
    codec_ids: list[int] = Field(default=[9, 7], description="DIDWW codec ids, in preference.")

    def to_jsonapi(self) -> dict[str, Any]:
        """Returns the configuration object of a trunk request."""
        return {"type": "sip_configurations", "attributes": self.model_dump()}
