"""The risk service's part of the GraphQL API: scores, their history, the riskiest vendors,
and live risk updates."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Sequence
from typing import Annotated, cast

import strawberry

from services.events.base import EventEnvelope
from services.events.emitted import RiskBand as RiskBandModel
from services.events.emitted import RiskChanged
from services.platform.graphql.context import ContextKey, Info
from services.platform.graphql.descriptions import After, described_enum, first
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import Key, Node, in_key_order, logged_events, uuid_part
from services.platform.graphql.pagination import Connection, page_size
from services.platform.graphql.scope_names import scope_argument
from services.platform.wording import unknown_ids
from services.risk import current_scores, scores_by_key
from services.risk.domain.risk_score import RiskScore as RiskScoreModel
from services.risk.evidence_scope import hidden_events
from services.risk.handlers import RiskService
from services.risk.history_page import history_page
from services.risk.scores_by_key import STORED, Registered, day_part

# The risk model in use, as loaded at startup (services/risk/setup.py).
RISK: ContextKey[RiskService] = ContextKey("risk.service")
# Which of these vendor ids the registry has registered (scores_by_key.Registered).
REGISTERED: ContextKey[Registered] = ContextKey("risk.registered")

RiskBand = described_enum(
    RiskBandModel,
    name="RiskBand",
    description="A score's band, by the risk model's lower bounds (model v1: medium from 20,"
    " high from 45, critical from 70; a score on a bound is in the higher band).",
    values={
        "LOW": "Below the medium bound.",
        "MEDIUM": "From the medium bound, below the high one.",
        "HIGH": "From the high bound, below the critical one.",
        "CRITICAL": "From the critical bound up.",
    },
)
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


@strawberry.type(description="Events behind a factor; for inherited risk, the subcontractor.")
class RiskEvidence:
    event_ids: list[strawberry.ID] = strawberry.field(
        description="The events behind this part of the factor (see `events`, `eventStatus`)."
    )
    note: str = strawberry.field(
        description="What they count for, in words a person can check them against."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        description="For inherited risk, the subcontractor whose events they are; null for the"
        " vendor's own."
    )


@strawberry.type(description="One part of a score: its points and the events that caused them.")
class RiskFactor:
    name: str = strawberry.field(
        description="The factor, as the risk model names it: incidents, inherited_incidents,"
        " active_sanctions, pending_claims, concentration, …"
    )
    contribution: float = strawberry.field(
        description="Points it adds to the score, to one decimal."
    )
    evidence: list[RiskEvidence] = strawberry.field(
        description="What caused the points. A system owner sees only the evidence on its own"
        " agencies' contracts and what hangs on them (and the evidence about the vendor alone,"
        " such as sanctions); the points are the factor's whole points all the same."
    )


@strawberry.type(description="A vendor's risk score (0–100) on a day, explained factor by factor.")
class RiskScore(Node):
    vendor_id: strawberry.ID = strawberry.field(description="The vendor scored.")
    as_of: dt.date = strawberry.field(description="The day scored (a calendar day).")
    score: float = strawberry.field(
        description="The score, 0–100, higher is riskier: the factors' points, to one decimal."
    )
    band: RiskBand = strawberry.field(  # type: ignore[valid-type]
        description="The score's band."
    )
    model_version: str = strawberry.field(
        description="The risk model that scored it: its version and a hash of its weights"
        ' ("1:ab12cd34").'
    )
    factors: list[RiskFactor] = strawberry.field(
        description="The factors behind the score, each with its points and evidence (a"
        " system owner's: only the evidence on its own agencies' records; see `evidence`)."
    )
    # An entry of the history: the event after which the score stood so (several events of
    # one day are several entries); None: the score of the day, as everything recorded says.
    event_id: strawberry.Private[str | None] = None
    # The vendor's current score as stored, as `riskiestVendors` ranks it: it may lag the
    # score of the same day computed when asked (`riskScore`; see ARCHITECTURE.md, "Scores
    # that other vendors' contracts move"), so it has an id of its own: one id never names
    # two scores, which a normalising client cache would merge into one object.
    stored: strawberry.Private[bool] = False

    node_key_names = ("vendorId", "asOf (or, in the history, eventId; ranked, asOf and stored)")

    def node_key(self) -> Key:
        if self.event_id is not None:
            return (self.vendor_id, self.event_id)
        day = self.as_of.isoformat()
        return (self.vendor_id, day, STORED) if self.stored else (self.vendor_id, day)

    @classmethod
    def node_key_valid(cls, key: Key) -> bool:
        match key:
            case (_, part):
                return day_part(part) is not None or uuid_part(part) is not None
            case (_, day, kind):
                return day_part(day) is not None and kind == STORED
        return False

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[RiskScore | None]:
        # Open to every role, as `riskScore`, `riskHistory` and `riskiestVendors` are.
        risk, registered = info.context.part(RISK), info.context.part(REGISTERED)
        async with info.context.pool.acquire() as conn:
            found = await scores_by_key.scores_named(info, conn, risk, registered, keys)
            hidden = await hidden_events(info, conn, (f.score for f in found.values()))
        shown = {
            key: cls.of(f.vendor_id, f.as_of, f.score, f.event_id, stored=f.stored, hidden=hidden)
            for key, f in found.items()
        }
        return in_key_order(shown, keys)

    @classmethod
    def of(
        cls,
        vendor_id: str,
        as_of: dt.date,
        risk: RiskScoreModel,
        event_id: str | None = None,
        *,
        stored: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> RiskScore:
        """`hidden`: events the caller may not read of (`evidence_scope`): an evidence item
        behind any of them is left out, the factor's points kept."""
        return cls(
            event_id=event_id,
            stored=stored,
            vendor_id=strawberry.ID(vendor_id),
            as_of=as_of,
            score=risk.score,
            band=risk.band,
            model_version=risk.model_version,
            factors=[
                RiskFactor(
                    name=f.name,
                    contribution=f.contribution,
                    evidence=[
                        RiskEvidence(
                            event_ids=[strawberry.ID(i) for i in e.event_ids],
                            note=e.note,
                            vendor_id=strawberry.ID(e.vendor_id) if e.vendor_id else None,
                        )
                        for e in f.evidence
                        if hidden.isdisjoint(e.event_ids)
                    ],
                )
                for f in risk.factors
            ],
        )


