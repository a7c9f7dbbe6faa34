"""The registry's part of the GraphQL API: vendors, search, eligibility, policy, changes."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, cast

import strawberry

from services.events.base import EventEnvelope
from services.events.emitted import EligibilityChanged, EligibilityReasonRef
from services.events.sanction import SanctionKind as SanctionKindModel
from services.platform.graphql.context import ContextKey, Info
from services.platform.graphql.descriptions import After, First100, First5000, described_enum
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import (
    Key,
    Node,
    in_key_order,
    logged_events,
    misplaced_global_id,
    one_of,
)
from services.platform.graphql.pagination import Connection, page_size
from services.registry import eligibility, queries, single_check, vendor_repository
from services.registry.graphql_affiliates import VendorAffiliates
from services.registry.graphql_record_fields import VendorRecords, vendor_rows
from services.registry.name_index_feed import LiveNameIndex
from services.registry.names import IdentifierKey
from services.registry.policy import PolicyError, Proposal, SuspensionPolicy, propose
from services.registry.queries import RegistryQueryError
from services.registry.sanction_timeline import Decision
from services.registry.search import NameKind as NameKindModel
from services.registry.vendor_repository import VendorRow
from services.risk.graphql_types import RiskScore, risk_score_of

# The authorities' suspension policies, as loaded at startup (services/registry/setup.py).
POLICIES: ContextKey[Mapping[str, SuspensionPolicy]] = ContextKey("registry.policies")
# The process's vendor-name index (services/registry/name_index_feed.py).
NAME_INDEX: ContextKey[LiveNameIndex] = ContextKey("registry.name_index")

SanctionKind = described_enum(
    SanctionKindModel,
    name="SanctionKind",
    description="What a sanction does: bid suspension (入札参加停止) and debarment bar a vendor"
    " from bidding; a warning does not.",
    values={
        "BID_SUSPENSION": "The vendor may not bid while it applies (入札参加停止).",
        "DEBARMENT": "The vendor is excluded from bidding while it applies.",
        "WARNING": "A formal warning: recorded (and weighed in risk), but no bar on bidding.",
    },
)
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
        "IDENTIFIER": "An exact identifier (e.g. a corporate number), never a fuzzy match.",
    },
)
AS_OF = (
    "The day asked about (a calendar day, no time zone); default: today in the registry's"
    " time zone."
)
KNOWN_AT = (
    "Answer as the registry stood at this moment (what had been recorded by then); default:"
    " now. Without an offset it is a time in the registry's time zone."
)
AGENCY = "Judge for this agency: sanctions restricted to other agencies do not count; null: any."
CATEGORY = (
    "Judge for this procurement category: sanctions restricted to other categories do not"
    " count; null: any."
)


@strawberry.type(description="An identifier of a vendor in one scheme (corporate_number, lei…).")
class VendorIdentifier:
    scheme: str = strawberry.field(
        description="The identifier scheme: corporate_number, lei, duns, uei, internal, …"
    )
    value: str = strawberry.field(description="The identifier as the scheme writes it.")


@strawberry.input(
    description="An identifier to find a vendor by: a scheme (e.g. corporate_number) and a value."
)
class IdentifierInput:
    scheme: str = strawberry.field(
        description="The identifier scheme: corporate_number, lei, duns, uei, internal, …"
    )
    value: str = strawberry.field(
        description="The identifier as the scheme writes it (matched exactly)."
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
        description="Last day it was used; null when not known."
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
    aliases: list[str] = strawberry.field(
        description="Other names the vendor is known by (searches match them)."
    )
    identifiers: list[VendorIdentifier] = strawberry.field(
        description="Its identifiers in any scheme (corporate number, LEI, …)."
    )
    former_names: list[FormerName] = strawberry.field(
        description="Names it used before (searches still match them)."
    )

    @strawberry.field(description="The vendor's risk on `asOf` (default: today), explained.")
    async def risk_score(
        self,
        info: Info,
        as_of: Annotated[dt.date | None, strawberry.argument(description=AS_OF)] = None,
    ) -> RiskScore:
        return await risk_score_of(info, str(self.vendor_id), as_of)

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
            aliases=list(row.aliases),
            identifiers=[VendorIdentifier(scheme=i.scheme, value=i.value) for i in row.identifiers],
            former_names=[
                FormerName(name=f.name, used_until=f.used_until) for f in row.former_names
            ],
        )


@strawberry.type(description="A vendor found by a search, and which of its names matched.")
class VendorSearchHit:
    vendor_id: strawberry.ID = strawberry.field(description="The vendor found.")
    matched_name: str = strawberry.field(description="The vendor's name that matched, as stored.")
    matched_kind: NameKind = strawberry.field(  # type: ignore[valid-type]
        description="Which of its names it is."
    )
    score: float = strawberry.field(
        description="How well it matched, 0–100; 100 is an exact (normalised) match."
    )


@strawberry.type(description="A sanction barring the vendor, as a procurement officer sees it.")
class EligibilityReason:
    sanction_id: strawberry.ID = strawberry.field(description="The sanction that bars.")
    kind: SanctionKind = strawberry.field(  # type: ignore[valid-type]
        description="What kind of sanction it is."
    )
    authority: str = strawberry.field(description="Who imposed it, e.g. the city's procurement.")
    starts_on: dt.date = strawberry.field(description="First day the sanction applies.")
    ends_on: dt.date | None = strawberry.field(
        description="Last day it applies (inclusive) under its terms then; null: indefinite."
    )
    via_vendor_id: strawberry.ID | None = strawberry.field(
        description="The affiliate it was imposed on, when it reaches this vendor through one."
    )
    agencies: list[str] | None = strawberry.field(
        description="The agencies it bars the vendor at; null: every agency."
    )
    categories: list[str] | None = strawberry.field(
        description="The procurement categories it bars the vendor in; null: every category."
    )
    grounds: list[str] | None = strawberry.field(
        description="The policy grounds it was imposed on (null in live announcements)."
    )
    incident_ids: list[strawberry.ID] | None = strawberry.field(
        description="The incidents it answers (null in live announcements)."
    )
    decision_reason: str | None = strawberry.field(
        description="The authority's stated reason, when recorded."
    )

    @classmethod
    def of(cls, reason: eligibility.Reason) -> EligibilityReason:
        return cls.of_ref(reason, reason.decision)

    @classmethod
    def of_ref(
        cls, ref: EligibilityReasonRef | eligibility.Reason, decision: Decision | None = None
    ) -> EligibilityReason:
        """From an announcement's reason or the registry's own (their fields are the same);
        `decision` adds what only the registry keeps."""
        return cls(
            sanction_id=strawberry.ID(ref.sanction_id),
            kind=ref.kind,
            authority=ref.authority,
            starts_on=ref.starts_on,
            ends_on=ref.ends_on,
            via_vendor_id=strawberry.ID(ref.via_vendor_id) if ref.via_vendor_id else None,
            agencies=list(ref.agencies) if ref.agencies is not None else None,
            categories=list(ref.categories) if ref.categories is not None else None,
            grounds=list(decision.grounds) if decision else None,
            incident_ids=[strawberry.ID(i) for i in decision.incident_ids] if decision else None,
            decision_reason=decision.reason if decision else None,
        )


@strawberry.type(description="Whether a vendor may bid on a date, and every reason if not.")
class BidEligibility:
    """Served from the registry's own answer (`eligibility.Eligibility`, whose attributes are
    these fields, the reasons aside): a screen of 5,000 bidders makes no object per bidder,
    and the reasons become GraphQL objects only when asked for."""

    vendor_id: strawberry.ID = strawberry.field(description="The vendor judged.")
    as_of: dt.date = strawberry.field(description="The day judged (a calendar day).")
    eligible: bool = strawberry.field(
        description="True when nothing bars the vendor from bidding on `asOf`."
    )
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible now or barred"
        " indefinitely."
    )

    @strawberry.field(description="Every sanction that bars the vendor on `asOf`.")
    @staticmethod
    def reasons(answer: strawberry.Parent[eligibility.Eligibility]) -> list[EligibilityReason]:
        return [EligibilityReason.of(r) for r in answer.reasons]

    @strawberry.field(
        description="Sanctions already recorded that will bar the vendor after `asOf`."
    )
    @staticmethod
    def upcoming(answer: strawberry.Parent[eligibility.Eligibility]) -> list[EligibilityReason]:
        return [EligibilityReason.of(r) for r in answer.upcoming]

    @staticmethod
    def of(answer: eligibility.Eligibility) -> BidEligibility:
        # The same attributes (vendor_id a str, as strawberry.ID is at run time).
        return cast(BidEligibility, answer)


@strawberry.type(description="The period a suspension policy proposes for a decision.")
class SuspensionProposal:
    authority: str = strawberry.field(description="The authority whose policy was applied.")
    starts_on: dt.date = strawberry.field(
        description="First day the suspension would apply: the decision day plus the policy's"
        " days after a decision."
    )
    min_months: int = strawberry.field(
        description="Shortest period the policy allows, in calendar months."
    )
    max_months: int = strawberry.field(
        description="Longest period the policy allows, in calendar months."
    )
    earliest_last_day: dt.date = strawberry.field(
        description="Last day (inclusive) of the shortest period."
    )
    latest_last_day: dt.date = strawberry.field(
        description="Last day (inclusive) of the longest period."
    )
    governing_ground: str = strawberry.field(description="The ground whose range applies.")
    serious: bool = strawberry.field(description="Whether the case was judged serious.")
    aggravation_factor: int = strawberry.field(
        description="The factor applied to the range for a serious case (1 when not serious)."
    )

    @classmethod
    def of(cls, authority: str, proposal: Proposal) -> SuspensionProposal:
        return cls(
            authority=authority,
            starts_on=proposal.starts_on,
            min_months=proposal.min_months,
            max_months=proposal.max_months,
            earliest_last_day=proposal.earliest_last_day,
            latest_last_day=proposal.latest_last_day,
            governing_ground=proposal.governing_ground,
            serious=proposal.serious,
            aggravation_factor=proposal.aggravation_factor,
        )


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


def today(info: Info) -> dt.date:
    return info.context.settings.clock.today()


def moment(info: Info, known_at: dt.datetime | None) -> dt.datetime | None:
    """A `knownAt` without an offset is a time in the registry's time zone, not the host's."""
    if known_at is None or known_at.tzinfo is not None:
        return known_at
    return known_at.replace(tzinfo=info.context.settings.timezone)


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Every registered vendor, by id, a page at a time.")
    async def registered_vendors(
        self, info: Info, first: Annotated[int, First100] = 20, after: After = None
    ) -> Connection[Vendor]:
        rows, total, has_next = await vendor_rows(info, first, after)
        vendors = [Vendor.of(r) for r in rows]
        return Connection.of(vendors, lambda v: str(v.vendor_id), total, has_next, after)

    @strawberry.field(description="One vendor by its id in the registry; null when unknown.")
    async def vendor(
        self,
        info: Info,
        vendor_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The vendor's id in the registry (`Vendor.vendorId`). Required,"
                " unless the deprecated `id` is given."
            ),
        ] = None,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The vendor's id in the registry, as `vendorId` (not its global"
                " id: `node(id:)` takes that).",
                deprecation_reason="give `vendorId` instead: `Vendor.id` is a global id now.",
            ),
        ] = None,
    ) -> Vendor | None:
        wanted, by_old_id = one_of("vendorId", vendor_id, "id", id)
        async with info.context.pool.acquire() as conn:
            row = await queries.vendor(conn, wanted)
        if row is None and by_old_id and (hint := misplaced_global_id("id", wanted, "vendorId")):
            raise hint
        return Vendor.of(row) if row else None

    @strawberry.field(
        description="Vendors whose names (legal, kana, English, former, aliases) match `search`"
        " after normalisation, best first; an exact identifier ranks first."
    )
    async def vendors(
        self,
        info: Info,
        search: Annotated[
            str,
            strawberry.argument(
                description="A name, reading or identifier, as typed: case, width, spaces and"
                " company suffixes (株式会社, Inc., …) do not matter."
            ),
        ],
        first: Annotated[int, First100] = 20,
    ) -> list[VendorSearchHit]:
        hits = await queries.search_pooled(
            info.context.pool, search, page_size(first, 100), info.context.part(NAME_INDEX)
        )
        return [
            VendorSearchHit(
                vendor_id=strawberry.ID(h.vendor_id),
                matched_name=h.matched_name,
                matched_kind=h.matched_kind,
                score=h.score,
            )
            for h in hits
        ]

    @strawberry.field(
        description="Eligibility to bid on `asOf` (default: today in the registry's time zone)"
        " for an agency and category, as the registry stood at `knownAt` (default: now)."
        " Name the vendor by `vendor` (its id or an identifier)."
    )
    async def bid_eligibility(
        self,
        info: Info,
        vendor: Annotated[
            VendorRefInput | None,
            strawberry.argument(
                description="The vendor, by its id or by an identifier (exactly one way)."
                " Required, unless the deprecated `vendorId` or `identifier` is given."
            ),
        ] = None,
        vendor_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The vendor, by its id; not with `vendor` or `identifier`.",
                deprecation_reason=OLD_VENDOR_ARGUMENT.format("id"),
            ),
        ] = None,
        identifier: Annotated[
            IdentifierInput | None,
            strawberry.argument(
                description="The vendor, by an identifier; not with `vendor` or `vendorId`.",
                deprecation_reason=OLD_VENDOR_ARGUMENT.format("identifier"),
            ),
        ] = None,
        as_of: Annotated[dt.date | None, strawberry.argument(description=AS_OF)] = None,
        agency: Annotated[str | None, strawberry.argument(description=AGENCY)] = None,
        category: Annotated[str | None, strawberry.argument(description=CATEGORY)] = None,
        known_at: Annotated[dt.datetime | None, strawberry.argument(description=KNOWN_AT)] = None,
    ) -> BidEligibility:
        by_id, wanted, by_old_id = named_vendor(vendor, vendor_id, identifier)
        async with info.context.pool.acquire() as conn:
            try:
                answer = await single_check.eligibility(
                    conn,
                    by_id,
                    wanted,
                    as_of or today(info),
                    agency=agency,
                    category=category,
                    known_at=moment(info, known_at),
                )
            except RegistryQueryError:
                if (
                    by_old_id
                    and by_id
                    and (hint := misplaced_global_id("vendor.id", by_id, "vendorId"))
                ):
                    raise hint from None
                raise
        return BidEligibility.of(answer)

    @strawberry.field(
        description="Screens many bidders at once (one bounded round of database work)."
    )
    async def bid_eligibility_many(
        self,
        info: Info,
        vendor_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="The bidders, by id; answers come in this order."),
        ],
        as_of: Annotated[dt.date | None, strawberry.argument(description=AS_OF)] = None,
        agency: Annotated[str | None, strawberry.argument(description=AGENCY)] = None,
        category: Annotated[str | None, strawberry.argument(description=CATEGORY)] = None,
        known_at: Annotated[dt.datetime | None, strawberry.argument(description=KNOWN_AT)] = None,
    ) -> list[BidEligibility]:
        async with info.context.pool.acquire() as conn:
            answers = await queries.bid_eligibility_many(
                conn,
                [str(v) for v in vendor_ids],
                as_of or today(info),
                agency=agency,
                category=category,
                known_at=moment(info, known_at),
            )
        return [BidEligibility.of(a) for a in answers]

    @strawberry.field(
        description="The start and range of months an authority's suspension policy gives for"
        " these grounds; `serious` applies its aggravation factor."
    )
    def propose_suspension(
        self,
        info: Info,
        authority: Annotated[
            str, strawberry.argument(description="The authority whose policy applies.")
        ],
        grounds: Annotated[
            list[str],
            strawberry.argument(
                description="Grounds under that policy, e.g. breach_of_contract,"
                " information_leakage; the one with the longest range governs."
            ),
        ],
        serious: Annotated[
            bool, strawberry.argument(description="Apply the policy's aggravation factor.")
        ],
        decided_on: Annotated[
            dt.date, strawberry.argument(description="The day the sanction is decided.")
        ],
    ) -> SuspensionProposal:
        policies = info.context.part(POLICIES)
        policy = policies.get(authority)
        if policy is None:
            known = ", ".join(sorted(policies)) or "none"
            raise PolicyError(f"authority: no suspension policy for {authority!r}; known: {known}")
        return SuspensionProposal.of(authority, propose(policy, grounds, serious, decided_on))

    @strawberry.field(
        description="Vendors whose identity or eligibility changed after `since` (a cursor from"
        " an earlier page; omit it to start from the beginning), oldest first."
    )
    async def registry_changes(
        self,
        info: Info,
        since: Annotated[
            str | None,
            strawberry.argument(
                description="The `cursor` of the previous page; omit it to start from the"
                " beginning."
            ),
        ] = None,
        first: Annotated[int, First5000] = 500,
    ) -> RegistryChangePage:
        async with info.context.pool.acquire() as conn:
            page = await queries.changes_since(conn, since, page_size(first, 5000))
        return RegistryChangePage(
            changes=[RegistryChange.of(c) for c in page.changes],
            cursor=page.cursor,
            has_more=page.has_more,
        )


@strawberry.type(description="A vendor became ineligible, eligible again, or barred for longer.")
class EligibilityChange(Node):
    event_id: strawberry.ID = strawberry.field(
        description="The `vendor.eligibility_changed` event announcing it."
    )
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose eligibility changed.")
    as_of: dt.date = strawberry.field(description="The day from which the new answer holds.")
    eligible: bool = strawberry.field(description="Whether the vendor may bid from `asOf`.")
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible now or barred"
        " indefinitely."
    )
    reasons: list[EligibilityReason] = strawberry.field(
        description="Every sanction that bars the vendor on `asOf` (empty when eligible)."
    )

    @classmethod
    def of(cls, event: EventEnvelope) -> EligibilityChange:
        payload = cast(EligibilityChanged, event.payload)
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            vendor_id=strawberry.ID(event.vendor_id),
            as_of=payload.as_of,
            eligible=payload.eligible,
            eligible_again_on=payload.eligible_again_on,
            reasons=[EligibilityReason.of_ref(r) for r in payload.reasons],
        )

    # The `vendor.eligibility_changed` event announcing it names it.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[EligibilityChange | None]:
        # Open to every role, as the `eligibilityChanges` subscription is.
        events = await logged_events(info, keys, {EligibilityChanged.event_type})
        return in_key_order({k: cls.of(e.envelope) for k, e in events.items()}, keys)


@strawberry.type
class RegistrySubscription:
    @strawberry.subscription(
        description="Eligibility changes as the registry announces them (a sanction imposed,"
        " amended or lifted, or starting or ending today); only these vendors when given."
    )
    async def eligibility_changes(
        self,
        info: Info,
        vendor_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these vendors, by id; null: every vendor."),
        ] = None,
    ) -> AsyncGenerator[EligibilityChange, None]:
        wanted = {str(v) for v in vendor_ids} if vendor_ids else None
        changes = info.context.broadcaster.events(
            EligibilityChanged.event_type, wanted, EligibilityChange.of
        )
        async with contextlib.aclosing(changes):  # unsubscribed when the client goes
            async for _, change in changes:
                yield change
