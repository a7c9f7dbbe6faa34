"""Telling a dependency out of reach (PostgreSQL restarting, Kafka's broker gone, the network)
from a fault of our own or of an input: the first is waited out, the second reported."""

from __future__ import annotations

import sys

import asyncpg

# Connections refused, reset or timed out; PostgreSQL shutting down, starting up or crashed
# (57P01-57P03: what a `pg_ctl stop -m immediate` or a failover shows its clients); a
# connection dropped under a pool.
_OUTAGES = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
)


# What a request that met PostgreSQL out of reach is told (`ErrorCode.UNAVAILABLE`).
DATABASE_OUT_OF_REACH = (
    "the database is out of reach (restarting?): nothing was done; try again shortly"
)


def _kafka_outage(error: BaseException) -> bool:
    """Whether `error` is Kafka's timeout or a retriable Kafka error. aiokafka is looked up,
    not imported: an error of it can exist only once it is loaded, and processes without
    Kafka (embedded mode, `rebuild`, `verify`) should not pay its import (0.2 s)."""
    errors = sys.modules.get("aiokafka.errors")
    if errors is None:
        return False
    if isinstance(error, errors.KafkaTimeoutError):
        return True
    return isinstance(error, errors.KafkaError) and bool(error.retriable)


def is_outage(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is a dependency out of reach, which retrying later
    can cure, rather than something retrying cannot."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _OUTAGES) or _kafka_outage(current):
            return True
        current = current.__cause__ or current.__context__
    return False
