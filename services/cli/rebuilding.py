"""`vendorwatch rebuild`: the projections replayed from the event store while the system runs,
each under its consumer's exclusive lock (platform/rebuilding.py), the registry first (its
verdicts decide what risk and migration see)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from services.migration import rebuild as migration
from services.migration.setup import CONSUMER_NAME as MIGRATION
from services.platform.database import open_pool
from services.platform.rebuilding import exclusive_pool, refuse_broken_chain
from services.platform.settings import Settings
from services.registry import rebuild as registry
from services.registry import setup as registry_setup
from services.registry.handlers import CONSUMER_NAME as REGISTRY
from services.risk import rebuild as risk
from services.risk import setup as risk_setup
from services.risk.handlers import CONSUMER_NAME as RISK

# The risk calendar re-scores vendors by the day: it must not score a half-replayed state.
from services.risk.jobs import REFRESH_LOCK_KEY as RISK_REFRESH_LOCK_KEY


@dataclass(frozen=True)
class Projection:
    consumer: str
    locks: tuple[int, ...]  # periodic jobs writing the same state
    replay: Callable[[asyncpg.Pool, Settings], Awaitable[int]]


async def _registry(pool: asyncpg.Pool, settings: Settings) -> int:
    return await registry.rebuild(pool, settings.clock, registry_setup.policies(settings))


async def _risk(pool: asyncpg.Pool, settings: Settings) -> int:
    return await risk.rebuild(pool, risk_setup.service(settings))


async def _migration(pool: asyncpg.Pool, settings: Settings) -> int:
    return await migration.rebuild(pool, settings.clock)


# In the order `all` rebuilds them.
PROJECTIONS = {
    REGISTRY: Projection(REGISTRY, registry.LOCKS, _registry),
    RISK: Projection(RISK, (RISK_REFRESH_LOCK_KEY,), _risk),
    MIGRATION: Projection(MIGRATION, migration.LOCKS, _migration),
}


async def rebuild(settings: Settings, names: Sequence[str], *, force: bool) -> dict[str, int]:
    """Rebuilds the named projections in PROJECTIONS' order; returns the events each read.
    Refuses (BrokenChain) when the log fails verification, unless `force`."""
    pool = await open_pool(settings.database_url)
    try:
        await refuse_broken_chain(pool, force)
    finally:
        await pool.close()
    read = {}
    for name, projection in PROJECTIONS.items():
        if name not in names:
            continue
        async with exclusive_pool(
            settings.database_url, projection.consumer, *projection.locks
        ) as locked:
            read[name] = await projection.replay(locked, settings)
    return read
