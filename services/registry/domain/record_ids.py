"""A new record's id must be new (pure): the registry refuses an award, a subcontract request,
an incident report, a claim or a certificate whose id is on record already, and the API's
receipt refuses it too, in the same words (reads/record_ids.py). No record is ever removed,
so an id on record when the receipt looks stays taken when the registry applies the event."""

from __future__ import annotations

from services.registry.domain.refusals import Refusal


def taken_refusal(field: str, record_id: str) -> Refusal:
    """Why a new record named `record_id` in the payload's `field` is refused: the id is on
    record already (another vendor's too where ids are unique across vendors, said naming
    no vendor)."""
    return "recorded_already", f"payload.{field}: {record_id!r} is already recorded"
