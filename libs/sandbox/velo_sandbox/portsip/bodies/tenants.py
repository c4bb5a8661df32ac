"""Tenants as the SystemAdmin manages them, and a tenant's own settings."""

from __future__ import annotations

from velo_sandbox.portsip.bodies.common import WEEK, caller_ids
from velo_sandbox.portsip.schema import (
    BOOL,
    TEXT,
    Schema,
    choice,
    integer,
    merged,
    obj,
    partial,
    requiring,
    text,
)

HOOK_SECRET = text(min_length=6, max_length=64, pattern="[a-z0-9]{6,64}")


def _hook() -> Schema:
    """Returns an event hook (CDR or extension events) posted to a URL."""
    return obj(
        enabled=BOOL,
        auth=choice("DISABLE", "BASIC", "DIGEST", "BEARER"),
        username=HOOK_SECRET,
        password=HOOK_SECRET,
        token=TEXT,
        url=text(min_length=1, max_length=128, pattern="[a-z0-9]{6,64}"),
    )


SETTINGS = obj(
    name=text(min_length=1, max_length=1024),
    domain=text(min_length=1, max_length=280),
    website=text(max_length=255),
    timezone=TEXT,
    currency=TEXT,
    region=TEXT,
    enable_video_recording=BOOL,
    enable_audio_recording=BOOL,
    enable_dual_track_recording=BOOL,
    enable_night_mode=BOOL,
    enable_two_factor_authentication=BOOL,
    custom_options=TEXT,
    recording_retention=integer(minimum=1),
    call_report_retention=integer(minimum=1, fmt=None),
    log_retention=integer(minimum=1, fmt=None),
    temp_file_retention=integer(minimum=1, fmt=None),
    extension_im_disk_quota=TEXT,
    office_hours=WEEK,
    e164=obj(
        enabled=BOOL,
        international_code=TEXT,
        country=TEXT,
        area_code=TEXT,
        national_code=TEXT,
        prefix=TEXT,
        remove_special_chars=BOOL,
        remove_duplicate_countries=BOOL,
        remove_duplicate_area_codes=BOOL,
    ),
    cdr_event=_hook(),
    extension_event=_hook(),
    contact_match_type=choice("DISABLE", "MATCH_EXACTLY", "MATCH_LENGTH"),
    contact_match_length=integer(minimum=0),
    contact_append_type=choice("DISABLE", "APPEND", "PREPEND"),
    contact_update_interval=integer(minimum=1, maximum=43200, fmt="uint32"),
    password_force_reset=BOOL,
)
"""What both the SystemAdmin and the tenant's own admin may set."""
LIMIT = integer(minimum=0)
TENANT = requiring(
    merged(
        SETTINGS,
        obj(
            enabled=BOOL,
            enable_billing=BOOL,
            **{
                f"enable_feature_{feature}": BOOL
                for feature in (
                    "billing",
                    "call_statistics",
                    "contact_center",
                    "message_channels",
                    "microsoft_teams",
                    "trunks",
                    "whats_app",
                )
            },
            **{
                f"max_{limit}": LIMIT
                for limit in (
                    "extensions",
                    "concurrent_calls",
                    "ring_groups",
                    "virtual_receptionists",
                    "call_queues",
                    "conference_rooms",
                )
            },
            disk_quota=TEXT,
            im_disk_quota=TEXT,
            email_recipients=TEXT,
        ),
    ),
    "name",
    "domain",
    "timezone",
    "currency",
    "region",
)
TENANT_UPDATE = partial(TENANT, without=("name",))
TENANT_SETTINGS = merged(
    SETTINGS,
    obj(
        outbound_caller_ids=caller_ids(preferred=False),
        avatar_file_id=TEXT,
        stir_shaken_cert=TEXT,
        stir_shaken_key=TEXT,
    ),
)
"""The tenant admin's own settings (`POST /tenant`)."""
