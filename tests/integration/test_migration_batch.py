"""The migration service's batch handler (`apply_all`) against its handlers one event at a time.

The same events, stored in the log once, are applied in the same batches to two copies of
one database: through the batch handler, and through a consumer without it. Every migration
table, the ledger and the dead letters must then hold the same (both copies share the log's
recorded times, which date what the handlers open). Batches without a refusal must not need
the per-event fallback: that would hide a set-based path that always fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.migration.plan_opening import automatic_plan_id
from services.migration.setup import consumer
from tests.support import case_migration, database_copies, postgres, workload
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.database_copies import apply, snapshot, watched
from tests.support.event_examples import envelope, example
from tests.support.registry import TOKYO, FixedClock

pytestmark = [pytest.mark.postgres, pytest.mark.long]

# The consumer's batch size, and a size that cuts the stream elsewhere: what one split finds
# inside its batch, the other finds stored by the batch before.
BATCH_SIZES = (500, 61)
CLOCK = FixedClock(TOKYO, dt.datetime(2022, 7, 9, 9, 0, tzinfo=TOKYO))
START = dt.date(2022, 7, 1)
PLAN = automatic_plan_id(VENDOR, AGENCY)
# Columns that legitimately differ between the copies: serials and the moment the ledger, the
# dead letters or the outbox wrote a row (not dated by the log).
# due_since: when the planner found a plan due, by the clock (the planner's order, no answer).
_VOLATILE = frozenset({"id", "processed_at", "recorded_at", "created_at", "due_since"})


def _parsed(event: dict[str, Any]) -> EventEnvelope:
    return parse_event(json.dumps(event))


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    return _parsed(envelope(event_type, example(event_type, **changes), vendor_id))


def _awarded(vendor_id: str, contract_id: str) -> EventEnvelope:
    return _event("contract.awarded", vendor_id, contract_id=contract_id)


def _lost(vendor_id: str, as_of: dt.date, sanction_id: str) -> EventEnvelope:
    return _parsed(case_migration.eligibility_lost(vendor_id, as_of, sanction_id))


def _regained(vendor_id: str, as_of: dt.date) -> EventEnvelope:
    payload = {"as_of": as_of.isoformat(), "eligible": True, "reasons": []}
    return _parsed(
        envelope("vendor.eligibility_changed", payload | {"eligible_again_on": None}, vendor_id)
    )


def _subcontract(
    vendor_id: str, contract_id: str, subcontract_id: str, to: str
) -> list[EventEnvelope]:
    """A subcontract requested and approved."""
    ids = {"contract_id": contract_id, "subcontract_id": subcontract_id}
    requested = example("contract.subcontract_requested", **ids, subcontractor_vendor_id=to)
    del requested["parent_subcontract_id"]
    return [
        _parsed(envelope("contract.subcontract_requested", requested, vendor_id)),
        _event("contract.subcontract_approved", vendor_id, **ids),
    ]


def _realistic(total: int) -> list[EventEnvelope]:
    """The benchmarks' workload with what the registry announces about its bid suspensions
    and debarments (barred from the first day, eligible again after the last), in day order:
    plans open, barred vendors win contracts, plans learn the vendor is eligible again. A
    vendor's sanction overlapping one announced already is left out (the registry would
    announce both as one)."""
    built = workload.build(total)
    dated = [(e.occurred_at.date(), 1, e) for e in built.events]
    barred_until: dict[str, dt.date] = {}
    for n, s in enumerate(sorted(built.barring, key=lambda s: (s.vendor_id, s.starts_on))):
        if s.starts_on <= barred_until.get(s.vendor_id, dt.date.min):
            continue
        barred_until[s.vendor_id] = s.last_day
        again = s.last_day + dt.timedelta(days=1)
        dated.append((s.starts_on, 0, _lost(s.vendor_id, s.starts_on, f"s-bar-{n}")))
        dated.append((again, 0, _regained(s.vendor_id, again)))
    return [e for *_, e in sorted(dated, key=lambda d: d[:2])]


# Dependencies inside one batch, none refused: awards that may go first before and after
# events applied one by one, and awards that must wait for them (their vendor's plan opened
# earlier in the batch, their contract named or subcontracted earlier, a vendor's plan by hand).
CLEAN = [
    _awarded("z-1", "z-c1"),
    _lost("z-1", dt.date(2022, 7, 9), "z-s1"),  # opens a plan holding z-c1
    _awarded("z-1", "z-c2"),  # joins it
    _awarded("z-2", "z-c3"),
    *_subcontract("z-2", "z-c3", "z-sc1", to="z-3"),
    _lost("z-3", dt.date(2022, 7, 9), "z-s3"),  # a plan for z-3's work on z-c3
    _awarded("z-4", "z-c4"),
    _event("contract.amended", "z-4", contract_id="z-c4"),
    _awarded("z-5", "z-c3"),  # the same contract again
    _awarded("z-6", "z-c6"),
    _awarded("z-6", "z-c6"),
    _awarded("z-7", "z-c7"),
    _event("migration.plan_requested", "z-7", plan_id="z-p7"),
    _awarded("z-7", "z-c8"),
    _awarded("z-8", "z-c9"),
    _event("contract.terminated", "z-8", contract_id="z-c9"),
    *_subcontract("z-9", "z-c10", "z-sc2", to="z-10"),  # before its contract is known
    _regained("z-1", dt.date(2023, 1, 1)),
]
# What the batches before left: a vendor eligible again, a vendor still barred, a contract
# already known, a contract only subcontracted so far (its subcontractor barred first).
STORED = [
    _awarded("z-1", "z-c11"),
    _awarded("z-3", "z-c12"),
    _awarded("z-11", "z-c1"),
    _lost("z-10", dt.date(2022, 8, 1), "z-s10"),
    _awarded("z-9", "z-c10"),
    _awarded("z-12", "z-c13"),
]


def _item(event_type: str, contract_id: str, **payload: Any) -> EventEnvelope:
    return _parsed(
        envelope(event_type, {"plan_id": PLAN, "contract_id": contract_id, **payload}, VENDOR)
    )


# The migration case in one batch: plan opened, configured, a replacement chosen and then
# barred itself, checks and statuses.
CASE = [
    *(_parsed(e) for e in case_migration.contracts(START)),
    _lost(VENDOR, dt.date(2022, 7, 9), "city-2022-001"),
    _parsed(case_migration.configured(PLAN, START)),
    *(_parsed(e) for e in case_migration.dependencies(PLAN)),
    _item(
        "migration.replacement_chosen",
        "c01",
        replacement_vendor_id="vendor-c",
        chosen_on="2022-07-10",
    ),
    _item("migration.checklist_updated", "c02", check="parallel_run_passed", passed=True),
    _item("migration.item_status_changed", "c02", status="in_progress", on="2022-08-01"),
    _lost("vendor-c", dt.date(2022, 9, 1), "city-2022-900"),
    _event("certificate.submitted", VENDOR, contract_id="c03", kind="data_erasure"),
]
# Refusals among awards: the whole batch goes one event at a time.
REFUSED = [
    _awarded("z-20", "z-c20"),
    _item("migration.item_status_changed", "c03", status="done", on="2022-09-01"),  # checks
    _awarded("z-21", "z-c21"),
    _event("migration.plan_configured", "z-20", plan_id="z-nope"),  # unknown plan
    _awarded("z-20", "z-c22"),
]


def _batches(size: int) -> list[tuple[list[EventEnvelope], bool]]:
    """The batches in order, each with whether it holds a refusal."""
    events = _realistic(3_000)
    realistic = [(events[i : i + size], False) for i in range(0, len(events), size)]
    return [*realistic, (CLEAN, False), (STORED, False), (CASE, False), (REFUSED, True)]


@pytest.fixture
async def two_copies(test_databases: postgres.TestDatabases) -> AsyncIterator[tuple[str, str]]:
    """Two databases holding the same log (every event of `_batches`, recorded once)."""
    events = [e for b, _ in _batches(BATCH_SIZES[0]) for e in b]
    async with database_copies.two_copies(test_databases, events) as urls:
        yield urls


@pytest.mark.parametrize("size", BATCH_SIZES)
async def test_the_batch_handler_has_the_effects_of_the_events_one_by_one(
    two_copies: tuple[str, str], size: int
) -> None:
    batched_url, one_by_one_url = two_copies
    live = consumer(CLOCK)
    assert live.apply_all is not None
    faults: list[int] = []
    batched = dataclasses.replace(live, apply_all=watched(live.apply_all, faults))
    one_by_one = dataclasses.replace(live, apply_all=None)
    batches = _batches(size)
    await apply(batched_url, batched, [b for b, _ in batches])
    await apply(one_by_one_url, one_by_one, [b for b, _ in batches])

    assert faults == [len(b) for b, refused in batches if refused]
    expected = await snapshot(one_by_one_url, "migration", _VOLATILE)
    actual = await snapshot(batched_url, "migration", _VOLATILE)
    # The stream did open plans, add to them and refuse events: not a vacuous comparison.
    assert len(expected["migration_plans"]) > 20 and expected["dead_letters"]
    for table in expected:
        assert actual[table] == expected[table], table
