"""The log read in a recorded order (a replay's, platform/consuming/applied_order.py): the
recorded events in that order, every other event before the next recorded one of its
partition or after them all, each partition in its own order, each event once; a recorded
order that breaks a partition's order is refused."""

from __future__ import annotations

import json
import logging

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.applied_order import AppliedOrder, RecordedPages
from services.platform.eventstore import chain, event_store
from services.platform.eventstore.event_store import Cursor
from tests.support import case_b, event_log

pytestmark = pytest.mark.postgres


def _vendors() -> list[str]:
    """Three vendors of three partitions."""
    found: dict[int, str] = {}
    for n in range(200):
        found.setdefault(chain.partition_of(f"vendor-read-{n}"), f"vendor-read-{n}")
    return list(found.values())[:3]


def _events() -> list[EventEnvelope]:
    """Each vendor's registration, renaming and registration again (three events of its
    partition), the vendors interleaved."""
    made = [
        kind(vendor)
        for kind in (case_b.another_vendor, case_b.renamed, case_b.another_vendor)
        for vendor in _vendors()
    ]
    return [parse_event(json.dumps(e, ensure_ascii=False)) for e in made]


async def _read(pool: asyncpg.Pool, order: AppliedOrder) -> tuple[list[EventEnvelope], Cursor]:
    """Everything, two events a page."""
    read, cursor = [], Cursor()
    async with pool.acquire() as conn, RecordedPages.opened(conn, order, judged_by=None) as pages:
        assert pages is not None
        while (page := await pages.next(cursor, 2)).cursor != cursor:
            read += page.events
            cursor = page.cursor
    return read, cursor


async def test_the_recorded_events_come_in_their_order_the_others_where_their_partition_puts_them(
    pool: asyncpg.Pool,
) -> None:
    events = _events()
    await event_log.append(pool, events)
    # The renamings recorded, the partitions' in the reverse of their log order.
    order = AppliedOrder(
        "test",
        "SELECT event_id, -position FROM event_store WHERE event_type = 'vendor.renamed'",
    )
    read, cursor = await _read(pool, order)

    assert sorted(e.event_id for e in read) == sorted(e.event_id for e in events)
    async with pool.acquire() as conn:
        assert cursor == await event_store.heads(conn)
    renamings = [e.vendor_id for e in read if e.event_type == "vendor.renamed"]
    assert renamings == _vendors()[::-1]
    for vendor in _vendors():  # each partition in its own order
        assert [e.event_id for e in read if e.vendor_id == vendor] == [
            e.event_id for e in events if e.vendor_id == vendor
        ]
    # A registration before its vendor's renaming comes just before it; those after every
    # recorded event, in position order.
    first = [e.vendor_id for e in read[:6]]
    assert first == [v for v in _vendors()[::-1] for _ in range(2)]
    assert [e.vendor_id for e in read[6:]] == _vendors()


async def test_a_recorded_order_that_breaks_a_partitions_order_is_not_used(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    await event_log.append(pool, _events())
    backwards = AppliedOrder("test", "SELECT event_id, -seq FROM event_store")
    with caplog.at_level(logging.WARNING):
        async with (
            pool.acquire() as conn,
            RecordedPages.opened(conn, backwards, judged_by=None) as pages,
        ):
            assert pages is None
    assert "test's recorded order puts 6 events before events of their own partition" in (
        caplog.text
    )
