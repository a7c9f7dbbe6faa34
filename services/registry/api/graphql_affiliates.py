"""A vendor's affiliates in GraphQL: the vendors related to it as parent or subsidiary (the
relation recorded on either of the two), with the periods they were (`affiliations.py`, the
rules a sanction covering affiliates follows), read for every vendor of an answer at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import strawberry

from services.platform.graphql.context import Info
from services.platform.graphql.loaders import batched
from services.platform.postgres.database import Connection
from services.registry.domain.affiliations import Period, affiliates_of, periods_by_pair
from services.registry.storage import vendor_repository


@strawberry.type(description="A period during which two vendors were affiliated.")
class AffiliationPeriod:
    first_day: dt.date = strawberry.field(description="The first day they were affiliated.")
    until: dt.date | None = strawberry.field(
        description="The day the relation ended: no longer affiliated from that day on; null:"
        " it still stands."
    )


@strawberry.type(
    description="A vendor affiliated with this one (parent or subsidiary), now or before."
)
class Affiliate:
    vendor_id: strawberry.ID = strawberry.field(description="The affiliated vendor.")
    periods: list[AffiliationPeriod] = strawberry.field(
        description="When they were affiliated, oldest first."
    )


def _affiliate(vendor_id: str, spans: Sequence[Period]) -> Affiliate:
    periods = [AffiliationPeriod(first_day=p.first_day, until=p.until) for p in spans]
    return Affiliate(vendor_id=strawberry.ID(vendor_id), periods=periods)


async def affiliates(conn: Connection, vendor_ids: list[str]) -> dict[str, list[Affiliate]]:
    """Each vendor's affiliates, by vendor id, from one query of their affiliation changes."""
    periods = periods_by_pair(await vendor_repository.affiliation_events(conn, vendor_ids, None))
    return {
        vendor_id: [
            _affiliate(other, spans)
            for other, spans in sorted(affiliates_of(vendor_id, periods).items())
        ]
        for vendor_id in vendor_ids
    }


@strawberry.type
class VendorAffiliates:
    """The affiliates field every Vendor has (mixed into the registry's Vendor type)."""

    vendor_id: strawberry.ID

    @strawberry.field(
        description="The vendors related to this one as parent or subsidiary, now or before, by"
        " id, each with the periods they were: a sanction covering affiliates reaches them"
        " while they are."
    )
    async def affiliates(self, info: Info) -> list[Affiliate]:
        none: list[Affiliate] = []
        return await batched(info, ("affiliates",), affiliates, none).load(str(self.vendor_id))