@strawberry.type(description="A significant move of a vendor's risk (band change or big step).")
class RiskUpdate(Node):
    event_id: strawberry.ID = strawberry.field(description="The `risk.changed` event.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose risk moved.")
    old_score: float | None = strawberry.field(
        description="The score this vendor's last announcement gave (what the move is"
        " measured from: a move under the model's step is not announced); null for its first"
        " announcement, although `riskScore` may have scored it before."
    )
    new_score: float = strawberry.field(description="The score now (0–100).")
    old_band: RiskBand | None = strawberry.field(  # type: ignore[valid-type]
        description="The band of the vendor's last announcement; null for its first."
    )
    new_band: RiskBand = strawberry.field(  # type: ignore[valid-type]
        description="The band now."
    )
    moved_factors: list[str] = strawberry.field(
        description="Names of the factors whose points changed since the vendor's last"
        " announcement (`oldScore`; appearing or vanishing too); in its first (`oldScore`"
        " null), every factor with points, none having been announced before, not only those"
        " its last event moved."
    )
    model_version: str = strawberry.field(description="The risk model that scored it.")
    as_of: dt.date | None = strawberry.field(
        description="The day `newScore` is the score of: the risk service's today when it"
        " scored it (after an event, whose `riskHistory` entry is of the event's own day; in"
        " the daily refresh, the new day), so `riskScore(asOf:)` of that day gave it then;"
        " null for announcements made before the day was said."
    )

    @classmethod
    def of(cls, event: EventEnvelope) -> RiskUpdate:
        payload = cast(RiskChanged, event.payload)
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            vendor_id=strawberry.ID(event.vendor_id),
            old_score=payload.old_score,
            new_score=payload.new_score,
            old_band=payload.old_band,
            new_band=payload.new_band,
            moved_factors=list(payload.moved_factors),
            model_version=payload.model_version,
            as_of=payload.as_of,
        )

    # The `risk.changed` event announcing it names it.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[RiskUpdate | None]:
        # Open to every role, as the `riskUpdates` subscription is.
        events = await logged_events(info, keys, {RiskChanged.event_type})
        return in_key_order({k: cls.of(e.envelope) for k, e in events.items()}, keys)


async def risk_score_of(
    info: Info, vendor_id: str, as_of: dt.date | None, *, registered: bool
) -> RiskScore:
    """The vendor's score on `as_of` (default: today). An id the registry never registered
    is refused, in `bidEligibility`'s words, rather than scored 0, LOW as a clean record
    would be; `registered`: the caller holds the vendor's row in the registry (a `Vendor`),
    so there is nothing to look up."""
    day = as_of or info.context.settings.clock.today()
    async with info.context.pool.acquire() as conn:
        if not registered and not await info.context.part(REGISTERED)(conn, [vendor_id]):
            raise InvalidArgument(f"vendorId: unknown vendor {vendor_id!r}")
        risk = await info.context.part(RISK).evaluate(conn, vendor_id, day)
        hidden = await hidden_events(info, conn, [risk])
    return RiskScore.of(vendor_id, day, risk, hidden=hidden)


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
