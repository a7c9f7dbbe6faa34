"""Paging through a vendor's risk history across `vendorwatch rebuild risk`: the rebuild
numbers the entries again (from one, without the gaps rolled-back batches leave live), so a
page's cursor names its entry by event id, and one taken before the rebuild goes on after it
from the same entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.graphql.context import RequestContext
from services.risk.domain.model import load_model
from services.risk.handlers import RiskService, risk_consumer
from services.risk.rebuild import rebuild
from tests.support import case_b, case_risk
from tests.support.in_process_api import SCHEMA, execute, shared_context
from tests.support.principals import ADMIN
from tests.support.registry import REGISTRY, TOKYO, FixedClock

pytestmark = pytest.mark.postgres

VENDOR = case_b.VENDOR
PAGE = """query ($id: ID!, $after: String) {
  riskHistory(vendorId: $id, first: 1, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id asOf score } }
  }
}"""


def _service() -> RiskService:
    moment = dt.datetime.fromisoformat("2022-08-10T09:00:00+09:00")
    return RiskService(FixedClock(TOKYO, moment), load_model())


async def _applied(pool: asyncpg.Pool, risk: RiskService, events: list[dict[str, Any]]) -> None:
    """Through ingest, the registry's verdicts and risk, in log order."""
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(risk))


async def _pages(pool: asyncpg.Pool, after: str | None = None) -> list[tuple[str, Any]]:
    """Every entry after `after`, a page of one at a time: (cursor, node)."""
    entries = []
    while True:
        page = (await execute(pool, PAGE, id=VENDOR, after=after))["riskHistory"]
        entries += [(edge["cursor"], edge["node"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return entries
        after = page["pageInfo"]["endCursor"]


async def test_a_cursor_taken_before_a_rebuild_goes_on_after_it_from_the_same_entry(
    pool: asyncpg.Pool,
) -> None:
    risk = _service()
    vendors = case_risk.registered_first()
    case = case_risk.the_case()
    await _applied(pool, risk, [*vendors, *case[:3]])
    # Live, a batch rolled back (a refusal applied again one by one, a deadlock retried)
    # has drawn seqs it never used: the sequence moves on past them.
    await pool.execute(
        "SELECT setval(pg_get_serial_sequence('risk_events', 'seq'), max(seq) + 100)"
        " FROM risk_events"
    )
    await _applied(pool, risk, case[3:])
    before = await _pages(pool)
    assert len(before) >= 4
    live_seqs = await pool.fetchval("SELECT max(seq) FROM risk_events")

    await rebuild(pool, risk)

    # Numbered again: the seqs an entry had live name another entry now, or none.
    assert await pool.fetchval("SELECT max(seq) FROM risk_events") < live_seqs - 50
    assert await _pages(pool) == before
    for at, (cursor, _) in enumerate(before):
        assert await _pages(pool, cursor) == before[at + 1 :]


async def _a_cursor_and_an_admin(pool: asyncpg.Pool) -> tuple[str, RequestContext]:
    """Vendor B's history of three entries: its first entry's cursor, and an admin's context."""
    await _applied(
        pool,
        _service(),
        [case_b.registered(), case_b.another_vendor(case_risk.SUBCONTRACTOR), case_risk.contract()],
    )
    (cursor, _), *_ = await _pages(pool)
    return cursor, dataclasses.replace(shared_context(pool), principal=ADMIN)


async def test_a_cursor_that_names_no_entry_is_refused_with_the_reason(pool: asyncpg.Pool) -> None:
    cursor, context = await _a_cursor_and_an_admin(pool)
    asked = {
        "7": "is a cursor of the form riskHistory gave before its cursors named their entries",
        "a-page": "is not a cursor from this connection",
        cursor.upper(): "is not a cursor from this connection",
        "00000000-0000-4000-8000-000000000000": f"names no entry of {VENDOR}'s risk history",
    }
    for after, reason in asked.items():
        result = await SCHEMA.execute(
            PAGE, variable_values={"id": VENDOR, "after": after}, context_value=context
        )
        assert result.errors is not None and len(result.errors) == 1
        assert result.errors[0].message.startswith(f"after: {after!r} {reason}")


LATEST = """query ($id: ID!, $last: Int, $before: String) {
  riskHistory(vendorId: $id, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id asOf score } }
  }
}"""


async def test_the_latest_entries_are_read_from_the_end_and_paged_back_to_the_first(
    pool: asyncpg.Pool,
) -> None:
    """An analyst wants a long history's latest entries: `last` reads them from the end, in
    log order, and `before` a page's first cursor gives the entries before it, down to the
    first, as paging forward gives them."""
    risk = _service()
    await _applied(pool, risk, [*case_risk.registered_first(), *case_risk.the_case()])
    forward = await _pages(pool)
    assert len(forward) >= 5

    latest = (await execute(pool, LATEST, id=VENDOR, last=2))["riskHistory"]
    assert [(e["cursor"], e["node"]) for e in latest["edges"]] == forward[-2:]
    assert latest["totalCount"] == len(forward)
    assert latest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": forward[-2][0],
        "endCursor": forward[-1][0],
    }
    # Back a page at a time from the latest: every entry once, in log order.
    pages: list[list[tuple[str, Any]]] = []
    before = None
    while True:
        page = (await execute(pool, LATEST, id=VENDOR, last=2, before=before))["riskHistory"]
        pages.insert(0, [(e["cursor"], e["node"]) for e in page["edges"]])
        if before is not None:
            assert page["pageInfo"]["hasNextPage"] is True
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert [entry for entries in pages for entry in entries] == forward
    # Before the first entry: nothing, and nothing before that.
    first = (await execute(pool, LATEST, id=VENDOR, last=2, before=forward[0][0]))["riskHistory"]
    assert first["edges"] == [] and first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == forward[0][0]


async def test_a_page_asked_both_ways_or_past_its_size_is_refused_with_the_reason(
    pool: asyncpg.Pool,
) -> None:
    cursor, context = await _a_cursor_and_an_admin(pool)
    asked = {
        "last: 1, first: 1": "first/after and last/before: a page is read forward or backward",
        f'before: "{cursor}", after: "{cursor}"': "first/after and last/before",
        "last: 501": "last: 501 is outside 1–500",
        'before: "a-page"': "before: 'a-page' is not a cursor from this connection; ask again"
        " from the last page",
        'before: "00000000-0000-4000-8000-000000000000"': "before:"
        " '00000000-0000-4000-8000-000000000000' names no entry of vendor-b's risk history",
    }
    for arguments, reason in asked.items():
        query = f'{{ riskHistory(vendorId: "{VENDOR}", {arguments}) {{ totalCount }} }}'
        result = await SCHEMA.execute(query, context_value=context)
        assert result.errors is not None and len(result.errors) == 1, arguments
        assert result.errors[0].message.startswith(reason), result.errors[0].message
