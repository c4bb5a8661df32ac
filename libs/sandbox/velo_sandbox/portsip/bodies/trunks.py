"""Providers (trunks) and their assignment to tenants."""

from __future__ import annotations

from velo_sandbox.portsip.bodies.common import NAME
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

PORT = integer(minimum=0, maximum=65535)
COUNT = integer(minimum=0)
HEADER_PARTS = (
    "REQUEST_LINE_URI_USER_PART",
    "CONTACT_USER_PART",
    "TO_DISPLAY_NAME",
    "TO_USER_PART",
    "FROM_DISPLAY_NAME",
    "FROM_USER_PART",
    "REMOTE_PARTY_ID_CALLED_PARTY_DISPLAY_NAME",
    "REMOTE_PARTY_ID_CALLED_PARTY_USER_PART",
    "REMOTE_PARTY_ID_CALLING_PARTY_DISPLAY_NAME",
    "REMOTE_PARTY_ID_CALLING_PARTY_USER_PART",
    "P_ASSERTED_IDENTITY_DISPLAY_NAME",
    "P_ASSERTED_IDENTITY_USER_PART",
    "P_PREFERRED_IDENTIFY_DISPLAY_NAME",
    "P_PREFERRED_IDENTIFY_USER_PART",
    "P_CALLED_PARTY_ID_DISPLAY_NAME",
    "P_CALLED_PARTY_ID_USER_PART",
    "DEFAULT",
)
PRIVACY = choice("DEFAULT", "NONE", "ID", "USER", "HEADER", "SESSION")
USER_VALUES = (
    "AUTH_ID",
    "CALLER_NUM",
    "CALLED_NUM",
    "CALLER_DISPLAY_NAME",
    "OUTBOUND_CALLER_ID",
    "ORIGINATOR_CALLER_ID",
    "OUTBOUND_CALLER_ID_AND_ORIGINATOR_CALLER_ID",
    "ANONYMOUS",
    "DEFAULT",
    "CUSTOM",
)
HOST_VALUES = ("TRUNK_HOST_PORT", "OUT_HOST_PORT", "CONTACT_URI", "SIP_DOMAIN", "DEFAULT", "CUSTOM")
HEADERS = {
    "request_line_uri": ("user_part", "host_part"),
    "contact": ("user_part", "host_part"),
    "to": ("display_name", "user_part", "host_part"),
    "from": ("display_name", "user_part", "host_part"),
    "remote_party_id_called_party": ("display_name", "user_part", "host_part"),
    "remote_party_id_calling_party": ("display_name", "user_part", "host_part"),
    "p_asserted_identity": ("display_name", "user_part", "host_part"),
    "p_preferred_identify": ("display_name", "user_part", "host_part"),
    "p_called_party_id": ("display_name", "user_part", "host_part"),
}
"""The SIP header parts PortSIP lets a trunk rewrite on outbound calls."""

INBOUND_PARAMETERS = obj(
    caller_num=choice(*HEADER_PARTS),
    caller_display_name=choice(*HEADER_PARTS),
    called_num=choice(*HEADER_PARTS),
    privacy_types_supported=PRIVACY,
    enable_stir_shaken_validation=BOOL,
    pai_header_parameter_name=TEXT,
    drop_calls_with_verification_status=array(TEXT),
    pass_api_header_to_uad=BOOL,
)
OUTBOUND_PARAMETERS = obj(
    **{
        f"{header}_{part}": obj(
            value=choice(*(HOST_VALUES if part == "host_part" else USER_VALUES)),
            custom_value=TEXT,
        )
        for header, parts in HEADERS.items()
        for part in parts
    },
    privacy_types_supported=PRIVACY,
)
PROVIDER = requiring(
    obj(
        name=NAME,
        enabled=BOOL,
        brand=NAME,
        auth_mode=choice("IP_AUTH", "REGISTER_AUTH", "ACCEPT_REGISTER", "TEAMS", "WHATS_APP"),
        transport=choice("UDP", "TCP", "TLS"),
        hostname=TEXT,
        port=PORT,
        auth_id=text(max_length=64),
        username=text(max_length=64),
        password=TEXT,
        registration=BOOL,
        register_interval=COUNT,
        outbound_server=TEXT,
        outbound_server_port=PORT,
        inlan=BOOL,
        single_via_header=BOOL,
        rewrite_via_ip=BOOL,
        verify_port=BOOL,
        keep_alive=BOOL,
        concurrency=COUNT,
        keep_alive_interval=COUNT,
        additional_ips=TEXT,
        adjust_sdp_direction=BOOL,
        remove_srtp_info=BOOL,
        stir_shaken_signature_required=BOOL,
        did_numbers=TEXT,
        inbound_parameters=INBOUND_PARAMETERS,
        outbound_parameters=OUTBOUND_PARAMETERS,
    ),
    "name",
    "transport",
    "hostname",
    "port",
    "outbound_server",
    "outbound_server_port",
    "concurrency",
)
PROVIDER_UPDATE = partial(PROVIDER, without=("brand", "auth_mode"))
ASSIGNMENT = obj(did_numbers=TEXT, concurrency=COUNT)
