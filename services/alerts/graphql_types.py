"""Watchlists and alerts in the API: `watchlists`, `alerts` (a connection), `saveWatchlist` and
`acknowledgeAlert` (events, like every mutation), and the `alerts` subscription (the
`alert.raised` events of the log, as `eligibilityChanges` serves announcements).

A system owner sees and acts for its own agencies only (platform/access.py); naming another
agency is refused before anything runs (gateway/agency_scope.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any, cast

import strawberry

from services.alerts import repository
from services.alerts.changes import RUNNING_CONTRACTS
from services.alerts.repository import Delivery, StoredAlert
from services.events.alerts import AlertAcknowledged, AlertRaised, WatchlistSaved, watchlist_key
from services.events.alerts import AlertChange as AlertChangeModel
from services.events.base import EventEnvelope
from services.events.emitted import EligibilityReasonRef
from services.platform.access import agencies_in_view, sees_agency
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, First100, described_enum
from services.platform.graphql.pagination import Connection, numeric_cursor, page_size
from services.platform.graphql.receipts import EventReceipt, FieldProblem, record
from services.registry.graphql_types import EligibilityReason, IdentifierInput
from services.registry.names import IdentifierKey, normalize_identifier
from services.registry.record_repository import running_contract_vendors
from services.registry.vendor_repository import existing_vendors, identifier_owners

MAX_PAGE = 100
AGENCY = strawberry.argument(description="Only this agency's; omit for every agency you see.")

AlertChange = described_enum(
    AlertChangeModel,
    name="AlertChange",
    description="What happened to a watched vendor's eligibility.",
    values={
        "BARRED": "It may no longer bid (a sanction on it, or on an affiliate it covers).",
        "PERIOD_CHANGED": "It stays barred, until another day (a sanction amended or added).",
        "LIFTED": "It may bid again.",
    },
)


@strawberry.type(
    description="Vendors an agency watches: a saved list, or the vendors of its running"
    " contracts (kept up to date by the registry's contracts, never saved)."
)
class Watchlist:
    agency: str = strawberry.field(description="The agency watching.")
    name: str = strawberry.field(
        description=f"The list's name; `{RUNNING_CONTRACTS}` for the automatic one."
    )
    automatic: bool = strawberry.field(
        description="True for the running contracts' vendors, false for a saved list."
    )
    vendor_ids: list[strawberry.ID] = strawberry.field(description="The vendors watched.")
    saved_at: dt.datetime | None = strawberry.field(
        description="When the log recorded its last save; null for the automatic one."
    )


@strawberry.type(description="How an alert's webhook delivery is going (the delivery log).")
class WebhookDelivery:
    url: str = strawberry.field(description="Where it is sent.")
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
        description="When it is tried next; null once delivered."
    )
    delivered_at: dt.datetime | None = strawberry.field(
        description="When the receiver accepted it (2xx); null until then."
    )

    @classmethod
    def of(cls, delivery: Delivery) -> WebhookDelivery:
        return cls(
            url=delivery.url,
            attempts=delivery.attempts,
            last_status=delivery.last_status,
            last_error=delivery.last_error,
            last_try_at=delivery.last_try_at,
            next_try_at=delivery.next_try_at,
            delivered_at=delivery.delivered_at,
        )


@strawberry.type(
    description="A watched vendor's eligibility changed: one alert per agency watching it and"
    " change, whatever retries or replays happen."
)
class Alert:
    id: strawberry.ID = strawberry.field(
        description="The alert's id (a UUID); webhooks carry it, to drop a repeated delivery."
    )
    agency: str = strawberry.field(description="The agency alerted.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose eligibility changed.")
    change: AlertChange = strawberry.field(description="What changed.")  # type: ignore[valid-type]
    as_of: dt.date = strawberry.field(description="First day the new eligibility holds.")
    eligible_again_on: dt.date | None = strawberry.field(
        description="First day eligible again; null when lifted, or when no end is known."
    )
    reasons: list[EligibilityReason] = strawberry.field(
        description="Every sanction barring the vendor (empty when lifted)."
    )
    watchlists: list[str] = strawberry.field(
        description=f"The agency's watchlists naming the vendor (`{RUNNING_CONTRACTS}` first)."
    )
    cause_event_id: strawberry.ID = strawberry.field(
        description="The `vendor.eligibility_changed` event it comes from."
    )
    raised_at: dt.datetime = strawberry.field(description="When the log recorded that change.")
    acknowledged_at: dt.datetime | None = strawberry.field(
        description="When it was acknowledged; null until then."
    )
    acknowledged_by: str | None = strawberry.field(
        description="Who acknowledged it (the token's subject); null until then."
    )
    note: str | None = strawberry.field(description="What the acknowledgement said.")
    stored_delivery: strawberry.Private[Delivery | None]
    delivery_known: strawberry.Private[bool]

    @strawberry.field(
        description="Its webhook delivery: attempts, last status, next try; null when the"
        " agency has no webhook."
    )
    async def delivery(self, info: Info) -> WebhookDelivery | None:
        found = self.stored_delivery
        if not self.delivery_known:  # an alert pushed live: read as it is now
            stored = await repository.alert(info.context.pool, uuid.UUID(self.id))
            found = stored.delivery if stored else None
        return WebhookDelivery.of(found) if found else None

    @classmethod
    def of(cls, stored: StoredAlert) -> Alert:
        return cls(
            id=strawberry.ID(str(stored.alert_id)),
            agency=stored.agency,
            vendor_id=strawberry.ID(stored.vendor_id),
            change=AlertChangeModel(stored.change),
            as_of=stored.as_of,
            eligible_again_on=stored.eligible_again_on,
            reasons=[
                EligibilityReason.of_ref(EligibilityReasonRef.model_validate(r, strict=False))
                for r in stored.reasons
            ],
            watchlists=stored.watchlists,
            cause_event_id=strawberry.ID(str(stored.cause_event_id)),
            raised_at=stored.raised_at,
            acknowledged_at=stored.acknowledged_at,
            acknowledged_by=stored.acknowledged_by,
            note=stored.acknowledge_note,
            stored_delivery=stored.delivery,
            delivery_known=True,
        )

    @classmethod
    def raised(cls, event: EventEnvelope) -> Alert:
        """An alert as its `alert.raised` event says it (just raised: not acknowledged)."""
        p = cast(AlertRaised, event.payload)
        return cls(
            id=strawberry.ID(str(p.alert_id)),
            agency=p.agency,
            vendor_id=strawberry.ID(event.vendor_id),
            change=p.change,
            as_of=p.as_of,
            eligible_again_on=p.eligible_again_on,
            reasons=[EligibilityReason.of_ref(r) for r in p.reasons],
            watchlists=list(p.watchlists),
            cause_event_id=strawberry.ID(str(p.cause_event_id)),
            raised_at=p.raised_at,
            acknowledged_at=None,
            acknowledged_by=None,
            note=None,
            stored_delivery=None,
            delivery_known=False,
        )


def _identifier_keys(identifiers: list[IdentifierInput]) -> list[IdentifierKey]:
    """The identifiers' exact-match keys, or the first one that is not an identifier."""
    keys = []
    for n, given in enumerate(identifiers):
        try:
            keys.append(normalize_identifier(given.scheme, given.value))
        except ValueError as problem:
            raise FieldProblem(f"identifiers[{n}]", str(problem)) from None
    return keys


