"""DIDWW coverage in the platform's words: number types, KYC requirements, number facts.

Inventory (what the admin browses) and ordering (what it re-checks live before buying) must read
a DIDWW group the same way; this is the one place that says how.
"""

from velo_offers.accounts import TenantAccounts, box_from_env
from velo_offers.budget import (
    BudgetOptions,
    SharedBudget,
    SharedBudgets,
    budget_database_setting,
    shared_budgets,
)
from velo_offers.budget_store import MemoryScheduleStore, MongoScheduleStore
from velo_offers.mapping import (
    DIDWW_TYPE_NAMES,
    didww_type_names,
    e164,
    features_of,
    is_kyc_required,
    kyc_requirement,
    number_facts,
    number_type_of,
)

__all__ = [
    "DIDWW_TYPE_NAMES",
    "BudgetOptions",
    "MemoryScheduleStore",
    "MongoScheduleStore",
    "SharedBudget",
    "SharedBudgets",
    "TenantAccounts",
    "box_from_env",
    "budget_database_setting",
    "didww_type_names",
    "e164",
    "features_of",
    "is_kyc_required",
    "kyc_requirement",
    "number_facts",
    "number_type_of",
    "shared_budgets",
]
