"""Where the records are asked for: on a vendor (batched over a page of vendors), and at the
root (vendors, contracts and sanctions across all vendors). A system owner gets only its own
agencies' contracts and the records that hang on them (record_scope.py)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

import strawberry

from services.events.compliance import CertificateKind
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, First100
from services.platform.graphql.pagination import Connection
from services.registry import record_repository as records
from services.registry import vendor_repository
from services.registry.api.graphql_records import (
    Certificate,
    Claim,
    Contract,
    Incident,
    Sanction,
    Subcontract,
    across_vendors,
    certificate,
    claim,
    connection,
    contract,
    in_view,
    incident,
    limit,
    of_vendor,
    sanction,
    subcontract,
)
from services.registry.record_repository import ClaimStatus, SubcontractStatus
from services.registry.vendor_repository import VendorRow

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
        n, scope = limit(first), in_view(info)
        fetch = partial(
            records.contracts,
            first=n,
            after=after,
            agency=agency,
            active_on=active_on,
            agencies=scope,
        )
        key = ("contracts", n, after, agency, active_on, scope)
        page = await of_vendor(info, str(self.vendor_id), key, fetch)
        return connection(page, contract, "contract_id", after)

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
        n, wanted, scope = limit(first), status.value if status else None, in_view(info)
        fetch = partial(records.subcontracts, first=n, after=after, status=wanted, agencies=scope)
        key = ("subcontracts", n, after, wanted, scope)
        page = await of_vendor(info, str(self.vendor_id), key, fetch)
        return connection(page, subcontract, "subcontract_id", after)

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
        n, scope = limit(first), in_view(info)
        fetch = partial(
            records.incidents, first=n, after=after, open_only=open_only, agencies=scope
        )
        key = ("incidents", n, after, open_only, scope)
        page = await of_vendor(info, str(self.vendor_id), key, fetch)
        return connection(page, incident, "incident_id", after)

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
        n, wanted, scope = limit(first), status.value if status else None, in_view(info)
        fetch = partial(records.claims, first=n, after=after, status=wanted, agencies=scope)
        page = await of_vendor(
            info, str(self.vendor_id), ("claims", n, after, wanted, scope), fetch
        )
        return connection(page, claim, "claim_id", after)

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
        n, wanted, scope = limit(first), kind.value if kind else None, in_view(info)
        fetch = partial(
            records.certificates,
            first=n,
            after=after,
            kind=wanted,
            contract_id=contract_id,
            agencies=scope,
        )
        key = ("certificates", n, after, wanted, contract_id, scope)
        page = await of_vendor(info, str(self.vendor_id), key, fetch)
        return connection(page, certificate, "certificate_id", after)

    @strawberry.field(description="Sanctions imposed on it, by id; those in force on `activeOn`.")
    async def sanctions(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[Sanction]:
        n = limit(first)
        fetch = partial(records.sanctions, first=n, after=after, active_on=active_on)
        page = await of_vendor(info, str(self.vendor_id), ("sanctions", n, after, active_on), fetch)
        return connection(page, sanction, "sanction_id", after)


async def vendor_rows(
    info: Info, first: int, after: str | None
) -> tuple[list[VendorRow], int, bool]:
    """A page of registered vendors: the rows, how many vendors there are, whether more."""
    n = limit(first)
    async with info.context.pool.acquire() as conn:
        ids, total = await vendor_repository.vendor_page(conn, after, n + 1)
        rows = await vendor_repository.fetch_vendors(conn, ids[:n])
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
        fetch = partial(
            records.contracts,
            first=limit(first),
            after=after,
            agency=agency,
            active_on=active_on,
            agencies=in_view(info),
        )
        return connection(await across_vendors(info, fetch), contract, "contract_id", after)

    @strawberry.field(description="Sanctions across vendors, by id; those in force on a day.")
    async def sanctions(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[Sanction]:
        fetch = partial(records.sanctions, first=limit(first), after=after, active_on=active_on)
        return connection(await across_vendors(info, fetch), sanction, "sanction_id", after)
