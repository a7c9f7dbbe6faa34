"""Country names as the banks' lists write them → ISO 3166-1 alpha-2 codes (pure).

pycountry knows the ISO names and their common forms; the lists also use the banks' own
styles ("Egypt, Arab Republic of", "Hong Kong SAR, China") and some misspellings, kept
below. A name neither knows gives no country, never a guessed one (a fuzzy match read
"Kosovo" as Serbia).
"""

from __future__ import annotations

import pycountry

# The banks' spellings that ISO and pycountry do not have; Kosovo has no ISO code yet, XK is
# the code the European Commission and the banks use for it.
_SPELLINGS = {
    "congo, democratic republic of": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of": "CG",
    "egypt, arab republic of": "EG",
    "hong kong sar, china": "HK",
    "china, hong kong special administrative region": "HK",
    "taiwan, china": "TW",
    "taiwan (republic of china)": "TW",
    "kosovo": "XK",
    "republic of kosovo": "XK",
    "st. lucia": "LC",
    "turkiye": "TR",
    "turkey": "TR",
    "venezuela, republica bolivariana de": "VE",
    "côte d’ivoire": "CI",
    "iran (islamic republic of)": "IR",
    "iraq (islamic republic of)": "IQ",
    "ecuatorial guinea": "GQ",
    "kyrgz republic": "KG",
    "lao peoples democratic republic": "LA",
    "peoples republic of china": "CN",
    "republic of korea": "KR",
    "sri lanca": "LK",
}


def country_code(name: str) -> str | None:
    """The code of a country as a list names it; None when it cannot be told."""
    # A cell may repeat the name on further lines ("Indonesia\n\nIndonesia"): the first counts.
    first = next((line.strip() for line in name.splitlines() if line.strip()), "")
    if not first:
        return None
    known = _SPELLINGS.get(first.lower())
    if known is not None:
        return known
    try:
        return str(pycountry.countries.lookup(first).alpha_2)
    except LookupError:
        return None
