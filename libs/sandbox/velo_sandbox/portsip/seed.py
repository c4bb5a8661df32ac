"""Every sandbox tenant's seeded directory: users 101-130, queues, ring groups, a DIDWW trunk."""

from __future__ import annotations

from velo_sandbox.portsip.store import Doc, Store, Tenant

PEOPLE = (
    "Alice Johnson",
    "Bob Smith",
    "Carol Williams",
    "David Brown",
    "Emma Jones",
    "Frank Garcia",
    "Grace Miller",
    "Henry Davis",
    "Isabel Rodriguez",
    "Jack Martinez",
    "Karen Hernandez",
    "Liam Lopez",
    "Mia Gonzalez",
    "Noah Wilson",
    "Olivia Anderson",
    "Paul Thomas",
    "Quinn Taylor",
    "Rachel Moore",
    "Samuel Jackson",
    "Tara Martin",
    "Umar Lee",
    "Vera Perez",
    "William Thompson",
    "Xenia White",
    "Yusuf Harris",
    "Zoe Sanchez",
    "Aaron Clark",
    "Bella Ramirez",
    "Caleb Lewis",
    "Diana Robinson",
)
QUEUES = (("800", "Sales"), ("801", "Support"), ("802", "Billing"))
RING_GROUPS = (("700", "Reception"), ("701", "Management"), ("702", "After Hours"))
USER_GROUPS = ("Sales", "Support")
CREATED_AT = "2025-01-06T09:00:00Z"


def trunk_doc(name: str = "DIDWW") -> Doc:
    """Returns a fresh trunk's fields with an empty DID pool."""
    return {
        "name": name,
        "enabled": True,
        "brand": "DIDWW",
        "auth_mode": "IP_AUTH",
        "transport": "UDP",
        "hostname": "sip.didww.com",
        "port": 5060,
        "did_numbers": "",
    }


def seed_directory(store: Store, tenant: Tenant) -> None:
    """Gives tenant its users, call queues, ring groups, user groups and an own DIDWW trunk."""
    for offset, person in enumerate(PEOPLE):
        _add(store, tenant.users, _user(tenant, person, str(101 + offset)))
    for number, name in QUEUES:
        _add(store, tenant.call_queues, call_queue_doc(name, number))
    for number, name in RING_GROUPS:
        _add(store, tenant.ring_groups, ring_group_doc(name, number))
    for name in USER_GROUPS:
        _add(store, tenant.user_groups, {"name": name})
    store.add_provider(trunk_doc(), owner=tenant.id)


CALL_QUEUE_DEFAULTS: Doc = {"ring_time": 20, "polling_strategy": "RING_SIMULTANEOUSLY"}
RING_GROUP_DEFAULTS: Doc = {
    "ring_time": 20,
    "ring_strategy": "RING_SIMULTANEOUSLY",
    "skip_busy_member": True,
}


def call_queue_doc(name: str, number: str) -> Doc:
    """Returns a call queue's fields."""
    return {"name": name, "extension_number": number, **CALL_QUEUE_DEFAULTS}


def ring_group_doc(name: str, number: str) -> Doc:
    """Returns a ring group's fields."""
    return {"name": name, "extension_number": number, **RING_GROUP_DEFAULTS}


def _user(tenant: Tenant, person: str, extension: str) -> Doc:
    login = person.lower().replace(" ", ".")
    return {
        "name": login,
        "display_name": person,
        "email": f"{login}@{tenant.domain}",
        "role": "StandardUser",
        "enabled": True,
        "extension_number": extension,
        "department": "Sales" if int(extension) % 2 else "Support",
        "created_at": CREATED_AT,
        "outbound_caller_ids": [],
    }


def _add(store: Store, objects: dict[str, Doc], doc: Doc) -> None:
    object_id = store.new_id()
    objects[object_id] = {"id": object_id, **doc}
