"""The PBX's own checks beyond the schema: DIDs inside pools, forward targets, caller IDs and
extension numbers free to take."""

from __future__ import annotations

import re

from velo_sandbox.portsip import pools
from velo_sandbox.portsip.errors import invalid
from velo_sandbox.portsip.store import Doc, Store, Tenant

FORWARD_RULES = (
    "office_hours_forward_rule",
    "non_office_hours_forward_rule",
    "holiday_forward_rule",
)
PHONE_NUMBER = re.compile(r"^\+?[0-9]{3,64}$")
"""A forward target: an extension number or an external number, with or without `+`."""
EXTENSION_NUMBER = re.compile(r"^[0-9]{3,64}$")


def _span(text: object, name: str) -> pools.Span:
    try:
        return pools.span(str(text or ""))
    except pools.BadNumbers as exc:
        raise invalid(f"{name}: {exc}", name) from None


def require_in_pool(
    store: Store, tenant: Tenant, provider_id: object, number: object, field: str
) -> None:
    """Refuses number unless it lies in the pool the trunk gives the tenant."""
    provider = store.visible_provider(str(provider_id), tenant.id)
    if provider is None:
        raise invalid(f"provider {provider_id} not found", field)
    if not pools.inside(_span(number, field), pools.spans(provider.pool_of(tenant.id))):
        raise invalid(f"{number} is not in the DID pool of provider {provider.doc['name']}", field)


def check_inbound(store: Store, tenant: Tenant, rule: Doc, rule_id: str | None) -> None:
    """Validates a whole inbound rule (after merging an update into it)."""
    did = _span(rule.get("did_numbers"), "did_numbers")
    require_in_pool(store, tenant, rule["provider_id"], rule["did_numbers"], "did_numbers")
    for name in FORWARD_RULES:
        _check_forward(rule.get(name), name)
    _no_holidays(rule)
    mask = rule.get("cid_number_mask") or ""
    for other_id, other in tenant.inbound_rules.items():
        same_mask = (other.get("cid_number_mask") or "") == mask
        theirs = [_span(other["did_numbers"], "did_numbers")]
        if other_id != rule_id and same_mask and pools.overlap([did], theirs):
            message = f"{rule['did_numbers']} is already routed by rule {other['name']}"
            raise invalid(message, "did_numbers")


def _check_forward(forward: Doc | None, name: str) -> None:
    if forward is None or forward.get("action") != "FORWARD_TO_NUMBER":
        return
    if not PHONE_NUMBER.match(str(forward.get("number") or "")):
        message = f"{name}.number must be an extension number or a phone number (digits, + allowed)"
        raise invalid(message, f"{name}.number")


def _no_holidays(rule: Doc) -> None:
    if rule.get("holidays"):
        raise invalid(f"holidays: no holiday {rule['holidays'][0]} in this tenant", "holidays")


def check_outbound(store: Store, tenant: Tenant, rule: Doc, rule_id: str | None) -> None:
    """Validates a whole outbound rule, including each route's trunk and caller ID."""
    _no_holidays(rule)
    for index, route in enumerate(rule.get("routes", [])):
        field = f"routes[{index}]"
        if not store.visible_provider(str(route.get("provider_id")), tenant.id):
            raise invalid(
                f"{field}.provider_id must be a trunk of this tenant", f"{field}.provider_id"
            )
        if "outbound_caller_id" in route:
            cid = route["outbound_caller_id"]
            require_in_pool(store, tenant, route["provider_id"], cid, f"{field}.outbound_caller_id")


def check_caller_ids(
    store: Store, tenant: Tenant, caller_ids: list[Doc], *, preferred: bool = True
) -> list[Doc]:
    """Validates outbound caller IDs: each in its trunk's pool, at most one preferred."""
    for index, entry in enumerate(caller_ids):
        field = f"outbound_caller_ids[{index}]"
        provider_id, number = entry.get("provider_id"), entry.get("caller_id")
        require_in_pool(store, tenant, provider_id, number, f"{field}.caller_id")
    if sum(bool(c.get("preferred")) for c in caller_ids) > 1:
        raise invalid("only one outbound caller ID can be preferred", "outbound_caller_ids")
    defaults: Doc = {"preferred": False, "description": ""} if preferred else {"description": ""}
    keys = ("provider_id", "caller_id", *defaults)
    return [{k: c.get(k, defaults.get(k)) for k in keys} for c in caller_ids]


def claim_extension(tenant: Tenant, number: str) -> str:
    """Returns number if it can become a new extension of the tenant (digits, not taken)."""
    if not EXTENSION_NUMBER.match(number):
        raise invalid("extension_number must be 3 to 64 digits", "extension_number")
    if tenant.extension(number):
        raise invalid(f"extension_number {number} is taken", "extension_number")
    return number
