"""A realistic valid payload for every event type, from vendor B's case (README.md), and envelopes.

Vendor B lost a USB memory with every resident's data, had re-subcontracted without approval,
and was suspended from bidding for 18 months, decided 2022-07-08, in force from 2022-07-09.
`example()` returns a changed copy, so the examples stay valid; `RULE_VIOLATIONS` lists
changes that make an example invalid, with what the rejection must say.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

from services.events.sanction import PERIOD_FIELDS

OCCURRED_AT = "2022-07-08T10:00:00+09:00"
SOURCE = "city.procurement"

VALID_PAYLOADS: dict[str, dict[str, Any]] = {
    "vendor.registered": {
        "legal_name": "株式会社ビーシステム",
        "name_kana": "ビーシステム",
        "name_en": "B System Co., Ltd.",
        # 7000012050002 is a real corporate number with a valid check digit (国税庁).
        "identifiers": [
            {"scheme": "corporate_number", "value": "7000012050002"},
            {"scheme": "internal", "value": "V-0042"},
        ],
        "aliases": ["Bシステム", "(株)ビーシステム"],
        "country": "JP",
    },
    "vendor.updated": {
        "name_en": "B-System Co., Ltd.",
        "aliases": ["Bシステム"],
    },
    "vendor.renamed": {
        "new_legal_name": "株式会社ビーソリューションズ",
        "new_name_kana": "ビーソリューションズ",
        "new_name_en": "B Solutions Co., Ltd.",
        "effective_on": "2023-04-01",
    },
    "vendor.affiliation_changed": {
        "related_vendor_id": "vendor-b-holdings",
        "relation": "parent",
        "change": "added",
        "effective_on": "2020-04-01",
        "ownership_percent": 100,
    },
    "vendor.match_reviewed": {
        "decision": "not_same",
        "bidder_name": "ビーシステムサービス株式会社",
        "bidder_address": "北浜市港町3-1",
        "bidder_country": "JP",
        "bidder_identifier": {"scheme": "corporate_number", "value": "7000012050002"},
        "reason": "Another firm: different address and representative (法人登記 checked).",
    },
    "contract.awarded": {
        "contract_id": "c-2021-resident-records",
        "agency": "市民課",
        "title": "住民記録システム運用保守",
        "category": "information_systems",
        "criticality": "resident_facing",
        "awarded_on": "2021-03-15",
        "starts_on": "2021-04-01",
        "ends_on": "2026-03-31",
        "amount": 128000000,
        "currency": "JPY",
    },
    "contract.amended": {
        "contract_id": "c-2021-resident-records",
        "effective_on": "2022-10-01",
        "ends_on": "2026-09-30",
        "reason": "Extended until the replacement system is supplied stably.",
    },
    "contract.terminated": {
        "contract_id": "c-2021-resident-records",
        "terminated_on": "2026-09-30",
        "reason": "migrated",
        "note": "Moved to vendor-c in phase 2.",
    },
    "contract.subcontract_requested": {
        "contract_id": "c-2022-benefit-payments",
        "subcontract_id": "sc-2",
        "subcontractor_vendor_id": "vendor-d",
        "parent_subcontract_id": "sc-1",
        "scope": "Data transfer for benefit payment processing.",
        "requested_on": "2022-05-10",
    },
    "contract.subcontract_approved": {
        "contract_id": "c-2022-benefit-payments",
        "subcontract_id": "sc-1",
        "approved_on": "2022-05-20",
        "fitness_certificate_ids": ["cert-fit-1"],
    },
    "contract.subcontract_rejected": {
        "contract_id": "c-2022-benefit-payments",
        "subcontract_id": "sc-2",
        "rejected_on": "2022-05-25",
        "reason": "No document proving the re-subcontractor's fitness.",
    },
    "incident.reported": {
        "incident_id": "inc-2022-usb",
        "kind": "data_loss",
        "severity": "critical",
        "occurred_on": "2022-06-21",
        "reported_on": "2022-06-23",
        "contract_id": "c-2022-benefit-payments",
        "caused_by_vendor_id": "vendor-d",
        "description": "A USB memory holding every resident's personal data was lost.",
    },
    "incident.investigated": {
        "incident_id": "inc-2022-usb",
        "investigated_on": "2022-06-28",
        "leak": "not_confirmed",
        "unapproved_subcontracting_found": True,
        "control_failures": [
            "no_locked_case",
            "no_supervision",
            "unapproved_resubcontracting",
        ],
        "summary": "Forensic examination found no leak; the USB was carried without the "
        "locked case and the work was re-subcontracted twice without approval.",
    },
    "incident.closed": {
        "incident_id": "inc-2022-usb",
        "closed_on": "2022-11-28",
        "resolution": "USB recovered; data erasure certified; vendor suspended.",
    },
    "sanction.imposed": {
        "sanction_id": "sanc-2022-07-b",
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": "2022-07-08",
        "starts_on": "2022-07-09",
        "duration_months": 18,
        "covers_affiliates": False,
        "grounds": ["information_leakage", "breach_of_contract"],
        "serious": True,
        "incident_ids": ["inc-2022-usb"],
        "reason": "Loss of residents' personal data; unapproved re-subcontracting.",
    },
    "sanction.amended": {
        "sanction_id": "sanc-2022-07-b",
        "effective_on": "2022-08-01",
        "categories": ["information_systems", "data_processing"],
        "reason": "Scope limited to IT categories on review.",
    },
    "sanction.lifted": {
        "sanction_id": "sanc-2022-07-b",
        "effective_on": "2024-01-09",
        "reason": "Suspension period ended.",
    },
    "claim.filed": {
        "claim_id": "claim-2022-usb",
        "filed_on": "2022-11-28",
        "amount": 15000000,
        "currency": "JPY",
        "incident_id": "inc-2022-usb",
        "contract_id": "c-2022-benefit-payments",
        "description": "Costs of the call centre and of notifying residents.",
    },
    "claim.settled": {
        "claim_id": "claim-2022-usb",
        "settled_on": "2023-03-31",
        "amount": 12000000,
    },
    "certificate.submitted": {
        "certificate_id": "cert-fit-1",
        "kind": "subcontractor_fitness",
        "contract_id": "c-2022-benefit-payments",
        "subcontract_id": "sc-1",
        "submitted_on": "2022-05-15",
        "issued_by": "vendor-b",
    },
    "audit.completed": {
        "audit_id": "audit-2022-09",
        "completed_on": "2022-09-30",
        "contract_id": "c-2022-benefit-payments",
        "outcome": "findings",
        "findings": ["Photo ID was not checked before lending IC cards."],
    },
    "vendor.eligibility_changed": {
        "as_of": "2022-07-09",
        "eligible": False,
        "reasons": [
            {
                "sanction_id": "sanc-2022-07-b",
                "kind": "bid_suspension",
                "authority": "City procurement office",
                "starts_on": "2022-07-09",
                "ends_on": "2024-01-08",
            }
        ],
        "eligible_again_on": "2024-01-09",
    },
    "risk.changed": {
        "model_version": "risk-2022.1",
        "old_score": 35,
        "new_score": 92.5,
        "old_band": "medium",
        "new_band": "critical",
        "moved_factors": ["active_sanction", "critical_incident"],
    },
    "migration.plan_requested": {
        "plan_id": "plan-b-manual",
        "agency": "市民課",
        "reason": "Risk band critical: prepare the move before any sanction.",
    },
    "migration.plan_withdrawn": {
        "plan_id": "plan-b-manual",
        "reason": "Opened for the wrong vendor.",
    },
    "migration.plan_created": {
        "plan_id": "plan-b-2022",
        "agency": "市民課",
        "trigger": "suspension",
        "contract_ids": ["c-2021-resident-records", "c-2022-benefit-payments"],
    },
    "migration.plan_configured": {
        "plan_id": "plan-b-2022",
        "capacity": 2,
        "blackouts": [
            {"starts_on": "2023-03-20", "ends_on": "2023-04-10", "reason": "fiscal-year end"}
        ],
        "early_cutover": "forbid",
    },
    "migration.item_configured": {
        "plan_id": "plan-b-2022",
        "contract_id": "c-2022-benefit-payments",
        "criticality": "resident_facing",
        "depends_on": ["c-2021-resident-records"],
        "lead_time_months": 3,
        "earliest_on": "2023-01-01",
        "deadline_on": "2024-03-31",
    },
    "migration.replacement_chosen": {
        "plan_id": "plan-b-2022",
        "contract_id": "c-2021-resident-records",
        "replacement_vendor_id": "vendor-c",
        "chosen_on": "2022-09-01",
    },
    "migration.checklist_updated": {
        "plan_id": "plan-b-2022",
        "contract_id": "c-2021-resident-records",
        "check": "parallel_run_passed",
        "passed": True,
    },
    "migration.item_status_changed": {
        "plan_id": "plan-b-2022",
        "contract_id": "c-2021-resident-records",
        "status": "blocked",
        "on": "2023-02-01",
        "note": "Replacement system not yet supplied stably.",
    },
    "migration.plan_scheduled": {
        "plan_id": "plan-b-2022",
        "version": 2,
        "solver_status": "optimal",
        "gap": 0.0,
        "phases": [
            {"contract_id": "c-2022-benefit-payments", "phase_start": "2023-04-01"},
            {"contract_id": "c-2021-resident-records", "phase_start": "2024-04-01"},
        ],
        "changes": ["c-2021-resident-records moved from 2024-03 to 2024-04 because …"],
    },
    "import.reported": {
        "source": "worldbank",
        "file_name": "worldbank_debarred_firms_individuals.csv",
        "file_sha256": "9f" * 32,
        "started_at": "2022-07-08T10:00:00+09:00",
        "finished_at": "2022-07-08T10:00:41+09:00",
        "compared": True,
        "rows_read": 1286,
        "vendors_created": 1284,
        "vendors_by_identifier": 0,
        "vendors_by_name": 1,
        "sanctions_imposed": 1285,
        "sanctions_amended": 0,
        "sanctions_lifted": 0,
        "sanctions_unchanged": 0,
        "events_sent": 2570,
        "refused_count": 1,
        "refused": [{"line": 12, "reason": "ends_on: 2021-01-01 is before starts_on 2022-01-01"}],
        "review_count": 1,
        "review": [
            {
                "line": 40,
                "name": "B SYSTEM CO LTD",
                "vendor_id": "worldbank:b-system-co-ltd-0f1e2d3c4b5a6978",
                "candidate_name": "B System Co., Ltd.",
                "candidate_vendor_id": "vendor-b",
                "score": 93.5,
                "why": "a weaker name match",
            }
        ],
    },
    "import.candidates_listed": {
        "source": "worldbank",
        "report_id": "5d1c9a4e-2b7f-5e3a-9c8d-1f2e3a4b5c6d",
        "offset": 100,
        "candidates": [
            {
                "line": 1204,
                "name": "B SYSTEMS CO LIMITED",
                "vendor_id": "worldbank:b-systems-co-limited-7a6b5c4d3e2f1a0b",
                "candidate_name": "B System Co., Ltd.",
                "candidate_vendor_id": "vendor-b",
                "score": 91.2,
                "why": "a weaker name match",
            }
        ],
    },
    "watchlist.saved": {
        "agency": "市民課",
        "name": "bidders 2022-07 resident records",
        "vendor_ids": ["vendor-b", "vendor-c"],
    },
    "alert.raised": {
        "alert_id": "3f2c1b8e-9d4a-5b6c-8e7f-0a1b2c3d4e5f",
        "agency": "市民課",
        "change": "barred",
        "as_of": "2022-07-09",
        "eligible_again_on": "2024-01-09",
        "reasons": [
            {
                "sanction_id": "sanc-2022-07-b",
                "kind": "bid_suspension",
                "authority": "City procurement office",
                "starts_on": "2022-07-09",
                "ends_on": "2024-01-08",
            }
        ],
        "watchlists": ["running contracts"],
        "cause_event_id": "9b1e7c44-2f0a-4d7e-9c55-61f0e3a2b7d8",
        "raised_at": "2022-07-09T00:00:05+09:00",
    },
    "alert.acknowledged": {
        "alert_id": "3f2c1b8e-9d4a-5b6c-8e7f-0a1b2c3d4e5f",
        "note": "Contract review started.",
    },
}


def envelope(
    event_type: str,
    payload: dict[str, Any],
    vendor_id: str = "vendor-b",
    event_id: str | None = None,
) -> dict[str, Any]:
    """A complete event around `payload`; a fresh random event_id unless one is given."""
    return {
        "event_id": event_id if event_id is not None else str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": OCCURRED_AT,
        "source": SOURCE,
        "vendor_id": vendor_id,
        "payload": payload,
    }


def envelope_now(event_type: str, payload: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    """`envelope`, occurred now rather than at the examples' fixed moment (a sanction
    decided lately must not precede what it is about)."""
    occurred_at = datetime.datetime.now(datetime.UTC).isoformat()
    return {**envelope(event_type, payload, vendor_id), "occurred_at": occurred_at}


DROP: Any = object()  # marks a key `example` removes


def example(event_type: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of the valid example with `changes` applied (DROP deletes a key)."""
    payload = copy.deepcopy(VALID_PAYLOADS[event_type])
    for key, value in changes.items():
        if value is DROP:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


