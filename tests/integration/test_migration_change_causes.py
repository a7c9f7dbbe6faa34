"""What a re-plan's cause names of an owner's change (real PostgreSQL; an exploratory
tester's finding): the settings or properties it changed, not every field it gave. The
blackouts alone changed, given with the capacity, early cut-over and phase length the plan
had, read "plan settings changed: blackouts, capacity, early_cutover, phase_months". From
the rules of 2026-12-08 on; a change recorded before names what it gave, as it did live, so
a rebuild replaying the causes of revisions not yet planned writes them as they were."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.migration.setup import consumer
from services.platform.eventstore import later_rules
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from tests.support import registry_db
from tests.support.case_migration import VENDOR, blackout
from tests.support.event_examples import envelope
from tests.support.migration_db import PLAN, START, item_event, the_case
from tests.support.registry import TOKYO, FixedClock
from tests.support.rule_instants import FAR, PAST

pytestmark = pytest.mark.postgres

OWNERS = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
CAUSES = "SELECT causes FROM migration_plans WHERE plan_id = $1"


def _settings(reason: str) -> dict[str, Any]:
    """The case's capacity, early cut-over and phase length again, with another blackout."""
    season = {**blackout(START), "reason": reason}
    payload = {
        "plan_id": PLAN,
        "capacity": 2,
        "early_cutover": "forbid",
        "phase_months": 1,
        "blackouts": [season],
    }
    return envelope("migration.plan_configured", payload, VENDOR)


async def _last_cause(pool: asyncpg.Pool, event: dict[str, Any]) -> str:
    await registry_db.apply(pool, event, consumer=OWNERS)
    causes: list[str] = await pool.fetchval(CAUSES, PLAN)
    return causes[-1]


async def test_a_re_plan_names_only_what_the_change_changed(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await the_case(pool)
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    cause = await _last_cause(pool, _settings("filing season"))
    assert cause == "plan settings changed: blackouts"
    # c05's dependency on c04 given as it is, with a new lead time.
    item = item_event("migration.item_configured", "c05", depends_on=["c04"], lead_time_months=2)
    assert await _last_cause(pool, item) == "c05: lead_time_months changed"


async def test_a_change_recorded_before_the_rule_names_every_field_it_gave(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await the_case(pool)
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", FAR)
    cause = await _last_cause(pool, _settings("filing season"))
    assert cause == "plan settings changed: blackouts, capacity, early_cutover, phase_months"
    item = item_event("migration.item_configured", "c05", depends_on=["c04"], lead_time_months=2)
    assert await _last_cause(pool, item) == "c05: depends_on, lead_time_months changed"
