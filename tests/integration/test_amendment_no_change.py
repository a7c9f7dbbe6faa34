"""An amendment that changes nothing of the sanction's terms from its effective day on is
refused (`no_change`): by the receipt whenever it is asked, by the registry (a handler or a
batch alike) for events recorded from `later_rules.FOURTH_RULES_FROM` on; one recorded before
stays applied, in a rebuild too (real PostgreSQL). Found by exploratory testing: the same
amendment sent twice was recorded twice, as two decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventstore import later_rules
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b
from tests.support.event_examples import sanction_input
from tests.support.record_receipts import logged, receipt
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply, rejection
from tests.support.rule_instants import DAY, FAR, PAST, REGISTRY_VERDICTS
from tests.support.sanction_mutations import AMEND

pytestmark = pytest.mark.postgres

# case_b's suspension starts on 2022-07-09: twelve months end on 2023-07-08.
ON = "2023-01-01"
SAID = (
    "sanction 'city-2022-001' has these terms from 2023-01-01 on already;"
    " the amendment would change nothing"
)


def twelve_months(sanction_id: str = "city-2022-001") -> dict[str, Any]:
    return case_b.amended(sanction_id=sanction_id, effective_on=ON, duration_months=12)


async def test_the_amendment_in_force_sent_again_is_refused(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await apply(pool, case_b.registered(), case_b.suspended(), twelve_months())
    before = await logged(pool)
    # The receipt refuses it whenever asked, and the same period given as its last day.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    for payload in (
        twelve_months()["payload"],
        {**twelve_months()["payload"], "duration_months": None, "ends_on": "2023-07-08"},
    ):
        answer = await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=sanction_input(payload))
        assert answer == {
            "accepted": False,
            "errors": [{"field": "payload", "message": SAID, "code": "no_change"}],
        }
    assert await logged(pool) == before
    # The registry, of one recorded from the rule on, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, twelve_months()) == f"payload: {SAID}"
    # A day's difference in the period, or the scope, is a change.
    for changed in ({"ends_on": "2023-07-09"}, {"categories": ["works"]}):
        payload = {**twelve_months()["payload"], "duration_months": None, **changed}
        answer = await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=sanction_input(payload))
        assert answer == {"accepted": True, "errors": []}


async def test_a_batch_judges_it_against_the_amendments_before_it(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    await apply(pool, case_b.registered())
    first, again = twelve_months(), twelve_months()
    batch = [case_b.suspended(), first, again]
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(e) for e in batch])
    said = await pool.fetch("SELECT event_id, reason FROM dead_letters")
    assert [(str(r["event_id"]), r["reason"]) for r in said] == [
        (again["event_id"], f"payload: {SAID}")
    ]


async def test_a_rebuild_keeps_the_verdicts_given_either_side_of_the_rule(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", dt.datetime.now(dt.UTC) + DAY)
    other = "city-2022-002"
    opening = (case_b.registered(), case_b.suspended(), case_b.suspended(sanction_id=other))
    await log.submit([case_b.line(e) for e in opening])
    await log.submit([case_b.line(twelve_months()), case_b.line(twelve_months(other))])
    before = twelve_months()
    await log.submit([case_b.line(before)])
    await drain(pool, registry)
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    after = twelve_months(other)
    await log.submit([case_b.line(after)])
    await drain(pool, registry)
    live = {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)}
    assert (live[before["event_id"]], live[after["event_id"]]) == (False, True)

    await rebuilding.rebuild(settings, ["registry"], force=True)
    assert {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)} == live


async def test_a_new_period_its_lift_cuts_short_anyway_is_refused_as_its_twin(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by exploratory testing: six months from 2023-01-11 (to 2023-07-10), lifted from
    # 2023-02-15. Eight months from 2023-02-01 was accepted, and still ended it on 2023-02-14,
    # while the same amendment from 2023-02-15 on was refused as changing nothing.
    sanction = "lf-s1"
    imposed = case_b.suspended(
        sanction_id=sanction,
        decided_on="2023-01-10",
        starts_on="2023-01-11",
        duration_months=6,
        grounds=["breach_of_contract"],
        serious=False,
    )
    await apply(pool, case_b.registered(), imposed, case_b.lifted("2023-02-15", sanction))
    before = await logged(pool)
    eight = case_b.amended(sanction_id=sanction, effective_on="2023-02-01", duration_months=8)
    said = (
        "sanction 'lf-s1' has these terms from 2023-02-01 on until its lift from 2023-02-15"
        " already; the amendment would change nothing"
    )
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)  # the receipt: whenever asked
    answer = await receipt(
        pool, AMEND, vendorId=case_b.VENDOR, payload=sanction_input(eight["payload"])
    )
    assert answer == {
        "accepted": False,
        "errors": [{"field": "payload", "message": said, "code": "no_change"}],
    }
    assert await logged(pool) == before
    # The registry, of one recorded from the rule on, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, eight) == f"payload: {said}"
    # Ending it before the lift changes the days until it.
    sooner = {**eight["payload"], "duration_months": None, "ends_on": "2023-02-10"}
    answer = await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=sanction_input(sooner))
    assert answer == {"accepted": True, "errors": []}
