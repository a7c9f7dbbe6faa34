"""The risk service as the tests build it: the shipped model (or another, from its file), and
a clock stopped at 09:00 in Tokyo on a day they choose, so "today" is what the test says; and
events applied by it as live processing would (`applied`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import asyncpg

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.risk.domain.model import load_model
from services.risk.handlers import RiskService, risk_consumer
from tests.support import case_b
from tests.support.registry import REGISTRY, TOKYO, FixedClock


def service(day: str = "2022-08-10", model_path: Path | None = None) -> RiskService:
    moment = dt.datetime.fromisoformat(f"{day}T09:00:00+09:00")
    return RiskService(FixedClock(TOKYO, moment), load_model(model_path))


async def applied(pool: asyncpg.Pool, risk: RiskService, events: list[dict[str, Any]]) -> None:
    """The events ingested, then applied by the registry and this risk service (its periodic
    re-scoring not run: `jobs.calendar` runs it)."""
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(risk))
