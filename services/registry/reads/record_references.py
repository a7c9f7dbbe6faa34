"""The API's check of an incident report or a claim against the records it names as the
registry holds them: what the registry would refuse whatever comes after (a contract of
another vendor's, a claim filed before its incident occurred) is refused in the receipt,
before the log, rather than accepted there and dead-lettered after
(`reference_rules.reference_problem`).
"""

from __future__ import annotations

import dataclasses

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled
from services.registry.domain.reference_rules import Named, named, reference_problem
from services.registry.reads.record_scope import judged_in_view
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
    return await judged_in_view(
        pool, event, lambda conn: known_records(conn, names), reference_problem
    )
