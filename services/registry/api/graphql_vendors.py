"""Vendors as the API shows them: names, identifiers, former names, risk, records and affiliates;
the hits of a name search; the ways a field names a vendor (by id or by an identifier)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

import strawberry

from services.events.vendor import VendorKind as VendorKindModel
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import (
    Key,
    Node,
    in_key_order,
)
from services.registry.api.graphql_affiliates import VendorAffiliates
from services.registry.api.graphql_arguments import AS_OF
from services.registry.api.graphql_record_fields import VendorRecords
from services.registry.domain.names import IdentifierKey
from services.registry.name_search.search import NameKind as NameKindModel
from services.registry.storage import vendor_repository
from services.registry.storage.vendor_repository import VendorRow
from services.risk.graphql_objects import RiskScore, risk_score_of

NameKind = described_enum(
    NameKindModel,
    name="NameKind",
    description="Which of a vendor's names a search matched; between equal scores, the"
    " earlier kind ranks first.",
    values={
        "LEGAL": "The current legal name.",
        "KANA": "The reading of the legal name in katakana.",
        "ENGLISH": "The English name.",
        "FORMER": "A legal name, reading or English name the vendor used before.",
        "ALIAS": "Another name the vendor is known by.",
        "IDENTIFIER": "An exact identifier (e.g. a corporate number), never a fuzzy match;"
        " the name given is the vendor's legal name.",
        "FORMER_IDENTIFIER": "An exact identifier the vendor held until an update replaced it"
        " (no vendor holds it now, or another vendor does); the name given is the vendor's"
        " legal name.",
        "VENDOR_ID": "The vendor's id in the registry (`vendorId`), typed exactly; the name"
        " given is the vendor's legal name.",
    },
)

# Described here, where a vendor shows it, as well as `registerVendor` takes it.
VendorKind = described_enum(
    VendorKindModel,
    name="VendorKind",
    description="Whether a vendor is a firm or a natural person.",
    values={
        "FIRM": "A firm: a company, partnership or other organisation.",
        "INDIVIDUAL": "A natural person (SAM.gov's exclusions classify one as Individual).",
    },
)


@strawberry.type(description="An identifier of a vendor in one scheme (corporate_number, lei…).")
class VendorIdentifier:
    scheme: str = strawberry.field(
        description="The identifier scheme: corporate_number, lei, duns, uei, internal, …"
    )
    value: str = strawberry.field(
        description="The identifier in the one form the registry reads it in: without spaces,"
        " hyphens or dashes, full-width characters as ASCII, upper case (a DUNS number given as"
        " 12-345-6789 reads 123456789)."
    )


@strawberry.input(
    description="An identifier to find a vendor by: a scheme (e.g. corporate_number) and a value."
)
class IdentifierInput:
    scheme: str = strawberry.field(
        description="The identifier scheme: corporate_number, lei, duns, uei, internal, …"
    )
    value: str = strawberry.field(
        description="The identifier as written: spaces, hyphens, dashes, full-width characters"
        " and case make no difference; otherwise matched exactly, never fuzzily."
    )


@strawberry.input(
    one_of=True,
    description="One way to name a vendor: give exactly one of its fields (the others left out).",
)
class VendorRefInput:
    vendor_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The vendor, by its id in the registry (`Vendor.vendorId`).",
    )
    identifier: IdentifierInput | None = strawberry.field(
        default=strawberry.UNSET, description="The vendor, by an identifier in some scheme."
    )
    id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The vendor, by its id in the registry, as `vendorId` (not its global id).",
        deprecation_reason="give `vendorId` instead: `Vendor.id` is a global id now.",
    )


OLD_VENDOR_ARGUMENT = "give `vendor` instead (`vendor: {{{0}: …}}`)."


def _given(value: object) -> Any:
    return None if value is strawberry.UNSET else value


def named_vendor(
    vendor: VendorRefInput | None,
    vendor_id: strawberry.ID | None,
    identifier: IdentifierInput | None,
) -> tuple[str | None, IdentifierKey | None, bool]:
    """The vendor a field was asked about: by `vendor` (a @oneOf input), or by the deprecated
    `vendorId` or `identifier` arguments it replaces; never by both ways at once. Also whether
    it was named by the deprecated `vendor: {id: …}`, whose value may be a misplaced global id."""
    by_old_id = False
    if vendor is not None:
        if vendor_id is not None or identifier is not None:
            raise InvalidArgument(
                "vendor: give it alone, not with the deprecated vendorId or identifier"
            )
        # @oneOf: exactly one of the fields is set (the others UNSET); validation saw to it.
        old = _given(vendor.id)
        by_old_id = old is not None
        vendor_id = old if by_old_id else _given(vendor.vendor_id)
        identifier = _given(vendor.identifier)
    elif vendor_id is None and identifier is None:
        raise InvalidArgument(
            "vendor: name the vendor, by `vendor: {vendorId: …}` or `vendor: {identifier: …}`"
        )
    wanted = IdentifierKey(identifier.scheme, identifier.value) if identifier else None
    return (str(vendor_id) if vendor_id is not None else None), wanted, by_old_id


@strawberry.type(description="A legal name, reading or English name the vendor used before.")
class FormerName:
    name: str = strawberry.field(description="The name as it was used.")
    used_until: dt.date | None = strawberry.field(
        description="Last day it was used (the day before the rename that replaced it took"
        " effect); null when not known (a name an update replaced: the update gives no day)."
    )


@strawberry.type(description="A vendor as the registry knows it, with its records.")
class Vendor(Node, VendorRecords, VendorAffiliates):
    legal_name: str = strawberry.field(description="The current legal name.")
    name_kana: str | None = strawberry.field(
        description="The reading of the legal name in katakana; null when not recorded."
    )
    name_en: str | None = strawberry.field(description="The English name; null when not recorded.")
    country: str | None = strawberry.field(
        description="Country of registration, ISO 3166-1 alpha-2 (JP, US, …); null when not"
        " recorded."
    )
    kind: VendorKind | None = strawberry.field(  # type: ignore[valid-type]
        description="A firm or an individual (a natural person), as its registration said (the"
        " IDB's list says which; `registerVendor` takes it); null when not known."
    )
    aliases: list[str] = strawberry.field(
        description="Other names the vendor is known by (searches match them)."
    )
    identifiers: list[VendorIdentifier] = strawberry.field(
        description="Its identifiers in any scheme (corporate number, LEI, …)."
    )
    former_names: list[FormerName] = strawberry.field(
        description="Names it used before, replaced by a rename or an update (screening and"
        " searches still match them)."
    )

    @strawberry.field(description="The vendor's risk on `asOf` (default: today), explained.")
    async def risk_score(
        self,
        info: Info,
        as_of: Annotated[dt.date | None, strawberry.argument(description=AS_OF)] = None,
    ) -> RiskScore:
        # A Vendor is made only from the registry's row of it: registered, no look-up.
        return await risk_score_of(info, str(self.vendor_id), as_of, registered=True)

    node_key_names = ("vendorId",)

    def node_key(self) -> Key:
        return (self.vendor_id,)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Vendor | None]:
        async with info.context.pool.acquire() as conn:
            rows = await vendor_repository.fetch_vendors(conn, [i for (i,) in keys])
        return in_key_order({(i,): cls.of(row) for i, row in rows.items()}, keys)

    @classmethod
    def of(cls, row: VendorRow) -> Vendor:
        return cls(
            vendor_id=strawberry.ID(row.vendor_id),
            legal_name=row.legal_name,
            name_kana=row.name_kana,
            name_en=row.name_en,
            country=row.country,
            kind=row.kind,
            aliases=list(row.aliases),
            identifiers=[VendorIdentifier(scheme=i.scheme, value=i.value) for i in row.identifiers],
            former_names=[
                FormerName(name=f.name, used_until=f.used_until) for f in row.former_names
            ],
        )


@strawberry.type(description="A vendor found by a search, and which of its names matched.")
class VendorSearchHit:
    vendor_id: strawberry.ID = strawberry.field(description="The vendor found.")
    matched_name: str = strawberry.field(
        description="Which of the vendor's recorded names matched, as recorded (its legal,"
        " kana, English or a former name, or an alias: `matchedKind` says which), never the"
        " text searched for; for an identifier or the vendor id that matched (`IDENTIFIER`,"
        " `FORMER_IDENTIFIER`, `VENDOR_ID`), its current legal name."
    )
    matched_kind: NameKind = strawberry.field(  # type: ignore[valid-type]
        description="Which of its names it is."
    )
    score: float = strawberry.field(
        description="How well it matched, 0–100; 100 is an exact (normalised) match."
    )
