"""A new record's id must be new (pure): the registry refuses a vendor's registration, a
sanction's imposition, an award, a subcontract request, an incident report, a claim or a
certificate whose id is on record already, and the API's receipt refuses it too, in the same
words, with one code, `recorded_already` (reads/record_ids.py). No record is ever removed,
so an id on record when the receipt looks stays taken when the registry applies the event."""

from __future__ import annotations

from collections.abc import Mapping

from services.registry.domain.names import IdentifierKey
from services.registry.domain.refusals import Refusal


def taken_refusal(field: str, record_id: str) -> Refusal:
    """Why a new record named `record_id` in the payload's `field` is refused: the id is on
    record already (another vendor's too where ids are unique across vendors, or another
    agency's). The words are the same whoever's record holds it and name none: that it is
    "recorded" would tell a system owner that a record they cannot see exists."""
    return "recorded_already", f"payload.{field}: {record_id!r} is already in use; choose another"


def registered_refusal(vendor_id: str) -> Refusal:
    """Why a registration of a vendor on record already is refused (sent again as a new event:
    the same event sent again is the log's to answer, `receipts.submit`)."""
    return "recorded_already", (
        f"vendor_id: {vendor_id!r} is already registered; send vendor.updated to change it"
    )


def sanction_taken_refusal(sanction_id: str) -> Refusal:
    """Why an imposition of a sanction id on record already is refused: sanction ids are
    unique across vendors, and the words name no vendor."""
    return "recorded_already", (
        f"payload.sanction_id: {sanction_id!r} already exists; send sanction.amended to change it"
    )


def identifiers_taken_refusal(field: str, owners: Mapping[IdentifierKey, str]) -> Refusal:
    """Why identifiers other vendors hold (identifier → its owner) are refused to a vendor: an
    identifier names one vendor. `field`: where the event gives them."""
    listed = ", ".join(f"{i.scheme} {i.value} (vendor {v})" for i, v in owners.items())
    return "identifier_taken", f"{field}: already belong to another vendor: {listed}"