PERIOD = (
    "sanction period: give exactly one of duration_months, duration_days, ends_on "
    "or indefinite=true"
)
LEI_TWICE = [{"scheme": "lei", "value": "7LTWFZYICNSX8D621K86"}] * 2
FITNESS_MISSING = "subcontract_id: required when kind is 'subcontractor_fitness'"

# Per event type: (changes to its valid example, a fragment the reason must contain).
RULE_VIOLATIONS: dict[str, list[tuple[dict[str, Any], str]]] = {
    "vendor.registered": [
        (
            {"identifiers": LEI_TWICE},
            "identifiers: duplicate (scheme, value) pairs ('lei', '7LTWFZYICNSX8D621K86')",
        ),
        ({"aliases": ["B", "B"]}, "aliases: duplicate entries 'B'"),
        ({"identifiers": [{"scheme": "LEI", "value": "X"}]}, "payload.identifiers.0.scheme"),
        ({"country": "jp"}, "payload.country"),
        ({"country": "JPN"}, "payload.country"),
    ],
    "vendor.updated": [
        ({"name_en": DROP, "aliases": DROP}, "no change given: set at least one of legal_name"),
        ({"name_en": DROP, "aliases": DROP, "legal_name": None}, "no change given"),
        ({"clear": ["name_en"]}, "clear: name_en cannot be both given and cleared"),
        ({"clear": ["country", "country"]}, "clear: duplicate entries 'country'"),
        ({"clear": ["legal_name"]}, "payload.clear.0"),
        ({"identifiers": LEI_TWICE}, "identifiers: duplicate"),
    ],
    "vendor.match_reviewed": [
        ({"decision": "maybe"}, "payload.decision"),
        ({"reason": "  "}, "payload.reason"),
        ({"bidder_country": "Japan"}, "payload.bidder_country"),
        (
            {"bidder_identifier": {"scheme": "corporate_number", "value": "8000012050002"}},
            "fails its check digit",
        ),
    ],
    "vendor.affiliation_changed": [
        ({"ownership_percent": 100.5}, "payload.ownership_percent"),
        ({"relation": "sibling"}, "payload.relation"),
    ],
    "contract.awarded": [
        ({"ends_on": "2021-03-31"}, "ends_on: 2021-03-31 is before starts_on 2021-04-01"),
        ({"amount": -1}, "payload.amount"),
        ({"currency": "jpy"}, "payload.currency"),
    ],
    "contract.amended": [({"ends_on": DROP}, "no change given: set ends_on, amount or both")],
    "contract.terminated": [
        ({"reason": "other", "note": DROP}, "note: required when reason is 'other'")
    ],
    "contract.subcontract_requested": [
        ({"parent_subcontract_id": "sc-2"}, "parent_subcontract_id: a subcontract cannot be")
    ],
    "contract.subcontract_approved": [
        ({"fitness_certificate_ids": ["a", "a"]}, "fitness_certificate_ids: duplicate entries 'a'")
    ],
    "incident.reported": [
        ({"reported_on": "2022-06-20"}, "reported_on: 2022-06-20 is before occurred_on")
    ],
    "incident.investigated": [
        ({"unapproved_subcontracting_found": False}, "unapproved_subcontracting_found: must be"),
        ({"control_failures": ["no_supervision"] * 2}, "control_failures: duplicate entries"),
    ],
    "sanction.imposed": [
        ({"duration_months": DROP}, f"{PERIOD}; got none"),
        ({"ends_on": "2024-01-08"}, f"{PERIOD}; got duration_months and ends_on"),
        ({"duration_days": 9, "indefinite": True}, "duration_months and duration_days and indef"),
        ({"duration_months": DROP, "ends_on": "2022-07-08"}, "ends_on: 2022-07-08 is before"),
        ({"starts_on": "2022-07-07"}, "starts_on: 2022-07-07 is before decided_on 2022-07-08"),
        ({"agencies": []}, "agencies: an empty list would cover nothing; to cover every one"),
        ({"categories": []}, "categories: an empty list would cover nothing"),
        ({"agencies": ["市民課", "市民課"]}, "agencies: duplicate entries '市民課'"),
        ({"grounds": []}, "payload.grounds: List should have at least 1 item"),
        ({"grounds": ["Bribery"]}, "payload.grounds.0"),
        ({"grounds": ["bribery", "bribery"]}, "grounds: duplicate entries 'bribery'"),
        ({"incident_ids": ["i-1", "i-1"]}, "incident_ids: duplicate entries 'i-1'"),
        ({"duration_months": 0}, "payload.duration_months"),
        ({"duration_months": 601}, "payload.duration_months"),
        ({"duration_months": DROP, "duration_days": 36501}, "payload.duration_days"),
    ],
    "sanction.amended": [
        ({"categories": DROP}, "no change given"),
        ({"categories": DROP, "indefinite": False}, "no change given"),
        ({"duration_months": 24, "ends_on": "2024-07-08"}, f"{PERIOD}; got duration_months and"),
        ({"categories": []}, "categories: an empty list would cover nothing"),
        ({"cover_all": ["categories"]}, "cover_all: categories cannot be both listed and"),
        ({"cover_all": ["agencies"] * 2}, "cover_all: duplicate entries 'agencies'"),
        ({"categories": None}, "no change given"),
    ],
    "certificate.submitted": [({"subcontract_id": DROP}, FITNESS_MISSING)],
    "audit.completed": [
        ({"outcome": "failed", "findings": []}, "findings: required when outcome is 'failed'"),
        ({"findings": DROP}, "findings: required when outcome is 'findings'"),
    ],
    "vendor.eligibility_changed": [
        ({"eligible": True}, "reasons: must be empty when eligible is true"),
        ({"eligible": True, "reasons": []}, "eligible_again_on: must be null when eligible"),
        ({"reasons": []}, "reasons: at least one is required when eligible is false"),
        ({"eligible_again_on": "2022-07-09"}, "eligible_again_on: 2022-07-09 is not after as_of"),
    ],
    "risk.changed": [
        ({"old_band": DROP}, "old_score, old_band: give both"),
        ({"old_score": None}, "old_score, old_band: give both"),
        ({"new_score": 100.01}, "payload.new_score"),
    ],
    "migration.plan_created": [
        ({"contract_ids": ["c-1", "c-1"]}, "contract_ids: duplicate entries 'c-1'"),
    ],
    "migration.plan_configured": [
        ({"capacity": DROP, "blackouts": DROP, "early_cutover": DROP}, "no change given"),
        ({"capacity": 0}, "payload.capacity"),
        (
            {"blackouts": [{"starts_on": "2023-04-10", "ends_on": "2023-04-01", "reason": "x"}]},
            "ends_on: 2023-04-01 is before starts_on 2023-04-10",
        ),
        (
            {
                "capacity_overrides": [
                    {"phase_start": "2023-03-01", "capacity": 1},
                    {"phase_start": "2023-03-01", "capacity": 2},
                ]
            },
            "capacity_overrides: duplicate entries 2023-03-01",
        ),
    ],
    "migration.item_configured": [
        ({"depends_on": ["c-2022-benefit-payments"]}, "cannot move after itself"),
        ({"deadline_on": "2022-12-31"}, "deadline_on: 2022-12-31 is before earliest_on"),
        ({"lead_time_months": -1}, "payload.lead_time_months"),
    ],
    "migration.plan_scheduled": [
        ({"solver_status": "infeasible"}, "phases: must be empty when solver_status is"),
        ({"phases": [{"contract_id": "c-1", "phase_start": "2023-04-01"}] * 2}, "scheduled twice"),
    ],
    "migration.item_status_changed": [({"note": DROP}, "note: required when status is 'blocked'")],
    "import.reported": [
        ({"finished_at": "2022-07-08T09:59:00+09:00"}, "finished_at: before started_at"),
        ({"refused_count": 0}, "refused: 1 listed, refused_count 0"),
        ({"file_sha256": "9F" * 32}, "file_sha256"),
    ],
    "import.candidates_listed": [
        ({"candidates": []}, "payload.candidates: List should have at least 1 item"),
        ({"offset": -1}, "payload.offset"),
    ],
}


def graphql_input(payload: dict[str, Any]) -> dict[str, Any]:
    """An event payload under the names of its generated GraphQL input (camelCase)."""
    return {
        key.split("_")[0] + "".join(w.capitalize() for w in key.split("_")[1:]): value
        for key, value in payload.items()
    }


def sanction_input(payload: dict[str, Any]) -> dict[str, Any]:
    """A sanction.imposed or sanction.amended payload as its GraphQL input: camelCase, and
    its period (the one of the four period fields set) as the @oneOf `period`."""
    fields = {k: v for k, v in payload.items() if k not in PERIOD_FIELDS}
    given = {
        k: v for k, v in payload.items() if k in PERIOD_FIELDS and v is not None and v is not False
    }
    return graphql_input(fields) | ({"period": graphql_input(given)} if given else {})
