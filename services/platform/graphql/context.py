"""What every GraphQL resolver may use: the pool, the event log, the settings, the live events,
who is asking, and each service's own parts.

The platform sits below the services, so this context cannot name what only one service
has (the registry's suspension policies, the risk service's model). A service declares a
typed key for such a part next to its resolvers,

    POLICIES: ContextKey[Mapping[str, SuspensionPolicy]] = ContextKey("registry.policies")

and reads it as `info.context.part(POLICIES)`, typed as the key says. The gateway, which
composes the services, provides it as `POLICIES.given(policies)`, where mypy checks the value
against the key. Two alternatives were set aside: a context generic in each service's parts
(strawberry's Info is invariant in its context, so the helpers every service shares, which
take this Info, would refuse them) and a Protocol per service (nothing would check that the
composed context satisfies them, and a missing part would surface as an AttributeError deep
in a resolver rather than as a named missing part).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import asyncpg
import strawberry

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.platform.eventlog.base import EventLog
from services.platform.graphql.broadcast import Broadcaster
from services.platform.postgres.database import Connection
from services.platform.security.auth import Principal
from services.platform.settings import Settings

Part = TypeVar("Part")

# A rule beyond the event contract that an event recorded through the API must pass before
# it goes into the log (the registry's suspension policies): the refusal, or None.
EventCheck = Callable[[EventEnvelope], Problem | None]
TypeCheck = Callable[[str], Problem | None]
# Such a rule that needs the services' records (the sanction an amendment changes): it reads
# them on the pool only for the events it judges.
ReadingCheck = Callable[[asyncpg.Pool, EventEnvelope], Awaitable[Problem | None]]


@dataclass(frozen=True)
class ClaimCheck:
    """A reading check of what an event claims as its own alone (a vendor id, an identifier),
    which two receipts at once must not both pass: `keys` names what the event claims (none:
    the check has nothing to judge), and `check` judges it on a connection holding a lock of
    each of them until the event is appended (`receipt_turns.claiming`), so that a second
    receipt claiming one of them reads the log once the first's event is in it."""

    keys: Callable[[EventEnvelope], Sequence[str]]
    check: Callable[[Connection, EventEnvelope], Awaitable[Problem | None]]


@dataclass(frozen=True, eq=False)
class ContextKey(Generic[Part]):
    """Names one service's part of the context; keys compare by identity, so two services
    cannot collide by choosing the same name."""

    name: str

    def given(self, value: Part) -> Provided[Part]:
        return Provided(self, value)


@dataclass(frozen=True)
class Provided(Generic[Part]):
    key: ContextKey[Part]
    value: Part


class MissingPart(LookupError):
    """A resolver asked for a part the entrypoint did not provide: a wiring bug."""


@dataclass
class RequestContext:
    pool: asyncpg.Pool
    event_log: EventLog
    settings: Settings
    broadcaster: Broadcaster
    # Event type → the services that apply it (what "processed" waits for).
    handled_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The services' checks of an event recorded through the API: of its type alone, asked
    # first (also of an event the catalog refuses), then of the whole event.
    type_checks: Sequence[TypeCheck] = ()
    checks: Sequence[EventCheck] = ()
    reading_checks: Sequence[ReadingCheck] = ()
    claim_checks: Sequence[ClaimCheck] = ()
    parts: Sequence[Provided[Any]] = ()
    # Per request (per connection for WebSockets): the verified caller, and the address it
    # called from; the WebSocket's connection_init payload, which may carry the token.
    principal: Principal | None = None
    client: str | None = None
    connection_params: dict[str, Any] | None = None
    # The request's DataLoaders (services/platform/graphql/loaders.py), by field and arguments.
    loaders: dict[Hashable, Any] = field(default_factory=dict)

    def part(self, key: ContextKey[Part]) -> Part:
        for provided in self.parts:
            if provided.key is key:
                # Sound: a Provided[Part] is only made by key.given(value: Part).
                return cast(Part, provided.value)
        raise MissingPart(f"the request context has no {key.name}")


Info = strawberry.Info[RequestContext, None]
