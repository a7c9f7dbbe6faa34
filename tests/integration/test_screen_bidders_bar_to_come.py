"""A bidder screened by name who is a vendor eligible on the day but with a bar already
recorded to come (real PostgreSQL, the API in process; an exploratory tester's finding): by
id the answer was ELIGIBLE with the bar in `upcoming`, by name UNKNOWN, with no word of it.
The officer awarding a contract needs to know the firm is about to be barred either way."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

BEFORE_THE_BAR = "2022-07-08"  # decided that day, it bars from 2022-07-09
SCREEN = """query ($b: [BidderInput!]!, $d: Date!) { screenBidders(bidders: $b, asOf: $d) {
  ref status vendorId eligibility { eligible upcoming { sanctionId startsOn } }
  candidates { vendorId eligible reasons { sanctionId } eligibleAgainOn
    upcoming { sanctionId startsOn endsOn } } } }"""


async def test_a_name_of_a_vendor_with_a_bar_to_come_is_a_candidate_showing_it(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())  # B: 株式会社ビーシステム
    bidders = [
        {"ref": "by-id", "vendorId": case_b.VENDOR},
        {"ref": "by-name", "name": "株式会社ビーシステム"},
    ]
    by_id, by_name = (await execute(pool, SCREEN, b=bidders, d=BEFORE_THE_BAR))["screenBidders"]
    bar = {"sanctionId": "city-2022-001", "startsOn": case_b.SUSPENSION_START}
    assert (by_id["status"], by_id["eligibility"]) == (
        "ELIGIBLE",
        {"eligible": True, "upcoming": [bar]},
    )
    assert by_name == {
        "ref": "by-name",
        "status": "POSSIBLE_MATCH",
        "vendorId": None,
        "eligibility": None,
        "candidates": [
            {
                "vendorId": case_b.VENDOR,
                "eligible": True,
                "reasons": [],
                "eligibleAgainOn": None,
                "upcoming": [bar | {"endsOn": "2024-01-08"}],
            }
        ],
    }
