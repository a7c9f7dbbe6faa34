"""Sanction events through the registry's batch handler (registry/batch/sanction_rules.py)
against its handlers one event at a time: the same registry tables, announcements (outbox),
change feed, ledger, and refusals with the same reasons.

The stream is the realistic workload (sanctions of past years) followed by what a city sees
this year: affiliations, suspensions in force today (some scoped to an agency, some covering
affiliates), amendments, early lifts, and the sanctions the registry must refuse: outside the
policy's range (imposed or amended), naming the policy's authority written otherwise, for an
unknown vendor, amending an unknown sanction, lifting another vendor's sanction, ending before
its start, lifted before its decision, reusing a sanction id. Dates count from today, since
the registry judges eligibility for the day the log recorded each event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Sequence
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.events.sanction import SanctionImposed
from services.platform.consuming.consumer import Consumer, Handler
from services.platform.postgres.database import Connection, open_pool
from services.registry.batch.handler import RegistryBatch
from services.registry.batch.sanction_rules import SANCTIONS
from services.registry.domain.policy import propose
from services.registry.handlers import CONSUMER_NAME, registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres, workload
from tests.support.database_copies import (
    REGISTRY_ORDER,
    apply,
    snapshot,
    two_copies,
    watched,
)
from tests.support.event_examples import envelope, example
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

BATCH = 500
AUTHORITY = "City procurement office"
POLICY = load_policies()[AUTHORITY]
TODAY = dt.datetime.now(TOKYO).date()


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes), vendor_id)))


def _day(days_from_today: int) -> str:
    return (TODAY + dt.timedelta(days=days_from_today)).isoformat()


class _Stream:
    """This year's events, seeded: each helper returns one event."""

    def __init__(self, vendors: Sequence[str]) -> None:
        self.rng = random.Random(20240401)
        self.vendors = list(vendors)
        self.imposed: dict[str, str] = {}  # sanction id → vendor

    def imposed_now(self, vendor_id: str, sanction_id: str, **changes: Any) -> EventEnvelope:
        """Decided in the last four months, within the policy's range: mostly in force."""
        rng = self.rng
        grounds = rng.sample(sorted(POLICY.grounds), rng.choice((1, 1, 2)))
        serious = rng.random() < 0.3
        decided_on = TODAY - dt.timedelta(days=rng.randint(1, 120))
        proposal = propose(POLICY, grounds, serious, decided_on)
        fields: dict[str, Any] = {
            "sanction_id": sanction_id,
            "kind": rng.choice(("bid_suspension", "bid_suspension", "debarment", "warning")),
            "decided_on": decided_on.isoformat(),
            "starts_on": proposal.starts_on.isoformat(),
            "duration_months": rng.randint(proposal.min_months, proposal.max_months),
            "grounds": grounds,
            "serious": serious,
            "incident_ids": [],
            "covers_affiliates": rng.random() < 0.5,
        }
        if rng.random() < 0.2:
            fields["agencies"] = ["市民課"]
        fields.update(changes)
        self.imposed[sanction_id] = vendor_id
        return _event("sanction.imposed", vendor_id, **fields)

    def amended(self, sanction_id: str, **changes: Any) -> EventEnvelope:
        """Shortened, made indefinite, scoped or widened, saying why a period departs from
        the policy's range; `changes` replace the choice."""
        rng = self.rng
        fields: dict[str, Any] = {
            "sanction_id": sanction_id,
            "effective_on": _day(-rng.randint(0, 5)),
            "policy_override_reason": "on review",
        }
        choices: list[dict[str, Any]] = [
            {"duration_months": rng.randint(1, 3)},
            {"indefinite": True},
            {"categories": ["information_systems"]},
            {"cover_all": ["categories"], "covers_affiliates": True},
        ]
        fields |= {"categories": None} | (changes or rng.choice(choices))
        return _event("sanction.amended", self.imposed[sanction_id], **fields)

    def lifted(self, sanction_id: str, vendor_id: str | None = None) -> EventEnvelope:
        fields = {"sanction_id": sanction_id, "effective_on": _day(self.rng.choice((-2, 0, 3)))}
        return _event("sanction.lifted", vendor_id or self.imposed[sanction_id], **fields)

    def affiliated(self, vendor_id: str, related: str) -> EventEnvelope:
        fields = {"related_vendor_id": related, "effective_on": _day(-400)}
        return _event("vendor.affiliation_changed", vendor_id, **fields)

    def contract(self, vendor_id: str, contract_id: str) -> EventEnvelope:
        return _event("contract.awarded", vendor_id, contract_id=contract_id)

    def mixed(self, *runs: list[EventEnvelope]) -> list[EventEnvelope]:
        """The runs interleaved at random, each in its own order."""
        pending = [list(run) for run in runs if run]
        merged = []
        while pending:
            run = self.rng.choice(pending)
            merged.append(run.pop(0))
            if not run:
                pending.remove(run)
        return merged


