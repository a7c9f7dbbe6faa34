"""The registry's root fields: vendors (one, a page, a name search), eligibility (one vendor,
many bidders), a suspension policy's proposal, the change feed; and the eligibility-changes
subscription."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from services.events.emitted import EligibilityChanged
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, First100, First5000
from services.platform.graphql.nodes import (
    misplaced_global_id,
    one_of,
)
from services.platform.graphql.pagination import Connection, key_cursor, page_size
from services.platform.wording import quoted
from services.registry.api.graphql_arguments import (
    AGENCY,
    AS_OF,
    CATEGORY,
    KNOWN_AT,
    judged_for,
    today,
)
from services.registry.api.graphql_authorities import SuspensionProposal
from services.registry.api.graphql_changes import RegistryChange, RegistryChangePage
from services.registry.api.graphql_context import KEYED_LOOKUPS, NAME_INDEX, POLICIES
from services.registry.api.graphql_eligibility import (
    BidEligibility,
    EligibilityChange,
    bar_days_asked,
)
from services.registry.api.graphql_record_fields import VENDOR_KEYS, vendor_rows
from services.registry.api.graphql_vendors import (
    OLD_VENDOR_ARGUMENT,
    IdentifierInput,
    Vendor,
    VendorRefInput,
    VendorSearchHit,
    named_vendor,
)
from services.registry.domain.policy import PolicyError, propose
from services.registry.domain.policy_authority import spelled_otherwise
from services.registry.reads import queries, single_check
from services.registry.reads.queries import RegistryQueryError


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Every registered vendor, by id, a page at a time.")
    async def registered_vendors(
        self, info: Info, first: Annotated[int, First100] = 20, after: After = None
    ) -> Connection[Vendor]:
        rows, total, has_next = await vendor_rows(info, first, after)
        vendors = [Vendor.of(r) for r in rows]
        return Connection.of(
            vendors, lambda v: key_cursor(VENDOR_KEYS, str(v.vendor_id)), total, has_next, after
        )

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
        " after normalisation, best first: the vendor whose id (`vendorId`) `search` is, then an"
        " exact identifier, rank first; a name holding `search`'s words whole, in their order,"
        " ranks above a near-miss of another word (at least 90, whatever the name's length)."
    )
    async def vendors(
        self,
        info: Info,
        search: Annotated[
            str,
            strawberry.argument(
                description="A name, reading, identifier or vendor id, as typed: case, width,"
                " spaces and company suffixes (株式会社, Inc., …) do not matter to a name; a vendor"
                " id is matched exactly."
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
                deprecation_reason=OLD_VENDOR_ARGUMENT.format("vendorId"),
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
        agency, category = judged_for(agency, category)
        by_id, wanted, by_old_id = named_vendor(vendor, vendor_id, identifier)
        async with info.context.part(KEYED_LOOKUPS).acquire() as conn:
            try:
                answer = await single_check.eligibility(
                    conn,
                    by_id,
                    wanted,
                    as_of or today(info),
                    agency=agency,
                    category=category,
                    known_at=known_at,
                    with_bars_from=bar_days_asked(info),
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
        description="Screens many bidders at once (up to 5,000 a request, counted with every"
        " other `bidEligibilityMany` and `screenBidders` of it; one bounded round of database"
        " work). An id"
        " the registry does not hold refuses the whole call, naming the unknown ids (an unknown"
        " bidder may be a typo for a barred vendor); `screenBidders` answers such a bidder"
        " `UNKNOWN` beside the others."
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
        agency, category = judged_for(agency, category)
        async with info.context.pool.acquire() as conn:
            answers = await queries.bid_eligibility_many(
                conn,
                [str(v) for v in vendor_ids],
                as_of or today(info),
                agency=agency,
                category=category,
                known_at=known_at,
                with_bars_from=bar_days_asked(info),
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
            # Strict, as a sanction's authority is: say how the policy writes it.
            near = spelled_otherwise(policies, authority)
            if near is not None:
                hint = f"write it as its policy does: {quoted(near.authority)}"
            else:
                hint = f"known: {', '.join(sorted(policies)) or 'none'}"
            said = f"authority: no suspension policy for {quoted(authority)}; {hint}"
            raise PolicyError(said)
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
                description="The `cursor` of the previous page, as given (the last page's"
                " answers an empty page until something changes; one the feed never gave is"
                " refused); omit it to start from the beginning."
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


@strawberry.type
class RegistrySubscription:
    @strawberry.subscription(
        description="Eligibility changes as the registry announces them (a sanction imposed,"
        " amended or lifted, or starting or ending today); only these vendors when given. An"
        " id the registry does not hold is refused at once, as `bidEligibilityMany` refuses"
        " it, not followed."
    )
    async def eligibility_changes(
        self,
        info: Info,
        vendor_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these vendors, by id; null: every vendor."),
        ] = None,
    ) -> AsyncGenerator[EligibilityChange, None]:
        # Checked before the stream is returned, so that a refusal is the field's error (its
        # path and location) at once, not a stream that waits for vendors nobody registered.
        wanted = {str(v) for v in vendor_ids} if vendor_ids else None
        if wanted is not None:
            async with info.context.part(KEYED_LOOKUPS).acquire() as conn:
                await queries.refuse_unknown(conn, [str(v) for v in vendor_ids or ()])
        return _eligibility_changes(info, wanted)


async def _eligibility_changes(
    info: Info, wanted: set[str] | None
) -> AsyncGenerator[EligibilityChange, None]:
    changes = info.context.broadcaster.events(
        EligibilityChanged.event_type, wanted, EligibilityChange.of
    )
    async with contextlib.aclosing(changes):  # unsubscribed when the client goes
        async for _, change in changes:
            yield change
