"""The services' subscriptions to the validated log, built once from the settings: what the
embedded mode runs, and what the API waits for when a client wants an event's effect."""

from __future__ import annotations

from collections.abc import Mapping

from services.alerts import setup as alerts
from services.migration import setup as migration
from services.platform.consuming.consumer import Consumer
from services.platform.settings import Settings
from services.registry import setup as registry
from services.registry.domain.policy import SuspensionPolicy
from services.risk.handlers import RiskService, risk_consumer


def service_consumers(
    settings: Settings, policies: Mapping[str, SuspensionPolicy], risk: RiskService
) -> list[Consumer]:
    """In the order embedded mode starts them."""
    return [
        registry.consumer(settings, policies),
        risk_consumer(risk),
        migration.consumer(settings.clock),
        alerts.consumer(settings),
    ]
