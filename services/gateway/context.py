"""What every GraphQL resolver may use: the pool, the event log, the settings, the policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg
import strawberry

from services.gateway.broadcast import Broadcaster
from services.platform.eventlog.base import EventLog
from services.platform.settings import Settings
from services.registry.policy import SuspensionPolicy
from services.risk.handlers import RiskService


@dataclass(frozen=True)
class RequestContext:
    pool: asyncpg.Pool
    event_log: EventLog
    settings: Settings
    policies: Mapping[str, SuspensionPolicy]
    broadcaster: Broadcaster
    risk: RiskService


Info = strawberry.Info[RequestContext, None]
