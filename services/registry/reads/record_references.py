"""The API's check of an incident report or a claim against the records it names as the
registry holds them: what the registry would refuse whatever comes after (a contract of
another vendor's, a claim filed before its incident occurred) is refused in the receipt,
before the log, rather than accepted there and dead-lettered after
(`reference_rules.reference_problem`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled
from services.registry.domain.reference_rules import Named, named, reference_problem
from services.registry.reads.record_scope import hidden_from_recorder
from services.registry.storage.named_records import known_records


async def reference_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: reads the contract and the incident an
    incident report or a claim names (a keyed statement each), and lets any other event, or
    one naming neither, pass unread."""
    if not isinstance(event.payload, IncidentReported | ClaimFiled):
        return None
    # A causing vendor not registered passes whatever the registry holds (its registration
    # may be on its way), so nothing is read of vendors.
    names = dataclasses.replace(named([event]), vendors=frozenset())
    if names == Named():
        return None
    async with pool.acquire() as conn:
        if await hidden_from_recorder(conn, event):
            return None
        known = await known_records(conn, names)
    # The log records the event after this moment, never before it.
    return reference_problem(event, known, dt.datetime.now(dt.UTC))
