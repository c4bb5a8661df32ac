"""Where local numbers are: regions (ISO 3166-2 codes), each city's region and numbering area."""

from __future__ import annotations

# country iso: [(region iso without the country part, name)]
REGIONS = {
    "AT": [("9", "Vienna"), ("6", "Styria")],
    "BE": [("BRU", "Brussels-Capital Region"), ("VLG", "Flemish Region")],
    "CA": [("ON", "Ontario"), ("QC", "Quebec"), ("BC", "British Columbia")],
    "DE": [("BE", "Berlin"), ("BY", "Bavaria"), ("HH", "Hamburg"), ("HE", "Hesse")],
    "ES": [("MD", "Community of Madrid"), ("CT", "Catalonia"), ("VC", "Valencian Community")],
    "FR": [
        ("IDF", "Île-de-France"),
        ("ARA", "Auvergne-Rhône-Alpes"),
        ("PAC", "Provence-Alpes-Côte d'Azur"),
    ],
    "GB": [("ENG", "England"), ("SCT", "Scotland")],
    "IT": [("62", "Lazio"), ("25", "Lombardy"), ("72", "Campania")],
    "NL": [("NH", "North Holland"), ("ZH", "South Holland")],
    "PL": [("MZ", "Masovian Voivodeship"), ("MA", "Lesser Poland Voivodeship")],
    "SE": [("AB", "Stockholm County"), ("O", "Västra Götaland County")],
    "US": [("NY", "New York"), ("CA", "California"), ("IL", "Illinois"), ("FL", "Florida")],
}

# (country iso, city = the local DID group's area name): (region iso, numbering area)
CITIES = {
    ("DE", "Berlin"): ("BE", "Berlin (030)"),
    ("DE", "Munich"): ("BY", "München (089)"),
    ("DE", "Hamburg"): ("HH", "Hamburg (040)"),
    ("DE", "Frankfurt am Main"): ("HE", "Frankfurt am Main (069)"),
    ("GB", "London"): ("ENG", "London (020)"),
    ("GB", "Manchester"): ("ENG", "Manchester (0161)"),
    ("GB", "Birmingham"): ("ENG", "Birmingham (0121)"),
    ("GB", "Edinburgh"): ("SCT", "Edinburgh (0131)"),
    ("US", "New York"): ("NY", "NPA 212"),
    ("US", "San Francisco"): ("CA", "NPA 415"),
    ("US", "Chicago"): ("IL", "NPA 312"),
    ("US", "Los Angeles"): ("CA", "NPA 213"),
    ("US", "Miami"): ("FL", "NPA 305"),
    ("CA", "Toronto"): ("ON", "NPA 416"),
    ("CA", "Montreal"): ("QC", "NPA 514"),
    ("CA", "Vancouver"): ("BC", "NPA 604"),
    ("FR", "Paris"): ("IDF", "Zone 01 Île-de-France"),
    ("FR", "Lyon"): ("ARA", "Zone 04 Sud-Est"),
    ("FR", "Marseille"): ("PAC", "Zone 04 Sud-Est"),
    ("NL", "Amsterdam"): ("NH", "Amsterdam (020)"),
    ("NL", "Rotterdam"): ("ZH", "Rotterdam (010)"),
    ("NL", "The Hague"): ("ZH", "Den Haag (070)"),
    ("ES", "Madrid"): ("MD", "Madrid (91)"),
    ("ES", "Barcelona"): ("CT", "Barcelona (93)"),
    ("ES", "Valencia"): ("VC", "Valencia (96)"),
    ("IT", "Rome"): ("62", "Roma (06)"),
    ("IT", "Milan"): ("25", "Milano (02)"),
    ("IT", "Naples"): ("72", "Napoli (081)"),
    ("BE", "Brussels"): ("BRU", "Bruxelles (02)"),
    ("BE", "Antwerp"): ("VLG", "Antwerpen (03)"),
    ("SE", "Stockholm"): ("AB", "Stockholm (08)"),
    ("SE", "Gothenburg"): ("O", "Göteborg (031)"),
    ("PL", "Warsaw"): ("MZ", "Warszawa (22)"),
    ("PL", "Krakow"): ("MA", "Kraków (12)"),
    ("AT", "Vienna"): ("9", "Wien (01)"),
    ("AT", "Graz"): ("6", "Graz (0316)"),
}

NXX_PER_NPA = 3
"""Central office codes (NANPA NPA-NXX prefixes) stocked per local NANPA group."""
