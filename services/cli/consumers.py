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
from services.risk import setup as risk_setup
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


def services_use(
    settings: Settings, policies: Mapping[str, SuspensionPolicy], risk: RiskService
) -> dict[str, str]:
    """What a process running every service (`up`) or answering for them (the API: its
    receipts judge impositions by the policies, it scores risk when read) judges and scores
    with (platform/consuming/running_settings.py)."""
    return {**registry.used(settings, policies), **risk_setup.used(settings, risk)}
