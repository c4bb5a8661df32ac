"""Coverage seed data: countries, number types, DID groups with real area codes, KYC rules."""

from __future__ import annotations

COUNTRIES = [
    # iso, name, dialling prefix
    ("AT", "Austria", "43"),
    ("BE", "Belgium", "32"),
    ("CA", "Canada", "1"),
    ("DE", "Germany", "49"),
    ("ES", "Spain", "34"),
    ("FR", "France", "33"),
    ("GB", "United Kingdom", "44"),
    ("IT", "Italy", "39"),
    ("NL", "Netherlands", "31"),
    ("PL", "Poland", "48"),
    ("SE", "Sweden", "46"),
    ("US", "United States", "1"),
]

GROUP_TYPES = ["Global", "Local", "Mobile", "National", "Shared Cost", "Toll-free"]

LOCAL = ("voice_in", "voice_out", "t38")
NANPA_LOCAL = ("voice_in", "voice_out", "t38", "sms_in", "cnam_out")
MOBILE = ("voice_in", "voice_out", "sms_in", "p2p")
TOLL_FREE = ("voice_in",)

# iso, type, area name, national prefix, subscriber digits, setup, monthly, features, picking
GROUPS = [
    ("DE", "Local", "Berlin", "30", 8, "0.00", "1.00", LOCAL, True),
    ("DE", "Local", "Munich", "89", 8, "0.00", "1.00", LOCAL, True),
    ("DE", "Local", "Hamburg", "40", 8, "0.00", "1.00", LOCAL, True),
    ("DE", "Local", "Frankfurt am Main", "69", 8, "0.00", "1.00", LOCAL, True),
    ("DE", "Mobile", "Germany Mobile", "1521", 7, "5.00", "9.00", MOBILE, True),
    ("DE", "Toll-free", "Germany Toll-free", "800", 7, "25.00", "15.00", TOLL_FREE, False),
    ("GB", "Local", "London", "20", 8, "0.00", "0.90", LOCAL, True),
    ("GB", "Local", "Manchester", "161", 7, "0.00", "0.90", LOCAL, True),
    ("GB", "Local", "Birmingham", "121", 7, "0.00", "0.90", LOCAL, True),
    ("GB", "Local", "Edinburgh", "131", 7, "0.00", "0.90", LOCAL, True),
    ("GB", "National", "United Kingdom National", "330", 7, "0.00", "0.90", LOCAL, False),
    ("GB", "Mobile", "United Kingdom Mobile", "7480", 6, "1.00", "3.00", MOBILE, True),
    ("GB", "Toll-free", "United Kingdom Toll-free", "800", 7, "10.00", "8.00", TOLL_FREE, False),
    ("US", "Local", "New York", "212", 7, "0.00", "0.50", NANPA_LOCAL, True),
    ("US", "Local", "San Francisco", "415", 7, "0.00", "0.50", NANPA_LOCAL, True),
    ("US", "Local", "Chicago", "312", 7, "0.00", "0.50", NANPA_LOCAL, True),
    ("US", "Local", "Los Angeles", "213", 7, "0.00", "0.50", NANPA_LOCAL, True),
    ("US", "Local", "Miami", "305", 7, "0.00", "0.50", NANPA_LOCAL, True),
    ("US", "Toll-free", "United States Toll-free", "833", 7, "0.00", "1.00", TOLL_FREE, True),
    ("CA", "Local", "Toronto", "416", 7, "0.00", "0.60", NANPA_LOCAL, True),
    ("CA", "Local", "Montreal", "514", 7, "0.00", "0.60", NANPA_LOCAL, True),
    ("CA", "Local", "Vancouver", "604", 7, "0.00", "0.60", NANPA_LOCAL, True),
    ("CA", "Toll-free", "Canada Toll-free", "855", 7, "0.00", "1.00", TOLL_FREE, False),
    ("FR", "Local", "Paris", "1", 8, "1.00", "1.50", LOCAL, True),
    ("FR", "Local", "Lyon", "472", 6, "1.00", "1.50", LOCAL, True),
    ("FR", "Local", "Marseille", "491", 6, "1.00", "1.50", LOCAL, True),
    ("FR", "Mobile", "France Mobile", "756", 6, "5.00", "12.00", MOBILE, True),
    ("FR", "Toll-free", "France Toll-free", "805", 6, "20.00", "20.00", TOLL_FREE, False),
    ("NL", "Local", "Amsterdam", "20", 7, "0.00", "1.20", LOCAL, True),
    ("NL", "Local", "Rotterdam", "10", 7, "0.00", "1.20", LOCAL, True),
    ("NL", "Local", "The Hague", "70", 7, "0.00", "1.20", LOCAL, True),
    ("NL", "Mobile", "Netherlands Mobile", "6", 8, "3.00", "6.00", MOBILE, True),
    ("NL", "Toll-free", "Netherlands Toll-free", "800", 7, "15.00", "10.00", TOLL_FREE, False),
    ("ES", "Local", "Madrid", "91", 7, "1.00", "1.50", LOCAL, True),
    ("ES", "Local", "Barcelona", "93", 7, "1.00", "1.50", LOCAL, True),
    ("ES", "Local", "Valencia", "96", 7, "1.00", "1.50", LOCAL, True),
    ("ES", "Mobile", "Spain Mobile", "6", 8, "5.00", "10.00", MOBILE, False),
    ("ES", "Toll-free", "Spain Toll-free", "900", 6, "15.00", "12.00", TOLL_FREE, False),
    ("IT", "Local", "Rome", "06", 8, "2.00", "2.50", LOCAL, True),
    ("IT", "Local", "Milan", "02", 8, "2.00", "2.50", LOCAL, True),
    ("IT", "Local", "Naples", "081", 7, "2.00", "2.50", LOCAL, True),
    ("IT", "Mobile", "Italy Mobile", "351", 7, "8.00", "12.00", MOBILE, False),
    ("IT", "Toll-free", "Italy Toll-free", "800", 6, "20.00", "18.00", TOLL_FREE, False),
    ("BE", "Local", "Brussels", "2", 7, "1.00", "1.50", LOCAL, True),
    ("BE", "Local", "Antwerp", "3", 7, "1.00", "1.50", LOCAL, True),
    ("BE", "Toll-free", "Belgium Toll-free", "800", 5, "15.00", "12.00", TOLL_FREE, False),
    ("SE", "Local", "Stockholm", "8", 7, "0.00", "1.00", LOCAL, True),
    ("SE", "Local", "Gothenburg", "31", 7, "0.00", "1.00", LOCAL, True),
    ("SE", "Mobile", "Sweden Mobile", "766", 6, "2.00", "4.00", MOBILE, True),
    ("PL", "Local", "Warsaw", "22", 7, "0.00", "1.00", LOCAL, True),
    ("PL", "Local", "Krakow", "12", 7, "0.00", "1.00", LOCAL, True),
    ("PL", "Toll-free", "Poland Toll-free", "800", 6, "15.00", "12.00", TOLL_FREE, False),
    ("AT", "Local", "Vienna", "1", 7, "1.00", "1.50", LOCAL, True),
    ("AT", "Local", "Graz", "316", 6, "1.00", "1.50", LOCAL, True),
    ("AT", "Mobile", "Austria Mobile", "6706", 6, "5.00", "9.00", MOBILE, False),
]

