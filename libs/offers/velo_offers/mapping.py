"""How a DIDWW DID group reads as a platform offer: its type, its KYC needs, its facts.

Type mapping (DIDWW `did_group_types` → `NumberType`):
- `Local` → local (geographic numbers of a city or area);
- `National` → local as well: non-geographic numbers at national rates (e.g. UK 03xx) that
  callers treat like a landline; their area is DIDWW's area name (e.g. "United Kingdom National");
- `Mobile` → mobile; `Toll-free` → toll_free;
- `Global` (no country) and `Shared Cost` (the caller pays a premium) are not offered.
"""

from __future__ import annotations

from decimal import Decimal

from velo_contracts import KycRequirement, NumberType
from velo_contracts.events import NumberFacts
from velo_didww import Country, DidGroup

DIDWW_TYPE_NAMES: dict[str, NumberType] = {
    "Local": NumberType.LOCAL,
    "National": NumberType.LOCAL,
    "Mobile": NumberType.MOBILE,
    "Toll-free": NumberType.TOLL_FREE,
}


def number_type_of(group: DidGroup) -> NumberType | None:
    """Returns the platform type of a group, or None when the platform does not offer it."""
    name = group.did_group_type.name if group.did_group_type else None
    return DIDWW_TYPE_NAMES.get(name or "")


def didww_type_names(number_type: NumberType) -> list[str]:
    """Returns the DIDWW group type names that make up one platform type."""
    return [name for name, mapped in DIDWW_TYPE_NAMES.items() if mapped is number_type]


def is_kyc_required(group: DidGroup) -> bool:
    """Tells whether DIDWW needs documents before delivering numbers of the group."""
    return group.needs_registration or group.address_requirement is not None


def kyc_requirement(group: DidGroup) -> KycRequirement | None:
    """Returns what the regulator requires for the group's numbers, or None."""
    if not is_kyc_required(group):
        return None
    rule = group.address_requirement
    if rule is None:
        return KycRequirement(restriction_message="DIDWW requires registration for these numbers.")
    return KycRequirement(
        identity_type=rule.identity_type,
        address_area_level=rule.address_area_level,
        personal_proof_qty=rule.personal_proof_qty,
        business_proof_qty=rule.business_proof_qty,
        address_proof_qty=rule.address_proof_qty,
        restriction_message=rule.restriction_message,
        requirement_id=rule.id,
        personal_mandatory_fields=list(rule.personal_mandatory_fields or ()),
        business_mandatory_fields=list(rule.business_mandatory_fields or ()),
        service_description_required=rule.service_description_required,
    )


def features_of(group: DidGroup) -> dict[str, bool]:
    """Returns what a number of the group can do: inbound voice, inbound SMS."""
    return {"voice": "voice_in" in group.features, "sms_inbound": "sms_in" in group.features}


def e164(digits: str) -> str:
    """Returns a DIDWW number (digits without `+`) in E.164."""
    return "+" + digits.lstrip("+")


def number_facts(group: DidGroup, country: Country | None = None) -> NumberFacts:
    """Returns the facts of a number of the group: country, type, area, prices."""
    country = country or group.country
    if country is None:
        raise ValueError(f"DID group {group.id} came without its country")
    sku = group.stock_keeping_units[0] if group.stock_keeping_units else None
    return NumberFacts(
        country=country.iso,
        country_prefix=country.prefix or None,
        number_type=number_type_of(group) or NumberType.LOCAL,
        area=group.area_name or None,
        setup_price=sku.setup_price if sku else Decimal(0),
        monthly_price=sku.monthly_price if sku else Decimal(0),
        kyc_required=is_kyc_required(group),
    )
