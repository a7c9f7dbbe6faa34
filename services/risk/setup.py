"""The risk service's parts, configured from the settings (the model loaded once, at start)."""

from __future__ import annotations

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
