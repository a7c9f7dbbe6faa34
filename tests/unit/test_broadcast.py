"""Live fan-out: every subscriber gets each event once, even when the log delivers it twice."""

from __future__ import annotations

import json

from services.events.catalog import parse_event
from services.platform.graphql.broadcast import Broadcaster
from tests.support import case_b


async def test_each_subscriber_gets_an_event_once() -> None:
    broadcaster = Broadcaster()
    event = parse_event(json.dumps(case_b.registered()))
    async with broadcaster.subscribe() as first, broadcaster.subscribe() as second:
        broadcaster.publish(event)
        broadcaster.publish(event)  # redelivered (at least once)
        assert first.qsize() == second.qsize() == 1
        assert first.get_nowait() == event
    broadcaster.publish(parse_event(json.dumps(case_b.registered())))  # nobody left: no error
