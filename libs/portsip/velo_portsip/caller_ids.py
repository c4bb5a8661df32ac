"""Pure edits of a user's `outbound_caller_ids` list, for read-modify-write updates."""

from __future__ import annotations

from velo_portsip.models import OutboundCallerId


def with_caller_id(ids: list[OutboundCallerId], new: OutboundCallerId) -> list[OutboundCallerId]:
    """Returns ids with new added or replacing the same caller ID; a preferred one wins alone."""
    kept = [i for i in ids if i.caller_id != new.caller_id]
    if new.preferred:
        kept = [i.model_copy(update={"preferred": False}) for i in kept]
    return [*kept, new]


def without_caller_id(ids: list[OutboundCallerId], caller_id: str) -> list[OutboundCallerId]:
    """Returns ids without caller_id."""
    return [i for i in ids if i.caller_id != caller_id]


def preferring(ids: list[OutboundCallerId], caller_id: str) -> list[OutboundCallerId]:
    """Returns ids with caller_id the only preferred one; raises KeyError if it is absent."""
    if all(i.caller_id != caller_id for i in ids):
        raise KeyError(caller_id)
    return [i.model_copy(update={"preferred": i.caller_id == caller_id}) for i in ids]
