"""The risk service as the tests build it: the shipped model (or another, from its file), and
a clock stopped at 09:00 in Tokyo on a day they choose, so "today" is what the test says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.risk.domain.model import load_model
from services.risk.handlers import RiskService
from tests.support.registry import TOKYO, FixedClock


def service(day: str = "2022-08-10", model_path: Path | None = None) -> RiskService:
    moment = dt.datetime.fromisoformat(f"{day}T09:00:00+09:00")
    return RiskService(FixedClock(TOKYO, moment), load_model(model_path))
