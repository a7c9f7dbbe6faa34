"""An event a producer sent (`vendorwatch publish`, no `recorded_by`), sent again through
`submitEvent` byte for byte (real PostgreSQL, the embedded log): the API's copy records who
sent it, the stored one does not, so they are two events under one id and the second is
refused, `reused_id`, saying so. It was refused as "already accepted with different content"
(an API integrator's finding), words that sent the caller looking for a difference in what
they sent, where the only one is the `recorded_by` the API adds."""

from __future__ import annotations

import asyncpg
import pytest

from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.base import Writer
from tests.support import case_b
from tests.support.record_receipts import logged, submitted

pytestmark = pytest.mark.postgres


async def test_a_producers_event_sent_again_through_the_api_is_refused_saying_why(
    pool: asyncpg.Pool,
) -> None:
    event = case_b.registered()
    (outcome,) = await ingest_batch(pool, [case_b.line(event)], Writer.PRODUCER)
    assert isinstance(outcome, Accepted)
    assert await submitted(pool, event) == {
        "accepted": False,
        "errors": [
            {
                "field": "event_id",
                "message": f"{event['event_id']} is already stored as a producer sent it,"
                " without recorded_by; a copy sent through the API records who sent it, so it"
                " is another event under the same id, and the stored one stands (follow it"
                " with eventStatus): an event id identifies one event only",
                "code": "reused_id",
            }
        ],
    }
    assert await logged(pool) == 1


async def test_a_producers_event_changed_is_refused_as_other_content(pool: asyncpg.Pool) -> None:
    event = case_b.registered()
    await ingest_batch(pool, [case_b.line(event)], Writer.PRODUCER)
    changed = {**event, "payload": {**event["payload"], "legal_name": "Another K.K."}}
    receipt = await submitted(pool, changed)
    (error,) = receipt["errors"]
    assert (error["code"], error["message"]) == (
        "reused_id",
        f"{event['event_id']} was already accepted with different content; an event id"
        " identifies one event only",
    )
