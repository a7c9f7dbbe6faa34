"""Each event a service emits is taken only from the worker that runs that service: whichever
entrance a principal may write (deploy/kafka/topics.toml's `writers`, which the broker's ACLs
enforce), ingest stores no other service's announcement from it. With one `emitted` topic
that the registry, risk and migration could all write, the risk principal announced vendors
barred by a sanction the registry never heard of, and alerts and migration plans followed."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import Accepted, Rejected, ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.eventlog.topics import ENTRANCES, load_topics
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope

pytestmark = pytest.mark.postgres

# Who owns what (each type's `source`), and which services each emitting worker runs: the
# registry's worker runs the alerts too.
OWNER = {
    "vendor.eligibility_changed": "vendorwatch.registry",
    "alert.raised": "vendorwatch.alerts",
    "risk.changed": "vendorwatch.risk",
    "migration.plan_created": "vendorwatch.migration",
    "migration.plan_scheduled": "vendorwatch.migration",
}
RUNS = {
    "registry": {"vendorwatch.registry", "vendorwatch.alerts"},
    "risk": {"vendorwatch.risk"},
    "migration": {"vendorwatch.migration"},
}
PRINCIPALS = ("producers", "api", "ingest", "registry", "risk", "migration")


def _announcement(event_type: str, source: str) -> bytes:
    event: dict[str, Any] = envelope(event_type, VALID_PAYLOADS[event_type], "D-0003")
    return case_b.line({**event, "source": source})


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_a_principal_announces_only_what_its_own_services_emit(
    pool: asyncpg.Pool, principal: str
) -> None:
    topics = load_topics()
    writable = [w for w, role in ENTRANCES.items() if principal in topics[role].writers]
    for writer in writable:
        for event_type, owner in OWNER.items():
            for source in {owner, *RUNS.get(principal, ())}:
                (outcome,) = await ingest_batch(pool, [_announcement(event_type, source)], writer)
                own = owner in RUNS.get(principal, ()) and source == owner
                assert isinstance(outcome, Accepted if own else Rejected), (
                    principal,
                    writer,
                    event_type,
                    source,
                    outcome,
                )
    forged = await pool.fetchval(
        "SELECT count(*) FROM event_store WHERE event_type <> ALL($1::text[])",
        sorted(t for t, owner in OWNER.items() if owner in RUNS.get(principal, ())),
    )
    assert forged == 0


async def test_the_refusal_names_the_owner(pool: asyncpg.Pool) -> None:
    """The reasons a relay misconfigured (or a forger) reads in its dead letters."""
    bar = _announcement("vendor.eligibility_changed", "vendorwatch.registry")
    (from_risk,) = await ingest_batch(pool, [bar], Writer.RISK)
    assert isinstance(from_risk, Rejected)
    assert from_risk.reason == (
        "event_type: vendor.eligibility_changed is emitted by vendorwatch.registry only;"
        " the risk worker's entrance takes risk.changed"
    )
    (said_by_risk,) = await ingest_batch(
        pool, [_announcement("vendor.eligibility_changed", "vendorwatch.risk")], Writer.REGISTRY
    )
    assert isinstance(said_by_risk, Rejected)
    assert said_by_risk.reason == (
        "source: 'vendorwatch.risk' does not emit vendor.eligibility_changed;"
        " only vendorwatch.registry does, and its events say so"
    )
