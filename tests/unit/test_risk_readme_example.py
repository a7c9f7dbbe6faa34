"""The risk model's worked example (services/risk/README.md), computed by the real model: if a
weight or the scoring changes, this fails until that table is brought up to date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from services.events.catalog import parse_event
from services.risk.domain.fold import fold
from services.risk.domain.model import load_model
from services.risk.domain.scoring import score
from tests.support.case_b import suspended
from tests.support.event_examples import envelope

CITY = "市民課"


def _contract(n: int) -> dict[str, Any]:
    payload = {
        "contract_id": f"c-{n:02d}",
        "agency": CITY,
        "title": f"System {n}",
        "category": "information_systems",
        "criticality": "resident_facing",
        "awarded_on": "2020-03-01",
        "starts_on": "2020-04-01",
        "ends_on": "2027-03-31",
        "amount": 10_000_000,
    }
    return envelope("contract.awarded", payload)


EVENTS = [
    *(_contract(n) for n in range(10)),  # B holds 10 of the city's 12 resident-facing contracts
    envelope(
        "incident.reported",
        {
            "incident_id": "usb",
            "kind": "data_loss",
            "severity": "high",
            "occurred_on": "2022-06-21",
            "reported_on": "2022-06-23",
            "description": "Lost USB memory.",
        },
    ),
    envelope(
        "incident.investigated",
        {
            "incident_id": "usb",
            "investigated_on": "2022-07-01",
            "leak": "not_confirmed",
            "unapproved_subcontracting_found": True,
            "summary": "No leak; unapproved re-subcontracting.",
        },
    ),
    suspended(),
    envelope(
        "claim.filed",
        {
            "claim_id": "damages",
            "filed_on": "2022-11-28",
            "amount": 50_000_000,
            "description": "Costs of notifying every resident.",
        },
    ),
]


@pytest.mark.parametrize(
    ("day", "expected", "band"),
    [
        ("2022-06-01", 12.5, "low"),
        ("2022-06-23", 32.4, "medium"),
        ("2022-07-01", 37.2, "medium"),
        ("2022-07-09", 67.0, "high"),
        ("2022-11-28", 67.6, "high"),
        ("2024-01-09", 41.6, "medium"),
    ],
)
def test_the_readme_table(day: str, expected: float, band: str) -> None:
    as_of = dt.date.fromisoformat(day)
    events = [parse_event(json.dumps(e, ensure_ascii=False)) for e in EVENTS]
    risk = score(fold("vendor-b", events, as_of), as_of, load_model(), {CITY: 12})
    assert (risk.score, risk.band.value) == (expected, band)
