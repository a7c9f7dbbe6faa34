"""The registry's change feed as the API shows it: vendors whose identity or eligibility
changed, a page at a time, for clients that keep a copy of the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

import strawberry

from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.nodes import (
    Key,
    Node,
    in_key_order,
)
from services.registry.reads import queries


class ChangeKind(StrEnum):
    """What a registry change is about: the values of registry_changes.kind (its CHECK)."""

    IDENTITY = "identity"
    ELIGIBILITY = "eligibility"


described_enum(
    ChangeKind,
    name="RegistryChangeKind",
    description="What changed about a vendor, for a client keeping a copy of the registry.",
    values={
        "IDENTITY": "Its names or identifiers, as searches match them.",
        "ELIGIBILITY": "Whether a screening may now answer differently.",
    },
)


@strawberry.type(description="A vendor whose identity or eligibility changed.")
class RegistryChange(Node):
    seq: strawberry.Private[int]
    vendor_id: strawberry.ID = strawberry.field(description="The vendor that changed.")
    kind: ChangeKind = strawberry.field(description="What changed: its identity or eligibility.")
    recorded_at: dt.datetime = strawberry.field(
        description="When the registry recorded the change (with its UTC offset)."
    )

    node_key_names = ("changeNumber",)

    def node_key(self) -> Key:
        return (str(self.seq),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[RegistryChange | None]:
        async with info.context.pool.acquire() as conn:
            rows = await queries.changes_numbered(conn, [int(n) for (n,) in keys])
        return in_key_order({(str(n),): cls.of(row) for n, row in rows.items()}, keys)

    @classmethod
    def of(cls, change: queries.ChangeRow) -> RegistryChange:
        return cls(
            seq=change.seq,
            vendor_id=strawberry.ID(change.vendor_id),
            kind=ChangeKind(change.kind),
            recorded_at=change.recorded_at,
        )


@strawberry.type(description="Changes after a cursor; pass `cursor` as `since` next time.")
class RegistryChangePage:
    changes: list[RegistryChange] = strawberry.field(description="The changes, oldest first.")
    cursor: str = strawberry.field(
        description="Pass it as `since` to get the changes after these (also when empty)."
    )
    has_more: bool = strawberry.field(
        description="More changes are already recorded after this page: ask again at once."
    )
