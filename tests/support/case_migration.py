"""The case's migration as events: vendor B's ten running contracts at one agency, some
resident-facing, some depending on others, their ends spread over two years, to be moved one
by one with no early termination.

Dates are relative to `start`, the first day of the month the suspension begins, so the same
case runs in the past (domain and integration tests with a fixed clock) and from today (end to
end, where the registry announces the suspension as it happens).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from tests.support.event_examples import envelope

TOKYO = ZoneInfo("Asia/Tokyo")
VENDOR = "vendor-b"
AGENCY = "市民課"
CAPACITY = 2
BLACKOUT_PHASE = 7  # the tax-filing season, a whole month without cut-overs


@dataclass(frozen=True)
class CaseContract:
    contract_id: str
    title: str
    criticality: str
    natural_phase: int  # the contract ends on the last day before this phase
    depends_on: tuple[str, ...] = ()


CONTRACTS = (
    CaseContract("c01", "住民記録システム", "resident_facing", 3),
    CaseContract("c02", "給付金支払システム", "resident_facing", 3),
    # Ends with c01 and c02 while only two may cut over a month: the least critical waits.
    CaseContract("c03", "図書館システム", "internal", 3),
    # Ends in the tax-filing season: moves after it.
    CaseContract("c04", "税務システム", "legally_mandated", BLACKOUT_PHASE),
    # Ends before the tax system it depends on has moved: moves after it.
    CaseContract("c05", "税務ポータル", "resident_facing", 6, depends_on=("c04",)),
    CaseContract("c06", "給与システム", "internal", 10),
    CaseContract("c07", "庁内ネットワーク", "internal", 12),
    CaseContract("c08", "文書管理システム", "legally_mandated", 15),
    CaseContract("c09", "ウェブサイトCMS", "resident_facing", 18),
    CaseContract("c10", "データ基盤", "internal", 22, depends_on=("c01",)),
)
# Where the constraints put the three that cannot cut over at their natural end.
FORCED = {"c03": 4, "c04": BLACKOUT_PHASE + 1, "c05": BLACKOUT_PHASE + 2}


def month(start: dt.date, phase: int) -> dt.date:
    return start + relativedelta(months=phase)


def ends_on(start: dt.date, contract: CaseContract) -> dt.date:
    return month(start, contract.natural_phase) - dt.timedelta(days=1)


def awarded(start: dt.date, contract: CaseContract) -> dict[str, Any]:
    payload = {
        "contract_id": contract.contract_id,
        "agency": AGENCY,
        "title": contract.title,
        "category": "information_systems",
        "criticality": contract.criticality,
        "awarded_on": month(start, -24).isoformat(),
        "starts_on": month(start, -23).isoformat(),
        "ends_on": ends_on(start, contract).isoformat(),
        "amount": 50_000_000,
    }
    return envelope("contract.awarded", payload, VENDOR)


def contracts(start: dt.date) -> list[dict[str, Any]]:
    return [awarded(start, c) for c in CONTRACTS]


def blackout(start: dt.date) -> dict[str, Any]:
    return {
        "starts_on": month(start, BLACKOUT_PHASE).isoformat(),
        "ends_on": (month(start, BLACKOUT_PHASE + 1) - dt.timedelta(days=1)).isoformat(),
        "reason": "tax-filing season",
    }


def configured(plan_id: str, start: dt.date) -> dict[str, Any]:
    payload = {
        "plan_id": plan_id,
        "capacity": CAPACITY,
        "blackouts": [blackout(start)],
        "early_cutover": "forbid",
    }
    return envelope("migration.plan_configured", payload, VENDOR)


def dependencies(plan_id: str) -> list[dict[str, Any]]:
    return [
        envelope(
            "migration.item_configured",
            {"plan_id": plan_id, "contract_id": c.contract_id, "depends_on": list(c.depends_on)},
            VENDOR,
        )
        for c in CONTRACTS
        if c.depends_on
    ]


def eligibility_lost(
    vendor_id: str, as_of: dt.date, sanction_id: str = "city-2022-001"
) -> dict[str, Any]:
    """What the registry announces when an 18-month suspension starts."""
    ends = as_of + relativedelta(months=18) - dt.timedelta(days=1)
    payload = {
        "as_of": as_of.isoformat(),
        "eligible": False,
        "reasons": [
            {
                "sanction_id": sanction_id,
                "kind": "bid_suspension",
                "authority": "City procurement office",
                "starts_on": as_of.isoformat(),
                "ends_on": ends.isoformat(),
            }
        ],
        "eligible_again_on": (ends + dt.timedelta(days=1)).isoformat(),
    }
    return envelope("vendor.eligibility_changed", payload, vendor_id)
