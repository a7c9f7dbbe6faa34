"""`rebuild all` under a changed policy: risk follows the rebuilt registry's verdicts, not the
ledger the registry had committed before. A sanction refused live and accepted now is
scored, one accepted live and refused now is not, and a policy round trip leaves risk as it
was; `eventStatus` then has nothing pending."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.gateway.context import handled_by
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.graphql.processing import status_of
from services.platform.security.auth import Role
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.risk import setup as risk_setup
from services.risk.handlers import risk_consumer
from tests.integration.test_rebuild_verdicts import lenient_policies
from tests.support import case_b
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.registry import TOKYO

pytestmark = pytest.mark.postgres

_SEEN = """
query ($vendor: ID!, $event: ID!) {
  riskScore(vendorId: $vendor) { score factors { name } }
  riskHistory(vendorId: $vendor) { totalCount }
  eventStatus(eventId: $event) { appliedBy refusedBy pending deadLetters { stage overturned } }
}"""


async def _seen(pool: asyncpg.Pool, event_id: str) -> dict[str, Any]:
    body = await over_http(pool, token(Role.AUDITOR), _SEEN, vendor=case_b.VENDOR, event=event_id)
    assert "errors" not in body, body["errors"]
    seen: dict[str, Any] = body["data"]
    return seen


async def _pending(pool: asyncpg.Pool, event_id: str, settings: Settings) -> list[str]:
    """What `eventStatus` says is still to apply the event, as the API running the registry
    and risk says it."""
    takers = handled_by(
        [
            registry_setup.consumer(settings, registry_setup.policies(settings)),
            risk_consumer(risk_setup.service(settings)),
        ]
    )
    async with pool.acquire() as conn:
        status = await status_of(conn, uuid.UUID(event_id), takers)
    return [stage.value for stage in status.pending]


def _factors(seen: dict[str, Any]) -> set[str]:
    return {f["name"] for f in seen["riskScore"]["factors"]}


async def test_risk_follows_the_verdicts_of_the_registry_rebuilt_with_it(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    packaged = Settings(database_url=database_url)
    lenient = Settings(database_url=database_url, policy_dir=lenient_policies(tmp_path))
    today = dt.datetime.now(TOKYO).date()
    # 24 months for a serious case: beyond the packaged policy's 2–18, within the lenient 3–27.
    long = case_b.suspended(
        decided_on=(today - dt.timedelta(days=1)).isoformat(),
        starts_on=today.isoformat(),
        duration_months=24,
    )
    await EmbeddedEventLog(pool, ingest_batch).submit(
        [case_b.line(e) for e in (case_b.registered(), long)]
    )
    await drain(pool, registry_setup.consumer(packaged, registry_setup.policies(packaged)))
    await drain(pool, risk_consumer(risk_setup.service(packaged)))
    refused = await _seen(pool, long["event_id"])
    assert refused["eventStatus"]["refusedBy"] == ["REGISTRY"]
    assert "active_sanctions" not in _factors(refused)

    # Accepted now: risk scores it, as the registry bars the vendor.
    rebuilt = await rebuilding.rebuild(lenient, list(rebuilding.PROJECTIONS), force=False)
    assert rebuilt.verdicts_changed is not None and rebuilt.verdicts_changed.count == 1
    accepted = await _seen(pool, long["event_id"])
    status = accepted["eventStatus"]
    assert "RISK" in status["appliedBy"], status
    assert await _pending(pool, long["event_id"], lenient) == []
    assert status["deadLetters"] == [{"stage": "REGISTRY", "overturned": True}]
    assert "active_sanctions" in _factors(accepted)
    assert accepted["riskHistory"]["totalCount"] == refused["riskHistory"]["totalCount"] + 1
    assert accepted["riskScore"]["score"] > refused["riskScore"]["score"]
    # Live processing, going on from its offsets, has nothing left to apply nor to undo.
    await drain(pool, risk_consumer(risk_setup.service(lenient)))
    assert await _seen(pool, long["event_id"]) == accepted

    # Refused again (the policy back): risk drops it with the registry.
    await rebuilding.rebuild(packaged, list(rebuilding.PROJECTIONS), force=False)
    again = await _seen(pool, long["event_id"])
    assert again["riskScore"] == refused["riskScore"]
    assert again["riskHistory"] == refused["riskHistory"]
    assert again["eventStatus"]["refusedBy"] == ["REGISTRY"]
    assert "RISK" not in again["eventStatus"]["appliedBy"]

    # And accepted once more: the round trip leaves risk as the first change did.
    await rebuilding.rebuild(lenient, list(rebuilding.PROJECTIONS), force=False)
    assert await _seen(pool, long["event_id"]) == accepted
