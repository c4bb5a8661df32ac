"""Inbound rules and outbound rules."""

from __future__ import annotations

from velo_sandbox.portsip.bodies.common import CALLER_ID, ID, NAME, OFFICE_HOURS, forward
from velo_sandbox.portsip.schema import (
    BOOL,
    TEXT,
    array,
    choice,
    integer,
    obj,
    partial,
    requiring,
    text,
)

INBOUND_ACTIONS = ("FORWARD_TO_NUMBER", "FORWARD_TO_VOICEMAIL", "HANGUP")
HOLIDAYS = array(TEXT)
"""Ids of the tenant's holidays (the sandbox has none, so only an empty list is accepted)."""

INBOUND_RULE = requiring(
    obj(
        name=NAME,
        enabled=BOOL,
        cid_number_mask=TEXT,
        did_numbers=text(min_length=1),
        office_hours_forward_rule=forward(*INBOUND_ACTIONS),
        non_office_hours_forward_rule=forward(*INBOUND_ACTIONS),
        holiday_forward_rule=forward(*INBOUND_ACTIONS),
        office_hours=OFFICE_HOURS,
        holidays=HOLIDAYS,
        provider_id=ID,
        enable_advanced_routing=BOOL,
        advanced_routing=TEXT,
        play_recording_disclaimer=BOOL,
    ),
    "name",
    "did_numbers",
    "provider_id",
)
INBOUND_RULE_UPDATE = partial(INBOUND_RULE)
ROUTE = obj(
    enabled=BOOL,
    provider_id=ID,
    strip_digits=integer(minimum=0),
    prepend=TEXT,
    outbound_caller_id=CALLER_ID,
)
OUTBOUND_RULE = requiring(
    obj(
        name=NAME,
        number_prefix=text(max_length=64),
        number_length=text(max_length=64),
        number_mask=TEXT,
        enabled=BOOL,
        priority=integer(minimum=0),
        office_hours=OFFICE_HOURS,
        holidays=HOLIDAYS,
        routing_strategy=choice("PRIORITIZED", "RANDOMLY"),
        routes=array(ROUTE),
    ),
    "name",
)
OUTBOUND_RULE_UPDATE = obj(id=ID, **partial(OUTBOUND_RULE)["properties"])
"""PortSIP's update body also names the rule's `id`; the one in the path is the one that counts."""
