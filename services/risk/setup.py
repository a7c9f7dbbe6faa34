"""The risk service's parts, configured from the settings (the model loaded once, at start)."""

from __future__ import annotations

from services.platform.consuming.running_settings import zone_used
from services.platform.errors import StartupError
from services.platform.settings import Settings
from services.risk.domain.model import ModelError, load_model
from services.risk.handlers import RiskService


def service(settings: Settings) -> RiskService:
    try:
        model = load_model(settings.risk_model)
    except ModelError as error:
        raise StartupError(f"risk model (VENDORWATCH_RISK_MODEL): {error}") from error
    return RiskService(settings.clock, model)


# What a process scoring with a model says it uses (running_settings.py).
MODEL = "risk model"


def used(settings: Settings, scoring: RiskService) -> dict[str, str]:
    """What risk scores with, by fingerprint: its model and its time zone."""
    return {MODEL: scoring.model.fingerprint, **zone_used(settings)}
