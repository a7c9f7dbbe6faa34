"""The GraphQL objects of watchlists and alerts (their queries, mutations and subscription are
in graphql_types.py). An alert is a `Node`: its `id` is a global id, its own UUID (which
webhooks carry and `acknowledgeAlert` takes) is `alertId`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import cast

import strawberry

from services.alerts import repository
from services.alerts.changes import RUNNING_CONTRACTS
from services.alerts.repository import Delivery, DeliveryState, StoredAlert
from services.events.alerts import AlertChange as AlertChangeModel
from services.events.alerts import AlertRaised, BarredAward, PossibleMatch, watchlist_id
from services.events.base import EventEnvelope
from services.events.emitted import EligibilityReasonRef
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.nodes import Key, Node, in_key_order, uuid_part
from services.platform.security.access import ELIGIBILITY_CHECKERS, agencies_in_view, sees_agency
from services.platform.urls import redacted_url
from services.registry.api.graphql_eligibility import EligibilityReason
from services.registry.storage.record_repository import contracting_vendors

AlertChange = described_enum(
    AlertChangeModel,
    name="AlertChange",
    description="What happened to a watched vendor's eligibility, or to an award.",
    values={
        "BARRED": "It may no longer bid (a sanction on it, or on an affiliate it covers).",
        "PERIOD_CHANGED": "It stays barred, by other terms: another period, or a sanction added"
        " or amended (its `reasons` say which).",
        "LIFTED": "It may bid again.",
        "POSSIBLE_MATCH": "A newly imported list entry may be it (see `possibleMatch`).",
        "ALREADY_BARRED": "It was barred here already when the agency started watching it (a"
        " saved list naming it, a contract of it not ended when the award was recorded, started"
        " or still to start): told"
        " at once, with its `reasons` and `eligibleAgainOn`.",
        "AWARDED_WHILE_BARRED": "The agency awarded it a contract (see `award`) on a day it was"
        " barred from it, by what the registry knew when the award was recorded: the award"
        " stands, its `reasons` are the sanctions that barred it from the contract's category"
        " there that day.",
    },
)


@strawberry.type(
    description="A newly imported list entry that may be the watched vendor: an import's"
    " review candidate; nothing was merged."
)
class ImportedMatch:
    vendor_id: strawberry.ID = strawberry.field(description="The vendor the entry became.")
    name: str = strawberry.field(description="The entry's name as the list gives it.")
    source: str = strawberry.field(description="The list imported, e.g. worldbank.")
    line: int = strawberry.field(description="The entry's line in the imported file.")
    matched_name: str = strawberry.field(description="The watched vendor's name it resembles.")
    score: float = strawberry.field(description="How alike the names are, 0–100.")
    why: str = strawberry.field(description="Why the import did not join them.")

    @classmethod
    def of(cls, match: PossibleMatch) -> ImportedMatch:
        return cls(
            vendor_id=strawberry.ID(match.vendor_id),
            name=match.name,
            source=match.source,
            line=match.line,
            matched_name=match.matched_name,
            score=match.score,
            why=match.why,
        )


@strawberry.type(
    description="The contract an agency awarded to a vendor barred from it on the award day."
)
class AwardedContract:
    contract_id: strawberry.ID = strawberry.field(description="The contract's id.")
    title: str = strawberry.field(description="What the contract is for.")
    category: str = strawberry.field(description="Its procurement category.")

    @classmethod
    def of(cls, award: BarredAward) -> AwardedContract:
        return cls(
            contract_id=strawberry.ID(award.contract_id),
            title=award.title,
            category=award.category,
        )


@strawberry.type(
    description="Vendors an agency watches: a saved list, or the vendors of its contracts"
    " awarded and not ended, started or still to start (`running contracts`, kept up to date"
    " by the registry's contracts, never saved)."
)
class Watchlist(Node):
    watchlist_id: strawberry.ID = strawberry.field(
        description="The list's own id (a UUID of its agency and name): the same for every"
        " save of it."
    )
    agency: str = strawberry.field(description="The agency watching.")
    name: str = strawberry.field(
        description=f"The list's name; `{RUNNING_CONTRACTS}` for the automatic one."
    )
    automatic: bool = strawberry.field(
        description="True for the vendors of the agency's contracts not ended (started or"
        " still to start), false for a saved list."
    )
    vendor_ids: list[strawberry.ID] = strawberry.field(description="The vendors watched.")
    saved_at: dt.datetime | None = strawberry.field(
        description="When the log recorded its last save; null for the automatic one."
    )

    node_key_names = ("watchlistId",)
    # As `watchlists`, which serves it; and, as there, a system owner sees its agencies' only.
    node_readers = ELIGIBILITY_CHECKERS

    def node_key(self) -> Key:
        return (str(self.watchlist_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Watchlist | None]:
        wanted = [known for (k,) in keys if (known := uuid_part(k)) is not None]
        lists = await watchlists_in_view(info, None, wanted)
        return in_key_order({w.node_key(): w for w in lists}, keys)

    @classmethod
    def of(
        cls, agency: str, name: str, vendor_ids: Sequence[str], saved_at: dt.datetime | None
    ) -> Watchlist:
        return cls(
            watchlist_id=strawberry.ID(str(watchlist_id(agency, name))),
            agency=agency,
            name=name,
            automatic=saved_at is None,
            vendor_ids=[strawberry.ID(v) for v in vendor_ids],
            saved_at=saved_at,
        )


async def watchlists_in_view(
    info: Info, agency: str | None, ids: Sequence[uuid.UUID] | None = None
) -> list[Watchlist]:
    """The watchlists of the agencies the caller sees (of `agency` only, of these ids only,
    when given): each agency's vendors with a contract not ended today (started or still to
    start) first, then its saved lists by name. An automatic list has no row to look up by
    id; it is told by its id among the agencies' automatic lists, which is what `watchlists`
    reads anyway."""
    in_view = agencies_in_view(info.context.principal)
    today = info.context.settings.clock.today()
    async with info.context.pool.acquire() as conn:
        running = await contracting_vendors(conn, today, in_view, agency)
        saved = await repository.watchlists(conn, in_view, agency, ids)
    lists = [Watchlist.of(a, RUNNING_CONTRACTS, vendors, None) for a, vendors in running.items()]
    if ids is not None:
        lists = [w for w in lists if uuid.UUID(w.watchlist_id) in ids]
    lists += [Watchlist.of(w.agency, w.name, w.vendor_ids, w.saved_at) for w in saved]
    return sorted(lists, key=lambda w: (w.agency, not w.automatic, w.name))


WebhookDeliveryState = described_enum(
    DeliveryState,
    name="WebhookDeliveryState",
    description="Where an alert's webhook delivery stands.",
    values={
        "PENDING": "Not delivered yet: tried at `nextTryAt` (again, after a failed attempt).",
        "WAITING_FOR_WEBHOOK": "Not delivered, and not tried: its agency's webhook was taken"
        " out of the deployment's settings (since `waitingSince`). It is tried once the agency"
        " has a webhook again, at that URL; `nextTryAt` is null meanwhile.",
        "DELIVERED": "The receiver accepted it (2xx) at `deliveredAt`.",
    },
)


@strawberry.type(description="How an alert's webhook delivery is going (the delivery log).")
class WebhookDelivery:
    url: str = strawberry.field(
        description="Where it was last sent (before any attempt: its agency's webhook when it"
        " was raised), without its credentials: no user or password, no query string (the"
        " deliveries use the URL whole). Each attempt goes to the agency's webhook as"
        " configured then."
    )
    state: WebhookDeliveryState = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_status: int | None = strawberry.field(
        description="The receiver's HTTP status at the last attempt; null: none yet, or no"
        " answer (see `lastError`)."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed; null when it succeeded or none was made."
    )
    last_try_at: dt.datetime | None = strawberry.field(description="When it was last tried.")
    next_try_at: dt.datetime | None = strawberry.field(
        description="When it is tried next; null once delivered, and while it waits for its"
        " agency's webhook (`state` WAITING_FOR_WEBHOOK)."
    )
    delivered_at: dt.datetime | None = strawberry.field(
        description="When the receiver accepted it (2xx); null until then."
    )
    waiting_since: dt.datetime | None = strawberry.field(
        description="Since when it waits for its agency's webhook to be configured again (the"
        " delivery loop found none for the agency then); null when it does not wait."
    )

    @classmethod
    def of(cls, delivery: Delivery) -> WebhookDelivery:
        return cls(
            url=redacted_url(delivery.url),
            state=delivery.state,
            attempts=delivery.attempts,
            last_status=delivery.last_status,
            last_error=delivery.last_error,
            last_try_at=delivery.last_try_at,
            next_try_at=delivery.next_try_at,
            delivered_at=delivery.delivered_at,
            waiting_since=delivery.waiting_since,
        )


@strawberry.type(
    description="A watched vendor's eligibility changed, or the agency started watching it"
    " while it was barred: one alert per agency watching it and change, whatever retries or"
    " replays happen. Or the agency awarded a contract to a vendor barred from it that day:"
    " one alert per award."
)
class Alert(Node):
    alert_id: strawberry.ID = strawberry.field(
        description="The alert's own id (a UUID): webhooks carry it, to drop a repeated"
        " delivery, and `acknowledgeAlert` takes it."
    )
    agency: str = strawberry.field(description="The agency alerted.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose eligibility changed.")
    change: AlertChange = strawberry.field(description="What changed.")  # type: ignore[valid-type]
    as_of: dt.date = strawberry.field(
        description="The day the change was judged on: the day it was recorded, or the"
        " calendar's (a sanction recorded late bars from its reason's `startsOn`); for"
        " `ALREADY_BARRED`, the day the watch started; for `AWARDED_WHILE_BARRED`, the award's"
        " day (`raisedAt` later when a sanction recorded afterwards reaches back to it)."
    )
    eligible_again_on: dt.date | None = strawberry.field(
        description="First day it may bid at this agency again; null when lifted, or when no"
        " end is known."
    )
    reasons: list[EligibilityReason] = strawberry.field(
        description="Every sanction barring the vendor at this agency (empty when lifted there)."
    )
    extended_by: list[EligibilityReason] = strawberry.field(
        description="Sanctions recorded to bar the vendor at this agency later that keep it"
        " barred past the end of `reasons` without a free day between, each from the first"
        " day it bars, in order: with `reasons`, what makes `eligibleAgainOn` (as"
        " `bidEligibility`'s `extendedBy`). Empty when the reasons alone make it, and in"
        " alerts raised before it was kept."
    )
    upcoming: list[EligibilityReason] = strawberry.field(
        description="For `LIFTED`: the sanctions already recorded to bar the vendor at this"
        " agency again later, each from the first day it bars (free to bid now, not for"
        " good; as `bidEligibility`'s `upcoming`). Empty otherwise, and in alerts raised"
        " before it was kept."
    )
    watchlists: list[str] = strawberry.field(
        description=f"The agency's watchlists naming the vendor (`{RUNNING_CONTRACTS}` first);"
        " empty only for an `AWARDED_WHILE_BARRED` to an agency not watching it."
    )
    cause_event_id: strawberry.ID = strawberry.field(
        description="The `vendor.eligibility_changed` event it comes from; for a"
        " `POSSIBLE_MATCH`, the import report whose candidate it is (its `reportId`); for"
        " `ALREADY_BARRED`, the `watchlist.saved` or `contract.awarded` that started the watch;"
        " for `AWARDED_WHILE_BARRED`, the `contract.awarded`."
    )
    raised_at: dt.datetime = strawberry.field(description="When the log recorded that change.")
    acknowledged_at: dt.datetime | None = strawberry.field(
        description="When it was acknowledged; null until then."
    )
    acknowledged_by: str | None = strawberry.field(
        description="Who acknowledged it (the token's subject); null until then, and when a"
        " producer acknowledged it (recorded without a token: `acknowledgedAt` says it was)."
    )
    note: str | None = strawberry.field(description="What the acknowledgement said.")
    possible_match: ImportedMatch | None = strawberry.field(
        description="For POSSIBLE_MATCH, the imported entry; null otherwise."
    )
    award: AwardedContract | None = strawberry.field(
        description="For AWARDED_WHILE_BARRED, the contract awarded; null otherwise."
    )
    stored_delivery: strawberry.Private[Delivery | None]
    delivery_known: strawberry.Private[bool]

    @strawberry.field(
        description="Its webhook delivery: where it stands, attempts, last status, next try;"
        " null when the agency had no webhook when it was raised."
    )
    async def delivery(self, info: Info) -> WebhookDelivery | None:
        found = self.stored_delivery
        if not self.delivery_known:  # an alert pushed live: read as it is now
            stored = await repository.alert(info.context.pool, uuid.UUID(self.alert_id))
            found = stored.delivery if stored else None
        return WebhookDelivery.of(found) if found else None

    node_key_names = ("alertId",)
    # As `alerts`, which serves it; and, as there, a system owner sees its agencies' only.
    node_readers = ELIGIBILITY_CHECKERS

    def node_key(self) -> Key:
        return (str(self.alert_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Alert | None]:
        principal = info.context.principal
        async with info.context.pool.acquire() as conn:
            found = await repository.alerts_named(conn, [uuid.UUID(k) for (k,) in keys])
        seen = {(str(i),): cls.of(a) for i, a in found.items() if sees_agency(principal, a.agency)}
        return in_key_order(seen, keys)

    @classmethod
    def of(cls, stored: StoredAlert) -> Alert:
        return cls(
            alert_id=strawberry.ID(str(stored.alert_id)),
            agency=stored.agency,
            vendor_id=strawberry.ID(stored.vendor_id),
            change=AlertChangeModel(stored.change),
            as_of=stored.as_of,
            eligible_again_on=stored.eligible_again_on,
            reasons=[
                EligibilityReason.of_ref(EligibilityReasonRef.model_validate(r, strict=False))
                for r in stored.reasons
            ],
            extended_by=[
                EligibilityReason.of_ref(EligibilityReasonRef.model_validate(r, strict=False))
                for r in stored.extended_by
            ],
            upcoming=[
                EligibilityReason.of_ref(EligibilityReasonRef.model_validate(r, strict=False))
                for r in stored.upcoming
            ],
            watchlists=stored.watchlists,
            cause_event_id=strawberry.ID(str(stored.cause_event_id)),
            raised_at=stored.raised_at,
            acknowledged_at=stored.acknowledged_at,
            acknowledged_by=stored.acknowledged_by,
            note=stored.acknowledge_note,
            possible_match=(
                ImportedMatch.of(PossibleMatch.model_validate(stored.possible_match, strict=False))
                if stored.possible_match
                else None
            ),
            award=(
                AwardedContract.of(BarredAward.model_validate(stored.award, strict=False))
                if stored.award
                else None
            ),
            stored_delivery=stored.delivery,
            delivery_known=True,
        )

    @classmethod
    def raised(cls, event: EventEnvelope) -> Alert:
        """An alert as its `alert.raised` event says it (just raised: not acknowledged)."""
        p = cast(AlertRaised, event.payload)
        return cls(
            alert_id=strawberry.ID(str(p.alert_id)),
            agency=p.agency,
            vendor_id=strawberry.ID(event.vendor_id),
            change=p.change,
            as_of=p.as_of,
            eligible_again_on=p.eligible_again_on,
            reasons=[EligibilityReason.of_ref(r) for r in p.reasons],
            extended_by=[EligibilityReason.of_ref(r) for r in p.extended_by],
            upcoming=[EligibilityReason.of_ref(r) for r in p.upcoming],
            watchlists=list(p.watchlists),
            cause_event_id=strawberry.ID(str(p.cause_event_id)),
            raised_at=p.raised_at,
            acknowledged_at=None,
            acknowledged_by=None,
            note=None,
            possible_match=ImportedMatch.of(p.possible_match) if p.possible_match else None,
            award=AwardedContract.of(p.award) if p.award else None,
            stored_delivery=None,
            delivery_known=False,
        )
