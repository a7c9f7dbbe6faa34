"""The registry and risk rebuilt in the order live processing applied the log: two appends to
different partitions that committed out of position order (concurrent ingest transactions)
were applied in commit order. A history row keeps the agencies' totals as applied so far
across vendors, and of two registrations of one identifier the one judged second is refused,
so a replay in position order gave other totals and other verdicts than the live ones. The
replay reads at the pace of the judge's record, holding few events for their turn."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.clock import Clock
from services.platform.consuming.consumer import apply_batch
from services.platform.consuming.replay import Stage, replay
from services.platform.eventlog.embedded import drain
from services.platform.eventstore import chain, event_store
from services.platform.postgres.one_transaction import one_transaction
from services.platform.settings import Settings
from services.registry import rebuild as registry_rebuild
from services.registry.policy_loading import load_policies
from services.risk import setup as risk_setup
from services.risk.handlers import risk_consumer
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.registry import REGISTRY, TOKYO

pytestmark = pytest.mark.postgres

AGENCY = "情報政策課"
FIRST = "vendor-order-first"
# A vendor of another partition: its append neither waits for the first's nor orders it.
SECOND = next(
    vendor
    for vendor in (f"vendor-order-{n}" for n in range(100))
    if chain.partition_of(vendor) != chain.partition_of(FIRST)
)
HISTORY = """query ($id: ID!) {
  riskHistory(vendorId: $id, first: 50) {
    edges { cursor node { asOf score factors { name contribution evidence { eventIds note } } } }
  }
}"""


def _award(vendor_id: str, n: int) -> dict[str, Any]:
    """A critical contract at the agency, running from the day it is awarded."""
    return envelope(
        "contract.awarded",
        {
            "contract_id": f"{vendor_id}-c{n}",
            "agency": AGENCY,
            "title": f"System {n}",
            "category": "information_systems",
            "criticality": "resident_facing",
            "awarded_on": "2021-04-01",
            "starts_on": "2021-04-01",
            "ends_on": "2026-03-31",
            "amount": 10_000_000,
        },
        vendor_id,
    )


async def _answers(pool: asyncpg.Pool) -> list[Any]:
    """What risk says of both vendors: their histories as the API gives them, and the totals
    each history row and current score keeps."""
    histories = [(await execute(pool, HISTORY, id=v))["riskHistory"] for v in (FIRST, SECOND)]
    rows = await pool.fetch(
        """SELECT e.event_id, h.vendor_id, h.as_of, h.agency_totals::text AS totals
           FROM risk_history h JOIN risk_events e USING (seq) ORDER BY e.event_id, h.vendor_id"""
    )
    current = await pool.fetch(
        "SELECT vendor_id, score, factors::text, agency_totals::text FROM risk_current"
        " ORDER BY vendor_id"
    )
    return [histories, [tuple(r) for r in rows], [tuple(r) for r in current]]


async def test_risk_rebuilt_keeps_the_totals_of_appends_committed_out_of_position_order(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    risk = risk_consumer(risk_setup.service(settings))

    async def applied() -> None:
        await drain(pool, REGISTRY)
        await drain(pool, risk)

    await ingest_batch(
        pool,
        [case_b.line(case_b.another_vendor(v)) for v in (FIRST, SECOND)]
        + [case_b.line(_award(v, 0)) for v in (FIRST, SECOND)],
    )
    await applied()
    # The first vendor's award is appended first (the lower position), committed last.
    async with pool.acquire() as held:
        transaction = held.transaction()
        await transaction.start()
        try:
            await event_store.append_batch(
                held, [parse_event(json.dumps(_award(FIRST, 1), ensure_ascii=False))]
            )
            await ingest_batch(pool, [case_b.line(_award(SECOND, 1))])
            await applied()
        finally:
            await transaction.commit()
    await applied()

    async def awards_by(order: str) -> list[str]:
        """The second awards' vendors, in the store's order or risk's."""
        rows = await pool.fetch(
            "SELECT s.vendor_id FROM risk_events e JOIN event_store s USING (event_id)"
            f" WHERE s.event_type = 'contract.awarded' ORDER BY {order}"
        )
        return [r[0] for r in rows][2:]

    assert await awards_by("s.position") == [FIRST, SECOND]
    assert await awards_by("e.seq") == [SECOND, FIRST]
    live = await _answers(pool)
    # Each vendor's entry after its second award, as live processing applied them: the
    # second vendor's counted the first's award not yet, the first's counted all four.
    said = {
        vendor: history["edges"][-1]["node"]["factors"][0]["evidence"][0]["note"]
        for vendor, history in zip((FIRST, SECOND), live[0], strict=True)
    }
    assert "holds 2 of the 3 running" in said[SECOND]
    assert "holds 2 of the 4 running" in said[FIRST]

    for projections in (["risk"], list(rebuilding.PROJECTIONS)):
        await rebuilding.rebuild(settings, projections, force=False)
        assert await _answers(pool) == live, projections


