"""Inputs the registry refuses (real
PostgreSQL): an affiliation naming a vendor nobody registered, ending a relation that does
not stand, or making a parent its subsidiary's subsidiary; an award dated on a day still to
come; a contract amendment that changes nothing. The receipt refuses each whenever it is
asked, naming the field, and the registry from `later_rules.FOURTH_RULES_FROM` on."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.platform.eventstore import later_rules
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply, eligibility, rejection
from tests.support.rule_instants import FAR, PAST

pytestmark = pytest.mark.postgres

PARENT, CHILD = case_b.VENDOR, case_b.SUBSIDIARY


def affiliation(
    vendor_id: str, related: str, relation: str, change: str = "added", on: str = "2020-04-01"
) -> dict[str, Any]:
    payload = {
        "related_vendor_id": related,
        "relation": relation,
        "change": change,
        "effective_on": on,
    }
    return envelope("vendor.affiliation_changed", payload, vendor_id)


def refused(field: str, message: str, code: str) -> dict[str, Any]:
    return {"accepted": False, "errors": [{"field": field, "message": message, "code": code}]}


ACCEPTED = {"accepted": True, "errors": []}
GHOST = refused(
    "payload.relatedVendorId", "unknown vendor 'ghost'; register it first", "unknown_vendor"
)
NOT_STANDING = (
    f"'{CHILD}' and '{PARENT}' are not affiliated on 2020-04-01; there is no relation to remove"
)
CYCLE = (
    f"'{PARENT}' is the parent of '{CHILD}' on 2020-04-01;"
    " a vendor cannot be the parent of its own parent"
)


async def test_an_affiliation_must_name_a_known_vendor_and_a_standing_relation(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await apply(pool, case_b.registered(), case_b.subsidiary())
    before = await logged(pool)
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)  # the receipt: whenever asked
    assert await typed(pool, affiliation(PARENT, "ghost", "subsidiary")) == GHOST
    removal = affiliation(CHILD, PARENT, "parent", "removed")
    assert await typed(pool, removal) == refused("payload.change", NOT_STANDING, "not_affiliated")
    assert await logged(pool) == before
    # The registry, of changes recorded from the rule on, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    ghost = affiliation(PARENT, "ghost", "subsidiary")
    assert await rejection(pool, ghost) == (
        "payload.related_vendor_id: unknown vendor 'ghost'; register it first"
    )
    assert await rejection(pool, removal) == f"payload.change: {NOT_STANDING}"
    # B is the subsidiary's parent: the subsidiary cannot be B's parent too, from either side.
    await apply(pool, case_b.owned_by_b())
    reversed_here = affiliation(PARENT, CHILD, "parent")
    reversed_there = affiliation(CHILD, PARENT, "subsidiary")
    for cycle in (reversed_here, reversed_there):
        assert await typed(pool, cycle) == refused("payload.relation", CYCLE, "affiliation_cycle")
        assert await rejection(pool, cycle) == f"payload.relation: {CYCLE}"
    # Ended from the other side, as it stands, it is applied.
    await apply(pool, affiliation(PARENT, CHILD, "subsidiary", "removed", on="2021-04-01"))


async def test_a_vendor_named_its_own_affiliate_is_refused_in_the_receipt(
    pool: asyncpg.Pool,
) -> None:
    """The registry refuses it whatever the log holds; the receipt said accepted (a tester's
    finding). Refused whatever the rules' instant and the mode: nothing is read to judge it."""
    await apply(pool, case_b.registered())
    itself = affiliation(PARENT, PARENT, "subsidiary")
    said = "a vendor cannot be its own affiliate"
    assert await typed(pool, itself) == refused("payload.relatedVendorId", said, "own_affiliate")
    assert await submitted(pool, itself) == refused(
        "payload.related_vendor_id", said, "own_affiliate"
    )
    assert await logged(pool) == 0
    assert await rejection(pool, itself) == f"payload.related_vendor_id: {said}"


async def test_a_related_vendor_the_log_registered_first_counts_as_known(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its registration travels in another partition: logged before the change, it counts."""
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    await apply(pool, case_b.registered())
    # Logged, not yet applied by the registry.
    await EmbeddedEventLog(pool, ingest_batch).submit([case_b.line(case_b.subsidiary())])
    await apply(pool, affiliation(PARENT, CHILD, "subsidiary"))
    recorded = await pool.fetch(
        """SELECT vendor_id, related_vendor_id, relation, change, effective_on::text
           FROM registry_affiliation_changes"""
    )
    assert [tuple(row) for row in recorded] == [
        (PARENT, CHILD, "subsidiary", "added", "2020-04-01")
    ]
    # It holds once the subsidiary is applied too: the parent's sanction covering its
    # affiliates bars it, through the parent.
    await apply(pool, case_b.subsidiary())
    await apply(pool, case_b.suspended(covers_affiliates=True))
    barred = await eligibility(pool, CHILD, "2023-03-01")
    assert not barred.eligible
    assert [(r.sanction_id, r.via_vendor_id) for r in barred.reasons] == [("city-2022-001", PARENT)]


def awarded(**changes: Any) -> dict[str, Any]:
    return envelope("contract.awarded", example("contract.awarded", **changes), case_b.VENDOR)


async def test_an_award_dated_ahead_is_refused_and_a_term_starting_later_is_not(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await apply(pool, case_b.registered())
    ahead = awarded(
        contract_id="c-ahead", awarded_on="2030-01-10", starts_on="2030-02-01", ends_on="2031-01-31"
    )
    said = "2030-01-10 is in the future"
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    assert await typed(pool, ahead) == refused("payload.awardedOn", said, "in_the_future")
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, ahead) == f"payload.awarded_on: {said}"  # a batch of one
    # Applied one by one too (an award after an announcing event goes to its handler).
    later = awarded(contract_id="c-later", starts_on="2030-02-01", ends_on="2031-01-31")
    assert await typed(pool, later) == ACCEPTED
    again = awarded(
        contract_id="c-ahead-2",
        awarded_on="2030-01-10",
        starts_on="2030-02-01",
        ends_on="2031-01-31",
    )
    announcing = affiliation(case_b.VENDOR, "x", "subsidiary")
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(e) for e in (announcing, again)])
    reason = await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE event_id = $1::uuid", again["event_id"]
    )
    assert reason == f"payload.awarded_on: {said}"


def amended(**changes: Any) -> dict[str, Any]:
    return envelope("contract.amended", example("contract.amended", **changes), case_b.VENDOR)


async def test_a_contract_amendment_that_changes_nothing_is_refused(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await apply(pool, case_b.registered(), awarded(), amended())
    said = (
        "contract 'c-2021-resident-records' has these terms already"
        " (ends on 2026-09-30, amount 128000000); the amendment would change nothing"
    )
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    assert await typed(pool, amended()) == refused("payload", said, "no_change")
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, amended()) == f"payload: {said}"
    assert await typed(pool, amended(ends_on="2026-10-31")) == ACCEPTED
