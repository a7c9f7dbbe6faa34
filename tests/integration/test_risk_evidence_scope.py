"""Risk evidence as a system owner sees it (the whole ASGI app, real PostgreSQL, the registry
and the risk service applying the log): the score is the vendor's whole score, its evidence
only what hangs on the caller's agencies' contracts. Found by a security tester: 市民課's
system owner read 税務課's incident and subcontract, with their event ids, in `riskScore`,
`riskHistory` and `riskiestVendors`, while `vendor { incidents subcontracts }` hid them."""

from __future__ import annotations

import itertools
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


HISTORY = """query ($after: String, $first: Int!) {
  riskHistory(vendorId: "vendor-b", first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id asOf score factors { name contribution } } }
  } }"""
NODE = """query ($id: ID!) { node(id: $id) { ... on RiskScore { score } } }"""


async def _history(
    bearer: str, pool: asyncpg.Pool, first: int = 50, counted: bool = True
) -> list[dict[str, Any]]:
    """Every entry of B's history as the caller pages through it, `first` at a time: each
    edge's cursor with its node, and the totalCount each page said (None: not asked)."""
    entries, after = [], None
    query = HISTORY if counted else HISTORY.replace("totalCount ", "")
    while True:
        answer = await over_http(pool, bearer, query, after=after, first=first)
        assert "errors" not in answer, answer
        page = answer["data"]["riskHistory"]
        entries += [
            {**e["node"], "cursor": e["cursor"], "total": page.get("totalCount")}
            for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            return entries
        after = page["pageInfo"]["endCursor"]


LATEST = """query ($before: String, $last: Int!) {
  riskHistory(vendorId: "vendor-b", last: $last, before: $before) {
    totalCount pageInfo { hasPreviousPage startCursor }
    edges { cursor node { id asOf score factors { name contribution } } }
  } }"""


async def _history_backward(bearer: str, pool: asyncpg.Pool, last: int) -> list[dict[str, Any]]:
    """Every entry of B's history as the caller pages back through it from the latest, `last`
    at a time, in log order, as `_history` gives them."""
    pages: list[list[dict[str, Any]]] = []
    before = None
    while True:
        answer = await over_http(pool, bearer, LATEST, before=before, last=last)
        assert "errors" not in answer, answer
        page = answer["data"]["riskHistory"]
        assert len(page["edges"]) <= last
        pages.insert(
            0,
            [
                {**e["node"], "cursor": e["cursor"], "total": page["totalCount"]}
                for e in page["edges"]
            ],
        )
        if not page["pageInfo"]["hasPreviousPage"]:
            return [entry for entries in pages for entry in entries]
        before = page["pageInfo"]["startCursor"]


async def test_a_system_owner_s_risk_history_leaves_out_other_agencies_entries(
    two_agencies: list[dict[str, Any]], pool: asyncpg.Pool
) -> None:
    """An entry per 税務課 event told the owner its event id (the cursor), its day and what
    it did (the factors' step). Those entries are left out; the next entry the owner reads
    is the vendor's whole score after its own event, 税務課's effect included."""
    later = event(
        "incident.reported",
        incident_id="i-mine-2",
        contract_id="c-shimin-1",
        caused_by_vendor_id=DROP,
    )
    await ingest_batch(pool, [case_b.line(later)])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(service()))
    theirs = {e["event_id"] for e in two_agencies}

    everything = await _history(token(Role.AUDITOR), pool)
    hidden = [e for e in everything if e["cursor"] in theirs]
    assert hidden  # 税務課's events each have an entry the auditor reads
    owner = token(Role.SYSTEM_OWNER, (MINE,))
    for first in (50, 1):
        seen = await _history(owner, pool, first)
        # The entries the owner may read, exactly as the auditor reads them: the same
        # cursors, days and whole scores, counted without the others.
        assert [{**e, "total": 0} for e in seen] == [
            {**e, "total": 0} for e in everything if e["cursor"] not in theirs
        ]
        assert {e["total"] for e in seen} == {len(everything) - len(hidden)}
    # Its last entry, its own incident after 税務課's, counts 税務課's incident too.
    assert seen[-1]["cursor"] == later["event_id"] and seen[-1] == {
        **everything[-1],
        "total": seen[-1]["total"],
    }
    # A hidden entry is none of the owner's by id or as a cursor either.
    for entry in hidden:
        found = await over_http(pool, owner, NODE, id=entry["id"])
        assert found["data"] == {"node": None}, found
        refused = await over_http(pool, owner, HISTORY, after=entry["cursor"], first=5)
        assert refused["errors"][0]["message"].startswith(
            f"after: '{entry['cursor']}' names no entry of vendor-b's risk history"
        )


