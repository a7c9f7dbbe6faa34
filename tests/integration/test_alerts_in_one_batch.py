"""An award and the sanctions of its vendor stored in one ingest batch (one `publish` file), on
a real PostgreSQL: the award is judged by what the log held before it, its place in the log,
not by the batch's one recorded instant, so that the same facts raise the same alert however
they are batched, live and replayed. The events go through the event store
(tests/support/alert_log.py)."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from services.platform.eventstore.chain import partition_of
from tests.support import case_b
from tests.support.alert_events import MINE
from tests.support.alert_log import AlertLog
from tests.support.event_examples import envelope, example

AWARDED_ON = "2019-07-01"

_TOLD = """SELECT vendor_id, change, as_of, eligible_again_on, reasons, award
           FROM alerts WHERE vendor_id = $1 ORDER BY seq"""


def registered(vendor_id: str) -> dict[str, Any]:
    return case_b.another_vendor(vendor_id)


def suspended(vendor_id: str) -> dict[str, Any]:
    """Six months from 2019-05-02, everywhere: a bar wholly gone by when it is recorded, so
    that no announcement of eligibility follows it."""
    return case_b.suspended(
        vendor_id,
        sanction_id=f"{vendor_id}-s",
        decided_on="2019-05-01",
        starts_on="2019-05-02",
        duration_months=6,
    )


def lifted(vendor_id: str, effective_on: str) -> dict[str, Any]:
    payload = {"sanction_id": f"{vendor_id}-s", "effective_on": effective_on, "reason": "Lifted."}
    return envelope("sanction.lifted", payload, vendor_id)


def award(vendor_id: str) -> dict[str, Any]:
    """A contract awarded by MINE on 2019-07-01, while the suspension ran."""
    payload = example(
        "contract.awarded",
        contract_id=f"{vendor_id}-c",
        agency=MINE,
        awarded_on=AWARDED_ON,
        starts_on="2019-08-01",
        ends_on="2020-03-31",
    )
    return envelope("contract.awarded", payload, vendor_id)


async def told(pool: asyncpg.Pool, vendor_id: str) -> list[dict[str, Any]]:
    """The alerts about the vendor, its sanction's id made alike for every vendor."""
    rows = await pool.fetch(_TOLD, vendor_id)
    return [
        {
            **dict(r),
            "vendor_id": "V",
            "reasons": [{**reason, "sanction_id": "S"} for reason in json.loads(r["reasons"])],
            "award": {**json.loads(r["award"]), "contract_id": "C"},
        }
        for r in rows
    ]


async def test_an_award_stored_after_a_sanction_in_its_batch_is_judged_as_one_stored_later(
    pool: asyncpg.Pool,
) -> None:
    """X registered, suspended and awarded a contract in one batch; Y the same, its award in
    a second batch. Both awards were made while barred, as `bidEligibility` answers for the
    award day: each agency is told once (`AWARDED_WHILE_BARRED`), alike, and a replay from
    nothing tells the same."""
    log = AlertLog(pool)
    await log.record(registered("vendor-x"), suspended("vendor-x"), award("vendor-x"))
    await log.record(registered("vendor-y"), suspended("vendor-y"))
    await log.record(award("vendor-y"))

    in_one = await told(pool, "vendor-x")
    assert [(a["change"], str(a["as_of"])) for a in in_one] == [
        ("awarded_while_barred", AWARDED_ON)
    ]
    assert in_one == await told(pool, "vendor-y")
    assert str(in_one[0]["eligible_again_on"]) == "2019-11-02"

    await log.replay(from_nothing=True)
    assert await told(pool, "vendor-x") == in_one
    assert await told(pool, "vendor-y") == in_one


