"""Editing the stored log as its database owner can, past the append-only trigger: what
`verify`, the rebuilds and the caches must notice."""

from __future__ import annotations

import asyncpg

from services.platform.eventstore import verification

EDITED_SUSPENSION = (
    "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,duration_months}', '9')"
    " WHERE event_type = 'sanction.imposed'"
)


async def as_owner(pool: asyncpg.Pool, *statements: str) -> None:
    """Runs `statements` past the append-only trigger, in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE event_store DISABLE TRIGGER event_store_append_only")
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("ALTER TABLE event_store ENABLE TRIGGER event_store_append_only")


async def first_problem(pool: asyncpg.Pool) -> str:
    """What `verify` names first of a log that must be broken."""
    result = await verification.verify(pool)
    assert not result.intact
    return str(result.problems[0])
