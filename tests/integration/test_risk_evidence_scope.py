"""Risk evidence as a system owner sees it (the whole ASGI app, real PostgreSQL, the registry
and the risk service applying the log): the score is the vendor's whole score, its evidence
only what hangs on the caller's agencies' contracts. Found by a security tester: 市民課's
system owner read 税務課's incident and subcontract, with their event ids, in `riskScore`,
`riskHistory` and `riskiestVendors`, while `vendor { incidents subcontracts }` hid them."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.security.auth import Role
from services.risk.handlers import risk_consumer
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.registry import REGISTRY
from tests.support.risk_service import service

pytestmark = pytest.mark.postgres

MINE, THEIRS = "市民課", "税務課"
VENDOR = case_b.VENDOR
FACTORS = "factors { name contribution evidence { note eventIds } }"
RISK = f"""{{
  riskScore(vendorId: "vendor-b", asOf: "2022-08-10") {{ score {FACTORS} }}
  riskHistory(vendorId: "vendor-b", first: 50) {{ edges {{ node {{ {FACTORS} }} }} }}
  riskiestVendors(agency: "市民課") {{ vendorId {FACTORS} }}
}}"""


def event(event_type: str, **changes: Any) -> dict[str, Any]:
    return envelope(event_type, example(event_type, **changes), VENDOR)


def on_contract(contract_id: str, agency: str, suffix: str) -> list[dict[str, Any]]:
    """A contract of `agency`, a subcontract and an incident on it."""
    return [
        event("contract.awarded", contract_id=contract_id, agency=agency),
        event(
            "contract.subcontract_requested",
            contract_id=contract_id,
            subcontract_id=f"s-{suffix}",
            parent_subcontract_id=DROP,
            subcontractor_vendor_id="vendor-c",
        ),
        event(
            "incident.reported",
            incident_id=f"i-{suffix}",
            contract_id=contract_id,
            caused_by_vendor_id=DROP,
        ),
    ]


@pytest.fixture
async def two_agencies(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Vendor B with a contract of each agency, each with a subcontract and an incident,
    through ingest, the registry and risk; 税務課's events."""
    theirs = on_contract("c-zeimu-1", THEIRS, "tax")
    events = [
        case_b.registered(),
        case_b.another_vendor("vendor-c"),
        *on_contract("c-shimin-1", MINE, "mine"),
        *theirs,
    ]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(service()))
    return theirs


def evidence(score: dict[str, Any]) -> tuple[str, set[str]]:
    """Every note and event id of a score's evidence, the notes joined."""
    found = [e for f in score["factors"] for e in f["evidence"]]
    return " | ".join(e["note"] for e in found), {i for e in found for i in e["eventIds"]}


def scores(data: dict[str, Any]) -> list[dict[str, Any]]:
    history = [edge["node"] for edge in data["riskHistory"]["edges"]]
    return [data["riskScore"], *history, *data["riskiestVendors"]]


async def test_a_system_owner_sees_the_evidence_of_its_agencies_only(
    two_agencies: list[dict[str, Any]], pool: asyncpg.Pool
) -> None:
    theirs = {e["event_id"] for e in two_agencies}
    everything = (await over_http(pool, token(Role.AUDITOR), RISK))["data"]
    notes, ids = evidence(everything["riskScore"])
    assert "i-tax" in notes and ids & theirs  # what the owner must not see is there

    answer = await over_http(pool, token(Role.SYSTEM_OWNER, (MINE,)), RISK)
    assert "errors" not in answer
    for score in scores(answer["data"]):
        notes, ids = evidence(score)
        assert "tax" not in notes and "zeimu" not in notes, notes
        assert not ids & theirs
    # Its own agency's evidence stays, and the score is the vendor's whole score.
    notes, _ = evidence(answer["data"]["riskScore"])
    assert "i-mine" in notes
    assert answer["data"]["riskScore"]["score"] == everything["riskScore"]["score"]
