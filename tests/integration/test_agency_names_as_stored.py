"""An agency named with surrounding whitespace in a read, or in a system owner's request, is
the agency the writes stored (they trim it), on the whole ASGI app and a real PostgreSQL:
`contracts(agency: "市民課 ")` answers as for "市民課", where it answered 0 and a system owner
of 市民課 was refused as naming another agency; a blank one is refused, naming the argument."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.alert_events import MINE, contract, suspended
from tests.support.alert_log import AlertLog
from tests.support.event_examples import example, graphql_input
from tests.support.in_process_api import over_http
from tests.support.migration_db import the_case
from tests.support.principals import token

pytestmark = pytest.mark.postgres

OWNER = token(Role.SYSTEM_OWNER, (MINE,))
ADMIN = token(Role.ADMIN)

# Every read whose `agency` argument selects an agency's records.
READS = """query ($a: String) {
  contracts(agency: $a) { totalCount }
  vendor(vendorId: "vendor-b") { contracts(agency: $a) { totalCount } }
  migrationPlans(agency: $a) { totalCount }
  alerts(agency: $a) { totalCount }
  watchlists(agency: $a) { name vendorIds }
  riskiestVendors(agency: $a) { vendorId }
  bidEligibility(vendor: {vendorId: "vendor-b"}, agency: $a, category: $a) { eligible }
}"""


@pytest.fixture
async def at_mine(pool: asyncpg.Pool) -> asyncpg.Pool:
    """B holds a contract of MINE and is suspended (MINE alerted through the contract), and a
    migration plan of MINE is open."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(contract(MINE))
    await log.record(suspended())
    await the_case(pool)
    return pool


@pytest.mark.parametrize("bearer", [OWNER, ADMIN], ids=["system owner", "admin"])
@pytest.mark.parametrize("spaced", [f"{MINE} ", f"\u3000{MINE}", f"\t{MINE}\n"])
async def test_an_agency_named_with_spaces_reads_as_the_agency_stored(
    at_mine: asyncpg.Pool, bearer: str, spaced: str
) -> None:
    exact = await over_http(at_mine, bearer, READS, a=MINE)
    assert "errors" not in exact, exact
    data = exact["data"]
    assert data["contracts"]["totalCount"] == data["vendor"]["contracts"]["totalCount"] == 1
    assert data["migrationPlans"]["totalCount"] == 1
    assert data["alerts"]["totalCount"] == 1
    assert data["watchlists"] == [{"name": "running contracts", "vendorIds": ["vendor-b"]}]
    assert await over_http(at_mine, bearer, READS, a=spaced) == exact


@pytest.mark.parametrize("blank", ["", "  ", "\u3000"])
async def test_a_blank_agency_is_refused_naming_the_argument(
    at_mine: asyncpg.Pool, blank: str
) -> None:
    query = "query ($a: String) { contracts(agency: $a) { totalCount } }"
    answer = await over_http(at_mine, OWNER, query, a=blank)
    assert answer["data"] is None
    assert [e["message"] for e in answer["errors"]] == [
        "agency: blank; give a name, or null for any"
    ]


async def test_a_system_owner_records_for_its_agency_named_with_spaces(
    at_mine: asyncpg.Pool,
) -> None:
    """A list saved, a contract awarded, naming MINE with a space: recorded (trimmed), not
    refused as another agency's."""
    saved = await over_http(
        at_mine,
        OWNER,
        'mutation { saveWatchlist(agency: "市民課 ", name: "bidders", vendorIds: ["vendor-b"])'
        " { accepted errors { field message } } }",
    )
    assert saved["data"]["saveWatchlist"] == {"accepted": True, "errors": []}
    payload = graphql_input(example("contract.awarded", contract_id="c-new", agency=f"{MINE} "))
    awarded = await over_http(
        at_mine,
        OWNER,
        """mutation ($payload: ContractAwardedInput!) {
          awardContract(vendorId: "vendor-b", payload: $payload) { accepted errors { field } }
        }""",
        payload=_enums(payload),
    )
    assert awarded["data"]["awardContract"] == {"accepted": True, "errors": []}


def _enums(payload: dict[str, Any]) -> dict[str, Any]:
    return payload | {"criticality": str(payload["criticality"]).upper()}
