"""The registry's case as the console's browser tests (and README's screenshots) record it in a
running `vendorwatch up` (`recorded`), once the API answers with it: vendor B suspended (README's
worked example) with its subsidiary, vendor C registered with a corporate number (`C_NUMBER`)
and never sanctioned, and vendors D and E, each barred on DURING_THE_SUSPENSION (2023-01-10, as
test_console_browser.py's officer types it) by a bar that began after its sanction's first day."""

from __future__ import annotations

from pathlib import Path

from services.events.vendor import corporate_number_check_digit
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.processes import System, wait_until

B_NUMBER = "7000012050002"  # vendor B's corporate number (case_b)
C_BASE = "000001205001"
C_NUMBER = f"{corporate_number_check_digit(C_BASE)}{C_BASE}"
# Vendor D's suspension, covering affiliates: 2022-07-09 to 2022-10-08, then, by an amendment
# dated after a free spell, from 2022-12-01 to 2023-07-08; vendor E its subsidiary from
# 2022-12-20. On DURING_THE_SUSPENSION each is barred by a bar that began after the
# sanction's first day.
D_SANCTION = "city-2022-009"
D_RESUMED, E_AFFILIATED, D_LAST_DAY = "2022-12-01", "2022-12-20", "2023-07-08"


def bars_that_began_later() -> list[dict[str, object]]:
    """Vendors D and E, each barred on DURING_THE_SUSPENSION by a bar that began after its
    sanction's first day: D's after a gap, E's when it became D's subsidiary."""
    imposed = {
        "sanction_id": D_SANCTION,
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": "2022-07-08",
        "starts_on": case_b.SUSPENSION_START,
        "duration_months": 3,
        "grounds": ["breach_of_contract"],
        "covers_affiliates": True,
        "policy_override_reason": "A short suspension, on review.",
    }
    extended = {
        "sanction_id": D_SANCTION,
        "effective_on": D_RESUMED,
        "duration_months": 12,
        "reason": "Extended on new findings, after it had ended.",
        "policy_override_reason": "New findings.",
    }
    parent = {
        "related_vendor_id": "vendor-d",
        "relation": "parent",
        "change": "added",
        "effective_on": E_AFFILIATED,
    }
    return [
        envelope("vendor.registered", {"legal_name": "Delta Holdings Ltd"}, "vendor-d"),
        envelope("vendor.registered", {"legal_name": "Echo Works Ltd"}, "vendor-e"),
        envelope("sanction.imposed", imposed, "vendor-d"),
        envelope("sanction.amended", extended, "vendor-d"),
        envelope("vendor.affiliation_changed", parent, "vendor-e"),
    ]


def recorded(system: System, tmp_path: Path) -> None:
    """Vendor B suspended from 2022-07-09 to 2024-01-08 (README's worked example), its
    subsidiary since 2020-04-01, vendor C, registered with a corporate number and never
    sanctioned, and vendors D and E (`bars_that_began_later`)."""
    vendor_c = envelope(
        "vendor.registered",
        {
            "legal_name": "シー商事株式会社",
            "identifiers": [{"scheme": "corporate_number", "value": C_NUMBER}],
        },
        "vendor-c",
    )
    events = tmp_path / "events.jsonl"
    lines = [
        case_b.registered(),
        case_b.suspended(),
        vendor_c,
        case_b.subsidiary(),
        case_b.owned_by_b(),
        *bars_that_began_later(),
    ]
    events.write_bytes(b"\n".join(case_b.line(event) for event in lines) + b"\n")
    system.publish(events)
    query = """query ($id: ID!, $on: Date!) {
      bidEligibility(vendor: {vendorId: $id}, asOf: $on) { eligible }
    }"""

    def b_barred_c_known() -> bool:
        b = system.client.data(query, id=case_b.VENDOR, on="2023-01-10")
        c = system.client.data('query { vendor(vendorId: "vendor-c") { vendorId } }')
        e = system.client.data(query, id="vendor-e", on="2023-01-10")
        return (
            b["bidEligibility"]["eligible"] is False
            and c["vendor"] is not None
            and e["bidEligibility"]["eligible"] is False
        )

    wait_until(b_barred_c_known, "vendors B and E barred and vendor C registered")
