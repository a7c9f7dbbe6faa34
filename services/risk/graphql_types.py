"""The risk service's part of the GraphQL API: scores, their history, the riskiest vendors,
and live risk updates (the objects they answer with: graphql_objects.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated, cast

import strawberry

from services.events.emitted import RiskBand as RiskBandModel
from services.events.emitted import RiskChanged
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, first
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.pagination import Connection, page_size
from services.platform.graphql.scope_names import scope_argument
from services.platform.wording import unknown_ids
from services.risk import current_scores
from services.risk.evidence_scope import hidden_events
from services.risk.graphql_objects import (
    REGISTERED,
    RISK,
    RiskBand,
    RiskScore,
    RiskUpdate,
    risk_score_of,
)
from services.risk.history_page import history_page

_BAND_ORDER = list(RiskBandModel)
MAX_PAGE = 500
First500 = first(MAX_PAGE)
_FIRST = strawberry.argument(
    description=f"How many to return from the start, or after `after`: 1–{MAX_PAGE}; 50 when"
    " neither `first` nor `last` is given."
)
_LAST = strawberry.argument(
    description=f"How many to return from the end, or before `before`: 1–{MAX_PAGE} (50 when"
    " only `before` is given); not with `first` or `after`."
)
_BEFORE = strawberry.argument(
    description="The cursor before which a page read backward ends: the later page's"
    " `pageInfo.startCursor`; omit it for the latest entries."
)
VENDOR = strawberry.argument(description="The vendor, by its id.")
AS_OF = strawberry.argument(
    description="The day scored (a calendar day); default: today in the registry's time zone."
)


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="A vendor's risk on `asOf` (default: today), from everything recorded about"
        " it; past days answer as the score stood then. An id the registry never registered"
        " is refused (`vendorId: unknown vendor …`), not scored."
    )
    async def risk_score(
        self,
        info: Info,
        vendor_id: Annotated[strawberry.ID, VENDOR],
        as_of: Annotated[dt.date | None, AS_OF] = None,
    ) -> RiskScore:
        return await risk_score_of(info, str(vendor_id), as_of, registered=False)

    @strawberry.field(
        description="The vendor's score after each event that bears on its risk (a contract,"
        " subcontract, incident, sanction, claim or certificate of its own, or an incident it"
        " caused), in log order: empty for a vendor with none, as for an id nobody registered"
        " (`vendor` tells which). Paged forward (`first`, `after`) or backward from the end"
        " (`last`, `before`: the latest entries, in log order too). A cursor names its entry,"
        " not a place in a numbering: one taken before `vendorwatch rebuild` goes on from the"
        " same entry (refused when the rebuild left that entry out). A system owner reads no"
        " entry of an event of another agency's records: its effect shows in the next entry it"
        " reads."
    )
    async def risk_history(
        self,
        info: Info,
        vendor_id: Annotated[strawberry.ID, VENDOR],
        first: Annotated[int | None, _FIRST] = None,
        after: After = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
    ) -> Connection[RiskScore]:
        backward = last is not None or before is not None
        if backward and (first is not None or after is not None):
            raise InvalidArgument(
                "first/after and last/before: a page is read forward or backward, not both;"
                " give one pair"
            )
        asked = last if backward else first
        limit = page_size(50 if asked is None else asked, MAX_PAGE, "last" if backward else "first")
        cursor = before if backward else after
        vendor = str(vendor_id)
        # One snapshot: a rebuild committing between two of these reads would number the
        # entries again under them.
        async with (
            info.context.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            model = info.context.part(RISK).model
            page = await history_page(info, conn, model, vendor, cursor, limit, backward=backward)
            hidden = await hidden_events(info, conn, (risk for _, _, risk in page.entries))
        events = page.events
        pairs = [
            (events[seq], RiskScore.of(vendor, as_of, risk, events[seq], hidden=hidden))
            for seq, as_of, risk in page.entries
        ]
        if backward:
            return Connection.of_last_pairs(pairs, page.total, page.has_more, before)
        return Connection.of_pairs(pairs, page.total, page.has_more, after)

    @strawberry.field(
        description="Vendors by current score, highest first; only those with contracts of"
        " `agency` and only those in `band` when given. Each is the vendor's score as stored,"
        " which may lag `riskScore`'s of the same day for up to 30 s after another vendor's"
        " critical contract moved its concentration; so it has an `id` of its own, never"
        " `riskScore`'s (one id, one score, in a client's cache too)."
    )
    async def riskiest_vendors(
        self,
        info: Info,
        first: Annotated[int, First500] = 20,
        agency: Annotated[
            str | None,
            strawberry.argument(
                description="Only vendors with contracts of this agency; null: every vendor."
            ),
        ] = None,
        band: Annotated[
            RiskBand | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only vendors whose current score is in this band; null: every band."
            ),
        ] = None,
    ) -> list[RiskScore]:
        async with info.context.pool.acquire() as conn:
            ranked = await current_scores.riskiest(
                conn,
                info.context.part(RISK),
                page_size(first, MAX_PAGE),
                scope_argument("agency", agency),
                band,
            )
            hidden = await hidden_events(info, conn, (risk for _, _, risk in ranked))
        return [
            RiskScore.of(v, as_of, risk, stored=True, hidden=hidden) for v, as_of, risk in ranked
        ]


@strawberry.type
class RiskSubscription:
    @strawberry.subscription(
        description="Each risk.changed as it happens: only these vendors when given, and only moves"
        " that reach or leave `minBand` or above when given. An id the registry never"
        " registered is refused at once (`vendorIds: unknown vendor …`), as `riskScore` refuses"
        " it, not followed."
    )
    async def risk_updates(
        self,
        info: Info,
        vendor_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these vendors, by id; null: every vendor."),
        ] = None,
        min_band: Annotated[
            RiskBand | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only moves whose old or new band is this band or above; null: all."
            ),
        ] = None,
    ) -> AsyncGenerator[RiskUpdate, None]:
        # Checked before the stream is returned, so that a refusal is the field's error (its
        # path and location) at once, not a stream that waits for vendors nobody registered.
        asked = list(dict.fromkeys(str(v) for v in vendor_ids or ()))
        if asked:
            async with info.context.pool.acquire() as conn:
                known = await info.context.part(REGISTERED)(conn, asked)
            if unknown := [v for v in asked if v not in known]:
                raise InvalidArgument(unknown_ids("vendorIds", "vendor", unknown))
        floor = _BAND_ORDER.index(min_band) if min_band is not None else 0
        return _risk_updates(info, set(asked) or None, floor)


async def _risk_updates(
    info: Info, wanted: set[str] | None, floor: int
) -> AsyncGenerator[RiskUpdate, None]:
    updates = info.context.broadcaster.events(RiskChanged.event_type, wanted, RiskUpdate.of)
    async with contextlib.aclosing(updates):  # unsubscribed when the client goes
        async for event, update in updates:
            payload = cast(RiskChanged, event.payload)
            bands = [payload.new_band, *([payload.old_band] if payload.old_band else [])]
            if max(_BAND_ORDER.index(b) for b in bands) >= floor:
                yield update
