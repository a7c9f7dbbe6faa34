"""Where the records are asked for: on a vendor (batched over a page of vendors), and at the
root (vendors, contracts and sanctions across all vendors). A system owner gets only its own
agencies' contracts and the records that hang on them (record_scope.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.events.compliance import CertificateKind
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, First100
from services.platform.graphql.pagination import Connection, cursor_key, total_count_asked
from services.platform.graphql.scope_names import scope_argument
from services.registry.api.graphql_record_connections import (
    CERTIFICATES,
    CLAIMS,
    CONTRACTS,
    INCIDENTS,
    SANCTIONS,
    SUBCONTRACTS,
    limit,
    root_connection,
    vendor_connection,
)
from services.registry.api.graphql_record_nodes import (
    Certificate,
    Claim,
    Contract,
    Incident,
    Sanction,
    Subcontract,
    in_view,
)
from services.registry.storage import vendor_repository
from services.registry.storage.record_repository import ClaimStatus, SubcontractStatus
from services.registry.storage.vendor_repository import VendorRow

AgencyFilter = Annotated[
    str | None,
    strawberry.argument(description="Only contracts of this agency; null: every agency."),
]
ActiveOn = Annotated[
    dt.date | None,
    strawberry.argument(
        description="Only those in force on this day (a calendar day); null: whenever."
    ),
]


@strawberry.type
class VendorRecords:
    """The fields every Vendor has for its records (mixed into the registry's Vendor type)."""

    vendor_id: strawberry.ID = strawberry.field(
        description="The vendor's id in the registry, as events and the other types'"
        " `vendorId` name it (`id` is its global id)."
    )

    @strawberry.field(description="Its contracts, by id; at `agency`, running on `activeOn`.")
    async def contracts(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        agency: AgencyFilter = None,
        active_on: ActiveOn = None,
    ) -> Connection[Contract]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            CONTRACTS,
            first,
            after,
            agency=scope_argument("agency", agency),
            active_on=active_on,
            agencies=in_view(info),
        )

    @strawberry.field(description="Work it subcontracted, by id; of one status when given.")
    async def subcontracts(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        status: Annotated[
            SubcontractStatus | None,
            strawberry.argument(description="Only those of this status; null: all."),
        ] = None,
    ) -> Connection[Subcontract]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            SUBCONTRACTS,
            first,
            after,
            status=status.value if status else None,
            agencies=in_view(info),
        )

    @strawberry.field(description="Its incidents, by id; only those not closed, when asked.")
    async def incidents(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        open_only: Annotated[
            bool, strawberry.argument(description="Only incidents not closed yet.")
        ] = False,
    ) -> Connection[Incident]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            INCIDENTS,
            first,
            after,
            open_only=open_only,
            agencies=in_view(info),
        )

    @strawberry.field(description="Claims for damages against it, by id.")
    async def claims(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        status: Annotated[
            ClaimStatus | None,
            strawberry.argument(description="Only those of this status; null: all."),
        ] = None,
    ) -> Connection[Claim]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            CLAIMS,
            first,
            after,
            status=status.value if status else None,
            agencies=in_view(info),
        )

    @strawberry.field(description="Certificates it submitted, by id; of a kind or contract.")
    async def certificates(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        kind: Annotated[
            CertificateKind | None,
            strawberry.argument(description="Only certificates of this kind; null: all."),
        ] = None,
        contract_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only certificates for this contract; null: all."),
        ] = None,
    ) -> Connection[Certificate]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            CERTIFICATES,
            first,
            after,
            kind=kind.value if kind else None,
            contract_id=contract_id,
            agencies=in_view(info),
        )

    @strawberry.field(description="Sanctions imposed on it, by id; those in force on `activeOn`.")
    async def sanctions(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[Sanction]:
        return await vendor_connection(
            info,
            str(self.vendor_id),
            SANCTIONS,
            first,
            after,
            active_on=active_on,
        )


# What registered vendors' cursors name (`pagination.key_cursor`).
VENDOR_KEYS = "vendor_id"


async def vendor_rows(
    info: Info, first: int, after: str | None
) -> tuple[list[VendorRow], int, bool]:
    """A page of registered vendors: the rows, how many vendors there are (counted only when
    `totalCount` is asked: 0 otherwise, never shown), whether more."""
    n, after_key = limit(first), cursor_key(VENDOR_KEYS, after)
    async with info.context.pool.acquire() as conn:
        ids = await vendor_repository.vendor_page(conn, after_key, n + 1)
        rows = await vendor_repository.fetch_vendors(conn, ids[:n])
        total = await vendor_repository.vendor_count(conn) if total_count_asked(info) else 0
    return [rows[i] for i in ids[:n] if i in rows], total, len(ids) > n


@strawberry.type
class RecordsQuery:
    @strawberry.field(description="Contracts across vendors, by id; at `agency`, running on a day.")
    async def contracts(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        agency: AgencyFilter = None,
        active_on: ActiveOn = None,
    ) -> Connection[Contract]:
        return await root_connection(
            info,
            CONTRACTS,
            first,
            after,
            agency=scope_argument("agency", agency),
            active_on=active_on,
            agencies=in_view(info),
        )

    @strawberry.field(description="Sanctions across vendors, by id; those in force on a day.")
    async def sanctions(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[Sanction]:
        return await root_connection(info, SANCTIONS, first, after, active_on=active_on)
