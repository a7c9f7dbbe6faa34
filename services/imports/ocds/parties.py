"""OCDS parties as vendors (pure).

A party with the role `supplier` or `tenderer` is a vendor, identified by its
`identifier` (scheme and id): its vendor id is `ocds:<scheme>:<value>` (the scheme's registry
name, the value as the registry matches identifiers: `ocds:am-tin:01849148`), so the same firm
in two releases or two files is one vendor. Its legal name is `identifier.legalName` (else
`name`); its names in other languages (`legalName_hy`, `name_ru`, Armenia's `nameHy`) are
kept as aliases, and an English one (`_en`) also as `name_en`; its country is read from
`address.countryName` (`lists/countries.py`, accents and trailing spaces set aside). The identifier
and the `additionalIdentifiers` whose scheme has a registry name become its identifiers. A
vendor registers once per file, with the names of every party entry of it (parties sharing
any identifier are one vendor, under the first one's id); one the registry
already has (by this id, or holding one of its identifiers: a vendor registered by hand or by
another import) is not registered again, and its contracts go to it. Other parties (buyer,
procuringEntity, payer…) are not vendors: they are accounted for as such, and the buyer names
the contracts' agency. A vendor party without an identifier is refused: it could never be
matched again.

Registry scheme names are lower case (`SchemeName`); an OCDS scheme becomes one by `SCHEMES`
below, else by its own spelling in lower case with `_` for anything not a letter or digit
(`AM-TIN` → `am_tin`, `PROV-GOB-JAL` → `prov_gob_jal`). Screen a supplier by the registry's
name: `identifier: {scheme: "am_tin", value: "01849148"}`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError

from services.events.catalog import describe_validation_error
from services.events.vendor import VendorIdentifierRef, VendorRegistered
from services.imports.ocds.fields import JSON, country, names, text
from services.registry.domain.names import IdentifierKey, normalize_identifier

VENDOR_ROLES = frozenset({"supplier", "tenderer"})
# OCDS identifier schemes (as publishers write them, case and accents aside) → registry names.
SCHEMES = {
    "registro federal de contribuyentes de mexico": "mx_rfc",
    "mx-rfc": "mx_rfc",
    "identificador unico en compranet": "mx_compranet_uid",
    "clave en compranet": "mx_compranet_key",
}
_ID_ALPHABET = re.compile(r"[^A-Za-z0-9._:-]+")


def objects(value: object) -> list[tuple[int, JSON]]:
    return (
        [(n, v) for n, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def roles(party: JSON) -> set[str]:
    return {r for r in party.get("roles") or [] if isinstance(r, str)}


def scheme_name(scheme: str) -> str:
    """The registry's name of an OCDS identifier scheme; ValueError when it has none."""
    plain = (
        "".join(c for c in unicodedata.normalize("NFKD", scheme) if not unicodedata.combining(c))
        .casefold()
        .strip()
    )
    name = SCHEMES.get(plain) or re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", name):
        raise ValueError(f"identifier.scheme: {scheme!r} has no registry scheme name (SCHEMES)")
    return name


def safe_id(text_: str) -> str:
    """`text_` in the alphabet of ids, at most 128 characters; a hash keeps it unique when
    characters had to be replaced or cut."""
    safe = _ID_ALPHABET.sub("-", text_).strip("-.:") or "x"
    if safe == text_ and len(safe) <= 128:
        return safe
    digest = hashlib.blake2b(text_.encode(), digest_size=6).hexdigest()
    return f"{safe[:114].rstrip('-.:')}-{digest}"


def vendor_id(key: IdentifierKey) -> str:
    return safe_id(f"ocds:{key.scheme.replace('_', '-')}:{key.value}")


def identifier_ref(scheme: object, value: object) -> tuple[VendorIdentifierRef, IdentifierKey]:
    written_scheme, written_value = text(scheme), text(value)
    if not written_scheme or not written_value:
        raise ValueError(
            "identifier: no scheme and id; a vendor is imported by an identifier only"
            " (it could never be matched again)"
        )
    name = scheme_name(written_scheme)
    try:
        ref = VendorIdentifierRef(scheme=name, value=written_value)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    return ref, normalize_identifier(ref.scheme, ref.value)


@dataclass
class Vendor:
    vendor_id: str
    legal_name: str
    other_names: dict[str, str]
    identifiers: dict[IdentifierKey, VendorIdentifierRef]
    country: str | None
    first_seen: dt.datetime | None


def party_vendor(party: JSON, seen: dt.datetime | None) -> Vendor:
    identifier = party.get("identifier")
    identifier = identifier if isinstance(identifier, dict) else {}
    ref, key = identifier_ref(identifier.get("scheme"), identifier.get("id"))
    legal, other = names(party)
    if not legal:
        raise ValueError("identifier.legalName, name: no name")
    refs = {key: ref}
    for extra in party.get("additionalIdentifiers") or []:
        if isinstance(extra, dict):
            try:
                more, more_key = identifier_ref(extra.get("scheme"), extra.get("id"))
            except ValueError:
                continue  # an additional identifier the registry cannot name: not kept
            refs.setdefault(more_key, more)
    address = party.get("address")
    where = country(address.get("countryName")) if isinstance(address, dict) else None
    return Vendor(vendor_id(key), legal, other, refs, where, seen)


def merge_vendor(into: Vendor, other: Vendor) -> bool:
    """`other`'s names, identifiers, country and first day added to `into`'s; whether it
    gained anything (it only ever gains)."""
    before = (len(into.other_names), len(into.identifiers), into.country, into.first_seen)
    for language, name in other.other_names.items():
        into.other_names.setdefault(language, name)
    if other.legal_name != into.legal_name:
        into.other_names.setdefault(f"~{len(into.other_names)}", other.legal_name)
    for key, ref in other.identifiers.items():
        into.identifiers.setdefault(key, ref)
    into.country = into.country or other.country
    if other.first_seen and (into.first_seen is None or other.first_seen < into.first_seen):
        into.first_seen = other.first_seen
    return before != (len(into.other_names), len(into.identifiers), into.country, into.first_seen)


def registration(vendor: Vendor) -> VendorRegistered:
    aliases = [n for n in dict.fromkeys(vendor.other_names.values()) if n != vendor.legal_name]
    english = next((n for lang, n in vendor.other_names.items() if lang.startswith("en")), None)
    return VendorRegistered(
        legal_name=vendor.legal_name,
        name_en=english,
        identifiers=list(vendor.identifiers.values()),
        aliases=aliases,
        country=vendor.country,
    )