async def test_what_follows_an_award_in_its_batch_does_not_count_for_it(
    pool: asyncpg.Pool,
) -> None:
    """In one batch: X's award, then its suspension (recorded after it: told by the bar's
    own judgement of awards, not by the award's); Y's suspension, its lift from before the
    award day, then the award (nothing barred it); Z's suspension, the award, then the lift
    (the award was made while barred, as known when the log stored it). Alike replayed."""
    log = AlertLog(pool)
    await log.record(
        registered("vendor-x"),
        registered("vendor-y"),
        registered("vendor-z"),
        award("vendor-x"),
        suspended("vendor-x"),
        suspended("vendor-y"),
        lifted("vendor-y", "2019-06-01"),
        award("vendor-y"),
        suspended("vendor-z"),
        award("vendor-z"),
        lifted("vendor-z", "2019-06-01"),
    )

    def awarded(alerts: list[dict[str, Any]]) -> list[str]:
        return [a["change"] for a in alerts if a["change"] == "awarded_while_barred"]

    live = {v: await told(pool, v) for v in ("vendor-x", "vendor-y", "vendor-z")}
    assert awarded(live["vendor-x"]) == []
    assert awarded(live["vendor-y"]) == []
    assert awarded(live["vendor-z"]) == ["awarded_while_barred"]

    await log.replay(from_nothing=True)
    assert {v: await told(pool, v) for v in live} == live


def parent_of(child: str, parent: str) -> dict[str, Any]:
    payload = {
        "related_vendor_id": parent,
        "relation": "parent",
        "change": "added",
        "effective_on": "2019-01-01",
    }
    return envelope("vendor.affiliation_changed", payload, child)


async def test_an_affiliates_sanction_ahead_in_the_batch_counts_only_on_the_awards_partition(
    pool: asyncpg.Pool,
) -> None:
    """P's suspension covers its affiliates C and Q; stored ahead of their awards in one
    batch. Q shares P's partition, C does not: the alerts wait for the registry on the
    award's partition only, so P's suspension is counted for Q's award and not for C's (live,
    the registry may not have applied it yet), alike replayed."""
    assert partition_of("vendor-p") == partition_of("vendor-q") != partition_of("vendor-c")
    log = AlertLog(pool)
    await log.record(
        *(registered(v) for v in ("vendor-p", "vendor-c", "vendor-q")),
        parent_of("vendor-c", "vendor-p"),
        parent_of("vendor-q", "vendor-p"),
    )
    await log.record(
        case_b.suspended(
            "vendor-p",
            sanction_id="vendor-p-s",
            decided_on="2019-05-01",
            starts_on="2019-05-02",
            duration_months=6,
            covers_affiliates=True,
        ),
        award("vendor-c"),
        award("vendor-q"),
    )

    async def changes(vendor_id: str) -> list[str]:
        return [a["change"] for a in await told(pool, vendor_id)]

    assert await changes("vendor-c") == []
    assert await changes("vendor-q") == ["awarded_while_barred"]
    await log.replay(from_nothing=True)
    assert await changes("vendor-c") == []
    assert await changes("vendor-q") == ["awarded_while_barred"]


async def test_an_award_recorded_before_the_upgrade_is_judged_just_before_its_batch(
    pool: asyncpg.Pool,
) -> None:
    """X suspended and awarded in one batch recorded before the code judging awards by their
    place in the log was installed (alerts' migration 0016): the consumer before it judged
    the award just before the batch, telling nothing; applied again (a backlog, a replay) it
    tells nothing still, where Y's, recorded after, is told."""
    log = AlertLog(pool)
    await pool.execute("UPDATE alert_installed SET in_order_at = now() + interval '1 hour'")
    await log.record(registered("vendor-x"), suspended("vendor-x"), award("vendor-x"))
    assert await told(pool, "vendor-x") == []
    await pool.execute("UPDATE alert_installed SET in_order_at = now()")
    await log.record(registered("vendor-y"), suspended("vendor-y"), award("vendor-y"))
    assert [a["change"] for a in await told(pool, "vendor-y")] == ["awarded_while_barred"]

    await log.replay(from_nothing=True)
    assert await told(pool, "vendor-x") == []
    assert [a["change"] for a in await told(pool, "vendor-y")] == ["awarded_while_barred"]