_ID_PROOFS = ("birth_date", "birth_country")

# (iso, type): identity type, address level, personal/business/address proofs, mandatory, message
REQUIREMENTS = {
    ("DE", "Mobile"): (
        "any",
        "country",
        1,
        1,
        0,
        _ID_PROOFS,
        "German mobile numbers need a verified personal or business identity.",
    ),
    ("GB", "Local"): (
        "any",
        "country",
        0,
        0,
        1,
        None,
        "UK geographic numbers need a proof of address in the United Kingdom.",
    ),
    ("FR", "Local"): (
        "any",
        "area",
        0,
        0,
        1,
        None,
        "French geographic numbers need an address in the number's zone.",
    ),
    ("FR", "Mobile"): (
        "any",
        "country",
        1,
        1,
        1,
        _ID_PROOFS,
        "French mobile numbers need an identity and an address in France.",
    ),
    ("NL", "Local"): (
        "any",
        "area",
        0,
        0,
        1,
        None,
        "Dutch geographic numbers need an address in the number's area.",
    ),
    ("ES", "Local"): (
        "any",
        "country",
        1,
        1,
        1,
        ("personal_tax_id",),
        "Spanish geographic numbers need an identity and an address in Spain.",
    ),
    ("ES", "Mobile"): (
        "any",
        "country",
        1,
        1,
        1,
        ("personal_tax_id",),
        "Spanish mobile numbers need an identity and an address in Spain.",
    ),
    ("IT", "Local"): (
        "any",
        "area",
        1,
        1,
        1,
        ("personal_tax_id", "birth_date"),
        "Italian numbers need an identity and an address in the district.",
    ),
    ("IT", "Mobile"): (
        "personal",
        "country",
        1,
        0,
        1,
        ("personal_tax_id", "birth_date"),
        "Italian mobile numbers are sold to residents only.",
    ),
    ("IT", "Toll-free"): (
        "business",
        "country",
        0,
        1,
        1,
        None,
        "Italian toll-free numbers are sold to businesses only.",
    ),
    ("AT", "Local"): (
        "any",
        "area",
        0,
        0,
        1,
        None,
        "Austrian geographic numbers need an address in the area.",
    ),
    ("AT", "Mobile"): (
        "any",
        "country",
        1,
        1,
        0,
        _ID_PROOFS,
        "Austrian mobile numbers need a verified identity.",
    ),
}

# name, what it proves (DIDWW's entity_type)
PROOF_TYPES = [
    ("Passport", "Personal"),
    ("National ID card", "Personal"),
    ("Driving licence", "Personal"),
    ("Certificate of incorporation", "Business"),
    ("Commercial register extract", "Business"),
    ("Utility bill", "Address"),
    ("Bank statement", "Address"),
    ("Lease agreement", "Address"),
    ("Letter of authorization for porting", "Porting"),
]

# name, permanent (kept on file against the identity) or one-time (sent per verification)
TEMPLATES = [
    ("Italian subscriber registration form", True),
    ("French end-user declaration", False),
    ("Italian toll-free usage declaration", False),
]

# (iso, type): documents and extras beyond the rows of REQUIREMENTS
REQUIREMENT_DOCUMENTS: dict[tuple[str, str], dict[str, object]] = {
    ("IT", "Local"): {"permanent": "Italian subscriber registration form"},
    ("IT", "Mobile"): {"permanent": "Italian subscriber registration form"},
    ("FR", "Mobile"): {"onetime": "French end-user declaration"},
    ("IT", "Toll-free"): {
        "onetime": "Italian toll-free usage declaration",
        "service_description_required": True,
    },
}
