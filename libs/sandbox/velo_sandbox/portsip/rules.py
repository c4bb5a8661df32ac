"""The PBX's checks on inbound rules, outbound rules and users' outbound caller IDs."""

from __future__ import annotations

from typing import Any

from velo_sandbox.portsip import pools
from velo_sandbox.portsip.http import as_text, invalid
from velo_sandbox.portsip.store import Doc, Store, Tenant

FORWARD_RULES = (
    "office_hours_forward_rule",
    "non_office_hours_forward_rule",
    "holiday_forward_rule",
)
ACTIONS = ("FORWARD_TO_NUMBER", "FORWARD_TO_VOICEMAIL", "HANGUP")


def _span(text: object, name: str) -> pools.Span:
    try:
        return pools.span(as_text(text, name, required=True, max_length=1000) or "")
    except pools.BadNumbers as exc:
        raise invalid(f"{name}: {exc}") from None


def require_in_pool(store: Store, tenant: Tenant, provider_id: object, number: object) -> None:
    """Refuses number unless it lies in the pool the trunk gives the tenant."""
    provider = store.visible_provider(str(provider_id), tenant.id)
    if provider is None:
        raise invalid(f"provider {provider_id} not found")
    if not pools.inside(_span(number, "number"), pools.spans(provider.pool_of(tenant.id))):
        raise invalid(f"{number} is not in the DID pool of provider {provider.doc['name']}")


def check_inbound(store: Store, tenant: Tenant, rule: Doc, rule_id: str | None) -> None:
    """Validates a whole inbound rule (after merging an update into it)."""
    as_text(rule.get("name"), "name", required=True)
    as_text(rule.get("provider_id"), "provider_id", required=True)
    did = _span(rule.get("did_numbers"), "did_numbers")
    require_in_pool(store, tenant, rule["provider_id"], rule["did_numbers"])
    as_text(rule.get("cid_number_mask"), "cid_number_mask", max_length=1000)
    for name in FORWARD_RULES:
        _check_forward(tenant, rule.get(name), name)
    mask = rule.get("cid_number_mask") or ""
    for other_id, other in tenant.inbound_rules.items():
        same_mask = (other.get("cid_number_mask") or "") == mask
        theirs = [_span(other["did_numbers"], "did_numbers")]
        if other_id != rule_id and same_mask and pools.overlap([did], theirs):
            raise invalid(f"{rule['did_numbers']} is already routed by rule {other['name']}")


def _check_forward(tenant: Tenant, forward: Any, name: str) -> None:
    if forward is None:
        return
    if not isinstance(forward, dict) or forward.get("action") not in ACTIONS:
        raise invalid(f"{name}.action must be one of {', '.join(ACTIONS)}")
    number = str(forward.get("number"))
    if forward["action"] == "FORWARD_TO_NUMBER" and not tenant.extension(number):
        raise invalid(f"{name}.number {forward.get('number')} is not an extension of this tenant")


def check_outbound(store: Store, tenant: Tenant, rule: Doc, rule_id: str | None) -> None:
    """Validates a whole outbound rule, including each route's trunk and caller ID."""
    as_text(rule.get("name"), "name", required=True)
    as_text(rule.get("number_prefix"), "number_prefix")
    as_text(rule.get("number_mask"), "number_mask", max_length=1000)
    priority = rule.get("priority", 1000)
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 0:
        raise invalid("priority must be a non-negative integer")
    routes = rule.get("routes", [])
    if not isinstance(routes, list):
        raise invalid("routes must be an array")
    for route in routes:
        _check_route(store, tenant, route)


def _check_route(store: Store, tenant: Tenant, route: Any) -> None:
    provider_id = str(route.get("provider_id")) if isinstance(route, dict) else ""
    if not store.visible_provider(provider_id, tenant.id):
        raise invalid("every route needs the provider_id of a trunk of this tenant")
    strip = route.get("strip_digits", 0)
    if not isinstance(strip, int) or strip < 0:
        raise invalid("strip_digits must be a non-negative integer")
    if route.get("outbound_caller_id"):
        require_in_pool(store, tenant, route["provider_id"], route["outbound_caller_id"])


def check_caller_ids(store: Store, tenant: Tenant, caller_ids: Any) -> list[Doc]:
    """Validates a user's outbound caller IDs: each in its trunk's pool, at most one preferred."""
    if not isinstance(caller_ids, list) or not all(isinstance(c, dict) for c in caller_ids):
        raise invalid("outbound_caller_ids must be an array of objects")
    for entry in caller_ids:
        require_in_pool(store, tenant, entry.get("provider_id"), entry.get("caller_id"))
    if sum(bool(c.get("preferred")) for c in caller_ids) > 1:
        raise invalid("only one outbound caller ID can be preferred")
    keys = ("provider_id", "caller_id", "preferred", "description")
    return [{k: c.get(k, False if k == "preferred" else "") for k in keys} for c in caller_ids]
