"""What every GraphQL resolver may use: the pool, the event log, the settings, the policies,
and who is asking."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry

from services.events.catalog import EVENT_TYPES
from services.gateway.broadcast import Broadcaster
from services.platform.auth import Principal
from services.platform.consumer import Consumer
from services.platform.eventlog.base import EventLog
from services.platform.settings import Settings
from services.registry.policy import SuspensionPolicy
from services.risk.handlers import RiskService


def handled_by(consumers: Sequence[Consumer]) -> dict[str, tuple[str, ...]]:
    """Event type → the services that apply it (what "processed" waits for)."""
    return {t: tuple(c.name for c in consumers if t in c.handlers) for t in EVENT_TYPES}


@dataclass
class RequestContext:
    pool: asyncpg.Pool
    event_log: EventLog
    settings: Settings
    policies: Mapping[str, SuspensionPolicy]
    broadcaster: Broadcaster
    risk: RiskService
    handled_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Per request (per connection for WebSockets): the verified caller, and the address it
    # called from; the WebSocket's connection_init payload, which may carry the token.
    principal: Principal | None = None
    client: str | None = None
    connection_params: dict[str, Any] | None = None
    # The request's DataLoaders (services/gateway/loaders.py), by field and arguments.
    loaders: dict[Hashable, Any] = field(default_factory=dict)


Info = strawberry.Info[RequestContext, None]
