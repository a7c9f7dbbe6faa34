"""The alerts service's handlers: watchlists saved, alerts raised from the registry's eligibility
announcements, alerts acknowledged.

An alert is raised from `vendor.eligibility_changed`, which the registry emits once per change
of a vendor's eligibility whatever caused it (a sanction imposed, amended or lifted, one on an
affiliate that covers it, or the calendar). Each agency watching the vendor then (a saved
watchlist naming it, or a contract of it running on the change's day) gets one alert, whose id
comes from the agency and the announcement: applied again, it is found, not raised twice.
Announcements the log recorded before the service was installed alert nobody.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from services.alerts import repository
from services.alerts.changes import RUNNING_CONTRACTS, Seen, alert_id, change_of
from services.events.alerts import AlertAcknowledged, AlertRaised, WatchlistSaved
from services.events.base import EventEnvelope
from services.events.catalog import ENVELOPES, SCHEMA_VERSION
from services.events.emitted import EligibilityChanged
from services.platform.clock import Clock
from services.platform.consumer import DomainRejection
from services.platform.database import Connection
from services.platform.outbox import Outbox
from services.platform.recorded_time import recorded_time
from services.registry.record_repository import agencies_contracting

SOURCE = "vendorwatch.alerts"
OUTBOX = Outbox("alert_outbox")


def webhook_body(event: EventEnvelope) -> str:
    """What an agency's webhook receives for an alert: the vendor and the alert's payload,
    as JSON (the exact text is stored, so every attempt sends and signs the same bytes)."""
    return json.dumps(
        {"vendor_id": event.vendor_id, **event.payload.model_dump(mode="json")},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


class AlertHandlers:
    def __init__(self, clock: Clock, webhooks: Mapping[str, str], announce: bool = True) -> None:
        self._clock = clock
        # Agency → its webhook's URL (settings): alerts raised for it get a delivery.
        self._webhooks = dict(webhooks)
        self._announce = announce

    async def watchlist_saved(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        assert isinstance(payload, WatchlistSaved)
        recorded_by = event.recorded_by.model_dump_json() if event.recorded_by else None
        await conn.execute(
            """INSERT INTO alert_watchlists (agency, name, vendor_ids, saved_by, saved_at, event_id)
               VALUES ($1, $2, $3, $4::jsonb, $5, $6)
               ON CONFLICT (agency, name) DO UPDATE SET vendor_ids = EXCLUDED.vendor_ids,
                   saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at,
                   event_id = EXCLUDED.event_id""",
            payload.agency,
            payload.name,
            payload.vendor_ids,
            recorded_by,
            await recorded_time(conn, event, self._clock),
            event.event_id,
        )

    async def eligibility_changed(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        assert isinstance(payload, EligibilityChanged)
        vendor_id = event.vendor_id
        previous = await self._seen(conn, vendor_id, (payload.eligible, payload.eligible_again_on))
        raised_at = await recorded_time(conn, event, self._clock)
        if raised_at < await conn.fetchval("SELECT at FROM alert_installed"):
            return  # history, from before alerts existed
        watching = await self._watching(conn, vendor_id, payload)
        if not watching:
            return
        alerts = [
            self._alert(
                vendor_id,
                AlertRaised(
                    alert_id=alert_id(agency, event.event_id),
                    agency=agency,
                    change=change_of(previous, payload.eligible),
                    as_of=payload.as_of,
                    eligible_again_on=payload.eligible_again_on,
                    reasons=payload.reasons,
                    watchlists=names,
                    cause_event_id=event.event_id,
                    raised_at=raised_at,
                ),
            )
            for agency, names in watching.items()
        ]
        new = await repository.insert_alerts(conn, alerts)
        raised = [a for a in alerts if a.event_id in new]
        await repository.insert_deliveries(
            conn,
            [
                (a.event_id, self._webhooks[agency], webhook_body(a))
                for a in raised
                if (agency := _agency(a)) in self._webhooks
            ],
        )
        if self._announce:
            await OUTBOX.put(conn, raised)

    async def alert_acknowledged(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        assert isinstance(payload, AlertAcknowledged)
        vendor_id = await conn.fetchval(
            "SELECT vendor_id FROM alerts WHERE alert_id = $1", payload.alert_id
        )
        if vendor_id is None:
            raise DomainRejection(f"alert_id: no alert {payload.alert_id}")
        if vendor_id != event.vendor_id:
            raise DomainRejection(f"vendor_id: alert {payload.alert_id} is about {vendor_id}")
        # The first acknowledgement stands; a second one changes nothing.
        await conn.execute(
            """UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3::jsonb,
                   acknowledge_note = $4
               WHERE alert_id = $1 AND acknowledged_at IS NULL""",
            payload.alert_id,
            await recorded_time(conn, event, self._clock),
            event.recorded_by.model_dump_json() if event.recorded_by else None,
            payload.note,
        )

    async def _seen(self, conn: Connection, vendor_id: str, now: Seen) -> Seen | None:
        """What the vendor's previous announcement said; records this one's in its place."""
        row = await conn.fetchrow(
            "SELECT eligible, eligible_again_on FROM alert_eligibility WHERE vendor_id = $1",
            vendor_id,
        )
        await conn.execute(
            """INSERT INTO alert_eligibility (vendor_id, eligible, eligible_again_on)
               VALUES ($1, $2, $3) ON CONFLICT (vendor_id) DO UPDATE
               SET eligible = EXCLUDED.eligible, eligible_again_on = EXCLUDED.eligible_again_on""",
            vendor_id,
            *now,
        )
        return None if row is None else (row["eligible"], row["eligible_again_on"])

    async def _watching(
        self, conn: Connection, vendor_id: str, payload: EligibilityChanged
    ) -> dict[str, list[str]]:
        """Agency → its watchlists naming the vendor, the automatic one first."""
        watching: dict[str, list[str]] = {
            agency: [RUNNING_CONTRACTS]
            for agency in await agencies_contracting(conn, vendor_id, payload.as_of)
        }
        for agency, name in await repository.watchlists_naming(conn, vendor_id):
            watching.setdefault(agency, []).append(name)
        return watching

    def _alert(self, vendor_id: str, payload: AlertRaised) -> EventEnvelope:
        # The alert id is the event id: a relay repeated after a crash is de-duplicated by
        # ingest like any resent event.
        return ENVELOPES[AlertRaised.event_type](
            event_id=payload.alert_id,
            event_type=AlertRaised.event_type,
            schema_version=SCHEMA_VERSION,
            occurred_at=payload.raised_at,
            source=SOURCE,
            vendor_id=vendor_id,
            payload=payload,
        )


def _agency(alert: EventEnvelope) -> str:
    payload = alert.payload
    assert isinstance(payload, AlertRaised)
    return payload.agency
