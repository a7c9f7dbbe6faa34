"""Vendor B's case (services/risk/README.md, "The risk model") as risk events: B's contract, its
subcontractor C, the lost USB memory, the investigation, the suspension, and an incident C
caused on B's contract."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support import case_b
from tests.support.case_b import VENDOR, suspended
from tests.support.event_examples import envelope

SUBCONTRACTOR = "vendor-c"
CONTRACT = "c-2021-resident-records"
AGENCY = "市民課"


def contract() -> dict[str, Any]:
    payload = {
        "contract_id": CONTRACT,
        "agency": AGENCY,
        "title": "住民記録システム運用保守",
        "category": "information_systems",
        "criticality": "resident_facing",
        "awarded_on": "2021-03-15",
        "starts_on": "2021-04-01",
        "ends_on": "2026-03-31",
        "amount": 128000000,
    }
    return envelope("contract.awarded", payload, VENDOR)


def awards(vendor_id: str, count: int) -> list[dict[str, Any]]:
    """`count` critical contracts of AGENCY to the vendor, running on 2022-08-10 (the case's
    award, each under ids of its own): what concentration counts."""
    found = []
    for n in range(count):
        award = contract()
        award["payload"] |= {"contract_id": f"c-{vendor_id}-{n}"}
        found.append(award | {"vendor_id": vendor_id, "event_id": str(uuid.uuid4())})
    return found


def subcontract() -> dict[str, Any]:
    payload = {
        "contract_id": CONTRACT,
        "subcontract_id": "sub-2021-01",
        "subcontractor_vendor_id": SUBCONTRACTOR,
        "scope": "Data centre operations",
        "requested_on": "2021-05-01",
    }
    return envelope("contract.subcontract_requested", payload, VENDOR)


def usb_lost(contract_id: str = CONTRACT) -> dict[str, Any]:
    """The lost USB memory, on B's `contract_id` (its resident records contract)."""
    payload = {
        "incident_id": "inc-2022-usb",
        "kind": "data_loss",
        "severity": "high",
        "occurred_on": "2022-05-20",
        "reported_on": "2022-05-26",
        "contract_id": contract_id,
        "description": "A USB memory with every resident's personal data was lost.",
    }
    return envelope("incident.reported", payload, VENDOR)


def investigated() -> dict[str, Any]:
    payload = {
        "incident_id": "inc-2022-usb",
        "investigated_on": "2022-06-30",
        "leak": "not_confirmed",
        "unapproved_subcontracting_found": True,
        "control_failures": ["no_locked_case", "no_supervision", "unapproved_resubcontracting"],
        "summary": "Re-subcontracted twice without approval; no leak found by forensics.",
    }
    return envelope("incident.investigated", payload, VENDOR)


def caused_by_subcontractor() -> dict[str, Any]:
    payload = {
        "incident_id": "inc-2022-outage",
        "kind": "service_failure",
        "severity": "high",
        "occurred_on": "2022-08-01",
        "reported_on": "2022-08-02",
        "contract_id": CONTRACT,
        "caused_by_vendor_id": SUBCONTRACTOR,
        "description": "The subcontractor's data centre stopped resident services for a day.",
    }
    return envelope("incident.reported", payload, VENDOR)


def the_case() -> list[dict[str, Any]]:
    """In order: contract, subcontract, incident, investigation, suspension, C's incident
    (C registered before it, or the registry refuses it: `registered_first`)."""
    return [
        contract(),
        subcontract(),
        usb_lost(),
        investigated(),
        suspended(),
        caused_by_subcontractor(),
    ]


def registered_first() -> list[dict[str, Any]]:
    """The vendors the case names that must be registered before it: B, and C, which caused
    an incident on B's contract."""
    return [case_b.registered(), case_b.another_vendor(SUBCONTRACTOR)]
