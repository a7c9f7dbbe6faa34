"""Live fan-out by subscription: an event reaches only the queues of its type and vendor, and
what subscribers make of it is made once."""

from __future__ import annotations

import asyncio
import json

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.graphql.broadcast import Broadcaster
from tests.support import case_b


def _event(document: dict[str, object]) -> EventEnvelope:
    return parse_event(json.dumps(document))


async def test_an_event_reaches_only_the_subscriptions_that_want_it() -> None:
    broadcaster = Broadcaster()
    registered_b = _event(case_b.registered())
    registered_c = _event(case_b.another_vendor("vendor-c"))
    renamed_b = _event(case_b.renamed())
    async with (
        broadcaster.subscribe() as everything,
        broadcaster.subscribe(["vendor.registered"]) as registrations,
        broadcaster.subscribe(["vendor.registered"], [case_b.VENDOR, "vendor-x"]) as b_registered,
        broadcaster.subscribe(["vendor.renamed", "vendor.registered"], ["vendor-c"]) as c_only,
    ):
        for event in (registered_b, registered_c, renamed_b):
            broadcaster.publish(event)
        assert [everything.get_nowait() for _ in range(3)] == [
            registered_b,
            registered_c,
            renamed_b,
        ]
        assert [registrations.get_nowait() for _ in range(2)] == [registered_b, registered_c]
        assert registrations.empty()
        assert b_registered.get_nowait() == registered_b and b_registered.empty()
        assert c_only.get_nowait() == registered_c and c_only.empty()
    assert not broadcaster._index  # every subscription gone with its block
    broadcaster.publish(_event(case_b.another_vendor("vendor-d")))  # nobody left: no error


async def test_a_shape_is_made_once_per_event() -> None:
    broadcaster = Broadcaster()
    made: list[str] = []

    def shape(event: EventEnvelope) -> str:
        made.append(event.vendor_id)
        return f"shaped {event.vendor_id}"

    first = broadcaster.events("vendor.registered", None, shape)
    second = broadcaster.events("vendor.registered", {case_b.VENDOR}, shape)
    pending = [first.__anext__(), second.__anext__()]
    # Each generator subscribes when first awaited; start both before publishing.
    tasks = [asyncio.ensure_future(step) for step in pending]
    await asyncio.sleep(0)
    event = _event(case_b.registered())
    broadcaster.publish(event)
    assert [await task for task in tasks] == [(event, f"shaped {case_b.VENDOR}")] * 2
    assert made == [case_b.VENDOR]
    await first.aclose()
    await second.aclose()
    assert not broadcaster._index
