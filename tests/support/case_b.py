"""The case of DESIGN.md as events: vendor B registered, then suspended for 18 months."""

from __future__ import annotations

import json
from typing import Any

from tests.support.event_examples import VALID_PAYLOADS, envelope

VENDOR = "vendor-b"
SUSPENSION_START = "2022-07-09"
LAST_SUSPENDED_DAY = "2024-01-08"
ELIGIBLE_AGAIN = "2024-01-09"


def registered(vendor_id: str = VENDOR) -> dict[str, Any]:
    return envelope("vendor.registered", VALID_PAYLOADS["vendor.registered"], vendor_id)


def another_vendor(vendor_id: str) -> dict[str, Any]:
    """A registration of some other vendor, sharing no identifier with vendor B."""
    return envelope("vendor.registered", {"legal_name": f"{vendor_id} K.K."}, vendor_id)


def suspended(vendor_id: str = VENDOR, sanction_id: str = "city-2022-001") -> dict[str, Any]:
    payload = {
        "sanction_id": sanction_id,
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": "2022-07-08",
        "starts_on": SUSPENSION_START,
        "duration_months": 18,
        "grounds": ["breach_of_contract", "dishonest_conduct"],
        "serious": True,
    }
    return envelope("sanction.imposed", payload, vendor_id)


def line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()
