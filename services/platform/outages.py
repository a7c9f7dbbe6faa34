"""Telling a dependency out of reach (PostgreSQL restarting, Kafka's broker gone, the network)
from a fault of our own or of an input: the first is waited out, the second reported."""

from __future__ import annotations

import asyncpg
from aiokafka.errors import KafkaError, KafkaTimeoutError

# Connections refused, reset or timed out; PostgreSQL shutting down, starting up or crashed
# (57P01-57P03: what a `pg_ctl stop -m immediate` or a failover shows its clients); a
# connection dropped under a pool.
_OUTAGES = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    KafkaTimeoutError,
)


def is_outage(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is a dependency out of reach, which retrying later
    can cure, rather than something retrying cannot."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _OUTAGES):
            return True
        if isinstance(current, KafkaError) and current.retriable:
            return True
        current = current.__cause__ or current.__context__
    return False
