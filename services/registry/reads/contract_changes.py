"""The API's check of a change of a contract (an amendment, a termination, a subcontract
request) against the contract as the registry holds it: what the registry would refuse
(another vendor's contract, one terminated already, a termination dated before the award, an
amendment ending the term before it starts) is refused in the receipt, before the log, rather
than accepted there and dead-lettered after (`contract_rules.change_problem`).
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.platform.security.access import recorders_view
from services.registry.domain.contract_rules import ContractChange, change_problem
from services.registry.storage.contract_headers import contract_header


async def contract_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: reads the contract's header only for a change
    of a contract (one keyed row), and lets any other event pass unread."""
    payload = event.payload
    if not isinstance(payload, ContractChange):
        return None
    async with pool.acquire() as conn:
        contract = await contract_header(conn, payload.contract_id)
    in_view = recorders_view(event.recorded_by)
    if contract is not None and in_view is not None and contract.agency not in in_view:
        # Another agency's contract: the receipt says so already, in words that tell nothing
        # of it (record_scope.out_of_view); its vendor or termination must not be told here.
        return None
    # The log records the event after this moment, never before it.
    return change_problem(event, contract, dt.datetime.now(dt.UTC))
