"""The alerts consumer fed as the log feeds it, for the alert tests on a real PostgreSQL: the
registry applies events, and what it announced goes to the alerts consumer; the settings the
webhook tests deliver with."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.settings import Settings
from tests.support.alert_events import MINE
from tests.support.registry_db import apply, outbox

SECRET = "alert-tests-secret"
# Past the policy's 18 months: an amendment says why, as an imposition would.
EXTENDED = "extended on review of the investigation"


def alert_settings(url: str) -> Settings:
    """MINE's webhook at `url`, signed with SECRET, retried within seconds."""
    return Settings(
        database_url="unused",
        alert_webhooks={MINE: url},
        alert_webhook_secret=SECRET,
        alert_retry_first_seconds=1.0,
        alert_retry_max_seconds=4.0,
        alert_webhook_timeout_seconds=2.0,
    )


async def announce(pool: asyncpg.Pool, consumer: Any, *events: dict[str, Any]) -> list[bytes]:
    """Applies registry events, then what the registry announced to the alerts consumer (as
    the log relays it); returns those announcements."""
    await apply(pool, *events)
    announced = [json.dumps(e).encode() for e in await outbox(pool)]
    await pool.execute("DELETE FROM registry_outbox")
    await apply_serialized_batch(pool, consumer, announced)
    return announced
