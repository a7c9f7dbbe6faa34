"""README.md's worked example as events: vendor B registered, then suspended for 18 months."""

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


SUBSIDIARY = "vendor-b-sub"


def renamed(vendor_id: str = VENDOR) -> dict[str, Any]:
    """B takes a new name on 2023-04-01; its old one, 株式会社ビーシステム, must keep matching."""
    return envelope("vendor.renamed", VALID_PAYLOADS["vendor.renamed"], vendor_id)


def subsidiary() -> dict[str, Any]:
    return envelope("vendor.registered", {"legal_name": "ビーシステムサービス株式会社"}, SUBSIDIARY)


def owned_by_b(effective_on: str = "2020-04-01", change: str = "added") -> dict[str, Any]:
    """The subsidiary's parent is B (recorded on the subsidiary)."""
    payload = {
        "related_vendor_id": VENDOR,
        "relation": "parent",
        "change": change,
        "effective_on": effective_on,
    }
    return envelope("vendor.affiliation_changed", payload, SUBSIDIARY)


def suspended(
    vendor_id: str = VENDOR,
    sanction_id: str = "city-2022-001",
    covers_affiliates: bool = False,
    **changes: Any,
) -> dict[str, Any]:
    payload = {
        "sanction_id": sanction_id,
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": "2022-07-08",
        "starts_on": SUSPENSION_START,
        "duration_months": 18,
        "grounds": ["breach_of_contract", "dishonest_conduct"],
        "serious": True,
        "covers_affiliates": covers_affiliates,
        **changes,
    }
    return envelope("sanction.imposed", payload, vendor_id)


def amended(sanction_id: str = "city-2022-001", **changes: Any) -> dict[str, Any]:
    payload = {"sanction_id": sanction_id, "reason": "Amended on review.", **changes}
    return envelope("sanction.amended", payload, VENDOR)


def lifted(effective_on: str, sanction_id: str = "city-2022-001") -> dict[str, Any]:
    payload = {"sanction_id": sanction_id, "effective_on": effective_on, "reason": "Lifted."}
    return envelope("sanction.lifted", payload, VENDOR)


def line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()
