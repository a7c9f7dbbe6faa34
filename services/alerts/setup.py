"""The alerts service's subscription to the log: which handler applies which event."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from services.alerts.handlers import AlertHandlers
from services.events.alerts import AlertAcknowledged, WatchlistSaved
from services.events.base import EventEnvelope
from services.events.contract import ContractAwarded
from services.events.emitted import EligibilityChanged
from services.events.imports import ImportCandidatesListed, ImportReported
from services.platform.consuming.consumer import Consumer, Handler
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.postgres.database import Connection
from services.platform.settings import Settings

CONSUMER_NAME = "alerts"
_AWARDED = ContractAwarded.event_type


def consumer(settings: Settings, *, announce: bool = True) -> Consumer:
    """`announce=False` for a replay: nothing replayed is emitted again."""
    alerts = AlertHandlers(settings.clock, settings.alert_webhooks, announce)
    handlers: dict[str, Handler] = {
        WatchlistSaved.event_type: alerts.watchlist_saved,
        _AWARDED: alerts.contract_awarded,
        EligibilityChanged.event_type: alerts.eligibility_changed,
        AlertAcknowledged.event_type: alerts.alert_acknowledged,
        ImportReported.event_type: alerts.import_reported,
        ImportCandidatesListed.event_type: alerts.candidates_listed,
    }

    async def in_log_order(conn: Connection, events: Sequence[EventEnvelope]) -> None:
        """Each event by its handler, in log order, but each run of awards at once
        (`AlertHandlers.contracts_awarded`); the handlers alone find an event at fault."""
        for awarded, run in groupby(events, key=lambda e: e.event_type == _AWARDED):
            if awarded:
                await alerts.contracts_awarded(conn, list(run))
                continue
            for event in run:
                await handlers[event.event_type](conn, event)

    # Alerts follow only what the registry accepted (its announcements, and the input events
    # it let pass).
    return Consumer(CONSUMER_NAME, handlers, verdict_from=VERDICT_FROM, apply_all=in_log_order)