@strawberry.type
class AlertsQuery:
    @strawberry.field(
        description="The watchlists of the agencies you see: each agency's running contracts'"
        " vendors (as of today) first, then its saved lists by name."
    )
    async def watchlists(
        self, info: Info, agency: Annotated[str | None, AGENCY] = None
    ) -> list[Watchlist]:
        in_view = agencies_in_view(info.context.principal)
        today = info.context.settings.clock.today()
        async with info.context.pool.acquire() as conn:
            running = await running_contract_vendors(conn, today, in_view, agency)
            saved = await repository.watchlists(conn, in_view, agency)
        lists = [
            Watchlist(
                agency=a,
                name=RUNNING_CONTRACTS,
                automatic=True,
                vendor_ids=[strawberry.ID(v) for v in vendors],
                saved_at=None,
            )
            for a, vendors in running.items()
        ] + [
            Watchlist(
                agency=w.agency,
                name=w.name,
                automatic=False,
                vendor_ids=[strawberry.ID(v) for v in w.vendor_ids],
                saved_at=w.saved_at,
            )
            for w in saved
        ]
        return sorted(lists, key=lambda w: (w.agency, not w.automatic, w.name))

    @strawberry.field(description="Alerts of the agencies you see, newest first.")
    async def alerts(
        self,
        info: Info,
        first: Annotated[int, First100] = 20,
        after: After = None,
        acknowledged: Annotated[
            bool | None,
            strawberry.argument(
                description="Only acknowledged ones (true) or only the others (false); omit"
                " for both."
            ),
        ] = None,
        agency: Annotated[str | None, AGENCY] = None,
    ) -> Connection[Alert]:
        limit = page_size(first, MAX_PAGE)
        async with info.context.pool.acquire() as conn:
            stored, total = await repository.alerts(
                conn,
                agencies_in_view(info.context.principal),
                agency=agency,
                acknowledged=acknowledged,
                limit=limit + 1,
                before=numeric_cursor(after),
            )
        page = stored[:limit]
        return Connection.of_pairs(
            [(str(s.seq), Alert.of(s)) for s in page], total, len(stored) > limit, after
        )


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(
        description="Saves an agency's watchlist (a bidder list, say) under a name, replacing"
        " the list saved under that name; its vendors' eligibility changes raise alerts."
    )
    async def save_watchlist(
        self,
        info: Info,
        agency: Annotated[str, strawberry.argument(description="The agency whose list it is.")],
        name: Annotated[str, strawberry.argument(description="The list's name in the agency.")],
        vendor_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="The vendors to watch, by id; empty empties it."),
        ],
        identifiers: Annotated[
            list[IdentifierInput] | None,
            strawberry.argument(
                description="More vendors to watch, by an identifier each (a bidder list's"
                " corporate numbers, say); each must be a registered vendor's."
            ),
        ] = None,
    ) -> EventReceipt:
        async def build() -> tuple[str, dict[str, Any]]:
            if not sees_agency(info.context.principal, agency):
                raise FieldProblem("agency", f"{agency!r} is not one of your agencies")
            if name.strip() == RUNNING_CONTRACTS:
                raise FieldProblem("name", f"{RUNNING_CONTRACTS!r} is the automatic list's name")
            keys = _identifier_keys(identifiers or [])
            wanted = [str(v) for v in vendor_ids]
            async with info.context.pool.acquire() as conn:
                known = await existing_vendors(conn, wanted)
                owners = await identifier_owners(conn, keys) if keys else {}
            unknown = [v for v in wanted if v not in known]
            if unknown:
                raise FieldProblem("vendorIds", f"no such vendor: {', '.join(unknown[:10])}")
            unheld = [f"{k.scheme} {k.value}" for k in keys if k not in owners]
            if unheld:
                raise FieldProblem("identifiers", f"no vendor holds {', '.join(unheld[:10])}")
            # In the order given, each vendor once (an id and its identifier may both be given).
            watched = list(dict.fromkeys([*wanted, *(owners[k] for k in keys)]))
            payload = {"agency": agency, "name": name, "vendor_ids": watched}
            return watchlist_key(agency.strip(), name.strip()), payload

        return await record(info, WatchlistSaved.event_type, build)

    @strawberry.mutation(description="Marks an alert as seen by its agency, with a note.")
    async def acknowledge_alert(
        self,
        info: Info,
        alert_id: Annotated[strawberry.ID, strawberry.argument(description="The alert's id.")],
        note: Annotated[
            str | None, strawberry.argument(description="What was done about it.")
        ] = None,
    ) -> EventReceipt:
        async def build() -> tuple[str, dict[str, Any]]:
            try:
                wanted = uuid.UUID(str(alert_id))
            except ValueError:
                raise FieldProblem("alertId", f"{alert_id!r} is not an alert id") from None
            stored = await repository.alert(info.context.pool, wanted)
            if stored is None or not sees_agency(info.context.principal, stored.agency):
                raise FieldProblem("alertId", f"no alert {alert_id} among your agencies'")
            return stored.vendor_id, {"alert_id": str(wanted), "note": note}

        return await record(info, AlertAcknowledged.event_type, build)


@strawberry.type
class AlertsSubscription:
    @strawberry.subscription(
        name="alerts",
        description="Alerts of the agencies you see as they are raised; only this agency's"
        " when given.",
    )
    async def alerts_raised(
        self, info: Info, agency: Annotated[str | None, AGENCY] = None
    ) -> AsyncGenerator[Alert, None]:
        principal = info.context.principal
        raised = info.context.broadcaster.events(AlertRaised.event_type, None, Alert.raised)
        async with contextlib.aclosing(raised):  # unsubscribed when the client goes
            async for _, alert in raised:
                if sees_agency(principal, alert.agency) and agency in (None, alert.agency):
                    yield alert
