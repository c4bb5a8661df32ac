"""Users, call queues (and their agents) and ring groups."""

from __future__ import annotations

from velo_sandbox.portsip.bodies.common import (
    DESCRIPTION,
    EXTENSION_NUMBER,
    NAME,
    NO_ANSWER,
    OFFICE_HOURS,
    WEEK,
    caller_ids,
    forward,
)
from velo_sandbox.portsip.schema import (
    BOOL,
    TEXT,
    Schema,
    array,
    choice,
    integer,
    obj,
    partial,
    requiring,
    sent,
    text,
)

RING_ANYWAY = ("FORWARD_TO_NUMBER", "FORWARD_TO_VOICEMAIL", "RING_ANYWAY", "HANGUP")
STATES = ("available", "busy", "dnd", "away", "lunch", "trip", "offline")
PHONE = text(max_length=32)


def _forward_rules() -> dict[str, Schema]:
    """Returns a user's forward rules: per presence state, in and out of office hours."""
    rules = {}
    for state in STATES:
        actions = RING_ANYWAY if state in ("available", "busy") else NO_ANSWER
        rules[f"{state}_office_hours_forward_rule"] = forward(*actions)
        rules[f"{state}_non_office_hours_forward_rule"] = forward(*actions)
        if state in ("available", "busy"):
            rules[f"{state}_no_answer_forward_rule"] = forward(*NO_ANSWER, timeout=True)
    return rules


CUSTOM_FORWARD_RULE = obj(
    action=choice(*RING_ANYWAY),
    number=TEXT,
    caller_id=TEXT,
    type=choice("ALL_HOURS", "SPECIFIC_HOURS", "OUTSIDE_SPECIFIC_HOURS"),
    hours=WEEK,
)
USER = sent(
    requiring(
        obj(
            name=NAME,
            password=TEXT,
            email=text(max_length=128),
            display_name=DESCRIPTION,
            enabled=BOOL,
            role=NAME,
            mobile_phone=PHONE,
            work_phone=PHONE,
            home_phone=PHONE,
            address=text(max_length=128),
            department=text(max_length=128),
            extension_number=EXTENSION_NUMBER,
            extension_password=TEXT,
            enable_audio_recording=BOOL,
            enable_video_recording=BOOL,
            enable_dnd=BOOL,
            enable_acb=BOOL,
            enable_hot_desking=BOOL,
            anonymous_outbound_calls=BOOL,
            sms=choice("DISABLE", "ALLOW", "ALLOW_WITH_SENDER_ID"),
            delivery_outbound_cid=BOOL,
            outbound_caller_ids=caller_ids(preferred=True),
            custom_options=TEXT,
            office_hours=OFFICE_HOURS,
            **_forward_rules(),
            custom_forward_rules=array(CUSTOM_FORWARD_RULE),
            voicemail_prompt=TEXT,
            enable_voicemail_pin=BOOL,
            voicemail_pin=text(min_length=6, max_length=10),
            enable_voicemail_notify=BOOL,
            voicemail_play_datetime=choice("DISABLE", "12_HOUR_CLOCK", "24_HOUR_CLOCK"),
            interface=choice(
                "WEB_DOMAIN",
                "PUBLIC_IPV4",
                "PUBLIC_IPV6",
                "PRIVATE_IPV4",
                "PRIVATE_IPV6",
                "SBC_DOMAIN",
            ),
            preferred_transport=choice("UDP", "TCP", "TLS"),
            blfs=array(obj(key=TEXT, value=TEXT, first_name=TEXT, last_name=TEXT)),
        ),
        "name",
        "display_name",
        "password",
        "email",
        "role",
        "extension_number",
        "extension_password",
        "voicemail_pin",
    )
)
USER_UPDATE = sent(
    partial(USER, without=("name", "password", "role", "extension_number", "extension_password"))
)
HUNTS = ("PRIORITIZED_HUNT", "CYCLIC_HUNT", "LEAST_WORKED_HUNT")
SKILL_HUNTS = tuple(f"SKILL_BASED_ROUTING_{hunt}" for hunt in HUNTS)
CALL_QUEUE = requiring(
    obj(
        name=NAME,
        extension_number=EXTENSION_NUMBER,
        polling_strategy=choice("RING_SIMULTANEOUSLY", *HUNTS, *SKILL_HUNTS),
        ring_time=integer(minimum=1, maximum=65535),
        max_callers=integer(minimum=0),
        moh_prompt_file_id=TEXT,
        intro_type=choice("DISABLE", "NORMAL", "FULL"),
        intro_prompt_file_id=TEXT,
        max_waiting_time=integer(minimum=15, maximum=65535),
        wait_when_no_agents_online=BOOL,
        inform_position=choice("DISABLE", "PERIODICALLY", "ON_CONNECTED"),
        inform_position_interval=integer(minimum=10, maximum=1800),
        agent_auto_ready=BOOL,
        agent_auto_not_ready_after_non_acd_call=BOOL,
        sla_time=integer(minimum=0, maximum=65536),
        language=TEXT,
        no_answer_forward_rule=forward(*NO_ANSWER),
        night_mode_forward_rule=forward(*NO_ANSWER),
        enable_callback=BOOL,
        callback_mode=choice("ACTIVE", "TIMEOUT"),
        callback_timeout=integer(minimum=0),
        callback_outbound_prefix=TEXT,
        outbound_caller_ids=caller_ids(preferred=False),
        enable_sticky_routing=BOOL,
        sticky_routing_duration=integer(minimum=1, maximum=365),
        enable_paid=BOOL,
        enable_prid=BOOL,
        extension_number_as_to_header=BOOL,
    ),
    "name",
    "extension_number",
    "polling_strategy",
)
CALL_QUEUE_UPDATE = partial(CALL_QUEUE, without=("extension_number",))
AGENTS = obj(
    items=array(obj(extension_number=EXTENSION_NUMBER, skill_level=integer(minimum=1, maximum=100)))
)
GROUP_ACTIONS = ("FORWARD_TO_NUMBER", "FORWARD_TO_VOICEMAIL", "REPEAT", "HANGUP")
RING_GROUP = obj(
    name=NAME,
    extension_number=EXTENSION_NUMBER,
    ring_time=integer(minimum=0),
    ring_strategy=choice("RING_SIMULTANEOUSLY", *HUNTS, "PAGING_INTERCOM", *SKILL_HUNTS),
    skip_busy_member=BOOL,
    enable_paid=BOOL,
    enable_prid=BOOL,
    extension_number_as_to_header=BOOL,
    no_answer_forward_rule=forward(*GROUP_ACTIONS),
    night_mode_forward_rule=forward(*GROUP_ACTIONS),
    outbound_caller_ids=caller_ids(preferred=False),
)
RING_GROUP_UPDATE = partial(RING_GROUP, without=("extension_number",))
