"""The registry's part of the GraphQL API: vendors and bid eligibility."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.events.sanction import SanctionKind as SanctionKindModel
from services.platform.request_context import Info
from services.registry import eligibility, queries
from services.registry.repository import VendorRow

SanctionKind = strawberry.enum(SanctionKindModel, name="SanctionKind")


@strawberry.type(description="An identifier of a vendor in one scheme (corporate_number, lei…).")
class VendorIdentifier:
    scheme: str
    value: str


@strawberry.type(description="A sanction as far as eligibility is concerned.")
class SanctionSummary:
    sanction_id: strawberry.ID
    kind: SanctionKind  # type: ignore[valid-type]
    authority: str
    starts_on: dt.date = strawberry.field(description="First day the sanction applies.")
    ends_on: dt.date | None = strawberry.field(
        description="Last day the sanction applies (inclusive); null when indefinite."
    )

    @classmethod
    def of(cls, sanction: eligibility.Sanction) -> SanctionSummary:
        return cls(
            sanction_id=strawberry.ID(sanction.sanction_id),
            kind=sanction.kind,
            authority=sanction.authority,
            starts_on=sanction.starts_on,
            ends_on=sanction.last_day,
        )


@strawberry.type(description="A vendor as the registry knows it.")
class Vendor:
    id: strawberry.ID
    legal_name: str
    name_kana: str | None
    name_en: str | None
    country: str | None
    aliases: list[str]
    identifiers: list[VendorIdentifier]

    @classmethod
    def of(cls, row: VendorRow) -> Vendor:
        return cls(
            id=strawberry.ID(row.vendor_id),
            legal_name=row.legal_name,
            name_kana=row.name_kana,
            name_en=row.name_en,
            country=row.country,
            aliases=list(row.aliases),
            identifiers=[VendorIdentifier(scheme=i.scheme, value=i.value) for i in row.identifiers],
        )


@strawberry.type(description="Whether a vendor may bid on a date, and every reason if not.")
class BidEligibility:
    vendor_id: strawberry.ID
    as_of: dt.date
    eligible: bool
    reasons: list[SanctionSummary] = strawberry.field(
        description="Every sanction that bars the vendor on `asOf`."
    )
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible now or barred"
        " indefinitely."
    )

    @classmethod
    def of(cls, answer: eligibility.Eligibility) -> BidEligibility:
        return cls(
            vendor_id=strawberry.ID(answer.vendor_id),
            as_of=answer.as_of,
            eligible=answer.eligible,
            reasons=[SanctionSummary.of(s) for s in answer.reasons],
            eligible_again_on=answer.eligible_again_on,
        )


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="One vendor by its id; null when unknown.")
    async def vendor(self, info: Info, id: strawberry.ID) -> Vendor | None:
        row = await queries.vendor(info.context.pool, str(id))
        return Vendor.of(row) if row else None

    @strawberry.field(
        description="Eligibility to bid on `asOf` (default: today in the registry's time zone)."
    )
    async def bid_eligibility(
        self,
        info: Info,
        vendor_id: strawberry.ID,
        as_of: dt.date | None = None,
        agency: str | None = None,
        category: str | None = None,
    ) -> BidEligibility:
        day = as_of or dt.datetime.now(info.context.settings.timezone).date()
        answer = await queries.bid_eligibility(
            info.context.pool, str(vendor_id), day, agency=agency, category=category
        )
        return BidEligibility.of(answer)