async def test_rebuilt_in_risks_order_the_registry_still_judges_in_the_logs(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A registration is refused when another vendor holds its identifier: which of two is
    refused depends on their order, so the registry is replayed in the log's order whatever
    risk recorded (here only the award of a vendor whose partition holds the refused one)."""
    settings = Settings(database_url=database_url)
    risk = risk_consumer(risk_setup.service(settings))
    holder = "vendor-clash-holder"
    candidates = [f"vendor-clash-{n}" for n in range(400)]
    awarded = next(v for v in candidates if chain.partition_of(v) != chain.partition_of(holder))
    # The refused one shares the awarded vendor's partition, before its award.
    clashing = next(
        v
        for v in candidates
        if v != awarded and chain.partition_of(v) == chain.partition_of(awarded)
    )
    registrations = [
        case_b.another_vendor(awarded),
        *(
            envelope(
                "vendor.registered",
                {
                    "legal_name": f"{vendor} K.K.",
                    "identifiers": [{"scheme": "internal", "value": "X-1"}],
                },
                vendor,
            )
            for vendor in (holder, clashing)
        ),
    ]
    await ingest_batch(pool, [case_b.line(e) for e in [*registrations, _award(awarded, 0)]])
    await drain(pool, REGISTRY)
    await drain(pool, risk)
    registered = "SELECT vendor_id FROM registry_vendors ORDER BY vendor_id"
    live = [r[0] for r in await pool.fetch(registered)]
    assert holder in live and clashing not in live

    await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
    assert [r[0] for r in await pool.fetch(registered)] == live


async def test_registry_rebuilt_keeps_which_of_two_registrations_it_refused(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Two vendors register one identifier, the first appended (the lower position) but
    committed after the second was judged: live, the second holds it and the first is
    refused. A replay in position order would refuse the second instead; the registry's
    recorded order keeps the live verdicts, and risk follows them."""
    settings = Settings(database_url=database_url)
    risk = risk_consumer(risk_setup.service(settings))
    first = "vendor-claim-first"
    second = next(
        vendor
        for vendor in (f"vendor-claim-{n}" for n in range(100))
        if chain.partition_of(vendor) != chain.partition_of(first)
    )

    def registration(vendor_id: str) -> dict[str, Any]:
        return envelope(
            "vendor.registered",
            {
                "legal_name": f"{vendor_id} K.K.",
                "identifiers": [{"scheme": "internal", "value": "X-2"}],
            },
            vendor_id,
        )

    async def applied() -> None:
        await drain(pool, REGISTRY)
        await drain(pool, risk)

    async with pool.acquire() as held:
        transaction = held.transaction()
        await transaction.start()
        try:
            await event_store.append_batch(
                held,
                [
                    parse_event(json.dumps(e, ensure_ascii=False))
                    for e in (registration(first), _award(first, 0))
                ],
            )
            await ingest_batch(pool, [case_b.line(registration(second))])
            await applied()
        finally:
            await transaction.commit()
    await ingest_batch(pool, [case_b.line(_award(second, 0))])
    await applied()

    async def answers() -> list[Any]:
        registered = await pool.fetch("SELECT vendor_id FROM registry_vendors ORDER BY 1")
        refused = await pool.fetch(
            "SELECT s.vendor_id, s.event_type FROM processed_events p"
            " JOIN event_store s USING (event_id)"
            " WHERE p.consumer = 'registry' AND p.refused ORDER BY 1, 2"
        )
        scored = await pool.fetch("SELECT vendor_id FROM risk_current ORDER BY 1")
        return [[tuple(r) for r in rows] for rows in (registered, refused, scored)]

    live = await answers()
    assert live == [
        [(second,)],
        [(first, "contract.awarded"), (first, "vendor.registered")],
        [(second,)],
    ]
    await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
    assert await answers() == live


async def test_a_replay_reads_the_log_at_the_pace_of_the_judges_record(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    """Live, the registry judged one partition's backlog before another's (as Kafka may hand
    a worker one partition's thousands first), while the two were appended interleaved. Read
    in position order, the replay would hold the whole second backlog until the first was
    judged; read at the record's pace, it holds less than a read."""
    first = "vendor-pace-a"
    second = next(
        v
        for v in (f"vendor-pace-{n}" for n in range(100))
        if chain.partition_of(v) != chain.partition_of(first)
    )
    backlogs = {
        vendor: [case_b.another_vendor(vendor)]
        + [
            envelope(
                "vendor.renamed",
                {"new_legal_name": f"{vendor} {n} K.K.", "effective_on": f"2023-04-{n:02d}"},
                vendor,
            )
            for n in range(1, 30)
        ]
        for vendor in (first, second)
    }
    appended = [e for pair in zip(*backlogs.values(), strict=True) for e in pair]
    parsed = {e["event_id"]: parse_event(case_b.line(e)) for e in appended}
    async with pool.acquire() as conn:
        await event_store.append_batch(conn, [parsed[e["event_id"]] for e in appended])
    judged = [parsed[e["event_id"]] for backlog in backlogs.values() for e in backlog]
    await apply_batch(pool, REGISTRY, judged)
    live = await pool.fetch("SELECT vendor_id, legal_name FROM registry_vendors ORDER BY 1")

    async with one_transaction(pool) as held:
        async with held.acquire() as conn:
            await registry_rebuild.reset(conn)
        replayed = registry_rebuild.replaying(Clock(TOKYO), load_policies())
        stage = Stage(replayed, held, registry_rebuild.APPLIED_ORDER)
        with caplog.at_level(logging.INFO, logger="services.platform.consuming.replay"):
            await replay(pool, [stage], batch_size=5)
        await held.commit()
    assert await pool.fetch("SELECT vendor_id, legal_name FROM registry_vendors ORDER BY 1") == live
    said = re.search(r"registry's replay held at most (\d+) events", caplog.text)
    assert said is not None and int(said[1]) < 5  # less than a read (27 read unpaced)
