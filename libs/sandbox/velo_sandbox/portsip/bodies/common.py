"""Pieces several bodies share: office hours, forward rules, outbound caller IDs."""

from __future__ import annotations

from velo_sandbox.portsip.schema import BOOL, TEXT, Schema, array, choice, integer, obj, text

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK = obj(
    **{day: obj(enabled=BOOL, ranges=array(obj(**{"from": TEXT, "to": TEXT}))) for day in DAYS}
)
"""Hours of each day of the week."""
OFFICE_HOURS = obj(mode=choice("GLOBAL", "CUSTOM"), **WEEK["properties"])
"""Office hours of a user or rule: the tenant's (GLOBAL) or their own (CUSTOM)."""
EXTENSION_NUMBER = text(min_length=3, max_length=64, pattern="[0-9]{3,64}")
ID = TEXT
NAME = text(min_length=1, max_length=64)
CALLER_ID = text(min_length=1, max_length=64)
DESCRIPTION = text(max_length=1024)
NO_ANSWER = ("FORWARD_TO_NUMBER", "FORWARD_TO_VOICEMAIL", "HANGUP")
"""The actions of most forward rules."""


def forward(*actions: str, timeout: bool = False) -> Schema:
    """Declares a forward rule: an action and the number it forwards to (and a timeout)."""
    rule = obj(action=choice(*actions), number=TEXT)
    return obj(**rule["properties"], timeout=integer(minimum=0)) if timeout else rule


def caller_ids(*, preferred: bool) -> Schema:
    """Declares a list of outbound caller IDs (users may mark one preferred)."""
    fields = {"provider_id": ID, "caller_id": CALLER_ID}
    if preferred:
        fields["preferred"] = BOOL
    return array(obj(**fields, description=DESCRIPTION))
