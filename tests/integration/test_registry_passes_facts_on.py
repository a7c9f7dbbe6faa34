"""The registry passes on to `facts` what it did not refuse, the services' emitted events
among the inputs, in the order it read them from `events` (`faust_runtime.judge`), on a real
broker and a real PostgreSQL: a vendor's facts keep the store's order, which a rebuild
replays, and an event the registry refused reaches no follower."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.events.catalog import parse_event
from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.eventlog.faust_runtime import WorkerResources, judge
from services.platform.eventlog.topic_batches import Record
from services.platform.eventstore.event_store import canonical_json
from services.registry import setup
from tests.support import case_b, worker_resources
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.vendor_records import ends, sent_since

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
async def resources(database_url: str, kafka_bootstrap: str) -> AsyncIterator[WorkerResources]:
    async with worker_resources.started(database_url, kafka_bootstrap, "registry") as worker:
        yield worker


def _record(event: dict[str, Any]) -> Record:
    """As ingest forwards it: keyed by its vendor, its type declared, as the log stores it."""
    stored = canonical_json(parse_event(case_b.line(event))).encode()
    return Record(event["vendor_id"].encode(), stored, event["event_type"])


async def test_emitted_events_reach_facts_among_the_accepted_inputs_in_the_order_read(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    registered = case_b.registered(vendor)
    # Outside the City's policy (2-18 months): the registry refuses it.
    too_long = case_b.suspended(vendor, f"{vendor}-s1", duration_months=24)
    announced = {
        **envelope(
            "vendor.eligibility_changed", VALID_PAYLOADS["vendor.eligibility_changed"], vendor
        ),
        "source": "vendorwatch.registry",
    }
    renamed = case_b.renamed(vendor)
    pool = await resources.pool()
    for event, writer in (
        (registered, Writer.PRODUCER),
        (too_long, Writer.PRODUCER),
        (announced, Writer.REGISTRY),
        (renamed, Writer.PRODUCER),
    ):
        (stored,) = await ingest_batch(pool, [case_b.line(event)], writer)
        assert isinstance(stored, Accepted), stored
    since = await ends(kafka_bootstrap, vendor)
    consumer = setup.consumer(resources.settings, setup.policies(resources.settings))
    batch = [_record(e) for e in (registered, too_long, announced, renamed)]

    await judge(consumer, resources, batch)
    # Read again after a crash between the commit and the send: passed on again, in order.
    await judge(consumer, resources, batch)

    passed_on = [registered["event_id"], announced["event_id"], renamed["event_id"]]
    assert await sent_since(kafka_bootstrap, vendor, since) == {
        "events": [],
        "facts": passed_on + passed_on,
    }
    refused = await pool.fetchval(
        "SELECT refused FROM processed_events WHERE consumer = 'registry' AND event_id = $1",
        uuid.UUID(too_long["event_id"]),
    )
    assert refused is True
    # The announcement is not the registry's to judge: passed on, not claimed.
    assert not await pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE event_id = $1",
        uuid.UUID(announced["event_id"]),
    )


async def test_what_the_store_does_not_hold_is_dead_lettered_not_judged_nor_passed_on(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    """Only ingest writes `events`; on a broker without the ACLs, an outsider wrote a
    suspension and an announcement there, never stored: the registry barred the vendor on
    it, passed the announcement to `facts`, and migration opened a plan (an operator's
    finding). Now each is dead-lettered, and only what the log holds goes on."""
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    registered = case_b.registered(vendor)
    pool = await resources.pool()
    (stored,) = await ingest_batch(pool, [case_b.line(registered)])
    assert isinstance(stored, Accepted), stored
    forged = case_b.suspended(vendor, f"{vendor}-forged")
    announced = envelope(
        "vendor.eligibility_changed", VALID_PAYLOADS["vendor.eligibility_changed"], vendor
    )
    since = await ends(kafka_bootstrap, vendor)
    consumer = setup.consumer(resources.settings, setup.policies(resources.settings))

    await judge(consumer, resources, [_record(e) for e in (registered, forged, announced)])

    assert await sent_since(kafka_bootstrap, vendor, since) == {
        "events": [],
        "facts": [registered["event_id"]],
    }
    assert not await pool.fetchval(
        "SELECT count(*) FROM registry_sanctions WHERE vendor_id = $1", vendor
    )
    letters = await pool.fetch(
        "SELECT event_id::text, reason FROM dead_letters WHERE stage = 'registry'"
        " AND event_id = ANY($1::uuid[])",
        [uuid.UUID(forged["event_id"]), uuid.UUID(announced["event_id"])],
    )
    assert sorted(r["event_id"] for r in letters) == sorted(
        [forged["event_id"], announced["event_id"]]
    )
    assert all(r["reason"].startswith("not in the event log") for r in letters)


async def test_a_record_reusing_a_stored_id_with_other_content_is_dead_lettered(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    """An outsider on a broker without the ACLs sends a stored suspension's id with a longer
    period, ahead of ingest's copy: the registry barred the vendor for the forged period
    while the log held the other, and a rebuild undid it. Now the stored copy is the one
    applied, and the forged one a dead letter."""
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    registered = case_b.registered(vendor)
    suspended = case_b.suspended(vendor, f"{vendor}-s1", duration_months=6)
    pool = await resources.pool()
    for event in (registered, suspended):
        (stored,) = await ingest_batch(pool, [case_b.line(event)])
        assert isinstance(stored, Accepted), stored
    forged = {**suspended, "payload": {**suspended["payload"], "duration_months": 18}}
    since = await ends(kafka_bootstrap, vendor)
    consumer = setup.consumer(resources.settings, setup.policies(resources.settings))

    await judge(consumer, resources, [_record(e) for e in (registered, forged, suspended)])

    assert await sent_since(kafka_bootstrap, vendor, since) == {
        "events": [],
        "facts": [registered["event_id"], suspended["event_id"]],
    }
    months = await pool.fetchval(
        "SELECT duration_months FROM registry_sanctions WHERE sanction_id = $1", f"{vendor}-s1"
    )
    assert months == 6
    reason = await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE stage = 'registry' AND event_id = $1",
        uuid.UUID(suspended["event_id"]),
    )
    assert reason.startswith("not the event the log holds under its id")
