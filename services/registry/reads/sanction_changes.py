"""The API's check of an amendment or a lift against the sanction as the registry holds it:
what the registry would refuse (a new period outside its policy's range without a reason, a
change after a lift, another vendor's sanction…) is refused in the receipt, before the log,
rather than accepted there and dead-lettered after (`imposition_rules.change_problem`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import SanctionAmended, SanctionLifted
from services.platform.graphql.context import ReadingCheck
from services.registry.domain.imposition_rules import change_problem
from services.registry.domain.policy import SuspensionPolicy
from services.registry.storage.sanction_repository import sanction_header


def change_check(policies: Mapping[str, SuspensionPolicy]) -> ReadingCheck:
    """One of `RequestContext.reading_checks`: reads the sanction's header only for an
    amendment or a lift (one keyed row), and lets any other event pass unread."""

    async def check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
        payload = event.payload
        if not isinstance(payload, SanctionAmended | SanctionLifted):
            return None
        async with pool.acquire() as conn:
            header = await sanction_header(conn, payload.sanction_id)
        # The log records the event after this moment, never before it.
        return change_problem(policies, event, header, dt.datetime.now(dt.UTC))

    return check
