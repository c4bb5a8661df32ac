"""What a voice_in_trunk accepts (DIDWW API 2026-04-16) and DIDWW's defaults for what is not sent.

Types, null and listed values follow the API description; the bounds are DIDWW's own: priority
and weight order trunks like DNS SRV records (0-65535), a port is a TCP/UDP port, and transports
are 1 UDP, 2 TCP, 3 TLS.
"""

from __future__ import annotations

from typing import Any

from velo_sandbox.didww.validation import Rule

SRV_FIELD = Rule("integer", minimum=0, maximum=65535)
TRUNK_RULES: dict[str, Rule] = {
    "name": Rule("string"),
    "description": Rule("string", nullable=True),
    "external_reference_id": Rule("string", nullable=True),
    "priority": SRV_FIELD,
    "weight": SRV_FIELD,
    "capacity_limit": Rule("integer", nullable=True, minimum=0),
    "cli_format": Rule("string", nullable=True),
    "cli_prefix": Rule("string", nullable=True),
    "ringing_timeout": Rule("integer", nullable=True, minimum=0),
}
TRUNK_DEFAULTS: dict[str, Any] = {
    "description": None,
    "external_reference_id": None,
    "priority": 1,
    "weight": 100,
    "capacity_limit": None,
    "cli_format": "e164",
    "cli_prefix": None,
    "ringing_timeout": None,
}

_TEXT = Rule("string", nullable=True)
_FLAG = Rule("boolean")
_MAYBE_FLAG = Rule("boolean", nullable=True)
_MAYBE_INT = Rule("integer", nullable=True)
_INT = Rule("integer", minimum=0)

# attribute: (default, rule)
SIP_FIELDS: dict[str, tuple[Any, Rule]] = {
    "host": (None, _TEXT),
    "port": (None, Rule("integer", nullable=True, minimum=1, maximum=65535)),
    "username": (None, _TEXT),
    "transport_protocol_id": (1, Rule("integer", choices=(1, 2, 3))),
    "network_protocol_priority": (
        "force_ipv4",
        Rule("string", choices=("force_ipv4", "force_ipv6", "any", "prefer_ipv4", "prefer_ipv6")),
    ),
    "resolve_ruri": (False, _FLAG),
    "use_did_in_ruri": (False, _FLAG),
    "codec_ids": ([9, 7], Rule("integers")),
    "rx_dtmf_format_id": (1, _MAYBE_INT),
    "tx_dtmf_format_id": (1, _MAYBE_INT),
    "auth_enabled": (False, _FLAG),
    "auth_user": (None, _TEXT),
    "auth_password": (None, _TEXT),
    "auth_from_user": (None, _TEXT),
    "auth_from_domain": (None, _TEXT),
    "enabled_sip_registration": (False, _FLAG),
    "sst_enabled": (False, _FLAG),
    "sst_min_timer": (600, _MAYBE_INT),
    "sst_max_timer": (900, _MAYBE_INT),
    "sst_session_expires": (None, _MAYBE_INT),
    "sst_refresh_method_id": (1, Rule("integer")),
    "sst_accept_501": (True, _FLAG),
    "sip_timer_b": (8000, _MAYBE_INT),
    "dns_srv_failover_timer": (2000, _MAYBE_INT),
    "rtp_ping": (False, _MAYBE_FLAG),
    "rtp_timeout": (30, _MAYBE_INT),
    "force_symmetric_rtp": (False, _MAYBE_FLAG),
    "symmetric_rtp_ignore_rtcp": (False, _MAYBE_FLAG),
    "allowed_rtp_ips": (None, Rule("strings", nullable=True)),
    "media_encryption_mode": (
        "disabled",
        Rule("string", choices=("disabled", "srtp_sdes", "srtp_dtls", "zrtp")),
    ),
    "stir_shaken_mode": (
        "disabled",
        Rule("string", choices=("disabled", "original", "pai", "original_pai", "verstat")),
    ),
    "diversion_relay_policy": ("as_is", Rule("string", choices=("none", "as_is", "sip", "tel"))),
    "diversion_inject_mode": ("none", Rule("string", choices=("none", "did_number"))),
    "cnam_lookup": (False, _FLAG),
    "max_transfers": (0, _INT),
    "max_30x_redirects": (0, _INT),
    "rerouting_disconnect_code_ids": (None, Rule("integers", nullable=True)),
}
SIP_RULES = {name: rule for name, (_, rule) in SIP_FIELDS.items()}
SIP_DEFAULTS = {name: default for name, (default, _) in SIP_FIELDS.items()}
PSTN_RULES = {"dst": Rule("string", nullable=True)}
CONFIGURATIONS: dict[str, tuple[dict[str, Rule], dict[str, Any]]] = {
    "sip_configurations": (SIP_RULES, SIP_DEFAULTS),
    "pstn_configurations": (PSTN_RULES, {"dst": None}),
}
"""Configuration type: (rules of its attributes, defaults of a new one)."""
