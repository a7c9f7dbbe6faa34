"""The alerts service's subscription to the log: which handler applies which event."""

from __future__ import annotations

from services.alerts.handlers import AlertHandlers
from services.events.alerts import AlertAcknowledged, WatchlistSaved
from services.events.emitted import EligibilityChanged
from services.events.imports import ImportCandidatesListed, ImportReported
from services.platform.consuming.consumer import VERDICT_FROM, Consumer, Handler
from services.platform.settings import Settings

CONSUMER_NAME = "alerts"


def consumer(settings: Settings, *, announce: bool = True) -> Consumer:
    """`announce=False` for a replay: nothing replayed is emitted again."""
    alerts = AlertHandlers(settings.clock, settings.alert_webhooks, announce)
    handlers: dict[str, Handler] = {
        WatchlistSaved.event_type: alerts.watchlist_saved,
        EligibilityChanged.event_type: alerts.eligibility_changed,
        AlertAcknowledged.event_type: alerts.alert_acknowledged,
        ImportReported.event_type: alerts.import_reported,
        ImportCandidatesListed.event_type: alerts.candidates_listed,
    }
    # Alerts follow only what the registry accepted (its announcements, and the input events
    # it let pass).
    return Consumer(CONSUMER_NAME, handlers, verdict_from=VERDICT_FROM)
