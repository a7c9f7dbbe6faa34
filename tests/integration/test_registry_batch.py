"""The registry's batch handler (`apply_all`) against its own handlers one event at a time.

The same events, stored in the log once, are applied in the same batches to two copies of
one database (tests/support/database_copies.py): through the batch handler, and through a
consumer without it. Every registry table, the ledger and the dead letters must then hold the
same. Batches without a refusal must not need the per-event fallback.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres, workload
from tests.support.database_copies import (
    REGISTRY_ORDER,
    apply,
    snapshot,
    two_copies,
    watched,
)
from tests.support.event_examples import DROP, envelope, example
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

BATCH = 500


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    raw = json.dumps(envelope(event_type, example(event_type, **changes), vendor_id))
    return parse_event(raw)


def _registered(vendor_id: str, internal: str) -> EventEnvelope:
    identifiers = [{"scheme": "internal", "value": internal}]
    return _event("vendor.registered", vendor_id, identifiers=identifiers)


def _contract(vendor_id: str, contract_id: str) -> EventEnvelope:
    return _event("contract.awarded", vendor_id, contract_id=contract_id)


def _sanction(vendor_id: str, sanction_id: str) -> EventEnvelope:
    return _event("sanction.imposed", vendor_id, sanction_id=sanction_id)


def _incident(event_type: str, vendor_id: str, incident_id: str) -> EventEnvelope:
    return _event(event_type, vendor_id, incident_id=incident_id)


def _reported(
    vendor_id: str, incident_id: str, contract_id: str, causer: Any = DROP
) -> EventEnvelope:
    """An incident on `contract_id`, caused by `causer` (by the vendor itself by default)."""
    return _event(
        "incident.reported",
        vendor_id,
        incident_id=incident_id,
        contract_id=contract_id,
        caused_by_vendor_id=causer,
    )


def _claim(vendor_id: str, claim_id: str, incident_id: str, contract_id: str) -> EventEnvelope:
    return _event(
        "claim.filed",
        vendor_id,
        claim_id=claim_id,
        incident_id=incident_id,
        contract_id=contract_id,
    )


# Dependencies inside one batch, none refused: set-based events before and after events
# applied one by one, some of which must wait for them (a vendor sanctioned earlier in the
# batch, a vendor an earlier event made an affiliate).
CLEAN = [
    _registered("t-1", "T-1"),
    _contract("t-1", "t-c1"),
    _reported("t-1", "t-i1", "t-c1"),
    _incident("incident.investigated", "t-1", "t-i1"),
    _incident("incident.investigated", "t-1", "t-i1"),
    _incident("incident.closed", "t-1", "t-i1"),
    _claim("t-1", "t-cl1", "t-i1", "t-c1"),
    _event("certificate.submitted", "t-1", certificate_id="t-cert1"),
    _sanction("t-1", "t-s1"),
    _registered("t-2", "T-2"),
    _contract("t-2", "t-c2"),
    _contract("t-1", "t-c3"),
    _event("vendor.affiliation_changed", "t-2", related_vendor_id="t-1"),
    _registered("t-3", "T-3"),
    _contract("t-3", "t-c4"),
    _reported("t-2", "t-i2", "t-c2", causer="t-3"),  # a vendor registered in this batch
    _event("vendor.updated", "t-2", identifiers=[{"scheme": "internal", "value": "T-2b"}]),
    _registered("t-4", "T-2"),  # the identifier t-2 just gave up
    _sanction("t-2", "t-s2"),
    _registered("t-5", "T-5"),  # an affiliate of no one: goes first
    _contract("t-1", "t-c5"),  # t-1 is t-2's affiliate, which the sanction re-screened
    _reported("t-1", "t-i3", "t-c1"),  # occurred on 2022-06-21, closed in REFUSED
]
# An affiliate named before it registers (its announced state begins with its registration);
# the vendor's registration after an event that re-screens its affiliates must wait for it.
AFFILIATE = [
    _registered("t-20", "T-20"),
    _event("vendor.affiliation_changed", "t-20", related_vendor_id="t-21"),
    _sanction("t-20", "t-s20"),
    _registered("t-21", "T-21"),
    _contract("t-21", "t-c21"),
]
# Refusals in the middle of a batch: the whole batch goes one event at a time.
REFUSED = [
    _contract("t-10", "t-c10"),  # before its vendor's registration
    _registered("t-10", "T-10"),
    _registered("t-10", "T-10x"),  # registered twice
    _registered("t-11", "T-10"),  # another vendor's identifier, claimed in this batch
    _sanction("t-1", "t-s1"),  # a sanction id already used
    _contract("t-10", "t-c10"),
    _contract("t-11", "t-c10"),  # unknown vendor
    _contract("t-2", "t-c10"),  # a contract id already used
    _incident("incident.investigated", "t-1", "t-i1"),  # closed
    _reported("t-10", "t-i10", "t-c10"),
    _incident("incident.closed", "t-10", "t-i10"),
    _incident("incident.investigated", "t-10", "t-i10"),  # closed in this batch
    _incident("incident.closed", "t-10", "t-nope"),  # unknown
    _reported("t-10", "t-i11", "t-c1"),  # another vendor's contract
    _reported("t-10", "t-i12", "t-nope"),  # an unknown contract
    _reported("t-10", "t-i13", "t-c10", causer="t-nobody"),  # an unknown causer
    _claim("t-10", "t-cl10", "t-nope", "t-c10"),  # an unknown incident
    _claim("t-10", "t-cl11", "t-i10", "t-c10"),
    _registered("t-12", "T-12"),
]


# Days that could not be true (record_dates), each alone in a batch of events that go
# set-based, so that the batch's own rules must refuse it: an investigation, a closing and a
# claim before the incident occurred (2022-06-21; t-i3 is stored, t-i40 reported in the same
# batch), and a report, an investigation and a claim on a day still to come.
IMPOSSIBLE_DAYS = [
    [
        _reported("t-1", "t-i40", "t-c1"),
        _event("incident.investigated", "t-1", incident_id="t-i40", investigated_on="2022-06-19"),
    ],
    [_event("incident.closed", "t-1", incident_id="t-i3", closed_on="2022-06-20")],
    [
        _event(
            "claim.filed",
            "t-1",
            claim_id="t-cl40",
            incident_id="t-i3",
            contract_id="t-c1",
            filed_on="2022-06-18",
        )
    ],
    [
        _event(
            "incident.reported",
            "t-1",
            incident_id="t-i41",
            contract_id="t-c1",
            caused_by_vendor_id=DROP,
            reported_on="2099-06-23",
        )
    ],
    [_event("incident.investigated", "t-1", incident_id="t-i3", investigated_on="2099-01-01")],
    [
        _event(
            "claim.filed",
            "t-1",
            claim_id="t-cl41",
            incident_id=DROP,
            contract_id=DROP,
            filed_on="2099-01-01",
        )
    ],
]


# An incident applied one by one (its vendor's earlier event is), caused by a vendor whose
# registration the log recorded after it (`LATER`, appended last): in log order the registry
# does not know the causer yet, so the registration may not go first.
CAUSER_LATER = [
    _event("vendor.renamed", "t-1"),
    _reported("t-1", "t-i30", "t-c1", causer="t-30"),  # refused: t-30 is not registered yet
    _registered("t-30", "T-30"),
]


def _batches() -> list[tuple[list[EventEnvelope], bool]]:
    """The batches in order, each with whether it holds a refusal."""
    events = list(workload.build(2_000).events)
    realistic = [(events[i : i + BATCH], False) for i in range(0, len(events), BATCH)]
    return [
        *realistic,
        (CLEAN, False),
        (AFFILIATE, False),
        (REFUSED, True),
        *[(batch, True) for batch in IMPOSSIBLE_DAYS],
        (CAUSER_LATER, True),
    ]


async def test_the_batch_handler_has_the_effects_of_the_events_one_by_one(
    test_databases: postgres.TestDatabases,
) -> None:
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())
    assert consumer.apply_all is not None
    faults: list[int] = []
    batched = dataclasses.replace(consumer, apply_all=watched(consumer.apply_all, faults))
    one_by_one = dataclasses.replace(consumer, apply_all=None)
    batches = _batches()
    logged = [e for b, _ in batches for e in b]
    later = [e for e in logged if e.vendor_id == "t-30"]
    first = [e for e in logged if e.vendor_id != "t-30"]
    async with two_copies(test_databases, first, then=later) as urls:
        batched_url, one_by_one_url = urls
        await apply(batched_url, batched, [b for b, _ in batches])
        await apply(one_by_one_url, one_by_one, [b for b, _ in batches])
        expected = await snapshot(one_by_one_url, "registry", order=REGISTRY_ORDER)
        actual = await snapshot(batched_url, "registry", order=REGISTRY_ORDER)

    assert faults == [len(b) for b, refused in batches if refused]
    assert expected["registry_contracts"] and expected["dead_letters"]
    reasons = str(expected["dead_letters"])
    for refusal in (
        "contract 't-c1' belongs to vendor 't-1', not 't-10'",
        "vendor 't-10' has no contract 't-nope'",
        "unknown vendor 't-nobody'",
        "vendor 't-10' has no incident 't-nope'",
        "unknown vendor 't-30'",
        # The handler's and the receipt's words, whichever path applied the batch.
        "vendor_id: 't-10' is already registered; send vendor.updated to change it",
        "payload.investigated_on: 2022-06-19 is before the incident occurred, on 2022-06-21",
        "payload.closed_on: 2022-06-20 is before the incident occurred, on 2022-06-21",
        "payload.filed_on: 2022-06-18 is before incident 't-i3' occurred, on 2022-06-21",
        "payload.reported_on: 2099-06-23 is in the future",
        "payload.investigated_on: 2099-01-01 is in the future",
        "payload.filed_on: 2099-01-01 is in the future",
    ):
        assert refusal in reasons
    for table in expected:
        assert actual[table] == expected[table], table
