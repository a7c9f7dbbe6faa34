"""What every GraphQL resolver may use: the pool, the event log, the settings."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import strawberry

from services.platform.eventlog.base import EventLog
from services.platform.settings import Settings


@dataclass(frozen=True)
class RequestContext:
    pool: asyncpg.Pool
    event_log: EventLog
    settings: Settings


Info = strawberry.Info[RequestContext, None]