def _batches() -> list[tuple[list[EventEnvelope], bool]]:
    """The batches in order, each with whether it holds a refusal."""
    past = workload.build(2_000)
    events = list(past.events)
    realistic = [(events[i : i + BATCH], False) for i in range(0, len(events), BATCH)]
    s = _Stream(past.vendor_ids)
    v = s.rng.sample(s.vendors, 90)
    # Affiliates, stored before this year's sanctions re-screen them.
    affiliations = [s.affiliated(v[i], v[i + 1]) for i in range(0, 20, 2)]
    affiliations += [s.contract(v[i], f"y-c{i}") for i in range(20)]
    # Suspensions in force, their amendments and lifts, their vendors' contracts: set-based.
    imposed = [
        [
            s.imposed_now(v[i], f"y-s{i}"),
            s.contract(v[i], f"y-c{i}-1"),
            *([s.amended(f"y-s{i}")] if i % 3 == 0 else []),
            *([s.lifted(f"y-s{i}")] if i % 5 == 0 else []),
        ]
        for i in range(40)
    ]
    for event in events[::10]:  # sanctions of past years, made indefinite: in force again
        if isinstance(event.payload, SanctionImposed):
            s.imposed[event.payload.sanction_id] = event.vendor_id
            imposed.append([s.amended(event.payload.sanction_id, indefinite=True)])
    clean = s.mixed(*imposed)
    refused = [
        s.imposed_now(v[40], "y-r1", duration_months=120),  # beyond the policy's range
        s.imposed_now("ghost", "y-r2"),  # unknown vendor
        _event(  # an unknown sanction
            "sanction.amended",
            v[41],
            sanction_id="y-unknown",
            effective_on=_day(0),
            categories=None,
            indefinite=True,
        ),
        s.lifted("y-s0", v[1]),  # another vendor's sanction
        s.amended("y-s2", ends_on="2001-01-01"),  # before its start
        s.amended("y-s4", duration_months=120, policy_override_reason=None),  # beyond the range
        _event(  # lifted before it was decided (at most 120 days ago)
            "sanction.lifted", s.imposed["y-s6"], sanction_id="y-s6", effective_on=_day(-200)
        ),
        s.imposed_now(v[42], "y-s3"),  # a sanction id already used
        s.lifted("y-s10"),  # lifted again
        s.amended("y-s15", effective_on=_day(4), categories=["works"]),  # from its lift on
    ]
    s.imposed["y-s3"] = v[3]
    with_refusals = s.mixed(refused, *[[s.imposed_now(v[i], f"y-s{i}")] for i in range(43, 50)])
    # Its policy's authority written otherwise; put in without a draw of the stream's seeded
    # choices, which the events after it depend on.
    spelled = _event(
        "sanction.imposed", v[40], sanction_id="y-r3", authority="City Procurement Office"
    )
    with_refusals.insert(len(with_refusals) // 2, spelled)
    # Of the sanctions not lifted yet.
    open_ids = [i for i in range(50) if i not in (40, 41, 42) and (i % 5 or i >= 40)]
    later = s.mixed(
        *[[s.amended(f"y-s{i}")] for i in range(1, 50, 4) if i in open_ids],
        *[[s.lifted(f"y-s{i}")] for i in range(2, 50, 6) if i in open_ids],
        *[[s.imposed_now(v[i], f"y-s{i}")] for i in range(50, 70)],
    )
    # An affiliation in the middle: the sanctions after it go one by one.
    middle = len(later) // 2
    later[middle:middle] = [s.affiliated(v[70], v[3])]
    later += [s.imposed_now(v[i], f"y-s{i}") for i in range(71, 80)]
    return [
        *realistic,
        (affiliations, False),
        (clean, False),
        (with_refusals, True),
        (later, False),
    ]


def _counting(handlers: dict[str, Handler], calls: list[str]) -> dict[str, Handler]:
    """The handlers, noting each event type they apply one by one."""

    def counted(handler: Handler) -> Handler:
        async def count(conn: Connection, event: EventEnvelope) -> None:
            calls.append(event.event_type)
            await handler(conn, event)

        return count

    return {event_type: counted(handler) for event_type, handler in handlers.items()}


@pytest.mark.parametrize("announce", [True, False], ids=["live", "rebuild"])
async def test_sanction_events_set_based_have_the_effects_of_the_events_one_by_one(
    test_databases: postgres.TestDatabases, announce: bool
) -> None:
    clock, policies = FixedClock(TOKYO), load_policies()
    one_by_one = dataclasses.replace(
        registry_consumer(clock, policies, announce=announce), apply_all=None
    )
    faults: list[int] = []
    calls: list[str] = []
    batch = RegistryBatch(clock, policies, _counting(dict(one_by_one.handlers), calls), announce)
    batched = Consumer(
        CONSUMER_NAME, one_by_one.handlers, apply_all=watched(batch.apply_all, faults)
    )
    batches = _batches()
    alone: list[int] = []  # sanction events applied by their handlers, per batch
    async with two_copies(test_databases, [e for b, _ in batches for e in b]) as urls:
        batched_url, one_by_one_url = urls
        for events, _ in batches:
            await apply(batched_url, batched, [events])
            alone.append(sum(1 for t in calls if t in SANCTIONS))
            calls.clear()
        await apply(one_by_one_url, one_by_one, [b for b, _ in batches])
        expected = await snapshot(one_by_one_url, "registry", order=REGISTRY_ORDER)
        actual = await snapshot(batched_url, "registry", order=REGISTRY_ORDER)
        reasons = await _reasons(one_by_one_url)

    assert faults == [len(b) for b, refused in batches if refused]
    # Set-based but for those after the affiliation in the last batch.
    assert alone[:-1] == [0] * (len(batches) - 1)
    assert 0 < alone[-1] < sum(1 for e in batches[-1][0] if e.event_type in SANCTIONS)
    _assert_exercised(expected, reasons, announce)
    for table in expected:
        assert actual[table] == expected[table], table


async def _reasons(url: str) -> list[str]:
    pool = await open_pool(url, migrate=False)
    try:
        return [r["reason"] for r in await pool.fetch("SELECT reason FROM dead_letters")]
    finally:
        await pool.close()


def _assert_exercised(
    expected: dict[str, list[tuple[Any, ...]]], reasons: list[str], announce: bool
) -> None:
    """The stream did what it is for: the eleven refusals, announcements, a vendor barred
    through its affiliate, another eligible again."""
    wanted = [
        "payload.duration_months: 120 months is outside",  # imposed outside the policy's range
        "payload.duration_months: 120 months is outside",  # amended outside it
        "payload.authority: 'City Procurement Office' names the suspension policy of",
        "vendor_id: unknown vendor 'ghost'",
        "payload.sanction_id: unknown sanction 'y-unknown'",
        "payload.sanction_id: sanction 'y-s0' belongs to vendor",
        "payload.ends_on: 2001-01-01 is before the sanction's start",
        "payload.sanction_id: 'y-s3' already exists",
        "payload.effective_on: ",  # before the decision
        "payload.sanction_id: sanction 'y-s10' was lifted from",
        "payload.effective_on: sanction 'y-s15' was lifted from",
    ]
    assert len(reasons) == len(wanted), reasons
    assert all(any(r.startswith(w) for r in reasons) for w in wanted), reasons
    assert sum("amend it with policy_override_reason" in r for r in reasons) == 1, reasons
    outbox = [row[0] for row in expected["registry_outbox"]]
    assert bool(outbox) == announce
    if announce:
        barred = [e for e in outbox if not e["payload"]["eligible"]]
        assert any(r["via_vendor_id"] for e in barred for r in e["payload"]["reasons"])
        assert len(barred) < len(outbox), "no vendor eligible again"