# Whose contract each amendment is: runs of 税務課's entries 1 to 8 long between the owner's.
RUNS = "MTMTTMTTTTMMTTTTTTTTM"


async def _amended_in_runs(pool: asyncpg.Pool) -> set[str]:
    """B's two contracts amended in `RUNS`' order; the event ids of 税務課's amendments."""
    amendments = [
        event(
            "contract.amended",
            contract_id="c-shimin-1" if whose == "M" else "c-zeimu-1",
            ends_on=DROP,
            amount=1_000_000 + n,
        )
        for n, whose in enumerate(RUNS)
    ]
    await ingest_batch(pool, [case_b.line(e) for e in amendments])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(service()))
    return {e["event_id"] for e, whose in zip(amendments, RUNS, strict=True) if whose == "T"}


async def test_a_system_owner_s_pages_read_on_past_other_agencies_entries(
    two_agencies: list[dict[str, Any]], pool: asyncpg.Pool
) -> None:
    """Pages of any size, with runs of hidden entries longer than a page between the owner's
    entries and across page boundaries, give the owner's entries exactly as the auditor
    reads them, in order, none twice or missed, with or without `totalCount`."""
    theirs = {e["event_id"] for e in two_agencies} | await _amended_in_runs(pool)
    everything = await _history(token(Role.AUDITOR), pool)
    expected = [{**e, "total": None} for e in everything if e["cursor"] not in theirs]
    assert len(expected) == 3 + RUNS.count("M")
    owner = token(Role.SYSTEM_OWNER, (MINE,))
    for first in (1, 2, 3, 4, 7, 50):
        assert await _history(owner, pool, first, counted=False) == expected
        counted = await _history(owner, pool, first)
        assert [{**e, "total": None} for e in counted] == expected
        assert {e["total"] for e in counted} == {len(expected)}
        # Read backward from the latest: the same entries, none twice or missed.
        backward = await _history_backward(owner, pool, first)
        assert [{**e, "total": None} for e in backward] == expected
        assert {e["total"] for e in backward} == {len(expected)}


async def test_a_system_owner_s_page_judges_the_entries_near_it_not_the_whole_history(
    two_agencies: list[dict[str, Any]], pool: asyncpg.Pool, database_url: str
) -> None:
    """A page of an owner's history read every entry of the vendor's and judged them all
    (whether its event is another agency's): a page cost the vendor's whole history."""
    await _amended_in_runs(pool)
    owner = token(Role.SYSTEM_OWNER, (MINE,))
    mine = await _history(owner, pool, counted=False)
    entries = await pool.fetchval("SELECT count(*) FROM risk_history WHERE vendor_id = $1", VENDOR)
    sent: list[tuple[str, tuple[Any, ...]]] = []

    async def logging(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(lambda record: sent.append((record.query, record.args)))

    logged = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=logging)
    try:
        # After the owner's entry that 4 of 税務課's follow, then 1, then 8 (`RUNS`).
        after = mine[5]["cursor"]
        query = HISTORY.replace("totalCount ", "")
        answer = await over_http(logged, owner, query, after=after, first=2)
    finally:
        await logged.close()
    assert [e["cursor"] for e in answer["data"]["riskHistory"]["edges"]] == [
        e["cursor"] for e in mine[6:8]
    ]
    # The entries read to find the page, each judged right after its read (the scores'
    # evidence is judged later): runs of 3, 6, then the 6 left of the 12 asked (whether an
    # entry follows the page's two), each after the one before; not the vendor's 27.
    judged = [
        len(args[0])
        for (read, _), (judging, args) in itertools.pairwise(sent)
        if "JOIN risk_events e USING (seq) WHERE h.vendor_id" in read
        and "FROM event_store s" in judging
    ]
    assert judged == [3, 6, 6] and entries == 27, (judged, entries)
