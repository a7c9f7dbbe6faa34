"""The services' consumers applying what the log holds, once, as `vendorwatch up` does: the
live state a rebuild reproduces (a rebuild replays what they had applied, no more); or the
registry's alone, on a pool of its own (`drain_registry`: what an import sent, applied)."""

from __future__ import annotations

import asyncpg

from services.cli.consumers import service_consumers
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.handlers import registry_consumer
from services.risk import setup as risk_setup


async def applied_live(pool: asyncpg.Pool, database_url: str) -> None:
    """Every service's consumer drained, the registry's first (the others wait for its
    verdicts)."""
    settings = Settings(database_url=database_url)
    consumers = service_consumers(
        settings, registry_setup.policies(settings), risk_setup.service(settings)
    )
    for consumer in consumers:
        await drain(pool, consumer)


async def drain_registry(database_url: str, settings: Settings) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        policies = registry_setup.policies(settings)
        await drain(pool, registry_consumer(settings.clock, policies))
    finally:
        await pool.close()
