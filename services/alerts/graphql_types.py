"""Watchlists and alerts in the API: `watchlists`, `alerts` (a connection), `saveWatchlist` and
`acknowledgeAlert` (events, like every mutation), and the `alerts` subscription (the
`alert.raised` events of the log, as `eligibilityChanges` serves announcements).

A system owner sees and acts for its own agencies only (platform/security/access.py); naming another
agency is refused before anything runs (gateway/execution/agency_scope.py)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from services.alerts import repository
from services.alerts.acknowledgements import already_acknowledged
from services.alerts.changes import RUNNING_CONTRACTS
from services.alerts.graphql_objects import Alert, Watchlist, watchlists_in_view
from services.events.alerts import AlertAcknowledged, AlertRaised, WatchlistSaved, watchlist_key
from services.events.catalog import Problem
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import (
    After,
    First100,
    IdempotencyKey,
    WaitForProcessing,
)
from services.platform.graphql.pagination import (
    Connection,
    cursor_position,
    page_size,
    position_cursor,
    total_count_asked,
)
from services.platform.graphql.receipts import Draft, EventReceipt, FieldProblem, record
from services.platform.graphql.scope_names import as_stored, scope_argument
from services.platform.security.access import agencies_in_view, sees_agency
from services.platform.wording import quoted
from services.registry.api.graphql_vendors import IdentifierInput
from services.registry.domain.names import IdentifierKey, normalize_identifier
from services.registry.storage.vendor_repository import existing_vendors, identifier_owners

MAX_PAGE = 100
AGENCY = strawberry.argument(description="Only this agency's; omit for every agency you see.")


def _identifier_keys(
    identifiers: list[IdentifierInput],
) -> tuple[list[IdentifierKey], list[Problem]]:
    """The identifiers' exact-match keys, and a problem for each that is not an identifier
    (`normalize_identifier` refuses only a blank scheme or value)."""
    keys, problems = [], []
    for n, given in enumerate(identifiers):
        try:
            keys.append(normalize_identifier(given.scheme, given.value))
        except ValueError as problem:
            problems.append(Problem(f"identifiers[{n}]", str(problem), "blank_identifier"))
    return keys, problems


@strawberry.type
class AlertsQuery:
    @strawberry.field(
        description="The watchlists of the agencies you see: each agency's vendors with a"
        " contract not ended today, started or still to start (`running contracts`), first,"
        " then its saved lists by name."
    )
    async def watchlists(
        self, info: Info, agency: Annotated[str | None, AGENCY] = None
    ) -> list[Watchlist]:
        return await watchlists_in_view(info, scope_argument("agency", agency))

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
                agency=scope_argument("agency", agency),
                acknowledged=acknowledged,
                limit=limit + 1,
                before=cursor_position("alerts", after),
                counted=total_count_asked(info),
            )
        page = stored[:limit]
        return Connection.of_pairs(
            [(position_cursor("alerts", s.seq), Alert.of(s)) for s in page],
            total,
            len(stored) > limit,
            after,
        )


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(
        description="Saves an agency's watchlist (a bidder list, say) under a name, replacing"
        " the list saved under that name; its vendors' eligibility changes raise alerts. Up to"
        " 5,000 vendors, counted (ids and identifiers) with every other `saveWatchlist` of the"
        " request."
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
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def build() -> Draft:
            problems = []
            # Judged as the list's event will store it (trimmed).
            if not sees_agency(info.context.principal, as_stored(agency)):
                said = f"{quoted(agency)} is not one of your agencies"
                problems.append(Problem("agency", said, "not_your_agency"))
            if name.strip() == RUNNING_CONTRACTS:
                said = f"{RUNNING_CONTRACTS!r} is the automatic list's name"
                problems.append(Problem("name", said, "reserved_name"))
            keys, unreadable = _identifier_keys(identifiers or [])
            problems += unreadable
            wanted = [str(v) for v in vendor_ids]
            async with info.context.pool.acquire() as conn:
                known = await existing_vendors(conn, wanted)
                owners = await identifier_owners(conn, keys) if keys else {}
            unknown = [v for v in wanted if v not in known]
            if unknown:
                said = f"no such vendor: {', '.join(unknown[:10])}"
                problems.append(Problem("vendorIds", said, "unknown_vendor"))
            unheld = [f"{k.scheme} {k.value}" for k in keys if k not in owners]
            if unheld:
                said = f"no vendor holds {', '.join(unheld[:10])}"
                problems.append(Problem("identifiers", said, "unknown_identifier"))
            # In the order given, each vendor once (an id and its identifier may both be
            # given); the vendors refused above are left out, not refused by the contract too.
            held = (owners[k] for k in keys if k in owners)
            watched = list(dict.fromkeys([*(v for v in wanted if v in known), *held]))
            payload = {"agency": agency, "name": name, "vendor_ids": watched}
            return Draft(watchlist_key(agency.strip(), name.strip()), payload, problems)

        return await record(
            info, WatchlistSaved.event_type, build, wait=wait_for_processing, key=idempotency_key
        )

    @strawberry.mutation(
        description="Marks an alert as seen by its agency, with a note. Once: the first"
        " acknowledgement stands, and another is refused (`alertId`, code"
        " `already_acknowledged`, saying who acknowledged it and when)."
    )
    async def acknowledge_alert(
        self,
        info: Info,
        alert_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The alert's `alertId` (webhooks carry it too)."),
        ],
        note: Annotated[
            str | None, strawberry.argument(description="What was done about it.")
        ] = None,
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def build() -> Draft:
            try:
                wanted = uuid.UUID(str(alert_id))
            except ValueError:
                said = f"{alert_id!r} is not an alert id"
                raise FieldProblem("alertId", said, "not_an_alert_id") from None
            stored = await repository.alert(info.context.pool, wanted)
            principal = info.context.principal
            if stored is None or not sees_agency(principal, stored.agency):
                # Scoped to agencies, the caller is told nothing of another agency's alert;
                # an officer or an admin sees every agency's, so "yours" would be untrue.
                among = "on record" if agencies_in_view(principal) is None else "of your agencies"
                said = f"no alert {alert_id} {among}"
                raise FieldProblem("alertId", said, "unknown_alert")
            acknowledged = None
            if stored.acknowledged_at is not None:
                said = already_acknowledged(wanted, stored.acknowledged_by, stored.acknowledged_at)
                acknowledged = Problem("alertId", said, "already_acknowledged")
            payload = {"alert_id": str(wanted), "note": note}
            return Draft(stored.vendor_id, payload, (acknowledged,))

        return await record(
            info,
            AlertAcknowledged.event_type,
            build,
            wait=wait_for_processing,
            key=idempotency_key,
        )


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
        agency = scope_argument("agency", agency)
        raised = info.context.broadcaster.events(AlertRaised.event_type, None, Alert.raised)
        async with contextlib.aclosing(raised):  # unsubscribed when the client goes
            async for _, alert in raised:
                if sees_agency(principal, alert.agency) and agency in (None, alert.agency):
                    yield alert
