"""The alerts service's handlers: watchlists saved, alerts raised from the registry's eligibility
announcements and from imports' review candidates, alerts acknowledged.

An alert is raised from `vendor.eligibility_changed`, which the registry emits once per change
of a vendor's eligibility whatever caused it (a sanction imposed, amended or lifted, one on an
affiliate that covers it, or the calendar). Each agency watching the vendor then (a saved
watchlist naming it, or a contract of it not ended on the change's day, started or still to
start, that the log recorded before the announcement) gets one alert, whose id
comes from the agency and the announcement: applied again, it is found, not raised twice. An
import's review candidate that may be a watched vendor raises a possible-match alert the same
way, whether its report (`import.reported`) or one of the report's listings
(`import.candidates_listed`) carries it: its id from the agency, the report, the line and the
candidate. An agency that starts watching a vendor already barred there (a list saved naming
it, a contract of it awarded and not ended) is told at once (`watch_starts.py`). An announcement
of a bar that reaches back to days gone by tells each agency of the awards it made the vendor
on those days (`late_bars.py`). What the log recorded before the service was installed alerts
nobody.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import cast

from services.alerts import installed, late_bars, registry_answers, repository, watch_starts
from services.alerts.acknowledgements import already_acknowledged
from services.alerts.changes import Seen, alert_id, change_at
from services.alerts.watchers import watching
from services.events.alerts import (
    AlertAcknowledged,
    AlertChange,
    AlertRaised,
    PossibleMatch,
    WatchlistSaved,
    watchlist_id,
)
from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_BY, ENVELOPES, SCHEMA_VERSION
from services.events.contract import ContractAwarded
from services.events.emitted import EligibilityChanged, barring_at
from services.events.imports import ImportCandidatesListed, ImportReported, ReviewCandidate
from services.platform.clock import Clock
from services.platform.consuming.consumer import DomainRejection
from services.platform.consuming.outbox import Outbox
from services.platform.eventlog.base import Writer
from services.platform.eventstore.chain import partition_of
from services.platform.eventstore.event_store import canonical_json
from services.platform.eventstore.recorded_time import recorded_time, recorded_times
from services.platform.postgres.database import Connection

SOURCE = EMITTED_BY[AlertRaised.event_type]
# Relayed by the registry's worker, which runs the alerts (cli/workers.py), as its writer.
OUTBOX = Outbox("alert_outbox", Writer.REGISTRY)


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
        recorded = await recorded_time(conn, event, self._clock)
        await conn.execute(
            """INSERT INTO alert_watchlists
                   (agency, name, vendor_ids, saved_by, saved_at, event_id, watchlist_id)
               VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
               ON CONFLICT (agency, name) DO UPDATE SET vendor_ids = EXCLUDED.vendor_ids,
                   saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at,
                   event_id = EXCLUDED.event_id""",
            payload.agency,
            payload.name,
            payload.vendor_ids,
            recorded_by,
            recorded,
            event.event_id,
            watchlist_id(payload.agency, payload.name),
        )
        if recorded >= await installed.installed_at(conn, "watch_starts_at"):
            in_order = recorded >= await installed.installed_at(conn, "in_order_at")
            to_start = recorded >= await installed.installed_at(conn, "to_start_at")
            partition = partition_of(event.vendor_id)
            found = await watch_starts.on_save(
                conn, event.event_id, partition, payload, recorded, in_order, to_start
            )
            await self._raise(conn, [self._alert(v, alert) for v, alert in found])

    async def contract_awarded(self, conn: Connection, event: EventEnvelope) -> None:
        await self.contracts_awarded(conn, [event])

    async def contracts_awarded(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        """Awards, in log order: one made to a vendor barred from it that day is told to its
        agency, and one of a contract not ended when it was recorded starts the agency's watch
        of its vendor (the automatic watchlist), told at once if the vendor is barred there
        (`watch_starts.on_awards`). A batch's run of awards comes at once (`setup.consumer`),
        judged a moment of the log at a time: half the events a registry receives are
        awards, and a screen and an insert for each made the alerts the slowest consumer."""
        recorded = await recorded_times(conn, [e.event_id for e in events], self._clock)
        told_from = await installed.installed_at(conn, "watch_starts_at")
        in_order_from = await installed.installed_at(conn, "in_order_at")
        to_start_from = await installed.installed_at(conn, "to_start_at")
        for moment, run in groupby(events, key=lambda e: recorded[e.event_id]):
            if moment < told_from:
                continue
            awards = [
                watch_starts.Award(e.event_id, e.vendor_id, cast(ContractAwarded, e.payload))
                for e in run
            ]
            found = await watch_starts.on_awards(
                conn, awards, moment, moment >= in_order_from, moment >= to_start_from
            )
            await self._raise(conn, [self._alert(v, alert) for v, alert in found])

    async def eligibility_changed(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        assert isinstance(payload, EligibilityChanged)
        vendor_id = event.vendor_id
        now = Seen(payload.eligible, payload.eligible_again_on, tuple(payload.reasons))
        previous = await registry_answers.previous_with_reasons(
            conn, vendor_id, payload, await self._seen(conn, vendor_id, now)
        )
        raised_at = await recorded_time(conn, event, self._clock)
        if await installed.before_installed(conn, raised_at):
            return
        # The contracts the log recorded by the announcement: one awarded after it is told by
        # its own award (`watch_starts`), live and replayed alike.
        to_start = raised_at >= await installed.installed_at(conn, "to_start_at")
        watched = (
            await watching(conn, [vendor_id], payload.as_of, raised_at, to_start=to_start)
        ).get(vendor_id, {})
        told = await repository.last_told(conn, [vendor_id], list(watched))
        # The awards on days a bar recorded since reaches back to come first: the change's own
        # alert, after them, is what the agency was last told of the vendor's eligibility.
        alerts = await self._barred_later(conn, event, previous, now, raised_at, watched)
        for agency, names in watched.items():
            day, extended_by = await registry_answers.day_at(
                conn, vendor_id, payload, agency, raised_at
            )
            change = change_at(previous, now, agency, day, told.get((vendor_id, agency)))
            if change is None:
                continue
            # A lift that leaves a bar recorded to come here says it: free now, not for good.
            lifted = change.kind is AlertChange.LIFTED
            raised = AlertRaised(
                alert_id=alert_id(agency, event.event_id),
                agency=agency,
                change=change.kind,
                as_of=payload.as_of,
                eligible_again_on=change.eligible_again_on,
                reasons=change.reasons,
                extended_by=extended_by if change.reasons else [],
                upcoming=barring_at(payload.upcoming, agency) if lifted else [],
                watchlists=names,
                cause_event_id=event.event_id,
                raised_at=raised_at,
            )
            alerts.append(self._alert(vendor_id, raised))
        await self._raise(conn, alerts)

    async def _barred_later(
        self,
        conn: Connection,
        event: EventEnvelope,
        previous: Seen | None,
        now: Seen,
        raised_at: dt.datetime,
        watched: Mapping[str, list[str]],
    ) -> list[EventEnvelope]:
        """The alerts of the vendor's awards made on days the announcement newly bars
        (`late_bars.py`); none for one recorded before that code was installed."""
        first = late_bars.reaches_back_from(previous, now)
        if first is None or raised_at < await installed.installed_at(conn, "late_bars_at"):
            return []
        payload = event.payload
        assert isinstance(payload, EligibilityChanged)
        found = await late_bars.awards_barred_later(
            conn, event.vendor_id, payload, first, raised_at, watched
        )
        return [self._alert(v, alert) for v, alert in found]

    async def import_reported(self, conn: Connection, event: EventEnvelope) -> None:
        """An import's review candidates ("possible same as") that may be a watched vendor:
        an alert per watching agency and candidate (the report's first
        `events.imports.LISTED`; its listings carry the others)."""
        payload = event.payload
        assert isinstance(payload, ImportReported)
        await self._possible_matches(conn, event, event.event_id, payload.source, payload.review)

    async def candidates_listed(self, conn: Connection, event: EventEnvelope) -> None:
        """The report's candidates beyond its own, alerted as the report's are (the same ids
        whichever event carries a candidate)."""
        payload = event.payload
        assert isinstance(payload, ImportCandidatesListed)
        await self._possible_matches(
            conn, event, payload.report_id, payload.source, payload.candidates
        )

    async def _possible_matches(
        self,
        conn: Connection,
        event: EventEnvelope,
        report_id: uuid.UUID,
        source: str,
        candidates: Sequence[ReviewCandidate],
    ) -> None:
        """Alerts of `candidates` of the report `report_id`, carried by `event`; two
        statements find who watches them all. A candidate that is the vendor the entry joined
        (by an identifier, under another name) alerts no one: the entry was merged, its
        sanction imposed on the watched vendor, which its watchers hear of as the bar it is;
        the import's review keeps the line for the importer (from `merged_candidates_at`: one
        recorded before alerted, and applied again still does, as an agency may have
        acknowledged it)."""
        raised_at = await recorded_time(conn, event, self._clock)
        if await installed.before_installed(conn, raised_at):
            return
        if raised_at >= await installed.installed_at(conn, "merged_candidates_at"):
            candidates = [c for c in candidates if c.vendor_id != c.candidate_vendor_id]
        if not candidates:
            return
        watched = await watching(
            conn,
            [c.candidate_vendor_id for c in candidates],
            raised_at.date(),
            raised_at,
            to_start=raised_at >= await installed.installed_at(conn, "to_start_at"),
        )
        alerts = [
            self._alert(
                candidate.candidate_vendor_id,
                AlertRaised(
                    # A line may have several candidates (a tie): each is its own alert.
                    alert_id=alert_id(
                        agency, report_id, f"{candidate.line}:{candidate.candidate_vendor_id}"
                    ),
                    agency=agency,
                    change=AlertChange.POSSIBLE_MATCH,
                    as_of=raised_at.date(),
                    eligible_again_on=None,
                    reasons=[],
                    watchlists=names,
                    cause_event_id=report_id,
                    raised_at=raised_at,
                    possible_match=PossibleMatch(
                        vendor_id=candidate.vendor_id,
                        name=candidate.name,
                        source=source,
                        line=candidate.line,
                        matched_name=candidate.candidate_name,
                        score=candidate.score,
                        why=candidate.why,
                    ),
                ),
            )
            for candidate in candidates
            for agency, names in watched.get(candidate.candidate_vendor_id, {}).items()
        ]
        await self._raise(conn, alerts)

    async def _raise(self, conn: Connection, alerts: list[EventEnvelope]) -> None:
        """Stores the alerts not stored yet; those get their deliveries and events."""
        if not alerts:
            return
        texts = [canonical_json(a) for a in alerts]
        new = await repository.insert_alerts(conn, texts)
        raised = [(a, text) for a, text in zip(alerts, texts, strict=True) if a.event_id in new]
        await repository.insert_deliveries(
            conn,
            [
                (a.event_id, self._webhooks[agency], webhook_body(a))
                for a, _ in raised
                if (agency := _agency(a)) in self._webhooks
            ],
        )
        if self._announce:
            await OUTBOX.put(conn, [a for a, _ in raised], [text for _, text in raised])

    async def alert_acknowledged(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        assert isinstance(payload, AlertAcknowledged)
        stored = await repository.alert(conn, payload.alert_id)
        if stored is None:
            raise DomainRejection(f"alert_id: no alert {payload.alert_id}")
        if stored.vendor_id != event.vendor_id:
            raise DomainRejection(
                f"vendor_id: alert {payload.alert_id} is about {stored.vendor_id}"
            )
        if stored.acknowledged_at is not None:
            if stored.acknowledged_event_id == event.event_id:
                return  # this acknowledgement again: a replay from an empty ledger
            said = already_acknowledged(
                payload.alert_id, stored.acknowledged_by, stored.acknowledged_at
            )
            raise DomainRejection(f"alert_id: {said}")
        await conn.execute(
            """UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3::jsonb,
                   acknowledge_note = $4, acknowledged_event_id = $5
               WHERE alert_id = $1""",
            payload.alert_id,
            await recorded_time(conn, event, self._clock),
            event.recorded_by.model_dump_json() if event.recorded_by else None,
            payload.note,
            event.event_id,
        )

    async def _seen(self, conn: Connection, vendor_id: str, now: Seen) -> Seen | None:
        """What the vendor's previous announcement said; records this one's in its place."""
        row = await conn.fetchrow(
            "SELECT eligible, eligible_again_on, reasons FROM alert_eligibility"
            " WHERE vendor_id = $1",
            vendor_id,
        )
        await conn.execute(
            """INSERT INTO alert_eligibility (vendor_id, eligible, eligible_again_on, reasons)
               VALUES ($1, $2, $3, $4) ON CONFLICT (vendor_id) DO UPDATE
               SET eligible = EXCLUDED.eligible, eligible_again_on = EXCLUDED.eligible_again_on,
                   reasons = EXCLUDED.reasons""",
            vendor_id,
            now.eligible,
            now.eligible_again_on,
            repository.REASONS.dump_json(list(now.reasons or ())).decode(),
        )
        if row is None:
            return None
        reasons = row["reasons"]
        return Seen(
            row["eligible"],
            row["eligible_again_on"],
            None if reasons is None else tuple(repository.REASONS.validate_json(reasons)),
        )

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
